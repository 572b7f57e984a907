"""Synthetic control for one treated account, with placebo-in-space inference.

A single treated account (East Buy's main account, Dong Yuhui's personal account) is one
cluster: no clustered standard error means anything for it. The synthetic control
(Abadie, Diamond & Hainmueller 2010) builds its no-incident path as a convex combination
of donor accounts whose pre-period path it matches, and judges the post-period gap
against the same gap computed for every donor pretending to be treated ("placebo in
space"): the p-value is the rank of the treated account's post/pre RMSPE ratio among all
of them.

Design choices (say why):

* The outcome (log followers by default) is matched after subtracting each account's
  pre-period mean ("demeaned" synthetic control, Ferman & Pinto 2021): the largest accounts
  lie outside the donors' range of levels, and a convex combination could never reach
  them, while the question is about changes.
* The predictors are the pre-period outcomes themselves with equal weight (``V = I``),
  so the weights solve one quadratic programme over the simplex (no nested optimisation
  of ``V``, whose results are known to be fragile). ``tests/test_synthetic_control.py``
  checks the weights against ``pysyncon.Synth`` with ``custom_V`` = identity.
* Donors must be observed on every day of the window (the quadratic programme has no
  missing cells); the dropped donors are listed in the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from ..errors import InputError
from .results import Result

__all__ = ["SyntheticControlResult", "simplex_weights", "synthetic_control"]


def simplex_weights(y1: np.ndarray, y0: np.ndarray) -> np.ndarray:
    """Weights ``w >= 0``, ``sum(w) = 1`` minimising ``||y1 - y0 @ w||^2``.

    Lawson-Hanson non-negative least squares with the adding-up constraint as a heavily
    weighted extra row finds the support; the weights on it are then solved exactly
    (equality-constrained least squares, KKT system). A few milliseconds for a few hundred
    donors, where a general-purpose SLSQP takes seconds. Where the polished weights are not
    all positive (the nnls support is off), SLSQP from the nnls start finishes the job.

    Parameters
    ----------
    y1
        Treated unit's pre-period path (T0).
    y0
        Donors' pre-period paths (T0 x J).
    """
    y0 = np.asarray(y0, dtype=float)
    y1 = np.asarray(y1, dtype=float)
    j = y0.shape[1]
    scale = max(float(np.abs(y0).max(initial=0.0)), float(np.abs(y1).max(initial=0.0)), 1e-12)
    big = 1e4 * np.sqrt(len(y1))
    a = np.vstack([y0 / scale, np.full((1, j), big)])
    b = np.r_[y1 / scale, big]
    w0, _ = optimize.nnls(a, b, maxiter=50 * j)
    support = np.flatnonzero(w0 > 0)
    w = np.zeros(j)
    if len(support):
        xs = y0[:, support] / scale
        k = len(support)
        kkt = np.block([[2 * xs.T @ xs, np.ones((k, 1))], [np.ones((1, k)), np.zeros((1, 1))]])
        rhs = np.r_[2 * xs.T @ (y1 / scale), 1.0]
        sol = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:k]
        if np.all(sol >= -1e-12):
            w[support] = np.clip(sol, 0.0, None)
            return w / w.sum()
    gram, lin = y0.T @ y0, y0.T @ y1
    gs = max(float(np.abs(gram).max()), 1e-300)
    start = w0 / w0.sum() if w0.sum() > 0 else np.full(j, 1.0 / j)
    res = optimize.minimize(
        lambda w: float(w @ gram @ w - 2 * lin @ w) / gs,
        start,
        jac=lambda w: 2 * (gram @ w - lin) / gs,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * j,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0, "jac": lambda w: np.ones(j)}],
        options={"maxiter": 1000, "ftol": 1e-15},
    )
    w = np.clip(res.x, 0.0, None)
    return w / w.sum()


@dataclass
class SyntheticControlResult(Result):
    """Synthetic control of one account; ``paths`` holds treated, synthetic and gap by day.

    ``coefs`` (tidy columns) has the average post-period gap and the gaps on chosen
    days; ``p_value`` is the placebo-in-space rank p-value of the RMSPE ratio for the
    average, and of ``|gap|`` on each day; ``std_error``/``conf_*`` are NaN (a single
    account has no sampling distribution to draw an interval from).
    """

    paths: pd.DataFrame | None = None
    weights: pd.Series | None = None
    placebos: pd.DataFrame | None = field(default=None, repr=False)

    def plot(self, ax: Any = None, *, title: str | None = None) -> Any:
        """Gap (treated minus synthetic) of the account, with the placebo gaps in grey."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        if self.placebos is not None:
            for i, (_, s) in enumerate(self.placebos.groupby("account", sort=True)):
                label = "placebo: each donor vs the others" if i == 0 else None
                ax.plot(s["rel_day"], s["gap"], color="grey", lw=0.5, alpha=0.35, label=label)
        p = self.paths
        ax.plot(p["rel_day"], p["gap"], color="black", lw=1.6, label=self.extra["account"])
        ax.axhline(0, color="black", lw=0.6)
        ax.axvline(-0.5, color="grey", ls="--", lw=0.8)
        ax.set_xlabel("days since the event date")
        unit = "followers" if self.extra.get("outcome") == "level" else "log points"
        ax.set_ylabel(f"treated minus synthetic ({unit})")
        ax.legend(fontsize=8)
        if title:
            ax.set_title(title)
        return ax


