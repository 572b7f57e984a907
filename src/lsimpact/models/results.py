"""Result objects shared by every estimator: broom-style ``tidy()`` tables.

Every estimator in :mod:`lsimpact.models` returns a :class:`Result` (or a subclass with
extra fields and a ``plot``), holding the tidy coefficient table, the number of
observations, the covariance type and the underlying fitted model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["TIDY_COLUMNS", "Result", "tidy_frame", "tidy_from_statsmodels"]

#: The broom columns, in order.
TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]


def tidy_frame(
    terms: list[str] | pd.Index,
    estimates: np.ndarray | pd.Series,
    std_errors: np.ndarray | pd.Series,
    *,
    df_resid: float | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Tidy table from estimates and standard errors.

    Uses the t distribution with ``df_resid`` degrees of freedom when given (as
    statsmodels does for OLS and for cluster-robust inference with G-1 df), the normal
    distribution otherwise.
    """
    est = np.asarray(estimates, dtype=float)
    se = np.asarray(std_errors, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    dist = stats.t(df_resid) if df_resid is not None else stats.norm()
    p = 2 * dist.sf(np.abs(stat))
    q = dist.ppf(1 - alpha / 2)
    return pd.DataFrame(
        {
            "term": list(terms),
            "estimate": est,
            "std_error": se,
            "statistic": stat,
            "p_value": p,
            "conf_low": est - q * se,
            "conf_high": est + q * se,
        }
    )


def tidy_from_statsmodels(res: Any, alpha: float = 0.05) -> pd.DataFrame:
    """Tidy table of a fitted statsmodels results object (its own p-values and CIs)."""
    ci = np.asarray(res.conf_int(alpha=alpha))
    names = list(res.model.exog_names)
    return pd.DataFrame(
        {
            "term": names,
            "estimate": np.asarray(res.params, dtype=float),
            "std_error": np.asarray(res.bse, dtype=float),
            "statistic": np.asarray(res.tvalues, dtype=float),
            "p_value": np.asarray(res.pvalues, dtype=float),
            "conf_low": ci[:, 0],
            "conf_high": ci[:, 1],
        }
    )


@dataclass
class Result:
    """A fitted model's tidy summary.

    Attributes
    ----------
    model
        Short name of the estimator ("ITS", "TWFE event study", ...).
    coefs
        Tidy table with :data:`TIDY_COLUMNS`.
    n_obs
        Observations used.
    vcov
        Covariance type, in words ("HAC (Newey-West, 7 lags)", "cluster: account").
    fitted
        The underlying fitted object (statsmodels results, pyfixest model, ...), for
        anything the tidy table does not hold.
    extra
        Further statistics (R², number of clusters, joint tests) shown below a
        regression table.
    """

    model: str
    coefs: pd.DataFrame
    n_obs: int
    vcov: str = ""
    fitted: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """Broom-style coefficient table; ``attrs`` carry model, n_obs and vcov."""
        out = self.coefs[TIDY_COLUMNS].reset_index(drop=True).copy()
        out.attrs.update({"model": self.model, "n_obs": self.n_obs, "vcov": self.vcov})
        return out

    def term(self, name: str) -> pd.Series:
        """The tidy row of one term."""
        rows = self.coefs[self.coefs["term"] == name]
        if rows.empty:
            raise KeyError(f"term '{name}' not in {list(self.coefs['term'])}")
        return rows.iloc[0]
