"""One Result base shared by every estimator: ``tidy``, ``conf_int``, ``summary``,
``lincom`` and ``wald``.

Every estimator in :mod:`lsimpact.models` returns a :class:`Result` (or a subclass with
extra fields and a ``plot``), holding the tidy coefficient table, the number of
observations, the inference in words, the coefficient covariance where the estimator has
one, and the underlying fitted model. As statsmodels puts ``t_test``/``wald_test`` on its
base results class, the tests live here once, so every estimator inherits them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["TIDY_COLUMNS", "Result", "cov_frame", "tidy_frame", "tidy_from_statsmodels"]

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


def cov_frame(names: Sequence[str], matrix: Any) -> pd.DataFrame:
    """A covariance matrix labelled by term on both axes (for ``Result.cov``)."""
    names = list(names)
    return pd.DataFrame(np.asarray(matrix, dtype=float), index=names, columns=names)


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
    cov
        Covariance matrix of the estimates (DataFrame indexed and labelled by term), when
        the estimator has one; ``lincom`` and ``wald`` need it.
    df_resid
        Degrees of freedom of the reference t / F distribution (e.g. G - 1 clusters);
        None means normal / chi-squared inference.
    """

    model: str
    coefs: pd.DataFrame
    n_obs: int
    vcov: str = ""
    fitted: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    cov: pd.DataFrame | None = field(default=None, repr=False)
    df_resid: float | None = None

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

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals, indexed by term (``conf_low``, ``conf_high``).

        At the default level these are the intervals the estimator reported (which may be
        bootstrap or Wilson intervals); at another level they are recomputed from the
        standard errors with the result's reference distribution.
        """
        c = self.coefs.set_index("term")
        if alpha == 0.05:
            return c[["conf_low", "conf_high"]].copy()
        t = tidy_frame(c.index, c["estimate"], c["std_error"], df_resid=self.df_resid, alpha=alpha)
        return t.set_index("term")[["conf_low", "conf_high"]]

    def _cov(self) -> pd.DataFrame:
        if self.cov is not None:
            return self.cov
        cov_params = getattr(self.fitted, "cov_params", None)
        if callable(cov_params):
            cov = cov_params()
            if isinstance(cov, pd.DataFrame):
                return cov
        raise NotImplementedError(
            f"{self.model}: no covariance matrix of the estimates is available, so linear "
            "combinations and joint tests cannot be computed for this result"
        )

    def lincom(self, weights: Mapping[str, float]) -> pd.Series:
        """Estimate, standard error, test and interval of ``sum_k w_k * b_k``.

        Parameters
        ----------
        weights
            Term -> weight, e.g. ``{"host: level": 1, "brand: level": -1}``.
        """
        cov = self._cov()
        terms = list(weights)
        w = np.array([weights[t] for t in terms], dtype=float)
        b = self.coefs.set_index("term").loc[terms, "estimate"].to_numpy(dtype=float)
        v = cov.loc[terms, terms].to_numpy(dtype=float)
        row = tidy_frame(["lincom"], [w @ b], [float(np.sqrt(w @ v @ w))], df_resid=self.df_resid)
        return row.iloc[0]

    def wald(self, terms: Sequence[str]) -> dict[str, float]:
        """Joint test that ``terms`` are all zero: F(q, df_resid), or chi²(q) without df."""
        cov = self._cov()
        terms = list(terms)
        b = self.coefs.set_index("term").loc[terms, "estimate"].to_numpy(dtype=float)
        v = cov.loc[terms, terms].to_numpy(dtype=float)
        q = len(terms)
        w = float(b @ np.linalg.solve(v, b))
        if self.df_resid is None:
            return {"chi2": w, "df": q, "p_value": float(stats.chi2.sf(w, q))}
        f = w / q
        return {
            "F": f,
            "df_num": q,
            "df_den": float(self.df_resid),
            "p_value": float(stats.f.sf(f, q, self.df_resid)),
        }

    def summary(self, digits: int = 4) -> str:
        """A plain-text summary, as statsmodels users expect: model, N, inference, table."""
        head = [self.model, f"N = {self.n_obs:,}"]
        if self.vcov:
            head.append(f"inference: {self.vcov}")
        table = self.tidy().to_string(index=False, float_format=lambda x: f"{x:.{digits}f}")
        extra = [f"{k}: {v}" for k, v in self.extra.items() if np.isscalar(v)]
        return "\n".join([" | ".join(head), table, *extra])

    def __str__(self) -> str:
        return self.summary()
