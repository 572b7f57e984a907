"""pandera schemas of every processed table, and a validator with readable failures.

One function per dataset returns its ``DataFrameSchema`` (built lazily so that importing
lsimpact stays cheap). :func:`validate` turns pandera's failure cases into a few lines a
researcher can act on.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .errors import ValidationError

__all__ = [
    "validate",
    "published_figures",
    "platform_jobs",
    "province_panel",
    "occupations",
    "occupation_video",
    "followers_daily",
    "followers_published",
    "prices_daily",
    "live_sessions",
    "wholesale_prices",
]

#: Base units that ``published_figures.value`` may be expressed in. Defined once, here; the
#: published cleaner imports it (``clean.published.UNIT_CONVERSIONS`` maps every unit as
#: published onto one of these).
BASE_UNITS: tuple[str, ...] = (
    "persons",
    "followers",
    "yuan",
    "HKD",
    "percent",
    "occupations",
    "groups",
    "work_types",
    "sessions",
    "views",
    "products",
    "accounts",
    "orders",
    "jobs_per_100m_yuan",
    # consumer side (issue 14)
    "count",
    "times",
    "days",
    "yuan_per_kg",
    "times_price_difference",
)

#: Allowed ``period_type`` values of published figures (``unknown`` is set from the period).
PERIOD_TYPES: tuple[str, ...] = ("date", "year", "half_year", "quarter", "month", "unknown")


_CHECK_NAMES = {
    "column_in_schema": "column not in the schema",
    "column_in_dataframe": "column missing",
    "not_nullable": "missing value",
    "multiple_fields_uniqueness": "duplicate key",
    "field_uniqueness": "duplicate value",
    "dataframe_column_labels_unique": "repeated column name",
}


def _check_name(check: object) -> str:
    text = str(check)
    if text.startswith("dtype("):
        return f"wrong type (expected {text[6:-1].strip(chr(39))})"
    return _CHECK_NAMES.get(text, text)


def _failure_lines(df: pd.DataFrame, cases: pd.DataFrame, limit: int = 5) -> list[str]:
    """One line per failed check: where (source rows when known), how many, examples."""
    cases = cases.copy()
    # Rows as the user knows them: the source row of the input when the table has it.
    idx = cases["index"]
    if "source_row" in df.columns:
        known = idx.notna() & idx.isin(df.index)
        src = df["source_row"]
        cases["where"] = idx.astype(object).where(~known, idx[known].map(src))
        unit = "source rows"
    else:
        cases["where"] = idx
        unit = "rows (index)"
    frame_level = (cases["schema_context"] == "DataFrameSchema") & ~cases["check"].isin(
        list(_CHECK_NAMES)
    )
    # A table-wide check lists every column of a failing row: one line per check then.
    cases["column"] = cases["column"].astype(object).where(~frame_level, "(row)")
    cases["column"] = cases["column"].where(cases["column"].notna(), "(table)")
    lines = []
    for (column, check), grp in cases.groupby(["column", "check"], dropna=False, sort=True):
        where = pd.unique(grp["where"].dropna().astype(str))
        vals = pd.unique(grp["failure_case"].map(str))
        line = f"- {column}: {_check_name(check)}"
        if len(where):
            line += f" in {len(where)} row(s); {unit} {', '.join(where[:limit])}"
            line += " ..." if len(where) > limit else ""
        if column != "(row)":
            line += f"; values {', '.join(vals[:limit])}" + (" ..." if len(vals) > limit else "")
        lines.append(line)
    return lines


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, *, dataset: str) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; raise a short, readable ``ValidationError``.

    All failures are collected (``lazy=True``) and summarised, one line per column and
    check, naming up to five rows (the input's ``source_row`` when the table has that
    column) and example values.

    ``df`` is checked in place (pandera would otherwise copy the whole table first), and
    the table's unique key first by comparing neighbouring rows (a table sorted by its
    key, as the cleaners write them, :func:`_increasing`), else with one sort of integer
    codes (:func:`_no_duplicate_keys`); pandera's own key check, which hashes every row
    and names the duplicates, runs only when that finds one. Why: on a table of millions
    of rows the copy and the hash table each cost more memory than the rest of the
    validation.
    """
    unique = list(schema.unique or [])
    if (
        unique
        and all(c in df.columns for c in unique)
        and (_increasing(df, unique) or _no_duplicate_keys(df, unique))
    ):
        schema = copy.copy(schema)  # the schema as given keeps its key
        schema.unique = None
    try:
        return schema.validate(df, lazy=True, inplace=True)
    except SchemaErrors as exc:
        lines = _failure_lines(df, exc.failure_cases)
        raise ValidationError(
            f"table '{dataset}' failed validation:\n" + "\n".join(lines),
            hint="fix the rows named above in the input, or report a bug if the input is fine",
        ) from None


