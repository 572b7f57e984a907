"""Vectorised parsers for counts, money, dates and percentages as platforms print them.

Every parser takes a Series of strings (or numbers) and returns a DataFrame with the same
index and at least two columns:

``value``
    The parsed value, missing where parsing failed.
``error``
    ``None`` where parsing succeeded, else a short reason ("missing", "not a count",
    "negative count", ...). A row is never dropped and a failure is never a silent 0.

The hot path is pyarrow compute (RE2 regular expressions, casts) plus numpy: no Python
loop over rows; counts and stamps of the dominant forms are read straight from the
column's UTF-8 bytes with numpy. Only cells holding full-width characters
(``２８．５万``) go through ``str.translate`` with :data:`FULLWIDTH_TABLE`, and only those
cells (counts written in full-width digits are mapped in the byte domain instead).

Pack sizes and prices
---------------------
``parse_pack`` reads pack sizes ("500g", "2斤", "400g×2袋", "12只装") into grams,
millilitres or items; ``parse_price`` reads prices as live rooms write them (amounts, unit
prices "88.5元/斤", multi-buys "2件88", discounts "8折", "第二件半价") into yuan per kg,
litre or item, refusing with the reason what needs a pack, list price or quantity it lacks.

Precision
---------
``parse_count`` and ``parse_money`` report ``precision``: half a unit of the last written
digit once a multiplier scales it, so the true value lies within ``value ± precision`` if
the platform rounded. "2807.5万" -> 28,075,000 ± 500; "10万" -> 100,000 ± 5,000; digits
written out in full ("1,234", "88.00") are exact (precision 0).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "FULLWIDTH_TABLE",
    "MISSING_TOKENS",
    "count_arrays",
    "normalise_text",
    "parse_count",
    "parse_datetime",
    "parse_money",
    "parse_number",
    "parse_pack",
    "parse_price",
    "parse_percent",
    "wall_clock_ns",
]

#: ``str.translate`` table: full-width ASCII forms (U+FF01-FF5E) to ASCII, the ideographic
#: space and no-break spaces to a space, the full-width yen sign to ¥, a minus sign to "-".
FULLWIDTH_TABLE: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
FULLWIDTH_TABLE.update(
    {0x3000: 0x20, 0x00A0: 0x20, 0x202F: 0x20, 0x2009: 0x20, 0xFFE5: 0xA5, 0x2212: 0x2D}
)
_FULLWIDTH_RE = "[\uff01-\uff5e\u3000\u00a0\u202f\u2009\uffe5\u2212]"

#: Cell contents that mean "no value" in platform and tracker exports (compared after
#: trimming and lower-casing). They give ``error == "missing"``, never 0.
MISSING_TOKENS: tuple[str, ...] = (
    "",
    "-",
    "--",
    "---",
    "—",
    "——",
    "/",
    "n/a",
    "na",
    "nan",
    "none",
    "null",
    "nat",
    "暂无",
    "无数据",
    "未知",
    "未公开",
)

# A run of digits with optional thousands grouping, and an optional fraction. Shared by
# the count, money and percent patterns.
_NUMBER = r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d+))?"
# Columns this long are parsed once per distinct cell when at most this share is distinct.
_DISTINCT_MIN_ROWS, _DISTINCT_MAX_SHARE, _DISTINCT_SAMPLE = 1_000, 0.5, 2_000
_MAX_DIGITS = 15  # float64 holds every integer of up to 15 digits exactly
#: Largest count accepted: 2**53, above which float64 no longer holds every whole number
#: (and Int64 columns downstream overflow). "1e20" or "1e400" is out of range, not clipped.
MAX_COUNT = float(2**53)
_RANGE_RE = r"\d\s*[万亿千wWkKmMbB元%]?\s*(?:-|~|～|至|到)\s*[¥￥]?\d"


# --- shared helpers ----------------------------------------------------------------------
def _as_strings(s: pd.Series) -> pa.Array:
    """The cells of ``s`` as a pyarrow string array (nulls where missing)."""
    if not (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"):
        s = s.astype("str")
    arr = pa.array(s.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    # One string type throughout, so that scalars and value sets need no casting.
    return arr.cast(pa.string()) if arr.type != pa.string() else arr


def normalise_text(s: pd.Series) -> pd.Series:
    """Full-width forms to ASCII and surrounding whitespace removed (vectorised).

    Parameters
    ----------
    s
        Any Series; values are read as strings.

    Returns
    -------
    Series
        String Series aligned to ``s``; missing stays missing.
    """
    arr = _normalise(_as_strings(s))
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=s.index, dtype="str")


def _normalise(arr: pa.Array) -> pa.Array:
    """Translate full-width characters (only in the cells holding them) and trim."""
    # Pure-ASCII cells (the common case) cannot hold full-width forms: a cheap check first.
    non_ascii = ~_bool(pc.string_is_ascii(arr))
    if non_ascii.any():
        idx = np.flatnonzero(non_ascii)
        wide = _bool(pc.match_substring_regex(arr.take(pa.array(idx)), _FULLWIDTH_RE))
        idx = idx[wide]
    else:
        idx = np.array([], dtype="int64")
    if len(idx):
        # Only the affected cells go through Python's str.translate: typical exports
        # hold none or a few, and a table is the only exact way to map 100 code points.
        fixed = pd.Series(arr.take(pa.array(idx)).to_pylist(), dtype=object).str.translate(
            FULLWIDTH_TABLE
        )
        mask = np.zeros(len(arr), dtype=bool)
        mask[idx] = True
        arr = pc.replace_with_mask(arr, pa.array(mask), pa.array(fixed, type=arr.type))
    return pc.utf8_trim_whitespace(arr)


def _missing_mask(arr: pa.Array) -> np.ndarray:
    """True where the (normalised) cell is null or a missing-value token."""
    lowered = pc.utf8_lower(arr)
    hit = pc.is_in(lowered, value_set=pa.array(MISSING_TOKENS, type=arr.type))
    return pc.or_kleene(pc.is_null(arr), hit).to_numpy(zero_copy_only=False)


def _field(parts: pa.StructArray, name: str) -> pa.Array:
    return pc.fill_null(pc.struct_field(parts, name), "")


def _nonempty(a: pa.Array) -> np.ndarray:
    return pc.greater(pc.utf8_length(a), 0).to_numpy(zero_copy_only=False)


def _remove(arr: pa.Array, chars: str) -> pa.Array:
    """Remove every occurrence of each character, skipping the work when none occurs."""
    if not pc.any(pc.match_substring_regex(arr, f"[{re.escape(chars)}]")).as_py():
        return arr
    for ch in chars:
        arr = pc.replace_substring(arr, ch, "")
    return arr


def _compact(arr: pa.Array) -> pa.Array:
    """Lower-cased with every space and tab removed ("3.5 万" -> "3.5万")."""
    return pc.utf8_lower(_remove(arr, " \t"))


# Powers of ten by table lookup: numpy's float power is the slowest step otherwise.
_POW10 = 10.0 ** np.arange(-300, 301)


def _pow10(k: np.ndarray) -> np.ndarray:
    return _POW10[np.clip(k, -300, 300).astype("int64") + 300]


def _scaled_digits(
    compact: pa.Array,
    valid: np.ndarray,
    *,
    lead: str,
    trail: str,
    units: Mapping[str, int],
    bare_exp: int = 0,
    inner: str = "",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Digits and the power of ten of the last digit of numbers with affixes and units.

    ``compact`` matched its parser's full pattern where ``valid``, so on those rows the
    affixes can be stripped as character sets and the unit read with ``ends_with``: all
    cheap kernels, where a capturing regex costs several times more per row. The written
    number equals ``digits * 10**k``; ``digits`` is exact (at most 15 significant digits,
    else ``too_long``). Returns ``digits, k, too_long, has_digits``.
    """
    core = _remove(compact, ",")
    core = pc.utf8_ltrim(core, lead) if lead else core
    core = pc.utf8_rtrim(core, trail) if trail else core
    # The unit is the tail of the cell: look the last L characters up among the units of
    # length L, longest first so that "万亿" is not read as "亿" (one lookup per length,
    # not one scan per unit).
    # Longer units are only looked for on rows whose last character could end one.
    k = np.full(len(core), bare_exp, dtype="int64")
    found = np.zeros(len(core), dtype=bool)
    last = pc.utf8_slice_codeunits(core, start=-1)
    for size in sorted({len(u) for u in units}, reverse=True):
        names = [u for u in units if len(u) == size]
        exps = np.array([units[u] for u in names], dtype="int64")
        if size == 1:
            rows, tail = np.flatnonzero(~found), None
        else:
            ends = pa.array(sorted({u[-1] for u in names}))
            rows = np.flatnonzero(valid & ~found & _bool(pc.is_in(last, value_set=ends)))
            if not len(rows):
                continue
            tail = pc.utf8_slice_codeunits(core.take(pa.array(rows)), start=-size)
        if tail is None:
            pos = pc.fill_null(pc.index_in(last, value_set=pa.array(names)), -1)
            pos = pos.to_numpy(zero_copy_only=False)[rows]
        else:
            pos = pc.fill_null(pc.index_in(tail, value_set=pa.array(names)), -1)
            pos = pos.to_numpy(zero_copy_only=False)
        hit = pos >= 0
        k[rows[hit]] = exps[pos[hit]]
        found[rows[hit]] = True
    unit_chars = "".join(sorted(set("".join(units))))
    core = pc.utf8_rtrim(core, unit_chars) if unit_chars else core
    core = pc.utf8_rtrim(core, inner) if inner else core  # "100余万": 余 before the unit
    # Scientific notation ("2.81e+07", as Excel writes big numbers) is rare: split only
    # the rows that have it.
    has_e = valid & _bool(pc.match_substring(core, "e"))
    if has_e.any():
        idx = np.flatnonzero(has_e)
        pieces = pc.split_pattern(core.take(pa.array(idx)), "e")
        mantissa = pc.list_element(pieces, 0)
        exponent = pc.replace_substring(pc.list_element(pieces, 1), "+", "")
        k[idx] += pc.cast(exponent, pa.int64()).to_numpy(zero_copy_only=False)
        core = pc.replace_with_mask(core, pa.array(has_e), mantissa)
    dot = pc.fill_null(pc.find_substring(core, "."), -1).to_numpy(zero_copy_only=False)
    dot = np.where(valid, dot, -1)
    length = pc.fill_null(pc.binary_length(core), 0).to_numpy(zero_copy_only=False)
    n_frac = np.where(dot >= 0, length - dot - 1, 0)
    n_digits = length - (dot >= 0)
    has_digits = valid & (n_digits > 0)
    too_long = valid & (n_digits > _MAX_DIGITS)
    if too_long.any():  # leading zeros do not count: recount those rows exactly
        idx = np.flatnonzero(too_long)
        sub = pc.utf8_ltrim(pc.replace_substring(core.take(pa.array(idx)), ".", ""), "0")
        too_long[idx] = pc.binary_length(sub).to_numpy(zero_copy_only=False) > _MAX_DIGITS
    usable = has_digits & ~too_long
    # float("2807.5") * 10 rounds back to the exact integer 28075 for up to 15 digits.
    number = pc.cast(pc.if_else(pa.array(usable), core, pa.scalar("0")), pa.float64())
    digits = np.round(number.to_numpy(zero_copy_only=False) * _pow10(n_frac))
    return digits, k - n_frac, too_long, has_digits


