"""``province_panel``: the province x year panel, typed, with logs and lagged penetration.

The shipped file is synthetic (``lsimpact.synth.province_panel``); a user's real panel in
the same columns replaces it (README, "Your own provincial panel").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import (
    Cleaned,
    RowAccounting,
    concat_quarantine,
    first_problems,
    require_columns,
    source_rows,
)

__all__ = ["PANEL_COLUMNS", "PANEL_NUMERIC", "PROVINCE_CODES", "clean_province_panel"]

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
    require_columns(
        raw,
        PANEL_COLUMNS,
        what="province panel",
        optional=["province_en"],
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
    summary = RowAccounting.of_masks(
        "province_panel",
        n_input,
        ok,
        bad,
        dup,
        len(out),
        notes=(
            f"{out['province_code'].nunique()} provinces, years {out['year'].min()}-{out['year'].max()}",
        ),
    )
    return Cleaned(out, concat_quarantine(parts), summary)