def _increasing(df: pd.DataFrame, columns: list[str]) -> bool:
    """Whether every row's values in ``columns`` come strictly after the previous row's
    (in the order of the columns): then no two rows share them. Neighbours are compared
    column by column, a few boolean arrays at a time; a missing value compares as not
    after (False)."""
    n = len(df)
    after = np.zeros(max(n - 1, 0), dtype=bool)
    same = np.ones(max(n - 1, 0), dtype=bool)
    for c in columns:
        nxt = df[c].iloc[1:].reset_index(drop=True)
        prev = df[c].iloc[:-1].reset_index(drop=True)
        try:
            gt = (nxt > prev).to_numpy(dtype=bool, na_value=False)
            eq = (nxt == prev).to_numpy(dtype=bool, na_value=False)
        except TypeError:  # values without an order (mixed objects): the other way
            return False
        after |= same & gt
        same &= eq
        del nxt, prev, gt, eq
    return bool(after.all())


def _no_duplicate_keys(df: pd.DataFrame, columns: list[str]) -> bool:
    """Whether no two rows of ``df`` have equal values in all of ``columns`` (missing
    values equal to each other, as in ``DataFrame.duplicated``): the columns' codes
    combined into one int64 per row, sorted, and neighbours compared. False also when
    the codes do not fit in an int64 (then pandera decides)."""
    key = np.zeros(len(df), dtype=np.int64)
    size = 1
    for c in columns:
        codes, uniq = pd.factorize(df[c])  # missing: -1
        k = len(uniq) + 1
        if size * k >= 2**63:
            return False
        key *= k
        key += codes
        key += 1
        size *= k
        del codes
    key.sort()
    return not bool((key[1:] == key[:-1]).any())


def _unique_key(*cols: str) -> dict:
    return {"unique": list(cols), "report_duplicates": "all"}


# --- published_figures -------------------------------------------------------------------
def published_figures() -> pa.DataFrameSchema:
    """Schema of ``published_figures``: one row per series, entity, period and source."""
    text = pa.Column(str, nullable=False, checks=pa.Check.str_length(min_value=1))
    return pa.DataFrameSchema(
        {
            "series_id": text,
            "entity": text,
            "period": text,
            "period_type": pa.Column(str, pa.Check.isin(list(PERIOD_TYPES))),
            "period_start": pa.Column("datetime64[ns]", nullable=True),
            "period_end": pa.Column("datetime64[ns]", nullable=True),
            "value": pa.Column(float, nullable=False),
            "unit": pa.Column(str, pa.Check.isin(BASE_UNITS)),
            "value_as_published": pa.Column(float),
            "unit_as_published": text,
            "lower_bound": pa.Column(bool),
            "approximate": pa.Column(bool),
            "conflict": pa.Column(bool),
            "definition": pa.Column(str),
            "source_org": text,
            "source_title": text,
            "source_url": text,
            "quote": pa.Column(str),
            "source_row": pa.Column(int, pa.Check.ge(2)),
        },
        checks=[
            pa.Check(
                lambda d: d["period_end"].isna() | (d["period_end"] >= d["period_start"]),
                error="period_end before period_start",
            ),
            pa.Check(
                lambda d: (d["unit"] != "percent") | d["value"].between(-100, 1000),
                error="percent out of range",
            ),
        ],
        strict=True,
        ordered=False,
        **_unique_key("series_id", "entity", "period", "source_url", "value"),
    )


