"""Shares with exact or score intervals, their sensitivity to a definition, adoption curves.

* :func:`proportion_ci` - Wilson score or Clopper-Pearson intervals, vectorised (the same
  values as ``statsmodels.stats.proportion.proportion_confint``).
* :func:`shares` - share of units meeting a condition, overall and by group.
* :func:`sensitivity` - the headline share recomputed under several definitions.
* :func:`adoption_curve` - Kaplan-Meier estimate of the cumulative share adopted by date,
  with Greenwood standard errors and log-log intervals (as ``statsmodels``' ``SurvfuncRight``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from .results import Result

__all__ = [
    "AdoptionCurve",
    "Sensitivity",
    "Shares",
    "adoption_curve",
    "proportion_ci",
    "sensitivity",
    "shares",
]

_METHODS = ("wilson", "beta")


def proportion_ci(
    count: Any, nobs: Any, alpha: float = 0.05, method: str = "wilson"
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval of a binomial proportion (vectorised).

    Parameters
    ----------
    count, nobs
        Successes and trials (scalars or arrays of the same shape).
    alpha
        1 - confidence level.
    method
        ``"wilson"`` (score interval; good coverage near 0 and 1) or ``"beta"``
        (Clopper-Pearson, exact and conservative).

    Returns
    -------
    low, high
        Arrays of bounds (NaN where ``nobs == 0``).
    """
    if method not in _METHODS:
        raise InputError(f"unknown interval method {method!r}", expected=f"one of {_METHODS}")
    k = np.asarray(count, dtype=float)
    n = np.asarray(nobs, dtype=float)
    if np.any((k < 0) | (k > n)):
        raise InputError(
            "counts must be between 0 and the number of observations",
            expected="0 <= count <= nobs for every group",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wilson":
            z = stats.norm.isf(alpha / 2)
            p = k / n
            denom = 1 + z**2 / n
            center = (p + z**2 / (2 * n)) / denom
            half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
            low, high = center - half, center + half
        else:
            low = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
            high = np.where(k < n, stats.beta.isf(alpha / 2, k + 1, n - k), 1.0)
    bad = n <= 0
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def _share_coefs(t: pd.DataFrame, terms: Sequence[str], share: str = "share") -> pd.DataFrame:
    """Tidy rows of a share table: the estimate, its binomial standard error sqrt(p(1-p)/n)
    and the table's own (Wilson / Clopper-Pearson / log-log) interval. No test statistic:
    a share of a census has no null hypothesis to test."""
    p = t[share].to_numpy(dtype=float)
    se = t["std_error"] if "std_error" in t else np.sqrt(p * (1 - p) / t["n"].to_numpy(float))
    return pd.DataFrame(
        {
            "term": list(terms),
            "estimate": p,
            "std_error": np.asarray(se, dtype=float),
            "statistic": np.nan,
            "p_value": np.nan,
            "conf_low": t["conf_low"].to_numpy(dtype=float),
            "conf_high": t["conf_high"].to_numpy(dtype=float),
        }
    )


@dataclass
class Shares(Result):
    """A share table: ``group``, ``n``, ``count``, ``share``, ``conf_low``, ``conf_high``.

    ``tidy()`` gives one row per group (term = group) with the same intervals.
    """

    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    method: str = "wilson"
    definition: str = ""

    @classmethod
    def from_table(cls, t: pd.DataFrame, method: str, definition: str = "") -> Shares:
        """Build from a share table (the tidy rows are derived from it)."""
        return cls(
            model=f"share ({definition})" if definition else "share",
            coefs=_share_coefs(t, t["group"].astype(str)),
            n_obs=int(t["n"].iloc[0]) if len(t) else 0,
            vcov=f"{method} interval",
            table=t,
            method=method,
            definition=definition,
        )

    def plot(self, ax: Any = None, *, reference: float | None = None, title: str = "") -> Any:
        """Horizontal dot-and-whisker chart of the shares (percent) with intervals."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 0.45 * len(self.table) + 1.5))
        t = self.table.iloc[::-1]
        y = np.arange(len(t))
        is_all = (t["group"] == "All").to_numpy()
        ax.errorbar(
            100 * t["share"],
            y,
            xerr=[100 * (t["share"] - t["conf_low"]), 100 * (t["conf_high"] - t["share"])],
            fmt="none",
            ecolor="#555555",
            capsize=3,
        )
        ax.scatter(100 * t["share"][~is_all], y[~is_all], color="C0", zorder=3)
        ax.scatter(100 * t["share"][is_all], y[is_all], color="C3", marker="D", zorder=3)
        ax.set_yticks(y, [f"{g} (n={n})" for g, n in zip(t["group"], t["n"], strict=True)])
        if reference is not None:
            ax.axvline(100 * reference, color="C3", ls="--", lw=1)
        ax.set_xlabel(f"share transformed, % ({self.method.capitalize()} 95% CI)")
        ax.set_xlim(0, 100)
        if title:
            ax.set_title(title)
        return ax


def shares(
    df: pd.DataFrame,
    col: str = "transformed",
    *,
    by: str | None = None,
    labels: dict[Any, str] | None = None,
    alpha: float = 0.05,
    method: str = "wilson",
    definition: str = "",
) -> Shares:
    """Share of rows where boolean ``col`` is true, overall ("All") and by ``by``.

    Parameters
    ----------
    df
        One row per unit (e.g. ``lsimpact.load("occupation_video")``).
    col
        Boolean column.
    by
        Optional grouping column; groups are sorted by value.
    labels
        Optional display names of the groups.
    alpha, method
        Passed to :func:`proportion_ci`.
    definition
        What ``col`` means (e.g. the transformation rule), kept with the result.
    """
    if col not in df.columns:
        raise InputError(
            f"column '{col}' not found",
            column=col,
            expected=f"a boolean column among {list(df.columns)}",
        )
    x = df[col].astype(bool)
    parts = [pd.DataFrame({"group": ["All"], "n": [len(x)], "count": [int(x.sum())]})]
    if by is not None:
        g = x.groupby(df[by], sort=True)
        grp = pd.DataFrame({"n": g.size(), "count": g.sum().astype(int)}).reset_index()
        grp = grp.rename(columns={by: "group"})
        if labels:
            grp["group"] = grp["group"].map(lambda v: labels.get(v, str(v)))
        grp["group"] = grp["group"].astype(str)
        parts.append(grp)
    t = pd.concat(parts, ignore_index=True)
    t["share"] = t["count"] / t["n"]
    t["conf_low"], t["conf_high"] = proportion_ci(t["count"], t["n"], alpha, method)
    return Shares.from_table(t, method, definition)


@dataclass
class Sensitivity(Result):
    """The headline share under several definitions (one row per definition).

    ``tidy()`` terms read ``creators >= 10`` (measure and threshold).
    """

    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    method: str = "wilson"

    def plot(
        self,
        ax: Any = None,
        *,
        reference: float | None = None,
        title: str = "",
        truth: dict[float, float] | None = None,
    ) -> Any:
        """Share (%) against the threshold (log axis), with intervals and a reference line."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        t = self.table
        x = t["threshold"].to_numpy(dtype=float)
        ax.fill_between(
            x,
            100 * t["conf_low"],
            100 * t["conf_high"],
            color="C0",
            alpha=0.2,
            label=f"{self.method.capitalize()} 95% CI",
        )
        ax.plot(x, 100 * t["share"], "o-", color="C0", label="estimated share")
        if truth:
            tx = np.array(sorted(truth), dtype=float)
            ax.plot(tx, [100 * truth[k] for k in sorted(truth)], "k:", label="true expected share")
        if reference is not None:
            ax.axhline(
                100 * reference,
                color="C3",
                ls="--",
                lw=1,
                label=f"published lower bound ({100 * reference:.0f}%)",
            )
        from ..plots import plain_log_axis

        ax.set_xscale("log")
        ax.set_xticks(x)  # the thresholds themselves, written 1, 10, 1,000 (not 10^3)
        plain_log_axis(ax, "x")
        ax.set_xlabel(f"threshold: at least N {t['measure'].iloc[0]} in the period")
        ax.set_ylabel("share transformed, %")
        ax.set_ylim(0, 100)
        ax.legend(loc="lower left")
        if title:
            ax.set_title(title)
        return ax


def sensitivity(
    df: pd.DataFrame,
    thresholds: Sequence[float],
    measure: str = "creators",
    *,
    alpha: float = 0.05,
    method: str = "wilson",
) -> Sensitivity:
    """Share of units with ``measure >= N`` for each threshold ``N`` (vectorised).

    A missing count does not meet any threshold (as in ``TransformRule``).
    """
    if measure not in df.columns:
        raise InputError(
            f"column '{measure}' not found",
            column=measure,
            expected=f"a count column among {list(df.columns)}",
        )
    v = pd.to_numeric(df[measure], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    thr = np.asarray(sorted(thresholds), dtype=float)
    meets = np.nan_to_num(v, nan=-np.inf)[:, None] >= thr[None, :]
    count = meets.sum(axis=0)
    n = np.full(len(thr), len(v))
    low, high = proportion_ci(count, n, alpha, method)
    t = pd.DataFrame(
        {
            "measure": measure,
            "threshold": thr,
            "n": n,
            "count": count,
            "share": count / n,
            "conf_low": low,
            "conf_high": high,
        }
    )
    terms = [f"{measure} >= {x:g}" for x in thr]
    return Sensitivity(
        model=f"share by {measure} threshold",
        coefs=_share_coefs(t, terms),
        n_obs=len(v),
        vcov=f"{method} interval",
        table=t,
        method=method,
    )


@dataclass
class AdoptionCurve(Result):
    """Kaplan-Meier cumulative adoption: one row per group and event date.

    ``tidy()`` gives each group's share adopted by the end of observation (the last row
    of its curve), with the Greenwood standard error and log-log interval.
    """

    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    end: pd.Timestamp | None = None

    def plot(self, ax: Any = None, *, title: str = "", ci: bool = True) -> Any:
        """Step curves of the cumulative share adopted (%), one per group."""
        import matplotlib.pyplot as plt

        from ..plots import date_axis

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4.8))
        groups = [g for g in self.table["group"].unique() if g != "All"]
        # Distinct hues *and* line styles: neighbouring groups never look alike.
        # Okabe-Ito hues ordered so that neighbouring groups differ most (blue, orange,
        # green, reddish purple, sky blue, vermillion, yellow, grey).
        okabe_ito = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                     "#F0E442", "#7F7F7F"]  # fmt: skip
        colors = {g: okabe_ito[k % len(okabe_ito)] for k, g in enumerate(groups)}
        styles = ["-", "--", "-.", ":"]
        for g, t in self.table.groupby("group", sort=False):
            if g == "All":
                kw = {"lw": 2.4, "color": "black", "ls": "-"}
            else:
                k = groups.index(g)
                kw = {"lw": 1.4, "color": colors[g], "ls": styles[k % len(styles)]}
            ax.step(t["date"], 100 * t["adopted"], where="post", label=str(g), **kw)
            if ci and g == "All":
                ax.fill_between(
                    t["date"],
                    100 * t["conf_low"],
                    100 * t["conf_high"],
                    step="post",
                    color="grey",
                    alpha=0.25,
                )
        ax.set_ylabel("cumulative share first seen, %")
        ax.set_ylim(0, 100)
        date_axis(ax)
        ax.set_xlabel("date first seen on the platform")
        # Outside the axes: the legend never covers the curves.
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, title="major group")
        if title:
            ax.set_title(title)
        return ax


