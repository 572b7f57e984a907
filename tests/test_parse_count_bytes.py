"""parse_count's byte-level shortcut (issue 12): bit-identical to the full path, cell by cell.

``count_arrays`` reads the dominant forms ("2807.5万", "3.5w", "1,234", "10万+", full-width
digits) straight from the column's UTF-8 bytes (``_count_bytes``) and sends every other
cell to the paths that existed before (``_count_columns``: the regex shortcut
``_count_fast``, then the full path ``_count_full``). These tests pin the new path to both
older ones on generated cells of the accepted shapes and on near misses, check its own
arithmetic by hand, and cover the Arrow layouts it reads (slices, nulls, long columns).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from lsimpact.parse import (
    _BLOCK,
    _COUNT_FAST_RE,
    FULLWIDTH_TABLE,
    MAX_COUNT,
    _count_arrays,
    _count_bytes,
    _count_columns,
    _count_fast,
    _count_full,
    _fullwidth_to_ascii,
    _utf8,
    count_arrays,
    parse_count,
)

COLUMNS = ("value", "error", "lower_bound", "approximate", "precision")
_WIDE = {v: k for k, v in FULLWIDTH_TABLE.items() if 0xFF01 <= k <= 0xFF5E}


def _same(got: dict[str, np.ndarray], want: dict[str, np.ndarray], cells: list) -> None:
    """Every column equal cell for cell (NaN == NaN), same dtypes: bit-identical floats."""
    assert list(got) == list(COLUMNS)
    for name in COLUMNS:
        g, w = np.asarray(got[name]), np.asarray(want[name])
        assert g.dtype == w.dtype, name
        if g.dtype == np.float64:  # bit for bit, NaN included
            bad = np.flatnonzero(g.view(np.int64) != w.view(np.int64))
        else:
            bad = np.flatnonzero(g != w)
        assert not len(bad), (name, [(cells[i], g[i], w[i]) for i in bad[:5]])


def _check(cells: list) -> None:
    """The new path (count_arrays) against the old dispatcher and the full path."""
    arr = pa.array(cells, type=pa.string())
    got = count_arrays(pd.Series(cells, dtype=object))
    _same(got, _count_columns(arr, False), cells)
    _same(got, _count_full(arr, False), cells)
    # Cells the byte path takes: the old regex shortcut's values too.
    valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
    quick, handled = _count_bytes(*_utf8(arr), valid)
    rows = np.flatnonzero(handled)
    if len(rows):
        fast, fast_handled = _count_fast(arr.take(pa.array(rows)))
        assert fast_handled.all()
        _same({k: v[rows] for k, v in quick.items()}, fast, [cells[i] for i in rows])


# --- generated cells: the accepted shapes and their near misses ----------------------------
def _digit_run(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=low, max_size=high)


_integer = st.one_of(
    _digit_run(1, 17),  # up to 15 digits accepted; 16 and 17 go to the full path
    st.builds(  # grouped: 1-3 digits, then groups of three
        lambda head, groups: ",".join([head, *groups]),
        _digit_run(1, 3),
        st.lists(_digit_run(3, 3), min_size=1, max_size=5),
    ),
)
_fraction = st.one_of(st.just(""), st.builds(lambda d: "." + d, _digit_run(1, 16)))
_units = ["", "万", "亿", "w", "W", "k", "K", "m", "M", "b", "B"]
# One edit turns a valid cell into a near miss: bad comma groups, two dots, a leading
# "+", "+万" for "万+", a lone unit, a space, full-width or other multibyte characters.
_edits = [",", ".", "+", "万", "亿", "w", "0", "9", " ", "约", "人", "１", "，", "．", "-",
          "é", "\u3000", "e", "万亿", "千", "x"]  # fmt: skip


@st.composite
def count_cells(draw: st.DrawFn) -> str | None:
    """A cell of the shortcut's shapes, often one edit away from it, or anything."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return None
    if kind == 1:  # anything, multibyte garbage included
        return draw(st.text(max_size=12))
    text = draw(_integer) + draw(_fraction) + draw(st.sampled_from(_units))
    text += draw(st.sampled_from(["", "+"]))
    if kind >= 6:  # an edit: insert, replace or delete one character
        at = draw(st.integers(0, len(text)))
        how = draw(st.integers(0, 2))
        new = "" if how == 2 else draw(st.sampled_from(_edits))
        text = text[:at] + new + text[at + (how > 0) :]
    if draw(st.integers(0, 4)) == 0:  # full-width forms of some characters, or all
        chars = list(text)
        for i in draw(st.lists(st.integers(0, max(len(chars) - 1, 0)), max_size=len(chars))):
            if i < len(chars):
                chars[i] = chars[i].translate(_WIDE)
        text = "".join(chars)
    return text