# --- platform_jobs ---------------------------------------------------------------------------
def platform_jobs() -> pa.DataFrameSchema:
    """Schema of ``platform_jobs`` and ``jobs``: one row per measure, category, platform,
    region, period and source; values in base units."""
    text = pa.Column(str, nullable=False, checks=pa.Check.str_length(min_value=1))
    return pa.DataFrameSchema(
        {
            "measure": pa.Column(
                str, pa.Check.isin(["jobs", "jobs_per_gmv", "gmv", "sales", "users"])
            ),
            "category": text,
            "platform": text,
            "region": text,
            "year": pa.Column("Int64", pa.Check.between(1990, 2100), nullable=True),
            "period": text,
            "period_start": pa.Column("datetime64[ns]", nullable=True),
            "period_end": pa.Column("datetime64[ns]", nullable=True),
            "value": pa.Column(float, pa.Check.ge(0)),
            "unit": pa.Column(str, pa.Check.isin(["persons", "yuan", "jobs_per_100m_yuan"])),
            "lower_bound": pa.Column(bool),
            "approximate": pa.Column(bool),
            "conflict": pa.Column(bool),
            "reference_period_stated": pa.Column(bool),
            "source_org": text,
            "source_title": pa.Column(str),
            "source_url": pa.Column(str),
            "series_id": text,
            "source_row": pa.Column(int, pa.Check.ge(2)),
        },
        checks=[
            pa.Check(
                lambda d: (d["measure"] != "jobs") | (d["unit"] == "persons"),
                error="jobs must be in persons",
            )
        ],
        strict=True,
        ordered=False,
    )


def province_panel() -> pa.DataFrameSchema:
    """Schema of ``province_panel``: one row per province and year."""
    pos = pa.Column(float, pa.Check.gt(0))
    return pa.DataFrameSchema(
        {
            "province": pa.Column(str),
            "province_en": pa.Column(str),
            "province_code": pa.Column(int, pa.Check.between(10, 99)),
            "year": pa.Column(int, pa.Check.between(1990, 2100)),
            "population": pos,
            "internet_users": pos,
            "live_commerce_penetration": pa.Column(float, pa.Check.between(0, 100)),
            "employment": pos,
            "disposable_income_per_capita": pos,
            "gdp_per_capita": pos,
            "urbanization_rate": pa.Column(float, pa.Check.between(0, 100)),
            "source_row": pa.Column(int, pa.Check.ge(2)),
            "log_employment": pa.Column(float),
            "log_income": pa.Column(float),
            "log_gdp_per_capita": pa.Column(float),
            "penetration_lag1": pa.Column(float, nullable=True),
        },
        checks=[
            pa.Check(
                lambda d: d["internet_users"] <= d["population"] * 1.0001,
                error="more internet users than residents",
            )
        ],
        strict=True,
        ordered=False,
        **_unique_key("province_code", "year"),
    )


# --- followers -------------------------------------------------------------------------------
def followers_daily() -> pa.DataFrameSchema:
    """Schema of ``followers_daily``: one row per (platform, account_id, date)."""
    return _followers_panel(unique=True)


def followers_published() -> pa.DataFrameSchema:
    """Schema of ``followers_published``: the panel columns; several sources may share a date."""
    return _followers_panel(unique=False)


