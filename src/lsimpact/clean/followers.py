"""Follower counts -> the daily panel ``followers_daily`` (and ``followers_published``).

``followers_daily`` turns a tracker's snapshot log (one row per account and capture time)
into one row per (platform, account_id, date):

* exact duplicate rows are dropped (counted);
* rows whose count or capture time cannot be read are quarantined with the reason;
* **glitches** are quarantined and kept out of the daily value: a displayed 0, or a
  value off by more than ``glitch_factor`` (default 5, so a tenfold scrape error) from the
  median of the account's five surrounding snapshots (it reverts; see
  :func:`detect_glitches`);
* the day's value is the **last valid snapshot of the day** (``how="last"``, local date
  in ``tz``), preferring exact counts to lower bounds ("3116万+"); ``how="median"``
  takes the median of the day's valid snapshots;
* every account gets one row per calendar day between its first and last valid day.
  Days without a valid snapshot are **never filled silently**: by default
  (``fill="none"``) ``followers`` is missing and ``n_snapshots`` is 0. With
  ``fill="loglinear"`` gaps of at most ``max_gap`` days are filled by linear
  interpolation of log followers between the two neighbouring observed days, and the
  row is flagged ``imputed``;
* ``net_change`` is ``followers`` minus the previous calendar day's value (missing when
  either is missing), ``net_change_since`` the date it is measured from.

``followers_published`` puts the sparse published counts and changes of the East Buy /
Dong Yuhui accounts (resource ``published_figures``) into the same panel format, flagged
``sparse``, with the source on every row.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import (
    Cleaned,
    RowAccounting,
    concat_quarantine,
    quarantine_rows,
    require_columns,
    source_rows,
)
from ..errors import InputError
from ..io import HEADER_ALIASES, cells_at, normalise_headers, release_free_memory
from ..parse import count_arrays, wall_clock_ns
from . import rules

__all__ = [
    "ALIASES",
    "PANEL_COLUMNS",
    "clean_published",
    "clean_snapshots",
    "combine",
    "detect_glitches",
    "entity_hash",
]

#: Output columns of both follower datasets, in order.
PANEL_COLUMNS = [
    "platform",
    "account_id",
    "account_name",
    "group",
    "date",
    "followers",
    "net_change",
    "net_change_since",
    "n_snapshots",
    "n_glitches",
    "glitch",
    "imputed",
    "lower_bound",
    "approximate",
    "sparse",
    "source",
    "source_url",
    "source_row",
]

#: Header spellings: the shared table :data:`lsimpact.io.HEADER_ALIASES` plus a tracker's
#: watch-list group column.
ALIASES: Mapping[str, tuple[str, ...]] = {
    **HEADER_ALIASES,
    "group": ("分组", "类型", "账号类型", "标签", "watchlist_group"),
}

_CHUNK = 250_000
#: Rows per block of whole accounts in the glitch filter: the window's dozen temporaries
#: of a block stay in the CPU cache (a fifth faster than blocks of 250k rows).
_GLITCH_BLOCK = 1 << 14
#: The raw columns that make a snapshot row (exact duplicates are equal in all of them).
_RAW_COLUMNS = ("platform", "account_id", "account_name", "group", "followers", "captured_at")


def _normalise_headers(raw: pd.DataFrame) -> pd.DataFrame:
    """Rename known header spellings (Chinese or English) to the canonical names.

    Uses :func:`lsimpact.io.normalise_headers`, so a bracketed unit such as "粉丝数（万）"
    is applied to the cells.
    """
    out = normalise_headers(raw, dict(ALIASES))
    if "account_id" not in out.columns and "account_name" in out.columns:
        out["account_id"] = out["account_name"]
    if "account_name" not in out.columns and "account_id" in out.columns:
        out["account_name"] = out["account_id"]
    require_columns(
        out,
        ["account_id", "followers", "captured_at"],
        what="the snapshot log",
        expected="columns account_id (or account_name), followers, captured_at; "
        "optional platform, group (Chinese headers 账号, 粉丝数, 采集时间 also work)",
        hint="rename the header(s)",
        path=raw.attrs.get("source_path"),
    )
    return out


def _arrow_strings(s: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The cells of ``s`` as pyarrow strings, zero-copy for Arrow-backed text (the chunks
    of a multi-threaded read stay chunks: combining them would copy the column).

    Other dtypes go through ``astype("string[pyarrow]")`` first, as :func:`_text` always did, so an
    integer id 7 is the text "7"; missing stays null.
    """
    if not (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow") and not (
        isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_string(s.dtype.pyarrow_dtype)
    ):
        s = s.astype("string[pyarrow]")
    return pa.array(s.array)


