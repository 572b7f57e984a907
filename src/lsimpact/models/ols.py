"""Log-log elasticity with HC3 errors, and the platform jobs-to-GMV pairs it is run on.

With a handful of platform-years this is *descriptive*: ``Result.extra`` states the number
of observations and a warning, and HC3 standard errors are NaN where an observation has
leverage 1 (HC3 divides by ``1 - h_ii``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from ..errors import InputError
from .results import Result, cov_frame, tidy_frame

__all__ = ["loglog_elasticity"]


def loglog_elasticity(df: pd.DataFrame, y: str, x: str, *, model: str | None = None) -> Result:
    """OLS of ``log(y)`` on ``log(x)`` with HC3 standard errors.

    The slope (term ``"elasticity"``) is the elasticity of ``y`` with respect to ``x``.
    Rows with missing or non-positive values are dropped (counted in ``extra``). Raises
    :class:`InputError` with fewer than 3 usable rows or when ``x`` does not vary.
    """
    for c in (y, x):
        if c not in df.columns:
            raise InputError(
                f"column '{c}' not in the data", column=c, expected=str(list(df.columns))
            )
    v = df[[y, x]].apply(pd.to_numeric, errors="coerce")
    ok = (v > 0).all(axis=1)
    v = v[ok]
    if len(v) < 3 or v[x].nunique() < 2:
        raise InputError(
            f"cannot estimate an elasticity from {len(v)} usable row(s) with "
            f"{v[x].nunique()} distinct value(s) of {x}",
            expected="at least 3 rows with positive values and a varying regressor",
        )
    X = sm.add_constant(np.log(v[x].to_numpy()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # leverage 1 -> division by zero
        fit = sm.OLS(np.log(v[y].to_numpy()), X).fit(cov_type="HC3", use_t=True)
        se = np.sqrt(np.diag(fit.cov_params()))
    coefs = tidy_frame(["const", "elasticity"], fit.params, se, df_resid=fit.df_resid)
    n = len(v)
    return Result(
        model=model or f"log-log OLS: {y} on {x}",
        coefs=coefs,
        n_obs=n,
        vcov="HC3",
        fitted=fit,
        cov=cov_frame(["const", "elasticity"], fit.cov_params()),
        df_resid=float(fit.df_resid),
        extra={
            "Rows dropped (missing/non-positive)": int((~ok).sum()),
            "Warning": f"N = {n}: descriptive only" if n < 30 else "",
        },
    )
