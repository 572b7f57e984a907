"""The jobs study (``notebooks/01_platform_jobs.ipynb``): platform job figures, GMV,
users and sales, and the synthetic provincial panel.

Derived indicators are each defined in their docstring. All functions are vectorised over pandas Series/DataFrames. ``share_checks`` recomputes
every share a source publishes next to its counts (live-streaming users as % of internet
users, online retail as % of retail sales, live sales as % of online retail) and reports
whether the two agree within the rounding of the published numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..models.fe import FEResult, feols, formula_columns

__all__ = [
    "PANEL_TERMS",
    "growth_table",
    "half_unit",
    "jobs_gmv_pairs",
    "penetration_regressions",
    "plot_penetration_effects",
    "plot_users_and_sales",
    "jobs_per_100m_yuan",
    "share_checks",
    "share_pct",
    "share_tolerance",
    "yoy_growth",
]


def jobs_per_100m_yuan(jobs: pd.Series | float, gmv_yuan: pd.Series | float) -> pd.Series | float:
    """Jobs per 100 million yuan of GMV: ``jobs / (gmv_yuan / 1e8)``.

    The unit of the published "≈1,100 jobs per 100 million yuan" figure (SOURCES.md
    caveat 7). A zero or missing GMV gives NaN.
    """
    gmv = pd.Series(gmv_yuan, dtype=float) if np.ndim(gmv_yuan) else float(gmv_yuan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(jobs, dtype=float) / (np.asarray(gmv, dtype=float) / 1e8)
    out = np.where(np.isfinite(out), out, np.nan)
    return pd.Series(out, index=getattr(jobs, "index", None)) if np.ndim(out) else float(out)


def share_pct(part: pd.Series | float, whole: pd.Series | float) -> pd.Series | float:
    """``part`` as a percentage of ``whole``: ``100 * part / whole`` (NaN when whole is 0).

    Used for live-commerce users as a share of internet users and live-commerce sales as
    a share of online retail.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 100 * np.asarray(part, dtype=float) / np.asarray(whole, dtype=float)
    out = np.where(np.isfinite(out), out, np.nan)
    return pd.Series(out, index=getattr(part, "index", None)) if np.ndim(out) else float(out)


def yoy_growth(
    df: pd.DataFrame, value: str = "value", *, time: str = "year", by: list[str] | None = None
) -> pd.Series:
    """Year-on-year growth in percent: ``100 * (v[t] / v[t-1] - 1)`` within ``by`` groups.

    Only an observation for exactly year ``t-1`` counts as the previous year: a gap gives
    NaN rather than a multi-year change labelled as annual. Aligned to ``df.index``.
    """
    by = list(by or [])
    key = [*by, time]
    if df.duplicated(key).any():
        raise ValueError(f"yoy_growth needs one row per {key}; aggregate or filter first")
    prev = df[key + [value]].copy()
    prev[time] = prev[time] + 1
    merged = df[key].merge(prev.rename(columns={value: "_prev"}), on=key, how="left")
    cur = df[value].to_numpy(dtype=float)
    g = 100 * (cur / merged["_prev"].to_numpy(dtype=float) - 1)
    return pd.Series(g, index=df.index, name=f"{value}_yoy_pct")


def half_unit(values_as_published: pd.Series) -> pd.Series:
    """Half a unit in the last printed digit of each published number (its rounding bound).

    ``7.51`` -> 0.005; ``1011`` -> 0.5; ``24.9`` -> 0.05. Trailing zeros of a float are
    lost, so ``9.80`` is read as ``9.8`` (a looser, conservative bound).
    """
    text = values_as_published.astype(float).map(lambda v: f"{v:.10g}")
    decimals = text.str.extract(r"\.(\d+)$")[0].str.len().fillna(0).astype(int)
    return 0.5 * 10.0 ** (-decimals)


