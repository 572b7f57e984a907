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

import sys
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..cleaning import (
    Cleaned,
    RowAccounting,
    concat_quarantine,
    quarantine_rows,
    source_rows,
)
from ..datasets import DatasetSpec
from ..errors import InputError
from ..parse import parse_count, parse_datetime
from ..schemas import followers_daily as _schema
from ..schemas import followers_published as _schema_published

__all__ = ["ALIASES", "PANEL_COLUMNS", "clean_published", "clean_snapshots", "detect_glitches"]

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

#: Header spellings trackers use (after lower-casing and stripping) -> canonical name.
ALIASES: Mapping[str, str] = {
    "platform": "platform",
    "平台": "platform",
    "account_id": "account_id",
    "account id": "account_id",
    "uid": "account_id",
    "id": "account_id",
    "账号id": "account_id",
    "账号": "account_id",
    "抖音号": "account_id",
    "达人id": "account_id",
    "account_name": "account_name",
    "account": "account_name",
    "name": "account_name",
    "nickname": "account_name",
    "账号名称": "account_name",
    "达人名称": "account_name",
    "昵称": "account_name",
    "group": "group",
    "分组": "group",
    "类型": "group",
    "followers": "followers",
    "follower_count": "followers",
    "fans": "followers",
    "粉丝数": "followers",
    "粉丝": "followers",
    "粉丝总量": "followers",
    "captured_at": "captured_at",
    "capture_time": "captured_at",
    "time": "captured_at",
    "timestamp": "captured_at",
    "采集时间": "captured_at",
    "抓取时间": "captured_at",
    "时间": "captured_at",
}

_CHUNK = 1_000_000


def _normalise_headers(raw: pd.DataFrame) -> pd.DataFrame:
    """Rename known header spellings (Chinese or English) to the canonical names."""
    mapping = {}
    for col in raw.columns:
        key = unicodedata.normalize("NFKC", str(col)).strip().lower()
        canon = ALIASES.get(key)
        if canon and canon not in mapping.values():
            mapping[col] = canon
    out = raw.rename(columns=mapping)
    if "account_id" not in out.columns and "account_name" in out.columns:
        out["account_id"] = out["account_name"]
    if "account_name" not in out.columns and "account_id" in out.columns:
        out["account_name"] = out["account_id"]
    missing = [c for c in ("account_id", "followers", "captured_at") if c not in out.columns]
    if missing:
        raise InputError(
            f"the snapshot log lacks column(s) {', '.join(missing)}",
            path=raw.attrs.get("source_path"),
            column=missing[0],
            expected="columns account_id (or account_name), followers, captured_at; "
            "optional platform, group (Chinese headers 账号, 粉丝数, 采集时间 also work)",
            hint=f"rename the header(s); found: {', '.join(map(str, raw.columns))}",
        )
    return out


def _text(s: pd.Series) -> pd.Series:
    """Strings, NFKC-normalised (full-width digits -> ASCII) and stripped; NA -> ''."""
    s = s.astype("string").fillna("")
    return s.str.normalize("NFKC").str.strip()


def _parse_counts(s: pd.Series) -> pd.DataFrame:
    """Displayed counts via :func:`lsimpact.parse.parse_count` (value, lower_bound, error)."""
    return parse_count(s)[["value", "lower_bound", "error"]]


def _parse_times(s: pd.Series, tz: str) -> pd.DataFrame:
    """Capture times via :func:`lsimpact.parse.parse_datetime`, as naive wall-clock in ``tz``.

    Times written with an offset or "Z" are converted to ``tz``; others are taken as
    wall-clock time in ``tz`` (trackers of Chinese platforms export Beijing time).
    """
    p = parse_datetime(s, tz=tz)
    value = p["value"].dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[ns]")
    return pd.DataFrame({"value": value, "error": p["error"]}, index=s.index)


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
    n = len(value)
    zero = value <= 0
    idx = np.flatnonzero(~zero)
    v = np.log(value[idx])
    a = account[idx]
    lf = np.log(factor)
    # Centred window of 5 snapshots of the same account (2 before, itself, 2 after): its
    # median ignores an isolated glitch, and two glitches around one good value too.
    m = len(v)
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
    glitch = zero.copy()
    glitch[idx[off]] = True
    reason = np.full(n, "", dtype=object)
    reason[zero] = "scrape glitch: count shown as 0"
    reason[idx[off]] = f"scrape glitch: off by more than x{factor:g} from the neighbouring snapshots"
    return glitch, reason


