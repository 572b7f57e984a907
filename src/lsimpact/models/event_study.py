"""Event studies and difference-in-differences across accounts (two-way fixed effects).

The model for account ``i`` of group ``g`` on date ``t`` (incident on ``t0``)::

    y[i, t] = alpha[i] + lambda[t] + sum_g sum_{k != -1} beta[g, k] * 1[i in g, t - t0 = k] + e

with ``y`` the log follower count (so ``beta`` are log points relative to the day before
the incident and to the control accounts). Fixed effects are absorbed by alternating
projections (:func:`demean`, vectorised with ``np.bincount``), never by dummies, so 50,000
accounts cost memory proportional to the number of rows times the number of event-time
regressors only. Standard errors are clustered by account (CRV1) with the small-sample
factor of fixest/pyfixest (``G/(G-1) * (N-1)/(N-K)``, fixed effects nested in the cluster
not counted in ``K``) and t(G-1) intervals; the estimates equal OLS with explicit dummies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from .results import Result, tidy_frame

__all__ = [
    "EventStudyResult",
    "TwfeFit",
    "compare_groups",
    "demean",
    "did",
    "event_study",
    "prepare_panel",
    "twfe",
]


def demean(
    x: np.ndarray,
    codes: Sequence[np.ndarray],
    *,
    tol: float = 1e-13,
    maxiter: int = 10_000,
    copy: bool = True,
) -> np.ndarray:
    """Residuals of ``x`` (n or n x k) on several sets of fixed effects.

    Alternating projections (Gaure 2013, as in lfe/fixest): subtract group means for each
    factor in turn until the largest change is below ``tol`` times the scale
    of ``x``. One pass is exact for a balanced two-way panel.

    Parameters
    ----------
    x
        Array to demean (a copy is returned).
    codes
        One integer code array (0..G-1, length n) per fixed effect.
    copy
        False demeans a float64 ``x`` in place (saves one copy of a large design).
    """
    out = np.array(x, dtype=float, copy=copy)
    one_d = out.ndim == 1
    if one_d:
        out = out[:, None]
    if not out.flags.f_contiguous:  # columns contiguous: each pass reads one column
        out = np.asfortranarray(out)
    counts = [np.bincount(c).astype(float) for c in codes]
    scale = max(float(np.abs(out).max(initial=0.0)), 1.0)
    active = list(range(out.shape[1]))
    for _ in range(maxiter):
        still = []
        for j in active:  # per column: bincount is vectorised over rows
            change = 0.0
            col = out[:, j]
            for c, cnt in zip(codes, counts, strict=True):
                means = np.bincount(c, weights=col, minlength=len(cnt)) / cnt
                col -= means[c]
                change = max(change, float(np.abs(means).max(initial=0.0)))
            if change > tol * scale:  # columns converge at different speeds
                still.append(j)
        active = still
        if not active:
            break
    else:  # pragma: no cover - pathological designs only
        raise RuntimeError("fixed-effect demeaning did not converge")
    return out[:, 0] if one_d else out


@dataclass
class TwfeFit:
    """Coefficients, clustered covariance and sizes of a two-way FE regression."""

    names: list[str]
    coef: np.ndarray
    vcov: np.ndarray
    n_obs: int
    n_clusters: int
    df_resid: int
    resid: np.ndarray

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """Broom table with t(G-1) inference."""
        return tidy_frame(
            self.names,
            self.coef,
            np.sqrt(np.diag(self.vcov)),
            df_resid=self.n_clusters - 1,
            alpha=alpha,
        )

    def lincom(self, weights: np.ndarray) -> tuple[float, float]:
        """Estimate and standard error of ``weights @ coef``."""
        w = np.asarray(weights, dtype=float)
        return float(w @ self.coef), float(np.sqrt(w @ self.vcov @ w))

    def wald(self, idx: Sequence[int]) -> dict[str, float]:
        """Joint test that the coefficients ``idx`` are zero: F(q, G-1) with clustered V."""
        b = self.coef[list(idx)]
        v = self.vcov[np.ix_(list(idx), list(idx))]
        q = len(b)
        f = float(b @ np.linalg.solve(v, b)) / q
        return {
            "F": f,
            "df_num": q,
            "df_den": self.n_clusters - 1,
            "p_value": float(stats.f.sf(f, q, self.n_clusters - 1)),
        }


def twfe(
    y: np.ndarray,
    X: np.ndarray,
    unit: np.ndarray,
    time: np.ndarray,
    names: Sequence[str],
) -> TwfeFit:
    """OLS of ``y`` on ``X`` with unit and time fixed effects, clustered by unit.

    Parameters
    ----------
    y, X
        Outcome (n) and regressors (n x k), without constant or dummies.
    unit, time
        Integer codes 0..G-1 and 0..T-1 (the clusters are the units). ``X`` (float64) is
        demeaned in place and so overwritten.
    names
        Regressor names.
    """
    n, k = X.shape
    # Demean the design in place: for 10M rows it is the one big array.
    Xd = demean(np.asarray(X, dtype=float), [unit, time], copy=False)
    yd = demean(y, [unit, time])
    xtx = Xd.T @ Xd
    coef = np.linalg.solve(xtx, Xd.T @ yd)
    resid = yd - Xd @ coef
    bread = np.linalg.inv(xtx)
    g = int(unit.max()) + 1
    scores = np.empty((g, k))
    for j in range(k):
        scores[:, j] = np.bincount(unit, weights=Xd[:, j] * resid, minlength=g)
    meat = scores.T @ scores
    n_time = len(np.unique(time))
    # fixest/pyfixest "nested" rule: unit FE are nested in the unit clusters and not
    # counted; the time FE and the absorbed intercept count T.
    k_all = k + n_time
    factor = g / (g - 1) * (n - 1) / (n - k_all)
    vcov = factor * bread @ meat @ bread
    return TwfeFit(list(names), coef, vcov, n, g, n - k_all - g, resid)


# --- panel preparation ---------------------------------------------------------------------
def prepare_panel(
    panel: pd.DataFrame,
    incident: str | pd.Timestamp,
    *,
    pre: int,
    post: int,
    outcome: str = "log",
    exclude_imputed: bool = True,
    group_col: str = "group",
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Estimation sample: the window ``[t0-pre, t0+post]``, valid values, outcome ``y``.

    Accounts without any observation before the incident (a newly launched account) are
    dropped: without a pre-period their fixed effect would absorb the whole effect.
    """
    need = {"account_id", "date", "followers", group_col}
    miss = need - set(panel.columns)
    if miss:
        raise InputError(
            f"the panel lacks column(s) {', '.join(sorted(miss))}",
            expected="a followers_daily table (lsimpact.load('followers_daily'))",
        )
    t0 = pd.Timestamp(incident)
    d = panel.loc[:, [c for c in panel.columns if c in need | {"platform", "imputed"}]]
    rel = (d["date"] - t0).dt.days
    keep = rel.between(-pre, post) & (d["followers"] > 0)
    if exclude_imputed and "imputed" in d.columns:
        keep &= ~d["imputed"]
    d = d.loc[keep].assign(rel_day=rel[keep])
    acc = d["account_id"] if "platform" not in d.columns else d["platform"] + ":" + d["account_id"]
    d = d.assign(unit=acc)
    has_pre = d.loc[d["rel_day"] < 0, "unit"].unique()
    dropped = sorted(set(d["unit"]) - set(has_pre))
    d = d.loc[d["unit"].isin(has_pre)]
    if outcome == "log":
        d = d.assign(y=np.log(d["followers"].to_numpy(dtype=float)))
    elif outcome == "level":
        d = d.assign(y=d["followers"].to_numpy(dtype=float))
    else:
        raise InputError(f"unknown outcome {outcome!r}", expected="'log' or 'level'")
    return d.reset_index(drop=True), {"dropped_no_pre_period": dropped}


