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

__all__ = [
    "DISPUTE",
    "describe_comparison",
    "plot_paths",
    "plot_published",
    "published_changes",
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