def _progress(total: int, desc: str, enabled: bool | None) -> Any:
    from tqdm.auto import tqdm

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

    Returns
    -------
    Cleaned
        The daily panel (:data:`PANEL_COLUMNS`), quarantine and row accounting.
    """
    if how not in {"last", "median"}:
        raise InputError(f"unknown option how={how!r}", expected="'last' or 'median'")
    if fill not in {"none", "loglinear"}:
        raise InputError(f"unknown option fill={fill!r}", expected="'none' or 'loglinear'")
    n_in = len(raw)
    df = _normalise_headers(raw)
    src = source_rows(raw).to_numpy()
    src_name = source or raw.attrs.get("resource") or Path(str(raw.attrs.get("source_path", "snapshot log"))).name
    cols = ["platform", "account_id", "account_name", "group", "followers", "captured_at"]
    for c in ("platform", "group"):
        if c not in df.columns:
            df[c] = platform if c == "platform" else ""
    df = df[cols]

    # 1. Exact duplicates (every column equal) are dropped and counted, not quarantined.
    dup = df.duplicated(keep="first").to_numpy()
    df = df.loc[~dup]
    src = src[~dup]

    # 2. Parse in chunks so that a long log shows progress.
    bar = _progress(len(df), "parsing snapshots", progress)
    counts, times = [], []
    for lo in range(0, len(df), _CHUNK):
        part = df.iloc[lo : lo + _CHUNK]
        counts.append(_parse_counts(part["followers"]))
        times.append(_parse_times(part["captured_at"], tz))
        bar.update(len(part))
    bar.close()
    cnt = pd.concat(counts) if counts else _parse_counts(df["followers"])
    tim = pd.concat(times) if times else _parse_times(df["captured_at"], tz)
    acc_id = _text(df["account_id"])
    plat = _text(df["platform"]).replace("", platform)
    q_parts = []
    bad_acc = (acc_id == "").to_numpy()
    bad_cnt = cnt["error"].notna().to_numpy() & ~bad_acc
    bad_time = tim["error"].notna().to_numpy() & ~bad_acc & ~bad_cnt
    q_parts.append(quarantine_rows(src[bad_acc], "account_id", df["account_id"][bad_acc],
                                   "missing account id and name"))
    q_parts.append(quarantine_rows(
        src[bad_cnt], "followers", df["followers"][bad_cnt],
        "followers not readable as a count (" + cnt["error"][bad_cnt].astype(str) + ")"))
    q_parts.append(quarantine_rows(
        src[bad_time], "captured_at", df["captured_at"][bad_time],
        "capture time not readable (" + tim["error"][bad_time].astype(str) + ")"))
    ok = ~(bad_acc | bad_cnt | bad_time)

    snap = pd.DataFrame(
        {
            "platform": plat[ok].to_numpy(dtype=object),
            "account_id": acc_id[ok].to_numpy(dtype=object),
            "account_name": _text(df["account_name"])[ok].to_numpy(dtype=object),
            "group": _text(df["group"])[ok].to_numpy(dtype=object),
            "value": cnt["value"].to_numpy()[ok],
            "lower_bound": cnt["lower_bound"].to_numpy()[ok],
            "time": tim["value"].to_numpy()[ok],
            "raw": df["followers"].to_numpy(dtype=object)[ok],
            "source_row": src[ok],
        }
    )
    # 3. Glitches, on each account's series in time order.
    snap = snap.sort_values(["platform", "account_id", "time", "source_row"], kind="stable")
    key = pd.MultiIndex.from_arrays([snap["platform"], snap["account_id"]])
    acc_code = pd.factorize(key)[0]
    glitch, reason = detect_glitches(acc_code, snap["value"].to_numpy(), glitch_factor)
    q_parts.append(quarantine_rows(snap["source_row"][glitch], "followers",
                                   snap["raw"][glitch], reason[glitch]))
    snap["date"] = snap["time"].dt.normalize()
    g_days = snap.loc[glitch, ["platform", "account_id", "date"]].value_counts()
    valid = snap.loc[~glitch]
    n_used = len(valid)

    # 4. One value per account and day.
    per_day = valid.groupby(["platform", "account_id", "date"], sort=True)
    n_snap = per_day.size()
    if how == "last":
        pick = valid.sort_values(["platform", "account_id", "date", "lower_bound", "time"],
                                 ascending=[True, True, True, False, True], kind="stable")
        day = pick.drop_duplicates(["platform", "account_id", "date"], keep="last")
        day = day.set_index(["platform", "account_id", "date"]).sort_index()
        followers = day["value"]
        lower = day["lower_bound"]
        row = day["source_row"]
    else:
        followers = per_day["value"].median()
        lower = per_day["lower_bound"].all()
        row = per_day["source_row"].max()
    names = valid.groupby(["platform", "account_id"])["account_name"].last()
    groups = valid.assign(group=valid["group"].replace("", np.nan)).groupby(
        ["platform", "account_id"])["group"].agg(lambda s: s.mode().iat[0] if s.notna().any() else "")

    # 5. A full calendar per account between its first and last valid day.
    obs = followers.reset_index()[["platform", "account_id", "date"]]
    span = obs.groupby(["platform", "account_id"])["date"].agg(["min", "max"])
    n_days = ((span["max"] - span["min"]).dt.days + 1).to_numpy()
    rep = np.repeat(np.arange(len(span)), n_days)
    offset = np.arange(n_days.sum()) - np.repeat(np.cumsum(n_days) - n_days, n_days)
    panel = pd.DataFrame(
        {
            "platform": span.index.get_level_values(0).to_numpy()[rep],
            "account_id": span.index.get_level_values(1).to_numpy()[rep],
            "date": span["min"].to_numpy()[rep] + offset.astype("timedelta64[D]"),
        }
    )
    idx = pd.MultiIndex.from_frame(panel)
    panel["followers"] = followers.reindex(idx).to_numpy()
    panel["n_snapshots"] = n_snap.reindex(idx, fill_value=0).to_numpy().astype("int64")
    panel["n_glitches"] = g_days.reindex(idx, fill_value=0).to_numpy().astype("int64")
    panel["lower_bound"] = lower.reindex(idx, fill_value=False).to_numpy().astype(bool)
    panel["source_row"] = pd.array(row.reindex(idx).to_numpy(dtype=float), dtype="Int64")
    acc_idx = pd.MultiIndex.from_arrays([panel["platform"], panel["account_id"]])
    panel["account_name"] = names.reindex(acc_idx).to_numpy()
    panel["group"] = groups.reindex(acc_idx).to_numpy()

    panel["imputed"] = False
    if fill == "loglinear":
        panel = _fill_loglinear(panel, max_gap)
    same = np.r_[False, (panel["account_id"].to_numpy()[1:] == panel["account_id"].to_numpy()[:-1])
                 & (panel["platform"].to_numpy()[1:] == panel["platform"].to_numpy()[:-1])]
    f = panel["followers"].to_numpy()
    prev = np.r_[np.nan, f[:-1]]
    panel["net_change"] = np.where(same, f - prev, np.nan)
    panel["net_change_since"] = (panel["date"] - pd.Timedelta(days=1)).where(
        same & ~np.isnan(panel["net_change"].to_numpy()))
    panel["glitch"] = panel["n_glitches"] > 0
    panel["approximate"] = panel["imputed"]
    panel["sparse"] = False
    panel["source"] = src_name
    panel["source_url"] = ""
    panel = panel[PANEL_COLUMNS].reset_index(drop=True)

    quarantine = concat_quarantine(q_parts)
    n_missing = int((panel["n_snapshots"] == 0).sum())
    acc = RowAccounting(
        dataset="followers_daily",
        input_rows=n_in,
        used_rows=n_used,
        quarantined_rows=len(quarantine),
        duplicate_rows=int(dup.sum()),
        output_rows=len(panel),
        notes=(
            f"{int(glitch.sum())} glitch snapshots kept out of the daily values",
            f"{panel['account_id'].nunique()} accounts, {n_missing} account-days without a "
            f"valid snapshot ({int(panel['imputed'].sum())} imputed, fill={fill!r})",
            f"daily value: {how} valid snapshot of the day ({tz})",
        ),
    )
    return Cleaned(panel, quarantine, acc, {"how": how, "fill": fill, "max_gap": max_gap,
                                             "glitch_factor": glitch_factor, "tz": tz})


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
    "East Buy self-operated products (东方甄选自营产品) Douyin account": ("east_buy_products", "brand"),
    "Dong Yuhui personal Douyin account": ("dong_yuhui", "host"),
    "Yu Hui Tong Xing (与辉同行) Douyin account": ("yu_hui_tong_xing", "host"),
}


def clean_published(raw: pd.DataFrame) -> Cleaned:
    """Published follower counts and changes -> the panel format, flagged ``sparse``.

    Counts (series ``follower_count``) give ``followers`` on their date (a month is
    placed on its last day and flagged ``approximate``), with ``net_change`` to the
    previous published count of the account; changes (``follower_change``) give
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
    q.append(quarantine_rows(d.loc[~known, "source_row"], "entity", d.loc[~known, "entity"],
                             "follower figure of an account not mapped in PUBLISHED_ACCOUNTS"))
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
    out = out.sort_values(["account_id", "date", "source_row"], kind="stable").reset_index(drop=True)
    # Changes between consecutive published counts of the same account.
    c = out["followers"].notna()
    cc = out.loc[c]
    same = cc["account_id"].eq(cc["account_id"].shift())
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
        notes=(f"{int(is_f.sum())} follower rows of {len(raw)} published figures; "
               "the other series are not follower data",),
    )
    return Cleaned(out[PANEL_COLUMNS], quarantine, acc_rec)


DATASETS = [
    DatasetSpec(
        name="followers_daily",
        inputs=("followers_snapshots",),
        cleaner=clean_snapshots,
        schema=_schema,
        description="Daily follower panel (last valid snapshot a day; glitches out, gaps flagged)",
    ),
    DatasetSpec(
        name="followers_published",
        inputs=("published_figures",),
        cleaner=clean_published,
        schema=_schema_published,
        description="Published East Buy / Dong Yuhui follower points in the panel format (sparse)",
    ),
]
