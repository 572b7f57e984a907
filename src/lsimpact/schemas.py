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

__all__ = ["validate", "published_figures", "occupations", "occupation_video"]

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


# --- occupations (issue 6) ----------------------------------------------------------------
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
            pa.Check(lambda d: (d["level"] <= 3) == (d["edition"] == "2022"),
                     error="levels 1-3 are the 2022 edition, level 4 the older one"),
            pa.Check(lambda d: d["digits"].str.len() == 2 * d["level"] - 1,
                     error="digits length does not match the level"),
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
