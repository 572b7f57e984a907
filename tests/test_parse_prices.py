"""parse_pack and parse_price: every written form, hand-computed values, reasons, round trips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lsimpact.parse import (
    COUNTER_WORDS,
    FULLWIDTH_TABLE,
    MASS_UNITS,
    VOLUME_UNITS,
    parse_pack,
    parse_price,
)


def _wide(text: str) -> str:
    inverse = {v: k for k, v in FULLWIDTH_TABLE.items() if 0xFF01 <= k <= 0xFF5E}
    return text.translate(inverse)


# --- parse_pack ----------------------------------------------------------------------------
PACK_CASES = [
    # written, quantity, base_unit, pieces, piece_unit
    ("500g", 500, "g", 1, None),
    ("1.5kg", 1500, "g", 1, None),
    ("1公斤", 1000, "g", 1, None),
    ("1千克", 1000, "g", 1, None),
    ("250克", 250, "g", 1, None),
    ("2斤", 1000, "g", 1, None),  # 1 斤 = 500 g
    ("3两", 150, "g", 1, None),  # 1 两 = 50 g
    ("5斤装", 2500, "g", 1, None),
    ("400g*2", 800, "g", 2, None),
    ("400g×2袋", 800, "g", 2, "袋"),
    ("400gx2", 800, "g", 2, None),
    ("2袋×500g", 1000, "g", 2, "袋"),
    ("2*400g", 800, "g", 2, None),
    ("净含量1.2kg", 1200, "g", 1, None),
    ("净含量：1.2 KG", 1200, "g", 1, None),
    ("1L", 1000, "ml", 1, None),
    ("1升", 1000, "ml", 1, None),
    ("500ml", 500, "ml", 1, None),
    ("500毫升*6瓶", 3000, "ml", 6, "瓶"),
    ("12只装", 12, "item", 12, "只"),
    ("3盒", 3, "item", 3, "盒"),
    ("12只装*2", 24, "item", 24, "只"),
    ("500g/袋", 500, "g", 1, "袋"),
    ("1,000g", 1000, "g", 1, None),
    ("５００ｇ", 500, "g", 1, None),  # full-width digits and letters
    ("１．５ＫＧ", 1500, "g", 1, None),
    ("４００ｇ＊２", 800, "g", 2, None),
    (" 400 g x 2 ", 800, "g", 2, None),
]


@pytest.mark.parametrize(("raw", "qty", "base", "pieces", "word"), PACK_CASES)
def test_parse_pack_forms(raw, qty, base, pieces, word):
    out = parse_pack(pd.Series([raw])).iloc[0]
    assert out["error"] is None, out["error"]
    assert out["quantity"] == pytest.approx(qty, rel=1e-12)
    assert out["base_unit"] == base
    assert out["pieces"] == pieces
    assert out["piece_unit"] == word


PACK_ERRORS = [
    (None, "missing"),
    ("", "missing"),
    ("--", "missing"),
    ("500", "no unit"),
    ("500lb", "unknown unit"),
    ("2oz", "unknown unit"),
    ("400-500g", "a range, not one size"),
    ("400g~500g", "a range, not one size"),
    ("约500g", "approximate size, not one size"),
    ("500g左右", "approximate size, not one size"),
    ("1.5盒", "not a whole number of items"),
    ("0g", "zero size"),
    ("abc", "not a pack size"),
    ("6瓶*2箱", "not a pack size"),  # which is the item?
    ("2袋×500g×3", "not a pack size"),  # a multiplier on each side
    ("500g(2袋)", "not a pack size"),
    ("22-24头", "a range, not one size"),  # a seafood grade, not a pack
]


@pytest.mark.parametrize(("raw", "reason"), PACK_ERRORS)
def test_parse_pack_refuses_with_reason(raw, reason):
    out = parse_pack(pd.Series([raw], dtype=object)).iloc[0]
    assert out["error"] == reason
    assert np.isnan(out["quantity"]) and out["base_unit"] is None


def test_parse_pack_aligned_and_distinct_cells_parsed_once():
    s = pd.Series(["2斤", "bad", "2斤"] * 700, index=np.arange(2100) * 3)
    out = parse_pack(s)
    assert out.index.equals(s.index)
    assert (out["quantity"].iloc[::3] == 1000).all()
    assert (out["error"].iloc[1::3] == "not a pack size").all()


_UNITS = st.sampled_from(
    [(u, "g", f) for u, f in MASS_UNITS.items()] + [(u, "ml", f) for u, f in VOLUME_UNITS.items()]
)


@given(
    number=st.decimals(min_value="0.01", max_value="99999", places=2),
    unit=_UNITS,
    times=st.none() | st.integers(min_value=1, max_value=48),
    word=st.none() | st.sampled_from(COUNTER_WORDS),
    first=st.booleans(),
    wide=st.booleans(),
    prefix=st.sampled_from(["", "净含量", "规格:"]),
)
def test_parse_pack_round_trip(number, unit, times, word, first, wide, prefix):
    name, base, factor = unit
    text = f"{number.normalize():f}{name}"
    if times is not None:
        mult = f"{times}{word or ''}"
        text = f"{mult}×{text}" if first else f"{text}*{mult}"
    text = prefix + text
    if wide:
        text = _wide(text)
    out = parse_pack(pd.Series([text])).iloc[0]
    assert out["error"] is None, text
    assert out["base_unit"] == base
    expected = float(number) * factor * (times or 1)
    assert out["quantity"] == pytest.approx(expected, rel=1e-9)
    assert out["pieces"] == (times or 1)


@given(count=st.integers(min_value=1, max_value=500), word=st.sampled_from(COUNTER_WORDS))
def test_parse_pack_counts_round_trip(count, word):
    out = parse_pack(pd.Series([f"{count}{word}装"])).iloc[0]
    assert out["error"] is None
    assert (out["quantity"], out["base_unit"], out["piece_unit"]) == (count, "item", word)


@given(st.lists(st.one_of(st.text(max_size=12), st.none()), max_size=20))
def test_parse_pack_never_raises_and_never_half_answers(cells):
    out = parse_pack(pd.Series(cells, dtype=object))
    assert len(out) == len(cells)
    ok = out["error"].isna()
    assert (out.loc[ok, "quantity"] > 0).all()
    assert out.loc[ok, "base_unit"].isin(["g", "ml", "item"]).all()
    assert out.loc[~ok, "quantity"].isna().all()


# --- parse_price ---------------------------------------------------------------------------
PRICE_CASES = [
    # written, pack, list price, quantity, value, unit, form
    ("¥88", None, None, None, 88.0, "item", "amount"),
    ("88元", "2斤", None, None, 88.0, "kg", "amount"),  # 88 for 1 kg
    ("￥88.00", "500g", None, None, 176.0, "kg", "amount"),
    ("1.2万元", "12只装", None, None, 1000.0, "item", "amount"),
    ("88.5元/斤", None, None, None, 177.0, "kg", "unit_price"),
    ("¥12.8/500g", "1kg", None, None, 25.6, "kg", "unit_price"),  # pack not needed
    ("9.9元每100ml", None, None, None, 99.0, "l", "unit_price"),
    ("2斤88元", None, None, None, 88.0, "kg", "unit_price"),
    ("¥5/只", "12只装", None, None, 5.0, "item", "multi_buy"),  # a piece of the pack
    ("2件88", None, None, None, 44.0, "item", "multi_buy"),
    ("2件88", "500g", None, None, 88.0, "kg", "multi_buy"),  # 44 per 500 g
    ("两件88元", None, None, None, 44.0, "item", "multi_buy"),
    ("3瓶共99", "500ml", None, None, 66.0, "l", "multi_buy"),
    ("88元/2件", "12只装", None, None, 88 / 24, "item", "multi_buy"),  # two packs of 12
    ("8折", None, "100", None, 80.0, "item", "discount"),
    ("8折", "500g", "¥128", None, 204.8, "kg", "discount"),
    ("8.5折", None, "100", None, 85.0, "item", "discount"),
    ("85折", None, "100", None, 85.0, "item", "discount"),
    ("打9折", None, "100", None, 90.0, "item", "discount"),
    ("8折", None, "25元/斤", None, 40.0, "kg", "discount"),  # a share of a unit price
    ("第二件半价", None, "100", 2, 75.0, "item", "second_item"),
    ("第二件半价", None, "100", 1, 100.0, "item", "second_item"),
    ("第二件半价", "500g", "128", 2, 192.0, "kg", "second_item"),
    ("第二件8折", None, "100", 2, 90.0, "item", "second_item"),
    ("买一送一", None, "100", 2, 50.0, "item", "second_item"),
    ("第2件0元", None, "100", 2, 50.0, "item", "second_item"),
    ("８８元", None, None, None, 88.0, "item", "amount"),
]


@pytest.mark.parametrize(("raw", "pack", "lst", "qty", "value", "unit", "form"), PRICE_CASES)
def test_parse_price_forms(raw, pack, lst, qty, value, unit, form):
    out = parse_price(
        pd.Series([raw]),
        list_price=None if lst is None else pd.Series([lst]),
        pack=None if pack is None else pd.Series([pack]),
        quantity=qty,
    ).iloc[0]
    assert out["error"] is None, out["error"]
    assert out["value"] == pytest.approx(value, rel=1e-12)
    assert out["price_unit"] == unit
    assert out["form"] == form


PRICE_ERRORS = [
    ("", None, None, None, "missing"),
    ("¥88起", None, None, None, "a lower bound ('起', '以上'), not a price"),
    ("88-99元", None, None, None, "a range, not one price"),
    ("$10", None, None, None, "not in yuan"),
    ("abc", None, None, None, "not a price"),
    ("0折", None, "100", None, "not a discount (expected 1折 to 10折, e.g. 8折, 8.5折)"),
    ("8折", None, None, None, "a discount (折) needs the list price"),
    ("8折", None, "", None, "a discount (折) needs the list price"),
    ("8折", None, "8折", None, "list price not readable (a discount (折) needs the list price)"),
    ("第二件半价", None, None, 2, "a second-item offer needs the list (base) price"),
    (
        "第二件半价",
        None,
        "100",
        None,
        "a second-item offer: the price per item depends on the quantity bought (not given)",
    ),
    (
        "第二件半价",
        None,
        "100",
        3,
        "a second-item offer: the price of more than two items is not stated",
    ),
    ("88元", "约500g", None, None, "pack size not readable (approximate size, not one size)"),
    ("88元", "", None, None, "pack size not readable (missing)"),
    ("88元/磅", None, None, None, "unit not readable (unknown unit)"),
    ("88元元/斤", None, None, None, "amount not readable (not an amount)"),
    ("abc/斤", None, None, None, "not a price"),
]


@pytest.mark.parametrize(("raw", "pack", "lst", "qty", "reason"), PRICE_ERRORS)
def test_parse_price_refuses_with_reason(raw, pack, lst, qty, reason):
    out = parse_price(
        pd.Series([raw]),
        list_price=None if lst is None else pd.Series([lst]),
        pack=None if pack is None else pd.Series([pack]),
        quantity=qty,
    ).iloc[0]
    assert out["error"] == reason
    assert np.isnan(out["value"]) and out["price_unit"] is None


def test_parse_price_numbers_and_alignment():
    s = pd.Series([88.0, np.nan, 12.5], index=[10, 20, 30])
    out = parse_price(s, pack=pd.Series(["1kg", "1kg", "500g"], index=s.index))
    assert out.index.equals(s.index)
    assert out["value"].iloc[0] == 88.0 and out["value"].iloc[2] == 25.0
    assert out["error"].iloc[1] == "missing"


def test_parse_price_weight_unit_price_ignores_unreadable_pack():
    out = parse_price(pd.Series(["88.5元/斤"]), pack=pd.Series(["?"])).iloc[0]
    assert out["value"] == pytest.approx(177.0) and out["error"] is None


@given(
    yuan=st.decimals(min_value="0.01", max_value="9999", places=2),
    grams=st.integers(min_value=1, max_value=5000),
    n=st.integers(min_value=1, max_value=9),
)
def test_parse_price_round_trip(yuan, grams, n):
    y = float(yuan)
    out = parse_price(
        pd.Series([f"¥{yuan}", f"{yuan}元/{grams}g", f"{n}件{yuan}元"]),
        pack=pd.Series([f"{grams}g"] * 3),
    )
    assert out["error"].isna().all()
    per_kg = y / grams * 1000
    assert out["value"].tolist() == pytest.approx([per_kg, per_kg, per_kg / n], rel=1e-9)
    assert (out["price_unit"] == "kg").all()


@given(st.lists(st.one_of(st.text(max_size=10), st.none()), max_size=15))
def test_parse_price_never_raises(cells):
    out = parse_price(pd.Series(cells, dtype=object), list_price="100", quantity=2)
    assert len(out) == len(cells)
    ok = out["error"].isna()
    assert out.loc[ok, "price_unit"].isin(["kg", "l", "item"]).all()
    assert out.loc[~ok, "value"].isna().all()