def _wide(
    panel: pd.DataFrame, accounts: Sequence[str], dates: pd.DatetimeIndex, outcome: str
) -> pd.DataFrame:
    d = panel[panel["account_id"].isin(list(accounts)) & panel["date"].isin(dates)]
    if "imputed" in d.columns:
        d = d[~d["imputed"]]
    d = d[d["followers"] > 0]
    y = np.log(d["followers"].astype(float)) if outcome == "log" else d["followers"].astype(float)
    return (
        d.assign(y=y.to_numpy())
        .pivot_table(index="date", columns="account_id", values="y", aggfunc="last")
        .reindex(index=dates)
    )


def _fit_one(y1: np.ndarray, y0: np.ndarray, n_pre: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights and gap path of one unit against donors (columns of ``y0``), demeaned."""
    m1, m0 = y1[:n_pre].mean(), y0[:n_pre].mean(axis=0)
    w = simplex_weights(y1[:n_pre] - m1, y0[:n_pre] - m0)
    gap = (y1 - m1) - (y0 - m0) @ w
    return w, gap


def _rmspe_ratio(gap: np.ndarray, n_pre: int) -> tuple[float, float, float]:
    pre = float(np.sqrt(np.mean(gap[:n_pre] ** 2)))
    post = float(np.sqrt(np.mean(gap[n_pre:] ** 2)))
    return pre, post, post / pre if pre > 0 else np.inf


def synthetic_control(
    panel: pd.DataFrame,
    account: str,
    incident: str | pd.Timestamp,
    *,
    donors: Sequence[str] | None = None,
    control: str = "control",
    pre: int = 28,
    post: int = 28,
    anticipation: int = 0,
    outcome: str = "log",
    horizons: Sequence[int] = (0, 7, 28),
    placebo: bool = True,
) -> SyntheticControlResult:
    """Synthetic control of ``account`` around ``incident`` with placebo-in-space inference.

    Parameters
    ----------
    panel
        Daily panel (``followers_daily``): account_id, date, followers, group.
    account
        The treated account.
    incident
        Day 0 of the treated account.
    donors
        Donor accounts (default: every account of group ``control``).
    pre, post
        Days matched before the event (``-pre .. -1 - anticipation``) and followed after
        (``0 .. post``).
    anticipation
        Days before day 0 left out of the matching (the fit ends before them; their gap
        is shown but in neither RMSPE).
    outcome
        ``"log"`` (log followers; gaps in log points) or ``"level"`` (followers).
    horizons
        Days whose gap is reported as a row of ``coefs``.
    placebo
        Run the placebo-in-space loop (each donor against the other donors).

    Returns
    -------
    SyntheticControlResult
        ``coefs`` rows ``average gap, days 0..post`` and ``gap on day h``; ``paths``;
        ``weights`` (donors with weight > 0.001); ``placebos`` (gap paths of every donor);
        ``extra`` with the pre/post RMSPE, their ratio, its placebo rank, and the donors
        dropped for missing days.
    """
    if outcome not in ("log", "level"):
        raise InputError(f"unknown outcome {outcome!r}", expected="'log' or 'level'")
    need = {"account_id", "date", "followers", "group"}
    miss = need - set(panel.columns)
    if miss:
        raise InputError(
            f"the panel lacks column(s) {', '.join(sorted(miss))}",
            expected="a followers_daily table (lsimpact.load('followers_daily'))",
        )
    if not (panel["account_id"] == account).any():
        raise InputError(f"account '{account}' is not in the panel", column="account_id")
    t0 = pd.Timestamp(incident)
    dates = pd.date_range(t0 - pd.Timedelta(days=pre), t0 + pd.Timedelta(days=post), freq="D")
    rel = np.asarray((dates - t0).days)
    if donors is None:
        donors = sorted(panel.loc[panel["group"] == control, "account_id"].unique())
    donors = [d for d in donors if d != account]
    wide = _wide(panel, [account, *donors], dates, outcome)
    if account not in wide.columns or wide[account].isna().any():
        missing = (
            list(dates.date)
            if account not in wide.columns
            else list(wide.index[wide[account].isna()].date)
        )
        raise InputError(
            f"account '{account}' has no value on {len(missing)} day(s) of the window",
            expected="an observation on every day from -pre to post",
            hint=f"first missing day {missing[0]}; shorten the window or fill the gap",
        )
    complete = [d for d in donors if d in wide.columns and wide[d].notna().all()]
    dropped = sorted(set(donors) - set(complete))
    if len(complete) < 2:
        raise InputError(
            "fewer than two donor accounts are observed on every day of the window",
            expected="at least two complete donors",
        )
    for h in horizons:
        if not (rel == h).any():
            raise InputError(f"day {h} is outside the window", expected=f"0..{post}")
    fit_rows = rel < -anticipation
    order = np.r_[np.flatnonzero(fit_rows), np.flatnonzero(~fit_rows)]
    n_pre = int(fit_rows.sum())
    y = wide[[account, *complete]].to_numpy()[order]
    w, gap_sorted = _fit_one(y[:, 0], y[:, 1:], n_pre)
    gap = np.empty_like(gap_sorted)
    gap[order] = gap_sorted
    post_rows = rel >= 0
    post_gap = gap[post_rows]
    pre_rmspe = float(np.sqrt(np.mean(gap[fit_rows] ** 2)))
    post_rmspe = float(np.sqrt(np.mean(post_gap**2)))
    ratio = post_rmspe / pre_rmspe if pre_rmspe > 0 else np.inf
    paths = pd.DataFrame(
        {
            "date": dates,
            "rel_day": rel,
            "treated": wide[account].to_numpy(),
            "synthetic": wide[account].to_numpy() - gap,
            "gap": gap,
            "fitted_period": fit_rows,
        }
    )
    placebos = None
    ratios = np.array([])
    p_days: dict[int, float] = {}
    if placebo:
        yc = wide[complete].to_numpy()[order]
        gaps = np.empty((len(dates), len(complete)))
        ratios = np.empty(len(complete))
        for i in range(len(complete)):  # one small QP per donor
            others = np.delete(yc, i, axis=1)
            _, gp = _fit_one(yc[:, i], others, n_pre)
            gaps[order, i] = gp
            pre_i = np.sqrt(np.mean(gp[:n_pre] ** 2))
            post_i = np.sqrt(np.mean(gaps[post_rows, i] ** 2))
            ratios[i] = post_i / pre_i if pre_i > 0 else np.inf
        placebos = pd.DataFrame(
            {
                "account": np.repeat(np.array(complete, dtype=object), len(dates)),
                "rel_day": np.tile(rel, len(complete)),
                "gap": gaps.T.ravel(),
            }
        )
        for h in horizons:
            k = int(np.flatnonzero(rel == h)[0])
            # rank p-value of |gap| on day h, each placebo scaled by its own pre-RMSPE
            pre_sd = np.sqrt(np.mean(gaps[fit_rows] ** 2, axis=0))
            z_pl = np.abs(gaps[k]) / pre_sd
            p_days[h] = float((1 + np.sum(z_pl >= abs(gap[k]) / pre_rmspe)) / (1 + len(complete)))
    p_avg = float((1 + np.sum(ratios >= ratio)) / (1 + len(ratios))) if placebo else np.nan
    rows = [("average gap, days 0.." + str(post), float(post_gap.mean()), p_avg)]
    for h in horizons:
        rows.append((f"gap on day {h}", float(gap[rel == h][0]), p_days.get(h, np.nan)))
    coefs = pd.DataFrame(
        {
            "term": [r[0] for r in rows],
            "estimate": [r[1] for r in rows],
            "std_error": np.nan,
            "statistic": np.nan,
            "p_value": [r[2] for r in rows],
            "conf_low": np.nan,
            "conf_high": np.nan,
        }
    )
    weights = pd.Series(w, index=complete, name="weight")
    weights = weights[weights > 1e-3].sort_values(ascending=False)
    extra: dict[str, Any] = {
        "account": account,
        "outcome": outcome,
        "event date": str(t0.date()),
        "matched days": f"-{pre}..{-1 - anticipation}",
        "donors": len(complete),
        "donors dropped (missing days)": len(dropped),
        "pre-period RMSPE": pre_rmspe,
        "post-period RMSPE": post_rmspe,
        "RMSPE ratio": ratio,
        "placebo rank of the ratio": (
            f"{int(np.sum(ratios >= ratio)) + 1} of {len(ratios) + 1}" if placebo else "not run"
        ),
        "placebo p-value (ratio)": p_avg,
        "donors with weight > 0.001": len(weights),
    }
    if placebo:
        # Placebo donors that the others cannot match (pre-RMSPE over 5x the treated one)
        # say nothing about the treated account's gap (Abadie et al. 2010, fig. 5-7).
        extra["placebo donors with pre-RMSPE <= 5x treated"] = int(
            np.sum(np.sqrt(np.mean(gaps[fit_rows] ** 2, axis=0)) <= 5 * pre_rmspe)
        )
    return SyntheticControlResult(
        model="synthetic control (demeaned, V = I)",
        coefs=coefs,
        n_obs=len(dates),
        vcov="placebo in space (rank of RMSPE ratio / of |gap| scaled by pre-RMSPE)",
        fitted=None,
        extra=extra,
        paths=paths,
        weights=weights,
        placebos=placebos,
    )
