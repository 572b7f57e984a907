"""The prices study (``notebooks/04_prices.ipynb``): a shopper's three questions.

Is the live price really the lowest for the same product? Does a promotional price bounce
back afterwards? What does price protection (价保) give back when the price falls after
buying? Recipes and figures the notebook calls; the estimators live in
:mod:`lsimpact.models.prices`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import catalog
from ..errors import InputError
from ..models import prices as mp

__all__ = [
    "CATEGORY_ORDER",
    "bounce_back_all",
    "buying_motives",
    "discount_figure",
    "key_numbers",
    "lowest_share_figure",
    "lowest_share_table",
    "persistence_figure",
    "persistence_table",
    "protection_prices",
    "protection_table",
    "protection_windows",
    "published_discount_range",
    "purchases_table",
    "wholesale_groups",
]

CATEGORY_ORDER = ["fresh food", "packaged food", "beauty", "household"]


# --- inputs -----------------------------------------------------------------------------------
def purchases_table(source: str | Path | None = None, tz: str = "Asia/Shanghai") -> pd.DataFrame:
    """Purchases typed for :func:`lsimpact.models.prices.protection_refunds`.

    ``source=None`` reads the shipped (SYNTHETIC) ``purchases.csv`` from the catalogue;
    a path reads your own file with the same columns (``purchase_id, product_id,
    channel, purchased_at, paid_price, quantity``, optional ``buyer_id``). Times become
    Beijing wall-clock time (an offset, if written, is converted); money is read with
    :func:`lsimpact.parse.parse_money`. A row that cannot be read is refused with its
    row, column and value (never guessed).
    """
    from ..io import read_table
    from ..parse import parse_count, parse_datetime, parse_money

    if source is None:
        raw = catalog.load("purchases")
        origin, hashes = (
            "catalogue",
            {"purchases": catalog.expected_hash(catalog.resource("purchases"))},
        )
    else:
        raw = read_table(source)
        origin = str(source)
        hashes = {"purchases": catalog.file_sha256(source)}
    need = ["purchase_id", "product_id", "channel", "purchased_at", "paid_price", "quantity"]
    miss = [c for c in need if c not in raw.columns]
    if miss:
        raise InputError(
            f"the purchase file lacks column(s) {', '.join(miss)}",
            path=origin if source is not None else None,
            expected=", ".join(need) + " (optional buyer_id)",
        )
    t = parse_datetime(raw["purchased_at"], tz=tz)
    money = parse_money(raw["paid_price"])
    qty = parse_count(raw["quantity"])
    for col, parsed in (("purchased_at", t), ("paid_price", money), ("quantity", qty)):
        bad = parsed["error"].notna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"purchase row {i + 2}: {col} {raw[col].iloc[i]!r} cannot be read "
                f"({parsed['error'].iloc[i]})",
                path=origin if source is not None else None,
                column=col,
                expected="a time (Beijing unless an offset is given), a price in yuan and a "
                "whole number of packs",
            )
    out = pd.DataFrame(
        {
            "purchase_id": raw["purchase_id"].to_numpy(),
            "product_id": raw["product_id"].to_numpy(),
            "channel": raw["channel"].to_numpy(),
            "purchased_at": t["value"].dt.tz_convert(tz).dt.tz_localize(None).to_numpy(),
            "paid_price": money["value"].to_numpy(dtype=float),
            "quantity": qty["value"].to_numpy(dtype=float),
        }
    )
    if "buyer_id" in raw.columns:
        out.insert(1, "buyer_id", raw["buyer_id"].to_numpy())
    out.attrs.update({"inputs": hashes, "source": origin})
    return out


def protection_prices(prices: pd.DataFrame) -> pd.DataFrame:
    """Per-pack prices for price protection from the daily panel ``prices_daily``.

    The panel holds unit prices and the day's last valid observation, without its time:
    the pack price is ``paid_unit_price`` times the pack size (grams and millilitres to kg
    and litres), observed at the end of its day (23:59:59, Beijing time). So a cut seen
    on day ``d`` counts for a purchase made up to ``window`` days before the *end* of
    ``d``: at the window's far edge a price may count that a to-the-second log would put
    a few hours outside (a threat to validity the notebook states).
    """
    need = ["product_id", "channel", "date", "paid_unit_price", "pack_quantity", "pack_unit"]
    miss = [c for c in need if c not in prices.columns]
    if miss:
        raise InputError(
            f"the price panel lacks column(s) {', '.join(miss)}",
            expected="lsimpact.load('prices_daily')",
        )
    per = np.where(
        prices["pack_unit"].isin(["g", "ml"]),
        prices["pack_quantity"] / 1000.0,
        prices["pack_quantity"],
    )
    out = pd.DataFrame(
        {
            "product_id": prices["product_id"].to_numpy(),
            "channel": prices["channel"].to_numpy(),
            "observed_at": (
                pd.to_datetime(prices["date"]) + pd.Timedelta(hours=23, minutes=59, seconds=59)
            ).to_numpy(),
            "paid_price": np.round(prices["paid_unit_price"].to_numpy() * per, 2),
        }
    )
    return out[np.isfinite(out["paid_price"])].reset_index(drop=True)


def protection_windows(published: pd.DataFrame, longest: int = 30) -> list[int]:
    """Price-protection windows (days) platforms publish, up to ``longest`` days.

    From the ``published_figures`` rows in days whose series is about price protection
    (JD's 7/15/30/90-day labels, Tmall's 15-day 618 rule). Windows longer than
    ``longest`` are left out (a 90-day window needs a panel much longer than six months).
    """
    m = published["series_id"].str.contains("price_protection") & (published["unit"] == "days")
    days = sorted({int(v) for v in published.loc[m, "value"] if v <= longest})
    if not days:
        raise InputError("no price-protection window in the published figures")
    return days


def buying_motives(published: pd.DataFrame) -> pd.DataFrame:
    """Why buyers come to live rooms: survey shares from the published figures."""
    m = published["series_id"].str.contains("buy_reason") & (published["unit"] == "percent")
    d = published.loc[m, ["series_id", "entity", "period", "value", "definition", "source_org"]]
    d = d.assign(
        reason=d["series_id"]
        .str.replace(r"^.*buy_reason_", "", regex=True)
        .str.replace("_share", "")
        .str.replace("_", " "),
        survey=d["source_org"].str.replace(r" \(.*$", "", regex=True)
        + ", "
        + d["period"].astype(str),
    )
    out = d[["reason", "value", "survey", "entity", "source_org"]].rename(
        columns={"value": "share_pct"}
    )
    return out.sort_values("share_pct", ascending=False, ignore_index=True)


def published_discount_range(published: pd.DataFrame) -> tuple[float, float]:
    """Bain's usual discount of top livestreams against the Tmall price (low, high, %)."""
    s = published.set_index("series_id")["value"]
    return (
        float(s["livestream_discount_vs_tmall_price_low"]),
        float(s["livestream_discount_vs_tmall_price_high"]),
    )


