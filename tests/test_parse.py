"""lsimpact.parse: hand-checked values, hypothesis round trips, garbage never raises."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lsimpact.parse import (
    FULLWIDTH_TABLE,
    normalise_text,
    parse_count,
    parse_datetime,
    parse_money,
    parse_percent,
)

SH = "Asia/Shanghai"


def _wide(text: str) -> str:
    """ASCII to full-width forms (the inverse of FULLWIDTH_TABLE on printable ASCII)."""
    inverse = {v: k for k, v in FULLWIDTH_TABLE.items() if 0xFF01 <= k <= 0xFF5E}
    return text.translate(inverse)


# --- parse_count ---------------------------------------------------------------------------
COUNT_CASES = [
    # raw, value, precision, lower_bound
    ("2807.5万", 28_075_000, 500, False),
    ("1.2亿", 120_000_000, 5_000_000, False),
    ("3.5w", 35_000, 500, False),
    ("3.5W", 35_000, 500, False),
    ("12k", 12_000, 500, False),
    ("2.8M", 2_800_000, 50_000, False),
    ("1.1B", 1_100_000_000, 50_000_000, False),
    ("1,234", 1_234, 0, False),
    ("２８．５万", 285_000, 500, False),
    ("２，８０７．５万", 28_075_000, 500, False),
    ("10万+", 100_000, 5_000, True),
    ("10w+", 100_000, 5_000, True),
    ("超过10万", 100_000, 5_000, True),
    ("1000以上", 1_000, 0, True),
    (" 3.5 万 ", 35_000, 500, False),
    ("0012", 12, 0, False),
    ("1e3", 1_000, 500, False),
    ("1.23456万", None, None, False),  # 12345.6 is not a whole count
    ("0", 0, 0, False),
    ("1.5千万", 15_000_000, 500_000, False),
    ("3,463万人", 34_630_000, 5_000, False),
    ("34.63 million", 34_630_000, 5_000, False),
    ("超6455万", 64_550_000, 5_000, True),
    ("100余万", 1_000_000, 5_000, True),
    ("100多万人次", 1_000_000, 5_000, True),
    ("more than 40 million", 40_000_000, 500_000, True),
    ("500个", 500, 0, False),
    ("0.36亿", 36_000_000, 500_000, False),
]


@pytest.mark.parametrize(("raw", "value", "precision", "lower"), COUNT_CASES)
def test_parse_count_values(raw, value, precision, lower):
    out = parse_count(pd.Series([raw]))
    if value is None:
        assert np.isnan(out["value"].iloc[0])
        assert out["error"].iloc[0] == "not a whole number"
    else:
        assert out["error"].iloc[0] is None
        assert out["value"].iloc[0] == value
        assert out["precision"].iloc[0] == precision
        assert bool(out["lower_bound"].iloc[0]) is lower


def test_parse_count_errors_and_alignment():
    s = pd.Series(
        ["abc", None, "-", "", "—", "-5", "1万-5万", "1,23", "万", "12345678901234567890", "1.5"],
        index=range(100, 111),
    )
    out = parse_count(s)
    assert list(out.index) == list(s.index)
    assert list(out.columns[:2]) == ["value", "error"]
    assert out["error"].tolist() == [
        "not a count",
        "missing",
        "missing",
        "missing",
        "missing",
        "negative count",
        "a range, not one count",
        "not a count",
        "not a count",
        "too many digits",
        "not a whole number",
    ]
    assert out["value"].isna().all()
    assert not out["lower_bound"].any()
    assert parse_count(pd.Series(["-5"]), allow_negative=True)["value"].iloc[0] == -5


def test_parse_count_numeric_input():
    out = parse_count(pd.Series([3, 2.0, np.nan, -1, 2.5]))
    assert out["value"].iloc[:2].tolist() == [3.0, 2.0]
    assert out["error"].tolist() == [
        None,
        None,
        "missing",
        "negative count",
        "not a whole number",
    ]
    # Mixed objects as read_excel gives them without dtype=str.
    mixed = parse_count(pd.Series([28075000, "2807.5万", 28075000.0], dtype=object))
    assert mixed["value"].tolist() == [28_075_000] * 3


def test_parse_count_empty_series():
    out = parse_count(pd.Series([], dtype="str"))
    assert len(out) == 0
    assert list(out.columns) == ["value", "error", "lower_bound", "approximate", "precision"]


def test_parse_count_approximate():
    out = parse_count(pd.Series(["近50万", "约3万", "about 2 million", "50万"]))
    assert out["value"].tolist() == [500_000, 30_000, 2_000_000, 500_000]
    assert out["approximate"].tolist() == [True, True, True, False]
    assert not out["lower_bound"].any()


COUNT_UNITS_FOR_TEST = [("", 0), ("万", 4), ("w", 4), ("W", 4), ("亿", 8), ("k", 3), ("K", 3),
                        ("M", 6), ("m", 6), ("B", 9)]  # fmt: skip


@given(
    n=st.integers(min_value=0, max_value=10**13),
    unit=st.sampled_from(COUNT_UNITS_FOR_TEST),
    decimals=st.integers(min_value=0, max_value=4),
    commas=st.booleans(),
    wide=st.booleans(),
    plus=st.booleans(),
)
def test_parse_count_round_trip(n, unit, decimals, commas, wide, plus):
    """Any supported way of writing n parses back to within the stated precision."""
    suffix, exp = unit
    decimals = min(decimals, exp)  # "1.23456万" would not be a whole count
    mantissa = n / 10**exp
    text = f"{mantissa:,.{decimals}f}" if commas else f"{mantissa:.{decimals}f}"
    text += suffix + ("+" if plus else "")
    if wide:
        text = _wide(text)
    out = parse_count(pd.Series([text]))
    assert out["error"].iloc[0] is None, text
    value, precision = out["value"].iloc[0], out["precision"].iloc[0]
    assert abs(value - n) <= precision * (1 + 1e-9) + 1e-6 * max(1, n), (text, value, n)
    assert precision == (0 if exp - decimals == 0 else 0.5 * 10 ** (exp - decimals))
    assert bool(out["lower_bound"].iloc[0]) is plus


@given(st.lists(st.one_of(st.text(max_size=12), st.none(), st.integers(), st.floats())))
def test_parsers_never_raise_on_garbage(items):
    """Garbage yields an error per row, never an exception or a dropped row."""
    s = pd.Series(items, dtype=object)
    for parser in (parse_count, parse_money, parse_percent, parse_datetime):
        out = parser(s)
        assert len(out) == len(s)
        failed = out["value"].isna().to_numpy()
        has_error = out["error"].map(lambda e: e is not None).to_numpy(dtype=bool)
        assert (failed == has_error).all(), parser.__name__


# --- parse_datetime ------------------------------------------------------------------------
def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=SH)


DATETIME_CASES = [
    ("2023-12-14 20:31", ts("2023-12-14 20:31"), "minute"),
    ("2023/12/14", ts("2023-12-14"), "day"),
    ("2023.12.14 20:31:05", ts("2023-12-14 20:31:05"), "second"),
    ("2023年12月14日 20时31分", ts("2023-12-14 20:31"), "minute"),
    ("2023年12月14日20时31分05秒", ts("2023-12-14 20:31:05"), "second"),
    ("2023年12月14日 20点", ts("2023-12-14 20:00"), "hour"),
    ("20231214", ts("2023-12-14"), "day"),
    ("２０２３－１２－１４", ts("2023-12-14"), "day"),
    ("1702557060", ts("2023-12-14 20:31"), "second"),
    ("1702557060123", ts("2023-12-14 20:31:00.123"), "subsecond"),
    ("2023-12-14T12:31:00Z", ts("2023-12-14 20:31"), "second"),
    ("2023-12-14T20:31:00.5+08:00", ts("2023-12-14 20:31:00.5"), "subsecond"),
    ("2023-12-14T07:31:00-05:00", ts("2023-12-14 20:31"), "second"),
    ("2023-12-14 20:31:05 +0800", ts("2023-12-14 20:31:05"), "second"),
]


@pytest.mark.parametrize(("raw", "expected", "resolution"), DATETIME_CASES)
def test_parse_datetime_values(raw, expected, resolution):
    out = parse_datetime(pd.Series([raw]))
    assert out["error"].iloc[0] is None, out["error"].iloc[0]
    assert out["value"].iloc[0] == expected
    assert out["resolution"].iloc[0] == resolution
    assert str(out["value"].dtype) == "datetime64[ns, Asia/Shanghai]"


def test_parse_datetime_year_argument():
    s = pd.Series(["12月14日", "12-14 20:31", "2023-01-02"])
    out = parse_datetime(s, year=2024)
    assert out["value"].tolist() == [ts("2024-12-14"), ts("2024-12-14 20:31"), ts("2023-01-02")]
    assert out["year_supplied"].tolist() == [True, True, False]
    per_row = parse_datetime(pd.Series(["1月2日", "3月4日"]), year=pd.Series([2020, 2021]))
    assert per_row["value"].tolist() == [ts("2020-01-02"), ts("2021-03-04")]
    assert parse_datetime(pd.Series(["12月14日"]))["error"].iloc[0] == "no year (pass year=)"


def test_parse_datetime_errors():
    s = pd.Series(
        [
            "2023-02-30",
            "2023-12-14 25:00",
            "3小时前",
            "昨天 20:31",
            "abc",
            None,
            "",
            "2023-12-1420:31",
        ]
    )
    assert parse_datetime(s)["error"].tolist() == [
        "invalid date",
        "invalid time",
        "relative date needs a reference time",
        "relative date needs a reference time",
        "not a date",
        "missing",
        "missing",
        "not a date",
    ]


def test_parse_datetime_other_tz_and_typed_input():
    out = parse_datetime(pd.Series(["2023-12-14 20:31", "2023-12-14T12:31:00Z"]), tz="UTC")
    assert out["value"].tolist() == [
        pd.Timestamp("2023-12-14 20:31", tz="UTC"),
        pd.Timestamp("2023-12-14 12:31", tz="UTC"),
    ]
    epochs = parse_datetime(pd.Series([1702557060, 1702557060123, 5, np.nan]))
    assert epochs["value"].iloc[:2].tolist() == [
        ts("2023-12-14 20:31"),
        ts("2023-12-14 20:31:00.123"),
    ]
    assert epochs["error"].iloc[2:].tolist() == [
        "not an epoch time (2000-2029, in seconds or milliseconds)",
        "missing",
    ]
    typed = parse_datetime(pd.Series(pd.to_datetime(["2023-12-14 20:31", None])))
    assert typed["value"].iloc[0] == ts("2023-12-14 20:31")
    assert typed["error"].tolist() == [None, "missing"]


@given(
    moment=st.datetimes(min_value=dt.datetime(2001, 9, 10), max_value=dt.datetime(2099, 12, 31)),
    style=st.sampled_from(
        [
            "%Y-%m-%d %H:%M",
            "%Y/%m/%d",
            "%Y年%m月%d日 %H时%M分",
            "%Y-%m-%dT%H:%M:%S+08:00",
            "epoch_s",
            "epoch_ms",
            "utc_z",
            "%Y.%m.%d %H:%M:%S",
            "%Y%m%d%H%M",
            "%Y%m%d%H%M%S",
        ]
    ),  # fmt: skip
)
def test_parse_datetime_round_trip(moment, style):
    """Written in any supported style, a Shanghai wall-clock time comes back to its
    resolution (minute, day, second or millisecond)."""
    local = pd.Timestamp(moment).tz_localize(SH)
    # A bare number is epoch time only in 2000-2029 (else it could be a compact stamp).
    assume(not style.startswith("epoch") or local.tz_convert("UTC").year < 2030)
    if style == "epoch_s":
        text, truth = str(int(local.timestamp())), local.floor("s")
    elif style == "epoch_ms":
        text, truth = str(local.value // 1_000_000), local.floor("ms")
    elif style == "utc_z":
        text, truth = local.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"), local.floor("s")
    else:
        text = local.strftime(style)
        unit = "s" if "%S" in style else "min" if "%M" in style else "D"
        truth = local.floor(unit) if unit != "D" else local.normalize()
    out = parse_datetime(pd.Series([text]))
    assert out["error"].iloc[0] is None, text
    assert out["value"].iloc[0] == truth, text


# --- parse_money ---------------------------------------------------------------------------
MONEY_CASES = [
    ("¥88", 88.0, 0.0),
    ("￥88.00", 88.0, 0.0),
    ("88元", 88.0, 0.0),
    ("RMB 128", 128.0, 0.0),
    ("128.5 yuan", 128.5, 0.0),
    ("1.2万元", 12_000.0, 500.0),
    ("99", 99.0, 0.0),
    ("12.34", 12.34, 0.0),
    ("1,288.50元", 1288.5, 0.0),
    ("人民币 5元", 5.0, 0.0),
    ("３９．９元", 39.9, 0.0),
]


@pytest.mark.parametrize(("raw", "value", "precision"), MONEY_CASES)
def test_parse_money_values(raw, value, precision):
    out = parse_money(pd.Series([raw]))
    assert out["error"].iloc[0] is None
    assert out["value"].iloc[0] == value
    assert out["precision"].iloc[0] == precision


def test_parse_money_errors():
    s = pd.Series(["$12", "88-128", "abc", None, "-¥5", "¥88起", "12 HKD"])
    out = parse_money(s)
    assert out["error"].tolist() == [
        "not in yuan",
        "a range, not one amount",
        "not an amount",
        "missing",
        "negative amount",
        None,
        "not in yuan",
    ]
    assert out["lower_bound"].tolist() == [False] * 5 + [True, False]
    assert parse_money(pd.Series(["-¥5", "¥-5"]), allow_negative=True)["value"].tolist() == [-5, -5]
    assert parse_money(pd.Series([88, np.nan]))["error"].tolist() == [None, "missing"]


@given(
    cents=st.integers(min_value=0, max_value=10**12),
    style=st.sampled_from(["¥{}", "￥{}", "{}元", "RMB {}", "{} yuan", "{}", "CNY{}"]),
    grouping=st.booleans(),
)
def test_parse_money_round_trip(cents, style, grouping):
    amount = cents / 100
    number = f"{amount:,.2f}" if grouping else f"{amount:.2f}"
    out = parse_money(pd.Series([style.format(number)]))
    assert out["error"].iloc[0] is None
    assert out["value"].iloc[0] == pytest.approx(amount, rel=1e-12, abs=1e-9)


@given(wan=st.integers(min_value=0, max_value=10**9))
def test_parse_money_wan_round_trip(wan):
    """ "1.2万元" style: within the stated precision of half the last digit."""
    truth = wan * 100  # yuan; written in 万 with two decimals
    text = f"{truth / 10**4:.2f}万元"
    out = parse_money(pd.Series([text]))
    assert abs(out["value"].iloc[0] - truth) <= out["precision"].iloc[0] + 1e-6


# --- parse_percent -------------------------------------------------------------------------
def test_parse_percent_values():
    s = pd.Series(["80%", "80.5 %", "0.805", "８０％", "5‰", "-3.5%", "1.2个百分点", "x", None])
    as_percent = parse_percent(s)
    assert as_percent["value"].iloc[:7].tolist() == [80.0, 80.5, 0.805, 80.0, 0.5, -3.5, 1.2]
    assert as_percent["error"].iloc[7:].tolist() == ["not a percentage", "missing"]
    as_fraction = parse_percent(s, bare="fraction")
    assert as_fraction["value"].iloc[2] == 80.5
    assert as_fraction["value"].iloc[0] == 80.0  # a written % sign wins over bare=
    assert parse_percent(pd.Series([0.25]), bare="fraction")["value"].iloc[0] == 25.0
    with pytest.raises(ValueError):
        parse_percent(s, bare="ratio")


@given(
    tenths_bp=st.integers(min_value=-(10**6), max_value=10**6),
    style=st.sampled_from(["pct_sign", "pct_space", "bare_percent", "bare_fraction"]),
)
def test_parse_percent_round_trip(tenths_bp, style):
    pct = tenths_bp / 1000  # percent with three decimals
    if style == "pct_sign":
        text, bare = f"{pct:.3f}%", "percent"
    elif style == "pct_space":
        text, bare = f"{pct:.3f} %", "percent"
    elif style == "bare_percent":
        text, bare = f"{pct:.3f}", "percent"
    else:
        text, bare = f"{pct / 100:.5f}", "fraction"
    out = parse_percent(pd.Series([text]), bare=bare)
    assert out["error"].iloc[0] is None
    assert out["value"].iloc[0] == pytest.approx(pct, abs=1e-9)


def test_normalise_text():
    out = normalise_text(pd.Series(["２８．５万\u3000", None, " ￥８８ "]))
    assert out.iloc[0] == "28.5万" and out.iloc[2] == "¥88"
    assert pd.isna(out.iloc[1])


# --- fast paths and per-distinct parsing (issue 3 follow-up) -------------------------------
# parse_count / parse_datetime take a shortcut for the dominant forms and parse repeated
# cells once; these tests pin both to the full path, cell by cell, on columns long enough
# (>= 1,000 rows, few distinct cells) to go through every branch.
_FAST_COUNT_CELLS = [
    "2807.5万", "10万+", "1,234", "12K", "1.50", "1.0", "007", "12+", "3.5亿", "2.8m",
    "123456789012345", "1234567890123456", "1.2345678901234567万", "99,999,999,999,999.9",
    "２８．５万", " 10万 ", "约3万", "-5", "1e3", "abc", "", None,
    "２１４７３９", "１，２３４", "１０万＋", "\u3000１２３", "１２３４５６７８９０１２３４５６", "１.５",
]  # fmt: skip


def test_parse_count_fast_path_matches_full_path():
    from lsimpact.parse import _count_fast, _count_full

    rng = np.random.default_rng(0)
    cells = pd.Series(rng.choice(np.array(_FAST_COUNT_CELLS, dtype=object), 3000), dtype="str")
    got = parse_count(cells)
    full = _count_full(pa.array(cells.array).cast(pa.string()), False)
    assert list(full) == list(got.columns)
    for name, col in full.items():
        np.testing.assert_array_equal(got[name].to_numpy(), col)  # NaN == NaN here
    # Hand-checked: the shortcut's own arithmetic, precision and routing of long numbers.
    quick, handled = _count_fast(pa.array(["2807.5万", "10万+", "1.50", "1234567890123456"]))
    assert quick["value"][:2].tolist() == [28_075_000, 100_000]
    assert quick["precision"][:2].tolist() == [500, 5_000]
    assert quick["lower_bound"].tolist() == [False, True, False, False]
    assert quick["error"][2] == "not a whole number"
    assert handled.tolist() == [True, True, True, False]  # 16 digits: full path recounts


def test_parse_datetime_fast_path_matches_full_path():
    from lsimpact.parse import _datetime_full

    cells = [
        "2023-12-14 20:31", "2023/12/14", "2023.12.14 20:31:05", "2023-02-29", "2024-02-29",
        "2023-04-31 10:00", "2023-12-14 24:00", "2023-12-14 23:59:60", "1600-01-01",
        "2023-03-12 02:30", "2023-11-05 01:30", "2023-12-14T20:31Z", "12-14", "nan", None,
        "2023-12-14T20:31:05Z", "2023-12-14T20:31:05+08:00", "2023-12-14T20:31:05-05:30",
        "2023-12-14T20:31:05+15:00", "2023-12-14T20:31:05+08:60", "2023/12/14T20:31:05Z",
        "2023-12-14T23:59:60Z", "2023-12-14 20:31:05Z", "2023-12-14t20:31:05z",
        "2023-12-14T20:31:05+0800", "2023-12-14\u3000", "２０２３-12-14",
    ]  # fmt: skip
    rng = np.random.default_rng(1)
    s = pd.Series(rng.choice(np.array(cells, dtype=object), 2000), dtype="str")
    for tz in (SH, "America/New_York"):
        got = parse_datetime(s, tz=tz)
        full = _datetime_full(pa.array(s.array).cast(pa.string()), None, tz)
        value = pd.Series(full["utc_ns"].view("datetime64[ns]")).dt.tz_localize("UTC")
        assert got["value"].dt.tz_convert("UTC").tolist() == value.tolist()
        assert got["error"].tolist() == full["error"].tolist()
        assert got["resolution"].tolist() == full["resolution"].tolist()
    # The ISO forms with an offset take the shortcut (valid offsets only).
    from lsimpact.parse import _datetime_fast

    iso = ["2023-12-14T20:31:05Z", "2023-12-14T20:31:05-05:30", "2023-12-14T20:31:05+15:00"]
    cols, handled = _datetime_fast(pa.array(iso), SH)
    assert handled.tolist() == [True, True, False]
    assert cols["utc_ns"][1] == pd.Timestamp("2023-12-15 02:01:05", tz="UTC").value
    # Hand-checked values of the shortcut, and a DST gap left to the full path's reason.
    out = parse_datetime(
        pd.Series(["2023-12-14 20:31", "2023-03-12 02:30"] * 600), tz="America/New_York"
    )
    assert out["value"].iloc[0] == pd.Timestamp("2023-12-14 20:31", tz="America/New_York")
    assert out["resolution"].iloc[0] == "minute"
    assert out["error"].iloc[1] == "time does not exist in this time zone"


def test_year_zero_is_an_invalid_date_not_2000():
    from lsimpact.parse import parse_datetime

    out = parse_datetime(pd.Series(["0000-01-01", "0000-01-01 08:00", "2000-01-01"]))
    assert out["error"].tolist()[:2] == ["invalid date", "invalid date"]
    assert out["value"].isna().tolist() == [True, True, False]


def test_array_forms_equal_the_frames():
    """count_arrays and wall_clock_ns (the chunked cleaners' path) give parse_count's
    columns and parse_datetime's values as local wall-clock time, errors included."""
    from lsimpact.parse import count_arrays, wall_clock_ns

    rng = np.random.default_rng(3)
    counts = pd.Series(rng.choice(np.array(_FAST_COUNT_CELLS, dtype=object), 2000), dtype="str")
    frame = parse_count(counts)
    arrays = count_arrays(counts)
    for name in frame.columns:
        np.testing.assert_array_equal(arrays[name], frame[name].to_numpy())
    cells = [
        "2023-12-14 20:31",
        "2023-12-14T12:31:05Z",
        "2023-12-14T20:31:05-05:00",
        "20231214",
        "2023-03-12 02:30",
        "2023年12月14日 8时",
        "abc",
        "",
        None,
        "1702557065",
        "2023-11-05 01:30:00",
        "2023-07-01 12:00:00",
        "2023-12-14T20:31:05+08:00",
    ]  # fmt: skip  (a DST gap and an ambiguous hour in New York, a summer time)
    times = pd.Series(rng.choice(np.array(cells, dtype=object), 3000), dtype="str")
    for tz in (SH, "America/New_York"):
        p = parse_datetime(times, tz=tz)
        ns, error = wall_clock_ns(times, tz)
        want = p["value"].dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[ns]")
        np.testing.assert_array_equal(ns.view("datetime64[ns]"), want.to_numpy())
        assert list(error) == list(p["error"])
    ns, _ = wall_clock_ns(pd.Series(["2023-12-14T12:31:05Z"]), SH)
    assert ns[0] == pd.Timestamp("2023-12-14 20:31:05").value  # UTC -> Beijing