def _km(time: np.ndarray, event: np.ndarray, alpha: float) -> pd.DataFrame:
    """Product-limit estimate at each distinct event time (vectorised over times)."""
    order = np.argsort(time, kind="stable")
    time, event = time[order], event[order]
    uniq, first_idx = np.unique(time, return_index=True)
    n_risk = len(time) - first_idx  # units with time >= t
    d = np.add.reduceat(event.astype(float), first_idx) if len(time) else np.array([])
    keep = d > 0
    uniq, n_risk, d = uniq[keep], n_risk[keep], d[keep]
    surv = np.cumprod(1 - d / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        gw = np.cumsum(d / (n_risk * (n_risk - d)))  # Greenwood sum
        se = surv * np.sqrt(gw)
        # log(-log S) interval (statsmodels' default), mapped to the adopted share 1 - S.
        z = stats.norm.isf(alpha / 2)
        lls = np.log(-np.log(surv))
        half = z * np.sqrt(gw) / np.abs(np.log(surv))
        s_low = np.exp(-np.exp(lls + half))
        s_high = np.exp(-np.exp(lls - half))
    return pd.DataFrame(
        {
            "date": uniq,
            "n_at_risk": n_risk.astype(int),
            "events": d.astype(int),
            "survival": surv,
            "adopted": 1 - surv,
            "std_error": se,
            "conf_low": 1 - s_high,
            "conf_high": 1 - s_low,
        }
    )


def adoption_curve(
    df: pd.DataFrame,
    date_col: str = "first_seen",
    *,
    by: str | None = None,
    end: str | pd.Timestamp | None = None,
    censor_col: str | None = None,
    labels: dict[Any, str] | None = None,
    alpha: float = 0.05,
) -> AdoptionCurve:
    """Kaplan-Meier curve of the cumulative share of units adopted by each date.

    Parameters
    ----------
    df
        One row per unit; ``date_col`` is the adoption (first-seen) date, missing when
        the unit was never seen.
    by
        Optional grouping column (a curve per group plus "All").
    end
        End of observation: never-seen units are censored here, and adoptions after it
        are treated as not yet observed. Default: the latest date in ``date_col``.
    censor_col
        Optional per-unit end of observation (dates) when follow-up differs.

    Returns
    -------
    AdoptionCurve
        ``table`` with group, date, n_at_risk, events, survival, adopted (= 1 - S),
        std_error (Greenwood) and log-log ``conf_low``/``conf_high`` of ``adopted``.
    """
    dates = pd.to_datetime(df[date_col])
    end_ts = pd.Timestamp(end) if end is not None else dates.max()
    cens = pd.to_datetime(df[censor_col]) if censor_col else pd.Series(end_ts, index=df.index)
    cens = cens.fillna(end_ts).clip(upper=end_ts)
    event = (dates.notna() & (dates <= cens)).to_numpy()
    time = dates.where(pd.Series(event, index=df.index), cens).to_numpy(dtype="datetime64[ns]")
    groups: list[tuple[Any, np.ndarray]] = [("All", np.ones(len(df), dtype=bool))]
    if by is not None:
        for g in sorted(df[by].dropna().unique()):
            groups.append((labels.get(g, str(g)) if labels else g, (df[by] == g).to_numpy()))
    parts = []
    for g, mask in groups:  # a handful of groups; each KM is vectorised
        t = _km(time[mask], event[mask], alpha)
        t.insert(0, "group", str(g))
        parts.append(t)
    table = pd.concat(parts, ignore_index=True)
    last = table.groupby("group", sort=False).tail(1).rename(columns={"adopted": "share"})
    return AdoptionCurve(
        model="Kaplan-Meier cumulative adoption",
        coefs=_share_coefs(last, [f"{g}: adopted by {end_ts.date()}" for g in last["group"]]),
        n_obs=len(df),
        vcov="Greenwood standard errors, log-log interval",
        table=table,
        end=end_ts,
    )