def share_tolerance(
    share: pd.Series,
    part: pd.Series,
    part_half_unit: pd.Series,
    whole: pd.Series,
    whole_half_unit: pd.Series,
    published_half_unit: pd.Series,
) -> pd.Series:
    """Largest gap between a recomputed and a published share explained by rounding.

    The published share is rounded (``published_half_unit``); the counts behind the
    recomputed share are rounded too, which moves ``part / whole`` by at most about
    ``share * (h_part / part + h_whole / whole)`` (first-order error propagation).
    """
    return published_half_unit + share * (part_half_unit / part + whole_half_unit / whole)


# "占网民整体的75.8%", "佔網民整體的88.3%", "accounting for 87.8%", "使用率达到90.5%",
# "占社会消费品零售总额的比重为25.2%"
_SHARE_IN_QUOTE = (
    r"(?:占|佔|使用率|accounting for|making up)[^0-9%]{0,40}?(\d+(?:\.\d+)?)\s*(?:%|percent)"
)


def _share_of(quote: str, value: float) -> float | None:
    """The share a quote prints for the figure ``value`` (as published), or None.

    A quote may print several shares ("直播用户7.51亿,占70.3%;短视频用户10.12亿,占94.8%",
    or a list "10.47亿、10.44亿和10.26亿 ... 分别为97.1%、96.8%和95.2%"): the share taken
    is the first one after the figure's own number, or in a 分别 list the one at the
    figure's position; the first share when the figure's number is not found.
    """
    from ..clean.flags import _matches

    shares = [(m.start(), m.group(1)) for m in re.finditer(_SHARE_IN_QUOTE, quote)]
    if not shares:
        return None
    nums = [
        (m.start(), float(m.group(0).replace(",", "")))
        for m in re.finditer(r"\d[\d,]*(?:\.\d+)?", quote)
    ]
    own = [pos for pos, n in nums if _matches(n, value)]
    if not own:
        return float(shares[0][1])
    if "分别" in quote:
        cut = quote.rindex("分别")  # the list of shares follows the last 分别
        listed = [
            pos for pos, n in nums if pos < cut and quote[pos:].lstrip("0123456789.,")[:1] in "亿万"
        ]
        after = [float(m.group(1)) for m in re.finditer(r"(\d+(?:\.\d+)?)\s*%", quote[cut:])]
        if own[0] in listed and len(after) == len(listed):
            return after[listed.index(own[0])]
    later = [float(t) for pos, t in shares if pos > own[0]]
    return later[0] if later else float(shares[0][1])


#: (numerator series, denominator series, what the share is)
SHARE_PAIRS = [
    ("cnnic_live_users", "cnnic_internet_users", "live-streaming users % of internet users"),
    ("cnsa_live_users", "cnnic_internet_users", "live-streaming users % of internet users"),
    (
        "cnnic_ecommerce_live_users",
        "cnnic_internet_users",
        "e-commerce live users % of internet users",
    ),
    (
        "nbs_online_retail_physical_goods",
        "nbs_retail_sales_consumer_goods",
        "physical-goods online retail % of retail sales",
    ),
    ("mofcom_live_ecommerce_sales", "nbs_online_retail_total", "live sales % of online retail"),
    ("cnnic_short_video_users", "cnnic_internet_users", "short-video users % of internet users"),
    ("cnnic_online_shopping_users", "cnnic_internet_users", "online shoppers % of internet users"),
]


