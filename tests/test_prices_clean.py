"""prices_daily, live_sessions, wholesale_prices: hand-computed values, alignment, quarantine
reasons, row accounting, the CLI on good and bad files (fixtures in tests/data/prices/)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lsimpact import cli, datasets, schemas
from lsimpact.clean import live_sessions, prices, wholesale_prices
from lsimpact.errors import InputError
from lsimpact.io import read_table

DATA = Path(__file__).parent / "data" / "prices"
OBS, SESSIONS, QUOTES = DATA / "observations.csv", DATA / "sessions.csv", DATA / "wholesale.csv"


def _accounted(c):
    s = c.summary.check()
    assert s.input_rows == s.used_rows + s.quarantined_rows + s.duplicate_rows
    assert s.quarantined_rows == len(c.quarantine) == c.quarantine["source_row"].nunique()
    return s


def _reason(q, row):
    r = q[q["source_row"] == row]
    assert len(r) == 1, q
    return r.iloc[0]


# --- prices_daily --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cleaned():
    return prices.clean_observations(read_table(OBS), read_table(SESSIONS))


def test_prices_accounting_adds_up(cleaned):
    s = _accounted(cleaned)
    assert (s.input_rows, s.used_rows, s.quarantined_rows, s.duplicate_rows) == (15, 7, 7, 1)
    assert s.output_rows == len(cleaned.data) == 6
    # every raw row is in the table (as a used observation) or the quarantine, or a duplicate
    schemas.validate(cleaned.data, schemas.prices_daily(), dataset="prices_daily")


def _day(d, pid, channel):
    r = d[(d["product_id"] == pid) & (d["channel"] == channel)]
    assert len(r) == 1, r
    return r.iloc[0]


def test_prices_unit_prices_by_hand(cleaned):
    d = cleaned.data
    live = _day(d, "P1", "东方甄选直播间")
    # last observation of the day (21:30, ¥98 for 500 g), not the 20:00 one (¥88)
    assert live["paid_unit_price"] == pytest.approx(196.0)
    assert live["list_unit_price"] == pytest.approx(256.0)  # ¥128 per 500 g
    assert (live["n_observations"], live["source_row"]) == (2, 3)
    assert live["price_unit"] == "kg" and live["pack_quantity"] == 500 and live["pack_unit"] == "g"
    assert live["units_sold"] == 13_000  # 1.3万
    assert live["channel_type"] == "live"
    store = _day(d, "P1", "海鲜坊旗舰店")
    assert store["paid_unit_price"] == pytest.approx(236.0) and store["channel_type"] == "store"
    # 2件88 for a 2 L bottle: 44 yuan per 2 l; 8折 of 59.9 for 2 l
    assert _day(d, "P2", "东方甄选直播间")["paid_unit_price"] == pytest.approx(22.0)
    assert _day(d, "P2", "白猫旗舰店")["paid_unit_price"] == pytest.approx(59.9 * 0.8 / 2)
    assert _day(d, "P2", "白猫旗舰店")["price_unit"] == "l"
    rice = _day(d, "P4", "稻香旗舰店")  # 5.98元/斤, no list price
    assert rice["paid_unit_price"] == pytest.approx(11.96) and np.isnan(rice["list_unit_price"])


def test_prices_alignment_by_name_brand_pack(cleaned):
    # row 5 has no product_id; "冻虾仁 " + 海鲜坊 + 0.5kg is P1's name, brand and 500 g
    other = _day(cleaned.data, "P1", "其他平台店")
    assert other["source_row"] == 5 and other["channel_type"] == "other"
    assert other["paid_unit_price"] == pytest.approx(216.0)
    assert "1 to an existing product_id" in " ".join(cleaned.summary.notes)


def test_prices_quarantine_reasons(cleaned):
    q = cleaned.quarantine
    assert _reason(q, 8)["column"] == "paid_price"
    assert "second_item_quantity" in _reason(q, 8)["reason"]
    assert _reason(q, 11)["reason"] == "time not readable (relative date needs a reference time)"
    assert "lower bound" in _reason(q, 12)["reason"]
    assert _reason(q, 13)["column"] == "channel"
    assert _reason(q, 14)["column"] == "channel_type" and _reason(q, 14)["raw_value"] == "商场"
    assert _reason(q, 15)["column"] == "pack" and "approximate" in _reason(q, 15)["reason"]
    assert _reason(q, 16)["reason"] == "paid price not readable (not a price)"


def test_prices_promoted_from_sessions(cleaned):
    d = cleaned.data.set_index(["product_id", "channel"])["promoted"]
    assert d[("P1", "东方甄选直播间")] is True or bool(d[("P1", "东方甄选直播间")])
    assert bool(d[("P2", "东方甄选直播间")])
    assert not bool(d[("P1", "海鲜坊旗舰店")])  # sessions are per channel
    assert "promoted from the session calendar" in cleaned.summary.notes[0]


def test_second_item_quantity_option_prices_the_offer():
    c = prices.clean_observations(read_table(OBS), second_item_quantity=2)
    mask = c.data["product_id"] == "P3"
    assert mask.sum() == 1
    # 第二件半价 on 199 for 10 pieces: two packs cost 1.5 x 199 -> 0.75 x 19.9 per piece
    assert c.data.loc[mask, "paid_unit_price"].iloc[0] == pytest.approx(0.75 * 19.9)
    assert c.data.loc[mask, "price_unit"].iloc[0] == "item"
    # no calendar, no promoted column: unknown, not False
    assert c.data["promoted"].isna().all()
    _accounted(c)


def _frame(rows, columns):
    return pd.DataFrame(rows, columns=columns, dtype=object).astype(str)


COLS = ["product_id", "product_name", "brand", "channel", "channel_type", "observed_at",
        "list_price", "paid_price", "pack"]  # fmt: skip


def test_prices_unit_and_channel_type_minorities_and_ambiguous_names():
    raw = _frame(
        [
            ["A", "Tea", "X", "shop", "store", "2024-01-01 10:00", "", "50", "250g"],
            ["A", "Tea", "X", "shop", "store", "2024-01-02 10:00", "", "50", "250g"],
            ["A", "Tea", "X", "room", "live", "2024-01-02 10:00", "", "¥10/包", "2包"],
            ["B", "Tea", "X", "room", "live", "2024-01-02 11:00", "", "45", "250g"],
            ["C", "Tea", "X", "room", "store", "2024-01-02 12:00", "", "40", "250g"],
            ["", "Tea", "X", "other", "other", "2024-01-02 12:00", "", "40", "250g"],
            ["", "Green tea", "X", "other", "other", "2024-01-02 12:00", "", "30", "0.25kg"],
            ["", "Green  Tea", "X", "other", "other", "2024-01-03 12:00", "", "33", "250克"],
            ["", "Green tea", "X", "other", "other", "2024-01-03 12:00", "", "30", ""],
        ],
        COLS,
    )
    raw.loc[8, "pack"] = ""
    c = prices.clean_observations(raw)
    s = _accounted(c)
    q = c.quarantine.set_index("source_row")
    assert q.loc[4, "reason"] == "price per item where this product's other rows are per kg"
    assert q.loc[6, "column"] == "channel_type"  # "room" is live in its other rows
    assert q.loc[7, "reason"] == "name + brand + pack match several product_ids: cannot align"
    assert q.loc[10, "reason"].startswith("paid price not readable (pack size not readable")
    d = c.data
    green = d[d["product_id"].str.startswith("name:")]
    # "Green tea" and "Green  Tea" with 0.25kg / 250克 are one product under a name: key
    assert green["product_id"].nunique() == 1 and len(green) == 2
    assert green["paid_unit_price"].tolist() == pytest.approx([120.0, 132.0])
    assert s.output_rows == len(d) == 2 + 1 + 2  # A (2 days), B, green (2 days)


def test_prices_promoted_column_and_session_midnight():
    raw = _frame(
        [
            ["A", "Tea", "X", "room", "live", "2024-01-01 23:30", "", "50", "250g", "是"],
            ["A", "Tea", "X", "room", "live", "2024-01-02 10:00", "", "50", "250g", "否"],
            ["A", "Tea", "X", "room", "live", "2024-01-03 10:00", "", "50", "250g", "maybe"],
        ],
        [*COLS, "promoted"],
    )
    c = prices.clean_observations(raw)
    assert c.data["promoted"].tolist() == [True, False]
    assert c.quarantine.iloc[0]["column"] == "promoted"
    # a session 2024-01-01 22:00 -> 2024-01-02 00:00 covers Jan 1 only
    cal = pd.DataFrame(
        {
            "session_id": ["S"],
            "channel": ["room"],
            "start": ["2024-01-01 22:00"],
            "end": ["2024-01-02 00:00"],
            "product_id": ["A"],
        }
    )
    c = prices.clean_observations(raw.iloc[:2], cal)
    assert c.data["promoted"].tolist() == [True, False]


def test_prices_missing_columns_and_nothing_usable():
    with pytest.raises(InputError, match="lack column"):
        prices.clean_observations(pd.DataFrame({"商品ID": ["A"], "到手价": ["1"]}))
    raw = _frame([["A", "Tea", "X", "room", "live", "soon", "", "50", "250g"]], COLS)
    with pytest.raises(InputError, match="no price observation could be used"):
        prices.clean_observations(raw)


# --- live_sessions -------------------------------------------------------------------------
def test_sessions_values_and_reasons():
    c = live_sessions.clean_sessions(read_table(SESSIONS))
    s = _accounted(c)
    assert (s.input_rows, s.used_rows, s.quarantined_rows, s.duplicate_rows) == (9, 3, 5, 1)
    d = c.data
    assert d["duration_hours"].tolist() == [4.0, 4.0, 2.0]
    assert d.loc[2, "start"] == pd.Timestamp("2023-12-15 23:00")
    q = c.quarantine.set_index("source_row")
    assert q.loc[5, "reason"] == "session ends before it starts"
    assert q.loc[6, "reason"] == "end time not readable (missing)"
    assert q.loc[7, "column"] == "product_id"
    assert q.loc[[9, 10], "reason"].eq("session rows disagree on channel, start or end").all()
    schemas.validate(d, schemas.live_sessions(), dataset="live_sessions")


def test_sessions_offsets_are_converted_to_beijing_time():
    cal = pd.DataFrame(
        {
            "场次": ["S"],
            "直播间": ["room"],
            "开播时间": ["2024-01-01T12:00:00Z"],
            "下播时间": ["2024-01-01 22:00"],
            "商品ID": ["A"],
        }
    )
    d = live_sessions.clean_sessions(cal).data
    assert d.loc[0, "start"] == pd.Timestamp("2024-01-01 20:00")
    assert d.loc[0, "duration_hours"] == 2.0


# --- wholesale_prices ----------------------------------------------------------------------
def test_wholesale_values_units_and_reasons():
    c = wholesale_prices.clean_quotes(read_table(QUOTES))
    s = _accounted(c)
    assert (s.input_rows, s.used_rows, s.quarantined_rows, s.duplicate_rows) == (14, 6, 7, 1)
    d = c.data
    shrimp = d[(d["product"] == "南美白对虾") & (d["unit_as_written"] == "斤")]
    # same product, same day, different prices: both kept; 斤 prices doubled to per kg
    assert shrimp["price_avg"].tolist() == [70.0, 72.0]
    assert (shrimp["price_unit"] == "kg").all()
    kg = d[d["unit_as_written"] == "公斤"].iloc[0]
    assert (kg["price_low"], kg["price_avg"], kg["price_high"]) == (60.0, 70.0, 80.0)
    assert d[d["unit_as_written"] == "元/斤"].iloc[0]["price_avg"] == 100.0
    eggs = d[d["product"] == "鸡蛋"].iloc[0]  # per piece: never turned into kg
    assert (eggs["price_avg"], eggs["price_unit"]) == (1.2, "item")
    assert list(d.columns) == wholesale_prices.COLUMNS
    q = c.quarantine.set_index("source_row")
    assert q.loc[8, "reason"] == "lowest price above the average price"
    assert q.loc[9, "reason"] == "average price above the highest price"
    assert q.loc[10, "reason"] == "price not readable (negative amount)"
    assert q.loc[11, "reason"] == "price not readable (missing)"
    assert q.loc[12, "column"] == "unit" and q.loc[12, "reason"].startswith("unknown unit")
    assert q.loc[13, "column"] == "product"
    assert q.loc[14, "reason"] == "date not readable (invalid date)"
    schemas.validate(d, schemas.wholesale_prices(), dataset="wholesale_prices")


def test_wholesale_english_headers():
    raw = pd.DataFrame(
        {
            "product": ["shrimp"],
            "price_low": ["30"],
            "price_avg": ["35"],
            "price_high": ["40"],
            "unit": ["KG"],
            "date": ["2023-12-20"],
        }
    )
    d = wholesale_prices.clean_quotes(raw).data
    assert (d.loc[0, "price_avg"], d.loc[0, "price_unit"], d.loc[0, "spec"]) == (35.0, "kg", "")
    with pytest.raises(InputError, match="price_avg"):
        wholesale_prices.clean_quotes(raw.drop(columns="price_avg"))


# --- registry, clean_file and the CLI ------------------------------------------------------
def test_registered_with_aliases():
    assert datasets.get("prices").name == "prices_daily"
    assert datasets.get("prices_daily").inputs == ("prices_observations", "live_sessions")
    assert datasets.get("live_sessions").inputs == ("live_sessions",)
    assert datasets.get("wholesale_prices").inputs == ("wholesale_quotes",)


def test_clean_file_never_takes_the_shipped_calendar_for_a_user_file(tmp_path):
    c = datasets.clean_file("prices", OBS, tmp_path / "p.parquet")
    assert c.data["promoted"].isna().all()
    c = datasets.clean_file(
        "prices", OBS, tmp_path / "p.parquet", paired={"live_sessions": SESSIONS}
    )
    assert c.data["promoted"].sum() == 2
    written = pd.read_parquet(tmp_path / "p.parquet")
    assert len(written) == 6 and written["paid_unit_price"].gt(0).all()
    q = pd.read_csv(tmp_path / "p.quarantine.csv")
    assert len(q) == 7
    with pytest.raises(InputError, match="no companion file"):
        datasets.clean_file("prices", OBS, paired={"sessions": SESSIONS})


def test_load_with_paired_files_caches_by_their_hash(tmp_path, monkeypatch):
    import lsimpact

    monkeypatch.setenv("LSIMPACT_PROCESSED_DIR", str(tmp_path))
    plain = lsimpact.load("prices", source=OBS)
    with_cal = lsimpact.load("prices", source=OBS, paired={"live_sessions": SESSIONS})
    assert plain["promoted"].isna().all() and with_cal["promoted"].sum() == 2
    assert len(list((tmp_path / "cache").glob("prices_daily-*.parquet"))) == 2


@pytest.mark.parametrize(
    ("name", "path", "rows"),
    [("prices", OBS, 6), ("live_sessions", SESSIONS, 3), ("wholesale_prices", QUOTES, 6)],
)
def test_cli_clean_and_validate(name, path, rows, tmp_path, capsys):
    out = tmp_path / f"{name}.parquet"
    assert cli.main(["clean", name, str(path), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "quarantined rows by reason" in text and f"wrote {out}" in text
    assert len(pd.read_parquet(out)) == rows
    assert cli.main(["validate", name, str(path)]) == 1  # the fixtures hold bad rows
    assert "NOT OK" in capsys.readouterr().out


def test_cli_with_calendar_and_bad_files(tmp_path, capsys):
    out = tmp_path / "p.parquet"
    argv = ["clean", "prices", str(OBS), "-o", str(out), "--with", f"live_sessions={SESSIONS}"]
    assert cli.main(argv) == 0
    assert "promoted from the session calendar" in capsys.readouterr().out
    assert cli.main(["clean", "prices", str(OBS), "-o", str(out), "--with", "nonsense"]) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("名字,价钱\nA,1\n", encoding="utf-8")
    for name in ("prices", "live_sessions", "wholesale_prices"):
        assert cli.main(["validate", name, str(bad)]) == 2
    err = capsys.readouterr().err
    assert "lack" in err and "Traceback" not in err
    good = tmp_path / "good.csv"
    read_table(QUOTES).iloc[:6].to_csv(good, index=False, encoding="gb18030")
    assert cli.main(["validate", "wholesale_prices", str(good)]) == 0
    assert "OK: the file can be cleaned without loss" in capsys.readouterr().out


def test_product_attributes_follow_their_product_whatever_the_row_order():
    rows = [
        [pid, name, brand, "shop", "store", f"2024-01-0{day} 10:00", "", "50", "250g"]
        for day in (2, 1)
        for pid, name, brand in (
            ("Z", "Zucchini", "Zb"),
            ("A", "Apple", "Ab"),
            ("M", "Mango", "Mb"),
        )
    ]
    d = prices.clean_observations(_frame(rows, COLS)).data
    got = d.groupby("product_id")[["product_name", "brand"]].first()
    assert got.to_dict("index") == {
        "A": {"product_name": "Apple", "brand": "Ab"},
        "M": {"product_name": "Mango", "brand": "Mb"},
        "Z": {"product_name": "Zucchini", "brand": "Zb"},
    }


def test_typed_input_from_parquet_or_excel():
    """Numbers and datetimes (a Parquet or typed frame) are read like the strings."""
    raw = pd.DataFrame(
        {
            "product_id": [101, 101, 102],
            "product_name": ["a", "a", "b"],
            "channel": ["s", "s", "s"],
            "channel_type": ["store"] * 3,
            "observed_at": pd.to_datetime(
                ["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-02 00:00"]
            ),
            "list_price": [10.0, np.nan, 5.0],
            "paid_price": [9.0, 8.5, 4.0],
            "pack": ["500g", "500g", "1kg"],
            "units_sold": [10, 20, np.nan],
        }
    )
    c = prices.clean_observations(raw)
    _accounted(c)
    d = schemas.validate(c.data, schemas.prices_daily(), dataset="prices_daily")
    assert d["product_id"].tolist() == ["101", "102"]
    assert d["paid_unit_price"].tolist() == [17.0, 4.0]  # 8.5 per 500 g at 11:00
    assert np.isnan(d.loc[0, "list_unit_price"]) and d.loc[1, "list_unit_price"] == 5.0
    assert d["n_observations"].tolist() == [2, 1] and d.loc[0, "units_sold"] == 20


def test_platform_and_live_room_columns_match_the_calendar_on_the_room():
    raw = pd.DataFrame(
        {
            "商品ID": ["A", "A"],
            "商品名称": ["虾", "虾"],
            "渠道": ["抖音", "抖音"],
            "直播间": ["东方甄选", "东方甄选"],
            "采集时间": ["2024-01-01 20:00", "2024-01-02 20:00"],
            "到手价": ["88", "98"],
            "规格": ["500g", "500g"],
        }
    )
    cal = pd.DataFrame(
        {
            "场次": ["S"],
            "直播间": ["东方甄选"],
            "开播时间": ["2024-01-01 19:00"],
            "下播时间": ["2024-01-01 23:00"],
            "商品ID": ["A"],
        }
    )
    d = prices.clean_observations(raw, cal).data
    assert d["channel"].tolist() == ["抖音/东方甄选"] * 2
    assert d["channel_type"].tolist() == ["live"] * 2  # a live room without a type is live
    assert d["promoted"].tolist() == [True, False]


def test_second_item_quantity_must_be_one_or_two():
    with pytest.raises(InputError, match="second_item_quantity=3"):
        prices.clean_observations(read_table(OBS), second_item_quantity=3)
    # the option travels through load/clean_file like any cleaner option
    c = datasets.clean_file("prices", OBS, second_item_quantity=1)
    p3 = c.data[c.data["product_id"] == "P3"]
    assert p3["paid_unit_price"].tolist() == pytest.approx([19.9])  # one item: the base price


@pytest.mark.parametrize(
    ("clean", "columns", "schema"),
    [
        (
            prices.clean_observations,
            ["product_id", "channel", "channel_type", "observed_at", "paid_price", "pack"],
            schemas.prices_daily,
        ),
        (
            live_sessions.clean_sessions,
            ["session_id", "channel", "start", "end", "product_id"],
            schemas.live_sessions,
        ),
        (
            wholesale_prices.clean_quotes,
            ["product", "price_low", "price_avg", "price_high", "unit", "date"],
            schemas.wholesale_prices,
        ),
    ],
)
def test_header_only_input_gives_a_valid_empty_table(clean, columns, schema):
    c = clean(pd.DataFrame({k: pd.Series([], dtype=str) for k in columns}))
    assert len(c.data) == 0 and _accounted(c).input_rows == 0
    schemas.validate(c.data, schema(), dataset="empty")


def test_equal_price_cells_are_read_per_list_price_and_pack():
    """Prices are parsed once per distinct cell combination: the same "8折" or "第二件半价"
    with another list price or pack must still get its own value (by hand)."""
    rows = [
        ["A", "a", "b", "s", "store", "2024-01-01 10:00", "100", "8折", "500g"],
        ["B", "c", "b", "s", "store", "2024-01-01 10:00", "50", "8折", "500g"],
        ["C", "d", "b", "s", "store", "2024-01-01 10:00", "100", "8折", "1kg"],
        ["D", "e", "b", "s", "store", "2024-01-01 10:00", "100", "第二件半价", "1kg"],
        ["E", "f", "b", "s", "store", "2024-01-01 10:00", "", "8折", "1kg"],
        ["F", "g", "b", "s", "store", "2024-01-01 10:00", "40", "88", "1kg"],
    ]
    c = prices.clean_observations(_frame(rows, COLS), second_item_quantity=2)
    got = dict(zip(c.data["product_id"], c.data["paid_unit_price"], strict=True))
    # 80 % of 100 per 500 g = 160/kg; of 50 per 500 g = 80/kg; of 100 per kg = 80/kg;
    # two items at 100 + 50: 75 per kg; a plain amount ignores the list price
    assert got == pytest.approx({"A": 160.0, "B": 80.0, "C": 80.0, "D": 75.0, "F": 88.0})
    assert (
        _reason(c.quarantine, 6)["reason"]
        == "paid price not readable (a discount (折) needs the list price)"
    )


# --- the cleaner's code paths at scale (reference implementations) ------------------------
def test_categorical_and_text_columns_clean_alike():
    """The reader hands repeating columns over as categoricals (their codes are used as
    they are); any row order, duplicates included, gives what plain strings give."""
    raw = read_table(OBS)
    raw = pd.concat([raw, raw.iloc[[1, 4, 4]]], ignore_index=True)  # exact duplicates
    raw = raw.sample(frac=1.0, random_state=2).reset_index(drop=True)
    sessions = read_table(SESSIONS)
    text = prices.clean_observations(raw, sessions)
    cat = raw.astype({c: "category" for c in raw.columns if c != "observed_at"})
    as_cat = prices.clean_observations(cat, sessions)
    pd.testing.assert_frame_equal(as_cat.data, text.data, check_exact=True)
    pd.testing.assert_frame_equal(as_cat.quarantine, text.quarantine, check_exact=True)
    assert as_cat.summary.as_dict() == text.summary.as_dict()
    assert text.summary.duplicate_rows == int(raw.duplicated().sum()) >= 3


def test_last_of_day_matches_a_sort_by_cell_time_and_row():
    """The day's value: the latest time, then the latest source row, then the last row of
    the file, per (product, channel, day), against one lexsort of all of it."""
    rng = np.random.default_rng(3)
    n = 5000
    product = rng.integers(0, 30, n).astype(np.int32)
    channel = rng.integers(0, 4, n).astype(np.int32)
    # few distinct times (ties) over a few days; source rows with repeats
    t_ns = (rng.integers(0, 6, n) * 86_400 + rng.integers(0, 3, n) * 3600) * 10**9
    src = rng.integers(2, 2000, n).astype(np.int32)
    promoted = rng.integers(-1, 2, n).astype(np.int8)
    use = np.flatnonzero(rng.random(n) < 0.8)
    pick, days, n_obs, prom = prices._last_of_day(
        product, channel, t_ns, src, use, (promoted, np.zeros(n, bool), np.arange(n))
    )
    day = t_ns[use] // (86_400 * 10**9)
    order = np.lexsort((np.arange(len(use)), src[use], t_ns[use], day, channel[use], product[use]))
    key = np.stack([product[use], channel[use], day])[:, order]
    last = np.r_[(key[:, 1:] != key[:, :-1]).any(axis=0), True]
    first = np.r_[True, last[:-1]]
    np.testing.assert_array_equal(pick, use[order][last])
    np.testing.assert_array_equal(days, day[order][last])
    np.testing.assert_array_equal(n_obs, np.diff(np.r_[np.flatnonzero(first), len(order)]))
    np.testing.assert_array_equal(
        prom, pd.Series(promoted[use][order]).groupby(np.cumsum(first)).max().to_numpy()
    )


@pytest.mark.parametrize("dense", [True, False])
def test_mode_codes_is_the_most_frequent_value_smallest_on_ties(dense, monkeypatch):
    """Both ways of counting (a table of counts, hashing the pairs) against value_counts."""
    if not dense:
        monkeypatch.setattr(prices, "_DENSE_MIN", 0)
    rng = np.random.default_rng(4)
    n, n_groups = 3000, 400 if dense else 2000
    group = rng.integers(-1, n_groups - 50, n)  # -1: not counted; the last groups empty
    value = rng.integers(-1, 6 if dense else 50, n)
    got = prices._mode_codes(group, value, n_groups)
    keep = (group >= 0) & (value >= 0)
    ref = np.full(n_groups, -1)
    for g, v in pd.DataFrame({"g": group[keep], "v": value[keep]}).groupby("g")["v"]:
        counts = v.value_counts()
        ref[g] = counts[counts == counts.max()].index.min()
    np.testing.assert_array_equal(got, ref)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", None]),
            st.sampled_from([1.0, 2.0, float("nan")]),
            st.sampled_from(["2024-01-01", "2024-01-02", None]),
        ),
        max_size=12,
    )
)
def test_unique_key_by_codes_agrees_with_duplicated(rows):
    """validate's first looks at a unique key (neighbours of a sorted table; codes and
    one sort) say what pandas says, missing values equal to each other."""
    df = pd.DataFrame(rows, columns=["s", "x", "d"]).astype({"d": "datetime64[ns]"})
    df["s"] = df["s"].astype("str")
    cols = ["s", "x", "d"]
    assert schemas._no_duplicate_keys(df, cols) == (not df.duplicated(cols).any())
    # neighbours in strictly increasing order: never a duplicate; and a table sorted by
    # its key without duplicates or missing values is found so
    if schemas._increasing(df, cols):
        assert not df.duplicated(cols).any()
    full = df.dropna().drop_duplicates(cols).sort_values(cols, ignore_index=True)
    assert schemas._increasing(full, cols)


@pytest.mark.parametrize("top", [1, 2**16 - 1, 2**16, 2**40, 2**60])
def test_stable_order_by_16_bit_digits_is_numpys_stable_argsort(top):
    key = np.random.default_rng(5).integers(0, top + 1, 20_000)
    key[:50] = top  # the largest key, many times
    np.testing.assert_array_equal(prices._stable_order(key), np.argsort(key, kind="stable"))
