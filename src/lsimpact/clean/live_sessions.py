"""A calendar of live sessions -> the table ``live_sessions``.

One row per session and product it promoted: ``session_id, channel, start, end,
product_id`` (Chinese headers 场次, 直播间/渠道, 开播时间, 下播时间, 商品ID). Times are
Beijing wall-clock time (``tz``) unless written with an offset, which is converted.

* exact duplicate rows are dropped (counted);
* rows without a session id, channel or product, or whose start or end cannot be read,
  are quarantined with the reason;
* a session that ends before it starts (or when it starts) is quarantined;
* a session whose rows disagree on its channel, start or end is quarantined whole: which
  row is right cannot be told from the file;
* the same product listed twice in one session (with different other columns) is
  quarantined after its first row.

The prices cleaner (:mod:`lsimpact.clean.prices`) uses this table for ``promoted``.
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
from ..parse import parse_datetime

__all__ = ["ALIASES", "COLUMNS", "clean_sessions", "text_key"]

#: Output columns, in order.
COLUMNS = ["session_id", "channel", "start", "end", "product_id", "duration_hours", "source_row"]

#: Header spellings (Chinese or English) of the session calendar.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "session_id": ("场次", "场次id", "场次编号", "直播场次", "session", "live_session"),
    "channel": ("渠道", "直播间", "直播间名称", "账号", "live_room", "room"),
    "start": ("开播时间", "开始时间", "开播", "start_time", "started_at", "begin"),
    "end": ("下播时间", "结束时间", "下播", "end_time", "ended_at", "finish"),
    "product_id": ("商品id", "商品编号", "商品ID", "sku", "sku_id", "item_id", "goods_id"),
}


def text_key(s: pd.Series) -> pd.Series:
    """Identifiers as text: NFKC (full-width -> ASCII), trimmed; missing -> "".

    Each distinct value is normalised once (ids repeat on every row).
    """
    # Factorise the column as read (cheap on Arrow strings), normalise the distinct values.
    codes, uniq = pd.factorize(s)
    clean = pd.Series(np.asarray(uniq, dtype=object), dtype="string").astype(str)
    clean = clean.str.normalize("NFKC").str.strip().to_numpy(dtype=object)
    out = np.append(clean, "")[codes]  # code -1 (missing) -> ""
    return pd.Series(out, index=s.index, dtype=object)


def wall_clock(s: pd.Series, tz: str) -> pd.DataFrame:
    """Times via :func:`lsimpact.parse.parse_datetime` as naive wall-clock time in ``tz``."""
    p = parse_datetime(s, tz=tz)
    value = p["value"].dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[ns]")
    return pd.DataFrame({"value": value, "error": p["error"]}, index=s.index)


def _headers(raw: pd.DataFrame) -> pd.DataFrame:
    out = normalise_headers(raw, dict(ALIASES))
    require_columns(
        out,
        list(ALIASES),
        what="the session calendar",
        expected="columns session_id, channel, start, end, product_id (Chinese headers "
        "场次, 直播间, 开播时间, 下播时间, 商品ID also work)",
        hint="rename the header(s)",
        path=raw.attrs.get("source_path"),
    )
    return out


def clean_sessions(raw: pd.DataFrame, *, tz: str = "Asia/Shanghai") -> Cleaned:
    """Clean a live-session calendar (see the module docstring).

    Parameters
    ----------
    raw
        The calendar as strings (``catalog.load`` or ``io.read_table``).
    tz
        Time zone of times written without an offset (Beijing time by default).

    Returns
    -------
    Cleaned
        :data:`COLUMNS` (``start``/``end`` naive wall-clock in ``tz``), the quarantine and
        the row accounting.
    """
    n_in = len(raw)
    df = _headers(raw)[list(ALIASES)].copy()
    df["source_row"] = source_rows(raw).to_numpy()
    dup = df.drop(columns="source_row").duplicated(keep="first").to_numpy()
    df = df.loc[~dup]

    sid, chan, pid = (text_key(df[c]) for c in ("session_id", "channel", "product_id"))
    start, end = wall_clock(df["start"], tz), wall_clock(df["end"], tz)
    before = (end["value"] < start["value"]).to_numpy()
    same = (end["value"] == start["value"]).to_numpy()
    problems = [
        (sid.eq(""), "session_id", "session_id missing"),
        (chan.eq(""), "channel", "channel (live room) missing"),
        (pid.eq(""), "product_id", "product_id missing (each row names a promoted product)"),
        (start["error"].notna(), "start", "start time not readable (" + start["error"] + ")"),
        (end["error"].notna(), "end", "end time not readable (" + end["error"] + ")"),
        (pd.Series(before, index=df.index), "end", "session ends before it starts"),
        (pd.Series(same, index=df.index), "end", "session ends when it starts (zero length)"),
    ]
    parts, bad = first_problems(df, problems)

    # One session, one channel and one time span: rows that disagree are all refused.
    ok = ~bad
    key = pd.DataFrame(
        {"sid": sid, "chan": chan, "start": start["value"], "end": end["value"]}, index=df.index
    )[ok]
    n_versions = key.drop_duplicates().groupby("sid")["chan"].transform("size")
    clash_sid = set(key.drop_duplicates().loc[n_versions > 1, "sid"])
    clash = sid.isin(clash_sid) & ok
    more, bad2 = first_problems(
        df,
        [(clash, "session_id", "session rows disagree on channel, start or end")],
    )
    parts += more
    bad |= bad2
    # The same product twice in one session: the first row stands, the repeat is refused.
    twice = pd.DataFrame({"sid": sid, "pid": pid})[~bad].duplicated(keep="first")
    twice = twice.reindex(df.index, fill_value=False)
    more, bad3 = first_problems(
        df, [(twice, "product_id", "product listed twice in the same session")]
    )
    parts += more
    bad |= bad3
    quarantine = concat_quarantine(parts)

    ok = ~bad
    out = pd.DataFrame(
        {
            "session_id": sid[ok].to_numpy(dtype=object),
            "channel": chan[ok].to_numpy(dtype=object),
            "start": start.loc[ok, "value"].to_numpy(),
            "end": end.loc[ok, "value"].to_numpy(),
            "product_id": pid[ok].to_numpy(dtype=object),
        }
    )
    out["duration_hours"] = (out["end"] - out["start"]).dt.total_seconds() / 3600.0
    out["source_row"] = df.loc[ok, "source_row"].to_numpy(dtype="int64")
    out = out.sort_values(["channel", "start", "session_id", "product_id"], kind="stable")
    out = out.reset_index(drop=True)[COLUMNS]
    text = ["session_id", "channel", "product_id"]
    out[text] = out[text].astype("str")  # also when empty
    summary = RowAccounting.of_masks(
        "live_sessions",
        n_in,
        ok,
        bad,
        dup,
        len(out),
        notes=(
            f"{out['session_id'].nunique()} sessions, {out['product_id'].nunique()} products "
            f"promoted; times are wall-clock {tz}",
        ),
    )
    return Cleaned(out, quarantine, summary, {"tz": tz})