def share_checks(published: pd.DataFrame) -> pd.DataFrame:
    """Recompute each published share from the counts and compare within rounding.

    Parameters
    ----------
    published
        The cleaned ``published_figures`` table (``lsimpact.load("published_figures")``).

    Returns
    -------
    DataFrame
        One row per numerator figure whose quote states a share and whose denominator
        (same period) is in the table: ``share``, ``period``, ``part``, ``whole``,
        ``recomputed_pct``, ``published_pct``, ``difference``, ``tolerance``, ``agrees``,
        the numerator and denominator sources. Disagreements are rows with
        ``agrees == False``, never dropped.
    """
    cols = ["series_id", "period", "value", "value_as_published", "source_org", "quote"]
    rows = []
    for num_id, den_id, label in SHARE_PAIRS:
        num = published.loc[published["series_id"] == num_id, cols].copy()
        num["published_txt"] = [
            _share_of(q, v) for q, v in zip(num["quote"], num["value_as_published"], strict=True)
        ]
        num = num[num["published_txt"].notna()]
        den = published.loc[published["series_id"] == den_id, cols[:5]]
        # several denominators for one period (conflicting sources): keep each pairing;
        # a share without a denominator in the table is listed, not dropped
        m = num.merge(den, on="period", how="left", suffixes=("", "_whole"))
        if m.empty:
            continue
        m["share"] = label
        rows.append(m)
    if not rows:
        return pd.DataFrame()
    m = pd.concat(rows, ignore_index=True)
    pub = m["published_txt"].astype(float)
    rec = share_pct(m["value"], m["value_whole"])
    h_part = half_unit(m["value_as_published"]) * (m["value"] / m["value_as_published"])
    h_whole = half_unit(m["value_as_published_whole"]) * (
        m["value_whole"] / m["value_as_published_whole"]
    )
    tol = share_tolerance(rec, m["value"], h_part, m["value_whole"], h_whole, half_unit(pub))
    out = pd.DataFrame(
        {
            "share": m["share"],
            "period": m["period"],
            "part_series": m["series_id"],
            "part": m["value"],
            "whole_series": m["series_id_whole"],
            "whole": m["value_whole"],
            "recomputed_pct": rec,
            "published_pct": pub,
            "difference": rec - pub,
            "tolerance": tol,
            "part_source": m["source_org"],
            "whole_source": m["source_org_whole"],
        }
    )
    out["agrees"] = (out["difference"].abs() <= out["tolerance"] + 1e-9).astype("boolean")
    out.loc[out["whole"].isna(), "agrees"] = pd.NA  # no denominator: not checkable here
    return out.sort_values(["share", "period"], kind="stable").reset_index(drop=True)


#: Regressors shown in the provincial-panel table, in order.
PANEL_TERMS = [
    "live_commerce_penetration",
    "d_live_commerce_penetration",
    "penetration_lead1",
    "log_gdp_per_capita",
    "urbanization_rate",
]


#: Readable names of the users and sales categories (legends never show ids).
CATEGORY_LABELS = {
    "internet_users": "internet users",
    "live_users": "live-streaming users",
    "ecommerce_live_users": "e-commerce live-streaming users",
    "live_commerce_sales": "live-commerce sales",
    "online_retail_total": "online retail, total",
    "online_retail_physical": "online retail, physical goods",
    "retail_sales_consumer_goods": "retail sales of consumer goods",
}


def plot_users_and_sales(platform_jobs: pd.DataFrame) -> Any:
    """Users by survey date (left) and annual retail / online retail sales (right).

    Published points only: users with an exact survey date, sales with a calendar year.
    Each survey organisation is its own series (a CNSA point is never joined to a CNNIC
    line), and lines break where a survey or a year is missing: gaps are not filled.
    """
    import matplotlib.pyplot as plt

    from ..plots import PALETTE, date_axis, plot_gapped

    pj = platform_jobs
    users = pj[(pj["measure"] == "users") & pj["period"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")]
    sales = pj[(pj["measure"] == "sales") & pj["period"].str.fullmatch(r"\d{4}")]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.4))
    orgs = users["series_id"].str.split("_").str[0].str.upper()
    for i, ((cat, org), g) in enumerate(users.groupby(["category", orgs], sort=True)):
        g = g.sort_values("period_end")
        label = f"{CATEGORY_LABELS.get(cat, cat)} ({org})"
        if len(g) == 1:
            a1.plot(g["period_end"], g["value"] / 1e6, marker="s", linestyle="none",
                    color=PALETTE[i % len(PALETTE)], label=label)  # fmt: skip
        else:
            plot_gapped(a1, g["period_end"], g["value"] / 1e6, max_gap_days=200, marker="o",
                        color=PALETTE[i % len(PALETTE)], label=label)  # fmt: skip
    date_axis(a1)
    a1.set_ylim(bottom=0)
    a1.set_xlabel("survey date")
    a1.set_ylabel("million persons")
    a1.legend(fontsize=7, loc="lower right")
    a1.set_title("Users (CNNIC; CNSA separately)")
    annual = sales.drop_duplicates(["category", "year"])
    for i, (cat, g) in enumerate(annual.groupby("category", sort=True)):
        g = g.sort_values("year")
        plot_gapped(a2, g["year"], g["value"] / 1e12, max_gap_days=366, marker="o",
                    color=PALETTE[i % len(PALETTE)], label=CATEGORY_LABELS.get(cat, cat))  # fmt: skip
    a2.set_xticks(sorted(annual["year"].unique()))
    a2.set_ylim(bottom=0)
    a2.set_xlabel("calendar year")
    a2.set_ylabel("trillion yuan")
    a2.legend(fontsize=7, loc="center left")
    a2.set_title("Retail and online retail (NBS; live commerce: press)")
    return fig


