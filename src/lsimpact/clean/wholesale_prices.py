"""Wholesale market quotes -> the table ``wholesale_prices``.

Chinese agricultural wholesale markets publish daily quotes with the columns 品名, 最低价,
平均价, 最高价, 规格, 产地, 单位, 发布日期 (English names accepted: product, price_low,
price_avg, price_high, spec, origin, unit, date). The output keeps one row per quote:

``product, spec, origin, date, price_low, price_avg, price_high, price_unit,
unit_as_written, source_row``

Prices are in **yuan per** ``price_unit``:

* weight units become ``kg``: 斤 (500 g) prices are doubled, 公斤 / 千克 / kg kept as
  they are ("元/斤" and "元/公斤" are read the same way);
* per-piece units (个, 盒, 袋, 箱, 只, 把, ...) become ``item`` and are never turned into
  kg (a box has no weight in the quote);
* any other unit is quarantined with the list of known units.

The same product may be quoted twice on one day with different prices and no
distinguishing spec (two stalls, two grades): both rows are kept. Exact duplicate rows
are dropped (counted). Low above average, average above high, negative, zero or missing
prices, unreadable dates and empty product names go to the quarantine.
"""

from __future__ import annotations

from collections.abc import Mapping

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
from ..io import normalise_headers
from ..parse import parse_datetime, parse_money
from .live_sessions import text_key

__all__ = ["ALIASES", "COLUMNS", "UNITS", "clean_quotes"]

COLUMNS = [
    "product",
    "spec",
    "origin",
    "date",
    "price_low",
    "price_avg",
    "price_high",
    "price_unit",
    "unit_as_written",
    "source_row",
]

#: Header spellings of market quote tables.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "product": ("品名", "品种", "商品名称", "产品名称", "name", "product_name", "variety"),
    "price_low": ("最低价", "最低价格", "low", "min", "min_price", "lowest_price", "low_price"),
    "price_avg": ("平均价", "平均价格", "均价", "avg", "mean", "average", "avg_price",
                  "average_price", "mean_price"),
    "price_high": ("最高价", "最高价格", "high", "max", "max_price", "highest_price",
                   "high_price"),
    "spec": ("规格", "等级", "specification", "grade"),
    "origin": ("产地", "origin_place", "place_of_origin", "producing_area"),
    "unit": ("单位", "计价单位", "unit_of_price", "price_unit_as_written"),
    "date": ("发布日期", "日期", "发布时间", "报价日期", "release_date", "published",
             "published_at", "quote_date"),
}  # fmt: skip

#: Unit as written (after removing a leading "元/") -> (price_unit, factor to yuan per it).
UNITS: dict[str, tuple[str, float]] = {
    "斤": ("kg", 2.0),
    "市斤": ("kg", 2.0),
    "500g": ("kg", 2.0),
    "公斤": ("kg", 1.0),
    "千克": ("kg", 1.0),
    "kg": ("kg", 1.0),
    **{
        u: ("item", 1.0)
        for u in ("个", "盒", "袋", "箱", "只", "把", "件", "头", "条", "尾", "瓶", "捆", "扎")
    },
}
_REQUIRED = ("product", "price_low", "price_avg", "price_high", "unit", "date")


def _headers(raw: pd.DataFrame) -> pd.DataFrame:
    out = normalise_headers(raw, dict(ALIASES))
    require_columns(
        out,
        _REQUIRED,
        what="the quote table",
        expected="columns 品名, 最低价, 平均价, 最高价, 单位, 发布日期 (optional 规格, 产地); "
        "or product, price_low, price_avg, price_high, unit, date, spec, origin",
        hint="rename the header(s)",
        path=raw.attrs.get("source_path"),
    )
    for c in ("spec", "origin"):
        if c not in out.columns:
            out[c] = ""
    return out


def clean_quotes(raw: pd.DataFrame, *, tz: str = "Asia/Shanghai") -> Cleaned:
    """Clean wholesale market quotes (see the module docstring).

    Parameters
    ----------
    raw
        The quote table as strings.
    tz
        Time zone of the publication date (times with an offset are converted to it).

    Returns
    -------
    Cleaned
        :data:`COLUMNS`, the quarantine and the row accounting.
    """
    n_in = len(raw)
    df = _headers(raw)[list(ALIASES)].copy()
    df["source_row"] = source_rows(raw).to_numpy()
    dup = df.drop(columns="source_row").duplicated(keep="first").to_numpy()
    df = df.loc[~dup]

    product = text_key(df["product"])
    unit_written = text_key(df["unit"])
    unit_key = unit_written.str.lower().str.replace(" ", "", regex=False)
    unit_key = unit_key.str.replace(r"^(?:元|¥)/", "", regex=True)
    conv = unit_key.map(lambda u: UNITS.get(u, (None, np.nan)))
    price_unit = conv.str[0]
    factor = conv.str[1].astype(float).to_numpy()
    prices = {c: parse_money(df[c]) for c in ("price_low", "price_avg", "price_high")}
    date = parse_datetime(df["date"], tz=tz)
    problems = [(product.eq(""), "product", "product name (品名) missing")]
    for c, p in prices.items():
        problems.append((p["error"].notna(), c, "price not readable (" + p["error"] + ")"))
    for c, p in prices.items():
        problems.append((p["value"].eq(0), c, "price is 0"))
    low, avg, high = (prices[c]["value"] for c in ("price_low", "price_avg", "price_high"))
    problems += [
        (low > avg, "price_low", "lowest price above the average price"),
        (avg > high, "price_high", "average price above the highest price"),
        (unit_written.eq(""), "unit", "unit (单位) missing"),
        (
            price_unit.isna(),
            "unit",
            f"unknown unit (known: {', '.join(UNITS)}; '元/斤' also works)",
        ),
        (date["error"].notna(), "date", "date not readable (" + date["error"] + ")"),
    ]
    parts, bad = first_problems(df, problems)
    quarantine = concat_quarantine(parts)

    ok = ~bad.to_numpy()
    day = date["value"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    out = pd.DataFrame(
        {
            "product": product[ok].to_numpy(dtype=object),
            "spec": text_key(df["spec"])[ok].to_numpy(dtype=object),
            "origin": text_key(df["origin"])[ok].to_numpy(dtype=object),
            "date": day[ok].to_numpy().astype("datetime64[ns]"),
            "price_low": low[ok].to_numpy() * factor[ok],
            "price_avg": avg[ok].to_numpy() * factor[ok],
            "price_high": high[ok].to_numpy() * factor[ok],
            "price_unit": price_unit[ok].to_numpy(dtype=object),
            "unit_as_written": unit_written[ok].to_numpy(dtype=object),
            "source_row": df.loc[ok, "source_row"].to_numpy(dtype="int64"),
        }
    )
    out = out.sort_values(["date", "product", "source_row"], kind="stable").reset_index(drop=True)
    text = ["product", "spec", "origin", "price_unit", "unit_as_written"]
    out[text] = out[text].astype("str")  # also when empty
    n_item = int((out["price_unit"] == "item").sum())
    summary = RowAccounting.of_masks(
        "wholesale_prices",
        n_in,
        ok,
        bad,
        dup,
        len(out),
        notes=(
            f"{len(out) - n_item} quotes per kg (斤 prices x 2), {n_item} per item (never "
            "converted to kg)",
            "same product quoted twice a day with different prices: both rows kept",
        ),
    )
    return Cleaned(out[COLUMNS], quarantine, summary, {"tz": tz})
