"""China's national occupational classification (GBM codes) and occupation video presence.

Two datasets:

``occupations``
    The classification table from the shipped code list ``occupational_classification_gbm``
    (real, messy as found). Levels 1-3 (major / middle / minor group) follow the 2022
    edition; the 1,837 level-4 rows follow an older edition (the 1999 edition had 1,838
    occupations, the 2022 edition has 1,639). Every row is kept, labelled with its
    ``edition``; the problems found (truncated name, GBM suffix that disagrees with the
    code, level counts that do not match the 2022 edition, level-4 codes whose minor group
    does not exist in 2022) are listed in the summary notes and the ``issue`` column rather
    than fixed silently.

``occupation_video``
    Occupation-level observations of video presence on a platform, matched to the 2022
    *minor groups* (小类, the unit of analysis): by normalised code first, by exact
    normalised title otherwise. Rows coded at occupation level (4 levels) are aggregated to
    their minor group. Whatever matches nothing goes to the quarantine with the reason.
    "Transformed" is an explicit :class:`TransformRule`, recorded with the output.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..contract import (
    Cleaned,
    RowAccounting,
    concat_quarantine,
    quarantine_rows,
    require_columns,
    source_rows,
)
from ..errors import InputError
from ..parse import parse_count, parse_datetime
from . import rules

__all__ = [
    "TransformRule",
    "clean_classification",
    "clean_occupation_video",
    "normalize_codes",
    "normalize_titles",
]

CODE_COL, TITLE_COL = "职业代码", "职业名称"
LEVEL_NAMES = {1: "major", 2: "middle", 3: "minor", 4: "occupation"}
EDITION_2022 = "2022"
EDITION_OLDER = "older (level 4, pre-2015)"
#: English names of the major groups (大类) for figures and tables.
MAJOR_GROUPS_EN = {
    1: "1 Heads of organisations",
    2: "2 Professionals and technicians",
    3: "3 Clerical and related staff",
    4: "4 Production and life services",
    5: "5 Agriculture, forestry, husbandry, fishery",
    6: "6 Production, manufacturing and related",
    7: "7 Military",
    8: "8 Not classifiable",
}
#: Published structure of the 2022 edition (MOHRSS, 2022-09-28; see SOURCES.md).
PUBLISHED_2022 = {1: 8, 2: 79, 3: 449, 4: 1639}

# Any run of dash-like characters, whitespace, dots, slashes or underscores separates levels.
_SEP = r"[\s\-‐‑‒–—―−_.·/\\]+"
_GBM = re.compile(r"\(?\s*GBM\s*(\d*)\s*\)?", flags=re.IGNORECASE)
_DASHED = r"^(\d)(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?:-(\d{1,2}))?$"
_DIGITS = r"^(\d)(\d\d)?(\d\d)?(\d\d)?$"

# Title keywords of hands-on production / farming / construction / repair work. A rough,
# transparent proxy for "manual work": the classification has no skill-level field.
MANUAL_PATTERN = (
    "加工|制造|生产|制作|操作|施工|安装|装配|修理|维修|维护|养殖|种植|捕捞|采集|"
    "冶炼|铸|焊|开采|装卸|搬运|清洁|保洁|烹饪|屠宰|印染|纺|缝纫|建筑|印刷"
)


def _to_string(s: pd.Series) -> pd.Series:
    """Strings with missing values as NA; Excel floats like 6010203.0 lose the '.0'."""
    out = s.astype("string").str.strip()
    return out.str.replace(r"^(\d+)\.0$", r"\1", regex=True)


def normalize_codes(codes: pd.Series) -> pd.DataFrame:
    """Normalise occupational classification codes (vectorised).

    Accepts ``6-01-02-03``, ``6010203``, full-width digits and dashes, other separators
    (spaces, dots, en/em dashes, repeated dashes), unpadded levels (``6-1-2``), a GBM
    suffix or a bare GBM number (``4-08-05(GBM40805)``, ``GBM 60102``).

    Parameters
    ----------
    codes
        Codes as written.

    Returns
    -------
    DataFrame
        Aligned to ``codes``: ``code`` (canonical ``6-01-02-03``), ``digits``
        (``6010203``), ``level`` (1-4), ``major``, ``middle``, ``minor`` (codes of the
        enclosing groups), ``gbm`` (the GBM number as written), ``ambiguous`` (bool),
        ``note`` (what was repaired or is doubtful) and ``error`` (None on success).

    Notes
    -----
    Digit strings are split by length: 1 = major, 3 = middle, 5 = minor, 7 = occupation.
    A 5-digit string ending in ``00`` is *ambiguous*: GBM numbers pad middle groups with
    ``00`` (``GBM 60100`` is middle group 6-01) while a few minor groups really end in
    ``00`` (7-01-00). It is read as a minor group and flagged; the matcher then reports
    it if no such minor group exists.
    """
    raw = _to_string(codes)
    nfkc = raw.str.normalize("NFKC")  # full-width digits, dashes and brackets -> ASCII
    notes = pd.DataFrame(index=codes.index)
    notes["full_width"] = _b(nfkc != raw)

    gbm = nfkc.str.extract(_GBM, expand=False)
    gbm = gbm.where(gbm.str.len() > 0)
    main = nfkc.str.replace(_GBM, "", regex=True)
    stripped = main.str.strip()
    main = stripped.str.replace(_SEP, "-", regex=True).str.strip("-")
    notes["separators"] = _b(main != stripped)
    bare_gbm = (main.str.len() == 0) & gbm.notna()
    notes["from_gbm"] = _b(bare_gbm)
    main = main.mask(bare_gbm, gbm)

    dashed = main.str.extract(_DASHED)
    is_dashed = _b(dashed[0].notna())
    digits_only = main.str.replace("-", "", regex=False)
    by_len = digits_only.str.extract(_DIGITS)
    # A dashed form with the wrong segment sizes (6-0102-03) is read by digit count.
    use_len = ~is_dashed & by_len[0].notna()
    wide = np.repeat(is_dashed.to_numpy(dtype=bool)[:, None], 4, axis=1)
    parts = dashed.where(wide, by_len)
    has_dash = _b(main.str.contains("-", regex=False))
    notes["dashes"] = _b(use_len) & has_dash
    notes["no_dashes"] = _b(use_len) & ~has_dash
    padded = pd.Series(False, index=codes.index)
    for j in (1, 2, 3):
        padded |= _b(parts[j].str.len() == 1)
        parts[j] = parts[j].str.zfill(2)
    notes["padded"] = padded

    ok = _b(parts[0].notna())
    level = parts.notna().sum(axis=1).astype("Int8").where(ok)
    major = parts[0]
    middle = (major + "-" + parts[1]).where(_b(level >= 2))
    minor = (middle + "-" + parts[2]).where(_b(level >= 3))
    occ = (minor + "-" + parts[3]).where(_b(level >= 4))
    code = occ.fillna(minor).fillna(middle).fillna(major)

    amb_minor = _b(level == 3) & _b(parts[2] == "00") & (notes["no_dashes"] | notes["from_gbm"])
    digits = code.str.replace("-", "", regex=False)
    expected_gbm = digits.str.slice(0, 5).str.ljust(5, "0")
    gbm_mismatch = _b(gbm.notna()) & ~notes["from_gbm"] & _b(gbm != expected_gbm)

    empty = _b(raw.isna() | (raw == ""))
    digit_like = _b(main.str.fullmatch(r"[\d-]+"))
    n_dig = digits_only.str.len().astype("string").fillna("?")
    err = pd.Series(None, index=codes.index, dtype="object")
    err = err.mask(
        ~ok & digit_like,
        "cannot split into levels: expected 1-01-02-03 (1, 3, 5 or 7 digits), got "
        + n_dig
        + " digits",
    )
    err = err.mask(
        ~ok & ~digit_like & ~empty,
        "not an occupation code (expected digits like 6-01-02-03 or 6010203)",
    )
    err = err.mask(empty, "code is empty")
    err = err.astype(object).where(err.notna(), None)  # None on success, as lsimpact.parse

    note = _join_flags(
        {
            "full-width characters converted": notes["full_width"],
            "code read from the GBM number": notes["from_gbm"],
            "dashes in the wrong places repaired": notes["dashes"],
            "dashes added": notes["no_dashes"],
            "separators normalised": notes["separators"],
            "single-digit level zero-padded": notes["padded"],
            "ambiguous: 5 digits ending 00 may be a GBM-padded middle group": amb_minor,
            "GBM number disagrees with the code": gbm_mismatch,
        },
        ok,
    )
    return pd.DataFrame(
        {
            "code": code.astype("string"),
            "digits": digits.astype("string"),
            "level": level,
            "major": major.astype("string"),
            "middle": middle.astype("string"),
            "minor": minor.astype("string"),
            "gbm": gbm.astype("string"),
            "ambiguous": amb_minor | gbm_mismatch,
            "note": note,
            "error": err,
        },
        index=codes.index,
    )


def _b(x: pd.Series) -> pd.Series:
    """A plain numpy-bool Series, missing as False (nullable booleans refuse ``&`` with NA)."""
    return x.fillna(False).astype(bool)


def _join_flags(flags: dict[str, pd.Series], valid: pd.Series) -> pd.Series:
    """'; '-joined names of the true flags per row (None where none is true)."""
    out = pd.Series("", index=valid.index, dtype="string")
    for text, flag in flags.items():
        f = _b(flag) & _b(valid)
        out = out.mask(f, out + np.where(out == "", "", "; ") + text)
    return out.replace("", pd.NA)


def normalize_titles(titles: pd.Series) -> pd.Series:
    """Comparable titles: NFKC, no whitespace, no trailing underscores or stray commas.

    Matching on titles is *exact* after this normalisation (no fuzzy matching): a title
    that differs in wording is not guessed at, it is quarantined.
    """
    t = titles.astype("string").str.normalize("NFKC")
    t = t.str.replace(r"\s+", "", regex=True).str.strip("_、,，;；")
    return t.replace("", pd.NA)


# ----------------------------------------------------------------------------------------
# The classification table
# ----------------------------------------------------------------------------------------
def clean_classification(raw: pd.DataFrame) -> Cleaned:
    """Clean the GBM code list into the ``occupations`` classification table.

    Parameters
    ----------
    raw
        Strings with columns ``职业代码`` and ``职业名称`` (as ``catalog.load`` gives).

    Returns
    -------
    Cleaned
        One row per code: ``code``, ``digits``, ``level``, ``level_name``, ``title``,
        ``title_norm``, ``major_group`` (int), ``middle_group``, ``minor_group``,
        ``major_title``, ``middle_title``, ``edition``, ``residual`` (a "其他…" catch-all
        group, code ending 99), ``manual`` (title keyword proxy), ``gbm_as_published``,
        ``issue`` (what is wrong with the row, if anything) and ``source_row``.
        Unparseable codes, rows without a title and repeated codes are quarantined.
    """
    require_columns(raw, [CODE_COL, TITLE_COL], what="occupational classification")
    rows = source_rows(raw)
    dup = raw[[CODE_COL, TITLE_COL]].duplicated(keep="first")
    df = raw.loc[~dup, [CODE_COL, TITLE_COL]]
    rows = rows[~dup]
    norm = normalize_codes(df[CODE_COL])
    title_raw = df[TITLE_COL].astype("string").str.strip()
    title = title_raw.str.rstrip("_")
    q_parts = [
        quarantine_rows(
            rows[~norm["error"].isna()],
            CODE_COL,
            df.loc[norm["error"].notna(), CODE_COL],
            norm["error"].dropna(),
        )
    ]
    no_title = norm["error"].isna() & (title.isna() | (title == ""))
    q_parts.append(
        quarantine_rows(
            rows[no_title[no_title].index], TITLE_COL, title_raw[no_title], "title is empty"
        )
    )
    keep = norm["error"].isna() & ~no_title
    # A code repeated with a different title: keep the first, quarantine the others.
    rep = keep & norm["code"].where(keep).duplicated(keep="first")
    q_parts.append(
        quarantine_rows(
            rows[rep[rep].index],
            CODE_COL,
            df.loc[rep, CODE_COL],
            "code repeated with a different title; first row kept",
        )
    )
    keep &= ~rep

    n = norm.loc[keep]
    out = pd.DataFrame(
        {
            "code": n["code"],
            "digits": n["digits"],
            "level": n["level"].astype("int64"),
            "title": title[keep],
            "major_group": n["major"].astype("int64"),
            "middle_group": n["middle"],
            "minor_group": n["minor"],
            "gbm_as_published": n["gbm"],
            "source_row": rows[keep[keep].index],
        }
    )
    out["level_name"] = out["level"].map(LEVEL_NAMES)
    out["title_norm"] = normalize_titles(out["title"])
    out["edition"] = np.where(out["level"] <= 3, EDITION_2022, EDITION_OLDER)
    last = out["code"].str.slice(-2)
    out["residual"] = (out["level"] > 1) & (last == "99")
    out["manual"] = out["title"].str.contains(MANUAL_PATTERN, regex=True).fillna(False)
    l2022 = out[out["edition"] == EDITION_2022]
    titles = l2022.set_index("code")["title"]
    out["major_title"] = out["major_group"].astype("string").map(titles).astype("string")
    # Parent titles only within the 2022 edition: a level-4 code's prefix names a 2022
    # group that may be a different thing in the older edition.
    out["middle_title"] = (
        out["middle_group"].map(titles).astype("string").where(out["edition"] == EDITION_2022)
    )

    issue = pd.Series(pd.NA, index=out.index, dtype="string")
    trunc = out["title"].str.contains(r"[、,，]$", regex=True).fillna(False)
    issue = issue.mask(trunc, "title looks truncated (ends with a separator)")
    under = (title_raw[keep] != title[keep]).fillna(False)
    issue = issue.mask(under, "trailing underscores removed from the title")
    gbm_bad = n["note"].str.contains("GBM number disagrees", regex=False).fillna(False)
    issue = issue.mask(gbm_bad, "GBM number " + n["gbm"].fillna("") + " disagrees with the code")
    minors_2022 = set(l2022.loc[l2022["level"] == 3, "code"])
    orphan = (out["level"] == 4) & ~out["minor_group"].isin(minors_2022)
    issue = issue.mask(
        orphan, "older-edition occupation: its minor group is not in the 2022 levels"
    )
    out["issue"] = issue

    out["residual"] = out["residual"].astype(bool)
    out["manual"] = out["manual"].astype(bool)
    cols = [
        "code",
        "digits",
        "level",
        "level_name",
        "title",
        "title_norm",
        "major_group",
        "major_title",
        "middle_group",
        "middle_title",
        "minor_group",
        "edition",
        "residual",
        "manual",
        "gbm_as_published",
        "issue",
        "source_row",
    ]
    out = out[cols].reset_index(drop=True)

    counts = out["level"].value_counts().reindex([1, 2, 3, 4], fill_value=0)
    notes = [
        "levels 1-3 follow the 2022 edition; level 4 follows an older edition "
        "(edition column); do not mix them. rows per level: "
        + ", ".join(f"{LEVEL_NAMES[k]} {int(v)}" for k, v in counts.items())
    ]
    for k, pub in PUBLISHED_2022.items():
        if int(counts[k]) != pub:
            notes.append(
                f"{LEVEL_NAMES[k]}: {int(counts[k])} rows vs {pub} published for the 2022 edition"
            )
    if orphan.any():
        notes.append(f"{int(orphan.sum())} level-4 rows have no 2022 minor group with their prefix")
    for _, r in out[out["issue"].notna() & (out["level"] < 4)].iterrows():
        notes.append(f"row {r['source_row']} {r['code']} {r['title']}: {r['issue']}")
    q = concat_quarantine(q_parts)
    acc = RowAccounting(
        dataset="occupations",
        input_rows=len(raw),
        used_rows=len(out),
        quarantined_rows=int(q["source_row"].nunique()),
        duplicate_rows=int(dup.sum()),
        output_rows=len(out),
        notes=tuple(notes),
    )
    return Cleaned(out, q, acc)


# ----------------------------------------------------------------------------------------
# Observations of video presence, matched to 2022 minor groups
# ----------------------------------------------------------------------------------------
#: Columns of the observations file (English header; Chinese aliases accepted).
OBS_COLUMNS = {
    "occupation_code": "Occupation code (any level-3 or level-4 form), may be empty",
    "occupation_title": "Occupation title, used when the code is empty or matches nothing",
    "platform": "Platform name",
    "period": "Observation period, e.g. 2023",
    "creators": "Creators of that occupation publishing about their work in the period",
    "videos": "Videos published in the period (may be empty)",
    "live_sessions": "Live sessions in the period (may be empty)",
    "first_seen": "Date the first creator of the occupation was seen (YYYY-MM-DD; empty = never)",
}
OBS_ALIASES = {
    "职业代码": "occupation_code",
    "职业名称": "occupation_title",
    "平台": "platform",
    "时期": "period",
    "期间": "period",
    "创作者数": "creators",
    "视频数": "videos",
    "直播场次": "live_sessions",
    "首次出现日期": "first_seen",
}


@dataclass(frozen=True)
class TransformRule:
    """When an occupation (minor group) counts as "video-transformed" in a period.

    Each threshold that is not None is a condition (``count >= threshold``); ``combine``
    says whether all or any of them must hold. A missing count fails its condition.

    Examples
    --------
    >>> TransformRule(min_creators=10).describe()
    'creators >= 10'
    >>> TransformRule(min_creators=1, min_live_sessions=1, combine="any").describe()
    'creators >= 1 or live_sessions >= 1'
    """

    min_creators: int | None = 10
    min_videos: int | None = None
    min_live_sessions: int | None = None
    combine: str = "all"

    def __post_init__(self) -> None:
        if self.combine not in ("all", "any"):
            raise InputError(f"combine must be 'all' or 'any', not {self.combine!r}")
        if not self.conditions():
            raise InputError(
                "a transformation rule needs at least one threshold",
                hint="e.g. TransformRule(min_creators=10)",
            )

    def conditions(self) -> dict[str, int]:
        """Column -> threshold of the active conditions."""
        pairs = {
            "creators": self.min_creators,
            "videos": self.min_videos,
            "live_sessions": self.min_live_sessions,
        }
        return {k: int(v) for k, v in pairs.items() if v is not None}

    def describe(self) -> str:
        """The rule in words, e.g. ``creators >= 10``."""
        joiner = " and " if self.combine == "all" else " or "
        return joiner.join(f"{k} >= {v}" for k, v in self.conditions().items())

    def apply(self, df: pd.DataFrame) -> pd.Series:
        """Boolean Series: does each row meet the rule?"""
        tests = [_b(df[col] >= thr) for col, thr in self.conditions().items()]
        out = tests[0]
        for t in tests[1:]:
            out = (out & t) if self.combine == "all" else (out | t)
        return out.rename("transformed")

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for Parquet metadata and notebooks)."""
        return {**asdict(self), "description": self.describe()}

    @classmethod
    def coerce(cls, rule: TransformRule | dict[str, Any] | None) -> TransformRule:
        """A rule from a rule, a dict of its fields, or None (the default rule)."""
        if rule is None:
            return cls()
        if isinstance(rule, cls):
            return rule
        fields = {k: v for k, v in dict(rule).items() if k != "description"}
        return cls(**fields)


