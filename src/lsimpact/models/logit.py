"""Logistic regression with average marginal effects (AMEs) and delta-method intervals.

For a binary regressor and for each level of a categorical one the AME is the average
*discrete* change in the predicted probability when every unit is moved from the
reference to that level (the "counterfactual" contrast of R's ``marginaleffects``); for
other regressors it is the average derivative. Standard errors use the analytic delta
method. (statsmodels' ``get_margeff(dummy=True)`` gives the same numbers for a single 0/1
regressor; for a factor with more than two levels it toggles one dummy at a time, which
mixes levels, so the factor contrasts here are computed directly.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy.special import expit

from ..errors import InputError
from .results import TIDY_COLUMNS, Result, cov_frame, tidy_frame, tidy_from_statsmodels

__all__ = ["LogitResult", "average_marginal_effects", "fit_logit"]


@dataclass
class LogitResult(Result):
    """A fitted logit: ``coefs`` (log-odds) and ``ame`` (average marginal effects)."""

    ame: pd.DataFrame = field(default_factory=pd.DataFrame)

    def plot(
        self, ax: Any = None, *, title: str = "", truth: dict[str, float] | None = None
    ) -> Any:
        """AMEs in percentage points with 95% intervals (dot and whisker)."""
        import matplotlib.pyplot as plt

        t = self.ame.iloc[::-1]
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 0.45 * len(t) + 1.5))
        y = np.arange(len(t))
        ax.errorbar(
            100 * t["estimate"],
            y,
            xerr=[100 * (t["estimate"] - t["conf_low"]), 100 * (t["conf_high"] - t["estimate"])],
            fmt="o",
            color="C0",
            ecolor="#555555",
            capsize=3,
            label="AME, 95% CI",
        )
        if truth:
            tv = [100 * truth.get(term, np.nan) for term in t["term"]]
            ax.scatter(tv, y, marker="x", color="C3", zorder=3, label="true AME")
            ax.legend(loc="lower right")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, t["label"] if "label" in t else t["term"])
        ax.set_xlabel("average marginal effect on P(transformed)\n(percentage points)")
        if title:
            ax.set_title(title)
        return ax


def _factor_columns(names: list[str]) -> dict[str, list[int]]:
    """Factor term -> design column positions, from treatment-coded names ``term[T.level]``.

    Parsing the names (rather than patsy's design info) works whichever formula engine
    statsmodels uses.
    """
    out: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        if "[T." in name and name.endswith("]"):
            out.setdefault(name.rsplit("[T.", 1)[0], []).append(j)
    return out


def average_marginal_effects(
    params: np.ndarray,
    cov: np.ndarray,
    exog: np.ndarray,
    names: list[str],
    factors: dict[str, list[int]] | None = None,
    *,
    discrete: bool = True,
) -> pd.DataFrame:
    """AMEs of a logit and their delta-method standard errors (vectorised over units).

    Parameters
    ----------
    params, cov
        Coefficients and their covariance.
    exog
        Design matrix (n x k) including the intercept column.
    names
        Column names of ``exog``.
    factors
        Term -> column positions of categorical factors (levels against the reference).
    discrete
        Use discrete changes for 0/1 columns and factor levels; with False every column
        gets the average derivative (statsmodels' ``get_margeff(dummy=False)``).

    Returns
    -------
    DataFrame
        Tidy columns (term, estimate, std_error, statistic, p_value, conf_low, conf_high).
    """
    b = np.asarray(params, dtype=float)
    X = np.asarray(exog, dtype=float)
    p = expit(X @ b)
    w = p * (1 - p)
    factor_of = {c: cols for cols in (factors or {}).values() for c in cols}
    const = [j for j in range(X.shape[1]) if np.all(X[:, j] == 1.0)]
    terms, est, grads = [], [], []
    for j, name in enumerate(names):  # one pass per coefficient, vectorised over units
        if j in const:
            continue
        binary = np.isin(X[:, j], (0.0, 1.0)).all()
        if discrete and (j in factor_of or binary):
            X1, X0 = X.copy(), X.copy()
            for c in factor_of.get(j, [j]):
                X1[:, c] = 0.0
                X0[:, c] = 0.0
            X1[:, j] = 1.0
            p1, p0 = expit(X1 @ b), expit(X0 @ b)
            est.append(np.mean(p1 - p0))
            grads.append(((p1 * (1 - p1))[:, None] * X1 - (p0 * (1 - p0))[:, None] * X0).mean(0))
        else:
            est.append(np.mean(w) * b[j])
            g = (w * (1 - 2 * p))[:, None] * X
            grad = g.mean(0) * b[j]
            grad[j] += np.mean(w)
            grads.append(grad)
        terms.append(name)
    G = np.vstack(grads)
    se = np.sqrt(np.einsum("ij,jk,ik->i", G, np.asarray(cov, dtype=float), G))
    return tidy_frame(terms, np.array(est), se)


def fit_logit(
    df: pd.DataFrame,
    formula: str,
    *,
    cov_type: str = "nonrobust",
    labels: dict[str, str] | None = None,
) -> LogitResult:
    """Fit a logit by maximum likelihood and compute average marginal effects.

    Parameters
    ----------
    df
        Data; boolean columns are used as 0/1.
    formula
        Patsy formula, e.g.
        ``"transformed ~ C(major_group, Treatment(reference=2)) + residual + manual"``.
    cov_type
        statsmodels covariance type (``"nonrobust"`` or ``"HC1"``).
    labels
        Optional display names of AME terms (added as a ``label`` column).

    Returns
    -------
    LogitResult
        ``coefs`` (log-odds, statsmodels' own inference), ``ame``, ``fitted`` (the
        statsmodels results) and ``extra`` (pseudo R², log-likelihood).
    """
    data = df.copy()
    for c in data.columns:
        if data[c].dtype == bool or str(data[c].dtype) in ("boolean", "bool[pyarrow]"):
            data[c] = data[c].astype(int)
    try:
        res = smf.logit(formula, data=data).fit(disp=0, cov_type=cov_type)
    except Exception as exc:  # patsy / perfect separation: a user-fixable problem
        raise InputError(
            f"cannot fit the logit '{formula}': {exc}",
            hint="check the column names and that every group has both outcomes",
        ) from exc
    names = list(res.model.exog_names)
    ame = average_marginal_effects(
        res.params.to_numpy(),
        res.cov_params().to_numpy(),
        res.model.exog,
        names,
        _factor_columns(names),
    )
    if labels:
        ame["label"] = ame["term"].map(lambda t: labels.get(t, t))
    coefs = tidy_from_statsmodels(res)[TIDY_COLUMNS]
    return LogitResult(
        model="Logit (MLE)",
        coefs=coefs,
        n_obs=int(res.nobs),
        vcov="classical (MLE)" if cov_type == "nonrobust" else cov_type,
        fitted=res,
        cov=cov_frame(res.model.exog_names, res.cov_params()),
        extra={"Pseudo R2": float(res.prsquared), "Log-likelihood": float(res.llf)},
        ame=ame,
    )