def _codes(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return (
        pd.factorize(d["unit"], sort=True)[0].astype(np.int64),
        pd.factorize(d["date"], sort=True)[0].astype(np.int64),
    )


# --- event study ---------------------------------------------------------------------------
@dataclass
class EventStudyResult(Result):
    """Event-study coefficients by group and relative day, with a ``plot``."""

    twfe: TwfeFit | None = None

    def plot(self, ax: Any = None, *, groups: Sequence[str] | None = None) -> Any:
        """Coefficient plot: estimate and 95% interval per relative day and group."""
        import matplotlib.pyplot as plt

        from ..plots import PALETTE

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        c = self.coefs
        for i, g in enumerate(groups or list(dict.fromkeys(c["group"]))):
            s = c[c["group"] == g]
            off = (i - 0.5) * 0.25
            ax.errorbar(
                s["rel_day"] + off,
                100 * s["estimate"],
                yerr=100 * (s["conf_high"] - s["estimate"]),
                fmt="o",
                ms=3,
                lw=0.8,
                color=PALETTE[i],
                label=g,
            )
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(-0.5, color="grey", ls="--", lw=0.8)
        ax.set_xlabel("days since the incident")
        ax.set_ylabel("effect on followers (log points x 100, ~ %)")
        ax.legend(title="accounts vs controls")
        return ax


def _event_design(
    d: pd.DataFrame, groups: Sequence[str], pre: int, post: int, ref: int, group_col: str
) -> tuple[np.ndarray, list[str], pd.DataFrame]:
    days = [k for k in range(-pre, post + 1) if k != ref]
    names, meta = [], []
    rel = d["rel_day"].to_numpy()
    grp = d[group_col].to_numpy()
    X = np.zeros((len(d), len(groups) * len(days)), order="F")
    j = 0
    for g in groups:
        in_g = grp == g
        for k in days:
            X[:, j] = in_g & (rel == k)
            names.append(f"{g}:{k}")
            meta.append((g, k))
            j += 1
    return X, names, pd.DataFrame(meta, columns=["group", "rel_day"])


def event_study(
    panel: pd.DataFrame,
    incident: str | pd.Timestamp,
    *,
    groups: Sequence[str] = ("brand", "host"),
    control: str = "control",
    pre: int = 21,
    post: int = 28,
    ref: int = -1,
    outcome: str = "log",
    exclude_imputed: bool = True,
    group_col: str = "group",
) -> EventStudyResult:
    """Event study of follower counts around ``incident`` with account and date FE.

    Parameters
    ----------
    panel
        Daily panel (``followers_daily``): account_id, date, followers, group.
    incident
        Day 0.
    groups
        Treated groups, each with its own relative-day coefficients.
    control
        The comparison group; accounts in neither are left out.
    pre, post, ref
        Window ``[-pre, post]`` in days and the reference day (default -1).
    outcome
        ``"log"`` (log followers; coefficients in log points) or ``"level"``.

    Returns
    -------
    EventStudyResult
        ``coefs`` has the tidy columns plus ``group`` and ``rel_day``; ``extra`` holds
        the joint pre-trend test per group (F, p) and the number of clusters.
    """
    d, info = prepare_panel(
        panel,
        incident,
        pre=pre,
        post=post,
        outcome=outcome,
        exclude_imputed=exclude_imputed,
        group_col=group_col,
    )
    d = d.loc[d[group_col].isin([*groups, control])].reset_index(drop=True)
    for g in (*groups, control):
        if not (d[group_col] == g).any():
            raise InputError(
                f"no accounts of group '{g}' in the estimation window",
                column=group_col,
                expected=f"groups {list(groups)} and '{control}'",
            )
    unit, time = _codes(d)
    X, names, meta = _event_design(d, groups, pre, post, ref, group_col)
    fit = twfe(d["y"].to_numpy(), X, unit, time, names)
    del X
    coefs = pd.concat([fit.tidy(), meta], axis=1)
    extra: dict[str, Any] = {"clusters (accounts)": fit.n_clusters}
    for g in groups:
        idx = np.flatnonzero((meta["group"] == g) & (meta["rel_day"] < 0))
        w = fit.wald(idx)
        extra[f"pre-trend joint F ({g})"] = w["F"]
        extra[f"pre-trend joint p ({g})"] = w["p_value"]
        # With few treated accounts the clustered covariance of many leads is nearly
        # singular and the joint F over-rejects; the 1-df test of a linear pre-trend
        # (slope of the leads, reference day at 0) keeps its size.
        k = np.r_[meta.loc[idx, "rel_day"].to_numpy(dtype=float), ref]
        wts = np.zeros(len(names))
        wts[idx] = (k[:-1] - k.mean()) / ((k - k.mean()) ** 2).sum()
        est, se = fit.lincom(wts)
        extra[f"pre-trend slope p ({g})"] = float(2 * stats.t.sf(abs(est / se), fit.n_clusters - 1))
    extra["dropped (no pre-period)"] = ", ".join(info["dropped_no_pre_period"]) or "none"
    return EventStudyResult(
        model="TWFE event study",
        coefs=coefs,
        n_obs=fit.n_obs,
        vcov="cluster: account (CRV1)",
        fitted=fit,
        extra=extra,
        twfe=fit,
    )


def did(
    panel: pd.DataFrame,
    incident: str | pd.Timestamp,
    *,
    groups: Sequence[str] = ("brand", "host"),
    control: str = "control",
    pre: int = 21,
    post: int = 28,
    slope: bool = False,
    outcome: str = "log",
    exclude_imputed: bool = True,
    group_col: str = "group",
) -> Result:
    """Difference-in-differences summary with account and date FE, clustered by account.

    With ``slope=False`` one term per group: the average effect over days ``0..post``
    (``post_i,t * 1[i in g]``). With ``slope=True`` two terms per group: ``level`` (the
    jump on day 0) and ``slope`` (change in daily growth after the incident,
    ``post * k``), the panel analogue of the interrupted time series. A term
    ``host - brand`` (first two groups) compares them within the same fit.
    """
    d, info = prepare_panel(
        panel,
        incident,
        pre=pre,
        post=post,
        outcome=outcome,
        exclude_imputed=exclude_imputed,
        group_col=group_col,
    )
    d = d.loc[d[group_col].isin([*groups, control])].reset_index(drop=True)
    unit, time = _codes(d)
    rel = d["rel_day"].to_numpy()
    postd = (rel >= 0).astype(float)
    cols, names = [], []
    for g in groups:
        in_g = (d[group_col] == g).to_numpy()
        if slope:
            cols += [in_g * postd, in_g * postd * rel]
            names += [f"{g}: level", f"{g}: slope"]
        else:
            cols.append(in_g * postd)
            names.append(g)
    fit = twfe(d["y"].to_numpy(), np.asfortranarray(np.column_stack(cols)), unit, time, names)
    tidy = fit.tidy()
    if len(groups) >= 2:
        step = 2 if slope else 1
        rows = []
        for j, lab in enumerate(["level", "slope"] if slope else [""]):
            w = np.zeros(len(names))
            w[step + j], w[j] = 1.0, -1.0
            est, se = fit.lincom(w)
            term = f"{groups[1]} - {groups[0]}" + (f": {lab}" if lab else "")
            rows.append(tidy_frame([term], [est], [se], df_resid=fit.n_clusters - 1))
        tidy = pd.concat([tidy, *rows], ignore_index=True)
    return Result(
        model="TWFE difference-in-differences" + (" (level and slope)" if slope else ""),
        coefs=tidy,
        n_obs=fit.n_obs,
        vcov="cluster: account (CRV1)",
        fitted=fit,
        extra={
            "clusters (accounts)": fit.n_clusters,
            "window": f"[-{pre}, {post}] days",
            "dropped (no pre-period)": ", ".join(info["dropped_no_pre_period"]) or "none",
        },
    )


def compare_groups(
    res: EventStudyResult,
    horizons: Sequence[int] = (0, 3, 7, 14, 28),
    *,
    groups: Sequence[str] = ("brand", "host"),
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Product versus host: cumulative follower change by day ``h`` relative to controls.

    For each horizon the tidy rows of ``groups[0]``, ``groups[1]`` and their difference
    ``groups[1] - groups[0]`` (log points since the day before the incident, 95% CI from
    the clustered covariance of the same fit); column ``horizon`` says the day.
    """
    fit = res.twfe
    if fit is None:
        raise InputError("compare_groups needs an event_study result")
    pos = {t: i for i, t in enumerate(fit.names)}
    out = []
    for h in horizons:
        a, b = f"{groups[0]}:{h}", f"{groups[1]}:{h}"
        if a not in pos or b not in pos:
            raise InputError(f"day {h} is outside the event window", expected=str(fit.names[:1]))
        for term, w in (
            (groups[0], {a: 1.0}),
            (groups[1], {b: 1.0}),
            (f"{groups[1]} - {groups[0]}", {b: 1.0, a: -1.0}),
        ):
            vec = np.zeros(len(fit.names))
            for t, v in w.items():
                vec[pos[t]] = v
            est, se = fit.lincom(vec)
            row = tidy_frame([term], [est], [se], df_resid=fit.n_clusters - 1, alpha=alpha)
            out.append(row.assign(horizon=h))
    return pd.concat(out, ignore_index=True)


def describe_comparison(cmp: pd.DataFrame, horizon: int) -> str:
    """One plain sentence on the product-versus-host comparison at ``horizon`` days."""
    s = cmp[cmp["horizon"] == horizon].set_index("term")
    terms = list(s.index)
    brand, host, diff = s.loc[terms[0]], s.loc[terms[1]], s.loc[terms[2]]

    def pct(r: pd.Series) -> str:
        return (
            f"{100 * r['estimate']:+.1f}% (95% CI {100 * r['conf_low']:+.1f}% to "
            f"{100 * r['conf_high']:+.1f}%)"
        )

    verdict = (
        "the audience followed the host"
        if diff["conf_low"] > 0
        else "the audience stayed with the brand"
        if diff["conf_high"] < 0
        else "the data cannot tell whether the audience followed the host or the brand"
    )
    return (
        f"By day {horizon} after the incident, relative to control accounts, {terms[0]} "
        f"accounts changed by {pct(brand)} and {terms[1]} accounts by {pct(host)} "
        f"(log points x 100); the gap {pct(diff)} says {verdict}."
    )
