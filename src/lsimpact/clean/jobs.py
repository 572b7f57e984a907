"""Jobs, GMV and users: ``platform_jobs`` (published), ``jobs`` (your own), ``province_panel``.

``platform_jobs``
    From the cleaned published figures: jobs driven by platforms (total / direct /
    indirect and the indirect split), live-commerce sales and platform GMV, online retail
    and user counts, in base units (persons, yuan). One row per measure, category,
    platform, period and source; the study (``source_org``, ``source_title``) is on every
    row. The Kuaishou figures come from three different studies with different methods
    and reference dates (SOURCES.md caveat 5): they are *not* a time series, and
    ``reference_period_stated`` is False where the source gives only a publication date.
    Conflicting figures are kept and flagged (``conflict``), never averaged.
``jobs``
    A user's own jobs table, one row per platform x region x year x job type, counts as
    written in reports ("3,463万人", "34.63 million", "0.36亿", "超6455万"); same output
    columns as ``platform_jobs`` (``measure == "jobs"``). See README, "Your own jobs data".
``province_panel``
    The province x year panel (shipped synthetic, or a user's real one in the same
    columns), typed, with ``log_employment``, ``log_income``, ``log_gdp_per_capita`` and
    ``penetration_lag1`` added.
"""

from __future__ import annotations

import pandas as pd

from ..contract import (
    Cleaned,
    RowAccounting,
    concat_quarantine,
    first_problems,
    require_columns,
    source_rows,
)
from ..parse import parse_count
from . import published, rules

__all__ = ["SERIES", "clean_platform_jobs", "clean_jobs", "parse_counts"]

#: published series_id -> (measure, category)
SERIES: dict[str, tuple[str, str]] = {
    "kuaishou_jobs_total": ("jobs", "total"),
    "douyin_jobs_total": ("jobs", "total"),
    "wechat_jobs_total": ("jobs", "total"),
    "pinduoduo_jobs_total": ("jobs", "total"),
    "alibaba_jobs_total": ("jobs", "total"),
    "kuaishou_jobs_direct": ("jobs", "direct"),
    "douyin_jobs_direct": ("jobs", "direct"),
    "douyin_direct_income_earners": ("jobs", "direct_income_earners"),
    "kuaishou_jobs_indirect": ("jobs", "indirect"),
    "douyin_jobs_indirect": ("jobs", "indirect"),
    "kuaishou_jobs_ecommerce_ecosystem": ("jobs", "indirect_ecommerce"),
    "kuaishou_jobs_content_ecosystem": ("jobs", "indirect_content"),
    "ecommerce_employment": ("jobs", "ecommerce_sector_employment"),
    "live_ecommerce_jobs_per_gmv": ("jobs_per_gmv", "jobs_per_100m_yuan"),
    "kuaishou_ecommerce_gmv": ("gmv", "ecommerce_gmv"),
    "douyin_ecommerce_gmv": ("gmv", "ecommerce_gmv"),
    "taobao_live_gmv": ("gmv", "live_gmv"),
    "mofcom_live_ecommerce_sales": ("sales", "live_commerce_sales"),
    "live_ecommerce_retail_sales": ("sales", "live_commerce_sales"),
    "nbs_online_retail_total": ("sales", "online_retail_total"),
    "nbs_online_retail_physical_goods": ("sales", "online_retail_physical"),
    "nbs_retail_sales_consumer_goods": ("sales", "retail_sales_consumer_goods"),
    "cnnic_internet_users": ("users", "internet_users"),
    "cnnic_live_users": ("users", "live_users"),
    "cnsa_live_users": ("users", "live_users"),
    "cnnic_ecommerce_live_users": ("users", "ecommerce_live_users"),
}

OUTPUT_COLUMNS = [
    "measure",
    "category",
    "platform",
    "region",
    "year",
    "period",
    "period_start",
    "period_end",
    "value",
    "unit",
    "lower_bound",
    "approximate",
    "conflict",
    "reference_period_stated",
    "source_org",
    "source_title",
    "source_url",
    "series_id",
    "source_row",
]

_NOT_STATED = r"(?i)reference (?:period|year) not stated|NOT stated"


def clean_platform_jobs(raw: pd.DataFrame) -> Cleaned:
    """Published figures (raw strings) -> ``platform_jobs``.

    Rows of other series are *used* upstream but not selected here; the accounting notes
    how many. Rows the published-figures cleaner quarantines stay quarantined.
    """
    pub = published.clean(raw)
    df = pub.data
    keep = df["series_id"].isin(list(SERIES))
    out = df[keep].copy()
    mc = out["series_id"].map(SERIES)
    out["measure"] = mc.str[0].astype("str")
    out["category"] = mc.str[1].astype("str")
    out["platform"] = out["entity"]
    out["region"] = "China"
    out["year"] = out["period_end"].dt.year.astype("Int64")
    out["reference_period_stated"] = ~out["definition"].str.contains(_NOT_STATED, regex=True)
    out = out[OUTPUT_COLUMNS].sort_values(
        ["measure", "category", "platform", "period_end", "source_row"], kind="stable"
    )
    s = pub.summary
    summary = RowAccounting(
        dataset="platform_jobs",
        input_rows=s.input_rows,
        used_rows=s.used_rows,
        quarantined_rows=s.quarantined_rows,
        duplicate_rows=s.duplicate_rows,
        output_rows=len(out),
        notes=(
            f"{int((~keep).sum())} clean published rows belong to other series (followers, "
            "prices, occupations ...) and are not part of this table",
            "Kuaishou job figures are three different studies (SOURCES.md caveat 5): not a "
            "time series",
        ),
    )
    return Cleaned(out.reset_index(drop=True), pub.quarantine, summary)


