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

import numpy as np
import pandas as pd

from ..cleaning import Cleaned, RowAccounting, concat_quarantine, first_problems, source_rows
from ..datasets import DatasetSpec
from ..errors import InputError
from ..parse import parse_count
from ..schemas import platform_jobs as _jobs_schema
from ..schemas import province_panel as _panel_schema
from . import published

__all__ = ["SERIES", "clean_platform_jobs", "clean_jobs", "clean_province_panel", "parse_counts"]

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
_PLATFORMS = {"快手": "Kuaishou", "抖音": "Douyin", "微信": "WeChat (Tencent)", "淘宝": "Taobao",
              "拼多多": "Pinduoduo", "阿里巴巴": "Alibaba", "京东": "JD.com"}  # fmt: skip
_REGIONS = {"全国": "China", "中国": "China", "national": "China"}
#: job types a user's file may give: the categories of the published jobs series
JOB_CATEGORIES = tuple(sorted({c for m, c in SERIES.values() if m == "jobs"}))
_JOB_TYPES = {"总": "total", "合计": "total", "总计": "total", "直接": "direct", "间接": "indirect"}


def clean_jobs(raw: pd.DataFrame) -> Cleaned:
    """A user's jobs table (platform x region x year x job type) -> ``platform_jobs`` rows.

    Required columns: platform, region, year, job_type, jobs (count as written), source;
    optional: source_url. Rows with an unreadable count or year, or no platform or source,
    are quarantined with the reason.
    """
    missing = [c for c in JOBS_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(
            f"missing column(s): {', '.join(missing)}",
            path=raw.attrs.get("source_path"),
            expected=f"the columns {', '.join(JOBS_COLUMNS)} (+ optional source_url)",
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
    job_type = df["job_type"].str.lower().replace(_JOB_TYPES).replace("", "total")
    problems = [
        (df["platform"].eq(""), "platform", "platform is empty"),
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
            "platform": d["platform"].replace(_PLATFORMS),
            "region": d["region"].replace(_REGIONS).replace("", "China"),
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
        notes=(f"{int(out['conflict'].sum())} rows where sources disagree (kept, flagged)",),
    )
    return Cleaned(out.reset_index(drop=True), concat_quarantine(parts), summary)


# --- province panel ------------------------------------------------------------------------
PANEL_NUMERIC = [
    "population",
    "internet_users",
    "live_commerce_penetration",
    "employment",
    "disposable_income_per_capita",
    "gdp_per_capita",
    "urbanization_rate",
]
PANEL_COLUMNS = ["province", "province_code", "year", *PANEL_NUMERIC]
#: GB/T 2260 province-level codes (first two digits)
PROVINCE_CODES = (
    *range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
    *range(61, 66), 71, 81, 82,
)  # fmt: skip


def clean_province_panel(raw: pd.DataFrame) -> Cleaned:
    """Province x year panel -> typed table with logs and lagged penetration.

    Quarantines rows with a non-numeric or non-positive value, a year that is not a whole
    year 1990-2100, a province_code that is not a GB/T 2260 province, penetration or
    urbanization outside 0-100, more internet users than residents, or a repeated
    (province_code, year) with different values.
    """
    missing = [c for c in PANEL_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(
            f"missing column(s): {', '.join(missing)}",
            path=raw.attrs.get("source_path"),
            expected=f"the columns {', '.join(PANEL_COLUMNS)} (province_en optional)",
            hint="see README, 'Your own provincial panel'",
        )
    cols = PANEL_COLUMNS + (["province_en"] if "province_en" in raw.columns else [])
    df = raw[cols].astype("str").apply(lambda c: c.str.strip().str.replace(",", "", regex=False))
    df["source_row"] = source_rows(raw).to_numpy()
    n_input = len(df)
    dup = df.duplicated(subset=cols, keep="first")
    df = df[~dup]
    num = df[["province_code", "year", *PANEL_NUMERIC]].apply(pd.to_numeric, errors="coerce")
    problems = [(~np.isfinite(num[c]), c, f"{c} is not a number") for c in num.columns]
    problems += [
        (~num["year"].between(1990, 2100) | (num["year"] % 1 != 0), "year",
         "year is not a whole year 1990-2100"),
        (~num["province_code"].isin(PROVINCE_CODES), "province_code",
         "province_code is not a GB/T 2260 province code (11-65, 71, 81, 82)"),
    ]  # fmt: skip
    problems += [
        (num[c] <= 0, c, f"{c} is zero or negative")
        for c in PANEL_NUMERIC
        if c != "live_commerce_penetration"
    ]
    problems += [
        (~num["live_commerce_penetration"].between(0, 100), "live_commerce_penetration",
         "penetration must be a percentage between 0 and 100"),
        (~num["urbanization_rate"].between(0, 100), "urbanization_rate",
         "urbanization_rate must be a percentage between 0 and 100"),
        (num["internet_users"] > num["population"], "internet_users",
         "more internet users than residents"),
        (df.duplicated(["province_code", "year"], keep=False), "year",
         "province_code and year repeated with different values"),
    ]  # fmt: skip
    parts, bad = first_problems(df, problems)
    ok = ~bad
    out = num[ok].copy()
    out[PANEL_NUMERIC] = out[PANEL_NUMERIC].astype(float)
    out["province_code"] = out["province_code"].astype("int64")
    out["year"] = out["year"].astype("int64")
    out.insert(0, "province", df.loc[ok, "province"])
    out.insert(
        1,
        "province_en",
        df.loc[ok, "province_en"] if "province_en" in df else df.loc[ok, "province"],
    )
    out["source_row"] = df.loc[ok, "source_row"].astype("int64")
    out["log_employment"] = np.log(out["employment"])
    out["log_income"] = np.log(out["disposable_income_per_capita"])
    out["log_gdp_per_capita"] = np.log(out["gdp_per_capita"])
    out = out.sort_values(["province_code", "year"], kind="stable").reset_index(drop=True)
    # lag only across consecutive years: a gap leaves the lag missing rather than wrong
    prev = out[["province_code", "year", "live_commerce_penetration"]].assign(
        year=lambda d: d["year"] + 1
    )
    out = out.merge(
        prev.rename(columns={"live_commerce_penetration": "penetration_lag1"}),
        on=["province_code", "year"],
        how="left",
    )
    summary = RowAccounting(
        dataset="province_panel",
        input_rows=n_input,
        used_rows=int(ok.sum()),
        quarantined_rows=int(bad.sum()),
        duplicate_rows=int(dup.sum()),
        output_rows=len(out),
        notes=(
            f"{out['province_code'].nunique()} provinces, years {out['year'].min()}-{out['year'].max()}",
        ),
    )
    return Cleaned(out, concat_quarantine(parts), summary)


DATASETS = [
    DatasetSpec(
        name="platform_jobs",
        inputs=("published_figures",),
        cleaner=clean_platform_jobs,
        schema=_jobs_schema,
        description="Published jobs driven by platforms, GMV/sales and users (real), base "
        "units, study and flags on every row",
    ),
    DatasetSpec(
        name="jobs",
        inputs=("jobs_reported",),
        cleaner=clean_jobs,
        schema=_jobs_schema,
        description="Jobs by platform x region x year x type as written in reports (your own "
        "file via `lsimpact clean jobs FILE`)",
    ),
    DatasetSpec(
        name="province_panel",
        inputs=("province_panel",),
        cleaner=clean_province_panel,
        schema=_panel_schema,
        description="SYNTHETIC province x year panel of live-commerce penetration, employment "
        "and income (replace with your own panel in the same columns)",
    ),
]