def _by_distinct(
    arr: pa.Array, parse: Callable[[pa.Array], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """``parse(arr)``, parsing each distinct cell once when the column repeats itself.

    Scraped columns repeat a lot (follower counts rounded to 0.1万, a few hundred dates):
    hashing the column costs a fraction of parsing it, so the distinct cells are parsed
    and the results spread back with one ``take`` per column.
    """
    if len(arr) < _DISTINCT_MIN_ROWS:
        return parse(arr)
    # Hashing a column of distinct cells is wasted work (a third of the parse): a sample
    # with hardly a repeat says so cheaply. Heavy repetition, where parsing once pays,
    # always shows in the sample.
    sample = arr.take(pa.array(np.linspace(0, len(arr) - 1, _DISTINCT_SAMPLE, dtype="int64")))
    if pc.count_distinct(sample, mode="all").as_py() > 0.95 * len(sample):
        return parse(arr)
    encoded = pc.dictionary_encode(arr, null_encoding="encode")
    if len(encoded.dictionary) > _DISTINCT_MAX_SHARE * len(arr):
        return parse(arr)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    return {name: col[codes] for name, col in parse(encoded.dictionary).items()}


def _bool(a: pa.Array) -> np.ndarray:
    """A boolean pyarrow result as numpy, null counted as False."""
    return pc.fill_null(a, False).to_numpy(zero_copy_only=False)


def _matches(arr: pa.Array, pattern: str) -> np.ndarray:
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(
        zero_copy_only=False
    )


def _matches_where(arr: pa.Array, pattern: str, where: np.ndarray) -> np.ndarray:
    """``_matches`` evaluated only on the rows in ``where`` (False elsewhere)."""
    out = np.zeros(len(arr), dtype=bool)
    if where.any():
        idx = np.flatnonzero(where)
        out[idx] = _matches(arr.take(pa.array(idx)), pattern)
    return out


def _value_from(digits: np.ndarray, k: np.ndarray) -> np.ndarray:
    """``digits * 10**k`` computed so that exact decimals stay correctly rounded."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(k >= 0, digits * _pow10(k), digits / _pow10(-k))


def _precision_from(k: np.ndarray) -> np.ndarray:
    """Half a unit of the last written digit when a multiplier scales it, else 0."""
    return np.where(k > 0, 0.5 * _pow10(k), 0.0)


def _errors(n: int, conditions: list[tuple[np.ndarray, str]]) -> np.ndarray:
    """Object array of reasons; the first matching condition wins, ``None`` elsewhere."""
    out = np.full(n, None, dtype=object)
    done = np.zeros(n, dtype=bool)
    for mask, reason in conditions:
        hit = np.asarray(mask, dtype=bool) & ~done
        out[hit] = reason
        done |= hit
    return out


def _frame(index: pd.Index, columns: dict[str, Any]) -> pd.DataFrame:
    # error stays an object column of None / str: pandas would otherwise infer "str"
    # and turn None into NaN.
    cols = {
        k: pd.Series(v, index=index, dtype=object) if k == "error" else v
        for k, v in columns.items()
    }
    return pd.DataFrame(cols, index=index)


def _is_plain_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)


# --- counts --------------------------------------------------------------------------------
#: Multipliers a count may carry, as powers of ten (matched after lower-casing).
COUNT_UNITS: dict[str, int] = {
    "万亿": 12,
    "千万": 7,
    "百万": 6,
    "十万": 5,
    "万": 4,
    "亿": 8,
    "千": 3,
    "w": 4,
    "k": 3,
    "m": 6,
    "b": 9,
    "mn": 6,
    "bn": 9,
    "thousand": 3,
    "million": 6,
    "billion": 9,
}
_LOWER_PREFIX = r">=|≥|>|超过|超|大于|逾|morethan|over"
_APPROX_PREFIX = r"近|约|大约|about|approximately|approx|~|≈"
_COUNT_RE = (
    rf"^(?:{_LOWER_PREFIX}|{_APPROX_PREFIX})?(?P<sign>[+-])?"
    + _NUMBER
    + r"(?:e(?P<exp>[+-]?\d{1,3}))?(?:余|多)?"
    + r"(?P<unit>万亿|千万|百万|十万|万|亿|千|thousand|million|billion|mn|bn|w|k|m|b)?"
    + r"(?:\+|以上|多|余)?(?:人次|人|个|位|名|户|家|次)?(?:\+|以上)?$"
)
# The forms most cells take, handled by _count_fast: plain or grouped digits, an optional
# fraction, at most one single-character unit and an optional "+". At most 15 digits in
# all (longer ones need the full path's exact recount); untrimmed, full-width or
# otherwise decorated cells take the full path.
_COUNT_FAST_RE = r"^(?:\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.\d{1,15})?[万亿wWkKmMbB]?\+?$"
# Unit exponent by the last byte of a fast-path cell (digits: no unit).
_FAST_UNIT_EXP = np.zeros(256, dtype="int64")
for _unit, _exp in {"万": 4, "亿": 8, "w": 4, "k": 3, "m": 6, "b": 9}.items():
    _FAST_UNIT_EXP[_unit.encode()[-1]] = _exp
    _FAST_UNIT_EXP[_unit.upper().encode()[-1]] = _exp
# Character sets of the prefixes and suffixes above (stripped once a row has matched).
_COUNT_LEAD = ">=≥超过大于逾近约~≈morethanvbuapxily+-"
_COUNT_TRAIL = "+以上多余人次个位名户家"
# A "+" after a number is "or more" ("10万+"); after the "e" of an exponent it is the
# exponent's sign ("3.1160E+07", as Excel writes a large count), not a lower bound.
_COUNT_LOWER_RE = rf"^(?:{_LOWER_PREFIX})|[^e]\+|多|余|以上"
_COUNT_APPROX_RE = rf"^(?:{_APPROX_PREFIX})"


def parse_count(s: pd.Series, *, allow_negative: bool = False) -> pd.DataFrame:
    """Parse follower, view and job counts as platforms and trackers print them.

    Understands "2807.5万", "1.2亿", "3.5w"/"3.5W", "12k", "2.8M", "1.1B", "1,234",
    "34.63 million", full-width forms ("２８．５万"), a counted noun ("3,463万人", "500个"),
    lower bounds ("10万+", "超过10万", "1000以上", "100余万", "more than 40 million") and
    approximations ("近50万", "约3万", "about 2 million").

    Parameters
    ----------
    s
        Strings (or numbers) to parse.
    allow_negative
        Accept a leading minus (e.g. a change in followers); by default a negative count
        is an error.

    Returns
    -------
    DataFrame
        Aligned to ``s`` with ``value`` (float64, whole numbers), ``error`` (None or
        "missing", "not a count", "a range, not one count", "too many digits",
        "not a whole number", "negative count", "out of range": above 2**53 or an
        exponent beyond float range), ``lower_bound`` (bool: "10万+"; an exponent's sign
        as in "3.1160E+07" is not one),
        ``approximate`` (bool: "近50万") and ``precision`` (float64, see the module
        docstring).

    Examples
    --------
    >>> parse_count(pd.Series(["2807.5万", "10万+", "abc"]))[["value", "precision"]]
    ... # 28075000 ± 500, 100000 ± 5000 (lower bound), NaN with error "not a count"
    """
    if _is_plain_numeric(s):
        return _count_from_numbers(s, allow_negative)
    return _frame(s.index, count_arrays(s, allow_negative=allow_negative))


def count_arrays(s: pd.Series, *, allow_negative: bool = False) -> dict[str, np.ndarray]:
    """:func:`parse_count`'s columns as numpy arrays, without building a frame.

    For cleaners that parse a long log in chunks (the frame's construction is a fair
    share of a chunk's time). Same values, errors and rules as :func:`parse_count`.
    """
    if _is_plain_numeric(s):
        frame = _count_from_numbers(s, allow_negative)
        return {c: frame[c].to_numpy() for c in frame.columns}
    return _count_arrays(_as_strings(s), allow_negative)


def _count_columns(arr: pa.Array, allow_negative: bool) -> dict[str, np.ndarray]:
    """parse_count's columns: the fast path where it applies, the full path elsewhere.

    The full path's cells are deduplicated again: a column of distinct fast-path cells
    may still repeat its odd ones ("10万+人"), and the full path is the costly one.
    """

    def full(a: pa.Array) -> dict[str, np.ndarray]:
        return _by_distinct(a, lambda d: _count_full(d, allow_negative))

    fast = _matches(arr, _COUNT_FAST_RE)
    if not fast.all() and len(arr):
        # Full-width digits ("２８６７４８", as some exports write them) are the fast forms
        # once normalised as the full path normalises them; other cells stay as written
        # (the full path reads them).
        rest = np.flatnonzero(~fast)
        norm = _normalise(arr.take(pa.array(rest)))
        now_fast = _matches(norm, _COUNT_FAST_RE)
        if now_fast.any():
            mask = np.zeros(len(arr), dtype=bool)
            mask[rest[now_fast]] = True
            arr = pc.replace_with_mask(arr, pa.array(mask), norm.filter(pa.array(now_fast)))
            fast[rest[now_fast]] = True
    if not fast.any():  # also the empty column: the full path knows every dtype
        return full(arr)
    rows = np.flatnonzero(fast)
    quick, handled = _count_fast(arr if len(rows) == len(arr) else arr.take(pa.array(rows)))
    if handled.all() and len(rows) == len(arr):
        return quick
    fast[rows[~handled]] = False
    columns = full(arr.take(pa.array(np.flatnonzero(~fast))))
    out = {}
    for name, slow in columns.items():
        col = np.empty(len(arr), dtype=slow.dtype)
        col[~fast] = slow
        col[fast] = quick[name][handled]
        out[name] = col
    return out


def _count_fast(arr: pa.Array) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The dominant forms ("2807.5万", "3.5w", "12K", "1,234", "10万+") in a few passes.

    Every cell of ``arr`` matches :data:`_COUNT_FAST_RE`. The arithmetic is the full
    path's (``_scaled_digits``): the same digit string is cast to float and scaled the
    same way, so both paths give bit-identical values. A match-only regex runs on RE2's
    DFA; extracting the parts with capture groups would cost six times more, so the
    parts are read with cheap kernels and from the last bytes of each cell instead.
    Returns the columns and ``handled``: False on cells with more than 15 digits, which
    need the full path's exact recount.
    """
    n = len(arr)
    # The unit is the last character once a "+" is set aside; in UTF-8 its last byte
    # identifies it (万 = e4 b8 87, 亿 = e4 ba bf; the letters are ASCII).
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    ends = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset + 1 : arr.offset + n + 1]
    plus = data[ends - 1] == ord("+")
    last = data[ends - 1 - plus]
    k = _FAST_UNIT_EXP[last]
    core = pc.utf8_rtrim(arr, "+万亿wWkKmMbB")
    if pc.any(pc.match_substring(core, ",")).as_py():
        core = pc.replace_substring(core, ",", "")
    length = pc.binary_length(core).to_numpy(zero_copy_only=False)
    dot = pc.find_substring(core, ".").to_numpy(zero_copy_only=False)
    n_frac = np.where(dot >= 0, length - dot - 1, 0)
    n_digits = length - (dot >= 0)
    number = pc.cast(core, pa.float64()).to_numpy(zero_copy_only=False)
    digits = np.round(number * _POW10[n_frac + 300])
    value, precision, good, handled = _fast_count_values(digits, k, n_frac, n_digits)
    return _fast_count_columns(value, precision, good, plus), handled


# 10.0 ** abs(k) for the shortcuts' exponents (-15 to 9 in fact), taken from _POW10
_MAX_EXP = 40
_POW10_ABS = _POW10[np.abs(np.arange(-_MAX_EXP, _MAX_EXP + 1)) + 300]


def _fast_count_values(
    digits: np.ndarray, k: np.ndarray, n_frac: np.ndarray, n_digits: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The shortcuts' arithmetic: ``value``, ``precision`` (both NaN where not ``good``),
    ``good`` (a whole number) and ``handled`` (at most 15 digits and 2**53).

    From the written digits as one whole number (float64, exact), the unit's power of ten
    ``k`` and the numbers of digits after the dot and in all. One function for both
    shortcuts (:func:`_count_fast`, :func:`_count_bytes`), so that their values agree bit
    for bit by construction.
    """
    # Exponents here are small (|k| <= 30), so the powers of ten are plain table lookups;
    # the results equal _value_from / _precision_from, which clip for arbitrary k.
    k = k - n_frac
    scale = _POW10_ABS[k + _MAX_EXP]
    value = digits * scale
    good = np.ones(len(digits), dtype=bool)
    below = np.flatnonzero(k < 0)
    if len(below):  # "1.5" without a unit: only these rows can be fractional counts
        good[below] = np.mod(digits[below], scale[below]) == 0
        value[below] = digits[below] / scale[below]
    handled = (n_digits <= _MAX_DIGITS) & (value <= MAX_COUNT)  # never NaN here
    precision = np.where(k > 0, 0.5 * scale, 0.0)
    if len(below) and not good.all():
        value[~good] = np.nan
        precision[~good] = np.nan
    return value, precision, good, handled


def _fast_count_columns(
    value: np.ndarray, precision: np.ndarray, good: np.ndarray, plus: np.ndarray
) -> dict[str, np.ndarray]:
    """parse_count's columns from :func:`_fast_count_values` and the trailing "+"."""
    error = np.empty(len(value), dtype=object)  # all None (numpy fills object arrays so)
    error[~good] = "not a whole number"
    return {
        "value": value,
        "error": error,
        "lower_bound": good & plus,
        "approximate": np.zeros(len(value), dtype=bool),
        "precision": precision,
    }


# --- counts: the shortcut over the cells' bytes ------------------------------------------
# The dominant forms are read straight from the UTF-8 bytes of the column with numpy, eight
# bytes at a time as one uint64 word ("SWAR", SIMD within a register): a few dozen
# whole-column integer operations check each cell's shape and read its digits, where a
# regular expression, half a dozen string kernels and, for full-width digits, Python's
# str.translate cost several times more. Cells it does not take keep the paths above.
_U64 = np.uint64
_PAD = 16  # bytes in front of the data: a word ending at any cell's end exists
_BLOCK = 16_384  # rows at a time (a block's temporaries fit in the CPU's cache)


def _each_byte(value: int) -> np.uint64:
    """A word holding ``value`` in each of its eight bytes."""
    return _U64(value * 0x0101_0101_0101_0101)


_POW10_INT = 10 ** np.arange(19, dtype="int64")


def _comma_patterns(n_words: int) -> np.ndarray:
    """Where grouping commas belong in a window of ``8 * n_words`` bytes, by where the
    integer part ends (``end``) and starts (``start``): row ``end * (width + 1) + start``
    holds 0x80 at every fourth byte left of ``end`` and right of ``start``, as words. An
    integer part of 4, 8, ... characters can hold no valid comma ("1234,567"): none."""
    width = 8 * n_words
    out = np.zeros(((width + 1) ** 2, width), dtype=np.uint8)
    for end in range(width + 1):
        for start in range(end):
            if (end - start) % 4:
                out[end * (width + 1) + start, list(range(end - 4, start, -4))] = 0x80
    return out.view("<u8").astype(_U64)


_COMMA_PATTERNS = {1: _comma_patterns(1), 2: _comma_patterns(2)}


def _eight_digits(v: np.ndarray) -> np.ndarray:
    """The numbers whose eight digit values (0-9) are the bytes of ``v``, first digit in the
    lowest byte (uint32, each below 10**8): pairs of digits, then fours, then all eight
    (the classic SWAR parse, as in simdjson and fast_float), in 32-bit lanes, where the
    CPU multiplies many lanes at once (64-bit products are one at a time)."""
    lanes = np.ascontiguousarray(v).view(np.uint32)  # bytes 0-3 and 4-7 of each word
    lanes = lanes * np.uint32(10) + (lanes >> np.uint32(8))  # bytes 0, 2: two digits
    byte = np.uint32(0xFF)
    fours = ((lanes & byte) * np.uint32(100) + ((lanes >> np.uint32(16)) & byte)).reshape(-1, 2)
    return fours[:, 0] * np.uint32(10_000) + fours[:, 1]


def _count_words(
    words: list[np.ndarray], n_bytes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Check and read numbers of the fast forms from the bytes that end where they end.

    ``words`` holds K uint64 arrays: the ``8K`` bytes that end where each number ends,
    first word first (so the number's last byte is the last word's highest byte; bytes
    before the number are ignored). ``n_bytes`` is the number's length in bytes.
    Returns ``digits`` (int64: every written digit as one whole number, exact below
    10**16), ``n_frac`` (digits after the dot), ``n_digits`` and ``ok``: the number is
    ``\\d{1,3}(?:,\\d{3})+`` or ``\\d+``, then optionally ``\\.\\d+``, as
    :data:`_COUNT_FAST_RE` says (the caller limits the digits).
    """
    width = 8 * len(words)
    lead = width - n_bytes  # bytes of the window before the number
    ok = lead.astype(_U64) < width  # 1 <= n_bytes <= width (a negative lead wraps)
    digit_words, commas = [], []
    for i, word in enumerate(words):
        # Bytes before the number are shifted out, so they read as the digit 0 (numpy
        # defines shifts by 64 bits or more: 0, as for a negative lead wrapped around).
        drop = ((np.maximum(lead - 8 * i, 0) if i else lead) << 3).astype(_U64)
        v = ((word ^ _each_byte(0x30)) >> drop) << drop  # a digit's byte: its value
        # "," (0x2C) and "." (0x2E) are the bytes with v | 2 == 0x1E: the zero bytes of t,
        # flagged exactly (no carry crosses a byte) by the classic zero-byte test.
        t = (v | _each_byte(2)) ^ _each_byte(0x1E)
        low7 = _each_byte(0x7F)
        sep = ~(((t & low7) + low7) | t | low7)  # 0x80 in each separator's byte
        dot = sep & (v << _U64(6))  # "." has bit 1 set, "," does not
        # A byte is a digit iff v <= 9, i.e. v + 6 has its high nibble clear; a separator
        # gives 0x30, taken off. A carry out of a byte (v >= 0xFA) only adds flags, next
        # to a byte flagged itself. Two dots in the word leave bits in dot & (dot - 1).
        bad = ((v + _each_byte(6)) | v) & _each_byte(0xF0)
        bad ^= (sep >> _U64(2)) | (sep >> _U64(3))  # 0x80 -> 0x30
        bad |= dot & (dot - _U64(1))
        ok &= bad == 0
        word_has_dot = dot != 0
        # A lone dot in byte j: dot >> 7 == 2**(8j), whose product with bytes 0..7 holds
        # 7 - j (the bytes after the dot) in its top byte.
        after = ((dot >> _U64(7)) * _U64(0x0706_0504_0302_0100)) >> _U64(56)
        comma = sep ^ dot
        if i == 0:
            n_frac, has_dot, has_comma = after, word_has_dot, comma != 0
        else:  # a dot in an earlier word: this word's bytes follow it; two: refused
            n_frac = n_frac + after + has_dot * _U64(8)
            ok &= ~(has_dot & word_has_dot)
            has_dot = has_dot | word_has_dot
            has_comma = has_comma | (comma != 0)
        commas.append(comma)
        ones = sep >> _U64(7)
        digit_words.append(v & ~((ones << _U64(8)) - ones))  # separators: the digit 0
    n_frac = n_frac.astype("int64")
    int_len = n_bytes - n_frac - has_dot
    ok &= (int_len >= 1) & (n_frac >= has_dot)  # a digit on either side of the dot
    n_digits = n_bytes - has_dot
    grouped = np.flatnonzero(ok & has_comma)
    if len(grouped):  # commas exactly every fourth byte left of the integer part's end
        start = lead[grouped]
        pattern = _COMMA_PATTERNS[len(words)][(start + int_len[grouped]) * (width + 1) + start]
        same = pattern[:, 0] == commas[0][grouped]
        for i in range(1, len(words)):
            same &= pattern[:, i] == commas[i][grouped]
        ok[grouped] = same
        grouped = grouped[same]
        n_digits[grouped] -= int_len[grouped] // 4  # "1,234": 5 bytes, one comma

    # The separators read as 0: the whole (below 10**16) is read, then those zeros are
    # taken out with exact integer arithmetic on the rows that have them.
    digits = _eight_digits(digit_words[0]).astype("int64")
    for v in digit_words[1:]:
        digits = digits * 10**8 + _eight_digits(v)
    rows = np.flatnonzero(ok & has_dot)
    if len(rows):  # "2807.5" read as 280705: 2807 * 10 + 5
        scale = _POW10_INT[n_frac[rows]]
        whole = digits[rows] // (scale * 10)
        digits[rows] = whole * scale + (digits[rows] - whole * scale * 10)
    if len(grouped):  # "1,234,567" read as 1023405067: groups of four digits, "0ddd"
        scale = _POW10_INT[n_frac[grouped]]
        spaced = digits[grouped] // scale
        whole = np.zeros(len(grouped), dtype="int64")
        for g in range(4):  # at most 16 bytes: four groups
            whole += (spaced // 10 ** (4 * g)) % 1000 * 10 ** (3 * g)
        digits[grouped] = whole * scale + (digits[grouped] - spaced * scale)
    return digits, n_frac, n_digits, ok


def _utf8(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (int64, from 0) and UTF-8 bytes of a (large) string array's cells."""
    n = len(arr)
    if n == 0:
        return np.zeros(1, dtype="int64"), np.zeros(0, dtype=np.uint8)
    buffers = arr.buffers()
    kind = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=kind)[arr.offset : arr.offset + n + 1]
    offsets = offsets.astype("int64")
    if buffers[2] is None or offsets[-1] == offsets[0]:
        return offsets - offsets[0], np.zeros(0, dtype=np.uint8)
    data = np.frombuffer(buffers[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return offsets - offsets[0], data


def _affixes(
    tail: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The trailing "+" and unit of cells from their last eight bytes (``tail``: the last
    byte highest), as ``number, n_bytes, k, plus``: the bytes with "+" and unit shifted
    out (the number ends in the highest byte), the number's length, the unit's power of
    ten (uint8) and the "+". On short cells the lowest bytes belong to the cells before;
    where they make up the affixes, the number's length is below 1 (refused)."""
    plus = (tail >> _U64(56)) == ord("+")
    tail = np.where(plus, tail << _U64(8), tail)
    last = (tail >> _U64(56)).astype(np.uint8)
    three = tail >> _U64(40)
    wan, yi = three == 0x87B8E4, three == 0xBFBAE4  # 万 = e4 b8 87, 亿 = e4 ba bf
    lower = last | np.uint8(0x20)  # "W" -> "w"; no other byte becomes a unit letter
    w, thousand = lower == ord("w"), lower == ord("k")
    million, billion = lower == ord("m"), lower == ord("b")
    letter = w | thousand | million | billion
    unit_len = letter.view(np.uint8) + (wan | yi).view(np.uint8) * np.uint8(3)
    k = (
        (w | wan).view(np.uint8) * np.uint8(4)
        + thousand.view(np.uint8) * np.uint8(3)
        + million.view(np.uint8) * np.uint8(6)
        + billion.view(np.uint8) * np.uint8(9)
        + yi.view(np.uint8) * np.uint8(8)
    )
    tail <<= unit_len.astype(_U64) << _U64(3)
    return tail, length - plus - unit_len, k, plus


def _count_bytes(
    offsets: np.ndarray, data: np.ndarray, valid: np.ndarray | None
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """:func:`_count_fast`'s results, read from the cells' bytes without a string kernel.

    ``offsets`` and ``data`` are :func:`_utf8`'s; ``valid`` False on null cells (None: no
    nulls). A cell is handled when its bytes match :data:`_COUNT_FAST_RE` with a number
    of at most 16 bytes, at most 15 digits and a value of at most 2**53; its columns then
    equal :func:`_count_fast`'s (the same digits, through :func:`_fast_count_values`).
    Returns the columns (placeholders on the other rows) and ``handled``.
    """
    n = len(offsets) - 1
    buf = np.zeros(_PAD + len(data), dtype=np.uint8)
    buf[_PAD:] = data
    # Every 8 bytes of the data as a word, at any byte: an unaligned uint64 view.
    words = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    value, precision = np.empty(n), np.empty(n)
    good, plus, handled = (np.empty(n, dtype=bool) for _ in range(3))
    k, n_bytes = np.empty(n, dtype=np.uint8), np.empty(n, dtype="int64")
    longer = []
    # A block at a time: the few dozen temporaries of a block stay in the CPU's cache,
    # where a whole column's would each be fresh memory (several times slower).
    for lo in range(0, n, _BLOCK):
        block = slice(lo, min(lo + _BLOCK, n))
        ends = offsets[lo + 1 : block.stop + 1]
        length = ends - offsets[lo : block.stop]
        tail = words[ends + (_PAD - 8)].astype(_U64)  # each cell's last eight bytes
        number, n_bytes[block], k[block], plus[block] = _affixes(tail, length)
        # A cell of 8 bytes at most is all in its tail; longer ones (~1 in 15 in a
        # follower log) are read below, gathered from all blocks.
        short = length <= 8
        digits, n_frac, n_digits, ok = _count_words([number], np.where(short, n_bytes[block], 0))
        got = _fast_count_values(digits.astype(np.float64), k[block], n_frac, n_digits)
        value[block], precision[block], good[block], handled[block] = got
        handled[block] &= ok
        longer.append(lo + np.flatnonzero(~short))
    rows = np.concatenate(longer) if longer else np.zeros(0, dtype="int64")
    # Long cells: the 8 or 16 bytes that end where the number ends ("1234.5万", "1,234,567").
    parts = []
    for n_words in (1, 2):
        size = n_bytes[rows]
        chosen = rows[(size > 8 * n_words - 8) & (size <= 8 * n_words)]
        parts += [(n_words, chosen[lo : lo + _BLOCK]) for lo in range(0, len(chosen), _BLOCK)]
    for n_words, part in parts:
        end = offsets[part] + n_bytes[part] + _PAD
        window = [words[end - 8 * (n_words - i)].astype(_U64) for i in range(n_words)]
        digits, n_frac, n_digits, ok = _count_words(window, n_bytes[part])
        got = _fast_count_values(digits.astype(np.float64), k[part], n_frac, n_digits)
        value[part], precision[part], good[part], handled[part] = got
        handled[part] &= ok
    if valid is not None:
        handled &= valid
    return _fast_count_columns(value, precision, good, plus), handled


def _fullwidth_to_ascii(
    offsets: np.ndarray, data: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """The cells with full-width "+,-./0-9" (U+FF0B-FF19: bytes ef bc 8b-99) written in
    ASCII, as :data:`FULLWIDTH_TABLE` maps them, in the byte domain; None if none has any.
    Other characters stay as written (the full path normalises those)."""
    if len(data) < 3:
        return None
    starts = np.zeros(len(data) + 1, dtype=bool)
    starts[offsets] = True
    # the three bytes within one cell (always so in valid UTF-8, which Arrow checks)
    at = np.flatnonzero(
        (data[:-2] == 0xEF)
        & (data[1:-1] == 0xBC)
        & ((data[2:] - np.uint8(0x8B)) <= 0x99 - 0x8B)
        & ~starts[1:-2]
        & ~starts[2:-1]
    )
    if not len(at):
        return None
    out = data.copy()
    out[at] = data[at + 2] - 0x60  # U+FF10 = ef bc 90 -> "0" = 0x30
    keep = np.ones(len(data), dtype=bool)
    keep[at + 1] = False
    keep[at + 2] = False
    return offsets - 2 * np.searchsorted(at, offsets, side="left"), out[keep]


def _count_arrays(arr: pa.Array, allow_negative: bool) -> dict[str, np.ndarray]:
    """count_arrays on a string array: the byte shortcut, then the other paths.

    Cells the shortcut does not take, full-width digits aside, go to
    :func:`_count_columns` as before (once per distinct cell where they repeat).
    """
    offsets, data = _utf8(arr)
    valid = None if arr.null_count == 0 else _bool(arr.is_valid())
    columns, handled = _count_bytes(offsets, data, valid)
    if handled.all():
        return columns
    rest = np.flatnonzero(~handled)
    # Full-width digits ("２８６７４８", ~5% of some exports, all distinct): the full path
    # would normalise them with str.translate, one Python call per cell.
    sub = arr.take(pa.array(rest))
    wide = _fullwidth_to_ascii(*_utf8(sub))
    if wide is not None:
        sub_valid = None if sub.null_count == 0 else _bool(sub.is_valid())
        quick, done = _count_bytes(*wide, sub_valid)
        for name, col in columns.items():
            col[rest[done]] = quick[name][done]
        rest, sub = rest[~done], sub.filter(pa.array(~done))
    if len(rest):
        # Parsed once per distinct cell when these repeat (odd forms often do).
        slow = _by_distinct(sub, lambda a: _count_columns(a, allow_negative))
        for name, col in columns.items():
            col[rest] = slow[name]
    return columns


def _count_full(arr: pa.Array, allow_negative: bool) -> dict[str, np.ndarray]:
    """Every form parse_count accepts (normalisation, prefixes, nouns, ranges, ...)."""
    n = len(arr)
    arr = _normalise(arr)
    missing = _missing_mask(arr)
    compact = _compact(arr)
    valid = _matches(compact, _COUNT_RE)
    digits, k, too_long, has_digits = _scaled_digits(
        compact, valid, lead=_COUNT_LEAD, trail=_COUNT_TRAIL, units=COUNT_UNITS, inner="余多"
    )
    ok_shape = valid & has_digits
    value = _value_from(digits, k)
    whole = (k >= 0) | (np.mod(digits, _pow10(-k)) == 0)
    negative = valid & _bool(
        pc.starts_with(pc.utf8_ltrim(compact, _COUNT_LEAD.replace("-", "").replace("+", "")), "-")
    )
    is_range = _matches_where(arr, _RANGE_RE, ~valid & ~missing)
    error = _errors(
        n,
        [
            (missing, "missing"),
            (~ok_shape & is_range, "a range, not one count"),
            (~ok_shape, "not a count"),
            (too_long, "too many digits"),
            (~whole, "not a whole number"),
            (negative & (not allow_negative), "negative count"),
            # An exponent is never capped: 1e400 is an error, not 1e300.
            (~(np.abs(value) <= MAX_COUNT) | (k > 300), "out of range"),
        ],
    )
    good = np.equal(error, None)
    value = np.where(negative, -value, value)
    lower = _matches_where(compact, _COUNT_LOWER_RE, good)
    approx = _matches_where(compact, _COUNT_APPROX_RE, good)
    return {
        "value": np.where(good, value, np.nan),
        "error": error,
        "lower_bound": lower,
        "approximate": approx,
        "precision": np.where(good, _precision_from(k), np.nan),
    }


def _count_from_numbers(s: pd.Series, allow_negative: bool) -> pd.DataFrame:
    v = s.astype("float64").to_numpy()
    missing = np.isnan(v)
    with np.errstate(invalid="ignore"):
        error = _errors(
            len(v),
            [
                (missing, "missing"),
                (~np.isfinite(v) | (np.abs(v) > MAX_COUNT), "out of range"),
                (v != np.round(v), "not a whole number"),
                ((v < 0) & (not allow_negative), "negative count"),
            ],
        )
    good = np.equal(error, None)
    return _frame(
        s.index,
        {
            "value": np.where(good, v, np.nan),
            "error": error,
            "lower_bound": np.zeros(len(v), dtype=bool),
            "approximate": np.zeros(len(v), dtype=bool),
            "precision": np.where(good, 0.0, np.nan),
        },
    )


# --- dates and times -----------------------------------------------------------------------
# Year (optional, then taken from ``year=``), month, day with "-", "/", "." or 年/月/日
# separators; an optional time with ":" or 时/点/分/秒; an optional UTC offset. Matched
# on lower-cased text, so the ISO "T" and "Z" appear as "t" and "z".
_DATE_RE = (
    r"^(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?:\s*(?P<dsuf>[日号]))?"
    r"(?:(?P<sep>\s*t\s*|\s+)?(?P<h>\d{1,2})\s*[:时点]\s*"
    r"(?:(?P<mi>\d{1,2})\s*分?"
    r"(?:\s*:\s*(?P<sec>\d{1,2})(?:[.,](?P<frac>\d{1,9}))?|\s*(?P<sec2>\d{1,2})\s*秒)?)?)?"
    r"\s*(?P<tz>z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?$"
)
# YYYYMMDD, YYYYMMDDHH, YYYYMMDDHHMM, YYYYMMDDHHMMSS (trackers' file names and exports).
_COMPACT_DATE_RE = (
    r"^(?P<y>(?:19|20)\d{2})(?P<mo>[01]\d)(?P<d>[0-3]\d)"
    r"(?:(?P<h>[0-2]\d)(?:(?P<mi>[0-5]\d)(?P<sec>[0-6]\d)?)?)?$"
)
_EPOCH_RE = r"^(?P<s>\d{10})(?:\.(?P<sfrac>\d{1,6}))?$|^(?P<ms>\d{13})$"
#: A bare 10- or 13-digit number is epoch seconds or milliseconds only when it lands in
#: 2000-01-01 .. 2029-12-31 (UTC): a compact stamp such as 2023121420 would otherwise be
#: read as a time in 2034. Every YYYYMMDDHH of years 1900-2099 lies outside this range
#: as epoch seconds (>= 1.9e9 is 2030), so the two readings never compete.
EPOCH_RANGE_S = (946_684_800, 1_893_456_000)
_RELATIVE_RE = r"(刚刚|分钟前|小时前|天前|昨天|前天|今天|ago|yesterday|today)"
_EPOCH_S_MIN, _EPOCH_S_MAX = EPOCH_RANGE_S


def _int_of(a: pa.Array, default: int = 0) -> np.ndarray:
    """Digit strings to int64; empty strings give ``default``."""
    ok = _nonempty(a)
    return pc.cast(pc.if_else(pa.array(ok), a, pa.scalar(str(default))), pa.int64()).to_numpy(
        zero_copy_only=False
    )


def _int_field(parts: pa.StructArray, name: str, default: int = 0) -> np.ndarray:
    return _int_of(_field(parts, name), default)


def parse_datetime(
    s: pd.Series,
    year: int | pd.Series | None = None,
    tz: str = "Asia/Shanghai",
) -> pd.DataFrame:
    """Parse timestamps as Chinese platforms, trackers and spreadsheets write them.

    Understands "2023-12-14 20:31", "2023/12/14", "2023.12.14", compact stamps
    "20231214", "2023121420", "202312142031" and "20231214203105",
    "2023年12月14日 20时31分", "12月14日" / "12-14 20:31" (the year from ``year``), epoch
    seconds (10 digits) and milliseconds (13 digits) *when they fall in 2000-2029*
    (:data:`EPOCH_RANGE_S`; a compact stamp is never read as epoch), and ISO 8601 with an offset
    ("2023-12-14T12:31:00Z", "...+08:00"). Times without an offset are wall-clock times
    in ``tz``; times with one are converted to ``tz``.

    Parameters
    ----------
    s
        Strings, epoch numbers or datetimes.
    year
        Year for dates written without one: an int, or a Series aligned to ``s``.
    tz
        Time zone of the result and of times written without an offset.

    Returns
    -------
    DataFrame
        Aligned to ``s``: ``value`` (``datetime64[ns, tz]``), ``error`` (None or
        "missing", "not a date", "relative date needs a reference time", "no year (pass
        year=)", "invalid date", "invalid time"), ``resolution`` ("day", "hour",
        "minute", "second", "subsecond"; None on error) and ``year_supplied`` (bool: the
        year came from ``year``).
    """
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return _datetime_from_datetimes(s, tz)
    if _is_plain_numeric(s):
        return _datetime_from_epoch(s, tz)
    if year is not None and not np.isscalar(year):
        year = pd.Series(year).reindex(s.index).astype("float64").fillna(-1).to_numpy()
    arr = _as_strings(s)
    if year is None or np.isscalar(year):
        columns = _by_distinct(arr, lambda a: _datetime_columns(a, year, tz))
    else:  # a year per row: equal cells are not interchangeable
        columns = _datetime_columns(arr, year, tz)
    # Parsed as UTC nanoseconds (NaT where an error): one conversion to tz at the end.
    value = pd.Series(columns.pop("utc_ns").view("datetime64[ns]"), index=s.index)
    return _frame(
        s.index,
        {
            "value": value.dt.tz_localize("UTC").dt.tz_convert(tz),
            "error": columns["error"],
            "resolution": pd.Series(columns["resolution"], index=s.index, dtype=object),
            "year_supplied": columns["year_supplied"],
        },
    )


def wall_clock_ns(s: pd.Series, tz: str = "Asia/Shanghai") -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_datetime` of text cells as naive wall-clock time in ``tz``.

    Returns ``(ns, error)``: int64 nanoseconds of the local wall-clock time (times with
    an offset converted to ``tz``; the int64 minimum where a cell is an error) and the
    error reasons (None where read). Same rules as :func:`parse_datetime` (which it
    calls for datetime or numeric input); without its frame and its round trip through
    time-zone-aware values, for cleaners that parse a long log in chunks.
    """
    if pd.api.types.is_datetime64_any_dtype(s.dtype) or _is_plain_numeric(s):
        p = parse_datetime(s, tz=tz)
        local = p["value"].dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[ns]")
        return local.to_numpy().astype(np.int64), p["error"].to_numpy(dtype=object)
    columns = _by_distinct(_as_strings(s), lambda a: _wall_clock_columns(a, tz))
    return columns["local_ns"], columns["error"]


def _wall_clock_columns(arr: pa.Array, tz: str) -> dict[str, np.ndarray]:
    """:func:`wall_clock_ns`'s two columns (``local_ns``, ``error``) for text cells.

    Why not :func:`_datetime_columns` and a conversion back: a fast-path cell written
    without an offset already is the wall-clock time (once tz_localize has said it exists
    in ``tz``), so only cells with an offset and full-path cells are converted; and no
    resolution labels are made.
    """
    nat = np.iinfo("int64").min
    fast, handled = _datetime_fast(arr, tz, local=True)
    utc, local, error = fast["utc_ns"], fast["local_ns"], fast["error"]
    if not handled.all():
        rest = np.flatnonzero(~handled)
        slow = _by_distinct(arr.take(pa.array(rest)), lambda d: _datetime_full(d, None, tz))
        utc[rest], error[rest] = slow["utc_ns"], slow["error"]
    convert = (local == nat) & (utc != nat)  # an offset written, or the full path's
    if convert.any():
        local[convert] = (
            pd.DatetimeIndex(utc[convert].view("datetime64[ns]"))
            .tz_localize("UTC")
            .tz_convert(tz)
            .tz_localize(None)
            .asi8
        )
    return {"local_ns": local, "error": error}


def _datetime_columns(
    arr: pa.Array, year: int | np.ndarray | None, tz: str
) -> dict[str, np.ndarray]:
    """parse_datetime's columns (``utc_ns`` for the value): fast path, then full path.

    Cells for the full path are parsed once per distinct cell, unless the year is given
    per row (then equal cells are not interchangeable).
    """
    fast, handled = _datetime_fast(arr, tz)
    if handled.all():
        return fast
    rest = np.flatnonzero(~handled)
    todo = arr.take(pa.array(rest))
    if year is None or np.isscalar(year):
        slow = _by_distinct(todo, lambda d: _datetime_full(d, year, tz))
    else:
        slow = _datetime_full(todo, year[rest], tz)
    if not handled.any():
        return slow
    out = {}
    for name, col in slow.items():
        merged = fast[name].copy()
        merged[rest] = col
        out[name] = merged
    return out


# The forms most exports use, handled by _datetime_fast: "2023-12-14", "2023-12-14 20:31",
# "2023-12-14 20:31:05" (also with "/" or "."), and ISO 8601 with seconds and an offset,
# "2023-12-14T12:31:05Z" or "...+08:00". They are fixed width, so every field is read
# from known byte positions instead of through a regular expression.
_RESOLUTION_BY_LENGTH = {10: "day", 16: "minute", 19: "second", 20: "second", 25: "second"}
_FAST_BLOCK = 1 << 14  # rows per block of the datetime shortcut
_FAST_WIDTH = 25
# Days since 1970-01-01 of the 1st of each month of 1700-2200, and the months' lengths.
_MONTHS = np.arange((1700 - 1970) * 12, (2201 - 1970) * 12 + 1).astype("datetime64[M]")
_MONTH_FIRST_DAY = _MONTHS.astype("datetime64[D]").astype(np.int64)[:-1]
_MONTH_DAYS = np.diff(_MONTHS.astype("datetime64[D]").astype(np.int64))
_DATE_SEPARATORS = np.zeros(256, dtype=bool)
_DATE_SEPARATORS[[ord("-"), ord("/"), ord(".")]] = True


def _fast_fields(
    data: np.ndarray, start: np.ndarray, width: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_datetime_fast`'s reading of one block of cells (``start``, ``width``: their
    byte offsets in ``data`` and lengths): whether each is a valid stamp of its form, its
    wall-clock nanoseconds and, for stamps with an offset, its UTC nanoseconds."""
    b = (
        np.lib.stride_tricks.sliding_window_view(data, _FAST_WIDTH)[start]
        if len(start)
        else np.zeros((0, _FAST_WIDTH), dtype=np.uint8)
    )

    # byte positions as contiguous rows (a transposed copy of the block): every test and
    # digit below then reads memory in order
    b = np.ascontiguousarray(b.T)

    def col(i: int) -> np.ndarray:
        return b[i]

    def digits(*cols: int) -> np.ndarray:
        out = np.ones(len(start), dtype=bool)
        for i in cols:
            out &= (col(i) - np.uint8(48)) <= 9  # wraps below "0": one comparison
        return out

    def byte(i: int, *chars: str) -> np.ndarray:
        out = col(i) == ord(chars[0])
        for c in chars[1:]:
            out |= col(i) == ord(c)
        return out

    timed, offset_form = width >= 16, width >= 20
    ok = digits(0, 1, 2, 3, 5, 6, 8, 9) & _DATE_SEPARATORS[col(4)] & _DATE_SEPARATORS[col(7)]
    ok &= ~timed | (digits(11, 12, 14, 15) & byte(13, ":"))
    ok &= (width < 19) | (digits(17, 18) & byte(16, ":"))
    ok &= np.where(offset_form, byte(10, "T"), ~timed | byte(10, " "))
    ok &= (width != 20) | byte(19, "Z")
    ok &= (width != 25) | (byte(19, "+", "-") & digits(20, 21, 23, 24) & byte(22, ":"))
    # ISO forms keep their "-" date separators (others go to the full path)
    ok &= ~offset_form | (byte(4, "-") & byte(7, "-"))

    def number(first: int, count: int, present: np.ndarray | bool = True) -> np.ndarray:
        out = np.zeros(len(start), dtype=np.int32)  # at most 4 digits
        for i in range(first, first + count):
            out *= 10
            out += col(i)
            out -= 48
        return np.where(present & ok, out, 0).astype(np.int64)

    y, mo, d = number(0, 4), number(5, 2), number(8, 2)
    h, mi, sec = number(11, 2, timed), number(14, 2, timed), number(17, 2, width >= 19)
    is_25 = width == 25
    off_h, off_m = number(20, 2, is_25), number(23, 2, is_25)
    sign = np.where(byte(19, "-"), -1, 1)
    # calendar months of 1700-2200 from a table made once (day of the 1st, length)
    month = (np.clip(y, 1700, 2200) - 1700) * 12 + np.clip(mo, 1, 12) - 1
    first, days_in_month = _MONTH_FIRST_DAY[month], _MONTH_DAYS[month]
    ok &= (y >= 1700) & (y <= 2200) & (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= days_in_month)
    ok &= (h <= 23) & (mi <= 59) & (sec <= 59) & (off_h <= 14) & (off_m <= 59)
    days = first + (d - 1)
    local_ns = (((days * 24 + h) * 60 + mi) * 60 + sec) * 1_000_000_000
    utc_ns = local_ns - sign * (off_h * 60 + off_m) * 60_000_000_000
    return ok, local_ns, utc_ns


def _datetime_fast(
    arr: pa.Array, tz: str, *, local: bool = False
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Stamps of the fixed-width ISO-like forms, read digit by digit with numpy.

    Returns the columns (rows not handled hold placeholders) and ``handled``: cells that
    have one of the forms and hold a valid date and time in years 1700-2200 (offsets up
    to 14:59). Everything else, including every kind of error, goes through the full
    path, so its reasons are unchanged; the values are the full path's (tested).
    ``local=True`` (:func:`wall_clock_ns`): ``local_ns`` holds the wall-clock time of the
    handled cells written without an offset (int64 minimum elsewhere), and there are no
    ``resolution`` and ``year_supplied`` columns.
    Why bytes: the cells' first 25 bytes as a matrix check and read every field in a few
    vectorised passes, several times faster than a regular expression over the column.
    """
    n = len(arr)
    handled = np.zeros(n, dtype=bool)
    nat = np.iinfo("int64").min
    columns = {"utc_ns": np.full(n, nat, dtype="int64"), "error": np.full(n, None, dtype=object)}
    if local:
        columns["local_ns"] = np.full(n, nat, dtype="int64")
    else:
        columns["resolution"] = np.full(n, None, dtype=object)
        columns["year_supplied"] = np.zeros(n, dtype=bool)
    buffers = arr.buffers()
    if n == 0 or buffers[2] is None or buffers[2].size == 0:
        return columns, handled
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    length = np.diff(offsets)
    rows = np.flatnonzero(np.isin(length, (10, 16, 19, 20, 25)))
    if len(rows) == 0:
        return columns, handled
    start = offsets[rows].astype(np.int64)
    width = length[rows]
    # The first 25 bytes of every cell as one (rows x 25) matrix, gathered through a
    # sliding-window view of the data buffer (one copy of 25 bytes a row, several times
    # faster than 25 separate gathers). Bytes past a cell's end (the next cells) are read
    # but never looked at: each test below applies only to cells long enough to have
    # them. The few cells within 25 bytes of the buffer's end go to the full path.
    inside = start + _FAST_WIDTH <= len(data)
    if not inside.all():
        rows, start, width = rows[inside], start[inside], width[inside]
        if len(rows) == 0:
            return columns, handled
    # In blocks of rows: a block's byte matrix and fields stay in the CPU cache.
    parts = [
        _fast_fields(data, start[lo : lo + _FAST_BLOCK], width[lo : lo + _FAST_BLOCK])
        for lo in range(0, len(start), _FAST_BLOCK)
    ]
    ok, local_ns, utc_ns = (np.concatenate([p[i] for p in parts]) for i in range(3))
    offset_form = width >= 20
    # Stamps with an offset are UTC once it is taken off (_fast_fields); wall-clock stamps
    # are localised in tz as the full path does (a DST gap is an error there, so such rows
    # go back to it).
    wall = ok & ~offset_form
    if wall.any():
        in_tz = pd.Series(local_ns[wall].view("datetime64[ns]")).dt.tz_localize(
            tz, ambiguous="NaT", nonexistent="NaT"
        )
        localised = in_tz.notna().to_numpy()
        utc_ns[wall] = pd.DatetimeIndex(in_tz).asi8
        ok[np.flatnonzero(wall)[~localised]] = False
    rows = rows[ok]
    handled[rows] = True
    columns["utc_ns"][rows] = utc_ns[ok]
    if local:
        written_wall = ~offset_form[ok]
        columns["local_ns"][rows[written_wall]] = local_ns[ok][written_wall]
        return columns, handled
    columns["resolution"][rows] = np.array(
        [_RESOLUTION_BY_LENGTH[v] for v in (10, 16, 19, 20, 25)], dtype=object
    )[np.searchsorted([10, 16, 19, 20, 25], width[ok])]
    return columns, handled


def _datetime_full(arr: pa.Array, year: int | np.ndarray | None, tz: str) -> dict[str, np.ndarray]:
    """Every form parse_datetime accepts; ``year`` is a scalar or aligned to ``arr``."""
    n = len(arr)
    arr = _normalise(arr)
    missing = _missing_mask(arr)
    low = pc.utf8_lower(arr)

    parts = pc.extract_regex(low, _DATE_RE)
    matched = parts.is_valid().to_numpy(zero_copy_only=False)
    compact = pc.extract_regex(low, _COMPACT_DATE_RE)
    is_compact = compact.is_valid().to_numpy(zero_copy_only=False)
    epoch = pc.extract_regex(low, _EPOCH_RE)
    is_epoch = epoch.is_valid().to_numpy(zero_copy_only=False) & ~is_compact

    y = np.where(is_compact, _int_field(compact, "y"), _int_field(parts, "y", -1))
    mo = np.where(is_compact, _int_field(compact, "mo"), _int_field(parts, "mo", 1))
    d = np.where(is_compact, _int_field(compact, "d"), _int_field(parts, "d", 1))
    c_h, c_mi, c_sec = (_nonempty(_field(compact, f)) & is_compact for f in ("h", "mi", "sec"))
    has_h = (_nonempty(_field(parts, "h")) & ~is_compact) | c_h
    has_mi = (_nonempty(_field(parts, "mi")) & ~is_compact) | c_mi
    has_sec = (
        (_nonempty(_field(parts, "sec")) | _nonempty(_field(parts, "sec2"))) & ~is_compact
    ) | c_sec
    frac = _field(parts, "frac")
    has_frac = _nonempty(frac) & ~is_compact
    h = np.where(c_h, _int_field(compact, "h"), np.where(has_h, _int_field(parts, "h"), 0))
    mi = np.where(c_mi, _int_field(compact, "mi"), np.where(has_mi, _int_field(parts, "mi"), 0))
    sec = np.where(
        c_sec,
        _int_field(compact, "sec"),
        np.where(has_sec, _int_field(parts, "sec") + _int_field(parts, "sec2"), 0),
    )
    # "123" -> 123,000,000 ns: pad the fraction to nine digits before reading it.
    ns = np.where(has_frac, _int_of(pc.utf8_rpad(frac, 9, "0")), 0)
    # A time glued to the day needs 日/号 between them ("14日20时"), else "2023-12-1420:31"
    # would read as a time.
    glued = (
        has_h & ~is_compact & ~_nonempty(_field(parts, "sep")) & ~_nonempty(_field(parts, "dsuf"))
    )

    year_missing = matched & ~is_compact & (y < 0)
    year_supplied = year_missing & (year is not None)
    if year is not None:
        given = np.full(n, int(year), dtype="int64") if np.isscalar(year) else year
        y = np.where(year_missing, given, y).astype("int64")
        year_supplied &= y >= 0

    # Offsets in minutes east of UTC; "z", "utc", "gmt" are 0.
    tz_str = _field(parts, "tz")
    has_offset = _nonempty(tz_str) & ~is_compact
    sign = np.where(pc.starts_with(tz_str, "-").to_numpy(zero_copy_only=False), -1, 1)
    digits_only = pc.replace_substring_regex(tz_str, r"[^0-9]", "")
    off_h = _int_of(pc.utf8_slice_codeunits(digits_only, 0, 2))
    off_m = _int_of(pc.utf8_slice_codeunits(digits_only, 2, 4))
    offset_min = sign * (off_h * 60 + off_m)

    date_like = (matched | is_compact) & ~is_epoch
    valid_clock = (h <= 23) & (mi <= 59) & (sec <= 60) & (off_h <= 14) & (off_m <= 59)
    y_ok = np.where(date_like & (y >= 1), y, 2000)
    stamp = pd.to_datetime(
        pd.DataFrame(
            {
                "year": y_ok,
                "month": np.where(date_like, mo, 1),
                "day": np.where(date_like, d, 1),
            }
        ),
        errors="coerce",
    )
    stamp = stamp.to_numpy(dtype="datetime64[ns]")
    # Year 0 was swapped for 2000 above only to keep to_datetime vectorised: still invalid.
    bad_date = date_like & ~(year_missing & ~year_supplied) & (np.isnat(stamp) | (y == 0))
    local_ns = (
        stamp.astype("int64") + ((h * 60 + mi) * 60 + np.minimum(sec, 59)) * 1_000_000_000 + ns
    )

    relative = pc.fill_null(pc.match_substring_regex(low, _RELATIVE_RE), False).to_numpy(
        zero_copy_only=False
    )
    implausible_epoch = np.zeros(n, dtype=bool)
    if is_epoch.any():
        e_sec = np.where(
            _nonempty(_field(epoch, "ms")), _int_field(epoch, "ms") // 1000, _int_field(epoch, "s")
        )
        implausible_epoch = is_epoch & ((e_sec < _EPOCH_S_MIN) | (e_sec >= _EPOCH_S_MAX))
    error = _errors(
        n,
        [
            (missing, "missing"),
            (relative & ~date_like & ~is_epoch, "relative date needs a reference time"),
            (~date_like & ~is_epoch, "not a date"),
            (
                implausible_epoch,
                "not a date (a bare 10/13-digit number is read as epoch time only for 2000-2029)",
            ),
            (glued, "not a date"),
            (year_missing & ~year_supplied, "no year (pass year=)"),
            (date_like & ~valid_clock, "invalid time"),
            (bad_date, "invalid date"),
        ],
    )
    good = np.equal(error, None)

    # Wall-clock rows are localised in tz; rows with an offset, and epochs, are UTC.
    naive = good & date_like & ~has_offset
    utc_ns = np.where(has_offset, local_ns - offset_min * 60_000_000_000, local_ns)
    if is_epoch.any():
        e_s = _int_field(epoch, "s")
        e_ms = _int_field(epoch, "ms")
        sfrac = _field(epoch, "sfrac")
        e_frac_ns = np.where(_nonempty(sfrac), _int_of(pc.utf8_rpad(sfrac, 9, "0")), 0)
        epoch_ns = np.where(
            _nonempty(_field(epoch, "ms")), e_ms * 1_000_000, e_s * 1_000_000_000 + e_frac_ns
        )
        utc_ns = np.where(is_epoch, epoch_ns, utc_ns)
    value = pd.Series(np.where(good, utc_ns, np.iinfo("int64").min).view("datetime64[ns]"))
    local = value.where(naive).dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    absolute = value.where(good & ~naive).dt.tz_localize("UTC").dt.tz_convert(tz)
    result = local.where(naive, absolute)
    # A wall-clock time that does not exist in tz (a DST gap) comes back NaT.
    dst_gap = naive & result.isna().to_numpy()
    if dst_gap.any():
        error = np.where(dst_gap, "time does not exist in this time zone", error)
        good = np.equal(error, None)

    resolution = np.select(
        [
            is_epoch & (_nonempty(_field(epoch, "ms")) | _nonempty(_field(epoch, "sfrac"))),
            is_epoch,
            has_frac,
            has_sec,
            has_mi,
            has_h,
        ],
        ["subsecond", "second", "subsecond", "second", "minute", "hour"],
        default="day",
    ).astype(object)
    resolution[~good] = None
    return {
        "utc_ns": np.where(good, pd.DatetimeIndex(result).asi8, np.iinfo("int64").min),
        "error": error,
        "resolution": resolution,
        "year_supplied": good & year_supplied,
    }


def _datetime_from_epoch(s: pd.Series, tz: str) -> pd.DataFrame:
    """Numbers: compact stamps (20231214, 2023121420 ...) or epoch seconds/milliseconds.

    Whole numbers are read as their digits through the string path, so a number gets the
    same reading as the same digits in a text cell (compact stamp first, epoch only in
    its plausible range); fractional seconds are epoch seconds in that range.
    """
    v = s.astype("float64").to_numpy()
    missing = np.isnan(v)
    with np.errstate(invalid="ignore"):
        whole = ~missing & np.isfinite(v) & (v == np.round(v)) & (np.abs(v) < 1e15)
    if whole.any():
        digits = pd.Series(
            np.where(whole, np.where(whole, v, 0).astype("int64").astype(str), ""),
            index=s.index,
            dtype="str",
        )
        text = parse_datetime(digits, tz=tz)
    with np.errstate(invalid="ignore"):
        is_s = (v >= _EPOCH_S_MIN) & (v < _EPOCH_S_MAX) & ~whole
    error = _errors(
        len(v),
        [
            (missing, "missing"),
            (~is_s & ~whole, "not an epoch time (2000-2029, in seconds or milliseconds)"),
        ],
    )
    good = np.equal(error, None) & ~whole
    ns = np.where(good, np.round(v * 1e6), 0).astype("int64") * 1000
    value = pd.Series(ns.view("datetime64[ns]"), index=s.index).where(good)
    value = value.dt.tz_localize("UTC").dt.tz_convert(tz)
    resolution = np.where(good, "subsecond", None).astype(object)
    year_supplied = np.zeros(len(v), dtype=bool)
    if whole.any():
        value = value.where(~whole, text["value"])
        error = np.where(whole, text["error"].to_numpy(dtype=object), error)
        error = np.where(
            whole & np.equal(error, "not a date"),
            "not an epoch time (2000-2029, in seconds or milliseconds)",
            error,
        )
        resolution = np.where(whole, text["resolution"].to_numpy(dtype=object), resolution)
    return _frame(
        s.index,
        {
            "value": value,
            "error": error,
            "resolution": pd.Series(resolution, index=s.index, dtype=object),
            "year_supplied": year_supplied,
        },
    )


def _datetime_from_datetimes(s: pd.Series, tz: str) -> pd.DataFrame:
    """Datetimes already typed (Excel, Parquet): naive ones are wall-clock times in tz."""
    value = s.dt.tz_convert(tz) if s.dt.tz is not None else s.dt.tz_localize(tz)
    value = value.astype(f"datetime64[ns, {tz}]")
    good = value.notna().to_numpy()
    error = np.where(good, None, "missing").astype(object)
    resolution = np.where(good, "second", None).astype(object)
    return _frame(
        s.index,
        {
            "value": value,
            "error": error,
            "resolution": pd.Series(resolution, index=s.index, dtype=object),
            "year_supplied": np.zeros(len(s), dtype=bool),
        },
    )


# --- money ---------------------------------------------------------------------------------
#: Multipliers a money amount may carry, as powers of ten.
MONEY_UNITS: dict[str, int] = {"万亿": 12, "亿": 8, "万": 4, "千": 3, "w": 4, "k": 3}
_MONEY_RE = (
    r"^(?P<sign1>[+-])?(?P<pre>¥|rmb|cny|人民币)?(?P<sign>[+-])?"
    + _NUMBER
    + r"(?P<unit>万亿|亿|万|千|w|k)?"
    + r"(?P<post>元人民币|元|块钱|块|yuan|rmb|cny|人民币)?(?P<lb>起|以上|\+)?$"
)
_OTHER_CURRENCY_RE = r"[$€£₩]|usd|hkd|eur|jpy|美元|港币|港元|欧元|日元|円"


def parse_money(s: pd.Series, *, allow_negative: bool = False) -> pd.DataFrame:
    """Parse yuan amounts: "¥88", "￥88.00", "88元", "RMB 128", "128.5 yuan", "1.2万元".

    Parameters
    ----------
    s
        Strings (or numbers, read as yuan).
    allow_negative
        Accept a minus sign (refunds, changes); by default a negative amount is an error.

    Returns
    -------
    DataFrame
        Aligned to ``s``: ``value`` (float64 yuan), ``error`` (None or "missing",
        "not an amount", "a range, not one amount", "not in yuan", "too many digits",
        "negative amount"), ``lower_bound`` (bool: "¥88起", "100元以上") and
        ``precision`` (float64; nonzero only for scaled amounts such as "1.2万元").
    """
    if _is_plain_numeric(s):
        v = s.astype("float64").to_numpy()
        with np.errstate(invalid="ignore"):
            error = _errors(
                len(v),
                [
                    (np.isnan(v), "missing"),
                    (~np.isfinite(v), "not an amount"),
                    ((v < 0) & (not allow_negative), "negative amount"),
                ],
            )
        good = np.equal(error, None)
        return _frame(
            s.index,
            {
                "value": np.where(good, v, np.nan),
                "error": error,
                "lower_bound": np.zeros(len(v), dtype=bool),
                "precision": np.where(good, 0.0, np.nan),
            },
        )
    columns = _by_distinct(_as_strings(s), lambda a: _money_columns(a, allow_negative))
    return _frame(s.index, columns)


def _money_columns(arr: pa.Array, allow_negative: bool) -> dict[str, np.ndarray]:
    n = len(arr)
    arr = _normalise(arr)
    missing = _missing_mask(arr)
    compact = _compact(arr)
    valid = _matches(compact, _MONEY_RE)
    digits, k, too_long, has_digits = _scaled_digits(
        compact,
        valid,
        lead="+-¥rmbcny人民币",
        trail="元人民币块钱yuanrmbc起以上+",
        units=MONEY_UNITS,
    )
    ok_shape = valid & has_digits
    n_minus = pc.count_substring(compact, "-").to_numpy(zero_copy_only=False)
    n_signs = n_minus + pc.count_substring(pc.utf8_rtrim(compact, "+"), "+").to_numpy(
        zero_copy_only=False
    )
    negative = valid & (n_minus == 1)
    double_sign = valid & (n_signs > 1)

    def flag(pattern: str) -> np.ndarray:
        return _matches(compact, pattern)

    error = _errors(
        n,
        [
            (missing, "missing"),
            (~ok_shape & flag(_OTHER_CURRENCY_RE), "not in yuan"),
            (~ok_shape & flag(_RANGE_RE), "a range, not one amount"),
            (~ok_shape | double_sign, "not an amount"),
            (too_long, "too many digits"),
            (negative & (not allow_negative), "negative amount"),
        ],
    )
    good = np.equal(error, None)
    value = _value_from(digits, k)
    return {
        "value": np.where(good, np.where(negative, -value, value), np.nan),
        "error": error,
        "lower_bound": good & flag(r"(?:起|以上|\+)$"),
        "precision": np.where(good, _precision_from(k), np.nan),
    }


# --- percentages ---------------------------------------------------------------------------
_PERCENT_RE = r"^(?P<sign>[+-])?" + _NUMBER + r"(?P<unit>%|‰|个百分点|百分点|pp|pct|percent)?$"


def parse_percent(
    s: pd.Series, *, bare: Literal["percent", "fraction"] = "percent"
) -> pd.DataFrame:
    """Parse percentages: "80%", "80.5 %", "８０％", "5‰", "0.805".

    Parameters
    ----------
    s
        Strings or numbers.
    bare
        How to read a number written without a sign: ``"percent"`` ("80.5" is 80.5 %)
        or ``"fraction"`` ("0.805" is 80.5 %). Numeric input is read the same way.

    Returns
    -------
    DataFrame
        Aligned to ``s``: ``value`` (float64, **in percent**: "80%" -> 80.0; negative
        values allowed, e.g. growth rates), ``error`` (None or "missing",
        "not a percentage", "too many digits").
    """
    if bare not in ("percent", "fraction"):
        raise ValueError("bare must be 'percent' or 'fraction'")
    bare_exp = 2 if bare == "fraction" else 0
    if _is_plain_numeric(s):
        v = s.astype("float64").to_numpy()
        error = _errors(len(v), [(np.isnan(v), "missing"), (~np.isfinite(v), "not a percentage")])
        good = np.equal(error, None)
        return _frame(
            s.index, {"value": np.where(good, v * 10.0**bare_exp, np.nan), "error": error}
        )
    columns = _by_distinct(_as_strings(s), lambda a: _percent_columns(a, bare_exp))
    return _frame(s.index, columns)


def _percent_columns(arr: pa.Array, bare_exp: int) -> dict[str, np.ndarray]:
    n = len(arr)
    arr = _normalise(arr)
    missing = _missing_mask(arr)
    compact = _compact(arr)
    matched = _matches(compact, _PERCENT_RE)
    # "%" and "percentage points" keep the number; "‰" divides by ten; bare numbers follow
    # the ``bare`` argument.
    digits, k, too_long, has_digits = _scaled_digits(
        compact,
        matched,
        lead="+-",
        trail="",
        units={"%": 0, "个百分点": 0, "百分点": 0, "pp": 0, "pct": 0, "percent": 0, "‰": -1},
        bare_exp=bare_exp,
    )
    error = _errors(
        n,
        [
            (missing, "missing"),
            (~(matched & has_digits), "not a percentage"),
            (too_long, "too many digits"),
        ],
    )
    good = np.equal(error, None)
    negative = matched & _bool(pc.starts_with(compact, "-"))
    value = _value_from(digits, k)
    return {"value": np.where(good, np.where(negative, -value, value), np.nan), "error": error}


# --- plain numbers -------------------------------------------------------------------------
# A decimal number: optional sign, digits grouped in threes by commas or not grouped at
# all ("1,2345" and "1,2,3" are typing errors, not 12345 and 123), an optional fraction and
# an optional exponent ("3.1160E+07").
_PLAIN_NUMBER_RE = (
    r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[+-]?\d+)?$|^[+-]?\.\d+(?:e[+-]?\d+)?$"
)


def parse_number(s: pd.Series) -> pd.DataFrame:
    """Parse plain decimal numbers as published ("731", "1,234.5", "-0.36", "3.1160E+07").

    Unlike ``float()`` or ``pd.to_numeric`` this refuses what is not exactly a number:
    wrong digit grouping ("1,2345", "1,2,3"), words, and values beyond float range
    ("1e400" is an error, never ``inf`` or a capped value).

    Parameters
    ----------
    s
        Strings (or numbers).

    Returns
    -------
    DataFrame
        Aligned to ``s``: ``value`` (float64) and ``error`` (None or "missing",
        "not a number", "digit grouping is not 1,234,567", "out of range").
    """
    if _is_plain_numeric(s):
        v = s.astype("float64").to_numpy()
        error = _errors(len(v), [(np.isnan(v), "missing"), (~np.isfinite(v), "out of range")])
        good = np.equal(error, None)
        return _frame(s.index, {"value": np.where(good, v, np.nan), "error": error})
    arr = _normalise(_as_strings(s))
    missing = _missing_mask(arr)
    low = pc.utf8_lower(arr)
    ok = _matches(low, _PLAIN_NUMBER_RE)
    grouped_wrong = (
        ~ok & _matches(low, r"^[+-]?[\d,]+(?:\.\d+)?(?:e[+-]?\d+)?$") & _matches(low, r"\d,|,\d")
    )
    text = pc.if_else(pa.array(ok), pc.replace_substring(low, ",", ""), pa.scalar("0"))
    with np.errstate(over="ignore"):
        v = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    error = _errors(
        len(v),
        [
            (missing, "missing"),
            (grouped_wrong, "digit grouping is not 1,234,567"),
            (~ok, "not a number"),
            (~np.isfinite(v), "out of range"),
        ],
    )
    good = np.equal(error, None)
    return _frame(s.index, {"value": np.where(good, v, np.nan), "error": error})


# --- pack sizes ----------------------------------------------------------------------------
#: Weight units -> grams (1 斤 = 500 g, 1 两 = 50 g: the market units, not the old 16-两 斤).
MASS_UNITS: dict[str, float] = {
    "mg": 1e-3,
    "毫克": 1e-3,
    "g": 1.0,
    "克": 1.0,
    "kg": 1e3,
    "公斤": 1e3,
    "千克": 1e3,
    "斤": 500.0,
    "市斤": 500.0,
    "两": 50.0,
}
#: Volume units -> millilitres.
VOLUME_UNITS: dict[str, float] = {"ml": 1.0, "毫升": 1.0, "l": 1e3, "升": 1e3, "公升": 1e3}
#: Counter words of packs counted in pieces ("12只装", "3盒"); base unit ``item``. 头 is not
#: here: in seafood grades "22-24头" counts pieces per 斤, not pieces in the pack.
COUNTER_WORDS: tuple[str, ...] = (
    "只", "个", "盒", "袋", "瓶", "包", "罐", "件", "支", "片", "条", "枚", "粒", "块", "听",
    "桶", "箱", "份", "套", "颗", "根", "张", "卷", "双", "对", "提", "杯", "贴", "组", "尾",
    "入", "pcs", "pc",
)  # fmt: skip
_PACK_UNITS: dict[str, tuple[str, float]] = {
    **{u: ("g", f) for u, f in MASS_UNITS.items()},
    **{u: ("ml", f) for u, f in VOLUME_UNITS.items()},
    **{u: ("item", 1.0) for u in COUNTER_WORDS},
}


def _alternation(words: Any) -> str:
    """Regex alternation, longest first (so "kg" is tried before "g")."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_UNIT_ALT = _alternation(_PACK_UNITS)
_COUNTER_ALT = _alternation(COUNTER_WORDS)
_PACK_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_TIMES = r"[*x×]"
# Matched on normalised, lower-cased text with spaces removed. Forms: "500g", "12只装",
# "400g*2", "400g×2袋", "2袋×500g", "500g/袋", "净含量:1.2kg".
_PACK_RE = (
    r"^(?:净含量|净重|规格|容量|重量|含量)?:?"
    rf"(?:(?P<n1>\d+)(?P<w1>{_COUNTER_ALT})?装?{_TIMES})?"
    rf"(?P<num>{_PACK_NUMBER})(?P<unit>{_UNIT_ALT})装?"
    rf"(?:/(?P<per>{_COUNTER_ALT}))?"
    rf"(?:{_TIMES}(?P<n2>\d+)(?P<w2>{_COUNTER_ALT})?装?)?$"
)
_CJK = "\u4e00-\u9fff"  # real characters in the pattern: RE2 knows no \\u escapes
_PACK_RANGE_RE = r"\d\s*(?:[a-z" + _CJK + r"]{0,2})\s*(?:-|~|～|至|到)\s*\d"
_PACK_APPROX_RE = r"约|左右|大约|±|\+/-|上下"


def parse_pack(s: pd.Series) -> pd.DataFrame:
    """Parse pack sizes as shops write them: "500g", "1.5kg", "2斤", "400g×2袋", "12只装".

    Weights go to grams (克, g, kg, 公斤, 千克, mg; 1 斤 = 500 g, 1 两 = 50 g), volumes to
    millilitres (ml, 毫升, L, 升), packs counted in pieces (只, 个, 盒, 袋, 瓶, ... see
    :data:`COUNTER_WORDS`, optionally with 装) to items. Multipacks multiply: "400g*2",
    "400g×2袋", "2袋×500g", "500毫升*6瓶"; a prefix 净含量/净重/规格 and full-width digits
    and letters ("５００ｇ") are accepted. Anything else is an error, never a guess.

    Parameters
    ----------
    s
        Pack sizes as written (numbers without a unit are an error: "500" of what?).

    Returns
    -------
    DataFrame
        Aligned to ``s``: ``quantity`` (float64, in ``base_unit``), ``base_unit`` ("g",
        "ml" or "item"; None on error), ``pieces`` (float64: pieces in the pack, 1 for a
        single pack: "400g×2袋" -> 2, "12只装" -> 12), ``piece_unit`` (the counter word of
        the pieces, e.g. "袋", "只"; None when not written) and ``error`` (None or
        "missing", "no unit", "unknown unit", "a range, not one size", "approximate size,
        not one size", "not a pack size", "not a whole number of items", "zero size").

    Examples
    --------
    >>> parse_pack(pd.Series(["2斤", "400g×2袋", "500毫升*6瓶", "12只装"]))["quantity"]
    ... # 1000.0 (g), 800.0 (g), 3000.0 (ml), 12.0 (item)
    """
    columns = _by_distinct(_as_strings(s), _pack_columns)
    return _frame(s.index, columns)


def _opt_int(parts: pa.StructArray, name: str) -> np.ndarray:
    """An optional integer field: NaN where absent."""
    f = _field(parts, name)
    has = _nonempty(f)
    return np.where(has, _int_of(f).astype("float64"), np.nan)


def _opt_str(parts: pa.StructArray, name: str) -> np.ndarray:
    f = _field(parts, name).to_numpy(zero_copy_only=False).astype(object)
    f[f == ""] = None
    return f


def _pack_columns(arr: pa.Array) -> dict[str, np.ndarray]:
    n = len(arr)
    arr = _normalise(arr)
    missing = _missing_mask(arr)
    compact = _compact(arr)  # "净含量：1.2 KG" -> "净含量:1.2kg" (full-width already ASCII)
    parts = pc.extract_regex(compact, _PACK_RE)
    matched = parts.is_valid().to_numpy(zero_copy_only=False)
    num_s = pc.replace_substring(_field(parts, "num"), ",", "")
    num_s = pc.if_else(pa.array(matched), num_s, pa.scalar("0"))
    num = pc.cast(num_s, pa.float64()).to_numpy(zero_copy_only=False)
    unit = _field(parts, "unit")
    names = list(_PACK_UNITS)
    pos = pc.fill_null(pc.index_in(unit, value_set=pa.array(names)), -1).to_numpy(
        zero_copy_only=False
    )
    base_of = np.array([_PACK_UNITS[u][0] for u in names] + [None], dtype=object)
    factor_of = np.array([_PACK_UNITS[u][1] for u in names] + [np.nan])
    base = base_of[pos]
    factor = factor_of[pos]
    n1, n2 = _opt_int(parts, "n1"), _opt_int(parts, "n2")
    w1, w2 = _opt_str(parts, "w1"), _opt_str(parts, "w2")
    per = _opt_str(parts, "per")
    unit_s = _opt_str(parts, "unit")
    counted = matched & (base == "item")
    # A multiplier on each side ("2袋×500g×3") or two different counter words for a count
    # ("6瓶*2箱": which one is the item?) cannot be read without guessing.
    both = ~np.isnan(n1) & ~np.isnan(n2)
    word = np.where(pd.isna(w1), w2, w1)
    count_of_counts = counted & ~pd.isna(word) & (word != unit_s)
    mult = np.where(np.isnan(n1), 1.0, n1) * np.where(np.isnan(n2), 1.0, n2)
    quantity = num * factor * mult
    whole = ~counted | (num == np.round(num))

    has_digit = _matches(compact, r"\d")
    error = _errors(
        n,
        [
            (missing, "missing"),
            (
                ~matched & has_digit & _matches(compact, _PACK_APPROX_RE),
                "approximate size, not one size",
            ),
            (~matched & _matches(compact, _PACK_RANGE_RE), "a range, not one size"),
            (~matched & _matches(compact, r"^\d+(?:\.\d+)?$"), "no unit"),
            (
                ~matched & _matches(compact, r"^\d+(?:\.\d+)?[a-z" + _CJK + "]+$"),
                "unknown unit",
            ),
            (~matched | both | count_of_counts, "not a pack size"),
            (~whole, "not a whole number of items"),
            (quantity == 0, "zero size"),
        ],
    )
    good = np.equal(error, None)
    pieces = np.where(counted, quantity, mult)
    piece_unit = np.where(counted, unit_s, np.where(pd.isna(word), per, word))
    return {
        "quantity": np.where(good, quantity, np.nan),
        "base_unit": np.where(good, base, None).astype(object),
        "pieces": np.where(good, pieces, np.nan),
        "piece_unit": np.where(good, piece_unit, None).astype(object),
        "error": error,
    }


# --- prices as live rooms write them ---------------------------------------------------------
#: ``parse_price`` forms, in the ``form`` column.
PRICE_FORMS = ("amount", "unit_price", "multi_buy", "discount", "second_item")
_FORMS = np.array([None, *PRICE_FORMS], dtype=object)
_AMOUNT, _UNIT, _MULTI, _DISCOUNT, _SECOND = range(1, 6)
_PRICE_UNIT = {"g": "kg", "ml": "l", "item": "item"}
_PER_BASE = {"g": 1e3, "ml": 1e3, "item": 1.0}  # per g -> per kg, per ml -> per l


def _lookup(keys: np.ndarray, table: Mapping[str, Any], default: Any, dtype: Any) -> np.ndarray:
    """``table[k]`` for each of ``keys`` (few distinct values: one lookup per distinct key)."""
    codes, uniq = pd.factorize(keys)
    values = np.array([table.get(k, default) for k in uniq] + [default], dtype=dtype)
    return values[codes]  # code -1 (missing) picks the trailing default


def _per_base_scale(base: np.ndarray) -> np.ndarray:
    """Factor from yuan per base unit (g, ml, item) to yuan per price unit (kg, l, item)."""
    return _lookup(base, _PER_BASE, np.nan, float)


def _price_unit_of(base: np.ndarray) -> np.ndarray:
    return _lookup(base, _PRICE_UNIT, None, object)


def _with_detail(prefix: str, detail: np.ndarray) -> np.ndarray:
    """ "prefix (detail)" for each row (vectorised string concatenation)."""
    return (prefix + " (" + pd.Series(detail, dtype=object).astype(str) + ")").to_numpy(object)


_DISCOUNT_RE = r"^(?:打)?(?P<d>\d+(?:\.\d+)?)折(?:优惠)?$"
_SECOND_RE = (
    r"^(?:第(?:二|2)件(?:(?P<half>半价)|(?P<sd>\d+(?:\.\d+)?)折|(?P<free>0元|免费))"
    r"|(?P<bogo>买一送一|买1送1))$"
)
# "2件88", "两件88元", "2斤88元", "3瓶共99": a quantity, then the money paid for it.
_QTY_FIRST_RE = (
    rf"^(?P<q>(?:\d+(?:\.\d+)?|两)(?:{_UNIT_ALT}))(?:共|仅|只要|到手|合计)?(?P<m>[^/每]*\d[^/每]*)$"
)
# "88.5元/斤", "¥12.8/500g", "88元/2件", "9.9元每袋": money, then what it buys.
_PER_RE = r"^(?P<m>[^/每]*\d[^/每]*)(?:/|每)(?P<per>[^/每]+)$"


def _extract_rows(
    arr: pa.Array, pattern: str, where: np.ndarray, fields: tuple[str, ...]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``extract_regex`` run only on the rows in ``where`` (cheap triggers select them).

    Returns the full-length match mask and each field as an object array ("" elsewhere).
    """
    n = len(arr)
    ok = np.zeros(n, dtype=bool)
    out = {f: np.full(n, "", dtype=object) for f in fields}
    idx = np.flatnonzero(where)
    if not len(idx):
        return ok, out
    parts = pc.extract_regex(arr.take(pa.array(idx)), pattern)
    valid = parts.is_valid().to_numpy(zero_copy_only=False)
    ok[idx[valid]] = True
    for f in fields:
        out[f][idx] = _field(parts, f).to_numpy(zero_copy_only=False)
    return ok, out


def _to_float(text: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Digit strings to float where ``where`` (NaN elsewhere)."""
    out = np.full(len(text), np.nan)
    if where.any():
        out[where] = pd.to_numeric(pd.Series(text[where], dtype=object)).to_numpy(float)
    return out


def _price_parts(arr: pa.Array) -> dict[str, np.ndarray]:
    """The row-independent part of ``parse_price``: form, amount, what the amount buys,
    discount factor (parsed once per distinct cell).

    Plain amounts (most cells) go straight to :func:`parse_money`; the other forms are
    looked for only in cells holding their trigger characters (折, 第/送, a leading
    quantity, "/" or 每), so a column of plain prices costs little more than parse_money.
    """
    n = len(arr)
    arr = _normalise(arr)
    missing = _missing_mask(arr)
    compact = _compact(arr)
    form = np.zeros(n, dtype=np.int8)  # codes into _FORMS (0: missing)
    factor = np.full(n, np.nan)
    err = np.full(n, None, dtype=object)
    open_ = ~missing

    is_disc, disc = _extract_rows(
        compact, _DISCOUNT_RE, open_ & _bool(pc.match_substring(compact, "折")), ("d",)
    )
    d = _to_float(disc["d"], is_disc)
    # "8折" = 80 %, "8.5折" = 85 %, "85折" = 85 %, "10折" = full price.
    two_digit = is_disc & (d > 10) & (d < 100) & (d == np.round(d))
    f = np.where(d <= 10, d / 10, np.where(two_digit, d / 100, np.nan))
    form[is_disc] = _DISCOUNT
    factor[is_disc] = f[is_disc]
    err[is_disc & (np.isnan(f) | (f <= 0))] = (
        "not a discount (expected 1折 to 10折, e.g. 8折, 8.5折)"
    )

    trig = (
        open_
        & ~is_disc
        & (_bool(pc.match_substring(compact, "第")) | _bool(pc.match_substring(compact, "送")))
    )
    is_sec, sec = _extract_rows(compact, _SECOND_RE, trig, ("half", "sd", "free", "bogo"))
    sd = _to_float(sec["sd"], is_sec & (sec["sd"] != ""))
    with np.errstate(invalid="ignore"):
        second = np.select(
            [sec["half"] != "", (sec["free"] != "") | (sec["bogo"] != ""), sd <= 10],
            [0.5, 0.0, sd / 10],
            default=np.nan,
        )
    form[is_sec] = _SECOND
    factor[is_sec] = second[is_sec]
    err[is_sec & np.isnan(second)] = "not a second-item offer this parser knows"

    todo = open_ & ~is_disc & ~is_sec
    is_qf, qf = _extract_rows(
        compact,
        _QTY_FIRST_RE,
        todo & _matches(compact, r"^(?:\d+(?:\.\d+)?|两)(?:" + _UNIT_ALT + ")"),
        ("q", "m"),
    )
    form[is_qf] = _MULTI  # refined to unit_price below when the quantity is a weight
    todo &= ~is_qf
    trig = todo & (
        _bool(pc.match_substring(compact, "/")) | _bool(pc.match_substring(compact, "每"))
    )
    is_per, pr = _extract_rows(compact, _PER_RE, trig, ("m", "per"))
    form[is_per] = _UNIT
    plain = ~missing & ~is_disc & ~is_sec & ~is_qf & ~is_per
    form[plain] = _AMOUNT

    # The money part: the whole cell for amounts, the extracted part otherwise.
    has_money = plain | is_qf | is_per
    special = is_qf | is_per
    money = compact
    if special.any():
        sub = np.where(is_qf, qf["m"], pr["m"])[special]
        money = pc.replace_with_mask(compact, pa.array(special), pa.array(sub, type=pa.string()))
    m = parse_money(pd.Series(pd.arrays.ArrowStringArray(money), dtype="str"))
    amount = m["value"].to_numpy()
    m_err = np.where(has_money, m["error"].to_numpy(dtype=object), None)
    lower = has_money & m["lower_bound"].to_numpy(dtype=bool)

    # What the money buys ("斤", "500g", "2件"): through parse_pack, only on those rows.
    has_per = special
    per_q = np.full(n, np.nan)
    per_base = np.full(n, None, dtype=object)
    per_word = np.full(n, None, dtype=object)
    p_err = np.full(n, None, dtype=object)
    if has_per.any():
        what = np.where(is_qf, qf["q"], pr["per"])[has_per]
        what = pd.Series(what, dtype=object)
        what = what.str.replace(r"^两", "2", regex=True)  # "两件88": two items
        bare = ~what.str.match(r"^[\d.]")
        what = what.where(~bare, "1" + what)  # "元/斤": one 斤
        p = parse_pack(what.astype("str"))
        per_q[has_per] = p["quantity"].to_numpy()
        per_base[has_per] = p["base_unit"].to_numpy(dtype=object)
        per_word[has_per] = p["piece_unit"].to_numpy(dtype=object)
        p_err[has_per] = p["error"].to_numpy(dtype=object)
    # A weight or volume bought for the money is a unit price, whichever side it is written.
    weighed = has_per & np.isin(per_base, ["g", "ml"])
    form[is_qf & weighed] = _UNIT
    counted = has_per & (per_base == "item")
    form[(form == _UNIT) & counted] = _MULTI  # "88元/2件": 2 items for 88

    own = ~missing & ~np.equal(err, None)  # a discount or offer out of range
    m_bad = has_money & ~np.equal(m_err, None)
    p_bad = has_per & ~np.equal(p_err, None)
    error = _errors(
        n,
        [
            (missing, "missing"),
            (own, "<own>"),
            (m_bad & (m_err == "not in yuan"), "not in yuan"),
            (m_bad & (m_err == "a range, not one amount"), "a range, not one price"),
            (plain & m_bad, "not a price"),
            (m_bad, "<money>"),
            (lower, "a lower bound ('起', '以上'), not a price"),
            (p_bad, "<per>"),
        ],
    )
    # Reasons that carry the sub-parser's own words.
    for tag, detail in (("<own>", err), ("<money>", m_err), ("<per>", p_err)):
        hit = error == tag
        if tag == "<own>":
            error[hit] = detail[hit]
        else:
            what = "amount" if tag == "<money>" else "unit"
            error[hit] = _with_detail(f"{what} not readable", detail[hit])
    good = np.equal(error, None)
    return {
        "form": form,
        "amount": np.where(good, amount, np.nan),
        "factor": np.where(good, factor, np.nan),
        "per_quantity": np.where(good & has_per, per_q, np.nan),
        "per_base": np.where(good & has_per, per_base, None).astype(object),
        "per_word": np.where(good & has_per, per_word, None).astype(object),
        "error": error,
    }


def parse_price(
    s: pd.Series,
    list_price: pd.Series | str | float | None = None,
    pack: pd.Series | pd.DataFrame | None = None,
    quantity: pd.Series | int | None = None,
) -> pd.DataFrame:
    """Parse prices as live rooms and shops write them, to yuan per kg, litre or item.

    Forms (``form`` column):

    ``amount``
        "¥88", "88元", "1.2万元" (:func:`parse_money`): the price of one pack. With
        ``pack`` it becomes a unit price (¥88 for "2斤" -> 88 yuan/kg); without, it is
        the price per item.
    ``unit_price``
        Already a unit price: "88.5元/斤" (177 yuan/kg), "¥12.8/500g" (25.6 yuan/kg),
        "9.9元每100ml" (99 yuan/l), "2斤88元" (88 yuan/kg). ``pack`` is not needed.
    ``multi_buy``
        "2件88", "两件88元", "3瓶共99", "88元/2件": the money buys that many items, each
        one pack (44 yuan per item for "2件88"). The one exception: a counter word equal to
        the pack's own ("¥5/只" for a pack "12只装") prices one piece of the pack.
    ``discount``
        "8折" = 80 % of the list price, "8.5折" / "85折" = 85 %; needs ``list_price``.
    ``second_item``
        "第二件半价", "第二件8折", "第二件0元", "买一送一": the second item at that share
        of the base price (``list_price``). The price per item follows from the quantity
        bought: 1 item -> the base price, 2 items -> (1 + share) / 2 of it (0.75 for 半价).
        Without ``quantity``, or for more than two items (the offer does not say), the row
        is refused with the reason.

    Parameters
    ----------
    s
        Prices as written (numbers are read as yuan amounts).
    list_price
        The list (base) price in the same forms (not a discount); a Series aligned to
        ``s``, one value, or ``parse_price``'s output for it (parsed already). Needed by
        ``discount`` and ``second_item`` rows.
    pack
        Pack sizes as written (Series aligned to ``s``) or their :func:`parse_pack`
        frame. Needed to turn a pack price into a unit price; rows whose pack cannot be
        read are refused when they need it.
    quantity
        Items bought (``second_item`` offers): a whole number, or a Series aligned to ``s``.

    Returns
    -------
    DataFrame
        Aligned to ``s``: ``value`` (float64, yuan per ``price_unit``), ``price_unit``
        ("kg", "l" or "item"), ``form`` (see above) and ``error`` (None or the reason the
        price was refused). Never a guess: a row that needs something it lacks is refused.
    """
    n = len(s)
    if _is_plain_numeric(s):
        money = parse_money(s)
        parts = {
            "form": np.where(money["error"].eq("missing"), 0, _AMOUNT).astype(np.int8),
            "amount": money["value"].to_numpy(),
            "factor": np.full(n, np.nan),
            "per_quantity": np.full(n, np.nan),
            "per_base": np.full(n, None, dtype=object),
            "per_word": np.full(n, None, dtype=object),
            "error": np.where(money["error"].isna(), None, "not a price").astype(object),
        }
        parts["error"][money["error"].eq("missing").to_numpy()] = "missing"
    else:
        parts = _by_distinct(_as_strings(s), _price_parts)
    form = parts["form"]
    error = parts["error"].copy()
    amount = parts["amount"]

    # The pack the price refers to.
    if pack is None:
        pq = np.ones(n)
        pbase = np.full(n, "item", dtype=object)
        ppieces = np.ones(n)
        pword = np.full(n, None, dtype=object)
        perr = np.full(n, None, dtype=object)
    else:
        pk = pack if isinstance(pack, pd.DataFrame) else parse_pack(pack)
        pk = pk.set_axis(s.index) if len(pk) == n else pk
        pq = pk["quantity"].to_numpy(dtype=float)
        pbase = pk["base_unit"].to_numpy(dtype=object)
        ppieces = pk["pieces"].to_numpy(dtype=float)
        pword = pk["piece_unit"].to_numpy(dtype=object)
        perr = pk["error"].to_numpy(dtype=object)

    value = np.full(n, np.nan)
    unit = np.full(n, None, dtype=object)
    ok = np.equal(error, None)

    # Weight and volume unit prices stand on their own.
    wu = ok & (form == _UNIT)
    per_base = parts["per_base"][wu]
    value[wu] = amount[wu] / parts["per_quantity"][wu] * _per_base_scale(per_base)
    unit[wu] = _price_unit_of(per_base)

    # Pack prices: an amount for one pack, or for k items of the pack.
    packed = ok & ((form == _AMOUNT) | (form == _MULTI))
    k = np.where(form == _MULTI, parts["per_quantity"], 1.0)
    piece = packed & (form == _MULTI) & ~pd.isna(pword) & (parts["per_word"] == pword)
    need_pack = packed & ~np.equal(perr, None)
    per_item_q = np.where(piece, pq / ppieces, pq)  # quantity one priced item holds
    good_pack = packed & ~need_pack
    with np.errstate(invalid="ignore", divide="ignore"):
        v = amount / k / per_item_q * _per_base_scale(pbase)
    value[good_pack] = v[good_pack]
    unit[good_pack] = _price_unit_of(pbase[good_pack])
    error[need_pack] = _with_detail("pack size not readable", perr[need_pack])

    # Discounts and second-item offers: a share of the list price.
    rel = ok & ((form == _DISCOUNT) | (form == _SECOND))
    if rel.any():
        if list_price is None:
            error[rel] = np.where(
                form[rel] == _DISCOUNT,
                "a discount (折) needs the list price",
                "a second-item offer needs the list (base) price",
            )
        else:
            if isinstance(list_price, pd.DataFrame):  # already parse_price's output
                lst = list_price.set_axis(s.index)
            else:
                lp = list_price
                if not isinstance(lp, pd.Series):
                    lp = pd.Series([lp] * n, index=s.index)
                lst = parse_price(lp.set_axis(s.index), pack=pack)
            lv = lst["value"].to_numpy()
            lu = lst["price_unit"].to_numpy(dtype=object)
            lerr = lst["error"].to_numpy(dtype=object)
            share = parts["factor"].copy()
            sec = rel & (form == _SECOND)
            if sec.any():
                if quantity is None:
                    q = np.full(n, np.nan)
                elif isinstance(quantity, pd.Series):
                    q = pd.to_numeric(quantity.set_axis(s.index), errors="coerce").to_numpy(float)
                else:
                    q = np.full(n, float(quantity))
                share = np.where(sec & (q == 1), 1.0, share)
                share = np.where(sec & (q == 2), (1.0 + parts["factor"]) / 2.0, share)
                sec_err = _errors(
                    n,
                    [
                        (
                            sec & np.isnan(q),
                            "a second-item offer: the price per item depends on the quantity bought (not given)",
                        ),
                        (
                            sec & ((q < 1) | (q != np.round(q))),
                            "quantity bought must be a whole number of items",
                        ),
                        (
                            sec & (q > 2),
                            "a second-item offer: the price of more than two items is not stated",
                        ),
                    ],
                )
                bad_q = ~np.equal(sec_err, None)
                error[bad_q] = sec_err[bad_q]
            fine = rel & np.equal(error, None)
            no_list = fine & (lerr == "missing")
            error[no_list] = np.where(
                form[no_list] == _DISCOUNT,
                "a discount (折) needs the list price",
                "a second-item offer needs the list (base) price",
            )
            bad_list = fine & ~no_list & ~np.equal(lerr, None)
            error[bad_list] = _with_detail("list price not readable", lerr[bad_list])
            fine &= np.equal(lerr, None)
            value[fine] = share[fine] * lv[fine]
            unit[fine] = lu[fine]

    good = np.equal(error, None)
    return _frame(
        s.index,
        {
            "value": np.where(good, value, np.nan),
            "price_unit": np.where(good, unit, None).astype(object),
            "form": _FORMS[form],
            "error": error,
        },
    )
