"""Interrupted time series for one account: level and slope change, Newey-West errors.

The model on the account's daily series (day ``t``, incident day ``t0``)::

    y[t] = b0 + b1 * (t - t0) + level * 1[t >= t0] + slope * (t - t0) * 1[t >= t0]
           + day-of-week effects + e[t]

with ``y`` the log follower count by default, so ``level`` is the jump on the incident day
and ``slope`` the change of daily growth after it (log points). Errors may be serially
correlated: standard errors are HAC (Newey-West, Bartlett kernel) with
``floor(4 (n/100)^(2/9))`` lags unless ``lags`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from ..errors import InputError
from .results import Result, cov_frame, tidy_from_statsmodels

__all__ = ["ITSResult", "its", "newey_west_lags"]


def newey_west_lags(n: int) -> int:
    """The Newey-West (1994) rule of thumb ``floor(4 (n/100)^(2/9))``."""
    return int(np.floor(4 * (n / 100) ** (2 / 9)))


@dataclass
class ITSResult(Result):
    """ITS fit with the observed series, the fit and the no-incident counterfactual."""

    series: pd.DataFrame | None = None

    def plot(self, ax: Any = None, *, title: str | None = None) -> Any:
        """Observed followers, fitted path and the counterfactual without the incident."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        s = self.series
        tr = np.exp if self.extra.get("outcome") == "log" else (lambda v: v)
        ax.plot(s["date"], tr(s["y"]) / 1e6, ".", ms=3, color="grey", label="observed")
        ax.plot(s["date"], tr(s["fitted"]) / 1e6, lw=1.2, label="fitted")
        post = s["post"] > 0
        ax.plot(
            s["date"][post],
            tr(s["counterfactual"][post]) / 1e6,
            ls="--",
            lw=1.2,
            label="no incident (counterfactual)",
        )
        from ..plots import date_axis, plain_log_axis

        ax.axvline(pd.Timestamp(self.extra["incident"]), color="black", lw=0.8)
        if self.extra.get("outcome") == "log":
            ax.set_yscale("log")  # the model is in logs: straight lines stay straight
            plain_log_axis(ax)
            ax.set_ylabel("followers (million, log scale)")
        else:
            ax.set_ylabel("followers (million)")
        date_axis(ax)
        ax.set_xlabel("date (vertical line: the incident)")
        ax.legend(fontsize=8)
        if title:
            ax.set_title(title)
        return ax


def its(
    series: pd.DataFrame,
    incident: str | pd.Timestamp,
    *,
    account: str | None = None,
    outcome: str = "log",
    lags: int | None = None,
    dow: bool = True,
    exclude_imputed: bool = True,
) -> ITSResult:
    """Interrupted time series of one account's daily followers around ``incident``.

    Parameters
    ----------
    series
        Daily panel (``followers_daily``); with several accounts pass ``account``.
    incident
        Day 0 (first day with the effect).
    account
        ``account_id`` to analyse.
    outcome
        ``"log"`` (default; level and slope in log points) or ``"level"`` (followers).
    lags
        HAC lags (default :func:`newey_west_lags`).
    dow
        Include day-of-week effects (weekly seasonality).

    Returns
    -------
    ITSResult
        Terms ``const``, ``trend``, ``level_change``, ``slope_change`` (and ``dow_*``).
    """
    s = series
    if account is not None:
        s = s.loc[s["account_id"] == account]
    elif "account_id" in s.columns and s["account_id"].nunique() > 1:
        raise InputError(
            "several accounts in the series",
            column="account_id",
            hint="pass account='...' to choose one",
        )
    keep = s["followers"].notna() & (s["followers"] > 0)
    if exclude_imputed and "imputed" in s.columns:
        keep &= ~s["imputed"]
    s = s.loc[keep].sort_values("date")
    t0 = pd.Timestamp(incident)
    k = (s["date"] - t0).dt.days.to_numpy(dtype=float)
    if (k < 0).sum() < 7 or (k >= 0).sum() < 7:
        raise InputError(
            f"need at least a week of data before and after {t0.date()}",
            expected="a daily series spanning the incident",
        )
    y = (
        np.log(s["followers"].to_numpy(dtype=float))
        if outcome == "log"
        else s["followers"].to_numpy(dtype=float)
    )
    post = (k >= 0).astype(float)
    X = pd.DataFrame({"const": 1.0, "trend": k, "level_change": post, "slope_change": post * k})
    if dow:
        d = pd.get_dummies(s["date"].dt.day_of_week, prefix="dow", drop_first=True, dtype=float)
        X = pd.concat([X, d.set_axis(X.index)], axis=1)
    L = newey_west_lags(len(y)) if lags is None else lags
    res = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True})
    cf = X.copy()
    cf[["level_change", "slope_change"]] = 0.0
    frame = pd.DataFrame(
        {
            "date": s["date"].to_numpy(),
            "y": y,
            "post": post,
            "fitted": res.fittedvalues.to_numpy(),
            "counterfactual": res.predict(cf).to_numpy(),
        }
    )
    return ITSResult(
        model="ITS",
        coefs=tidy_from_statsmodels(res),
        n_obs=int(res.nobs),
        vcov=f"HAC (Newey-West, {L} lags)",
        fitted=res,
        cov=cov_frame(res.model.exog_names, res.cov_params()),
        df_resid=float(res.df_resid),
        extra={
            "incident": str(t0.date()),
            "outcome": outcome,
            "account": account or "",
            "R2": float(res.rsquared),
        },
        series=frame,
    )
