"""Price observations -> the daily panel ``prices_daily``.

Input: one row per product x channel x observation time, as a researcher scrapes it:
``product_id`` and/or ``product_name``, ``brand``, ``category``, ``channel`` (a live
room, the brand's store, another platform's store), ``channel_type`` (``live``,
``store``, ``other``), ``observed_at``, ``list_price``, ``paid_price`` (after coupons),
``pack`` as written, optional ``units_sold``, ``live_room``, ``promoted``, ``session_id``.
Chinese headers work (商品ID, 商品名称, 品牌, 类目, 渠道, 渠道类型, 直播间, 采集时间,
标价/原价, 到手价/券后价, 规格/净含量, 销量; see :data:`ALIASES`).

Rules, in order:

* exact duplicate rows are dropped (counted);
* prices are read with :func:`lsimpact.parse.parse_price` (amounts, unit prices
  "88.5元/斤", multi-buys "2件88", discounts "8折" of the list price, "第二件半价"
  with the ``second_item_quantity`` option) and turned into **yuan per kg, litre or item**
  with the pack (:func:`lsimpact.parse.parse_pack`); a price that cannot be read, or
  needs what the row lacks, is quarantined with the reason;
* products are aligned across channels by ``product_id``; a row without one is aligned by
  normalised name + brand + pack size to the one product_id that has them, or gets the
  key ``name:<name>|<brand>|<size>``; a row that matches several ids, or has neither id
  nor name + readable pack, is quarantined;
* a product is priced in one unit: rows whose unit price is in another unit (per kg
  where the product's other rows are per item) are quarantined, as are rows whose
  channel_type contradicts the channel's other rows (the minority in both cases);
* the day's value is the **last valid observation of the day** (Beijing calendar day),
  as for followers; ``n_observations`` counts the day's valid observations and
  ``source_row`` names the row used;
* ``promoted``: with a live-session calendar (second input), a product-channel-day is
  promoted when one of the channel's sessions that promoted the product overlaps the
  day; without one, from a ``promoted`` column (是/否, yes/no, 1/0) or a ``session_id``
  column (non-empty = promoted); missing when the file says nothing.

At scale the work is done on integer codes: text (ids, names, channels, spellings) is
normalised once per distinct value, prices and packs are parsed once per distinct
(paid, list, pack) combination, and rows are grouped and ordered by one ``lexsort`` of
codes whose order is the order of their texts. The chunked and Dask engines run this
same function on partitions that are connected components of products and contested
channels (:func:`entity_keys`, :func:`entity_hasher`, :func:`combine`), which makes their
result equal to the in-memory one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..contract import Cleaned, RowAccounting, concat_quarantine, quarantine_rows, source_rows
from ..errors import InputError
from ..io import normalise_headers
from ..parse import parse_count, parse_pack, parse_price
from .live_sessions import clean_sessions, text_key, wall_clock

__all__ = [
    "ALIASES",
    "CHANNEL_TYPES",
    "COLUMNS",
    "clean_observations",
    "combine",
    "entity_hash",
    "entity_hasher",
    "entity_keys",
    "name_key",
]

#: Output columns, in order.
COLUMNS = [
    "product_id",
    "product_name",
    "brand",
    "category",
    "channel",
    "channel_type",
    "date",
    "list_unit_price",
    "paid_unit_price",
    "price_unit",
    "pack_quantity",
    "pack_unit",
    "promoted",
    "n_observations",
    "units_sold",
    "source_row",
]

#: Header spellings (matched ignoring case, full-width forms and spaces).
ALIASES: Mapping[str, tuple[str, ...]] = {
    "product_id": ("商品id", "商品编号", "商品编码", "sku", "sku_id", "item_id", "goods_id"),
    "product_name": ("商品名称", "商品", "商品标题", "品名", "product", "name", "title"),
    "brand": ("品牌", "品牌名称", "brand_name"),
    "category": ("类目", "品类", "商品类目", "分类"),
    "channel": ("渠道", "店铺", "销售渠道", "店铺名称", "shop", "store"),
    "channel_type": ("渠道类型", "渠道类别", "店铺类型", "type"),
    "live_room": ("直播间", "直播间名称", "live_room_name"),
    "observed_at": ("采集时间", "抓取时间", "爬取时间", "观测时间", "时间", "captured_at",
                    "observed", "timestamp", "time"),
    "list_price": ("标价", "原价", "划线价", "吊牌价", "list", "original_price"),
    "paid_price": ("到手价", "券后价", "成交价", "直播价", "价格", "售价", "price", "paid"),
    "pack": ("规格", "净含量", "包装规格", "pack_size", "size"),
    "units_sold": ("销量", "销售量", "成交量", "sales", "sold"),
    "promoted": ("是否推广", "是否直播推广", "直播推广", "promotion"),
    "session_id": ("场次", "场次id", "直播场次"),
}  # fmt: skip

#: channel_type as written (lower-cased, NFKC) -> live / store / other.
CHANNEL_TYPES: dict[str, str] = {
    **dict.fromkeys(("live", "livestream", "live_room", "直播", "直播间", "直播带货"), "live"),
    **dict.fromkeys(
        ("store", "shop", "brand_store", "店铺", "旗舰店", "官方旗舰店", "品牌店", "自营",
         "官方店", "品牌旗舰店"),
        "store",
    ),
    **dict.fromkeys(("other", "other_platform", "其他", "其它", "其他平台", "其它平台"), "other"),
}  # fmt: skip

_TRUE = ("1", "true", "yes", "y", "t", "是", "有", "promoted")
_FALSE = ("0", "false", "no", "n", "f", "否", "无", "")


def _headers(raw: pd.DataFrame) -> pd.DataFrame:
    out = normalise_headers(raw, dict(ALIASES))
    need = []
    if "product_id" not in out.columns and "product_name" not in out.columns:
        need.append("product_id or product_name")
    if "channel" not in out.columns and "live_room" not in out.columns:
        need.append("channel")
    need += [c for c in ("observed_at", "paid_price") if c not in out.columns]
    if need:
        raise InputError(
            f"the price observations lack column(s) {', '.join(need)}",
            path=raw.attrs.get("source_path"),
            column=need[0],
            expected="columns product_id (or product_name), brand, category, channel, "
            "channel_type, observed_at, list_price, paid_price, pack; Chinese headers 商品ID, "
            "商品名称, 品牌, 类目, 渠道, 渠道类型, 直播间, 采集时间, 标价, 到手价, 规格 also work",
            hint=f"rename the header(s); found: {', '.join(map(str, raw.columns))}",
        )
    return out


def name_key(name: pd.Series, brand: pd.Series) -> pd.Series:
    """Normalised ``name|brand`` for alignment: NFKC, lower case, no spaces or punctuation."""
    both = text_key(name) + "\x00" + text_key(brand)
    codes, uniq = pd.factorize(both)
    u = _name_key_text(np.asarray(uniq, dtype=object))
    return pd.Series(u[codes], index=name.index, dtype=object)


_KEY_PUNCT = r"[\s\-_·・,，.。/\\()（）\[\]【】「」'\"“”‘’!！?？:：;；+*]"


def _name_key_text(both: np.ndarray) -> np.ndarray:
    """``name\x00brand`` (distinct values) -> the alignment key text ``name|brand``."""
    u = pd.Series(both, dtype="string").str.lower()
    u = u.str.replace(_KEY_PUNCT, "", regex=True)
    return u.str.replace("\x00", "|", regex=False).to_numpy(dtype=object)


def _mode_codes(group: np.ndarray, value: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group, the most frequent ``value`` code (ties: the smallest code); -1 where the
    group has no value. ``group`` and ``value`` are integer codes, -1 = not counted.

    Values are coded in sorted order of their text, so "the smallest code" is "the
    smallest text", as ties are broken everywhere in this module.
    """
    best = np.full(n_groups, -1, dtype=np.int64)
    keep = (group >= 0) & (value >= 0)
    if not keep.any():
        return best
    nv = int(value.max()) + 1
    # count the distinct (group, value) pairs by hashing; only they are sorted
    pair_codes, pairs = pd.factorize(group[keep].astype(np.int64) * nv + value[keep])
    counts = np.bincount(pair_codes)
    pairs = np.asarray(pairs, dtype=np.int64)
    pg, pv = pairs // nv, pairs % nv
    order = np.lexsort((pv, -counts, pg))  # by group, most frequent first, then smallest
    pg, pv = pg[order], pv[order]
    first = np.r_[True, pg[1:] != pg[:-1]]
    best[pg[first]] = pv[first]
    return best


