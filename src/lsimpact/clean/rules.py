"""Row rules every cleaner shares: identity normalisation, total rows, impossible dates.

Small, vectorised and pure (arrays in, arrays out), so that each cleaner (pandas, in
chunks or on a Dask partition) applies the same rule the same way:

* :func:`normalise_identity` - one account stays one account: invisible characters
  (zero-width spaces, BOM, soft hyphen, direction marks) removed, full-width forms to
  ASCII (NFKC), surrounding spaces trimmed, optionally case-folded; it reports what it
  changed so that the cleaner can say so in its summary notes.
* :func:`canonical_platform` - one platform vocabulary: ``抖音``, ``Douyin``, ``DOUYIN``
  and ``douyin`` are all ``douyin``.
* :func:`total_rows` - a spreadsheet's ``合计`` / ``总计`` / ``小计`` (or "Total") row is
  a sum of other rows, never an account, platform or region: it goes to the quarantine.
* :func:`future_times` and :func:`isolated_times` - a capture time after ``today`` + 1
  day, or one far from every other snapshot of its account (a year typo: 2203, 2013),
  is quarantined instead of stretching the daily grid over decades.

A blank key is never filled with a default: the cleaners quarantine it (see
:data:`BLANK_KEY`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "BLANK_KEY",
    "PLATFORMS",
    "TOTAL_WORDS",
    "IdentityReport",
    "canonical_platform",
    "future_times",
    "is_total_word",
    "isolated_times",
    "normalise_identity",
    "platform_names",
    "repeated_hashes",
    "total_rows",
]

#: Reason text for a blank key cell (the cleaners quarantine such rows, never fill them).
BLANK_KEY = "{column} is blank (a key is never filled with a default)"

# Zero-width and other invisible format characters that exports and copy-paste leave in
# names and ids: ZWSP/ZWNJ/ZWJ, LRM/RLM, word joiner and invisible operators, BOM, soft
# hyphen, Mongolian vowel separator, bidi embeddings and isolates.
_INVISIBLE_RE = re.compile(
    "[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069]"
)

#: Canonical platform id -> spellings (matched after NFKC, trimming and case-folding).
PLATFORMS: Mapping[str, tuple[str, ...]] = {
    "douyin": ("抖音", "douyin", "抖音电商", "tiktok china"),
    "kuaishou": ("快手", "kuaishou", "快手电商"),
    "wechat_channels": ("视频号", "微信视频号", "wechat channels"),
    "wechat": ("微信", "wechat", "weixin", "wechat (tencent)"),
    "taobao": ("淘宝", "淘宝直播", "taobao", "taobao live"),
    "pinduoduo": ("拼多多", "pinduoduo", "pdd"),
    "alibaba": ("阿里巴巴", "阿里", "alibaba"),
    "jd": ("京东", "jd", "jd.com", "jingdong"),
    "xiaohongshu": ("小红书", "xiaohongshu", "rednote"),
    "bilibili": ("哔哩哔哩", "b站", "bilibili"),
    "weibo": ("微博", "weibo"),
}
_PLATFORM_LOOKUP = {alias: canon for canon, aliases in PLATFORMS.items() for alias in aliases}
_PLATFORM_LOOKUP.update({canon: canon for canon in PLATFORMS})

#: Display name of each platform id in the published-style tables (jobs, occupations);
#: platforms outside the vocabulary keep their name as written.
PLATFORM_NAMES: Mapping[str, str] = {
    "kuaishou": "Kuaishou", "douyin": "Douyin", "wechat": "WeChat (Tencent)",
    "taobao": "Taobao", "pinduoduo": "Pinduoduo", "alibaba": "Alibaba", "jd": "JD.com",
    "wechat_channels": "WeChat Channels", "xiaohongshu": "Xiaohongshu",
    "bilibili": "Bilibili", "weibo": "Weibo",
}  # fmt: skip

#: Cell contents that mark a total or subtotal row (compared after normalisation and
#: case-folding).
TOTAL_WORDS: tuple[str, ...] = (
    "合计",
    "总计",
    "小计",
    "总和",
    "汇总",
    "共计",
    "累计",
    "total",
    "subtotal",
    "sub-total",
    "grand total",
    "sum",
    "totals",
)


@dataclass(frozen=True)
class IdentityReport:
    """What :func:`normalise_identity` changed (for the summary notes)."""

    column: str
    invisible: int  # distinct values that held invisible characters
    width_or_space: int  # distinct values changed by NFKC or trimming
    case: int  # distinct values changed by case-folding

    def note(self) -> str | None:
        """One summary line, or None when nothing changed."""
        parts = [
            f"{n} with invisible characters removed" if (n := self.invisible) else "",
            f"{n} with full-width forms or spaces normalised" if (n := self.width_or_space) else "",
            f"{n} lower-cased" if (n := self.case) else "",
        ]
        parts = [p for p in parts if p]
        if not parts:
            return None
        return f"{self.column}: distinct values normalised: " + ", ".join(parts)


def _norm_one(text: str) -> str:
    return unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text)).strip()


def normalise_identity(
    values: Iterable[object] | np.ndarray, column: str, *, casefold: bool = False
) -> tuple[np.ndarray, IdentityReport]:
    """Normalise the *distinct* values of an identity column (ids, names, platforms).

    Parameters
    ----------
    values
        Distinct texts (a cleaner factorises the column first, so this runs once per
        distinct value, not per row). Missing values become "".
    column
        Column name, for the report.
    casefold
        Also fold case ("JGPY" and "jgpy" are one account id).

    Returns
    -------
    (normalised, report)
        An object array aligned to ``values`` and an :class:`IdentityReport`.
    """
    arr = np.asarray(
        ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values],
        dtype=object,
    )
    invisible = np.array([bool(_INVISIBLE_RE.search(v)) for v in arr], dtype=bool)
    stripped = np.array([_INVISIBLE_RE.sub("", v) for v in arr], dtype=object)
    normed = np.array([_norm_one(v) for v in arr], dtype=object)
    width = np.array([a != b for a, b in zip(stripped, normed, strict=True)], dtype=bool)
    out = normed
    case = np.zeros(len(arr), dtype=bool)
    if casefold:
        folded = np.array([v.casefold() for v in normed], dtype=object)
        case = folded != normed
        out = folded
    return out, IdentityReport(column, int(invisible.sum()), int(width.sum()), int(case.sum()))


def canonical_platform(values: Iterable[object] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map platform spellings to one vocabulary (:data:`PLATFORMS`).

    Returns
    -------
    (canonical, known)
        ``canonical``: the platform id where the spelling is known, else the normalised,
        case-folded text as written ("" stays "": the caller quarantines a blank);
        ``known``: True where the spelling was in the vocabulary.
    """
    normed, _ = normalise_identity(values, "platform", casefold=True)
    canon = np.array([_PLATFORM_LOOKUP.get(v, v) for v in normed], dtype=object)
    known = np.array([v in _PLATFORM_LOOKUP for v in normed], dtype=bool)
    return canon, known


