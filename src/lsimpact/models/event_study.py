"""Event studies and difference-in-differences across accounts (two-way fixed effects).

The model for account ``i`` of group ``g`` on date ``t`` (incident on ``t0``)::

    y[i, t] = alpha[i] + lambda[t] + sum_g sum_{k != -1} beta[g, k] * 1[i in g, t - t0 = k] + e

with ``y`` the log follower count (so ``beta`` are log points relative to the day before
the incident and to the control accounts). Fixed effects are absorbed by alternating
projections (:func:`lsimpact.models.twfe.demean`, vectorised with ``np.bincount``), never by dummies, so 50,000
accounts cost memory proportional to the number of rows times the number of event-time
regressors only. Standard errors are clustered by account (CRV1) with the small-sample
factor of fixest/pyfixest (``G/(G-1) * (N-1)/(N-K)``, fixed effects nested in the cluster
not counted in ``K``) and t(G-1) intervals; the estimates equal OLS with explicit dummies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from .results import Result, cov_frame, tidy_frame
from .twfe import TwfeFit, twfe

__all__ = [
    "EventStudyResult",
    "compare_groups",
    "did",
    "event_dates",
    "event_study",
    "log_points_to_percent",
    "pre_period_trends",
    "prepare_panel",
]


# --- panel preparation ---------------------------------------------------------------------
#: An event date for every treated group, or one date for all.
Incident = str | pd.Timestamp | Mapping[str, Any]


def event_dates(incident: Incident, groups: Sequence[str]) -> dict[str, pd.Timestamp]:
    """Day 0 of each treated group: one date for all, or a mapping group -> date.

    Group-specific dates let each group be dated from its own evidence (e.g. a host whose
    account gained from the first post, a brand whose losses began days later); the
    control accounts are never treated and need no date.
    """
    if isinstance(incident, Mapping):
        miss = [g for g in groups if g not in incident]
        if miss:
            raise InputError(
                f"no event date for group(s) {', '.join(miss)}",
                expected=f"a date for every treated group {list(groups)}",
            )
        return {g: pd.Timestamp(incident[g]) for g in groups}
    return dict.fromkeys(groups, pd.Timestamp(incident))


def describe_dates(dates: Mapping[str, pd.Timestamp]) -> str:
    """``"2023-12-14"`` or ``"brand 2023-12-10, host 2023-12-05"``."""
    days = {str(t.date()) for t in dates.values()}
    if len(days) == 1:
        return days.pop()
    return ", ".join(f"{g} {t.date()}" for g, t in dates.items())


def prepare_panel(
    panel: pd.DataFrame,
    incident: Incident,
    *,
    pre: int,
    post: int,
    outcome: str = "log",
    exclude_imputed: bool = True,
    group_col: str = "group",
    anticipation: int = 0,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Estimation sample: the window ``[t0-pre, t0+post]``, valid values, outcome ``y``.

    ``incident`` is one date or a mapping group -> date (see :func:`event_dates`);
    ``rel_day`` is counted from the row's own group date (for accounts of groups without
    a date, such as the controls, from the earliest date), and the controls are kept over
    the union of the treated groups' windows. Accounts without an observation before the
    anticipation window (a newly launched account) are dropped: without a reference
    period their fixed effect would absorb the whole effect.
    """
    need = {"account_id", "date", "followers", group_col}
    miss = need - set(panel.columns)
    if miss:
        raise InputError(
            f"the panel lacks column(s) {', '.join(sorted(miss))}",
            expected="a followers_daily table (lsimpact.load('followers_daily'))",
        )
    if anticipation < 0 or anticipation >= pre:
        raise InputError(
            f"anticipation={anticipation} days does not fit a window of {pre} pre-days",
            expected="0 <= anticipation < pre",
        )
    d = panel.loc[:, [c for c in panel.columns if c in need | {"platform", "imputed"}]]
    if isinstance(incident, Mapping):
        dates = {str(g): pd.Timestamp(t) for g, t in incident.items()}
    else:
        dates = {}
    first = min(dates.values()) if dates else pd.Timestamp(incident)
    last = max(dates.values()) if dates else pd.Timestamp(incident)
    t0 = d[group_col].map(dates).fillna(first) if dates else pd.Series(first, index=d.index)
    rel = (d["date"] - pd.to_datetime(t0)).dt.days
    dated = d[group_col].isin(list(dates)) if dates else pd.Series(True, index=d.index)
    in_window = np.where(
        dated,
        rel.between(-pre, post),
        (d["date"] >= first - pd.Timedelta(days=pre))
        & (d["date"] <= last + pd.Timedelta(days=post)),
    )
    keep = pd.Series(in_window, index=d.index) & (d["followers"] > 0)
    if exclude_imputed and "imputed" in d.columns:
        keep &= ~d["imputed"]
    d = d.loc[keep].assign(rel_day=rel[keep])
    acc = d["account_id"] if "platform" not in d.columns else d["platform"] + ":" + d["account_id"]
    d = d.assign(unit=acc)
    has_pre = d.loc[d["rel_day"] < -anticipation, "unit"].unique()
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


