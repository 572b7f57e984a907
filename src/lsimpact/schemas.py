"""pandera schemas of every processed table, and a validator with readable failures.

One function per dataset returns its ``DataFrameSchema`` (built lazily so that importing
lsimpact stays cheap). :func:`validate` turns pandera's failure cases into a few lines a
researcher can act on.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .errors import ValidationError

__all__ = ["validate", "published_figures", "followers_daily", "followers_published"]

#: Base units that ``published_figures.value`` may be expressed in.
BASE_UNITS = (
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
)


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, *, dataset: str) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; raise a short, readable ``ValidationError``.

    All failures are collected (``lazy=True``) and summarised per column and check, with
    up to five example rows each.
    """
    try:
        return schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        lines = []
        for (column, check), grp in cases.groupby(["column", "check"], dropna=False, sort=True):
            idx = grp["index"].dropna().astype(str).tolist()[:5]
            vals = grp["failure_case"].astype(str).tolist()[:5]
            lines.append(
                f"- column {column!s}: check {check!s} failed on {len(grp)} row(s); "
                f"rows {', '.join(idx) or '-'}; values {', '.join(vals)}"
            )
        raise ValidationError(
            f"table '{dataset}' failed validation:\n" + "\n".join(lines),
            hint="fix the rows named above in the input, or report a bug if the input is fine",
        ) from None


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
            "period_type": pa.Column(
                str, pa.Check.isin(["date", "year", "half_year", "quarter", "month", "unknown"])
            ),
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


# --- platform_jobs (issue 5) --------------------------------------------------------------


# --- followers (issue 4) ------------------------------------------------------------------
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
                lambda d: d["sparse"] | d["imputed"] | d["followers"].isna()
                | (d["n_snapshots"] > 0),
                error="a daily value without any snapshot that is not flagged imputed",
            ),
        ],
        strict=True,
        ordered=True,
        **(_unique_key("platform", "account_id", "date") if unique else {}),
    )


# --- occupations (issue 6) ----------------------------------------------------------------


# --- prices --------------------------------------------------------------------------------