def is_total_word(distinct: Iterable[object] | np.ndarray) -> np.ndarray:
    """True for each distinct (already normalised) text that is a total word."""
    folded = np.array([str(v).casefold() for v in distinct], dtype=object)
    return np.isin(folded, TOTAL_WORDS)


def platform_names(s: pd.Series) -> tuple[pd.Series, list[str]]:
    """Platform spellings ("快手", "kuaishou", "KUAISHOU", "Kuaishou\u200b") -> one display
    name per platform (:data:`PLATFORM_NAMES`), and summary notes saying what was mapped.

    Spellings outside the vocabulary keep their text (normalised: invisible characters,
    NFKC, trimmed); a blank stays "" for the caller to quarantine.
    """
    codes, uniq = pd.factorize(s.astype("string").fillna(""), use_na_sentinel=False)
    uniq = np.asarray(uniq, dtype=object)
    canon, known = canonical_platform(uniq)
    normed, report = normalise_identity(uniq, "platform")
    names = np.where(known, [PLATFORM_NAMES.get(c, c) for c in canon], normed).astype(object)
    notes = [n] if (n := report.note()) is not None else []
    mapped = sorted({f"{u} -> {n}" for u, n in zip(uniq, names, strict=True) if u != n})
    if mapped:
        notes.append("platform names mapped to one vocabulary: " + "; ".join(mapped))
    return pd.Series(names[codes], index=s.index, dtype=object), notes