# --- counts as written in reports -------------------------------------------------------
def parse_counts(s: pd.Series) -> pd.DataFrame:
    """Parse counts as written ("3,463万人", "34.63 million", "0.36亿", "超6455万").

    A thin view of :func:`lsimpact.parse.parse_count`: ``value``, ``lower_bound`` and
    ``error`` (None on success), aligned to ``s``.
    """
    res = parse_count(s)
    return res[["value", "lower_bound", "error"]]


JOBS_COLUMNS = ["platform", "region", "year", "job_type", "jobs", "source"]
#: Display name of each platform (:data:`lsimpact.clean.rules.PLATFORM_NAMES`).
PLATFORM_NAMES = rules.PLATFORM_NAMES
_REGIONS = {"全国": "China", "中国": "China", "national": "China"}
#: job types a user's file may give: the categories of the published jobs series
JOB_CATEGORIES = tuple(sorted({c for m, c in SERIES.values() if m == "jobs"}))
_JOB_TYPES = {"总": "total", "合计": "total", "总计": "total", "直接": "direct", "间接": "indirect"}


_TOTAL_ROW = "a total row (合计/总计/小计): a sum of other rows, not one figure"


def clean_jobs(raw: pd.DataFrame) -> Cleaned:
    """A user's jobs table (platform x region x year x job type) -> ``platform_jobs`` rows.

    Required columns: platform, region, year, job_type, jobs (count as written), source;
    optional: source_url. Rows with an unreadable count or year, a blank platform, region
    or job type (never filled with a default), a total row (合计/总计/小计) or no source
    are quarantined with the reason. Platform spellings are mapped to one vocabulary
    ("快手", "kuaishou", "KUAISHOU" -> "Kuaishou"; notes say what was mapped).
    """
    require_columns(
        raw,
        JOBS_COLUMNS,
        what="jobs",
        optional=["source_url"],
        hint="rename your columns (see README, 'Your own jobs data')",
    )
    cols = JOBS_COLUMNS + (["source_url"] if "source_url" in raw.columns else [])
    df = raw[cols].astype("str").fillna("").apply(lambda c: c.str.strip())
    if "source_url" not in df:
        df["source_url"] = ""
    df["source_row"] = source_rows(raw).to_numpy()
    n_input = len(df)
    dup = df.duplicated(subset=cols, keep="first")
    df = df[~dup]

    counts = parse_counts(df["jobs"])
    year = pd.to_numeric(df["year"].str.replace(r"年$", "", regex=True), errors="coerce")
    # A blank job type is not "total", a blank region is not "China": blank keys are
    # quarantined, never filled with a default.
    job_type = df["job_type"].str.lower().replace(_JOB_TYPES)
    platform, notes = rules.platform_names(df["platform"])
    region_norm, region_report = rules.normalise_identity(df["region"].to_numpy(), "region")
    region = pd.Series(region_norm, index=df.index).replace(_REGIONS)
    if (note := region_report.note()) is not None:
        notes.append(note)
    problems = [
        (rules.total_rows(df, ["platform"]), "platform", _TOTAL_ROW),
        (rules.total_rows(df, ["region"]), "region", _TOTAL_ROW),
        (platform.eq(""), "platform", rules.BLANK_KEY.format(column="platform")),
        (region.eq(""), "region", rules.BLANK_KEY.format(column="region")),
        (job_type.eq(""), "job_type", rules.BLANK_KEY.format(column="job_type")),
        (year.isna() | ~year.between(1990, 2100) | (year % 1 != 0), "year", "year is not a year (e.g. 2024)"),
        (~job_type.isin(JOB_CATEGORIES), "job_type",
         f"job_type is not one of {', '.join(JOB_CATEGORIES)} (or 总/直接/间接)"),
        (counts["error"].notna(), "jobs", counts["error"]),
        (df["source"].eq(""), "source", "no source given: every figure needs one"),
    ]  # fmt: skip
    parts, bad = first_problems(df, problems)
    ok = ~bad
    d = df[ok]
    y = year[ok].astype("int64")
    jt = job_type[ok]
    out = pd.DataFrame(
        {
            "measure": "jobs",
            "category": jt,
            "platform": platform[ok],
            "region": region[ok],
            "year": y.astype("Int64"),
            "period": y.astype("str"),
            "period_start": pd.to_datetime(y.astype("str") + "-01-01").astype("datetime64[ns]"),
            "period_end": pd.to_datetime(y.astype("str") + "-12-31").astype("datetime64[ns]"),
            "value": counts.loc[ok, "value"].astype(float),
            "unit": "persons",
            "lower_bound": counts.loc[ok, "lower_bound"].astype(bool),
            "approximate": d["jobs"].str.contains(r"(?i)约|近|about|approx|around", regex=True),
            "reference_period_stated": True,
            "source_org": d["source"],
            "source_title": d["source"],
            "source_url": d["source_url"],
            "series_id": "user_jobs",
            "source_row": d["source_row"].astype("int64"),
        }
    )
    key = ["platform", "region", "year", "category"]
    out["conflict"] = out.groupby(key)["value"].transform("nunique") > 1
    out = out[OUTPUT_COLUMNS].sort_values([*key, "source_row"], kind="stable")
    summary = RowAccounting(
        dataset="jobs",
        input_rows=n_input,
        used_rows=int(ok.sum()),
        quarantined_rows=int(bad.sum()),
        duplicate_rows=int(dup.sum()),
        output_rows=len(out),
        notes=(
            f"{int(out['conflict'].sum())} rows where sources disagree (kept, flagged)",
            *notes,
        ),
    )
    return Cleaned(out.reset_index(drop=True), concat_quarantine(parts), summary)