def pre_period_trends(
    y: np.ndarray,
    unit: np.ndarray,
    time: np.ndarray,
    day: np.ndarray,
    pre: np.ndarray,
    *,
    tol: float = 1e-12,
    maxiter: int = 5_000,
) -> np.ndarray:
    """Account-specific linear trends fitted on the pre-period rows only.

    Fits ``y = a[i] + g[i] * day + lambda[date] + e`` on the rows where ``pre`` is true
    (alternating projections: date effects, then one OLS line per account, vectorised
    with ``np.bincount``) and returns ``g`` per unit code. Only differences between the
    ``g`` are identified (a common trend is a date effect), which is all that removing
    ``g[i] * day`` before a regression with date effects needs. Fitting on the pre-period
    only keeps the treatment's own slope out of the trend (Borusyak, Jaravel & Spiess 2024;
    the "estimated on the pre-period" detrending of Goodman-Bacon 2021).
    """
    u, tc, yy = unit[pre], time[pre], np.asarray(y, dtype=float)[pre]
    t = np.asarray(day, dtype=float)[pre]
    g, n_t = int(unit.max()) + 1, int(time.max()) + 1
    n_i = np.bincount(u, minlength=g).astype(float)
    n_d = np.bincount(tc, minlength=n_t).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        tbar = np.bincount(u, weights=t, minlength=g) / n_i
        tcen = t - tbar[u]
        sxx = np.bincount(u, weights=tcen * tcen, minlength=g)
        lam = np.zeros(n_t)
        scale = max(float(np.abs(yy).max(initial=0.0)), 1.0)
        for _ in range(maxiter):
            r = yy - lam[tc]
            slope = np.where(sxx > 0, np.bincount(u, weights=tcen * r, minlength=g) / sxx, 0.0)
            mean = np.bincount(u, weights=r, minlength=g) / n_i
            new = np.bincount(tc, weights=yy - mean[u] - slope[u] * tcen, minlength=n_t)
            new = np.where(n_d > 0, new / n_d, 0.0)
            change = float(np.abs(new - lam).max(initial=0.0))
            lam = new
            if change < tol * scale:
                break
    return np.nan_to_num(slope)