def _followers_panel(unique: bool) -> pa.DataFrameSchema:
    text = pa.Column(str, nullable=False, checks=pa.Check.str_length(min_value=1))
    flag = pa.Column(bool, nullable=False)
    count = pa.Column("int64", pa.Check.ge(0))
    return pa.DataFrameSchema(
        {
            "platform": text,
            "account_id": text,
            "account_name": pa.Column(str),
            "group": pa.Column(str),
            "date": pa.Column("datetime64[ns]", nullable=False),
            "followers": pa.Column(float, pa.Check.ge(0), nullable=True),
            "net_change": pa.Column(float, nullable=True),
            "net_change_since": pa.Column("datetime64[ns]", nullable=True),
            "n_snapshots": count,
            "n_glitches": count,
            "glitch": flag,
            "imputed": flag,
            "lower_bound": flag,
            "approximate": flag,
            "sparse": flag,
            "source": text,
            "source_url": pa.Column(str),
            "source_row": pa.Column("Int64", pa.Check.ge(2), nullable=True),
        },
        checks=[
            pa.Check(
                lambda d: d["net_change_since"].isna() | (d["net_change_since"] < d["date"]),
                error="net_change_since not before date",
            ),
            pa.Check(
                lambda d: (
                    d["sparse"] | d["imputed"] | d["followers"].isna() | (d["n_snapshots"] > 0)
                ),
                error="a daily value without any snapshot that is not flagged imputed",
            ),
        ],
        strict=True,
        ordered=True,
        **(_unique_key("platform", "account_id", "date") if unique else {}),
    )


# --- occupations -----------------------------------------------------------------------------
def occupations() -> pa.DataFrameSchema:
    """Schema of ``occupations``: one row per GBM code (levels 1-3: 2022; 4: older)."""
    code = pa.Column(str, pa.Check.str_matches(r"^[1-8](-\d\d){0,3}$"))
    opt = {"nullable": True}
    return pa.DataFrameSchema(
        {
            "code": code,
            "digits": pa.Column(str, pa.Check.str_matches(r"^\d(\d\d){0,3}$")),
            "level": pa.Column(int, pa.Check.isin([1, 2, 3, 4])),
            "level_name": pa.Column(str, pa.Check.isin(["major", "middle", "minor", "occupation"])),
            "title": pa.Column(str, pa.Check.str_length(min_value=1)),
            "title_norm": pa.Column(str, pa.Check.str_length(min_value=1)),
            "major_group": pa.Column(int, pa.Check.in_range(1, 8)),
            "major_title": pa.Column(str, **opt),
            "middle_group": pa.Column(str, **opt),
            "middle_title": pa.Column(str, **opt),
            "minor_group": pa.Column(str, **opt),
            "edition": pa.Column(str, pa.Check.isin(["2022", "older (level 4, pre-2015)"])),
            "residual": pa.Column(bool),
            "manual": pa.Column(bool),
            "gbm_as_published": pa.Column(str, **opt),
            "issue": pa.Column(str, **opt),
            "source_row": pa.Column(int, pa.Check.ge(2)),
        },
        checks=[
            pa.Check(
                lambda d: (d["level"] <= 3) == (d["edition"] == "2022"),
                error="levels 1-3 are the 2022 edition, level 4 the older one",
            ),
            pa.Check(
                lambda d: d["digits"].str.len() == 2 * d["level"] - 1,
                error="digits length does not match the level",
            ),
        ],
        strict=True,
        **_unique_key("code"),
    )


def occupation_video() -> pa.DataFrameSchema:
    """Schema of ``occupation_video``: one row per 2022 minor group, platform and period."""
    count = pa.Column("Int64", pa.Check.ge(0), nullable=True)
    return pa.DataFrameSchema(
        {
            "minor_group": pa.Column(str, pa.Check.str_matches(r"^[1-8]-\d\d-\d\d$")),
            "title": pa.Column(str),
            "major_group": pa.Column(int, pa.Check.in_range(1, 8)),
            "major_title": pa.Column(str),
            "middle_group": pa.Column(str),
            "middle_title": pa.Column(str),
            "residual": pa.Column(bool),
            "manual": pa.Column(bool),
            "platform": pa.Column(str, pa.Check.str_length(min_value=1)),
            "period": pa.Column(str, pa.Check.str_length(min_value=1)),
            "creators": pa.Column("Int64", pa.Check.ge(0), nullable=False),
            "videos": count,
            "live_sessions": count,
            "first_seen": pa.Column("datetime64[ns]", nullable=True),
            "transformed": pa.Column(bool),
            "match_method": pa.Column(
                str, pa.Check.isin(["code", "code (occupation level)", "title"])
            ),
            "n_source_rows": pa.Column(int, pa.Check.ge(1)),
            "first_source_row": pa.Column(int, pa.Check.ge(2)),
        },
        strict=True,
        **_unique_key("minor_group", "platform", "period"),
    )


