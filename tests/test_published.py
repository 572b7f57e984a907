"""published_figures: unit conversion, periods, flags, conflicts, row accounting."""

from __future__ import annotations

import pandas as pd
import pytest

from lsimpact import catalog, schemas
from lsimpact.clean import published
from lsimpact.errors import InputError


@pytest.fixture(scope="module")
def cleaned():
    return published.clean(catalog.load("published_figures"))


def _row(df, series, period, source_contains=""):
    r = df[
        (df.series_id == series)
        & (df.period == period)
        & df.source_org.str.contains(source_contains, regex=False)
    ]
    assert len(r) == 1, r
    return r.iloc[0]


def test_accounting_adds_up(cleaned):
    s = cleaned.summary
    assert (s.input_rows, s.used_rows, s.quarantined_rows, s.duplicate_rows) == (314, 314, 0, 0)
    assert s.output_rows == len(cleaned.data) == 314


@pytest.mark.parametrize(
    ("series", "period", "value", "unit"),
    [
        ("cnnic_internet_users", "2016-12-31", 731e6, "persons"),  # 7.31亿 = 731 million
        ("mofcom_live_ecommerce_sales", "2023-H1", 1.27e12, "yuan"),
        ("kuaishou_jobs_total", "2022-03-02", 34.63e6, "persons"),
        ("nbs_physical_online_share_of_retail", "2020", 24.9, "percent"),
        ("live_ecommerce_jobs_per_gmv", "2025-05-24", 120.0, "jobs_per_100m_yuan"),  # 1,200 per 1bn
        # consumer-side units (issue 14): kept as published, never quarantined
        ("samr_livecommerce_appeals", "2022", 220900.0, "count"),
        ("samr_livecommerce_complaints_growth_5yr", "2024-04-09", 47.1, "times"),
        ("tmall_618_price_protection_days", "2020", 15.0, "days"),
        ("samr_promotion_discount_baseline_days", "2020-12-01", 7.0, "days"),
        ("shrimp_price_farmgate_vannamei_60count", "2023-12-25..2023-12-31", 57.0, "yuan_per_kg"),
        (
            "jd_double11_phone_price_difference_refund_multiple",
            "2020-10-21..2020-11-11",
            1.2,
            "times_price_difference",
        ),
    ],
)
def test_values_in_base_units(cleaned, series, period, value, unit):
    r = _row(cleaned.data, series, period)
    assert r["value"] == pytest.approx(value, rel=1e-12)
    assert r["unit"] == unit


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2023-12-16", "2023-12-16", "2023-12-16"),
        ("2021", "2021-01-01", "2021-12-31"),
        ("2023-H1", "2023-01-01", "2023-06-30"),
        ("2024-H2", "2024-07-01", "2024-12-31"),
        ("2021-Q4", "2021-10-01", "2021-12-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2023-01..2023-10", "2023-01-01", "2023-10-31"),
        ("2023-12-05..2023-12-12", "2023-12-05", "2023-12-12"),
        ("FY2025 (2024-06-01..2025-05-31)", "2024-06-01", "2025-05-31"),
    ],
)
def test_period_bounds(period, start, end):
    got = published.period_bounds(pd.Series([period])).iloc[0]
    assert pd.isna(got["error"])
    assert got["period_start"] == pd.Timestamp(start)
    assert got["period_end"] == pd.Timestamp(end)


@pytest.mark.parametrize(
    "bad",
    [
        "2023-13",
        "2023-02-30",
        "Q3 2023",
        "",
        "2023-12-10..2023-12-01",
        "2023-Q5",
        "2023-Q0",
        "2023-H3",
        "0000",
        "0000-01-01",
        "0001-01",
        "9999-12-31",
        "2023-00",
    ],
)
def test_bad_periods_get_a_reason(bad):
    got = published.period_bounds(pd.Series(["2023", bad])).iloc[1]
    assert isinstance(got["error"], str) and got["error"]


def test_unknown_period_is_kept_with_missing_dates(cleaned):
    r = _row(cleaned.data, "live_ecommerce_jobs_per_gmv", "unknown")
    assert pd.isna(r["period_start"]) and r["period_type"] == "unknown"


def test_conflicting_sources_both_kept_and_flagged(cleaned):
    d = cleaned.data
    g = d[(d.series_id == "cnnic_short_video_users") & (d.period == "2022-06-30")]
    assert sorted(g["value"]) == [934e6, 962e6]
    assert g["conflict"].all()
    # the same value from two sources is not a conflict
    g = d[(d.series_id == "kuaishou_jobs_total") & (d.period == "2024-12-31")]
    assert len(g) == 2 and not g["conflict"].any()


