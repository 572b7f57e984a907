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

__all__ = ["jobs_gmv_pairs", "loglog_elasticity"]


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


def jobs_gmv_pairs(platform_jobs: pd.DataFrame, *, max_year_gap: int = 1) -> pd.DataFrame:
    """Match each platform's total-jobs figure to its full-year e-commerce GMV.

    A jobs figure of year ``t`` is paired with the platform's full-year GMV of the nearest
    year within ``max_year_gap`` (same year preferred); ``year_gap`` records the
    mismatch, and ``lower_bound`` is True when either figure is a published minimum.
    Quarterly and partial-year GMV is not annualised.
    """
    jobs = platform_jobs[
        (platform_jobs["measure"] == "jobs") & (platform_jobs["category"] == "total")
    ]
    gmv = platform_jobs[
        (platform_jobs["measure"] == "gmv") & (platform_jobs["period"].str.fullmatch(r"\d{4}"))
    ]
    j = jobs[["platform", "year", "period", "value", "lower_bound", "source_org"]].rename(
        columns={"value": "jobs", "lower_bound": "jobs_lower_bound", "period": "jobs_period"}
    )
    g = gmv[["platform", "year", "value", "lower_bound"]].rename(
        columns={"value": "gmv_yuan", "lower_bound": "gmv_lower_bound", "year": "gmv_year"}
    )
    m = j.merge(g, on="platform")
    m["year_gap"] = (m["year"] - m["gmv_year"]).abs()
    m = m[m["year_gap"] <= max_year_gap]
    m = m.sort_values(
        ["platform", "jobs_period", "source_org", "year_gap", "gmv_year"], kind="stable"
    )
    # the same figure from a second source corroborates it; it is not a second observation
    m = m.drop_duplicates(["platform", "jobs_period", "jobs"], keep="first")
    m["lower_bound"] = m["jobs_lower_bound"] | m["gmv_lower_bound"]
    return m.reset_index(drop=True)