def wholesale_groups(prices: pd.DataFrame, wholesale: pd.DataFrame) -> dict[str, str]:
    """Fresh products -> wholesale product group (品名), matched by name.

    A product belongs to a group when the group's name (``南美白虾``, ``带鱼``) occurs in
    its product name; the longest matching name wins. Products matching no group are left
    out of the markup analysis.
    """
    names = sorted(wholesale["product"].dropna().unique(), key=len, reverse=True)
    p = prices.loc[prices["category"] == "fresh food", ["product_id", "product_name"]]
    p = p.drop_duplicates("product_id")
    out = {}
    for pid, name in zip(p["product_id"], p["product_name"], strict=True):
        hit = next((g for g in names if g in str(name)), None)
        if hit is not None:
            out[pid] = hit
    return out


# --- lowest price -------------------------------------------------------------------------
def lowest_share_table(res: Any, truth: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Shares lowest / tied and the median gap by category (percent), with intervals."""
    t = res.tidy().set_index("term")
    counts = res.extra["counts"].set_index("category")
    rows = []
    for cat in ["all", *[c for c in CATEGORY_ORDER if c in counts.index]]:
        lo, tie, gap = (t.loc[f"{k}: {cat}"] for k in ("lowest", "tie", "median gap %"))
        row = {
            "category": cat,
            "product_days": int(counts.loc[cat, "product_days"]),
            "products": int(counts.loc[cat, "products"]),
            "lowest_pct": 100 * lo["estimate"],
            "lowest_ci": f"[{100 * lo['conf_low']:.1f}, {100 * lo['conf_high']:.1f}]",
            "tie_pct": 100 * tie["estimate"],
            "tie_ci": f"[{100 * tie['conf_low']:.1f}, {100 * tie['conf_high']:.1f}]",
            "median_gap_pct": gap["estimate"],
            "gap_ci": f"[{gap['conf_low']:.1f}, {gap['conf_high']:.1f}]",
        }
        if truth is not None and cat in truth:
            row["true_lowest_pct"] = 100 * truth[cat]["lowest"]
        rows.append(row)
    return pd.DataFrame(rows)


def lowest_share_figure(res: Any, ax: Any = None, *, title: str = "") -> Any:
    """Bars: share of live-room product-days lowest (and tied), by category, 95 % CIs."""
    import matplotlib.pyplot as plt

    from ..plots import PALETTE

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2))
    t = res.tidy().set_index("term")
    cats = ["all", *[c for c in CATEGORY_ORDER if f"lowest: {c}" in t.index]]
    x = np.arange(len(cats))
    for j, (kind, lab) in enumerate((("lowest", "strictly lowest"), ("tie", "tied lowest"))):
        est = np.array([t.loc[f"{kind}: {c}", "estimate"] for c in cats]) * 100
        lo = np.array([t.loc[f"{kind}: {c}", "conf_low"] for c in cats]) * 100
        hi = np.array([t.loc[f"{kind}: {c}", "conf_high"] for c in cats]) * 100
        ax.bar(x + (j - 0.5) * 0.38, est, 0.38, color=PALETTE[j], label=lab)
        ax.errorbar(
            x + (j - 0.5) * 0.38, est, yerr=[est - lo, hi - est], fmt="none", color="k", lw=1
        )
    ax.set_xticks(x, cats)
    ax.set_xlabel("product category")
    ax.set_ylabel("% of live-room product-days")
    ax.set_ylim(0, 100)
    ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    return ax


# --- bounce-back --------------------------------------------------------------------------
def bounce_back_all(
    prices: pd.DataFrame, sessions: pd.DataFrame, *, pre: int = 14, post: int = 35
) -> dict[str, Any]:
    """Stacked event studies by category and pooled, and plain TWFE pooled."""
    out: dict[str, Any] = {}
    cats = [c for c in CATEGORY_ORDER if c in set(prices["category"])]
    for c in cats:
        out[c] = mp.bounce_back(prices, sessions, category=c, pre=pre, post=post)
    out["all (stacked)"] = mp.bounce_back(prices, sessions, pre=pre, post=post)
    out["all (TWFE)"] = mp.bounce_back(prices, sessions, method="twfe", pre=pre, post=post)
    return out


def persistence_table(
    results: Mapping[str, Any], truth: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Cut on the promotion day and the share of it left 7 and 30 days later, by model."""
    rows = []
    by = (truth or {}).get("promotion", {}).get("by_category", {})
    overall = (truth or {}).get("promotion", {}).get("overall_cut_weighted", {})
    for name, r in results.items():
        t = r.tidy().set_index("term")
        row: dict[str, Any] = {"sample": name, "promotions": r.extra["n_promoted"]}
        c = t.loc["cut_pct"]
        row["cut_pct"] = c["estimate"]
        row["cut_ci"] = f"[{c['conf_low']:.1f}, {c['conf_high']:.1f}]"
        for h in (7, 30):
            p = t.loc[f"persistence_{h}d"]
            row[f"left_{h}d_pct"] = 100 * p["estimate"]
            row[f"left_{h}d_ci"] = f"[{100 * p['conf_low']:.1f}, {100 * p['conf_high']:.1f}]"
            if truth is not None:
                tv = by.get(name, {}).get(f"persistence_{h}d")
                if tv is None and name.startswith("all"):
                    tv = overall.get(f"persistence_{h}d")
                row[f"true_left_{h}d_pct"] = None if tv is None else 100 * tv
        rows.append(row)
    return pd.DataFrame(rows)


def persistence_figure(results: Mapping[str, Any], *, title: str = "") -> Any:
    """Event-time paths (percent vs the week before) by category, and TWFE vs stacked."""
    import matplotlib.pyplot as plt

    from ..plots import PALETTE

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    cats = [c for c in CATEGORY_ORDER if c in results]
    for i, c in enumerate(cats):
        results[c].plot(ax=axes[0], label=c, color=PALETTE[i])
    axes[0].set_title("stacked event study, by category")
    axes[0].legend(frameon=False, fontsize=8)
    results["all (stacked)"].plot(ax=axes[1], label="stacked (staggered-robust)", color=PALETTE[4])
    results["all (TWFE)"].plot(ax=axes[1], label="plain two-way FE", color=PALETTE[5])
    axes[1].set_title("all categories: stacked vs plain TWFE")
    axes[1].legend(frameon=False, fontsize=8)
    axes[1].set_ylabel("")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --- price protection -------------------------------------------------------------------------
def protection_table(summary: Any, windows: Sequence[int]) -> pd.DataFrame:
    """One row per window: refunds owed in total, per owed purchase, and who is owed."""
    t = summary.tidy().set_index("term")
    rows = []
    for w in windows:
        tag = f"{w:g}d"
        sb = t.loc[f"share_buyers_owed_{tag}"]
        sp = t.loc[f"share_purchases_owed_{tag}"]
        rows.append(
            {
                "window_days": w,
                "refund_total_yuan": t.loc[f"refund_total_{tag}", "estimate"],
                "refund_pct_of_spend": t.loc[f"refund_share_of_spend_{tag}", "estimate"],
                "purchases_owed_pct": 100 * sp["estimate"],
                "buyers_owed_pct": 100 * sb["estimate"],
                "buyers_owed_ci": f"[{100 * sb['conf_low']:.1f}, {100 * sb['conf_high']:.1f}]",
                "mean_refund_if_owed_yuan": t.loc[f"mean_refund_if_owed_{tag}", "estimate"],
            }
        )
    return pd.DataFrame(rows)


# --- discounts ---------------------------------------------------------------------------------
def discount_figure(
    depth_all: Any,
    depth_session: Any,
    example_cut: float,
    published_range: tuple[float, float],
    *,
    title: str = "",
) -> Any:
    """Histogram of live-vs-store discounts (all days, session days), the example, Bain's range."""
    import matplotlib.pyplot as plt

    from ..plots import PALETTE

    fig, ax = plt.subplots(figsize=(8, 4.2))
    bins = np.arange(-30, 72.5, 2.5)
    ax.axvspan(
        *published_range,
        color=PALETTE[2],
        alpha=0.15,
        label="Bain: usual top-livestream discount vs Tmall",
    )
    ax.hist(
        depth_all.fitted["discount_pct"],
        bins=bins,
        color="grey",
        alpha=0.5,
        label="all live-room days",
        density=True,
    )
    ax.hist(
        depth_session.fitted["discount_pct"],
        bins=bins,
        color=PALETTE[0],
        alpha=0.75,
        label="session (promotion) days",
        density=True,
    )
    ax.axvline(example_cut, color=PALETTE[3], lw=2, label=f"128 -> 88 yuan ({example_cut:.2f} %)")
    ax.set_xlabel("discount of the live room against the store the same day, %")
    ax.set_ylabel("density")
    ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    return fig


# --- key numbers ------------------------------------------------------------------------------
def key_numbers(
    lowest: Any, bounce: Mapping[str, Any], protection: pd.DataFrame, depth: Any, markup: Any
) -> list[str]:
    """The notebook's closing lines (rounded, stable: the tests hold them fixed)."""
    t = lowest.tidy().set_index("term")
    lo = t.loc["lowest: all"]
    lines = [
        f"live room lowest on {100 * lo['estimate']:.1f}% of product-days "
        f"[{100 * lo['conf_low']:.1f}, {100 * lo['conf_high']:.1f}], tied on "
        f"{100 * t.loc['tie: all', 'estimate']:.1f}%, median gap when not lowest "
        f"{t.loc['median gap %: all', 'estimate']:.1f}%"
    ]
    for name, r in bounce.items():
        p = r.tidy().set_index("term")
        p7, p30 = p.loc["persistence_7d"], p.loc["persistence_30d"]
        lines.append(
            f"{name}: cut {p.loc['cut_pct', 'estimate']:.1f}%, left after 7 days "
            f"{100 * p7['estimate']:.0f}% [{100 * p7['conf_low']:.0f}, {100 * p7['conf_high']:.0f}], "
            f"after 30 days {100 * p30['estimate']:.0f}% "
            f"[{100 * p30['conf_low']:.0f}, {100 * p30['conf_high']:.0f}]"
        )
    for r in protection.itertuples():
        lines.append(
            f"price protection {r.window_days} days: {r.refund_total_yuan:,.0f} yuan owed "
            f"({r.refund_pct_of_spend:.2f}% of spend), {r.buyers_owed_pct:.1f}% of buyers owed"
        )
    d = depth.tidy().set_index("term")
    lines.append(
        f"session-day discount vs store: median {d.loc['q50', 'estimate']:.1f}%, "
        f"128->88 (31.25%) above {100 * d.loc['example_rank', 'estimate']:.0f}% of them"
    )
    m = markup.tidy().set_index("term").loc["markup: all"]
    lines.append(
        f"live fresh food / wholesale average: x{m['estimate']:.2f} "
        f"[{m['conf_low']:.2f}, {m['conf_high']:.2f}] (not a margin)"
    )
    return lines