def total_rows(df: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    """True on rows where any of ``columns`` holds a total word (合计, 总计, 小计, Total ...).

    Compared per distinct value after :func:`normalise_identity` with case-folding.
    """
    hit = pd.Series(False, index=df.index)
    for col in columns:
        if col not in df.columns:
            continue
        codes, uniq = pd.factorize(df[col].astype("string").fillna(""), use_na_sentinel=False)
        normed, _ = normalise_identity(np.asarray(uniq, dtype=object), col, casefold=True)
        is_total = np.isin(normed, TOTAL_WORDS)
        hit |= pd.Series(is_total[codes], index=df.index)
    return hit


def future_times(day: np.ndarray, today: str | None, *, slack_days: int = 1) -> np.ndarray:
    """True where a day (integer days since 1970-01-01) is after ``today`` + ``slack_days``.

    ``today`` is an explicit option (ISO date), recorded in the fingerprint; None turns
    the check off so that the cleaner stays a pure function of its inputs.
    """
    if today is None:
        return np.zeros(len(day), dtype=bool)
    limit = np.datetime64(pd.Timestamp(today).date(), "D").astype("int64") + slack_days
    return np.asarray(day, dtype="int64") > limit


def isolated_times(code: np.ndarray, day: np.ndarray, *, max_gap_days: int = 366) -> np.ndarray:
    """True on snapshots cut off from the bulk of their account's series.

    ``code`` and ``day`` are sorted by account then time. Each account's series is split
    wherever two snapshots are more than ``max_gap_days`` apart; a piece is isolated when
    it holds fewer than half the snapshots of the account's largest piece (which
    holds at least three). Such points are year typos ("2203-12-14", "2099-12-14" or
    "2013-12-14" among 2023 snapshots): kept, they would stretch the daily grid over
    decades. A series sampled once a year, or two long spells with a gap between them,
    is untouched.
    """
    code = np.asarray(code)
    day = np.asarray(day)
    n = len(code)
    if n < 4:
        return np.zeros(n, dtype=bool)
    # Only accounts with a gap can hold an isolated piece: the work below is done on
    # their rows alone (usually none or a few accounts of a log).
    new_acc = np.r_[True, code[1:] != code[:-1]]
    gap = np.r_[False, np.diff(day.astype("int64", copy=False)) > max_gap_days] & ~new_acc
    if not gap.any():
        return np.zeros(n, dtype=bool)
    acc = np.cumsum(new_acc) - 1
    gapped = np.zeros(int(acc[-1]) + 1, dtype=bool)
    gapped[acc[gap]] = True
    rows = np.flatnonzero(gapped[acc])
    out = np.zeros(n, dtype=bool)
    out[rows] = _isolated(code[rows], day[rows].astype("int64"), max_gap_days)
    return out


def _isolated(code: np.ndarray, day: np.ndarray, max_gap_days: int) -> np.ndarray:
    """:func:`isolated_times` on the rows of some whole accounts."""
    new_acc = np.r_[True, code[1:] != code[:-1]]
    new_piece = new_acc | np.r_[False, (day[1:] - day[:-1]) > max_gap_days]
    piece = np.cumsum(new_piece) - 1
    piece_size = np.bincount(piece)
    acc_of_piece = (np.cumsum(new_acc) - 1)[new_piece]
    acc_starts = np.flatnonzero(np.r_[True, acc_of_piece[1:] != acc_of_piece[:-1]])
    largest = np.maximum.reduceat(piece_size, acc_starts)
    largest_of_piece = np.repeat(largest, np.diff(np.r_[acc_starts, len(piece_size)]))
    lone = (largest_of_piece >= 3) & (2 * piece_size < largest_of_piece)
    return lone[piece]


#: Bits of the hash per counting pass of :func:`repeated_hashes` (a 32 MiB count table).
_BUCKET_BITS = 22


def repeated_hashes(h: np.ndarray) -> np.ndarray:
    """Positions of the values of ``h`` (uint64 row hashes) that occur more than once, in
    order: the candidates for duplicate rows, which the cleaners then compare exactly.

    Equal values share every bucket, so rows alone in their bucket (counted with
    ``bincount`` on 22 of the hash's bits) cannot repeat; each pass on other bits thins
    the candidates (3M -> about 1.6M -> 0.5M -> 60k), and the few left are compared exactly.
    Why: hashing 3M values into a table costs several times more than a few counts.
    """
    cand = np.arange(len(h))
    mask = np.uint64((1 << _BUCKET_BITS) - 1)
    for shift in range(0, 64 - _BUCKET_BITS + 1, _BUCKET_BITS):
        if len(cand) < (1 << _BUCKET_BITS) // 64:
            break
        bucket = ((h[cand] >> np.uint64(shift)) & mask).astype(np.intp)
        cand = cand[np.bincount(bucket, minlength=1 << _BUCKET_BITS)[bucket] > 1]
        del bucket
    repeated = pd.Series(h[cand], copy=False).duplicated(keep=False).to_numpy()
    return cand[repeated]