def _parse_counts(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Non-negative counts via :func:`lsimpact.parse.parse_count`; (value, bad).

    Empty cells are missing (not bad); "1.2万", "３", "1,234" and "10万+" are understood.
    """
    p = parse_count(s)
    bad = _b(p["error"].notna() & p["error"].ne("missing"))
    return p["value"].round().astype("Int64"), bad


def _parse_dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Calendar dates via :func:`lsimpact.parse.parse_datetime`; (value, bad)."""
    p = parse_datetime(s)
    bad = _b(p["error"].notna() & p["error"].ne("missing"))
    val = p["value"].dt.tz_localize(None).dt.normalize()
    return val.astype("datetime64[ns]"), bad


def clean_occupation_video(
    obs: pd.DataFrame,
    classification: pd.DataFrame,
    *,
    rule: TransformRule | dict[str, Any] | None = None,
    today: str | None = None,
) -> Cleaned:
    """Match occupation observations to 2022 minor groups and apply the "transformed" rule.

    Parameters
    ----------
    obs
        Observations as strings, columns :data:`OBS_COLUMNS` (``occupation_code`` or
        ``occupation_title`` may be absent, not both).
    classification
        The raw GBM code list (``occupational_classification_gbm``).
    rule
        :class:`TransformRule` (or a dict of its fields); default ``creators >= 10``.
    today
        ``YYYY-MM-DD``: a ``first_seen`` after this date is quarantined as in the future.
        An explicit option (``lsimpact.load`` passes the current date and records it in the
        table's fingerprint) so that the cleaner itself never reads the clock; ``None``
        skips the check.

    Returns
    -------
    Cleaned
        One row per minor group, platform and period (rows coded at occupation level are
        summed into their minor group; ``first_seen`` is the earliest date). The rule is
        in ``Cleaned.options['rule']`` and in the summary notes.
    """
    rule = TransformRule.coerce(rule)
    obs = obs.rename(columns={k: v for k, v in OBS_ALIASES.items() if k in obs.columns})
    if "occupation_code" not in obs.columns and "occupation_title" not in obs.columns:
        require_columns(obs, ["occupation_code"], what="occupation observations")
    require_columns(obs, ["platform", "period", "creators"], what="occupation observations")
    obs = obs.copy()
    for col in OBS_COLUMNS:
        if col not in obs.columns:
            obs[col] = pd.Series(pd.NA, index=obs.index, dtype="string")
    rows = source_rows(obs)
    dup = obs[list(OBS_COLUMNS)].duplicated(keep="first")
    df = obs.loc[~dup, list(OBS_COLUMNS)]
    r = rows[~dup]

    classes = clean_classification(classification).data
    minors = classes[(classes["level"] == 3) & (classes["edition"] == EDITION_2022)]
    minor_codes = pd.Index(minors["code"])

    code_txt = df["occupation_code"].astype("string").str.strip().replace("", pd.NA)
    norm = normalize_codes(code_txt)
    has_code = _b(code_txt.notna())
    cand = norm["minor"].where(_b(norm["level"] >= 3))
    code_hit = has_code & _b(cand.isin(minor_codes))
    # Why a code failed (kept for the quarantine reason if the title fails too).
    why = pd.Series(pd.NA, index=df.index, dtype="string")
    why = why.mask(has_code & norm["error"].notna(), norm["error"].astype("string"))
    upper = has_code & norm["error"].isna() & _b(norm["level"] <= 2)
    why = why.mask(
        upper,
        "code "
        + norm["code"]
        + " is a "
        + norm["level"].map({1: "major", 2: "middle"}).astype("string")
        + " group, not a minor group or occupation",
    )
    unknown = has_code & norm["error"].isna() & _b(norm["level"] >= 3) & ~code_hit
    amb = _b(norm["ambiguous"])
    why = why.mask(
        unknown,
        "minor group "
        + cand
        + " is not in the 2022 classification"
        + pd.Series(
            np.where(amb, " (5 digits ending 00: maybe a GBM-padded middle group)", ""),
            index=df.index,
        ),
    )

    # Title fallback: exact normalised title among 2022 minor groups.
    title_n = normalize_titles(df["occupation_title"])
    tcount = minors["title_norm"].value_counts()
    unique_titles = minors[minors["title_norm"].isin(tcount[tcount == 1].index)]
    by_title = title_n.map(unique_titles.set_index("title_norm")["code"]).astype("string")
    need_title = ~code_hit
    title_hit = need_title & _b(by_title.notna())
    t_amb = need_title & _b(title_n.isin(tcount[tcount > 1].index))
    upper_titles = set(classes.loc[classes["level"] <= 2, "title_norm"].dropna())
    t_upper = need_title & ~title_hit & _b(title_n.isin(upper_titles))
    no_title = _b(title_n.isna())

    matched = code_hit | title_hit
    minor = cand.where(code_hit, by_title)
    reason = why.fillna("")
    t_reason = pd.Series(
        np.select(
            [no_title, t_amb, t_upper],
            [
                "no title to fall back on",
                "title matches several minor groups",
                "title names a major or middle group",
            ],
            "title matches no 2022 minor group",
        ),
        index=df.index,
    )
    reason = (reason + np.where(reason == "", "", "; ") + t_reason).where(~matched)
    q_parts = [
        quarantine_rows(
            r[~matched],
            "occupation_code",
            code_txt[~matched].fillna(df["occupation_title"][~matched]),
            reason[~matched],
        )
    ]
    method = pd.Series(np.where(code_hit, "code", "title"), index=df.index)
    method = method.where(~(code_hit & _b(norm["level"] == 4)), "code (occupation level)")
    conflict = code_hit & _b(by_title.notna()) & _b(by_title != cand)

    counts = {}
    bad_any = pd.Series(False, index=df.index)
    for col in ("creators", "videos", "live_sessions"):
        val, bad = _parse_counts(df[col])
        counts[col] = val
        q_parts.append(
            quarantine_rows(
                r[matched & bad], col, df.loc[matched & bad, col], "not a non-negative count"
            )
        )
        bad_any |= bad
    miss_c = matched & ~bad_any & _b(counts["creators"].isna())
    q_parts.append(
        quarantine_rows(
            r[miss_c],
            "creators",
            df.loc[miss_c, "creators"],
            "creators is empty (the unit count is required)",
        )
    )
    first, bad_d = _parse_dates(df["first_seen"])
    # A first-seen date after today is a scrape or typing error, not an observation.
    future = ~bad_d & (_b(first > pd.Timestamp(today)) if today is not None else False)
    q_parts.append(
        quarantine_rows(
            r[matched & bad_d],
            "first_seen",
            df.loc[matched & bad_d, "first_seen"],
            "not a date (expected YYYY-MM-DD)",
        )
    )
    q_parts.append(
        quarantine_rows(
            r[matched & future],
            "first_seen",
            df.loc[matched & future, "first_seen"],
            "date in the future",
        )
    )
    bad_d = bad_d | future
    # One platform vocabulary ("快手", "kuaishou" -> "Kuaishou"), as in the jobs tables.
    plat_names, plat_notes = rules.platform_names(df["platform"])
    plat = plat_names.astype("string").replace("", pd.NA)
    per = df["period"].astype("string").str.strip().replace("", pd.NA)
    miss_pp = matched & (_b(plat.isna()) | _b(per.isna()))
    q_parts.append(
        quarantine_rows(
            r[miss_pp],
            "platform/period",
            plat[miss_pp].fillna("") + "/" + per[miss_pp].fillna(""),
            "platform or period is empty",
        )
    )
    good = matched & ~bad_any & ~miss_c & ~bad_d & ~miss_pp

    long = pd.DataFrame(
        {
            "minor_group": minor[good],
            "platform": plat[good],
            "period": per[good],
            "creators": counts["creators"][good],
            "videos": counts["videos"][good],
            "live_sessions": counts["live_sessions"][good],
            "first_seen": first[good],
            "match_method": method[good],
            "source_row": r[good],
        }
    )
    keys = ["minor_group", "platform", "period"]
    g = long.groupby(keys, sort=True, dropna=False)
    # Built-in reductions only (no per-group Python): fast on big observation tables.
    agg = g[["creators", "videos", "live_sessions"]].sum(min_count=1)
    agg["first_seen"] = g["first_seen"].min()
    agg["match_method"] = g["match_method"].max()
    agg["n_source_rows"] = g.size()
    agg["first_source_row"] = g["source_row"].min()
    agg = agg.reset_index()
    attrs = minors.set_index("code")[
        [
            "title",
            "major_group",
            "major_title",
            "middle_group",
            "middle_title",
            "residual",
            "manual",
        ]
    ]
    out = agg.join(attrs, on="minor_group")
    for col in ("creators", "videos", "live_sessions"):
        out[col] = out[col].astype("Int64")
    out["transformed"] = rule.apply(out)
    cols = [
        "minor_group",
        "title",
        "major_group",
        "major_title",
        "middle_group",
        "middle_title",
        "residual",
        "manual",
        "platform",
        "period",
        "creators",
        "videos",
        "live_sessions",
        "first_seen",
        "transformed",
        "match_method",
        "n_source_rows",
        "first_source_row",
    ]
    out = out[cols]

    q = concat_quarantine(q_parts)
    n_q = int(q["source_row"].nunique())
    observed_majors = set(out["major_group"].unique())
    uncovered = minors[
        minors["major_group"].isin(observed_majors) & ~minors["code"].isin(out["minor_group"])
    ]
    notes = [
        f"unit: minor groups (小类) of the 2022 edition; transformed rule: {rule.describe()}",
        f"transformed rule (json): {json.dumps(rule.as_dict(), sort_keys=True)}",
        f"matched by code {int((code_hit & good).sum())}, by title "
        f"{int((title_hit & good).sum())}; occupation-level rows summed into their minor "
        f"group: {int((good & code_hit & _b(norm['level'] == 4)).sum())}",
    ]
    if conflict[good].any():
        notes.append(
            f"{int(conflict[good].sum())} rows whose title names another minor group "
            "than their code (code used)"
        )
    if len(uncovered):
        notes.append(
            f"{len(uncovered)} minor groups of the observed major groups have no "
            "observation (not counted in shares)"
        )
    notes += plat_notes
    acc = RowAccounting(
        dataset="occupation_video",
        input_rows=len(obs),
        used_rows=len(obs) - n_q - int(dup.sum()),
        quarantined_rows=n_q,
        duplicate_rows=int(dup.sum()),
        output_rows=len(out),
        notes=tuple(notes),
    )
    return Cleaned(out, q, acc, options={"rule": rule.as_dict(), "today": today})