def _group_sample(
    panel: pd.DataFrame,
    incident: Incident,
    groups: Sequence[str],
    control: str,
    *,
    group_col: str,
    trends: bool = False,
    **window: Any,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``prepare_panel`` restricted to the treated groups and the control group.

    Every named group must have accounts in the window: an estimate against an empty
    group would be silently meaningless. With ``trends=True`` the outcome is detrended by
    account-specific linear trends fitted on the reference period (before the
    anticipation window); accounts with fewer than two reference days are dropped.
    """
    dates = event_dates(incident, groups)
    d, info = prepare_panel(panel, dates, group_col=group_col, **window)
    d = d.loc[d[group_col].isin([*groups, control])].reset_index(drop=True)
    for g in (*groups, control):
        if not (d[group_col] == g).any():
            raise InputError(
                f"no accounts of group '{g}' in the estimation window",
                column=group_col,
                expected=f"groups {list(groups)} and '{control}'",
            )
    info["dates"] = dates
    if trends:
        ref = (d["rel_day"] < -window.get("anticipation", 0)).to_numpy()
        n_ref = d.loc[ref].groupby("unit")["date"].nunique()
        thin = sorted(set(d["unit"]) - set(n_ref[n_ref >= 2].index))
        if thin:
            d = d.loc[~d["unit"].isin(thin)].reset_index(drop=True)
            ref = (d["rel_day"] < -window.get("anticipation", 0)).to_numpy()
            info["dropped_no_pre_period"] = sorted([*info["dropped_no_pre_period"], *thin])
        unit, time = _codes(d)
        day = (d["date"] - d["date"].min()).dt.days.to_numpy(dtype=float)
        slope = pre_period_trends(d["y"].to_numpy(), unit, time, day, ref)
        d = d.assign(y=d["y"].to_numpy() - slope[unit] * day)
        info["trend_per_day"] = pd.Series(slope, index=pd.factorize(d["unit"], sort=True)[1])
        by_group = pd.Series(slope[unit]).groupby(d[group_col].to_numpy()).mean()
        info["trend_gap"] = {
            g: float(by_group.get(g, np.nan) - by_group.get(control, np.nan)) for g in groups
        }
    return d, info


def _trend_words(info: dict[str, Any]) -> dict[str, Any]:
    """Mean pre-period trend of each group minus the controls' (log points a day)."""
    return {
        f"pre-period trend minus control ({g}, per day)": v
        for g, v in info.get("trend_gap", {}).items()
    }


def _window_words(pre: int, post: int, anticipation: int, dates: Mapping[str, Any]) -> str:
    out = f"[-{pre}, {post}] days around {describe_dates(dates)}"
    if anticipation:
        out += f"; days -{anticipation}..-1 are an anticipation window (own terms, not reference)"
    return out


# --- event study ---------------------------------------------------------------------------
@dataclass
class EventStudyResult(Result):
    """Event-study coefficients by group and relative day, with a ``plot``.

    ``coefs`` has the tidy columns (pointwise CRV1 t(G-1) intervals), ``group``,
    ``rel_day`` and, when bands were computed, ``band_low``/``band_high``: the
    simultaneous (sup-t) band of each group's whole path.
    """

    twfe: TwfeFit | None = None

    def plot(self, ax: Any = None, *, groups: Sequence[str] | None = None) -> Any:
        """Coefficient plot: estimates, pointwise 95% intervals and the sup-t band."""
        import matplotlib.pyplot as plt

        from ..plots import PALETTE

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        c = self.coefs
        for i, g in enumerate(groups or list(dict.fromkeys(c["group"]))):
            s = c[c["group"] == g].sort_values("rel_day")
            off = (i - 0.5) * 0.25
            if "band_low" in s.columns:
                ax.fill_between(
                    s["rel_day"] + off,
                    s["band_low"],
                    s["band_high"],
                    color=PALETTE[i],
                    alpha=0.15,
                    lw=0,
                    step="mid",
                )
            ax.errorbar(
                s["rel_day"] + off,
                s["estimate"],
                yerr=[s["estimate"] - s["conf_low"], s["conf_high"] - s["estimate"]],
                fmt="o",
                ms=3,
                lw=0.8,
                color=PALETTE[i],
                label=g,
            )
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(-0.5, color="grey", ls="--", lw=0.8)
        ant = int(self.extra.get("anticipation days", 0) or 0)
        if ant:
            ax.axvspan(-ant - 0.5, -0.5, color="grey", alpha=0.1)
        ax.set_xlabel("days since the event date")
        unit = "followers" if self.extra.get("outcome") == "level" else "log points"
        ax.set_ylabel(f"effect on followers ({unit})")
        ax.legend(title="accounts vs controls")
        return ax


def _event_design(
    d: pd.DataFrame,
    groups: Sequence[str],
    pre: int,
    post: int,
    ref: int,
    group_col: str,
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


def _supt_critical(
    fit: TwfeFit,
    idx: Sequence[int],
    *,
    alpha: float,
    method: str,
    n_boot: int,
    weights: str,
    seed: int | None,
    treated_clusters: int,
) -> tuple[float, str]:
    """Critical value of a simultaneous (sup-t) band over the coefficients ``idx``.

    ``"wild_bootstrap"``: the 1-alpha quantile of ``max_j |t*_j|`` over unrestricted wild
    cluster bootstrap samples (each t* with its own bootstrap CRV1 s.e.), which carries
    the few-treated-clusters thickness of the tails into the band. ``"gaussian"``: the
    plug-in sup-t of Montiel Olea & Plagborg-Moller (2019), max |Z| with Z ~ N(0, corr(V)),
    for designs too big for the bootstrap's ``G x k x k`` array.
    """
    idx = list(idx)
    if method == "wild_bootstrap":
        t, kind = fit.wild_bootstrap_t(
            idx, n_boot=n_boot, weights=weights, seed=seed, treated_clusters=treated_clusters
        )
        crit = float(np.quantile(np.nanmax(np.abs(t), axis=0), 1 - alpha))
        return crit, f"sup-t, wild cluster bootstrap (WCU, {kind} weights, {t.shape[1]} draws)"
    v = fit.vcov[np.ix_(idx, idx)]
    sd = np.sqrt(np.diag(v))
    corr = v / np.outer(sd, sd)
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal(np.zeros(len(idx)), corr, size=max(n_boot, 9_999), method="eigh")
    crit = float(np.quantile(np.abs(z).max(axis=1), 1 - alpha))
    return crit, "sup-t, Gaussian plug-in (Montiel Olea & Plagborg-Moller 2019)"


def event_study(
    panel: pd.DataFrame,
    incident: Incident,
    *,
    groups: Sequence[str] = ("brand", "host"),
    control: str = "control",
    pre: int = 21,
    post: int = 28,
    ref: int | None = None,
    anticipation: int = 0,
    outcome: str = "log",
    trends: bool = False,
    exclude_imputed: bool = True,
    group_col: str = "group",
    pretrend_test: str = "wild_bootstrap",
    bands: str = "auto",
    alpha: float = 0.05,
    n_boot: int = 999,
    boot_weights: str = "auto",
    seed: int | None = 0,
) -> EventStudyResult:
    """Event study of follower counts around ``incident`` with account and date FE.

    Parameters
    ----------
    panel
        Daily panel (``followers_daily``): account_id, date, followers, group.
    incident
        Day 0: one date, or a mapping group -> date (group-specific event dates).
    groups
        Treated groups, each with its own relative-day coefficients.
    control
        The comparison group; accounts in neither are left out.
    pre, post
        Window ``[-pre, post]`` in days around each group's date.
    ref
        Reference day (default ``-1 - anticipation``: the last day before the
        anticipation window).
    anticipation
        Days before day 0 that may already be treated (news travels before the dated
        event). They get their own coefficients, are left out of the reference period and
        of the pre-trend tests.
    outcome
        ``"log"`` (log followers; coefficients in log points, equal weight per account)
        or ``"level"`` (followers; big accounts weigh by their size).
    trends
        Remove account-specific linear trends fitted on the reference period only
        (:func:`pre_period_trends`) before estimating; a robustness check for differential
        pre-trends. The standard errors ignore the first step.
    pretrend_test
        How the joint pre-trend p-value (all leads before the anticipation window are
        zero) is computed: ``"wild_bootstrap"`` (default; restricted wild cluster
        bootstrap of the clustered Wald statistic, :meth:`TwfeFit.wild_bootstrap_wald`) or
        ``"analytic"`` (F(q, G-1), which over-rejects badly when few accounts are treated).
    bands
        Simultaneous band of each group's path: ``"wild_bootstrap"``, ``"gaussian"``,
        ``"none"`` or ``"auto"`` (the bootstrap when its ``G x k x k`` array is below
        ~400 MB, else Gaussian).
    alpha
        1 - confidence level of the intervals and bands.
    n_boot, boot_weights, seed
        Bootstrap draws, weights (``"auto"``, ``"webb"``, ``"rademacher"``) and seed.

    Returns
    -------
    EventStudyResult
        ``coefs`` has the tidy columns plus ``group``, ``rel_day`` and the band;
        ``extra`` holds, per group, the joint pre-trend F, its reported p-value
        (``pretrend_test``), the analytic F p-value for comparison, the 1-df linear
        pre-trend p-value, the sup-t critical value, and the number of clusters.
    """
    if pretrend_test not in ("wild_bootstrap", "analytic"):
        raise InputError(
            f"unknown pretrend_test {pretrend_test!r}",
            expected="'wild_bootstrap' or 'analytic'",
        )
    if bands not in ("auto", "wild_bootstrap", "gaussian", "none"):
        raise InputError(
            f"unknown bands {bands!r}", expected="'auto', 'wild_bootstrap', 'gaussian' or 'none'"
        )
    ref = -1 - anticipation if ref is None else ref
    if -pre <= ref < 0 and ref >= -anticipation:
        raise InputError(
            f"reference day {ref} lies inside the anticipation window -{anticipation}..-1",
            expected=f"a reference day before -{anticipation}",
        )
    d, info = _group_sample(
        panel,
        incident,
        groups,
        control,
        pre=pre,
        post=post,
        outcome=outcome,
        exclude_imputed=exclude_imputed,
        group_col=group_col,
        anticipation=anticipation,
        trends=trends,
    )
    unit, time = _codes(d)
    X, names, meta = _event_design(d, groups, pre, post, ref, group_col)
    if bands == "auto":
        bands = "wild_bootstrap" if (unit.max() + 1) * X.shape[1] ** 2 < 5e7 else "gaussian"
    keep = pretrend_test == "wild_bootstrap" or bands == "wild_bootstrap"
    fit = twfe(d["y"].to_numpy(), X, unit, time, names, keep_design=keep)
    del X
    coefs = pd.concat([fit.tidy(alpha=alpha), meta], axis=1)
    extra: dict[str, Any] = {
        "outcome": outcome,
        "event dates": describe_dates(info["dates"]),
        "anticipation days": anticipation,
        "reference day": ref,
        "account trends": "linear, fitted on the reference period" if trends else "none",
        **_trend_words(info),
        "clusters (accounts)": fit.n_clusters,
    }
    grp_of_unit = d.groupby(unit)[group_col].first()
    band_low = np.full(len(names), np.nan)
    band_high = np.full(len(names), np.nan)
    wb: dict[str, Any] = {}
    for g in groups:
        n_treated = int((grp_of_unit == g).sum())
        idx = np.flatnonzero((meta["group"] == g) & (meta["rel_day"] < -anticipation))
        if len(idx):
            w = fit.wald(idx)
            extra[f"pre-trend joint F ({g})"] = w["F"]
            # With few treated accounts the clustered covariance of many leads is nearly
            # singular and the F(q, G-1) reference over-rejects; the restricted wild
            # cluster bootstrap recomputes the same statistic under the null and keeps size.
            if pretrend_test == "wild_bootstrap":
                wb = fit.wild_bootstrap_wald(
                    idx,
                    n_boot=n_boot,
                    weights=boot_weights,
                    seed=seed,
                    treated_clusters=n_treated,
                )
                extra[f"pre-trend joint p ({g})"] = wb["p_value"]
                extra[f"pre-trend joint p, analytic F ({g})"] = w["p_value"]
            else:
                extra[f"pre-trend joint p ({g})"] = w["p_value"]
            # The 1-df test of a linear pre-trend (slope of the leads, reference day at 0).
            k = np.r_[meta.loc[idx, "rel_day"].to_numpy(dtype=float), ref]
            wts = np.zeros(len(names))
            wts[idx] = (k[:-1] - k.mean()) / ((k - k.mean()) ** 2).sum()
            est, se = fit.lincom(wts)
            extra[f"pre-trend slope p ({g})"] = float(
                2 * stats.t.sf(abs(est / se), fit.n_clusters - 1)
            )
        if bands != "none":
            path = np.flatnonzero(meta["group"] == g)
            crit, words = _supt_critical(
                fit,
                path,
                alpha=alpha,
                method=bands,
                n_boot=n_boot,
                weights=boot_weights,
                seed=seed,
                treated_clusters=n_treated,
            )
            se_path = np.sqrt(np.diag(fit.vcov))[path]
            band_low[path] = fit.coef[path] - crit * se_path
            band_high[path] = fit.coef[path] + crit * se_path
            extra[f"sup-t critical value ({g})"] = crit
            extra["simultaneous band"] = words
    if bands != "none":
        coefs["band_low"], coefs["band_high"] = band_low, band_high
    if pretrend_test == "wild_bootstrap" and wb:
        extra["pre-trend joint test"] = (
            f"wild cluster bootstrap (WCR, {wb['weights']} weights, {wb['n_boot']} draws, "
            f"seed {seed})"
        )
    else:
        extra["pre-trend joint test"] = "analytic F(q, G-1)"
    fit.design = None  # n x k: do not keep it alive in the result
    extra["dropped (no pre-period)"] = ", ".join(info["dropped_no_pre_period"]) or "none"
    return EventStudyResult(
        model="TWFE event study",
        coefs=coefs,
        n_obs=fit.n_obs,
        vcov="cluster: account (CRV1); pointwise t(G-1) intervals",
        fitted=fit,
        extra=extra,
        cov=cov_frame(fit.names, fit.vcov),
        df_resid=fit.n_clusters - 1,
        twfe=fit,
    )


def did(
    panel: pd.DataFrame,
    incident: Incident,
    *,
    groups: Sequence[str] = ("brand", "host"),
    control: str = "control",
    pre: int = 21,
    post: int = 28,
    anticipation: int = 0,
    slope: bool = False,
    outcome: str = "log",
    trends: bool = False,
    exclude_imputed: bool = True,
    group_col: str = "group",
    inference: str = "wild_bootstrap",
    alpha: float = 0.05,
    n_boot: int = 999,
    boot_weights: str = "auto",
    seed: int | None = 0,
) -> Result:
    """Difference-in-differences summary with account and date FE, clustered by account.

    With ``slope=False`` one term per group: the average effect over days ``0..post``
    (``post_i,t * 1[i in g]``). With ``slope=True`` two terms per group: ``level`` (the
    jump on day 0) and ``slope`` (change in daily growth after the incident,
    ``post * k``), the panel analogue of the interrupted time series. A term
    ``host - brand`` (first two groups) compares them within the same fit. With
    ``anticipation > 0`` the days ``-anticipation..-1`` get a term of their own per group
    (``g: anticipation``), so they are neither reference nor effect.

    Parameters
    ----------
    incident
        One date or a mapping group -> date.
    trends
        Detrend by account-specific linear trends fitted on the reference period
        (robustness for differential pre-trends; see :func:`pre_period_trends`).
    inference
        ``"wild_bootstrap"`` (default): the 95% intervals and p-values are restricted
        wild cluster bootstrap (WCR) test inversions (:meth:`TwfeFit.wild_bootstrap_ci`;
        Webb weights with fewer than 30 treated accounts); ``std_error`` stays the CRV1
        s.e. and ``crv1_low``/``crv1_high`` keep the t(G-1) interval. ``"crv1"``: t(G-1)
        only (much cheaper on very large panels).
    """
    if inference not in ("wild_bootstrap", "crv1"):
        raise InputError(f"unknown inference {inference!r}", expected="'wild_bootstrap' or 'crv1'")
    d, info = _group_sample(
        panel,
        incident,
        groups,
        control,
        pre=pre,
        post=post,
        outcome=outcome,
        exclude_imputed=exclude_imputed,
        group_col=group_col,
        anticipation=anticipation,
        trends=trends,
    )
    unit, time = _codes(d)
    rel = d["rel_day"].to_numpy()
    postd = (rel >= 0).astype(float)
    antd = ((rel < 0) & (rel >= -anticipation)).astype(float)
    cols, names, main = [], [], []
    for g in groups:
        in_g = (d[group_col] == g).to_numpy()
        if slope:
            main += [len(names), len(names) + 1]
            cols += [in_g * postd, in_g * postd * rel]
            names += [f"{g}: level", f"{g}: slope"]
        else:
            main.append(len(names))
            cols.append(in_g * postd)
            names.append(g)
        if anticipation:
            cols.append(in_g * antd)
            names.append(f"{g}: anticipation")
    boot = inference == "wild_bootstrap"
    fit = twfe(
        d["y"].to_numpy(),
        np.asfortranarray(np.column_stack(cols)),
        unit,
        time,
        names,
        keep_design=boot,
    )
    tidy = fit.tidy(alpha=alpha)
    contrasts: list[tuple[str, np.ndarray]] = []
    if len(groups) >= 2:
        per = len(names) // len(groups)
        for j, lab in enumerate(["level", "slope"] if slope else [""]):
            w = np.zeros(len(names))
            w[per + j], w[j] = 1.0, -1.0
            contrasts.append((f"{groups[1]} - {groups[0]}" + (f": {lab}" if lab else ""), w))
        rows = []
        for term, w in contrasts:
            est, se = fit.lincom(w)
            rows.append(tidy_frame([term], [est], [se], df_resid=fit.n_clusters - 1, alpha=alpha))
        tidy = pd.concat([tidy, *rows], ignore_index=True)
    extra: dict[str, Any] = {
        "outcome": outcome,
        "event dates": describe_dates(info["dates"]),
        "clusters (accounts)": fit.n_clusters,
        "window": _window_words(pre, post, anticipation, info["dates"]),
        "account trends": "linear, fitted on the reference period" if trends else "none",
        **_trend_words(info),
        "dropped (no pre-period)": ", ".join(info["dropped_no_pre_period"]) or "none",
    }
    vcov = "cluster: account (CRV1); t(G-1) intervals"
    if boot:
        tidy["crv1_low"], tidy["crv1_high"] = tidy["conf_low"], tidy["conf_high"]
        grp_of_unit = d.groupby(unit)[group_col].first()
        targets = [(i, int(i)) for i in range(len(names))] + [
            (len(names) + i, w) for i, (_, w) in enumerate(contrasts)
        ]
        for row, j in targets:
            used = [
                groups[k // (len(names) // len(groups))]
                for k in np.flatnonzero(np.eye(len(names))[j] if np.ndim(j) == 0 else j)
            ]
            ci = fit.wild_bootstrap_ci(
                j,
                alpha=alpha,
                n_boot=n_boot,
                weights=boot_weights,
                seed=seed,
                treated_clusters=int(grp_of_unit.isin(used).sum()),
            )
            tidy.loc[row, ["p_value", "conf_low", "conf_high"]] = (
                ci["p_value"],
                ci["conf_low"],
                ci["conf_high"],
            )
        vcov = (
            f"s.e. cluster: account (CRV1); {100 * (1 - alpha):.0f}% CI and p: wild cluster "
            f"bootstrap (WCR test inversion, {ci['weights']} weights, {ci['n_boot']} draws, "
            f"seed {seed})"
        )
        fit.design = None
    return Result(
        model="TWFE difference-in-differences" + (" (level and slope)" if slope else ""),
        coefs=tidy,
        n_obs=fit.n_obs,
        vcov=vcov,
        fitted=fit,
        cov=cov_frame(fit.names, fit.vcov),
        df_resid=fit.n_clusters - 1,
        extra=extra,
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
    ``groups[1] - groups[0]`` (in the fit's unit: log points, or followers for
    ``outcome="level"``, since the reference day; CRV1 t(G-1) intervals of the same fit);
    column ``horizon`` says the day. With a log outcome, ``percent``/``percent_low``/
    ``percent_high`` convert with ``100 * (exp(b) - 1)``: 0.40 log points is +49%.
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
    cmp = pd.concat(out, ignore_index=True)
    outcome = res.extra.get("outcome", "log")
    if outcome == "log":
        for src, dst in (
            ("estimate", "percent"),
            ("conf_low", "percent_low"),
            ("conf_high", "percent_high"),
        ):
            cmp[dst] = log_points_to_percent(cmp[src])
    cmp.attrs["outcome"] = outcome
    return cmp


def log_points_to_percent(b: Any) -> Any:
    """Percent change implied by a change of ``b`` log points: ``100 * (exp(b) - 1)``."""
    return 100 * np.expm1(b)