def plot_penetration_effects(
    emp: list[FEResult], inc: list[FEResult], truth: dict[str, float] | None = None
) -> Any:
    """Penetration coefficients (95% CI) of the first two columns of each outcome, with
    the generator's true effects as crosses when known."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2))
    outcome = {"emp": "log employment", "inc": "log income"}
    spec = ("no controls", "with controls")
    rows = pd.DataFrame(
        [
            {"model": f"{outcome[o]}, {spec[k]}", **r.term("live_commerce_penetration")}
            for o, rs in (("emp", emp[:2]), ("inc", inc[:2]))
            for k, r in enumerate(rs)
        ]
    )
    ax.errorbar(
        rows["estimate"],
        range(len(rows)),
        xerr=[rows["estimate"] - rows["conf_low"], rows["conf_high"] - rows["estimate"]],
        fmt="o",
        capsize=3,
    )
    if truth is not None:
        ax.scatter(
            [truth["effect_employment"]] * 2 + [truth["effect_income"]] * 2,
            range(4),
            marker="x",
            color="red",
            label="true effect",
        )
        ax.legend(fontsize=8)
    ax.set_yticks(range(len(rows)), rows["model"])
    ax.invert_yaxis()
    ax.set_xlabel("effect of 1 pp more penetration on the log outcome (log points)")
    ax.set_title("Two-way fixed effects: provinces and years")
    return fig


# "增长12.0%", "比上年增長14.1%", "rose 14.8 percent", "se expandiram 4% ano a ano";
# not "个百分点" (percentage points)
_GROWTH_IN_QUOTE = (
    r"(?:增长|增長|rose|grew|up|increased|expandiram)\s*(?:by\s*)?(\d+(?:\.\d+)?)\s*(?:%|percent)"
)


def growth_table(sales: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Year-on-year growth of annual sales: the published rate where the source prints one.

    NBS revises the previous year's base, so growth computed from two published levels
    (``computed_yoy_pct``) differs from the growth NBS publishes on the revised base
    (``published_yoy_pct``, read from the row's verbatim quote). ``yoy_pct`` takes the
    published rate where it exists and the computed one otherwise; ``yoy_basis`` says which.

    Parameters
    ----------
    sales
        Annual sales rows of ``platform_jobs`` (one per category and year).
    published
        ``published_figures`` (for the quotes, joined on ``source_row``).
    """
    out = sales[["category", "year", "value", "source_row"]].copy()
    out["computed_yoy_pct"] = yoy_growth(out, by=["category"])
    quotes = published.set_index("source_row")["quote"]
    q = out["source_row"].map(quotes).fillna("")
    out["published_yoy_pct"] = q.str.extract(_GROWTH_IN_QUOTE, expand=False).astype(float)
    has = out["published_yoy_pct"].notna()
    out["yoy_pct"] = out["published_yoy_pct"].where(has, out["computed_yoy_pct"])
    out["yoy_basis"] = np.where(
        has, "published", np.where(out["computed_yoy_pct"].notna(), "computed from levels", "")
    )
    return out.drop(columns="source_row").reset_index(drop=True)


