"""Linear regression with high-dimensional fixed effects (pyfixest), returning a Result.

``feols(data, "y ~ x1 + x2 | province + year", cluster="province")`` is the one entry
point used across lsimpact (panel regressions, event studies). It validates the input
(missing columns, missing cluster values, non-numeric regressors) with
:class:`~lsimpact.errors.InputError` before pyfixest sees it, and reports the small-sample
correction in words in ``Result.vcov`` so a reader of a table knows which one was used.

Small-sample corrections (``ssc``)
----------------------------------
``"fixest"`` (default)
    pyfixest's default: ``(N-1)/(N-k) * G/(G-1)`` for clustered errors where ``k`` counts
    the slope coefficients plus the fixed effects *not nested* in the cluster variable
    (for province-clustered two-way FE: the year dummies, not the province dummies). This
    is what Stata's ``reghdfe`` and R's ``fixest`` (``fixef.K = "nested"``) report.
``"full"``
    ``k`` counts every fixed-effect dummy. Identical (to rounding) to statsmodels OLS with
    explicit dummies and ``cov_type="cluster"``; larger SEs when FEs nest in clusters.
``"none"``
    ``k`` counts only the slopes (pyfixest ``k_fixef="none"``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .results import Result, cov_frame, tidy_frame

__all__ = ["FEResult", "feols", "formula_columns"]

_SSC = {"fixest": "nonnested", "full": "full", "none": "none"}
_VCOV_WORDS = {
    "iid": "iid",
    "hetero": "heteroskedasticity-robust (HC1)",
    "HC1": "heteroskedasticity-robust (HC1)",
    "HC2": "heteroskedasticity-robust (HC2)",
    "HC3": "heteroskedasticity-robust (HC3)",
}
# Names that may appear in a formula without being columns (functions, operators).
_FORMULA_WORDS = {"np", "log", "exp", "sqrt", "C", "i", "ref", "I", "Q", "center", "scale"}


@dataclass
class FEResult(Result):
    """A fixed-effects OLS fit; ``extra`` holds R² (within), fixed effects and clusters."""

    formula: str = ""

    def plot(self, ax: Any = None, terms: Sequence[str] | None = None) -> Any:
        """Coefficient plot (estimate and 95% interval) of ``terms`` (default: all)."""
        import matplotlib.pyplot as plt

        tidy = self.tidy()
        if terms is not None:
            tidy = tidy[tidy["term"].isin(list(terms))]
        if ax is None:
            _, ax = plt.subplots(figsize=(5, 0.5 + 0.4 * len(tidy)))
        y = np.arange(len(tidy))[::-1]
        ax.errorbar(
            tidy["estimate"],
            y,
            xerr=[tidy["estimate"] - tidy["conf_low"], tidy["conf_high"] - tidy["estimate"]],
            fmt="o",
            capsize=3,
        )
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, tidy["term"])
        ax.set_xlabel(f"estimate, 95% CI ({self.vcov})")
        return ax


def formula_columns(formula: str) -> list[str]:
    """Identifiers in ``formula`` that must be columns (not function names, not numbers)."""
    names = []
    for m in re.finditer(r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]*", formula):
        tail = formula[m.end() :].lstrip()
        if tail.startswith(("(", ".")) or m.group() in _FORMULA_WORDS:
            continue
        # np.log(x): skip the attribute after a dot
        if m.start() > 0 and formula[m.start() - 1] == ".":
            continue
        names.append(m.group())
    return list(dict.fromkeys(names))


def _vcov_spec(
    cluster: str | Sequence[str] | None, vcov: str | Mapping[str, str] | None
) -> tuple[str | dict[str, str], list[str]]:
    if cluster is not None and vcov is not None:
        raise InputError(
            "give either cluster= or vcov=, not both",
            hint="cluster='province' is shorthand for vcov={'CRV1': 'province'}",
        )
    if cluster is not None:
        cols = [cluster] if isinstance(cluster, str) else list(cluster)
        if not 1 <= len(cols) <= 2:
            raise InputError("cluster= takes one or two column names", expected="1 or 2 names")
        return {"CRV1": "+".join(cols)}, cols
    if vcov is None:
        return "iid", []
    if isinstance(vcov, Mapping):
        (kind, var), *rest = vcov.items()
        if rest or kind not in ("CRV1", "CRV3"):
            raise InputError(
                f"unsupported vcov {dict(vcov)!r}", expected="{'CRV1': 'col'} or {'CRV3': 'col'}"
            )
        return {kind: var}, var.split("+")
    if vcov not in _VCOV_WORDS:
        raise InputError(f"unsupported vcov '{vcov}'", expected=", ".join(_VCOV_WORDS))
    return vcov, []


def _check_data(data: pd.DataFrame, formula: str, clusters: list[str]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a pandas DataFrame", expected="DataFrame")
    lhs, _, rhs = formula.partition("~")
    if not rhs.strip():
        raise InputError(f"formula '{formula}' has no '~'", expected="'y ~ x1 + x2 | fe1 + fe2'")
    needed = formula_columns(formula)
    missing = [c for c in needed + clusters if c not in data.columns]
    if missing:
        raise InputError(
            f"column(s) {', '.join(missing)} used in the model are not in the data",
            column=missing[0],
            expected=f"one of the columns {list(data.columns)}",
            hint="check the spelling in the formula / cluster=",
        )
    slopes = formula_columns(lhs + "~" + rhs.split("|")[0])
    for col in slopes:
        s = data[col]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise InputError(
                f"column '{col}' is not numeric (dtype {s.dtype})",
                column=col,
                expected="numbers (int or float)",
                hint="convert it first, e.g. with lsimpact.parse.parse_count, or wrap a "
                "category in C(...)",
            )
    for col in clusters:
        n_na = int(data[col].isna().sum())
        if n_na:
            row = int(np.flatnonzero(data[col].isna().to_numpy())[0])
            raise InputError(
                f"cluster column '{col}' has {n_na} missing value(s)",
                column=col,
                row=row,
                expected="a cluster id on every row",
                hint="drop those rows first or fill the cluster id",
            )


def feols(
    data: pd.DataFrame,
    formula: str,
    *,
    cluster: str | Sequence[str] | None = None,
    vcov: str | Mapping[str, str] | None = None,
    ssc: str = "fixest",
    weights: str | None = None,
    model: str | None = None,
) -> FEResult:
    """OLS with fixed effects absorbed (pyfixest ``feols``) as an :class:`FEResult`.

    Parameters
    ----------
    data
        One row per observation.
    formula
        pyfixest/fixest syntax: ``"y ~ x1 + x2 | fe1 + fe2"`` (the part after ``|`` is
        absorbed). Functions such as ``np.log(x)`` and ``C(x)`` are allowed.
    cluster
        Column (or two columns) to cluster standard errors by (CRV1).
    vcov
        Instead of ``cluster``: ``"iid"`` (default), ``"hetero"``/``"HC1"``, or
        ``{"CRV1": col}`` / ``{"CRV3": col}``.
    ssc
        Small-sample correction: ``"fixest"`` (default), ``"full"`` or ``"none"``; see
        the module docstring.
    weights
        Column of analytic weights.
    model
        Name shown in tables (default ``"FE OLS"``).

    Returns
    -------
    FEResult
        ``coefs`` tidy table (t distribution with G-1 df when clustered, N-k otherwise),
        ``n_obs`` after pyfixest drops rows with missing values and singleton FEs,
        ``extra`` with R², within R², fixed effects, clusters and rows dropped.
    """
    import pyfixest as pf

    if ssc not in _SSC:
        raise InputError(f"unknown ssc '{ssc}'", expected=", ".join(_SSC))
    vc, clusters = _vcov_spec(cluster, vcov)
    _check_data(data, formula, clusters + ([weights] if weights else []))
    try:
        with warnings.catch_warnings():
            # pyfixest's own use of deprecated pandas arguments is not the user's concern
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="pyfixest")
            warnings.filterwarnings("ignore", category=FutureWarning, module="pyfixest")
            fit = pf.feols(
                formula,
                data=data,
                vcov=vc,
                weights=weights,
                ssc=pf.ssc(k_adj=True, k_fixef=_SSC[ssc], G_adj=True, G_df="min"),
            )
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"pyfixest could not fit '{formula}': {exc}",
            hint="check the formula and that every regressor varies within the fixed effects",
        ) from exc

    t = fit.tidy()
    n = int(fit._N)
    # pyfixest's CI and p-values already use its t df (G-1 clustered, N-k otherwise);
    # recompute them through tidy_frame with the same df so every Result looks alike.
    df_t = float(fit._df_t) if getattr(fit, "_df_t", None) else None
    coefs = tidy_frame(t.index, t["Estimate"], t["Std. Error"], df_resid=df_t)
    fe_part = formula.split("|")[1].strip() if "|" in formula else ""
    if isinstance(vc, dict):
        kind, var = next(iter(vc.items()))
        # pyfixest stores G once per coefficient; the distinct values are the cluster counts
        g = list(dict.fromkeys(int(x) for x in np.atleast_1d(fit._G)))
        words = f"cluster: {var.replace('+', ' & ')} ({kind}, ssc={ssc})"
        n_clusters: Any = g[0] if len(g) == 1 else " & ".join(map(str, g))
    else:
        words = _VCOV_WORDS[vc]
        n_clusters = ""
    extra: dict[str, Any] = {"R²": float(fit._r2)}
    if fe_part:
        extra["R² within"] = float(fit._r2_within)
        extra["Fixed effects"] = fe_part.replace("+", "&").replace(" ", "").replace("&", " & ")
    if n_clusters != "":
        extra["Clusters"] = n_clusters
    dropped = len(data) - n
    if dropped:
        extra["Rows dropped (NA/singletons)"] = dropped
    return FEResult(
        model=model or "FE OLS",
        coefs=coefs,
        n_obs=n,
        vcov=words,
        fitted=fit,
        extra=extra,
        cov=cov_frame(t.index, fit._vcov),
        df_resid=df_t,
        formula=formula,
    )