# --- integer codes --------------------------------------------------------------------------
# The cleaner works on integer codes into small arrays of distinct texts ("labels"): text
# work (NFKC, keys, spellings) is done once per distinct value, grouping and sorting on
# integers. Labels are kept sorted and unique, so that ordering codes orders the texts
# (ties broken by the smallest text, output sorted by product, channel, date) exactly as
# sorting the strings would.


def _relabel(codes: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes into ``labels`` (any order, repeats allowed) -> codes into sorted unique labels
    (-1 stays -1)."""
    new, uniq = pd.factorize(np.asarray(labels, dtype=object), sort=True)
    uniq = np.asarray(uniq, dtype=object)
    if len(codes) == 0 or len(new) == 0:
        return np.full(len(codes), -1, dtype=np.int32), uniq
    # int32 codes: a row-length array is 4 bytes a row (memory is the limit at scale)
    return np.where(codes >= 0, new.astype(np.int32)[np.maximum(codes, 0)], -1), uniq


def _text_codes(s: pd.Series | None, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`text_key` as codes: (codes of the normalised text, sorted labels, codes of
    the cells as read). Missing cells are "" (a label like any other); an absent column
    is all "" (raw codes all 0)."""
    if s is None:
        return np.zeros(n, dtype=np.int32), np.array([""], dtype=object), np.zeros(n, np.int32)
    raw, uniq = pd.factorize(s)
    clean = pd.Series(np.asarray(uniq, dtype=object), dtype="string").astype(str)
    clean = clean.str.normalize("NFKC").str.strip().to_numpy(dtype=object)
    labels = np.append(clean, "")  # code -1 (missing) -> ""
    codes, labels = _relabel(np.where(raw >= 0, raw, len(clean)), labels)
    return codes, labels, raw.astype(np.int32)


def _pair(a: np.ndarray, b: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (a, b) code pairs: (pair code per row, a and b of each pair)."""
    key = a.astype(np.int64) * max(nb, 1) + b
    codes, uniq = pd.factorize(key)
    uniq = np.asarray(uniq, dtype=np.int64)
    return codes.astype(np.int32), uniq // max(nb, 1), uniq % max(nb, 1)


def _row_ids(raw_codes: list[np.ndarray], n: int) -> np.ndarray:
    """One int64 per row, equal iff the rows are equal in every column (codes as read)."""
    ids = np.zeros(n, dtype=np.int64)
    size = 1
    for c in raw_codes:
        k = int(c.max(initial=-1)) + 2  # -1 (missing) -> 0
        if size * k >= 2**62:  # re-number before the product overflows
            ids = pd.factorize(ids)[0].astype(np.int64)
            size = int(ids.max(initial=0)) + 1
        ids = ids * k + (c + 1)
        size *= k
    return ids


#: channel_type labels in sorted order (ties between types go to the smallest text).
_TYPES = np.array(["live", "other", "store"], dtype=object)


class _Keys:
    """What identifies a row's product and channel, as integer codes (see :func:`_keys`)."""

    pid: np.ndarray  # codes into pid_labels ("" = no id)
    pid_labels: np.ndarray
    nkey: np.ndarray  # codes into nkey_labels, -1 = no name + readable pack
    nkey_labels: np.ndarray
    channel: np.ndarray  # codes into channel_labels ("" = none)
    channel_labels: np.ndarray
    ctype: np.ndarray  # codes into _TYPES, -1 = not live/store/other
    room: np.ndarray  # codes into room_labels
    room_labels: np.ndarray
    pack: np.ndarray | None  # codes into pack_parsed (None: no pack column)
    pack_parsed: pd.DataFrame | None  # parse_pack of each distinct pack cell
    pack_raw: np.ndarray | None  # codes of the pack cells as read


def _distinct(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of integer ``codes``: (each row's index into them, the position of
    each one's first row). Parsers then run once per distinct cell or combination."""
    inv = pd.factorize(codes)[0].astype(np.int32)  # numbered in order of first appearance
    if not len(inv):
        return inv, np.zeros(0, dtype=np.int64)
    top = np.maximum.accumulate(inv)
    return inv, np.flatnonzero(np.r_[True, top[1:] > top[:-1]])


def _raw_codes(s: pd.Series) -> np.ndarray:
    """Codes of the cells as read (equal cells, equal codes; missing -1)."""
    return pd.factorize(s)[0].astype(np.int32)


def _keys(df: pd.DataFrame, known: list[str]) -> tuple[_Keys, dict]:
    """Product and channel keys of every row of ``df`` (renamed headers), the other text
    columns' codes and the pack sizes (parsed once per distinct cell): the one place they
    are computed, for the cleaner and for the engines' pre-pass (:func:`entity_keys`)."""
    n = len(df)
    text = {c: _text_codes(df[c] if c in known else None, n) for c in _TEXT}
    k = _Keys()
    k.pack_raw = k.pack = None
    k.pack_parsed = None
    if "pack" in known:
        k.pack_raw = _raw_codes(df["pack"])
        k.pack, first = _distinct(k.pack_raw)
        k.pack_parsed = parse_pack(df["pack"].iloc[first].reset_index(drop=True))
    k.pid, k.pid_labels, _ = text["product_id"]
    name_c, name_l, _ = text["product_name"]
    brand_c, brand_l, _ = text["brand"]
    chan_c, chan_l, _ = text["channel"]
    room_c, room_l, _ = text["live_room"]
    k.room, k.room_labels = room_c, room_l
    # The live room is the channel; with both, "platform/room" keeps rooms apart.
    pc, pa_, pb = _pair(chan_c, room_c, len(room_l))
    ch, rm = chan_l[pa_], room_l[pb]
    both = np.array([f"{c}/{r}" for c, r in zip(ch, rm, strict=True)], dtype=object)
    labels = np.where(rm == "", ch, np.where(ch == "", rm, both))
    k.channel, k.channel_labels = _relabel(pc, labels)
    # channel_type: the vocabulary; blank in a file with a live room column -> live.
    ct_c, ct_l, _ = text["channel_type"]
    mapped = pd.Series(ct_l, dtype=object).str.lower().map(CHANNEL_TYPES)
    t_of_label = pd.Index(_TYPES).get_indexer(mapped.where(mapped.notna(), "?"))
    k.ctype = t_of_label[ct_c].astype(np.int8)
    blank = (ct_l == "")[ct_c]
    k.ctype[(k.ctype < 0) & blank & (room_l != "")[room_c]] = 0  # live
    # Alignment key: normalised name + brand + pack size, where the name and pack are there.
    k.nkey = np.full(n, -1, dtype=np.int32)
    k.nkey_labels = np.array([], dtype=object)
    if k.pack is not None and n:
        pack = k.pack_parsed
        pack_ok = pack["error"].isna().to_numpy()[k.pack]
        nb, nb_a, nb_b = _pair(name_c, brand_c, len(brand_l))
        nb_text = _name_key_text((name_l[nb_a] + "\x00" + brand_l[nb_b]).astype(object))
        # "500g", "2000ml", "12item": one spelling per distinct pack cell
        q = pack["quantity"].to_numpy(dtype=float)
        q_text = np.array(["nan" if v != v else f"{v:g}" for v in q], dtype=object)
        base = pack["base_unit"].to_numpy(dtype=object)
        b_text = np.where(pd.isna(base), "", base).astype(object)
        sz, sz_text = _relabel(k.pack, (q_text + b_text).astype(object))
        use = (name_l != "")[name_c] & pack_ok
        kc, kc_nb, kc_sz = _pair(nb, sz, int(sz.max(initial=-1)) + 1)
        k_text = (nb_text[kc_nb] + "|" + sz_text[kc_sz]).astype(object)
        k.nkey, k.nkey_labels = _relabel(np.where(use, kc, -1), k_text)
        k.nkey_labels = k.nkey_labels if len(k.nkey_labels) else np.array([], dtype=object)
    return k, text


#: Text columns normalised with :func:`text_key` (as codes).
_TEXT = ("product_id", "product_name", "brand", "category", "channel", "live_room",
         "channel_type", "promoted", "session_id")  # fmt: skip


def _align(k: _Keys) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Products: the row's product_id, else the one product_id that has its name + brand +
    pack, else ``name:<key>``. Returns (product code, sorted product labels, number of
    product_ids that share the row's key)."""
    has_id = (k.pid_labels != "")[k.pid]
    n_i = max(len(k.pid_labels), 1)
    both = (k.nkey >= 0) & has_id
    pair = np.unique(k.nkey[both].astype(np.int64) * n_i + k.pid[both])
    pk, pi = pair // n_i, pair % n_i
    n_per_key = np.bincount(pk, minlength=len(k.nkey_labels) + 1)
    first_id = np.full(len(n_per_key), -1, dtype=np.int64)
    first_id[pk] = pi  # any id will do where the key has one only
    n_ids = np.where(k.nkey >= 0, n_per_key[np.maximum(k.nkey, 0)], 0).astype(np.int32)
    matched = np.where(k.nkey >= 0, first_id[np.maximum(k.nkey, 0)], -1)
    n_pid = len(k.pid_labels)
    product = np.where(has_id, k.pid, np.where(n_ids == 1, matched, -1))
    product = np.where(~has_id & (n_ids == 0) & (k.nkey >= 0), n_pid + k.nkey, product)
    labels = np.concatenate([k.pid_labels, "name:" + k.nkey_labels.astype(object)])
    code, labels = _relabel(product, labels.astype(object))
    return code, labels, n_ids


def _promoted_codes(
    text: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], known: list[str], pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``promoted`` from the file as int8 codes (-1 unknown, 0 no, 1 yes) and the mask of
    unreadable cells, decided once per distinct spelling."""
    n = len(pos)
    if "promoted" in known:
        codes, labels, _ = text["promoted"]
        t = pd.Series(labels, dtype=object).str.lower()
        is_true, is_false = t.isin(_TRUE).to_numpy(), t.isin(_FALSE).to_numpy()
        val = np.where(is_true, 1, np.where(is_false & (t != "").to_numpy(), 0, -1))
        c = codes[pos]
        return val[c].astype(np.int8), (~is_true & ~is_false)[c]
    if "session_id" in known:
        codes, labels, _ = text["session_id"]
        return (labels != "").astype(np.int8)[codes[pos]], np.zeros(n, dtype=bool)
    return np.full(n, -1, dtype=np.int8), np.zeros(n, dtype=bool)


def _session_days(sessions: pd.DataFrame) -> pd.DataFrame:
    """(product_id, channel, date) of every day a session of the calendar overlaps."""
    if sessions.empty:
        return pd.DataFrame({"product_id": [], "channel": [], "date": []})
    first = sessions["start"].dt.normalize().to_numpy()
    last = sessions["end"].dt.normalize().to_numpy()
    # A session that ends at 00:00 did not run on that day.
    ends_midnight = (sessions["end"] == sessions["end"].dt.normalize()).to_numpy()
    last = np.where(ends_midnight & (last > first), last - np.timedelta64(1, "D"), last)
    n_days = ((last - first) // np.timedelta64(1, "D")).astype(np.int64) + 1
    rep = np.repeat(np.arange(len(sessions)), n_days)
    offset = np.arange(n_days.sum()) - np.repeat(np.cumsum(n_days) - n_days, n_days)
    return pd.DataFrame(
        {
            "product_id": sessions["product_id"].to_numpy(dtype=object)[rep],
            "channel": sessions["channel"].to_numpy(dtype=object)[rep],
            "date": first[rep] + offset.astype("timedelta64[D]"),
        }
    ).drop_duplicates()


def clean_observations(
    raw: pd.DataFrame,
    sessions: pd.DataFrame | None = None,
    *,
    second_item_quantity: int | None = None,
    tz: str = "Asia/Shanghai",
    partition: bool = False,
) -> Cleaned:
    """Clean price observations into the daily panel ``prices_daily``.

    Parameters
    ----------
    raw
        Price observations as strings (see the module docstring for the columns).
    sessions
        Optional raw live-session calendar (``live_sessions`` format); when given it sets
        ``promoted``. Its own quarantine belongs to the ``live_sessions`` table; here it
        is only counted in the notes.
    second_item_quantity
        Items a buyer takes under a "第二件半价"-type offer (1 or 2). Unset (default), such
        rows are quarantined: their price per item depends on it.
    tz
        Time zone of the calendar day (times with an offset are converted to it).
    partition
        ``raw`` holds some whole entities of a larger log (chunked and Dask engines, see
        :func:`entity_keys` and :func:`combine`): a part without a usable row gives an
        empty table instead of an error, and the options carry what :func:`combine`
        needs to count products and channels over all parts.

    Returns
    -------
    Cleaned
        :data:`COLUMNS`, one row per product_id, channel and date; quarantine; accounting.
    """
    if second_item_quantity not in (None, 1, 2):
        raise InputError(
            f"second_item_quantity={second_item_quantity!r} is not supported",
            expected="None (refuse such offers), 1 or 2 items bought",
            hint="a 第二件 offer does not say what a third item costs",
        )
    n_in = len(raw)
    df = _headers(raw)
    known = [c for c in ALIASES if c in df.columns]
    n_all = len(df)
    src_all = source_rows(raw).to_numpy()

    keys, text = _keys(df, known)
    times = wall_clock(df["observed_at"], tz)
    t_all = times["value"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    cells = {c: text[c][2] for c in _TEXT if c in known}
    if keys.pack_raw is not None:
        cells["pack"] = keys.pack_raw
    for c in ("list_price", "paid_price", "units_sold"):
        if c in known:
            cells[c] = _raw_codes(df[c])
    # Exact duplicates (every known column equal as read) are dropped and counted. The
    # times are nearly all distinct: rows are first matched on the parsed time (equal
    # cells parse equal), then only the rows that match are compared on the cells.
    ids = _row_ids([cells[c] if c != "observed_at" else _raw_codes(pd.Series(t_all))
                    for c in known], n_all)  # fmt: skip
    maybe = np.flatnonzero(pd.Series(ids).duplicated(keep=False).to_numpy())
    dup = np.zeros(n_all, dtype=bool)
    if len(maybe):
        spelled = _raw_codes(df["observed_at"].iloc[maybe])
        same = _row_ids([pd.factorize(ids[maybe])[0], spelled], len(maybe))
        dup[maybe] = pd.Series(same).duplicated(keep="first").to_numpy()
    del ids, maybe
    text = {c: (v[0], v[1], None) for c, v in text.items()}  # cells as read: done
    cells = {
        c: v for c, v in cells.items() if c in ("paid_price", "list_price", "pack", "units_sold")
    }
    pos = np.flatnonzero(~dup)  # the rows that count, by position in df
    n = len(pos)
    cols = _Rows(df, known, pos)

    def codes(c: str) -> np.ndarray:
        return text[c][0][pos]

    def label(c: str) -> np.ndarray:
        return text[c][1]

    pid = keys.pid[pos]
    no_id = (keys.pid_labels == "")[pid]
    pname_empty = (label("product_name") == "")[codes("product_name")]
    channel = keys.channel[pos]
    ctype = keys.ctype[pos]
    room = keys.room[pos]
    nkey = keys.nkey[pos]
    t_err = times["error"].to_numpy(dtype=object)[pos]
    t_ns = t_all[pos]
    del times, t_all

    # Prices, parsed once per distinct cell combination and spread by codes: list prices
    # per (list, pack); paid prices per (paid, pack) without the list price, and again
    # per (paid, list, pack) for the forms that need it (discounts, second-item offers):
    # parse_price reads the list price for those forms only.
    no_codes = np.zeros(n_all, dtype=np.int8)
    pack_c = cells.get("pack", no_codes)

    def packs(first: np.ndarray) -> pd.DataFrame | None:
        if keys.pack is None:
            return None
        return keys.pack_parsed.iloc[keys.pack[first]].reset_index(drop=True)

    def cells_at(column: str, first: np.ndarray) -> pd.Series:
        return df[column].iloc[first].reset_index(drop=True)

    if "list_price" in known:
        l_code, first = _distinct(_row_ids([cells["list_price"], pack_c], n_all))
        lst = parse_price(cells_at("list_price", first), pack=packs(first))
    else:
        l_code = np.zeros(n_all, dtype=np.int32)
        lst = pd.DataFrame({"value": [np.nan], "price_unit": [None], "error": ["missing"]}).astype(
            {"price_unit": object, "error": object}
        )
    p_code, first = _distinct(_row_ids([cells["paid_price"], pack_c], n_all))
    q = second_item_quantity
    paid = parse_price(cells_at("paid_price", first), pack=packs(first), quantity=q)
    rel = paid["form"].isin(["discount", "second_item"]).to_numpy()[p_code]
    if rel.any():
        at = np.flatnonzero(rel)
        r_code, first = _distinct(
            _row_ids([cells["paid_price"][at], cells.get("list_price", no_codes)[at],
                      pack_c[at]], len(at))
        )  # fmt: skip
        first = at[first]
        with_list = (
            lst.iloc[l_code[first]].reset_index(drop=True) if "list_price" in known else None
        )
        again = parse_price(
            cells_at("paid_price", first), list_price=with_list, pack=packs(first), quantity=q
        )
        p_code[at] = len(paid) + r_code
        paid = pd.concat([paid, again], ignore_index=True)
    combo, l_combo = p_code[pos], l_code[pos]
    del first, p_code, l_code
    keys.pack_raw = None
    # Checks are decided per distinct cell (small arrays) and spread to the rows by code.
    if "units_sold" in known:
        s_inv, s_first = _distinct(cells["units_sold"])
        sold = parse_count(df["units_sold"].iloc[s_first].reset_index(drop=True))
        s_inv = s_inv[pos]
        sold_val = sold["value"].to_numpy(dtype=float)[s_inv]
        s_err = sold["error"].to_numpy(dtype=object)
        sold_bad = (~pd.isna(s_err) & (s_err != "missing"))[s_inv]
        sold_why = _because("units sold not readable", s_err, s_inv)
    else:
        sold_val, sold_bad = np.full(n, np.nan), np.zeros(n, dtype=bool)
        sold_why = "units sold not readable"
    del cells
    promoted, promoted_bad = _promoted_codes(text, known, pos)

    # Alignment over all rows (a duplicate adds no new id-key pair), then the counted ones.
    product, product_labels, n_ids = _align(keys)
    product, n_ids = product[pos], n_ids[pos]

    l_err = lst["error"].to_numpy(dtype=object)
    l_unit = lst["price_unit"].to_numpy(dtype=object)
    p_err = paid["error"].to_numpy(dtype=object)
    p_unit = paid["price_unit"].to_numpy(dtype=object)
    paid_val = paid["value"].to_numpy(dtype=float)[combo]
    list_given = (~pd.isna(l_err) & (l_err != "missing"))[l_combo]
    pack = keys.pack_parsed
    pack_at = keys.pack[pos] if keys.pack is not None else None
    if pack is not None:
        k_err = pack["error"].to_numpy(dtype=object)
        # A pack written but unreadable refuses the row even when the price does not need it.
        pack_bad = (~pd.isna(k_err) & (k_err != "missing"))[pack_at]
        pack_why = _because("pack size not readable", k_err, pack_at)
    else:
        pack_bad, pack_why = np.zeros(n, dtype=bool), "pack size not readable"
    t_bad = ~pd.isna(t_err)
    p_bad_c = ~pd.isna(p_err)
    p_bad = p_bad_c[combo]
    p_detail = p_err.copy()
    p_detail[p_bad_c] = [
        str(e).replace("(not given)", "(set the option second_item_quantity to 1 or 2)")
        for e in p_err[p_bad_c]
    ]
    # list and paid units as codes into one sorted set of unit texts
    unit_set, unit_c = pd.factorize(np.concatenate([p_unit, l_unit]), sort=True)
    pu_c, lu_c = unit_set[: len(p_unit)][combo], unit_set[len(p_unit) :][l_combo]
    unit_differs = (lu_c >= 0) & (lu_c != pu_c)
    del unit_c, lu_c
    problems: list[tuple[np.ndarray, str, Any]] = [
        (no_id & pname_empty, "product_id", "no product_id or product_name"),
        ((keys.channel_labels == "")[channel], "channel", "channel missing (渠道 or 直播间)"),
        (ctype < 0, "channel_type", "channel_type must be live, store or other (直播, 店铺, 其他)"),
        (t_bad, "observed_at", _because("time not readable", t_err)),
        (pack_bad, "pack", pack_why),
        (p_bad, "paid_price", _because("paid price not readable", p_detail, combo)),
        (paid_val == 0, "paid_price", "paid price is 0"),
        (list_given, "list_price", _because("list price not readable", l_err, l_combo)),
        (unit_differs, "list_price", "list and paid price are in different units"),
        (sold_bad, "units_sold", sold_why),
        (promoted_bad, "promoted", "promoted not readable (expected 是/否, yes/no, 1/0)"),
        (
            no_id & (nkey < 0),
            "pack" if pack is not None else "product_name",
            "no product_id, and no name + readable pack size to align by",
        ),
        (
            no_id & (n_ids > 1),
            "product_name",
            "name + brand + pack match several product_ids: cannot align",
        ),
    ]
    parts, bad = cols.quarantine(problems, src_all)

    # One unit per product, one type per channel: the minority rows are refused.
    ok = ~bad
    u_small, u_labels = _unit_codes(p_unit)
    u_codes = u_small[combo]
    n_prod, n_chan = len(product_labels), len(keys.channel_labels)
    unit_best = _mode_codes(np.where(ok, product, -1), u_codes, n_prod)
    unit_mode = np.where(ok, unit_best[np.maximum(product, 0)], -1)
    odd_unit = ok & (u_codes != unit_mode)
    type_best = _mode_codes(np.where(ok, channel, -1), ctype, n_chan)
    type_mode = np.where(ok, type_best[channel], -1) if n else np.zeros(0, np.int64)
    odd_type = ok & (ctype != type_mode)
    u_text = np.append(u_labels, "")
    more, bad2 = cols.quarantine(
        [
            (
                odd_unit,
                "paid_price",
                lambda hit: [
                    f"price per {u} where this product's other rows are per {m}"
                    for u, m in zip(u_text[u_codes[hit]], u_text[unit_mode[hit]], strict=True)
                ],
            ),
            (
                odd_type,
                "channel_type",
                lambda hit: [
                    f"channel_type contradicts the channel's other rows ({t})"
                    for t in np.append(_TYPES, "")[type_mode[hit]]
                ],
            ),
        ],
        src_all,
        bad,
    )
    parts += more
    bad |= bad2
    quarantine = concat_quarantine(parts)
    ok = ~bad
    n_used = int(ok.sum())
    if n_used == 0 and n_in > 0 and not partition:
        top = quarantine["reason"].value_counts().head(3)
        raise InputError(
            "no price observation could be used",
            path=raw.attrs.get("source_path"),
            expected="rows with a product, a channel and its type, a time and a paid price",
            hint="most common problems: " + "; ".join(f"{r} ({n})" for r, n in top.items()),
        )

    # The day's last valid observation (time, then file order), as for followers:
    # one lexsort on integer codes (product and channel codes sort as their texts).
    use = np.flatnonzero(ok)
    t_ns = t_ns[use]
    day = np.floor_divide(t_ns, _DAY_NS)
    srow = src_all[pos][use]
    p_use, c_use = product[use], channel[use]
    cell = _cell_key(p_use, c_use, day)  # product, channel, day as one sortable int64
    order = np.lexsort((srow, t_ns, cell)) if cell is not None else (
        np.lexsort((srow, t_ns, day, c_use, p_use)))  # fmt: skip
    p_s, c_s, d_s = p_use[order], c_use[order], day[order]
    start = np.r_[True, (p_s[1:] != p_s[:-1]) | (c_s[1:] != c_s[:-1]) | (d_s[1:] != d_s[:-1])]
    start = start[: len(order)]  # no used row: no day
    starts = np.flatnonzero(start)
    ends = (np.r_[starts[1:], len(order)] - 1)[: len(starts)]
    n_obs = (ends - starts + 1).astype(np.int64)
    prom = promoted[use][order]
    day_prom = np.maximum.reduceat(prom, starts) if len(starts) else prom[:0]
    pick = use[order[ends]]  # positions (in the counted rows) of the day's values

    # Product attributes: the most frequent non-empty spelling over all its used rows.
    attrs = {}
    for c in ("product_name", "brand", "category"):
        v = codes(c)
        empty = label(c) == ""
        v = np.where(empty[v], -1, v)
        best = _mode_codes(np.where(ok, product, -1), np.where(ok, v, -1), n_prod)
        attrs[c] = _strings(np.append(label(c), ""), best[product[pick]])
    pack_q = pack["quantity"].to_numpy(dtype=float)[pack_at[pick]] if pack is not None else np.nan
    pack_u = (
        pack["base_unit"].to_numpy(dtype=object)[pack_at[pick]]
        if pack is not None
        else np.full(len(pick), None, dtype=object)
    )
    out = pd.DataFrame(
        {
            "product_id": _strings(product_labels, product[pick]),
            "product_name": attrs["product_name"],
            "brand": attrs["brand"],
            "category": attrs["category"],
            "channel": _strings(keys.channel_labels, channel[pick]),
            "channel_type": _strings(_TYPES, ctype[pick]),
            "date": (d_s[starts] * _DAY_NS).astype("datetime64[ns]"),
            "list_unit_price": lst["value"].to_numpy(dtype=float)[l_combo[pick]],
            "paid_unit_price": paid_val[pick],
            "price_unit": _strings(u_labels, u_codes[pick]),
            "pack_quantity": pack_q,
            "pack_unit": pd.Series(pack_u, dtype=object),
            "promoted": pd.arrays.BooleanArray(day_prom == 1, day_prom < 0),
            "n_observations": n_obs,
            "units_sold": sold_val[pick],
            "source_row": src_all[pos][pick].astype(np.int64),
        }
    )
    notes = []
    if sessions is not None:
        cal = clean_sessions(sessions, tz=tz)
        days = _session_days(cal.data)
        p_day = pd.Index(product_labels).get_indexer(days["product_id"].to_numpy(dtype=object))
        date_day = days["date"].to_numpy().astype("datetime64[ns]").astype(np.int64) // _DAY_NS
        out_day = d_s[starts]
        hit = _hits(
            (product[pick], channel[pick], out_day),
            (p_day, pd.Index(keys.channel_labels).get_indexer(days["channel"]), date_day),
        )
        # A calendar names the live room (直播间); a price file with 渠道 and 直播间 has
        # "platform/room" as its channel: match those rows on the room too.
        room_pick = room[pick]
        by_room = _hits(
            (product[pick], room_pick, out_day),
            (p_day, pd.Index(keys.room_labels).get_indexer(days["channel"]), date_day),
        )
        hit |= by_room & (keys.room_labels != "")[room_pick]
        out["promoted"] = pd.array(hit, dtype="boolean")
        notes.append(
            f"promoted from the session calendar: {cal.summary.used_rows} of "
            f"{cal.summary.input_rows} session rows used ({cal.summary.quarantined_rows} "
            "quarantined there)"
        )
    elif "promoted" in known or "session_id" in known:
        notes.append("promoted from the file's promoted/session column")
    else:
        notes.append("promoted unknown (no session calendar, no promoted column)")
    used_products = np.flatnonzero(np.bincount(product[use], minlength=n_prod))
    used_channels = np.flatnonzero(np.bincount(channel[use], minlength=n_chan))
    n_name = int((no_id & ok).sum())
    is_new = np.char.startswith(product_labels.astype(str), "name:") if n_prod else np.zeros(0)
    n_new = int(is_new[product[use]].sum()) if len(use) else 0
    notes += [
        f"{len(used_products)} products x {len(used_channels)} channels; "
        f"{n_name} used rows without product_id aligned by name + brand + pack "
        f"({n_name - n_new} to an existing product_id, {n_new} under a name: key)",
        f"daily value: last valid observation of the day ({tz})",
        f"second_item_quantity={second_item_quantity!r}",
    ]
    summary = RowAccounting(
        dataset="prices_daily",
        input_rows=n_in,
        used_rows=n_used,
        quarantined_rows=len(quarantine),
        duplicate_rows=int(dup.sum()),
        output_rows=len(out),
        notes=tuple(notes),
    )
    options: dict[str, Any] = {"second_item_quantity": second_item_quantity, "tz": tz}
    if partition:  # what combine() needs to count products and channels over all parts
        options[_PARTITION_KEY] = {
            "products": product_labels[used_products].tolist(),
            "channels": keys.channel_labels[used_channels].tolist(),
            "name_rows": n_name,
            "name_keys": n_new,
        }
    return Cleaned(out[COLUMNS], quarantine, summary, options)


_DAY_NS = 86_400 * 10**9
_PARTITION_KEY = "_partition_keys"


def _strings(labels: np.ndarray, codes: np.ndarray) -> pd.Series:
    """Text column ``labels[codes]`` as the "str" dtype, built from the distinct labels."""
    arr = pd.array(np.asarray(labels, dtype=object), dtype="str")
    return pd.Series(arr.take(np.asarray(codes, dtype=np.int64)) if len(arr) else
                     pd.array([], dtype="str"))  # fmt: skip


def _because(
    prefix: str, detail: np.ndarray, at: np.ndarray | None = None
) -> Callable[[np.ndarray], list[str]]:
    """The reason "prefix (detail)", built only for the rows a problem hits (``detail``
    per row, or per distinct cell with each row's code ``at``)."""

    def why(hit: np.ndarray) -> list[str]:
        d = detail[hit] if at is None else detail[at[hit]]
        return [f"{prefix} ({x})" for x in d]

    return why


def _unit_codes(unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Price units as codes in sorted order of their text (None: -1)."""
    codes, uniq = pd.factorize(unit, sort=True)
    return codes.astype(np.int64), np.asarray(uniq, dtype=object)


def _hits(left: tuple[np.ndarray, ...], right: tuple[np.ndarray, ...]) -> np.ndarray:
    """For each row of ``left`` (product, channel, day codes), whether ``right`` has it."""
    if not len(left[0]):
        return np.zeros(0, dtype=bool)
    ok = np.all([r >= 0 for r in right], axis=0) if len(right[0]) else np.zeros(0, bool)
    right = tuple(x[ok] for x in right)
    days = np.concatenate([left[2], right[2]])
    lo = int(days.min())
    n_p = int(max(left[0].max(initial=0), right[0].max(initial=0))) + 1
    n_c = int(max(left[1].max(initial=0), right[1].max(initial=0))) + 1
    n_d = int(days.max()) - lo + 1
    if n_p * n_c * n_d >= 2**62:  # cannot happen with real calendars; the general way
        r = pd.MultiIndex.from_arrays(list(right))
        return pd.MultiIndex.from_arrays(list(left)).isin(r)

    def key(x: tuple[np.ndarray, ...]) -> np.ndarray:
        return (x[0].astype(np.int64) * n_c + x[1]) * n_d + (x[2] - lo)

    return pd.Index(key(left)).isin(key(right))


def _cell_key(product: np.ndarray, channel: np.ndarray, day: np.ndarray) -> np.ndarray | None:
    """(product, channel, day) codes as one int64 that sorts like the three (None when
    the product of their ranges does not fit)."""
    if not len(day):
        return np.zeros(0, dtype=np.int64)
    lo = int(day.min())
    n_c, n_d = int(channel.max()) + 1, int(day.max()) - lo + 1
    if (int(product.max()) + 1) * n_c * n_d >= 2**62:
        return None
    return (product.astype(np.int64) * n_c + channel) * n_d + (day - lo)


class _Rows:
    """The counted rows of ``df`` (``pos``): raw cells by column, and the quarantine."""

    def __init__(self, df: pd.DataFrame, known: list[str], pos: np.ndarray) -> None:
        self.df, self.known, self.pos = df, known, pos

    def quarantine(
        self,
        problems: list[tuple[np.ndarray, str, str | Callable[[np.ndarray], list[str]]]],
        src_all: np.ndarray,
        already: np.ndarray | None = None,
    ) -> tuple[list[pd.DataFrame], np.ndarray]:
        """:func:`lsimpact.contract.first_problems` on position masks: each row is
        quarantined for the first problem that applies to it."""
        bad = np.zeros(len(self.pos), dtype=bool)
        parts = []
        for mask, column, reason in problems:
            hit = mask & ~bad
            if already is not None:
                hit &= ~already
            if hit.any():
                rows = self.pos[hit]
                raw = (
                    self.df[column].iloc[rows]
                    if column in self.known
                    else pd.Series([""] * len(rows), dtype=object)
                )
                why = reason if isinstance(reason, str) else reason(hit)
                parts.append(quarantine_rows(src_all[rows], column, raw, why))
            bad |= hit
        return parts, bad


# --- partitions for the chunked and Dask engines ----------------------------------------


def _row_keys(raw: pd.DataFrame) -> tuple[_Keys, np.ndarray]:
    """The cleaner's own keys (:func:`_keys`) for every row of ``raw``, and each row's
    code into the distinct key combinations."""
    df = _headers(raw)
    known = [c for c in ALIASES if c in df.columns]
    k, _ = _keys(df, known)
    ids = _row_ids([k.pid, k.nkey, k.channel, k.ctype], len(df))
    combo = pd.factorize(ids)[0].astype(np.int64)
    return k, combo


def entity_keys(raw: pd.DataFrame) -> pd.DataFrame:
    """The distinct (product_id, name_key, channel, channel_type) combinations of a batch
    of raw rows, as :func:`clean_observations` normalises them (see :func:`entity_hasher`); ``name_key`` is None without a name + readable pack,
    ``channel_type`` an integer code (-1: not live/store/other)."""
    k, combo = _row_keys(raw)
    _, first = np.unique(combo, return_index=True)
    nkey = np.append(k.nkey_labels, None).astype(object)
    return pd.DataFrame(
        {
            "product_id": k.pid_labels[k.pid[first]].astype(object),
            "name_key": nkey[k.nkey[first]],
            "channel": k.channel_labels[k.channel[first]].astype(object),
            "channel_type": k.ctype[first].astype(np.int64),
        }
    )


class _ComponentHash:
    """Row -> 64-bit hash of its component (see :func:`entity_hasher`); picklable."""

    def __init__(self, nodes: pd.Index, component: np.ndarray, contested: set[str]) -> None:
        self.nodes, self.component, self.contested = nodes, component, contested

    def __call__(self, raw: pd.DataFrame) -> np.ndarray:
        k, combo = _row_keys(raw)
        _, first = np.unique(combo, return_index=True)
        pid = k.pid_labels[k.pid[first]].astype(object)
        nkey = np.append(k.nkey_labels, None).astype(object)[k.nkey[first]]
        chan = k.channel_labels[k.channel[first]].astype(object)
        node = _node(pid, nkey, chan, self.contested)
        at = self.nodes.get_indexer(node)
        label = np.where(at >= 0, self.component[np.maximum(at, 0)], "").astype(object)
        return pd.util.hash_array(label, categorize=False)[combo]


def _node(pid: np.ndarray, nkey: np.ndarray, chan: np.ndarray, contested: set[str]) -> np.ndarray:
    """Each key combination's node: its product_id, else its alignment key, else its
    channel when contested, else none ("")."""
    in_contested = np.array([c in contested for c in chan], dtype=bool)
    has_key = pd.notna(nkey)
    return np.where(
        pid != "",
        "i:" + pid,
        np.where(
            has_key, "k:" + np.where(has_key, nkey, ""), np.where(in_contested, "c:" + chan, "")
        ),
    ).astype(object)


def entity_hasher(keys: pd.DataFrame) -> Callable[[pd.DataFrame], np.ndarray]:
    """From all the key combinations of a log (:func:`entity_keys` of every batch,
    stacked), the function that hashes each raw row to its partition: the connected
    component of product ids, alignment keys and contested channels it belongs to
    (equal hashes for every row that a rule of the cleaner compares with it).

    Notes
    -----
    Most rules look at more than one row, and not all of them at one product:

    * a row without product_id is aligned by name + brand + pack to the product_id that
      has them, so its product is known only from the id rows with the same key; a key
      shared by two ids makes the row ambiguous;
    * the unit check and the product attributes (name, brand, category) look at all the
      used rows of a product, in every channel;
    * the channel_type check looks at all the used rows of a channel, across products;
    * exact duplicates are found among all rows.

    A partition is therefore a *connected component* of a graph whose nodes are product
    ids, alignment keys and the channels whose rows disagree on their type ("contested"):
    a row links its product_id to its alignment key, and its product (id, else key) to its
    channel when that channel is contested. Every rule above then sees all the rows it
    needs inside one partition: a product's rows (with the name-only rows aligned to it
    and the ids sharing a key) are connected through the id and the key; a contested
    channel's rows are all connected through the channel; an uncontested channel has one
    type in all its rows, so its check passes whatever part of it a partition holds;
    exact duplicates have equal keys. Per-row rules and the day's value (per product,
    channel and day) stay inside a product. So each partition's result is exactly the
    whole log's result restricted to the partition's rows, and :func:`combine` only stacks
    them and adds up the counts. The session calendar is small and goes whole to every
    partition (it is matched per product, channel and day).

    The graph needs the whole log: the engines first run :func:`entity_keys` over every
    batch of the input (distinct key combinations only: text work per distinct value,
    cheap next to the cleaning), then :func:`entity_hasher` finds the components and
    returns the hash the rows are partitioned by. In the usual log (channels that agree on
    their type) the components are products; a contested channel joins the products it
    carries into one partition: exact, at the price of a bigger part.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    keys = keys.drop_duplicates(ignore_index=True)
    pid = keys["product_id"].to_numpy(dtype=object)
    nkey = keys["name_key"].to_numpy(dtype=object)
    chan = keys["channel"].to_numpy(dtype=object)
    ctype = keys["channel_type"].to_numpy(dtype=np.int64)
    typed = pd.DataFrame({"c": chan[ctype >= 0], "t": ctype[ctype >= 0]}).drop_duplicates()
    n_types = typed.groupby("c")["t"].size()
    contested = set(n_types.index[n_types.to_numpy() > 1])
    node = _node(pid, nkey, chan, contested)
    id_node = np.where(pid != "", "i:" + pid, "").astype(object)
    has_key = pd.notna(nkey)
    key_node = np.where(has_key, "k:" + np.where(has_key, nkey, ""), "").astype(object)
    ch_node = np.array([("c:" + c) if c in contested else "" for c in chan], dtype=object)
    edges = [(id_node, key_node), (node, ch_node)]
    labels = np.concatenate([node, id_node, key_node, ch_node])
    codes, nodes = pd.factorize(labels[labels != ""], sort=True)
    nodes = pd.Index(np.asarray(nodes, dtype=object))
    src, dst = [], []
    for a, b in edges:
        both = (a != "") & (b != "")
        src.append(nodes.get_indexer(a[both]))
        dst.append(nodes.get_indexer(b[both]))
    s, d = np.concatenate(src).astype(np.int64), np.concatenate(dst).astype(np.int64)
    graph = coo_matrix((np.ones(len(s)), (s, d)), shape=(len(nodes), len(nodes)))
    _, comp = connected_components(graph, directed=False)
    # A component is named by its smallest node (nodes are sorted: the first one seen).
    first = pd.Series(np.arange(len(nodes))).groupby(comp).transform("min").to_numpy()
    component = np.asarray(nodes, dtype=object)[first]
    return _ComponentHash(nodes, component, contested)


def entity_hash(raw: pd.DataFrame) -> np.ndarray:
    """:func:`entity_hasher` of ``raw``'s own keys applied to ``raw``: the partition hash
    of each row when ``raw`` is the whole log (the engines build it from every batch)."""
    return entity_hasher(entity_keys(raw))(raw)


_PRODUCTS_NOTE = "products x "


def combine(parts: list[Cleaned]) -> Cleaned:
    """Cleaned partitions (whole components each, :func:`entity_hasher`) -> the result of
    one :func:`clean_observations` call on the whole log: tables stacked in its order
    (product, channel, date), quarantines by source row, counts added up, products and
    channels counted over the union of the parts."""
    if not parts:
        raise InputError("no price observations to clean", expected="a non-empty price log")
    data = [p.data for p in parts if len(p.data)] or [parts[0].data]
    table = pd.concat(data, ignore_index=True)
    table = table.sort_values(["product_id", "channel", "date"], kind="stable")
    table = table.reset_index(drop=True)
    quarantine = concat_quarantine([p.quarantine for p in parts])
    s = [p.summary for p in parts]
    used = sum(x.used_rows for x in s)
    if used == 0:
        top = quarantine["reason"].value_counts().head(3)
        raise InputError(
            "no price observation could be used",
            expected="rows with a product, a channel and its type, a time and a paid price",
            hint="most common problems: " + "; ".join(f"{r} ({n})" for r, n in top.items()),
        )
    keys = [p.options.get(_PARTITION_KEY, {}) for p in parts]
    products = set().union(*(k.get("products", ()) for k in keys))
    channels = set().union(*(k.get("channels", ()) for k in keys))
    n_name = sum(k.get("name_rows", 0) for k in keys)
    n_new = sum(k.get("name_keys", 0) for k in keys)
    notes = list(s[0].notes)
    at = next(i for i, n in enumerate(notes) if _PRODUCTS_NOTE in n)
    notes[at] = (
        f"{len(products)} products x {len(channels)} channels; "
        f"{n_name} used rows without product_id aligned by name + brand + pack "
        f"({n_name - n_new} to an existing product_id, {n_new} under a name: key)"
    )
    summary = RowAccounting.of_parts(
        "prices_daily",
        s,
        len(quarantine),
        notes=tuple(notes),
    )
    options = {k: v for k, v in parts[0].options.items() if k != _PARTITION_KEY}
    return Cleaned(table, quarantine, summary, options)