@given(st.lists(count_cells(), max_size=40))
def test_byte_path_equals_old_paths_on_generated_cells(cells):
    _check(cells)


@given(
    st.lists(
        st.builds(
            lambda n, frac, unit, plus: f"{n}{frac}{unit}{plus}",
            st.integers(0, 10**16),
            st.sampled_from(
                [
                    "",
                    ".0",
                    ".5",
                    ".25",
                    ".999",
                    ".1234567",
                    "." + "0" * 9,
                    "." + "0" * 13,
                    "." + "0" * 14,
                    ".10000000000000",
                ]
            ),  # fmt: skip
            st.sampled_from(["", "万", "亿", "w", "k", "M", "B"]),
            st.sampled_from(["", "+"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_byte_path_equals_old_paths_on_numbers(cells):
    """Large, small and boundary numbers (15 and 16 digits, beyond 2**53 with a unit)."""
    _check(cells)


def test_byte_path_on_hand_picked_near_misses():
    cells = [
        "1,234", "12,345", "123,456,789", "1,234,567,890,123", "1,234,567,890,123,456",
        "1234,567", "12,34", "1,2345", ",123", "123,", "1,,234", "1.234,5", "1,234.5",
        "1..5", "1.", ".5", "1.5.", "+5", "5++", "5+万", "万", "万+", "+", "w", "5万亿",
        "9007199254740992", "900719925474099.3万", "999999999999999", "999999999999999b",
        "9999999999999999", "0000000000000001", "000000000000001", "0", "0.0", "0.0万",
        "00.5万", "1e3", "1E3", "１２３４５６", "１，２３４", "１２.５万＋", "１２\u3000",
        "\u3000１２", "１２３４５６７８９０１２３４５６", "１.５", "１２ｗ", "１２Ｗ", "－５",
        "١٢٣", "12\u00a0", "é12", "12é", "12万\n", "\t12", "",
        "99,999,999,999.9万", "9,999,999,999,999", "99999999.9999999万", "1.000000000000001",
        "1.2345678.9", "123456.1234567.8", "1234567.1234.567", "1,234.567,8", "12,345678",
        "1.23456789012345", "12345678901234.5", "1.00000000000000b", "0.00000000000010万", "1,234,567,890.12", "1,234,567,890.1234",
    ]  # fmt: skip
    # characters that end in the last byte of 万 (87) or 亿 (bf) but are neither
    lookalikes = [b.decode() for b in (b"\xc4\x87", b"\xe4\xb9\x87", b"\xe5\xb8\x87",
                                       b"\xe4\xba\x87", b"\xc2\xbf", b"\xe4\xbb\xbf")]  # fmt: skip
    cells += [f"12{c}" for c in lookalikes] + [f"12{c}+" for c in lookalikes]
    _check(cells)
    _check([None, *cells, None])
    _check(cells[::-1])  # other neighbours: a cell's bytes never leak into the next one


# --- hand-computed values ---------------------------------------------------------------------
def test_byte_path_values_by_hand():
    cells = ["2807.5万", "1,234.5万+", "９,９９９,９９９", "12.30万", "99,999,999.9w",
             "1.2亿", "999999999999999", "3k+", "0.5", "１２３４５６"]  # fmt: skip
    offsets, data = _utf8(pa.array(cells))
    got, handled = _count_bytes(offsets, data, None)
    assert handled.tolist() == [True, True, False, True, True, True, True, True, True, False]
    assert got["value"][[0, 1, 3, 4, 5, 6, 7]].tolist() == [
        28_075_000,
        12_345_000,
        123_000,
        999_999_999_000,
        120_000_000,
        999_999_999_999_999,
        3_000,
    ]
    # half a unit of the last written digit: 0.1万 -> 500, 0.01万 -> 50, 0.1w -> 500
    assert got["precision"][[0, 1, 3, 4, 5, 6, 7]].tolist() == [500, 500, 50, 500, 5e6, 0, 500]
    assert got["lower_bound"][[0, 1, 7]].tolist() == [False, True, True]
    assert got["error"][8] == "not a whole number" and np.isnan(got["value"][8])
    # full-width digits through the byte mapping, then the same path
    out = count_arrays(pd.Series(cells, dtype="str"))
    assert out["value"][[2, 9]].tolist() == [9_999_999, 123_456]
    assert out["error"][[2, 9]].tolist() == [None, None]


def test_fullwidth_bytes_map_as_the_table_does():
    cells = ["＋，－．／０１２３４５６７８９", "ａ１", "１万", "", "x"]
    offsets, data = _utf8(pa.array(cells))
    mapped = _fullwidth_to_ascii(offsets, data)
    assert mapped is not None
    new_offsets, new_data = mapped
    ends = zip(new_offsets[:-1], new_offsets[1:], strict=True)
    got = [bytes(new_data[a:b]).decode() for a, b in ends]
    # "ａ" (U+FF41) is not mapped here: such a cell keeps the full path, which maps it
    assert got == ["+,-./0123456789", "ａ1", "1万", "", "x"]
    assert got[0] == cells[0].translate(FULLWIDTH_TABLE)
    assert _fullwidth_to_ascii(*_utf8(pa.array(["12", "ab"]))) is None


# --- Arrow layouts and long columns ------------------------------------------------------------
def test_byte_path_reads_slices_nulls_and_large_strings():
    cells = ["2807.5万", None, "10万+", "１２３", "abc", "1,234", "", "3.5w"] * 3
    want = _count_full(pa.array(cells, type=pa.string()), False)
    base = pa.array(["999万", *cells, "7"], type=pa.string())
    for arr in (
        base.slice(1, len(cells)),  # an offset into shared buffers
        pa.array(cells, type=pa.large_string()),
        pa.chunked_array([cells[:5], cells[5:]]).combine_chunks(),
    ):
        _same(_count_arrays(arr, False), want, cells)
    # A null slot whose bytes are a valid count ("10"): still missing, not 10.
    data = pa.py_buffer(b"1010")
    offsets = pa.py_buffer(np.array([0, 2, 4], dtype=np.int32).tobytes())
    validity = pa.py_buffer(np.packbits([1, 0], bitorder="little").tobytes())
    arr = pa.Array.from_buffers(pa.string(), 2, [validity, offsets, data], null_count=1)
    out = _count_arrays(arr, False)
    assert out["value"][0] == 10 and np.isnan(out["value"][1])
    assert out["error"].tolist() == [None, "missing"]


def test_byte_path_on_a_long_column_matches_the_full_path():
    """Several blocks, long and short cells at block edges, full-width and odd cells."""
    rng = np.random.default_rng(12)
    n = 2 * _BLOCK + 123
    v = rng.integers(0, 10**9, n)
    forms = np.array(
        [f"{x}" for x in v[:200]]
        + [f"{x / 1e4:.1f}万" for x in v[:200]]
        + [f"{x:,}" for x in v[:200]]
        + [f"{x // 10**4}万+" for x in v[:100]]
        + [f"{x / 1e4:.1f}w" for x in v[:100]]
        + ["１２３４５６", "10万+人", "约3万", "", "abc", "1e3", "12345678901234567"],
        dtype=object,
    )
    cells = list(rng.choice(forms, n))
    cells[_BLOCK - 1 : _BLOCK + 2] = ["99,999,999.5万", "", "1"]  # around a block edge
    arr = pa.array(cells, type=pa.string())
    _same(count_arrays(pd.Series(cells, dtype="str")), _count_full(arr, False), cells)


def test_fast_regex_and_byte_path_agree_on_what_they_take():
    """Every cell the byte path handles matches _COUNT_FAST_RE (or does once its
    full-width digits are mapped); never a cell of another shape."""
    cells = ["12", "1,234", "1.5万+", "1,2345", "+5", "5万+人", "１２", "12\u3000", "1e3"]
    offsets, data = _utf8(pa.array(cells))
    _, handled = _count_bytes(offsets, data, None)
    # RE2's \d is ASCII, as Python's with re.ASCII
    fast = [re.fullmatch(_COUNT_FAST_RE.strip("^$"), c, re.ASCII) is not None for c in cells]
    assert handled.tolist() == fast == [True] * 3 + [False] * 6


def test_counts_within_2_53_only():
    """15 digits scaled past 2**53 leave the shortcut: the full path says why."""
    cells = ["900719925474.099万", "900719925474.100万", "999999999999999b"]
    _, handled = _count_bytes(*_utf8(pa.array(cells)), None)
    assert handled.tolist() == [True, False, False]
    out = parse_count(pd.Series(cells))
    assert out["value"].iloc[0] == 9_007_199_254_740_990 < MAX_COUNT
    assert out["error"].tolist()[1:] == ["out of range", "out of range"]
    _check(cells)