# --- prices --------------------------------------------------------------------------------
def prices_daily() -> pa.DataFrameSchema:
    """Schema of ``prices_daily``: one row per product_id, channel and date."""
    text = pa.Column(str, nullable=False, checks=pa.Check.str_length(min_value=1))
    unit_price = pa.Column(float, pa.Check.gt(0), nullable=False)
    return pa.DataFrameSchema(
        {
            "product_id": text,
            "product_name": pa.Column(str),
            "brand": pa.Column(str),
            "category": pa.Column(str),
            "channel": text,
            "channel_type": pa.Column(str, pa.Check.isin(["live", "store", "other"])),
            "date": pa.Column("datetime64[ns]", nullable=False),
            "list_unit_price": pa.Column(float, pa.Check.ge(0), nullable=True),
            "paid_unit_price": unit_price,
            "price_unit": pa.Column(str, pa.Check.isin(["kg", "l", "item"])),
            "pack_quantity": pa.Column(float, pa.Check.gt(0), nullable=True),
            "pack_unit": pa.Column(object, nullable=True),
            "promoted": pa.Column("boolean", nullable=True),
            "n_observations": pa.Column("int64", pa.Check.ge(1)),
            "units_sold": pa.Column(float, pa.Check.ge(0), nullable=True),
            "source_row": pa.Column("int64", pa.Check.ge(2)),
        },
        # ignore_na=False: the checks handle missing values themselves, and pandera's
        # pass over every cell for rows that are missing everywhere (which a row with a
        # source_row cannot be) costs more than the checks on a table of millions of rows
        checks=[
            pa.Check(
                lambda d: d["pack_unit"].isna() | d["pack_unit"].isin(["g", "ml", "item"]),
                error="pack_unit must be g, ml or item",
                ignore_na=False,
            ),
            pa.Check(
                lambda d: d["date"] == d["date"].dt.normalize(),
                error="date is a calendar day (no time of day)",
                ignore_na=False,
            ),
        ],
        strict=True,
        ordered=True,
        **_unique_key("product_id", "channel", "date"),
    )


def live_sessions() -> pa.DataFrameSchema:
    """Schema of ``live_sessions``: one row per session and promoted product."""
    text = pa.Column(str, nullable=False, checks=pa.Check.str_length(min_value=1))
    return pa.DataFrameSchema(
        {
            "session_id": text,
            "channel": text,
            "start": pa.Column("datetime64[ns]", nullable=False),
            "end": pa.Column("datetime64[ns]", nullable=False),
            "product_id": text,
            "duration_hours": pa.Column(float, pa.Check.gt(0)),
            "source_row": pa.Column("int64", pa.Check.ge(2)),
        },
        checks=[pa.Check(lambda d: d["end"] > d["start"], error="session ends before it starts")],
        strict=True,
        ordered=True,
        **_unique_key("session_id", "product_id"),
    )


def wholesale_prices() -> pa.DataFrameSchema:
    """Schema of ``wholesale_prices``: one row per quote (same-day repeats kept)."""
    price = pa.Column(float, pa.Check.gt(0), nullable=False)
    return pa.DataFrameSchema(
        {
            "product": pa.Column(str, pa.Check.str_length(min_value=1)),
            "spec": pa.Column(str),
            "origin": pa.Column(str),
            "date": pa.Column("datetime64[ns]", nullable=False),
            "price_low": price,
            "price_avg": price,
            "price_high": price,
            "price_unit": pa.Column(str, pa.Check.isin(["kg", "item"])),
            "unit_as_written": pa.Column(str, pa.Check.str_length(min_value=1)),
            "source_row": pa.Column("int64", pa.Check.ge(2)),
        },
        checks=[
            pa.Check(
                lambda d: (d["price_low"] <= d["price_avg"]) & (d["price_avg"] <= d["price_high"]),
                error="price_low <= price_avg <= price_high",
            )
        ],
        strict=True,
        ordered=True,
        **_unique_key("source_row"),
    )
