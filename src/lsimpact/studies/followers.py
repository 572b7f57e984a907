"""The followers study (``notebooks/03_followers.ipynb``): did the audience follow the
product or the host?

Recipes and figures the notebook calls: the changes between dated published points (with
their sources), follower paths with the incident marked, the generator's true effects set
against the estimates, and the plain-words reading of the brand-vs-host comparison.
Estimators live in :mod:`lsimpact.models`; this module only combines and presents them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..models.event_study import log_points_to_percent

__all__ = [
    "DISPUTE",
    "describe_comparison",
    "estimands_table",
    "event_date_sensitivity",
    "plot_paths",
    "plot_published",
    "published_changes",
    "synthetic_control_table",
    "true_effects_table",
    "truth_recovery",
]

#: The dispute's dated window (SOURCES.md timeline): Dong's post on Dec 5 to his new
#: position on Dec 18.
DISPUTE = ("2023-12-05", "2023-12-18")


def published_changes(
    pub: pd.DataFrame, start: str = "2023-07-01", end: str = "2024-02-01"
) -> pd.DataFrame:
    """Published follower counts and changes in ``[start, end]``, oldest first, with sources.

    Returns columns account_id, date, followers, net_change, net_change_since, kind
    ("count" or "change"), lower_bound, approximate, source.
    """
    d = pub[(pub["date"] >= start) & (pub["date"] <= end)].copy()
    d["kind"] = np.where(d["followers"].notna(), "count", "change")
    cols = [
        "account_id",
        "date",
        "kind",
        "followers",
        "net_change",
        "net_change_since",
        "lower_bound",
        "approximate",
        "source",
    ]
    return d.sort_values(["account_id", "date", "kind"], kind="stable")[cols].reset_index(drop=True)


def plot_published(
    pub: pd.DataFrame, ax: Any = None, *, start: str = "2023-11-15", end: str = "2024-01-31"
) -> Any:
    """Published follower counts of each account (millions); hollow = lower bound."""
    import matplotlib.pyplot as plt

    from ..plots import PALETTE, date_axis

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    d = pub[pub["followers"].notna() & (pub["date"] >= start) & (pub["date"] <= end)]
    for i, (acc, s) in enumerate(d.groupby("account_id", sort=True)):
        s = s.sort_values("date")
        ax.plot(s["date"], s["followers"] / 1e6, "-", color=PALETTE[i], lw=1,
                label=account_label(acc))  # fmt: skip
        exact = ~s["lower_bound"]
        ax.plot(s["date"][exact], s["followers"][exact] / 1e6, "o", color=PALETTE[i], ms=5)
        ax.plot(
            s["date"][~exact], s["followers"][~exact] / 1e6, "o", mfc="none", color=PALETTE[i], ms=6
        )
    ax.axvspan(
        pd.Timestamp(DISPUTE[0]),
        pd.Timestamp(DISPUTE[1]),
        color="grey",
        alpha=0.15,
        label="dispute (Dec 5-18)",
    )
    ax.set_ylabel("followers (million)")
    date_axis(ax)
    ax.set_xlabel("date of the published count")
    ax.legend(fontsize=8)
    return ax


def plot_paths(
    panel: pd.DataFrame,
    accounts: Sequence[str],
    incident: str,
    ax: Any = None,
    *,
    control_group: str = "control",
) -> Any:
    """Daily followers of ``accounts`` indexed to the day before ``incident`` (=100).

    The median path of the control group is drawn for comparison; missing days stay gaps.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    t0 = pd.Timestamp(incident)
    base_day = t0 - pd.Timedelta(days=1)

    def indexed(s: pd.DataFrame) -> pd.Series:
        s = s.set_index("date")["followers"]
        base = s.get(base_day, np.nan)
        if not np.isfinite(base):  # launched later: index to its first day
            base = s.dropna().iloc[0]
        return 100 * s / base

    from ..plots import date_axis, plain_log_axis

    for acc in accounts:
        ax.plot(*_xy(indexed(panel[panel["account_id"] == acc])), lw=1.2, label=account_label(acc))
    ctrl = panel[panel["group"] == control_group]
    if len(ctrl):
        paths = ctrl.groupby("account_id")[["date", "followers"]].apply(indexed)
        med = (
            paths.groupby(level="date").median()
            if isinstance(paths, pd.Series)
            else paths.stack().groupby(level="date").median()
        )
        ax.plot(*_xy(med), color="black", lw=1, ls=":", label="median control account")
    ax.axvline(t0, color="grey", ls="--", lw=0.8)
    # one account grows many-fold: a log axis keeps the others readable (equal ratios,
    # equal distances)
    ax.set_yscale("log")
    plain_log_axis(ax)
    date_axis(ax)
    ax.set_xlabel("date (dashed line: the incident)")
    ax.set_ylabel("followers, day before = 100 (log scale)")
    ax.legend(fontsize=8)
    return ax