def test_flags(cleaned):
    d = cleaned.data
    # definitions starting 'LOWER BOUND' (38 + 3 consumer-side rows; `grep -c '"LOWER BOUND'`)
    assert int(d["lower_bound"].sum()) == 41
    assert _row(d, "kuaishou_jobs_total", "2022-12-31")["lower_bound"]
    assert _row(d, "follower_count", "2023-12-20")["approximate"]
    assert d["source_url"].str.len().gt(0).all()


def test_consumer_side_rows_all_clean(cleaned):
    """The 57 consumer-side rows (source rows 259-315) all reach the table, with their units."""
    d = cleaned.data
    new = d[d["source_row"] >= 259]
    assert len(new) == 57
    assert not set(new["unit"]) - set(published.BASE_UNITS)
    assert set(new["unit"]) == {
        "count",
        "times",
        "days",
        "yuan_per_kg",
        "times_price_difference",
        "percent",
    }
    windows = d[d["series_id"] == "jd_price_protection_service_days"]
    assert sorted(windows["value"]) == [7.0, 15.0, 30.0, 90.0]
    assert (windows["period_type"] == "unknown").all()


def test_one_vocabulary_for_units_and_period_types():
    assert published.BASE_UNITS is schemas.BASE_UNITS
    assert published.PERIOD_TYPES is schemas.PERIOD_TYPES
    # every unit as published maps onto a base unit, and every base unit is reachable
    assert {b for b, _ in published.UNIT_CONVERSIONS.values()} == set(schemas.BASE_UNITS)


def _raw_frame(rows):
    cols = published.RAW_COLUMNS
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], dtype="str")


def test_bad_rows_are_quarantined_with_reasons_and_duplicates_counted():
    good = ["s", "China", "2020", "year", "1.5", "trillion_yuan", "d", "org", "t", "http://x", "q"]
    raw = _raw_frame(
        [
            good,
            good,  # exact duplicate
            [
                "s",
                "China",
                "2021",
                "year",
                "n/a",
                "trillion_yuan",
                "d",
                "org",
                "t",
                "http://x",
                "q",
            ],
            ["s", "China", "2022", "year", "2", "gallons", "d", "org", "t", "http://x", "q"],
            ["s", "China", "20X3", "year", "2", "yuan", "d", "org", "t", "http://x", "q"],
            ["s", "China", "2024", "year", "2", "yuan", "d", "", "t", "", "q"],
        ]
    )
    out = published.clean(raw)
    s = out.summary.check()
    assert (s.input_rows, s.used_rows, s.quarantined_rows, s.duplicate_rows) == (6, 1, 4, 1)
    q = out.quarantine
    assert list(q["source_row"]) == [4, 5, 6, 7]  # spreadsheet rows (header = row 1)
    assert list(q["column"]) == ["value", "unit", "period", "source_url"]
    assert q.loc[0, "raw_value"] == "n/a"
    assert out.data.loc[0, "value"] == 1.5e12


def test_missing_columns_is_a_clear_error():
    raw = _raw_frame([["s", "China", "2020", "year", "1", "yuan", "d", "o", "t", "u", "q"]])
    with pytest.raises(InputError, match="missing column.*quote"):
        published.clean(raw.drop(columns=["quote"]))


@pytest.mark.parametrize("text", ["inf", "-inf", "1e400", "Infinity"])
def test_infinite_value_is_quarantined_not_kept(text):
    row = ["s", "China", "2020", "year", text, "trillion_yuan", "d", "org", "t", "http://x", "q"]
    c = published.clean(_raw_frame([row]))
    assert len(c.data) == 0
    assert c.quarantine["column"].tolist() == ["value"]
    assert c.summary.quarantined_rows == 1


def test_rows_the_schema_would_reject_are_quarantined_not_fatal():
    """One bad row must not make the whole file fail the output schema."""
    good = ["s", "China", "2020", "year", "1.5", "trillion_yuan", "d", "org", "t", "http://x", "q"]

    def bad(i, v):
        r = list(good)
        r[0] = f"s{i}"
        r[i] = v
        return r

    raw = _raw_frame(
        [
            good,
            bad(0, ""),  # no series_id
            bad(1, ""),  # no entity
            bad(3, "fiscal"),  # unknown period_type
            bad(7, ""),  # no source_org (source_url given)
            bad(8, ""),  # no source_title
            bad(9, ""),  # no source_url (source_org given)
            ["p", "China", "2020", "year", "5000", "percent", "d", "org", "t", "http://x", "q"],
            [*good[:10], "another quote"],  # same figure, same source, not an exact duplicate
        ]
    )
    out = published.clean(raw)
    s = out.summary.check()
    assert (s.input_rows, s.used_rows, s.quarantined_rows) == (9, 1, 8)
    assert out.quarantine["column"].tolist() == [
        "series_id",
        "entity",
        "period_type",
        "source_org",
        "source_title",
        "source_url",
        "value",
        "quote",
    ]
    _schema_ok = schemas.published_figures()
    _schema_ok.validate(out.data)