def _codes(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Codes (int32, in order of first appearance; null is a value of its own) and the
    distinct values, as ``dictionary_encode`` gives them, without combining chunks."""
    uniq = pc.unique(arr)
    if isinstance(uniq, pa.ChunkedArray):
        uniq = uniq.combine_chunks()
    codes = pc.index_in(arr, value_set=uniq, skip_nulls=False)
    return codes.to_numpy(zero_copy_only=False).astype(np.int32, copy=False), uniq


def _category_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_codes` of a categorical column (``io.read_table(categorical=True)``): the
    same codes and distinct values (first-appearance order, null as a value, categories
    no row uses left out), read from the categorical's codes without making its texts."""
    codes = s.cat.codes.to_numpy()
    cats = np.asarray(s.cat.categories, dtype=object)
    if len(codes) and codes[0] == 0:
        # A category read by pyarrow is numbered in order of first appearance already: then
        # the running maximum of the codes steps up by one at each new category, and every
        # category up to the largest code is used. Two cheap passes check it, instead of
        # hashing the column (and the codes are kept as they are).
        top = np.maximum.accumulate(codes)
        if (top[1:] - top[:-1] <= 1).all() and (codes >= 0).all():
            return codes.astype(np.int32), cats[: int(top[-1]) + 1]
    seen = pd.unique(codes)  # codes in order of first appearance; -1 is a missing cell
    lut = np.zeros(len(s.cat.categories) + 1, dtype=np.int32)
    lut[seen] = np.arange(len(seen), dtype=np.int32)  # -1 lands in the extra last slot
    uniq = np.array([None if c < 0 else cats[c] for c in seen.tolist()], dtype=object)
    return lut[codes], uniq


def _text_codes(
    s: pd.Series, kind: str = "text", reports: list[Any] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes into the normalised distinct texts of ``s`` (NA -> '').

    Normalisation (:mod:`lsimpact.clean.rules`): invisible characters removed, NFKC,
    stripped; ``kind="id"`` also folds case (one account id is one account however it
    is capitalised); ``kind="platform"`` maps spellings to one vocabulary (抖音, Douyin
    -> douyin). What changed is appended to ``reports`` for the summary notes.

    Why per distinct value: an id or a name repeats on every snapshot, so the text work
    is done on the few distinct values and the rows carry integer codes. Returns
    ``(codes, texts, raw_codes)``: the normalised texts are unique (two raw spellings
    that normalise alike share one code); ``raw_codes`` tell the raw cells apart (null
    is a value).
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        raw_codes, uniq = _category_codes(s)
    else:
        raw_codes, dictionary = _codes(_arrow_strings(s))
        uniq = np.asarray(dictionary.to_pylist(), dtype=object)
    column = str(s.name)
    if kind == "platform":
        clean, _ = rules.canonical_platform(uniq)
        _, report = rules.normalise_identity(uniq, column)
        mapped = sorted({f"{u} -> {c}" for u, c in zip(uniq, clean, strict=True) if u and u != c})
        if reports is not None and mapped:
            reports.append(report)
            reports.append(f"platform spellings mapped to one vocabulary: {'; '.join(mapped)}")
    else:
        clean, report = rules.normalise_identity(uniq, column, casefold=kind == "id")
        if reports is not None:
            reports.append(report)
    merged, texts = pd.factorize(clean)
    if len(texts) == len(uniq):  # no two spellings merged: the raw codes are the codes
        return raw_codes, np.asarray(texts, dtype=object), raw_codes
    return merged.astype(np.int32)[raw_codes], np.asarray(texts, dtype=object), raw_codes


#: Compare-exchange pairs of an optimal sorting network for five values.
_SORT5 = ((0, 1), (3, 4), (2, 4), (2, 3), (1, 4), (0, 3), (0, 2), (1, 3), (1, 2))


def _window_median_at(
    v: np.ndarray, a: np.ndarray, at: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Median of the centred window of five values of the same account at the
    positions ``at``, and whether the window holds at least three.

    Absent neighbours (another account, or past either end) are +inf; see
    :func:`_median5`. ``v`` must be finite and sorted by account (``a``).
    """
    cols = []
    for sh in range(-2, 3):
        j = at + sh
        jj = np.clip(j, 0, max(len(v) - 1, 0))
        same = (j >= 0) & (j < len(v)) & (a[jj] == a[at])
        cols.append(np.where(same, v[jj], np.inf))
    return _median5(cols)


def _beyond_window_range(v: np.ndarray, a: np.ndarray, limit: float) -> np.ndarray:
    """True where ``v`` differs by more than ``limit`` from the smallest or the largest
    value of its centred window of five of the same account.

    Why: the window's median lies between those two, so only these rows can differ by
    more than ``limit`` from it; the median (a sorting network) is then computed for
    them alone, a few percent of the rows, instead of for every row.
    """
    lo, hi = v.copy(), v.copy()
    for sh in (1, 2):
        if len(v) <= sh:
            break
        same = a[sh:] == a[:-sh]
        before = np.where(same, v[:-sh], v[sh:])  # another account's value: itself
        after = np.where(same, v[sh:], v[:-sh])
        np.minimum(lo[sh:], before, out=lo[sh:])
        np.maximum(hi[sh:], before, out=hi[sh:])
        np.minimum(lo[:-sh], after, out=lo[:-sh])
        np.maximum(hi[:-sh], after, out=hi[:-sh])
    return (v - lo > limit) | (hi - v > limit)


def _median5(cols: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Median of the finite values among five columns (+inf where absent, the middle
    one always finite) and whether there are at least three.

    A sorting network of element-wise minima and maxima orders each window, and the
    median is the middle of the ``k`` finite values: the same numbers as
    ``np.nanmedian`` (the mean of the two middle values when ``k`` is 4), without a
    per-row sort.
    """
    k = sum(np.isfinite(c) for c in cols[:2] + cols[3:]) + 1
    for i, j in _SORT5:
        lo = np.minimum(cols[i], cols[j])
        cols[j] = np.maximum(cols[i], cols[j])
        cols[i] = lo
    # sorted: the k finite values come first, so the median is cols[1] (k = 3), the
    # mean of cols[1] and cols[2] (k = 4) or cols[2] (k = 5)
    med = np.where(k == 4, (cols[1] + cols[2]) / 2, np.where(k == 5, cols[2], cols[1]))
    return med, k >= 3


def detect_glitches(
    account: np.ndarray, value: np.ndarray, factor: float = 5.0
) -> tuple[np.ndarray, np.ndarray]:
    """Flag scrape glitches in a snapshot series sorted by account and time.

    A snapshot is a glitch when it shows 0, or when it differs by more than ``factor``
    from the median of the centred window of five non-zero snapshots of the same account
    (two before, itself, two after; at least three present). A value that reverts at the
    next snapshot is thus flagged, while a lasting change of level is not once it is
    confirmed by the following snapshots. With fewer than three snapshots only 0 is
    flagged.

    Returns
    -------
    (glitch, reason)
        Boolean mask and a reason string per row ("" where not a glitch).
    """
    glitch, zero = _glitch_flags(account, value, factor)
    reason = np.full(len(glitch), "", dtype=object)
    reason[glitch] = _glitch_reasons(zero[glitch], factor)
    return glitch, reason


def _glitch_flags(
    account: np.ndarray, value: np.ndarray, factor: float = 5.0
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`detect_glitches` without the reason strings: ``(glitch, zero)``, the glitch
    mask and which rows show 0 (the cleaner makes reasons for the glitch rows only)."""
    zero = value <= 0
    idx = np.flatnonzero(~zero)
    v = np.log(value[idx])
    a = account[idx]
    lf = np.log(factor)
    # Centred window of 5 snapshots of the same account (2 before, itself, 2 after): its
    # median ignores an isolated glitch, and two glitches around one good value too.
    m = len(v)
    glitch = zero.copy()
    if np.isfinite(v).all():
        # In blocks of whole accounts: the window's temporaries stay in the CPU cache.
        bounds = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])
        at = np.searchsorted(bounds, np.arange(_GLITCH_BLOCK, m, _GLITCH_BLOCK))
        cuts = [int(bounds[i]) if i < len(bounds) else m for i in at] + [m]
        lo = 0
        near = [np.zeros(0, dtype=np.int64)]
        for hi in dict.fromkeys(cuts):
            if hi > lo:
                near.append(np.flatnonzero(_beyond_window_range(v[lo:hi], a[lo:hi], lf)) + lo)
                lo = hi
        cand = np.concatenate(near)
        med, enough = _window_median_at(v, a, cand)
        glitch[idx[cand[enough & (np.abs(v[cand] - med) > lf)]]] = True
        return glitch, zero
    else:  # an infinite count: the general (slower) NaN-aware path
        win = np.full((m, 5), np.nan)
        for j, sh in enumerate(range(-2, 3)):
            src = np.arange(m) + sh
            inside = (src >= 0) & (src < m)
            same = np.zeros(m, dtype=bool)
            same[inside] = a[src[inside]] == a[inside]
            win[same, j] = v[src[same]]
        enough = np.sum(~np.isnan(win), axis=1) >= 3
        with np.errstate(invalid="ignore"):
            med = np.nanmedian(win, axis=1)
    off = enough & (np.abs(v - med) > lf)
    glitch[idx[off]] = True
    return glitch, zero


def _glitch_reasons(zero: np.ndarray, factor: float) -> np.ndarray:
    """The quarantine reason of each glitch: shown as 0, or off from its neighbours."""
    return np.where(
        zero,
        "scrape glitch: count shown as 0",
        f"scrape glitch: off by more than x{factor:g} from the neighbouring snapshots",
    ).astype(object)


def _account_codes(
    p_code: np.ndarray, p_text: np.ndarray, a_code: np.ndarray, a_text: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes of the rows' (platform, account) pairs, numbered in sorted order of their
    texts, and each code's platform and account text.

    ``p_code``/``a_code`` index ``p_text``/``a_text``, which may hold one text twice (two
    spellings normalised alike): such pairs merge, as their texts are equal. Why via the
    pairs of codes: the pairs present are few (accounts), so they are found with one
    count over the rows and ranked by their texts on their own; the rows then take their
    code with one lookup, instead of ranking platforms, accounts and pairs over the rows.
    """
    n_a = max(len(a_text), 1)
    pair = p_code.astype(np.int64) * n_a + a_code
    size = len(p_text) * n_a
    counted = size <= 4 * len(pair) + 1024
    if counted:
        present = np.flatnonzero(np.bincount(pair, minlength=size))
    else:  # far more possible pairs than rows: hash the rows' pairs instead
        present, pair = np.unique(pair, return_inverse=True)  # pair: index into present
    texts = np.asarray(p_text, dtype=object), np.asarray(a_text, dtype=object)
    p_rank, p_sorted = pd.factorize(texts[0][present // n_a], sort=True)
    a_rank, a_sorted = pd.factorize(texts[1][present % n_a], sort=True)
    codes, keys = pd.factorize(p_rank.astype(np.int64) * len(a_sorted) + a_rank, sort=True)
    codes = codes.astype(np.int32)
    if counted:  # a lookup table over every possible pair
        lut = np.full(size, -1, dtype=np.int32)
        lut[present] = codes
        codes = lut
    return (
        codes[pair],
        np.asarray(p_sorted, dtype=object)[keys // max(len(a_sorted), 1)],
        np.asarray(a_sorted, dtype=object)[keys % max(len(a_sorted), 1)],
    )


def _most_frequent_label(
    account: np.ndarray, label: np.ndarray, texts: np.ndarray, n_acc: int
) -> np.ndarray:
    """Each account's most frequent non-empty label (the first in sorted order among
    equally frequent ones; "" when it has none).

    ``account`` holds codes in ``[0, n_acc)``, ``label`` codes into ``texts`` (unique).
    Why a count table: with few labels, one ``bincount`` of (account, label) pairs and an
    ``argmax`` per account replace sorting millions of pairs.
    """
    order = np.argsort(np.asarray(texts, dtype=object), kind="stable")  # sorted label ranks
    rank = np.empty(len(texts), dtype=np.int32)
    rank[order] = np.arange(len(texts), dtype=np.int32)
    sorted_texts = np.asarray(texts, dtype=object)[order]
    n_lab = len(texts)
    out = np.full(n_acc, "", dtype=object)
    if n_lab == 0 or len(account) == 0:
        return out
    pair = account.astype(np.int64)  # in place: the cleaner's peak is near
    pair *= n_lab
    pair += rank[label]
    empty = np.flatnonzero(sorted_texts == "")
    if n_acc * n_lab <= 4 * len(pair) + 1024:
        counts = np.bincount(pair, minlength=n_acc * n_lab).reshape(n_acc, n_lab)
        counts[:, empty] = 0  # an empty label is no label
        best = counts.argmax(axis=1)  # the first of the most frequent: the smallest label
        has = counts[np.arange(n_acc), best] > 0
        out[has] = sorted_texts[best[has]]
        return out
    # many labels: the distinct pairs, ordered by account, count (descending), label
    pu, pc_ = np.unique(pair, return_counts=True)
    keep = ~np.isin(pu % n_lab, empty)
    pu, pc_ = pu[keep], pc_[keep]
    pu = pu[np.lexsort((pu % n_lab, -pc_, pu // n_lab))]
    if len(pu):
        first = np.r_[True, (pu // n_lab)[1:] != (pu // n_lab)[:-1]]
        out[pu[first] // n_lab] = sorted_texts[pu[first] % n_lab]
    return out


def _exact_duplicates(
    df: pd.DataFrame,
    text_codes: Mapping[str, np.ndarray],
    value: np.ndarray,
    lower: np.ndarray,
    t_ns: np.ndarray,
) -> np.ndarray:
    """Rows equal in every column to an earlier row (the first one is kept).

    Equal raw cells parse to equal numbers and normalise to equal texts, so exact
    duplicates are among the rows whose text codes and parsed count and time repeat;
    only those few candidates are compared as strings. Why: hashing millions of distinct
    count and time strings costs more than parsing them.
    """
    n = len(value)
    dup = np.zeros(n, dtype=bool)
    if n < 2:
        return dup
    acc = text_codes["account_id"]
    same_acc = acc[1:] == acc[:-1]
    if np.all((acc[1:] > acc[:-1]) | (same_acc & (t_ns[1:] >= t_ns[:-1]))):
        # Each account's rows together and in time order (codes number accounts in order
        # of appearance), as exports usually list them: rows with one account and time
        # are neighbours, so only runs of equal neighbours can hold duplicates.
        same = same_acc & (t_ns[1:] == t_ns[:-1])
        cand = np.flatnonzero(np.r_[same, False] | np.r_[False, same])
    else:
        # A 64-bit mix of the columns (wrapping arithmetic): a collision only adds a
        # candidate, which the string comparison then clears.
        h = np.zeros(n, dtype=np.uint64)
        parts = [*text_codes.values(), value.view(np.uint64), lower, t_ns]
        with np.errstate(over="ignore"):
            for col in parts:
                h = (h ^ np.asarray(col).astype(np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
                h ^= h >> np.uint64(29)
        cand = rules.repeated_hashes(h)
    if len(cand):
        # the candidates' raw cells (a categorical's codes stand for its texts one to one)
        sub = pd.DataFrame(
            {
                c: df[c].cat.codes.to_numpy()[cand]
                if isinstance(df[c].dtype, pd.CategoricalDtype)
                else cells_at(df[c], cand)
                for c in _RAW_COLUMNS
            }
        )
        dup[cand[sub.duplicated(keep="first").to_numpy()]] = True
    return dup


def _account_time_order(code: np.ndarray, t_ns: np.ndarray, srow: np.ndarray) -> np.ndarray | None:
    """Permutation to (account, time, source row) order; None when already in it.

    Exports usually list each account's snapshots in time order, so a stable sort by
    account alone (fast on such runs) mostly suffices; the full three-key sort is the
    fallback.
    """

    def in_order(c: np.ndarray, t: np.ndarray, r: np.ndarray) -> bool:
        same_c = c[1:] == c[:-1]
        same_t = t[1:] == t[:-1]
        return bool(
            np.all(
                (c[1:] > c[:-1])
                | (same_c & (t[1:] > t[:-1]))
                | (same_c & same_t & (r[1:] > r[:-1]))
            )
        )

    if len(code) < 2 or in_order(code, t_ns, srow):
        return None
    order = np.argsort(code, kind="stable")
    if in_order(code[order], t_ns[order], srow[order]):
        return order
    return np.lexsort((srow, t_ns, code))


def _errors(error: np.ndarray | pd.Series, offset: int) -> dict[int, str]:
    """The parser's non-missing errors keyed by row position (plus ``offset``)."""
    e = np.asarray(error, dtype=object)
    at = np.flatnonzero(pd.notna(e))
    return dict(zip((at + offset).tolist(), e[at].tolist(), strict=True))


def _texts_at(texts: np.ndarray, idx: np.ndarray) -> pd.arrays.ArrowStringArray:
    """``texts[idx]`` as pandas text (the ``str`` dtype), taken in Arrow.

    Why: each account's text repeats on every day of the panel; converting a column of
    Python strings row by row costs more than the rest of building the panel.
    """
    taken = pa.array(texts, type=pa.large_string()).take(pa.array(idx))
    return pd.array(taken.cast(pa.large_string()), dtype="str")


def _error_mask(errors: dict[int, str], n: int) -> np.ndarray:
    """Which of ``n`` rows have an error (``errors`` is keyed by row position)."""
    mask = np.zeros(n, dtype=bool)
    mask[np.fromiter(errors.keys(), dtype=np.int64, count=len(errors))] = True
    return mask


def _error_column(errors: dict[int, str], pos: np.ndarray) -> np.ndarray:
    """Errors aligned to the rows at positions ``pos`` (None where none)."""
    out = np.full(len(pos), None, dtype=object)
    if errors:
        where = np.fromiter(errors.keys(), dtype=np.int64, count=len(errors))
        msg = np.array(list(errors.values()), dtype=object)
        i = np.searchsorted(pos, where)
        hit = (i < len(pos)) & (pos[np.minimum(i, len(pos) - 1)] == where)
        out[i[hit]] = msg[hit]
    return out


def _parse_chunk(
    df: pd.DataFrame,
    lo: int,
    tz: str,
    value: np.ndarray,
    lower: np.ndarray,
    t_ns: np.ndarray,
    day: np.ndarray,
) -> tuple[int, dict[int, str], dict[int, str]]:
    """Parse rows ``lo:lo + _CHUNK`` of the log into the slices of ``value``, ``lower``,
    ``t_ns`` and ``day`` (int32 days since 1970, floor; an unreadable time's NaT gives a
    day far in the past); returns the row count and the count and time errors by row."""
    part = df.iloc[lo : lo + _CHUNK]
    hi = lo + len(part)
    cnt = count_arrays(part["followers"])
    value[lo:hi] = cnt["value"]
    lower[lo:hi] = cnt["lower_bound"]
    t_ns[lo:hi], t_err = wall_clock_ns(part["captured_at"], tz)
    # days here, in the parallel threads: an int64 division costs 50 ms per 3M rows
    np.floor_divide(t_ns[lo:hi], 86_400_000_000_000, out=day[lo:hi], casting="unsafe")
    return len(part), _errors(cnt["error"], lo), _errors(t_err, lo)


def _parse_workers(n_rows: int) -> int:
    """Threads for parsing: one per usable core (at most 4: beyond that the chunks'
    Python glue holds the GIL), one for a log of a single chunk."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(4, cores or 1, -(-n_rows // _CHUNK)))


def _progress(total: int, desc: str, enabled: bool | None) -> Any:
    from tqdm import tqdm

    disable = not sys.stderr.isatty() if enabled is None else not enabled
    return tqdm(total=total, desc=desc, unit="row", unit_scale=True, disable=disable, leave=False)


def clean_snapshots(
    raw: pd.DataFrame,
    *,
    how: str = "last",
    fill: str = "none",
    max_gap: int = 3,
    glitch_factor: float = 5.0,
    tz: str = "Asia/Shanghai",
    platform: str = "unknown",
    source: str | None = None,
    progress: bool | None = None,
    partition: bool = False,
    today: str | None = None,
    max_isolation_days: int = 366,
) -> Cleaned:
    """Clean a follower snapshot log into the daily panel ``followers_daily``.

    Parameters
    ----------
    raw
        Snapshot log as strings: account_id and/or account_name, followers, captured_at,
        optional platform and group (Chinese headers accepted, see :data:`ALIASES`).
    how
        Daily value: ``"last"`` valid snapshot of the day (exact counts preferred to lower
        bounds) or ``"median"`` of the day's valid snapshots.
    fill
        ``"none"`` (default): days without a valid snapshot keep ``followers`` missing.
        ``"loglinear"``: gaps of at most ``max_gap`` days are interpolated linearly in log
        followers and flagged ``imputed``.
    glitch_factor
        Ratio to both neighbouring snapshots above which a reverting value is a glitch.
    tz
        Time zone of the calendar day (times with an offset are converted to it).
    platform
        Platform used when the log has no platform column.
    source
        Text for the ``source`` column (default: the catalogue resource or file name).
    progress
        Show a tqdm progress bar; default: only when stderr is a terminal.
    partition
        ``raw`` holds some whole accounts of a larger log (chunked and Dask engines,
        :func:`combine`): a part without a usable row gives an empty panel instead of an
        error.
    today
        ISO date of "today" (a clock option: ``lsimpact.load`` fills it in and records it
        in the fingerprint). A capture time after today + 1 day is quarantined; None
        turns the check off.
    max_isolation_days
        Snapshots cut off from the bulk of their account's series by a gap longer than
        this (a year typo: 2203, 2013) are quarantined (:func:`rules.isolated_times`).

    Returns
    -------
    Cleaned
        The daily panel (:data:`PANEL_COLUMNS`), quarantine and row accounting. Identity
        columns are normalised (invisible characters, full-width forms, case of ids,
        platform spellings); the summary notes say what changed. A blank platform cell
        (when the log has a platform column) or a total row (合计/总计/小计) is quarantined.
    """
    if how not in {"last", "median"}:
        raise InputError(f"unknown option how={how!r}", expected="'last' or 'median'")
    if fill not in {"none", "loglinear"}:
        raise InputError(f"unknown option fill={fill!r}", expected="'none' or 'loglinear'")
    n_in = len(raw)
    df = _normalise_headers(raw)
    src = source_rows(raw).to_numpy()
    src_name = (
        source
        or raw.attrs.get("resource")
        or Path(str(raw.attrs.get("source_path", "snapshot log"))).name
    )
    # The ``platform`` option applies only to a log without a platform column: a blank
    # cell in a platform column is quarantined, never filled with this default.
    has_platform = "platform" in df.columns
    for c in ("platform", "group"):
        if c not in df.columns:
            df[c] = platform if c == "platform" else ""

    # 1. Parse every row (in chunks, so that a long log shows progress). Parsing first
    # lets the duplicate check below compare numbers instead of hashing millions of
    # distinct strings; duplicates are ~1% of a log, so parsing them costs little.
    # Each chunk's results go straight into compact arrays, which bounds the parsers'
    # temporaries to one chunk.
    n_rows = len(df)
    value_all = np.empty(n_rows, dtype=np.float64)
    lower_all = np.empty(n_rows, dtype=bool)
    t_all = np.empty(n_rows, dtype=np.int64)
    day_all = np.empty(n_rows, dtype=np.int32)  # NaT // 1 day = -106,752: fits
    # Parse errors are rare: kept as (row, message) pairs rather than a column of None.
    cnt_err: dict[int, str] = {}
    tim_err: dict[int, str] = {}
    bar = _progress(n_rows, "parsing snapshots", progress)

    # Chunks in parallel threads: the parsers' kernels (pyarrow compute, numpy) release
    # the GIL, and each chunk writes its own slice of the arrays.
    with ThreadPoolExecutor(max_workers=_parse_workers(n_rows)) as pool:
        starts = range(0, n_rows, _CHUNK)
        k = len(starts)
        arrays = ([value_all] * k, [lower_all] * k, [t_all] * k, [day_all] * k)
        work = pool.map(_parse_chunk, [df] * k, starts, [tz] * k, *arrays)
        for n_part, c_err, t_err in work:
            cnt_err.update(c_err)
            tim_err.update(t_err)
            bar.update(n_part)
    bar.close()
    # the parsers' temporaries are free: back to the system, not kept by the allocators
    release_free_memory()

    # Text columns as integer codes into their normalised distinct values.
    texts = {}
    texts_raw = {}
    notes_id: list[Any] = []
    for c in _IDENTITY_ORDER:
        norm, uniq, _ = _text_codes(df[c], _IDENTITY_KIND[c], notes_id)
        texts[c] = (norm, uniq)
        if partition:
            texts_raw[c] = pc.unique(_arrow_strings(df[c])).to_pylist()

    # 2. Exact duplicates (every column equal) are dropped and counted, not quarantined.
    # They stay a mask until the one subset of usable rows below, and every row-length
    # temporary is dropped as soon as it is used (``del``): copies of a dozen arrays of
    # 3M rows would double the peak memory. Rows keep their position in ``df``.
    dup = _exact_duplicates(df, {c: t[0] for c, t in texts.items()}, value_all, lower_all, t_all)
    n_dup = int(dup.sum())
    # the parse errors as masks; their messages are looked up for the quarantined rows only
    cnt_bad = _error_mask(cnt_err, n_rows)
    tim_bad = _error_mask(tim_err, n_rows)
    acc_c, acc_u = texts["account_id"]
    plat_c, plat_u = texts["platform"]
    q_parts = []
    bad_acc = (acc_u == "")[acc_c] & ~dup
    fol_raw = df["followers"]

    def raw_cells(column: str, mask: np.ndarray) -> np.ndarray:
        return cells_at(df[column], np.flatnonzero(mask))

    # A total row (合计 ...) sums other accounts; it is not an account. A blank platform
    # is not the default platform.
    # (looked up on the distinct normalised texts: no pass over the rows' strings)
    total = (
        (
            rules.is_total_word(acc_u)[acc_c]
            | rules.is_total_word(texts["account_name"][1])[texts["account_name"][0]]
        )
        & ~bad_acc
        & ~dup
    )
    blank_plat = (plat_u == "")[plat_c] & has_platform & ~bad_acc & ~total & ~dup
    bad_key = bad_acc | total | blank_plat
    q_parts.append(
        quarantine_rows(
            src[total],
            "account_id",
            raw_cells("account_id", total),
            "a total row (合计/总计/小计): a sum of other rows, not an account",
        )
    )
    q_parts.append(
        quarantine_rows(
            src[blank_plat],
            "platform",
            raw_cells("platform", blank_plat),
            rules.BLANK_KEY.format(column="platform"),
        )
    )
    bad_cnt = cnt_bad & ~bad_key & ~dup
    bad_time = tim_bad & ~bad_key & ~bad_cnt & ~dup
    del cnt_bad, tim_bad
    future = np.zeros(len(t_all), dtype=bool)
    if today is not None:
        future = rules.future_times(day_all, today) & ~bad_key & ~bad_cnt & ~bad_time & ~dup
    q_parts.append(
        quarantine_rows(
            src[future],
            "captured_at",
            raw_cells("captured_at", future),
            f"capture time after today ({today}) + 1 day",
        )
    )

    q_parts.append(
        quarantine_rows(
            src[bad_acc],
            "account_id",
            raw_cells("account_id", bad_acc),
            "missing account id and name",
        )
    )
    q_parts.append(
        quarantine_rows(
            src[bad_cnt],
            "followers",
            raw_cells("followers", bad_cnt),
            "followers not readable as a count ("
            + pd.Series(_error_column(cnt_err, np.flatnonzero(bad_cnt))).astype(str)
            + ")",
        )
    )
    q_parts.append(
        quarantine_rows(
            src[bad_time],
            "captured_at",
            raw_cells("captured_at", bad_time),
            "capture time not readable ("
            + pd.Series(_error_column(tim_err, np.flatnonzero(bad_time))).astype(str)
            + ")",
        )
    )
    ok = ~(dup | bad_key | bad_cnt | bad_time | future)
    del dup, bad_key, bad_cnt, bad_time, future, bad_acc, total, blank_plat, cnt_err, tim_err

    # From here on accounts are integer codes and times int64: sorting and grouping 10M
    # rows by strings would dominate the run time. Codes follow (platform, account_id)
    # in sorted order, among the readable rows only.
    okpos = np.flatnonzero(ok).astype(np.int32 if n_rows < 2**31 else np.int64)
    code, acc_platform, acc_ident = _account_codes(plat_c[okpos], plat_u, acc_c[okpos], acc_u)
    n_acc = len(acc_ident)
    value = value_all[ok]
    del value_all
    lower_b = lower_all[ok]
    del lower_all
    t_ns = t_all[ok]
    del t_all
    day = day_all[ok]  # floor: days since 1970-01-01
    del day_all
    srow = src[ok]
    if len(srow) and srow.max() < 2**31:  # line numbers: int32 holds any file in memory
        srow = srow.astype(np.int32)
    del src, ok
    release_free_memory()

    # 3. Glitches, on each account's series in time order.
    order = _account_time_order(code, t_ns, srow)
    del t_ns  # the order was all the times were needed for; days go on
    if order is not None:
        # one array at a time, so that each old copy is freed before the next is made
        code = code[order]
        value = value[order]
        lower_b = lower_b[order]
        day = day[order]
        srow = srow[order]
        okpos = okpos[order]
        del order
    release_free_memory()
    # Snapshots far from the bulk of their account's series are year typos: out before
    # they stretch the daily grid (and before they skew the glitch medians).
    lone = rules.isolated_times(code, day, max_gap_days=max_isolation_days)
    if lone.any():
        q_parts.append(
            quarantine_rows(
                srow[lone],
                "captured_at",
                cells_at(df["captured_at"], okpos[lone]),
                f"capture time more than {max_isolation_days} days from the bulk of the "
                "account's snapshots (a year typo?)",
            )
        )
        code, value, lower_b, day, srow, okpos = (
            x[~lone] for x in (code, value, lower_b, day, srow, okpos)
        )
    glitch, zero = _glitch_flags(code, value, glitch_factor)
    q_parts.append(
        quarantine_rows(
            srow[glitch],
            "followers",
            cells_at(fol_raw, okpos[glitch]),
            _glitch_reasons(zero[glitch], glitch_factor),
        )
    )
    del zero
    release_free_memory()
    keep = ~glitch
    n_used = int(keep.sum())
    g_code, g_day = code[glitch], day[glitch]
    code = code[keep]
    value = value[keep]
    lower_b = lower_b[keep]
    day = day[keep]
    srow = srow[keep]
    okpos = okpos[keep]

    if n_used == 0 and not partition:
        _no_usable_rows(concat_quarantine(q_parts), raw.attrs.get("source_path"))
    opts: dict[str, Any] = {
        "how": how,
        "fill": fill,
        "max_gap": max_gap,
        "glitch_factor": glitch_factor,
        "tz": tz,
        "today": today,
        "max_isolation_days": max_isolation_days,
    }
    if partition:  # what combine() needs to write the whole log's identity notes
        opts[_IDENTITY_KEY] = {c: _identity_detail(texts_raw[c], c) for c in _IDENTITY_ORDER}
    if n_used == 0:  # a partition without a usable row: an empty panel, all rows accounted
        quarantine = concat_quarantine(q_parts)
        empty = {c: pd.Series([], dtype="str") for c in PANEL_COLUMNS}
        types = {"date": "datetime64[ns]", "net_change_since": "datetime64[ns]"}
        types |= {c: "float64" for c in ("followers", "net_change")}
        types |= {c: "int64" for c in ("n_snapshots", "n_glitches")}
        types |= {c: bool for c in ("glitch", "imputed", "lower_bound", "approximate", "sparse")}
        types["source_row"] = "Int64"
        panel = pd.DataFrame({c: empty[c].astype(types.get(c, "str")) for c in PANEL_COLUMNS})
        acc = RowAccounting(
            dataset="followers_daily",
            input_rows=n_in,
            used_rows=0,
            quarantined_rows=len(quarantine),
            duplicate_rows=n_dup,
            output_rows=0,
            notes=(
                f"{int(glitch.sum())} glitch snapshots kept out of the daily values",
                f"{n_acc} accounts, 0 account-days without a valid snapshot (0 imputed, "
                f"fill={fill!r})",
                f"daily value: {how} valid snapshot of the day ({tz})",
                *_identity_notes(notes_id),
            ),
        )
        return Cleaned(panel, quarantine, acc, opts)

    # 4. One value per account and day. Rows are in (account, time, source row) order,
    # so an account-day is a contiguous run.
    d0 = int(day.min()) if len(day) else 0
    span_days = int(day.max()) - d0 + 1 if len(day) else 1
    # (row-length temporaries as few and as narrow as they can be: this step holds the
    # cleaner's peak memory)
    start = np.ones(len(code), dtype=bool)  # a new account-day: account or day changes
    np.not_equal(code[1:], code[:-1], out=start[1:])
    start[1:] |= day[1:] != day[:-1]
    starts = np.flatnonzero(start)
    del start
    cells = code[starts].astype(np.int64) * span_days + (day[starts] - d0)
    ends = np.r_[starts[1:], len(code)]  # exclusive
    n_snap = ends - starts
    if how == "last":
        # last exact snapshot of the day (rows are in time order within the day); a
        # lower bound only when the day has nothing else
        exact_pos = np.arange(len(code), dtype=np.int32 if len(code) < 2**31 else np.int64)
        exact_pos[lower_b] = -1
        last_exact = np.maximum.reduceat(exact_pos, starts)
        del exact_pos
        last = np.where(last_exact >= 0, last_exact, ends - 1)
        del last_exact
        followers, lower, row = value[last], lower_b[last], srow[last]
        del last
    else:
        cell_id = np.repeat(np.arange(len(starts)), n_snap)
        followers = pd.Series(value).groupby(cell_id).median().to_numpy()
        lower = np.bincount(cell_id, weights=~lower_b) == 0
        row = np.maximum.reduceat(srow, starts)
        del cell_id
    del ends
    # account name: the last one seen; group: the most frequent non-empty label
    name_c, name_u = texts["account_name"]
    acc_last = np.r_[code[1:] != code[:-1], True]
    names = np.full(n_acc, "", dtype=object)
    names[code[acc_last]] = name_u[name_c[okpos[acc_last]]]
    grp_c, grp_u = texts["group"]
    groups = _most_frequent_label(code, grp_c[okpos], grp_u, n_acc)
    # the snapshot rows are done with: only the account-day cells go on
    del code, value, lower_b, day, srow, okpos, starts
    del texts, name_c, grp_c, acc_c, plat_c
    release_free_memory()

    # 5. A full calendar per account between its first and last valid day.
    cell_acc = cells // span_days
    cell_day = cells % span_days
    has = np.bincount(cell_acc, minlength=n_acc) > 0
    lo = np.full(n_acc, 0, dtype=np.int64)
    hi = np.full(n_acc, -1, dtype=np.int64)
    firsts = np.r_[True, cell_acc[1:] != cell_acc[:-1]]
    lasts = np.r_[cell_acc[1:] != cell_acc[:-1], True]
    lo[cell_acc[firsts]] = cell_day[firsts]
    hi[cell_acc[lasts]] = cell_day[lasts]
    n_days = np.where(has, hi - lo + 1, 0)
    rep = np.repeat(np.arange(n_acc), n_days)
    offset = np.arange(n_days.sum()) - np.repeat(np.cumsum(n_days) - n_days, n_days)
    p_day = lo[rep] + offset
    pos = np.searchsorted(cells, rep * span_days + p_day)
    pos = np.minimum(pos, max(len(cells) - 1, 0))
    hit = (cells[pos] == rep * span_days + p_day) if len(cells) else np.zeros(len(rep), bool)
    g_cell = g_code.astype(np.int64) * span_days + (g_day - d0)
    g_u, g_n = np.unique(g_cell, return_counts=True)
    gpos = np.minimum(np.searchsorted(g_u, rep * span_days + p_day), max(len(g_u) - 1, 0))
    ghit = (g_u[gpos] == rep * span_days + p_day) if len(g_u) else np.zeros(len(rep), bool)
    panel = pd.DataFrame(
        {
            "platform": _texts_at(acc_platform, rep),
            "account_id": _texts_at(acc_ident, rep),
            "account_name": _texts_at(names, rep),
            "group": _texts_at(groups, rep),
            "date": (p_day + d0).astype("datetime64[D]").astype("datetime64[ns]"),
            "followers": np.where(hit, followers[pos], np.nan) if len(cells) else np.nan,
            "n_snapshots": np.where(hit, n_snap[pos], 0).astype(np.int64),
            "n_glitches": np.where(ghit, g_n[gpos] if len(g_u) else 0, 0).astype(np.int64),
            "lower_bound": np.where(hit, lower[pos], False).astype(bool),
            "source_row": pd.array(
                np.where(hit, row[pos], np.nan) if len(cells) else np.array([], dtype=float),
                dtype="Int64",
            ),
        }
    )
    panel["imputed"] = False
    if fill == "loglinear":
        panel = _fill_loglinear(panel, max_gap)
    same = np.r_[False, rep[1:] == rep[:-1]]
    f = panel["followers"].to_numpy()
    prev = np.r_[np.nan, f[:-1]]
    panel["net_change"] = np.where(same, f - prev, np.nan)
    panel["net_change_since"] = (panel["date"] - pd.Timedelta(days=1)).where(
        same & ~np.isnan(panel["net_change"].to_numpy())
    )
    panel["glitch"] = panel["n_glitches"] > 0
    panel["approximate"] = panel["imputed"]
    panel["sparse"] = False
    panel["source"] = _texts_at(np.array([src_name], dtype=object), np.zeros(len(panel), np.int8))
    panel["source_url"] = _texts_at(np.array([""], dtype=object), np.zeros(len(panel), np.int8))
    panel = panel[PANEL_COLUMNS]

    quarantine = concat_quarantine(q_parts)
    n_missing = int((panel["n_snapshots"] == 0).sum())
    acc = RowAccounting(
        dataset="followers_daily",
        input_rows=n_in,
        used_rows=n_used,
        quarantined_rows=len(quarantine),
        duplicate_rows=n_dup,
        output_rows=len(panel),
        notes=(
            f"{int(glitch.sum())} glitch snapshots kept out of the daily values",
            f"{n_acc} accounts, {n_missing} account-days without a "
            f"valid snapshot ({int(panel['imputed'].sum())} imputed, fill={fill!r})",
            f"daily value: {how} valid snapshot of the day ({tz})",
            *_identity_notes(notes_id),
        ),
    )
    return Cleaned(panel, quarantine, acc, opts)


def _identity_notes(items: list[Any]) -> list[str]:
    """Summary lines for what the identity normalisation changed (nothing when nothing)."""
    out = []
    for item in items:
        text = item.note() if isinstance(item, rules.IdentityReport) else item
        if text and text not in out:
            out.append(text)
    return out


def _no_usable_rows(quarantine: pd.DataFrame, path: Any) -> None:
    top = quarantine["reason"].value_counts().head(3)
    raise InputError(
        "no snapshot row could be used",
        path=path,
        expected="rows with an account, a follower count and a capture time",
        hint="most common problems: " + "; ".join(f"{r} ({n})" for r, n in top.items()),
    )


def entity_hash(raw: pd.DataFrame) -> np.ndarray:
    """A stable 64-bit hash of each row's account as :func:`clean_snapshots` sees it.

    The account id (or name, when the log has no id column) normalised as the cleaner
    normalises it (invisible characters, NFKC, stripped, case-folded), so that every
    snapshot of one account lands in one partition whatever its spelling; the platform
    is left out on purpose, which only makes partitions coarser, never splits an account.
    """
    df = _normalise_headers(raw)
    codes, texts, _ = _text_codes(df["account_id"], "id")
    return pd.util.hash_array(texts.astype(object), categorize=False)[codes]


_ACCOUNTS_NOTE = re.compile(
    r"^(\d+) accounts, (\d+) account-days without a valid snapshot \((\d+) imputed"
)
_GLITCH_NOTE = re.compile(r"^(\d+) glitch snapshots")


def combine(parts: list[Cleaned]) -> Cleaned:
    """Cleaned partitions (whole accounts each) -> the result of one call on all of them.

    The panel is ordered as :func:`clean_snapshots` orders it (platform, account, date),
    the quarantine by source row; counts and notes add up.
    """
    if not parts:
        raise InputError("no snapshot rows to clean", expected="a non-empty snapshot log")
    data = [p.data for p in parts if len(p.data)] or [parts[0].data]
    panel = pd.concat(data, ignore_index=True)
    panel = panel.sort_values(["platform", "account_id", "date"], kind="stable").reset_index(
        drop=True
    )
    quarantine = concat_quarantine([p.quarantine for p in parts])
    s = [p.summary for p in parts]
    used = sum(x.used_rows for x in s)
    if used == 0:
        _no_usable_rows(quarantine, None)
    glitches = accounts = missing = imputed = 0
    for x in s:
        glitches += int(_GLITCH_NOTE.match(x.notes[0])[1])
        m = _ACCOUNTS_NOTE.match(x.notes[1])
        accounts, missing, imputed = accounts + int(m[1]), missing + int(m[2]), imputed + int(m[3])
    details = [p.options[_IDENTITY_KEY] for p in parts if _IDENTITY_KEY in p.options]
    opts = {k: v for k, v in parts[0].options.items() if k != _IDENTITY_KEY}
    acc = RowAccounting.of_parts(
        "followers_daily",
        s,
        len(quarantine),
        notes=(
            f"{glitches} glitch snapshots kept out of the daily values",
            f"{accounts} accounts, {missing} account-days without a "
            f"valid snapshot ({imputed} imputed, fill={opts['fill']!r})",
            s[0].notes[2],
            # what the identity normalisation changed, counted over the whole log
            *(_combined_identity_notes(details) if details else s[0].notes[3:]),
        ),
    )
    return Cleaned(panel, quarantine, acc, dict(opts))


#: Identity columns in the order their notes appear, and how each is normalised.
_IDENTITY_ORDER = ("account_id", "platform", "account_name", "group")
_IDENTITY_KIND = {
    "account_id": "id",
    "platform": "platform",
    "account_name": "text",
    "group": "text",
}
_IDENTITY_KEY = "_partition_identity"


def _identity_detail(values: list[Any], column: str) -> dict[str, Any]:
    """Per raw distinct value that normalisation changes: its report flags (and, for the
    platform, its vocabulary word), so that :func:`combine` can count distinct values
    over the whole log rather than add up the parts' counts."""
    kind = _IDENTITY_KIND[column]
    uniq = np.asarray(["" if v is None else v for v in values], dtype=object)
    clean, _ = rules.normalise_identity(uniq, column, casefold=kind == "id")
    flags = {}
    for v in uniq[clean != uniq].tolist():
        _, r = rules.normalise_identity(np.array([v], dtype=object), column, casefold=kind == "id")
        flags[v] = [r.invisible, r.width_or_space, r.case]
    out: dict[str, Any] = {"flags": flags}
    if kind == "platform":
        canon, _ = rules.canonical_platform(uniq)
        out["mapped"] = sorted(
            {f"{u} -> {c}" for u, c in zip(uniq, canon, strict=True) if u and u != c}
        )
    return out


def _combined_identity_notes(details: list[dict[str, Any]]) -> list[str]:
    """The identity notes of the whole log from the parts' :func:`_identity_detail`."""
    items: list[Any] = []
    for column in _IDENTITY_ORDER:
        flags: dict[str, list[int]] = {}
        mapped: set[str] = set()
        for d in details:
            flags.update(d[column]["flags"])
            mapped.update(d[column].get("mapped", ()))
        inv, wid, case = (sum(f[i] for f in flags.values()) for i in range(3))
        report = rules.IdentityReport(column, inv, wid, case)
        if _IDENTITY_KIND[column] == "platform":
            if mapped:
                items.append(report)
                items.append(
                    f"platform spellings mapped to one vocabulary: {'; '.join(sorted(mapped))}"
                )
        else:
            items.append(report)
    return _identity_notes(items)


def _fill_loglinear(panel: pd.DataFrame, max_gap: int) -> pd.DataFrame:
    """Interpolate log followers inside gaps of at most ``max_gap`` days (flag ``imputed``)."""
    out = panel.copy()
    logf = np.log(out["followers"].where(out["followers"] > 0))
    acc = pd.factorize(pd.MultiIndex.from_arrays([out["platform"], out["account_id"]]))[0]
    # Gap length of each missing run, computed per run (vectorised with cumsum labels).
    miss = logf.isna().to_numpy()
    run = np.cumsum(np.r_[True, (miss[1:] != miss[:-1]) | (acc[1:] != acc[:-1])])
    run_len = pd.Series(run).map(pd.Series(run).value_counts()).to_numpy()
    interp = logf.groupby(acc).transform(lambda s: s.interpolate(limit_area="inside"))
    ok = miss & (run_len <= max_gap) & interp.notna().to_numpy()
    out.loc[ok, "followers"] = np.round(np.exp(interp[ok].to_numpy()))
    out["imputed"] = ok
    return out


# --- published points ---------------------------------------------------------------------
#: Published entity -> (account_id, group) in the panel.
PUBLISHED_ACCOUNTS: Mapping[str, tuple[str, str]] = {
    "East Buy (Dongfang Zhenxuan) main Douyin account": ("east_buy_main", "brand"),
    "East Buy self-operated products (东方甄选自营产品) Douyin account": (
        "east_buy_products",
        "brand",
    ),
    "Dong Yuhui personal Douyin account": ("dong_yuhui", "host"),
    "Yu Hui Tong Xing (与辉同行) Douyin account": ("yu_hui_tong_xing", "host"),
}


def clean_published(raw: pd.DataFrame) -> Cleaned:
    """Published follower counts and changes -> the panel format, flagged ``sparse``.

    Counts (series ``follower_count``) give ``followers`` on their date (a month is
    placed on its last day and flagged ``approximate``), with ``net_change`` to the
    previous published count of the account (missing where either count is approximate
    or a lower bound: their difference is within rounding); changes (``follower_change``) give
    ``net_change`` over their window (``net_change_since`` = window start, ``date`` =
    window end) with ``followers`` missing. Rows of other series are not follower data:
    they are counted as used by ``published_figures``, not here, so they are excluded
    from the input count (see notes).
    """
    from .published import clean as clean_pub

    is_f = raw["series_id"].astype(str).str.strip().isin(["follower_count", "follower_change"])
    src = source_rows(raw)
    sub = raw.loc[is_f].assign(source_row=src[is_f])
    pub = clean_pub(sub)
    d = pub.data
    known = d["entity"].isin(PUBLISHED_ACCOUNTS.keys())
    q = [pub.quarantine]
    q.append(
        quarantine_rows(
            d.loc[~known, "source_row"],
            "entity",
            d.loc[~known, "entity"],
            "follower figure of an account not mapped in PUBLISHED_ACCOUNTS",
        )
    )
    d = d.loc[known]
    acc = d["entity"].map(lambda e: PUBLISHED_ACCOUNTS[e][0])
    grp = d["entity"].map(lambda e: PUBLISHED_ACCOUNTS[e][1])
    count = (d["series_id"] == "follower_count").to_numpy()
    # A window's end; a point-in-time figure's own date; a month/half-year: its last day.
    end = d["period_end"].fillna(d["period_start"])
    start = d["period_start"]
    out = pd.DataFrame(
        {
            "platform": "douyin",
            "account_id": acc.to_numpy(dtype=object),
            "account_name": d["entity"].to_numpy(dtype=object),
            "group": grp.to_numpy(dtype=object),
            "date": end.to_numpy(),
            "followers": np.where(count, d["value"].to_numpy(dtype=float), np.nan),
            "net_change": np.where(count, np.nan, d["value"].to_numpy(dtype=float)),
            "net_change_since": start.where(~count & (start != end)).to_numpy(),
            "n_snapshots": 1,
            "n_glitches": 0,
            "glitch": False,
            "imputed": False,
            "lower_bound": d["lower_bound"].to_numpy(dtype=bool),
            "approximate": (d["approximate"] | (d["period_type"] != "date")).to_numpy(dtype=bool),
            "sparse": True,
            "source": (d["source_org"] + " — " + d["source_title"]).to_numpy(dtype=object),
            "source_url": d["source_url"].to_numpy(dtype=object),
            "source_row": pd.array(d["source_row"].to_numpy(dtype=float), dtype="Int64"),
        }
    )
    out = out.sort_values(["account_id", "date", "source_row"], kind="stable").reset_index(
        drop=True
    )
    # Changes between consecutive published counts of the same account.
    c = out["followers"].notna()
    cc = out.loc[c]
    same = cc["account_id"].eq(cc["account_id"].shift())
    # No change where either count is approximate or a lower bound: "about 28 million"
    # after 28,438,000 is not a loss of 438,000 but the rounding of the later figure.
    rough = cc["approximate"] | cc["lower_bound"]
    same &= ~rough & ~rough.shift(fill_value=False)
    out.loc[c, "net_change"] = (cc["followers"] - cc["followers"].shift()).where(same)
    out.loc[c, "net_change_since"] = cc["date"].shift().where(same)
    out["net_change_since"] = out["net_change_since"].astype("datetime64[ns]")
    quarantine = concat_quarantine(q)
    acc_rec = RowAccounting(
        dataset="followers_published",
        input_rows=int(is_f.sum()),
        used_rows=len(out),
        quarantined_rows=len(quarantine),
        duplicate_rows=pub.summary.duplicate_rows,
        output_rows=len(out),
        notes=(
            f"{int(is_f.sum())} follower rows of {len(raw)} published figures; "
            "the other series are not follower data",
        ),
    )
    return Cleaned(out[PANEL_COLUMNS], quarantine, acc_rec)