#: Readable names of the synthetic accounts (legends never show ids).
ACCOUNT_LABELS = {
    "brand_01": "brand account (brand_01)",
    "host_01": "star host's account (host_01)",
    "host_new": "host's new account (host_new)",
    "east_buy_main": "East Buy main account (东方甄选)",
    "dong_yuhui": "Dong Yuhui's personal account (董宇辉)",
    "yu_hui_tong_xing": "Dong Yuhui's new account 与辉同行",
}


def account_label(account_id: str) -> str:
    """A reader's name for an account id (the id itself when none is known)."""
    return ACCOUNT_LABELS.get(account_id, account_id.replace("_", " "))


def _xy(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    return s.index.to_numpy(), s.to_numpy(dtype=float)


def true_effects_table(truth: dict, horizons: Sequence[int] = (0, 7, 28)) -> pd.DataFrame:
    """The generator's true effects as rows (group, quantity, value) for side-by-side tables."""
    rows = []
    for g in ("brand", "host"):
        e = truth["effects"][g]
        rows += [(g, "level", e["level"]), (g, "slope", e["slope"])]
        rows += [(g, f"day {h}", e["level"] + e["slope"] * h) for h in horizons]
    return pd.DataFrame(rows, columns=["group", "quantity", "true_value"])


def truth_recovery(
    truth: dict, did_result: Any, es_result: Any, horizons: Sequence[int] = (0, 7, 28)
) -> pd.DataFrame:
    """The generator's true effects beside the estimates that target them.

    Levels and slopes come from the level-and-slope DiD (terms ``"<group>: level"``), the
    effect on day ``k`` from the event study (term ``"<group>:<k>"``); ``covered`` says
    whether the 95% interval contains the truth.
    """
    rec = true_effects_table(truth, horizons=horizons)
    t = did_result.tidy().set_index("term")
    rows = []
    for r in rec.itertuples():
        if r.quantity in ("level", "slope"):
            row = t.loc[f"{r.group}: {r.quantity}"]
        else:
            row = es_result.term(f"{r.group}:{int(r.quantity.split()[1])}")
        rows.append((row["estimate"], row["conf_low"], row["conf_high"]))
    rec[["estimate", "conf_low", "conf_high"]] = rows
    rec["covered"] = (rec["conf_low"] <= rec["true_value"]) & (
        rec["true_value"] <= rec["conf_high"]
    )
    return rec


def describe_comparison(cmp: pd.DataFrame, horizon: int) -> str:
    """One plain sentence on the product-versus-host comparison at ``horizon`` days.

    Log-point estimates are printed as log points with their percent equivalent
    ``exp(b) - 1``, never as "percent". The verdict speaks of net follower counts: they
    can show that host accounts gained relative to brand accounts, not that the same
    people moved from one account to the other.
    """
    s = cmp[cmp["horizon"] == horizon].set_index("term")
    terms = list(s.index)
    brand, host, diff = s.loc[terms[0]], s.loc[terms[1]], s.loc[terms[2]]
    log = cmp.attrs.get("outcome", "log") == "log"

    def show(r: pd.Series) -> str:
        if log:
            return (
                f"{r['estimate']:+.3f} log points ({log_points_to_percent(r['estimate']):+.1f}%; "
                f"95% CI {r['conf_low']:+.3f} to {r['conf_high']:+.3f})"
            )
        return (
            f"{r['estimate']:+,.0f} followers (95% CI {r['conf_low']:+,.0f} to "
            f"{r['conf_high']:+,.0f})"
        )

    verdict = (
        f"net follower counts of {terms[1]} accounts grew more than those of {terms[0]} accounts"
        if diff["conf_low"] > 0
        else f"net follower counts of {terms[0]} accounts grew more than those of {terms[1]} accounts"
        if diff["conf_high"] < 0
        else f"the data cannot tell {terms[0]} and {terms[1]} accounts apart"
    )
    return (
        f"By day {horizon}, relative to control accounts, {terms[0]} accounts changed by "
        f"{show(brand)} and {terms[1]} accounts by {show(host)}; the gap {show(diff)} says "
        f"{verdict}. Net counts per account cannot show that the same people moved from one "
        f"account to another."
    )


def event_date_sensitivity(
    panel: pd.DataFrame,
    dates: Sequence[str | dict[str, str]],
    *,
    dispute_start: str,
    window_start: str,
    post: int = 28,
    groups: Sequence[str] = ("brand", "host"),
    n_boot: int = 999,
    seed: int = 0,
) -> pd.DataFrame:
    """The DiD average effects re-estimated with the incident on each of ``dates``.

    Every row keeps the same reference period (``window_start`` to the day before
    ``dispute_start``): the days from ``dispute_start`` to the day before the event date
    are an anticipation window with their own terms, so moving the date never puts a
    treated day into the reference. An entry of ``dates`` may be a mapping group -> date
    (group-specific dates). Intervals are the wild cluster bootstrap (WCR) ones of
    :func:`lsimpact.models.did`; ``*_percent`` convert log points with ``exp(b) - 1``.

    Returns
    -------
    DataFrame
        One row per date: ``event_date``, ``anticipation_days`` and, for each group and
        for ``host - brand``, the estimate, its 95% interval and the percent equivalent.
    """
    from ..models import did
    from ..models.event_study import describe_dates, event_dates

    rows = []
    t_start, t_dispute = pd.Timestamp(window_start), pd.Timestamp(dispute_start)
    for spec in dates:
        dd = event_dates(spec, groups)
        first = min(dd.values())
        ant = int((first - t_dispute).days)
        if ant < 0:
            raise ValueError(f"event date {first.date()} is before the dispute start")
        if len({t for t in dd.values()}) > 1:
            # group-specific: each group's own anticipation would differ; keep the same
            # calendar reference by giving every group the window from the dispute start
            ant = int((max(dd.values()) - t_dispute).days)
        pre = int((first - t_start).days)
        res = (
            did(
                panel,
                spec,
                groups=groups,
                pre=pre,
                post=post,
                anticipation=ant,
                n_boot=n_boot,
                seed=seed,
            )
            .tidy()
            .set_index("term")
        )
        row: dict[str, Any] = {"event_date": describe_dates(dd), "anticipation_days": ant}
        for term, lab in ((groups[0], groups[0]), (groups[1], groups[1]),
                          (f"{groups[1]} - {groups[0]}", "gap")):  # fmt: skip
            r = res.loc[term]
            row[f"{lab}_estimate"] = r["estimate"]
            row[f"{lab}_low"] = r["conf_low"]
            row[f"{lab}_high"] = r["conf_high"]
            row[f"{lab}_percent"] = float(log_points_to_percent(r["estimate"]))
        rows.append(row)
    return pd.DataFrame(rows)


def estimands_table(panel: pd.DataFrame, incident: Any, **did_options: Any) -> pd.DataFrame:
    """The average DiD effect in logs and in levels, with and without the two big accounts.

    Log followers weigh every account equally (the average per-account percent change);
    levels count followers, so the largest accounts dominate, and they answer "how many
    net followers did the groups gain or lose". Rows: ``log`` (log points and percent),
    ``level`` (followers per account), and ``level`` without ``brand_01``/``host_01``.
    """
    from ..models import did

    out = []
    variants = [
        ("log followers", "log", panel),
        ("followers (level)", "level", panel),
        (
            "followers (level), without brand_01 and host_01",
            "level",
            panel[~panel["account_id"].isin(["brand_01", "host_01"])],
        ),
    ]
    for name, outcome, data in variants:
        t = did(data, incident, outcome=outcome, **did_options).tidy().set_index("term")
        for term in ("brand", "host", "host - brand"):
            r = t.loc[term]
            out.append(
                {
                    "outcome": name,
                    "term": term,
                    "estimate": r["estimate"],
                    "conf_low": r["conf_low"],
                    "conf_high": r["conf_high"],
                    "percent": float(log_points_to_percent(r["estimate"]))
                    if outcome == "log"
                    else np.nan,
                }
            )
    return pd.DataFrame(out)


def synthetic_control_table(results: Sequence[Any]) -> pd.DataFrame:
    """One table of several synthetic-control results: gaps, placebo p-values, fit."""
    rows = []
    for r in results:
        t = r.tidy()
        for _, x in t.iterrows():
            rows.append(
                {
                    "account": r.extra["account"],
                    "term": x["term"],
                    "gap": x["estimate"],
                    "percent": float(log_points_to_percent(x["estimate"]))
                    if r.extra["outcome"] == "log"
                    else np.nan,
                    "placebo_p": x["p_value"],
                    "pre_rmspe": r.extra["pre-period RMSPE"],
                    "rank_of_ratio": r.extra["placebo rank of the ratio"],
                    "donors_weighted": r.extra["donors with weight > 0.001"],
                }
            )
    return pd.DataFrame(rows)