# --- recipes moved from models/ (models keep estimators only) -----------------------------
def jobs_gmv_pairs(platform_jobs: pd.DataFrame, *, max_year_gap: int = 1) -> pd.DataFrame:
    """Match each platform's total-jobs study to its full-year e-commerce GMV.

    * **Reference year**: a study published in January-June of year ``t`` (e.g. March
      2022) describes year ``t-1``; later in the year, year ``t``. The pairing uses this
      ``reference_year``, not the publication date.
    * **One study, one row**: two figures of a platform that agree within the rounding of
      the coarser one, or a lower bound met by a point figure ("more than 36 million" and
      36.21 million: the same CAPS study reprinted), are one observation; the more precise
      figure is kept and ``duplicates`` names the other's source.
    * A study's jobs are paired with the platform's full-year GMV of the nearest year
      within ``max_year_gap`` of the reference year (same year preferred); ``year_gap``
      records the mismatch; ``lower_bound`` is True when either figure is a published
      minimum. Quarterly and partial-year GMV is not annualised.

    The ratio is *total* platform jobs (creators, sellers and indirect jobs, as each study
    counts them) per yuan of *e-commerce* GMV: a scale indicator of the platform, not the
    jobs created by one more yuan of live-commerce sales.
    """
    from ..clean.flags import conflict_flags

    jobs = platform_jobs[
        (platform_jobs["measure"] == "jobs") & (platform_jobs["category"] == "total")
    ].copy()
    gmv = platform_jobs[
        (platform_jobs["measure"] == "gmv") & (platform_jobs["period"].str.fullmatch(r"\d{4}"))
    ]
    published = pd.to_datetime(jobs["period_end"])
    exact_date = jobs["period"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    jobs["reference_year"] = np.where(
        exact_date & (published.dt.month <= 6), jobs["year"].astype(int) - 1, jobs["year"]
    ).astype(int)
    # de-duplicate studies: figures of one platform that agree (rounding, bound met)
    jobs = jobs.sort_values(["platform", "lower_bound", "reference_year"], kind="stable")
    jobs["duplicates"] = ""
    keep = pd.Series(True, index=jobs.index)
    for _, grp in jobs.groupby("platform", sort=False):
        idx = list(grp.index)
        for a in idx:
            if not keep[a]:
                continue
            for b in idx:
                if b == a or not keep[b]:
                    continue
                pair = jobs.loc[[a, b], ["value", "lower_bound"]].assign(k=0)
                if not conflict_flags(pair, ["k"]).any() and (
                    jobs.loc[b, "lower_bound"] or not jobs.loc[a, "lower_bound"]
                ):
                    # b is the coarser or a bound: fold it into a
                    keep[b] = False
                    jobs.loc[a, "duplicates"] = str(jobs.loc[b, "source_org"])
    jobs = jobs[keep]
    j = jobs[
        ["platform", "reference_year", "period", "value", "lower_bound", "source_org", "duplicates"]
    ].rename(
        columns={
            "value": "jobs",
            "lower_bound": "jobs_lower_bound",
            "period": "jobs_period",
            "reference_year": "year",
        }
    )
    g = gmv[["platform", "year", "value", "lower_bound"]].rename(
        columns={"value": "gmv_yuan", "lower_bound": "gmv_lower_bound", "year": "gmv_year"}
    )
    m = j.merge(g, on="platform")
    m["year_gap"] = (m["year"] - m["gmv_year"]).abs()
    m = m[m["year_gap"] <= max_year_gap]
    m = m.sort_values(
        ["platform", "jobs_period", "source_org", "year_gap", "gmv_year"], kind="stable"
    )
    # one GMV per study: the nearest year
    m = m.drop_duplicates(["platform", "jobs_period", "jobs"], keep="first")
    m["lower_bound"] = m["jobs_lower_bound"] | m["gmv_lower_bound"]
    return m.reset_index(drop=True)


#: The inference every province-panel column reports: with 31 province clusters CRV1
#: intervals cover 92.6-93.5% in Monte Carlo (tests/test_jobs_fe.py); the jackknife CRV3
#: is the small-cluster remedy (MacKinnon, Nielsen & Webb 2023).
PANEL_VCOV = {"CRV3": "province_code"}


def _with_leads_and_differences(panel: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Add next year's penetration and first differences, across consecutive years only."""
    cols = [outcome, "live_commerce_penetration", "log_gdp_per_capita", "urbanization_rate"]
    d = panel.sort_values(["province_code", "year"], kind="stable").reset_index(drop=True)
    nxt = d[["province_code", "year", "live_commerce_penetration"]].assign(
        year=lambda x: x["year"] - 1
    )
    d = d.merge(
        nxt.rename(columns={"live_commerce_penetration": "penetration_lead1"}),
        on=["province_code", "year"],
        how="left",
    )
    prev = d[["province_code", "year", *cols]].assign(year=lambda x: x["year"] + 1)
    d = d.merge(prev, on=["province_code", "year"], how="left", suffixes=("", "_prev"))
    for c in cols:
        d[f"d_{c}"] = d[c] - d[f"{c}_prev"]
    return d


def penetration_regressions(
    panel: pd.DataFrame, outcome: str, *, vcov: Mapping[str, str] | None = None
) -> list[FEResult]:
    """The province-panel columns for ``outcome``, each naming its inference.

    1. ``omitted GDP (biased by design)``: ``outcome ~ penetration | province + year``,
       shown only to illustrate omitted-variable bias (penetration rises with GDP growth
       in the data-generating process; its interval covers the truth rarely).
    2. ``TWFE + controls`` (the estimate): adds ``log_gdp_per_capita`` and
       ``urbanization_rate``.
    3. ``first differences + controls``: ``d outcome ~ d penetration + d controls | year``
       on consecutive years; the same per-pp effect without relying on the within
       transformation, so a different error structure would show up as a gap to (2).
    4. ``lead placebo``: (2) plus next year's penetration; the lead's true coefficient is
       zero (the future cannot cause today's employment), so a clearly non-zero lead
       flags reverse causality or anticipation.

    Penetration is continuous and never zero, so there is no untreated group: each
    column identifies a slope (log points per percentage point), not an on/off effect.
    Standard errors are CRV3 (jackknife) clustered by province unless ``vcov`` says
    otherwise; the one-year-lag column of earlier versions is dropped because the
    data-generating process has no lagged effect to recover.
    """
    vc = dict(vcov or PANEL_VCOV)
    controls = "log_gdp_per_capita + urbanization_rate"
    d = _with_leads_and_differences(panel, outcome)
    fe = "province_code + year"
    specs = [
        ("omitted GDP (biased by design)", f"{outcome} ~ live_commerce_penetration | {fe}"),
        ("TWFE + controls", f"{outcome} ~ live_commerce_penetration + {controls} | {fe}"),
        (
            "first differences + controls",
            f"d_{outcome} ~ d_live_commerce_penetration + d_log_gdp_per_capita"
            " + d_urbanization_rate | year",
        ),
        (
            "lead placebo",
            f"{outcome} ~ live_commerce_penetration + penetration_lead1 + {controls} | {fe}",
        ),
    ]
    out = []
    for name, f in specs:
        lhs_rhs = f.split("|")[0]
        used = [c for c in formula_columns(lhs_rhs) if c in d.columns]
        # pyfixest would drop rows with a missing lead/difference itself; dropping them
        # here keeps the CRV3 jackknife on the same rows as the point estimate
        sub = d.dropna(subset=used).reset_index(drop=True)
        res = feols(sub, f, vcov=vc, model=name)
        res.extra["Inference"] = res.vcov
        out.append(res)
    return out
