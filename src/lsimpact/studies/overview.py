"""Figures of the published headline series (notebook 00_overview).

Each ``plot_*`` function takes the processed ``published_figures`` table and returns the
figure and the list of sources it drew on, so the caller can caption and save it with
:func:`lsimpact.plots.save`. Lower bounds are drawn as open markers, conflicting sources
as separate points, never averaged.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..plots import PALETTE, date_axis, plot_gapped

__all__ = [
    "USER_SERIES",
    "live_sales_vs_retail",
    "plot_live_sales",
    "plot_platform_jobs",
    "plot_users",
    "select",
]

#: series_id -> English label, for the user-count figure
USER_SERIES = {
    "cnnic_internet_users": "Internet users (CNNIC)",
    "cnnic_live_users": "Live-streaming users (CNNIC)",
    "cnnic_ecommerce_live_users": "E-commerce live-streaming users (CNNIC)",
    "cnsa_live_users": "Live-streaming users (CNSA, Dec 2024)",
}


def select(df: pd.DataFrame, series: Sequence[str]) -> pd.DataFrame:
    """Rows of the given series, ordered by series and period end."""
    out = df[df["series_id"].isin(series)]
    return out.sort_values(["series_id", "period_end", "source_row"], kind="stable")


def _sources(rows: pd.DataFrame) -> list[str]:
    return sorted(set(rows["source_org"]))


def plot_users(df: pd.DataFrame) -> tuple[plt.Figure, list[str], pd.DataFrame]:
    """Internet, live-streaming and e-commerce-live users over time, in millions."""
    rows = select(df, list(USER_SERIES))
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for i, (sid, lab) in enumerate(USER_SERIES.items()):
        r = rows[rows["series_id"] == sid]
        if r.empty:
            continue
        if sid.startswith("cnsa"):  # another survey: a point of its own, never joined
            ax.plot(r["period_end"], r["value"] / 1e6, marker="s", linestyle="none",
                    color=PALETTE[i], label=lab)  # fmt: skip
            continue
        # CNNIC surveys every half year: a longer gap is a missing survey, not drawn over
        plot_gapped(ax, r["period_end"], r["value"] / 1e6, max_gap_days=200, marker="o",
                    color=PALETTE[i], label=lab)  # fmt: skip
    date_axis(ax)
    ax.set_ylabel("persons (millions)")
    ax.set_xlabel("survey date (end of period); lines break where a survey is missing")
    ax.set_title("Internet, live-streaming and e-commerce-live users in China")
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right")
    table = rows[["series_id", "period", "value", "source_org"]].assign(
        value_millions=lambda d: d["value"] / 1e6
    )[["series_id", "period", "value_millions", "source_org"]]
    return fig, _sources(rows), table.reset_index(drop=True)


def source_grade(source_org: pd.Series) -> pd.Series:
    """Data-quality grade of a figure from who reports it.

    ``A`` the statistical office or ministry itself; ``B`` an official figure reprinted by
    the press ("via ..."); ``C`` an aggregator or machine summary (reportify.ai, "AI",
    "aggregator"), to be read as unverified.
    """
    s = source_org.astype(str)
    low = s.str.contains(r"(?i)reportify|aggregator|\bAI\b|summary", regex=True)
    via = s.str.contains(r"(?i)\bvia\b", regex=True)
    return pd.Series(np.where(low, "C", np.where(via, "B", "A")), index=source_org.index)


def live_sales_vs_retail(df: pd.DataFrame) -> pd.DataFrame:
    """Live-commerce sales beside total online retail for the periods both are published.

    Live-commerce sales (MOFCOM; the 2024 figure from a press summary) are matched to
    **total** online retail sales (NBS/MOFCOM, one denominator throughout) of the *same*
    period string; a period with only physical-goods online retail published is left out
    rather than divided by another denominator. The share is ``live / online retail * 100``;
    lower bounds stay flagged; ``grade_live`` grades the live figure's source
    (:func:`source_grade`: C = aggregator summary, unverified).
    """
    live = select(df, ["mofcom_live_ecommerce_sales", "live_ecommerce_retail_sales"])
    live = live.drop_duplicates(["period", "value"])
    retail = select(df, ["nbs_online_retail_total"]).drop_duplicates("period")
    m = live.merge(retail, on="period", suffixes=("_live", "_retail"))
    out = pd.DataFrame(
        {
            "period": m["period"],
            "period_end": m["period_end_live"],
            "live_sales_yuan": m["value_live"],
            "live_lower_bound": m["lower_bound_live"],
            "online_retail_yuan": m["value_retail"],
            "online_retail_series": m["series_id_retail"],
            "live_share_of_online_retail_pct": 100 * m["value_live"] / m["value_retail"],
            "source_live": m["source_org_live"],
            "grade_live": source_grade(m["source_org_live"]),
            "source_retail": m["source_org_retail"],
        }
    )
    out = out.sort_values(["period_end", "period"]).reset_index(drop=True)
    out.attrs = dict(df.attrs)  # a merge drops attrs; keep the provenance of the inputs
    return out


def plot_live_sales(df: pd.DataFrame) -> tuple[plt.Figure, list[str], pd.DataFrame]:
    """Grouped bars: online retail and live-commerce sales per matched period (trillion yuan)."""
    t = live_sales_vs_retail(df)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    x = range(len(t))
    w = 0.38
    ax.bar(
        [i - w / 2 for i in x],
        t["online_retail_yuan"] / 1e12,
        w,
        color=PALETTE[0],
        label="Online retail sales (NBS/MOFCOM)",
    )
    bars = ax.bar(
        [i + w / 2 for i in x],
        t["live_sales_yuan"] / 1e12,
        w,
        color=PALETTE[1],
        label="Live-commerce sales",
    )
    for b, share, lb, grade in zip(
        bars,
        t["live_share_of_online_retail_pct"],
        t["live_lower_bound"],
        t["grade_live"],
        strict=True,
    ):
        ax.annotate(
            f"{'>' if lb else ''}{share:.1f}%{' (C: aggregator)' if grade == 'C' else ''}",
            (b.get_x() + b.get_width() / 2, b.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(list(x), [p.replace("..", "–") for p in t["period"]])
    ax.set_xlabel("period of the published live-commerce figure (online retail of the same period)")
    ax.set_ylabel("trillion yuan")
    ax.set_title("Live-commerce sales against online retail (share of online retail labelled)")
    ax.legend(loc="upper left")
    sources = sorted(set(t["source_live"]) | set(t["source_retail"]))
    return fig, sources, t


def plot_platform_jobs(df: pd.DataFrame) -> tuple[plt.Figure, list[str], pd.DataFrame]:
    """Jobs attributed to each platform by each study: bars, one per study, not a series."""
    rows = df[df["series_id"].str.fullmatch(r"[a-z]+_jobs_total")].copy()
    rows = rows.drop_duplicates(["series_id", "period", "value"])
    rows["platform"] = rows["entity"].str.replace(r" \(.*\)$", "", regex=True)
    rows["label"] = rows["platform"] + "\n" + rows["period"].str.replace("..", "–", regex=False)
    rows = rows.sort_values(["platform", "period_end"], kind="stable").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 4.8))
    colors = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(sorted(rows["platform"].unique()))}
    for i, r in rows.iterrows():  # a dozen bars: a loop is clearest
        ax.bar(
            i,
            r["value"] / 1e6,
            color=colors[r["platform"]],
            hatch="//" if r["lower_bound"] else None,
            edgecolor="white",
        )
        ax.annotate(
            f"{'≥' if r['lower_bound'] else ''}{r['value'] / 1e6:.1f}m",
            (i, r["value"] / 1e6),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(range(len(rows)), rows["label"], fontsize=8)
    ax.set_xlabel("platform and reference period of the study")
    ax.set_ylabel("jobs (millions of persons)")
    ax.set_title("Jobs attributed to platforms by separate studies (not a time series)")
    table = rows[["platform", "period", "value", "lower_bound", "source_org"]].rename(
        columns={"value": "jobs_persons"}
    )
    return fig, _sources(rows), table
