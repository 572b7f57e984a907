"""Published figures -> the tidy table ``published_figures``.

One row per series, entity, period and source. The raw columns keep their names;
``value`` and ``unit`` are converted to base units (persons, yuan, percent, ...), the
figure as printed is kept in ``value_as_published`` / ``unit_as_published``; typed
``period_start`` / ``period_end`` dates are added; published lower bounds
("more than ...") and approximate figures ("about ...") are flagged; and when two sources
give different values for the same series, entity and period, both rows are kept and
flagged ``conflict`` (never averaged).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import (
    Cleaned,
    RowAccounting,
    concat_quarantine,
    first_problems,
    quarantine_rows,
    require_columns,
    source_rows,
)
from ..parse import parse_number
from ..schemas import BASE_UNITS, PERIOD_TYPES  # one vocabulary with the output schema
from . import rules
from .flags import approximate_flags, conflict_flags

__all__ = ["BASE_UNITS", "PERIOD_TYPES", "UNIT_CONVERSIONS", "clean", "period_bounds"]

#: unit as published -> (base unit, multiplier)
UNIT_CONVERSIONS: dict[str, tuple[str, float]] = {
    "million_persons": ("persons", 1e6),
    "million_users": ("persons", 1e6),
    "million_jobs": ("persons", 1e6),
    "followers": ("followers", 1.0),
    "yuan": ("yuan", 1.0),
    "million_yuan": ("yuan", 1e6),
    "billion_yuan": ("yuan", 1e9),
    "trillion_yuan": ("yuan", 1e12),
    "HKD": ("HKD", 1.0),
    "billion_HKD": ("HKD", 1e9),
    "percent": ("percent", 1.0),
    "occupations": ("occupations", 1.0),
    "groups": ("groups", 1.0),
    "work_types": ("work_types", 1.0),
    "million_sessions": ("sessions", 1e6),
    "million_views": ("views", 1e6),
    "billion_views": ("views", 1e9),
    "million_products": ("products", 1e6),
    "million_accounts": ("accounts", 1e6),
    "million_orders": ("orders", 1e6),
    # Both job-intensity figures onto one scale so that their tenfold disagreement shows.
    "jobs_per_100m_yuan_gmv": ("jobs_per_100m_yuan", 1.0),
    "jobs_per_billion_yuan_gmv": ("jobs_per_100m_yuan", 0.1),
    # Consumer side (complaints, surveys, price protection, aquatic prices).
    "count": ("count", 1.0),  # complaints, appeals, online-sentiment items
    "times": ("times", 1.0),  # "grew 47.1 times": a multiple, not a percent
    "days": ("days", 1.0),  # price-protection and reference-price windows
    "yuan_per_kg": ("yuan_per_kg", 1.0),
    # A refund of 1.2 times the price difference: a multiple of a difference, kept apart
    # from "times" so that it is never read as growth.
    "times_price_difference": ("times_price_difference", 1.0),
}


RAW_COLUMNS = [
    "series_id",
    "entity",
    "period",
    "period_type",
    "value",
    "unit",
    "definition",
    "source_org",
    "source_title",
    "source_url",
    "quote",
]


# Period grammar of SOURCES.md; each alternative fills named groups.
_PERIOD_RE = (
    r"^(?:(?P<d1>\d{4}-\d{2}-\d{2})(?:\.\.(?P<d2>\d{4}-\d{2}-\d{2}))?"
    r"|(?P<m1>\d{4}-\d{2})(?:\.\.(?P<m2>\d{4}-\d{2}))?"
    r"|(?P<y>\d{4})(?:-(?P<hq>[HQ])(?P<n>\d))?"
    r"|FY\d{4} \((?P<f1>\d{4}-\d{2}-\d{2})\.\.(?P<f2>\d{4}-\d{2}-\d{2})\)"
    r"|(?P<unknown>unknown))$"
)


def period_bounds(period: pd.Series) -> pd.DataFrame:
    """Start and end dates of published period strings (vectorised).

    ``YYYY-MM-DD`` is a point (start = end); ``YYYY``, ``YYYY-H1``, ``YYYY-Q3``, ``YYYY-MM``
    span their calendar period; ``a..b`` ranges span from the start of ``a`` to the end of
    ``b``; ``FY2025 (2024-06-01..2025-05-31)`` uses the dates in brackets; ``unknown``
    gives missing dates.

    Returns
    -------
    DataFrame
        ``period_start``, ``period_end`` (datetime64) and ``error`` (None when parsed).
    """
    s = period.astype("str").str.strip()
    g = s.str.extract(_PERIOD_RE)
    start = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    end = start.copy()

    def _dt(x: pd.Series) -> pd.Series:
        t = pd.to_datetime(x, errors="coerce", format="%Y-%m-%d")
        # pandas parses year 0001-1677 at a coarser unit; outside datetime64[ns] is NaT
        return t.where(t.dt.year.between(1678, 2261)).astype("datetime64[ns]")

    d = g["d1"].notna()
    start[d] = _dt(g.loc[d, "d1"])
    end[d] = _dt(g.loc[d, "d2"].fillna(g.loc[d, "d1"]))
    m = g["m1"].notna()
    start[m] = _dt(g.loc[m, "m1"] + "-01")
    end[m] = _dt(g.loc[m, "m2"].fillna(g.loc[m, "m1"]) + "-01") + pd.offsets.MonthEnd(0)
    y = g["y"].notna()
    year = pd.to_numeric(g["y"], errors="coerce")
    year = year.where(year.between(1678, 2261))  # datetime64[ns] range; else NaT, reported
    n = pd.to_numeric(g["n"], errors="coerce")
    months = np.select([g["hq"] == "H", g["hq"] == "Q"], [6, 3], 12)
    first_month = np.where(g["hq"].notna(), (n.fillna(1) - 1) * months + 1, 1)
    ym = pd.DataFrame({"year": year, "month": first_month, "day": 1})[y]
    # Q5, Q0, H3 or year 0 give an impossible month/year: NaT, reported below
    start[y] = pd.to_datetime(ym, errors="coerce")
    end[y] = pd.to_datetime(
        ym.assign(month=ym["month"] + months[y.to_numpy()] - 1), errors="coerce"
    ) + pd.offsets.MonthEnd(0)
    f = g["f1"].notna()
    start[f] = _dt(g.loc[f, "f1"])
    end[f] = _dt(g.loc[f, "f2"])
    parsed = d | m | y | f | g["unknown"].notna()
    bad_dates = (d | m | y | f) & (start.isna() | end.isna())
    error = pd.Series(None, index=s.index, dtype="object")
    error[~parsed] = (
        "period not in a known form (YYYY-MM-DD, YYYY, YYYY-H1, YYYY-Qn, YYYY-MM, a..b)"
    )
    error[bad_dates] = "period holds an impossible date"
    error[parsed & ~bad_dates & (end < start)] = "period ends before it starts"
    return pd.DataFrame({"period_start": start, "period_end": end, "error": error})


def clean(raw: pd.DataFrame) -> Cleaned:
    """Clean the published figures (see the module docstring).

    Parameters
    ----------
    raw
        The ``published_figures`` resource as strings (``catalog.load``) or a user's file in
        the same format.

    Returns
    -------
    Cleaned
        ``data`` with the raw columns (``value``/``unit`` in base units) plus
        ``value_as_published``, ``unit_as_published``, ``period_start``, ``period_end``,
        ``lower_bound``, ``approximate``, ``conflict`` and ``source_row``; the quarantine
        holds rows with an unparseable value, unknown unit, unreadable period or no source.
    """
    require_columns(
        raw,
        RAW_COLUMNS,
        what="published figures",
        hint="rename your columns to these names (see README, 'Bring your own data')",
    )
    df = raw[RAW_COLUMNS].astype("str").apply(lambda c: c.str.strip())
    df["source_row"] = source_rows(raw).to_numpy()
    n_input = len(df)

    dup = df.duplicated(subset=RAW_COLUMNS, keep="first")
    df = df[~dup]

    # Strict: "1,2345" or "1,2,3" is a typing error, not 12345 or 123; "1e400" is out of
    # range, not inf (pd.to_numeric would accept all three).
    number = parse_number(df["value"])
    value = number["value"].astype(float)
    conv = df["unit"].map(lambda u: UNIT_CONVERSIONS.get(u, (None, np.nan)))
    base_unit = conv.str[0]
    factor = conv.str[1].astype(float)
    err = number["error"].astype(str)
    why_not_number = (" (" + err + ")").where(~err.isin(["not a number", "None"]), "")
    with np.errstate(over="ignore", invalid="ignore"):
        # 1e308 million persons is a finite figure whose base value is not
        base_overflow = value.notna() & ~np.isfinite(value * factor) & factor.notna()
    periods = period_bounds(df["period"])

    is_unknown = df["period"].eq("unknown")
    problems = [
        (df["series_id"].eq(""), "series_id", "series_id is empty"),
        (df["entity"].eq(""), "entity", "entity is empty"),
        (
            rules.total_rows(df, ["entity"]),
            "entity",
            "a total row (合计/总计/小计): a sum of other rows, not an entity",
        ),
        (value.isna(), "value", "value is not a number" + why_not_number),
        (base_overflow, "value", "value out of range once converted to base units"),
        (base_unit.isna(), "unit", f"unknown unit (known: {', '.join(UNIT_CONVERSIONS)})"),
        (periods["error"].notna(), "period", periods["error"]),
        (
            ~is_unknown & ~df["period_type"].isin(PERIOD_TYPES),
            "period_type",
            f"unknown period_type (known: {', '.join(PERIOD_TYPES)})",
        ),
        (df["source_url"].eq("") & df["source_org"].eq(""), "source_url", "no source given"),
        (df["source_org"].eq(""), "source_org", "source_org is empty"),
        (df["source_title"].eq(""), "source_title", "source_title is empty"),
        (df["source_url"].eq(""), "source_url", "source_url is empty"),
        (
            base_unit.eq("percent") & ~(value * factor).between(-100, 1000),
            "value",
            "percent outside -100..1000",
        ),
    ]
    parts, bad = first_problems(df, problems)
    # the same figure from the same source twice (differing only in quote or definition)
    key = ["series_id", "entity", "period", "source_url", "_v"]
    same = df.assign(_v=value * factor)[~bad].duplicated(subset=key, keep="first")
    same = same.reindex(df.index, fill_value=False)
    if same.any():
        parts.append(
            quarantine_rows(
                df.loc[same, "source_row"],
                "quote",
                df.loc[same, "quote"],
                "same series, entity, period, source_url and value as an earlier row",
            )
        )
    bad |= same
    quarantine = concat_quarantine(parts)

    ok = ~bad
    out = df[ok].copy()
    out["value_as_published"] = value[ok]
    out["unit_as_published"] = out["unit"]
    out["value"] = value[ok] * factor[ok]
    out["unit"] = base_unit[ok].astype("str")
    out["period_start"] = periods.loc[ok, "period_start"]
    out["period_end"] = periods.loc[ok, "period_end"]
    out["period_type"] = out["period_type"].where(out["period"] != "unknown", "unknown")
    out["lower_bound"] = out["definition"].str.startswith("LOWER BOUND")
    # approximate: the quote (or the compiler's definition) qualifies this very number
    # ("almost 3.4 million"), not another one ("fell nearly 40% to 8.7 billion")
    out["approximate"] = approximate_flags(
        out["value_as_published"],
        [out["quote"], out["definition"]],
        marker=out["definition"].str.match(r"(?i)^\s*approximate\b"),
    )
    key = ["series_id", "entity", "period"]
    # conflict: disagreement beyond the rounding of the coarser figure, a lower bound
    # not met, or a documented disagreement (CONFLICT in the definition)
    out["conflict"] = conflict_flags(
        out,
        key,
        value="value",
        published="value_as_published",
        marker=out["definition"].str.contains("CONFLICT", regex=False),
    )
    out = out.sort_values([*key, "source_row"], kind="stable").reset_index(drop=True)
    out["source_row"] = out["source_row"].astype("int64")

    summary = RowAccounting.of_masks(
        "published_figures",
        n_input,
        ok,
        bad,
        dup,
        len(out),
        notes=(
            f"{int(out['lower_bound'].sum())} lower bounds, {int(out['approximate'].sum())} "
            f"approximate, {int(out['conflict'].sum())} rows in conflicting groups",
        ),
    )
    return Cleaned(out, quarantine, summary)
