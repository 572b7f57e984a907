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
(paid, list, pack) combination, and rows are grouped and ordered by one stable sort of
a (product, channel, day) code whose order is the order of their texts. Memory is the
limit at scale: columns the reader hands over as categoricals are used through their
own codes, row-length temporaries are dropped as soon as they are used, and the output
is built a column at a time. The chunked and Dask engines run this same function on
partitions that are connected components of products and contested channels
(:func:`entity_keys`, :func:`entity_hasher`, :func:`combine`), which makes their result
equal to the in-memory one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from ..contract import Cleaned, RowAccounting, concat_quarantine, quarantine_rows, source_rows
from ..errors import InputError
from ..io import normalise_headers, release_free_memory
from ..parse import parse_count, parse_pack, parse_price, wall_clock_ns
from . import rules
from .live_sessions import clean_sessions, text_key

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


#: Below this many (group, value) cells, :func:`_mode_codes` counts in a dense table.
_DENSE_MIN = 1 << 16


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
    key = group[keep].astype(np.int64) * nv + value[keep]
    del keep
    if n_groups * nv <= max(len(key), _DENSE_MIN):
        # Few groups x values (units, channel types, brands): one table of counts, whose
        # first maximum per group is the most frequent value, the smallest on ties.
        counts = np.bincount(key, minlength=n_groups * nv).reshape(n_groups, nv)
        has = counts.any(axis=1)
        best[has] = counts.argmax(axis=1)[has]
        return best
    # count the distinct (group, value) pairs by hashing; only they are sorted
    pair_codes, pairs = pd.factorize(key)
    del key
    counts = np.bincount(pair_codes)
    del pair_codes
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
#
# Memory is the limit at scale (a row-length int64 array of a 3M-row log is 23 MiB, the
# log itself about 110 bytes a row): a column is held as the codes of its cells as read,
# which for the reader's categorical columns are its own one- or two-byte codes (no
# copy), and everything per distinct cell (normalised text, parsed pack, price, count)
# is a small table looked up by those codes when a rule needs it. Row-length
# temporaries are dropped as soon as they are used.


def _int_for(n_values: int) -> type[np.signedinteger]:
    """The smallest signed integer type for codes -1 .. ``n_values`` - 1."""
    for t in (np.int8, np.int16, np.int32):
        if n_values <= np.iinfo(t).max:
            return t
    return np.int64


def _relabel(codes: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes into ``labels`` (any order, repeats allowed) -> codes into sorted unique labels
    (-1 stays -1)."""
    new, uniq = pd.factorize(np.asarray(labels, dtype=object), sort=True)
    uniq = np.asarray(uniq, dtype=object)
    if len(codes) == 0 or len(new) == 0:
        return np.full(len(codes), -1, dtype=np.int32), uniq
    # int32 codes: a row-length array is 4 bytes a row
    return np.where(codes >= 0, new.astype(np.int32)[np.maximum(codes, 0)], -1), uniq


def _raw_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the cells as read (equal cells, equal codes; missing -1) and the distinct
    cells they number. A categorical column (the reader's, for a column that repeats)
    already is that: its own codes are used, without a copy."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.array.codes, np.asarray(s.cat.categories, dtype=object)  # a read-only view
    codes, uniq = pd.factorize(s)
    return codes.astype(_int_for(len(uniq))), np.asarray(uniq, dtype=object)


class _Text:
    """A text column normalised with :func:`text_key`, as codes.

    ``raw`` numbers the cells as read (-1: missing); ``lut`` maps a raw code to a code
    into ``labels``, the sorted distinct normalised texts (``lut[-1]``, the missing cell,
    is ""). Row codes are ``lut[raw]``, made only where a rule needs them.
    """

    __slots__ = ("labels", "lut", "raw")

    def __init__(self, raw: np.ndarray, lut: np.ndarray, labels: np.ndarray) -> None:
        self.raw, self.lut, self.labels = raw, lut, labels

    def codes(self, at: np.ndarray | None = None) -> np.ndarray:
        """Codes into ``labels`` of every row, or of the rows at positions ``at``."""
        return self.lut[self.raw if at is None else self.raw[at]]

    def mask(self, of_label: np.ndarray) -> np.ndarray:
        """``of_label`` (one bool per label) for every row."""
        return of_label[self.lut][self.raw]


def _text_codes(s: pd.Series | None, n: int) -> _Text:
    """:func:`text_key` as codes (:class:`_Text`). Missing cells are "" (a label like any
    other); an absent column is all ""."""
    if s is None:
        return _Text(np.zeros(n, dtype=np.int8), np.zeros(1, np.int32), np.array([""], object))
    raw, uniq = _raw_codes(s)
    clean = pd.Series(uniq, dtype="string").astype(str)
    clean = clean.str.normalize("NFKC").str.strip().to_numpy(dtype=object)
    lut, labels = pd.factorize(np.append(clean, "").astype(object), sort=True)
    return _Text(raw, lut.astype(np.int32), np.asarray(labels, dtype=object))


def _pair(a: np.ndarray, b: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (a, b) pairs of non-negative codes, ``b < nb``: (pair code per row, a and
    b of each pair)."""
    nb = max(nb, 1)
    key = a.astype(np.int64) * nb + b
    space = (int(a.max(initial=0)) + 1) * nb
    if space <= max(2 * len(key), _DENSE_MIN):  # the usual few pairs: a table, no hashing
        present = np.bincount(key, minlength=space) > 0
        uniq = np.flatnonzero(present)
        at = (np.cumsum(present) - 1).astype(np.int32)
        return at[key], uniq // nb, uniq % nb
    codes, uniq = pd.factorize(key)
    uniq = np.asarray(uniq, dtype=np.int64)
    return codes.astype(np.int32), uniq // nb, uniq % nb


def _row_ids(raw_codes: list[np.ndarray], n: int) -> np.ndarray:
    """One int64 per row, equal iff the rows are equal in every column (codes as read)."""
    ids = np.zeros(n, dtype=np.int64)
    size = 1
    for c in raw_codes:
        k = int(c.max(initial=-1)) + 2  # -1 (missing) -> 0
        if size * k >= 2**62:  # re-number before the product overflows
            ids = pd.factorize(ids)[0].astype(np.int64)
            size = int(ids.max(initial=0)) + 1
        ids *= k
        ids += c
        ids += 1
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
    pack_raw: np.ndarray | None  # codes of the pack cells as read (None: no pack column)
    pack_lut: np.ndarray | None  # pack_raw code -> row of pack_parsed (:func:`_cells`)
    pack_parsed: pd.DataFrame | None  # parse_pack of each distinct pack cell


def _distinct(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of integer ``codes``: (each row's index into them, the position of
    a row of each). Parsers then run once per distinct cell or combination; which row
    stands for a value does not matter, as the rows with one code have equal cells."""
    n = len(codes)
    if not n:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    lo, hi = int(codes.min()), int(codes.max())
    if hi - lo < 2 * n:
        # Codes of cells and of their combinations span a small range: a table of the
        # values present, no hashing (numbered in order of value).
        at = codes.astype(np.intp)
        at -= lo
        present = np.zeros(hi - lo + 1, dtype=bool)
        present[at] = True
        inv = (np.cumsum(present, dtype=np.int32) - 1)[at]
        del at
        rows = np.empty(int(present.sum()), dtype=np.int64)
        rows[inv] = np.arange(n)
        return inv, rows
    inv = pd.factorize(codes)[0].astype(np.int32)  # numbered in order of first appearance
    top = np.maximum.accumulate(inv)
    return inv, np.flatnonzero(np.r_[True, top[1:] > top[:-1]])


def _cells(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct cells of a column given as raw codes (:func:`_raw_codes`): (``lut``,
    raw code -> index of the distinct cell, -1 for a code no row has, ``lut[-1]`` for
    the missing cell; the position of a row of each distinct cell)."""
    _, first = _distinct(raw)
    lut = np.full(int(raw.max(initial=-1)) + 2, -1, dtype=np.int32)
    lut[raw[first].astype(np.int64)] = np.arange(len(first), dtype=np.int32)
    return lut, first


def _by_code(per_cell: np.ndarray, lut: np.ndarray, fill: Any) -> np.ndarray:
    """``per_cell`` (one value per distinct cell, :func:`_cells`) as a table by raw code:
    ``_by_code(v, lut, fill)[raw]`` is each row's value (``fill`` for codes no row has)."""
    return np.append(per_cell, np.array([fill], dtype=per_cell.dtype))[lut]


def _keys(df: pd.DataFrame, known: list[str]) -> tuple[_Keys, dict[str, _Text]]:
    """Product and channel keys of every row of ``df`` (renamed headers), the text
    columns' codes and the pack sizes (parsed once per distinct cell): the one place they
    are computed, for the cleaner and for the engines' pre-pass (:func:`entity_keys`)."""
    n = len(df)
    text = {c: _text_codes(df[c] if c in known else None, n) for c in _TEXT}
    k = _Keys()
    k.pack_raw = k.pack_lut = k.pack_parsed = None
    if "pack" in known:
        k.pack_raw, _ = _raw_codes(df["pack"])
        k.pack_lut, first = _cells(k.pack_raw)
        k.pack_parsed = parse_pack(df["pack"].iloc[first].reset_index(drop=True))
    pid, chan, room = text["product_id"], text["channel"], text["live_room"]
    k.pid, k.pid_labels = pid.codes(), pid.labels
    # The live room is the channel; with both, "platform/room" keeps rooms apart.
    pc, pa_, pb = _pair(chan.codes(), room.codes(), len(room.labels))
    ch, rm = chan.labels[pa_], room.labels[pb]
    both = np.array([f"{c}/{r}" for c, r in zip(ch, rm, strict=True)], dtype=object)
    labels = np.where(rm == "", ch, np.where(ch == "", rm, both))
    k.channel, k.channel_labels = _relabel(pc, labels)
    del pc
    # channel_type: the vocabulary; blank in a file with a live room column -> live.
    ct = text["channel_type"]
    mapped = pd.Series(ct.labels, dtype=object).str.lower().map(CHANNEL_TYPES)
    t_of_label = pd.Index(_TYPES).get_indexer(mapped.where(mapped.notna(), "?"))
    k.ctype = t_of_label.astype(np.int8)[ct.lut][ct.raw]
    k.ctype[(k.ctype < 0) & ct.mask(ct.labels == "") & room.mask(room.labels != "")] = 0  # live
    # Alignment key: normalised name + brand + pack size, where the name and pack are there.
    k.nkey = np.full(n, -1, dtype=np.int32)
    k.nkey_labels = np.array([], dtype=object)
    if k.pack_raw is not None and n:
        pack = k.pack_parsed
        name, brand = text["product_name"], text["brand"]
        nb, nb_a, nb_b = _pair(name.codes(), brand.codes(), len(brand.labels))
        nb_text = _name_key_text((name.labels[nb_a] + "\x00" + brand.labels[nb_b]).astype(object))
        # "500g", "2000ml", "12item": one spelling per distinct pack cell
        q = pack["quantity"].to_numpy(dtype=float)
        q_text = np.array(["nan" if v != v else f"{v:g}" for v in q], dtype=object)
        base = pack["base_unit"].to_numpy(dtype=object)
        b_text = np.where(pd.isna(base), "", base).astype(object)
        sz_lut, sz_text = _relabel(k.pack_lut, (q_text + b_text).astype(object))
        pack_ok = _by_code(pack["error"].isna().to_numpy(), k.pack_lut, False)[k.pack_raw]
        use = name.mask(name.labels != "") & pack_ok
        del pack_ok
        kc, kc_nb, kc_sz = _pair(nb, sz_lut[k.pack_raw], len(sz_text))
        del nb
        k_text = (nb_text[kc_nb] + "|" + sz_text[kc_sz]).astype(object)
        k.nkey, k.nkey_labels = _relabel(np.where(use, kc, -1), k_text)
        k.nkey_labels = k.nkey_labels if len(k.nkey_labels) else np.array([], dtype=object)
    return k, text


#: Text columns normalised with :func:`text_key` (as codes).
_TEXT = ("product_id", "product_name", "brand", "category", "channel", "live_room",
         "channel_type", "promoted", "session_id")  # fmt: skip


def _align(k: _Keys) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Products: the row's product_id, else the one product_id that has its name + brand +
    pack, else ``name:<key>``. Returns (product code, sorted product labels, whether
    several product_ids share the row's key)."""
    has_id = (k.pid_labels != "")[k.pid]
    n_i = max(len(k.pid_labels), 1)
    both = (k.nkey >= 0) & has_id
    pair = pd.unique(k.nkey[both].astype(np.int64) * n_i + k.pid[both])  # (hashing: no sort)
    del both
    pk, pi = pair // n_i, pair % n_i
    n_per_key = np.append(np.bincount(pk, minlength=len(k.nkey_labels)), 0)  # [-1]: no key
    first_id = np.full(len(n_per_key), -1, dtype=np.int64)
    first_id[pk] = pi  # any id will do where the key has one only
    n_ids = n_per_key[k.nkey]  # nkey -1 (no key): the appended 0
    product = np.where(has_id, k.pid, np.where(n_ids == 1, first_id[k.nkey], -1))
    product = np.where(~has_id & (n_ids == 0) & (k.nkey >= 0), len(k.pid_labels) + k.nkey, product)
    labels = np.concatenate([k.pid_labels, "name:" + k.nkey_labels.astype(object)])
    code, labels = _relabel(product, labels.astype(object))
    return code, labels, n_ids > 1


def _promoted_codes(
    text: dict[str, _Text], known: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``promoted`` from the file as tables by raw code: (int8 value, -1 unknown, 0 no,
    1 yes; unreadable cell; the raw codes), decided once per distinct spelling. None when
    the file has neither a promoted nor a session_id column."""
    if "promoted" in known:
        t = text["promoted"]
        low = pd.Series(t.labels, dtype=object).str.lower()
        is_true, is_false = low.isin(_TRUE).to_numpy(), low.isin(_FALSE).to_numpy()
        val = np.where(is_true, 1, np.where(is_false & (low != "").to_numpy(), 0, -1))
        return val.astype(np.int8)[t.lut], (~is_true & ~is_false)[t.lut], t.raw
    if "session_id" in known:
        t = text["session_id"]
        return (t.labels != "").astype(np.int8)[t.lut], np.zeros(len(t.lut), bool), t.raw
    return None


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


#: Rows of the time column parsed at a time: bounds the parser's temporaries.
_TIME_CHUNK = 250_000


def _times(s: pd.Series, tz: str, threads: bool) -> tuple[np.ndarray, dict[int, str]]:
    """Observation times as int64 nanoseconds of the wall-clock time in ``tz`` (the
    int64 minimum where unreadable) and the parse errors by row position.

    Parsed in chunks with :func:`lsimpact.parse.wall_clock_ns` (the rules of
    :func:`lsimpact.parse.parse_datetime`, whose results are per cell): the times are
    nearly all distinct, and a whole column at once holds several row-length
    temporaries of the parser. With ``threads`` the chunks run in threads (the parser's
    numpy and pyarrow kernels release the GIL), each writing its own slice, as the
    follower cleaner does; the partitioned engines, which call the cleaner once per
    partition, parse in the calling thread, as each call's new threads would keep
    allocator arenas of their own (measured on a 1M-row log, chunked engine: +110 MiB
    at its peak, where in one call on the whole log they lower it).
    """
    n = len(s)
    t_ns = np.empty(n, dtype=np.int64)

    def chunk(lo: int) -> dict[int, str]:
        hi = min(n, lo + _TIME_CHUNK)
        t_ns[lo:hi], err = wall_clock_ns(s.iloc[lo:hi], tz)
        at = np.flatnonzero(pd.notna(err))
        return dict(zip((at + lo).tolist(), err[at].tolist(), strict=True))

    starts = range(0, n, _TIME_CHUNK)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = max(1, min(4, cores or 1, len(starts))) if threads else 1
    errors: dict[int, str] = {}
    if workers == 1:
        for lo in starts:
            errors.update(chunk(lo))
        return t_ns, errors
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(chunk, starts):
            errors.update(part)
    return t_ns, errors


def _duplicates(
    spelled: pd.Series, columns: list[np.ndarray], t_ns: np.ndarray, hashed: int
) -> np.ndarray:
    """Rows equal to an earlier row in every column as read (the first one is kept).

    ``columns`` are the raw codes of the columns other than the time, ``spelled`` the
    time cells and ``t_ns`` their parsed values. Equal cells have equal codes and parse
    to equal times, so exact duplicates are among the rows whose time and first
    ``hashed`` columns (those that tell rows apart: product, channel, price) hash alike;
    only those few candidates are compared on all their codes and time cells. Why: the
    time cells are nearly all distinct, and hashing millions of them costs more than
    parsing them did.
    """
    n = len(t_ns)
    dup = np.zeros(n, dtype=bool)
    if n < 2:
        return dup
    # A 64-bit mix of the columns (wrapping arithmetic): a collision only adds a
    # candidate, which the exact comparison then clears.
    h = t_ns.astype(np.uint64)
    tmp = np.empty(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in columns[:hashed]:
            tmp[:] = col  # -1 (missing) wraps: a value like any other
            h ^= tmp
            h *= np.uint64(0x9E3779B97F4A7C15)
            np.right_shift(h, np.uint64(29), out=tmp)
            h ^= tmp
    del tmp
    cand = rules.repeated_hashes(h)
    del h
    if len(cand):
        sub = pd.DataFrame({i: c[cand] for i, c in enumerate(columns)})
        sub["t"] = pd.factorize(spelled.iloc[cand])[0]
        dup[cand[sub.duplicated(keep="first").to_numpy()]] = True
    return dup


def _error_mask(errors: dict[int, str], n: int) -> np.ndarray:
    """Which of ``n`` rows have an error (``errors`` is keyed by row position)."""
    mask = np.zeros(n, dtype=bool)
    mask[np.fromiter(errors.keys(), dtype=np.int64, count=len(errors))] = True
    return mask


def _source_rows(raw: pd.DataFrame) -> np.ndarray:
    """:func:`lsimpact.contract.source_rows` as an array (int32 where positions fit)."""
    if "source_row" in raw.columns:
        return source_rows(raw).to_numpy()
    n = len(raw)
    return np.arange(2, n + 2, dtype=np.int32 if n < 2**31 - 2 else np.int64)


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
    n = len(df)
    src = _source_rows(raw)

    keys, text = _keys(df, known)
    release_free_memory()  # each step's temporaries: back to the system (see io)
    t_ns, t_err = _times(df["observed_at"], tz, threads=not partition)
    cells = {c: text[c].raw for c in _TEXT if c in known}
    if keys.pack_raw is not None:
        cells["pack"] = keys.pack_raw
    for c in ("list_price", "paid_price", "units_sold"):
        if c in known:
            cells[c] = _raw_codes(df[c])[0]
    # Exact duplicates (every known column equal as read) are dropped and counted: they
    # stay a mask, and every rule below skips them.
    first = [c for c in ("product_id", "product_name", "channel", "paid_price") if c in cells]
    dup = _duplicates(
        df["observed_at"],
        [cells[c] for c in first] + [cells[c] for c in known if c in cells and c not in first],
        t_ns,
        len(first),
    )
    release_free_memory()

    # Prices, parsed once per distinct cell combination and spread by codes: list prices
    # per (list, pack); paid prices per (paid, pack) without the list price, and again
    # per (paid, list, pack) for the forms that need it (discounts, second-item offers):
    # parse_price reads the list price for those forms only.
    no_codes = np.zeros(0 if "pack" in cells and "list_price" in cells else n, np.int8)
    pack_c = cells.get("pack", no_codes)

    def packs(first: np.ndarray) -> pd.DataFrame | None:
        if keys.pack_raw is None:
            return None
        return keys.pack_parsed.iloc[keys.pack_lut[keys.pack_raw[first]]].reset_index(drop=True)

    def cells_at(column: str, first: np.ndarray) -> pd.Series:
        return df[column].iloc[first].reset_index(drop=True)

    if "list_price" in known:
        l_combo, first = _distinct(_row_ids([cells["list_price"], pack_c], n))
        lst = parse_price(cells_at("list_price", first), pack=packs(first))
    else:
        l_combo = np.zeros(n, dtype=np.int32)
        lst = pd.DataFrame({"value": [np.nan], "price_unit": [None], "error": ["missing"]}).astype(
            {"price_unit": object, "error": object}
        )
    combo, first = _distinct(_row_ids([cells["paid_price"], pack_c], n))
    q = second_item_quantity
    paid = parse_price(cells_at("paid_price", first), pack=packs(first), quantity=q)
    rel = paid["form"].isin(["discount", "second_item"]).to_numpy()[combo]
    if rel.any():
        at = np.flatnonzero(rel)
        r_code, first = _distinct(
            _row_ids([cells["paid_price"][at], cells.get("list_price", no_codes)[at],
                      pack_c[at]], len(at))
        )  # fmt: skip
        first = at[first]
        with_list = (
            lst.iloc[l_combo[first]].reset_index(drop=True) if "list_price" in known else None
        )
        again = parse_price(
            cells_at("paid_price", first), list_price=with_list, pack=packs(first), quantity=q
        )
        combo[at] = len(paid) + r_code
        paid = pd.concat([paid, again], ignore_index=True)
        del at, r_code
    del rel, first, no_codes, pack_c
    release_free_memory()
    # Checks are decided per distinct cell (small arrays) and spread to the rows by code.
    if "units_sold" in known:
        s_raw = cells["units_sold"]
        s_lut, s_first = _cells(s_raw)
        sold = parse_count(df["units_sold"].iloc[s_first].reset_index(drop=True))
        s_err = sold["error"].to_numpy(dtype=object)
        s_bad = _by_code(~pd.isna(s_err) & (s_err != "missing"), s_lut, False)
        sold_at = _by_code(sold["value"].to_numpy(dtype=float), s_lut, np.nan)
        s_why = _by_code(s_err, s_lut, None)

        def sold_bad() -> np.ndarray:
            return s_bad[s_raw]

        sold_why: Any = _because("units sold not readable", s_why, s_raw)
    else:
        s_raw = np.zeros(1, dtype=np.int8)  # looked up at the output rows only
        sold_at = np.full(1, np.nan)

        def sold_bad() -> np.ndarray:
            return np.zeros(n, dtype=bool)

        sold_why = "units sold not readable"
    del cells
    promoted = _promoted_codes(text, known)

    # Alignment over all rows (a duplicate adds no new id-key pair).
    product, product_labels, ambiguous = _align(keys)
    no_id = (keys.pid_labels == "")[keys.pid]
    no_key = keys.nkey < 0
    keys.pid = keys.nkey = None  # the product code says it all from here on
    channel, ctype = keys.channel, keys.ctype
    keys.channel = keys.ctype = None  # (held here only, freed when done)
    release_free_memory()

    l_err = lst["error"].to_numpy(dtype=object)
    l_unit = lst["price_unit"].to_numpy(dtype=object)
    p_err = paid["error"].to_numpy(dtype=object)
    p_unit = paid["price_unit"].to_numpy(dtype=object)
    p_value = paid["value"].to_numpy(dtype=float)
    pack = keys.pack_parsed
    if pack is not None:
        k_err = _by_code(pack["error"].to_numpy(dtype=object), keys.pack_lut, None)
        # A pack written but unreadable refuses the row even when the price does not need it.
        k_bad = ~pd.isna(k_err) & (k_err != "missing")

        def pack_bad() -> np.ndarray:
            return k_bad[keys.pack_raw]

        pack_why: Any = _because("pack size not readable", k_err, keys.pack_raw)
    else:

        def pack_bad() -> np.ndarray:
            return np.zeros(n, dtype=bool)

        pack_why = "pack size not readable"
    p_bad_c = ~pd.isna(p_err)
    p_detail = p_err.copy()
    p_detail[p_bad_c] = [
        str(e).replace("(not given)", "(set the option second_item_quantity to 1 or 2)")
        for e in p_err[p_bad_c]
    ]
    # list and paid units as codes into one sorted set of unit texts
    unit_set = pd.factorize(np.concatenate([p_unit, l_unit]), sort=True)[0]
    pu_c, lu_c = unit_set[: len(p_unit)], unit_set[len(p_unit) :]

    def unit_differs(lu_row: np.ndarray, pu_row: np.ndarray) -> np.ndarray:
        lu = lu_c[lu_row]
        return (lu >= 0) & (lu != pu_c[pu_row])

    def time_why(hit: np.ndarray) -> list[str]:
        return [f"time not readable ({t_err[i]})" for i in np.flatnonzero(hit).tolist()]

    # Masks are made one at a time, when their turn comes (functools.partial: the rows'
    # arrays are bound now, and freed with the list).
    pname = text["product_name"]
    l_bad = ~pd.isna(l_err) & (l_err != "missing")
    problems: list[tuple[Any, str, Any]] = [
        (partial(lambda a, t: a & t.mask(t.labels == ""), no_id, pname), "product_id",
         "no product_id or product_name"),
        (partial(lambda c, lab: (lab == "")[c], channel, keys.channel_labels), "channel",
         "channel missing (渠道 or 直播间)"),
        (partial(np.less, ctype, 0), "channel_type",
         "channel_type must be live, store or other (直播, 店铺, 其他)"),
        (partial(_error_mask, t_err, n), "observed_at", time_why),
        (pack_bad, "pack", pack_why),
        (partial(np.take, p_bad_c, combo), "paid_price",
         _because("paid price not readable", p_detail, combo)),
        (partial(np.take, p_value == 0, combo), "paid_price", "paid price is 0"),
        (partial(np.take, l_bad, l_combo), "list_price",
         _because("list price not readable", l_err, l_combo)),
        (partial(unit_differs, l_combo, combo), "list_price",
         "list and paid price are in different units"),
        (sold_bad, "units_sold", sold_why),
        (partial(np.take, promoted[1], promoted[2]) if promoted else np.zeros(n, bool),
         "promoted", "promoted not readable (expected 是/否, yes/no, 1/0)"),
        (partial(np.logical_and, no_id, no_key), "pack" if pack is not None else "product_name",
         "no product_id, and no name + readable pack size to align by"),
        (partial(np.logical_and, no_id, ambiguous), "product_name",
         "name + brand + pack match several product_ids: cannot align"),
    ]  # fmt: skip
    bad = dup.copy()
    parts = _quarantine(df, known, src, problems, bad)
    del no_key, ambiguous, problems
    release_free_memory()

    # One unit per product, one type per channel: the minority rows are refused.
    ok = ~bad
    u_small, u_labels = _unit_codes(p_unit)
    u_codes = u_small.astype(np.int8)[combo]
    n_prod, n_chan = len(product_labels), len(keys.channel_labels)
    in_ok = np.where(ok, product, -1)
    unit_best = _mode_codes(in_ok, u_codes, n_prod)
    del in_ok
    type_best = _mode_codes(np.where(ok, channel, -1), ctype, n_chan)
    any_ok = bool(ok.any())
    # (rows not ok may have no product, code -1: their lookups are masked out)
    odd_unit = ok & (u_codes != unit_best[product]) if any_ok else np.zeros(n, bool)
    odd_type = ok & (ctype != type_best[channel]) if any_ok else np.zeros(n, bool)
    del ok
    u_text = np.append(u_labels, "")
    parts += _quarantine(
        df,
        known,
        src,
        [
            (
                odd_unit,
                "paid_price",
                _reason(
                    "price per {u} where this product's other rows are per {m}",
                    u=(u_text, u_codes),
                    m=(u_text[unit_best], product),
                ),
            ),
            (
                odd_type,
                "channel_type",
                _reason(
                    "channel_type contradicts the channel's other rows ({t})",
                    t=(np.append(_TYPES, "")[type_best], channel),
                ),
            ),
        ],
        bad,
    )
    del odd_unit, odd_type, u_codes
    quarantine = concat_quarantine(parts)
    del parts
    ok = ~bad
    del bad
    n_used = int(ok.sum())
    n_dup = int(dup.sum())
    del dup
    if n_used == 0 and n_in > 0 and not partition:
        top = quarantine["reason"].value_counts().head(3)
        raise InputError(
            "no price observation could be used",
            path=raw.attrs.get("source_path"),
            expected="rows with a product, a channel and its type, a time and a paid price",
            hint="most common problems: " + "; ".join(f"{r} ({n})" for r, n in top.items()),
        )

    # Product attributes: the most frequent non-empty spelling over all its used rows.
    in_ok = np.where(ok, product, -1)
    best_attr = {}
    for c in ("product_name", "brand", "category"):
        t = text[c]
        v = np.where(t.labels == "", -1, np.arange(len(t.labels)))[t.lut].astype(np.int32)
        best_attr[c] = _mode_codes(in_ok, v[t.raw], n_prod)
    del in_ok
    n_name = int((no_id & ok).sum())
    del no_id

    # The day's value: the last valid observation of the day (time, then source row,
    # then file order), as for followers, found per (product, channel, day) cell.
    use = np.flatnonzero(ok)
    del ok
    pick, days, n_obs, prom = _last_of_day(product, channel, t_ns, src, use, promoted)
    del t_ns
    release_free_memory()
    p_use = product[use]
    used_products = np.flatnonzero(np.bincount(p_use, minlength=n_prod))
    is_new = np.char.startswith(product_labels.astype(str), "name:") if n_prod else np.zeros(0)
    n_new = int(is_new[p_use].sum()) if len(use) else 0
    del p_use
    used_channels = np.flatnonzero(np.bincount(channel[use], minlength=n_chan))
    del use
    # The output, a column at a time, each made from the output rows' codes and then
    # the codes dropped: at most one column's temporaries on top of the columns made.
    days *= _DAY_NS  # -> nanoseconds, in place
    cols: dict[str, Any] = {
        "date": days.view("datetime64[ns]"),
        "n_observations": n_obs,
        "source_row": src[pick].astype(np.int64),
        "units_sold": sold_at[s_raw[pick]] if "units_sold" in known else np.full(len(pick), np.nan),
    }
    del days, n_obs, src
    at = l_combo[pick]
    del l_combo
    cols["list_unit_price"] = lst["value"].to_numpy(dtype=float)[at]
    at = combo[pick]
    del combo
    cols["paid_unit_price"] = p_value[at]
    cols["price_unit"] = _strings(u_labels, u_small[at])
    if pack is not None:
        at = keys.pack_lut[keys.pack_raw[pick]]
        cols["pack_quantity"] = pack["quantity"].to_numpy(dtype=float)[at]
        cols["pack_unit"] = pd.Series(pack["base_unit"].to_numpy(dtype=object)[at], dtype=object)
    else:
        cols["pack_quantity"] = np.full(len(pick), np.nan)
        cols["pack_unit"] = pd.Series(np.full(len(pick), None, dtype=object), dtype=object)
    del at
    product_p, channel_p = product[pick], channel[pick]
    cols["channel_type"] = _strings(_TYPES, ctype[pick])
    room_p = text["live_room"].codes(pick)
    del product, channel, ctype, pick
    release_free_memory()
    notes = []
    if sessions is not None:
        hit, note = _calendar_days(
            clean_sessions(sessions, tz=tz),
            (product_labels, product_p),
            (keys.channel_labels, channel_p),
            (text["live_room"].labels, room_p),
            cols["date"],
        )
        cols["promoted"] = pd.array(hit, dtype="boolean")
        notes.append(note)
    else:
        cols["promoted"] = pd.arrays.BooleanArray(prom == 1, prom < 0)
        if "promoted" in known or "session_id" in known:
            notes.append("promoted from the file's promoted/session column")
        else:
            notes.append("promoted unknown (no session calendar, no promoted column)")
    del prom, room_p
    # Text columns last: each one trimmed after (Arrow's take leaves its growing
    # buffers behind in the allocators), so that they do not add up to a peak.
    for c in ("product_name", "brand", "category"):
        cols[c] = _attr(text[c], best_attr[c], product_p)
        release_free_memory()
    cols["product_id"] = _strings(product_labels, product_p)
    del product_p
    cols["channel"] = _strings(keys.channel_labels, channel_p)
    del channel_p
    release_free_memory()
    # one block per column (copy=False): no consolidated copy of the numeric columns
    out = pd.DataFrame({c: cols.pop(c) for c in COLUMNS}, copy=False)
    del cols
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
        duplicate_rows=n_dup,
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
    return Cleaned(out, quarantine, summary, options)


def _stable_order(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` of non-negative int64 ``key``, sorted 16 bits at
    a time from the lowest (numpy sorts 16-bit integers by radix: two or three such
    passes take less time than one comparison sort of 64-bit keys)."""
    digits = max(1, (int(key.max(initial=0)).bit_length() + 15) // 16)
    if digits > 3:
        return np.argsort(key, kind="stable")
    order = np.argsort((key & 0xFFFF).astype(np.uint16), kind="stable")
    for d in range(1, digits):
        part = ((key[order] >> (16 * d)) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(part, kind="stable")]
    return order


def _last_of_day(
    product: np.ndarray,
    channel: np.ndarray,
    t_ns: np.ndarray,
    src: np.ndarray,
    use: np.ndarray,
    promoted: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The day's value of each (product, channel, day) cell of the used rows ``use``:
    its last observation by time, then source row, then file order.

    Returns the row positions of the cells' values, their days (since 1970), the
    number of observations and the day's promoted code (-1 unknown, 0, 1), the cells in
    order of product, channel and day.

    Why not one sort by (cell, time, row): a stable sort by cell alone keeps each
    cell's rows in file order, and the last one is then found with per-cell maxima,
    at a third of the sorting.
    """
    day = np.floor_divide(t_ns[use], _DAY_NS)
    p_use, c_use = product[use], channel[use]
    cell = _cell_key(p_use, c_use, day)
    if cell is not None:
        del p_use, c_use
        order = _stable_order(cell)
        cell = cell[order]
        start = np.r_[True, cell[1:] != cell[:-1]] if len(cell) else np.zeros(0, bool)
        del cell
    else:  # (cannot happen with real calendars) the three keys
        order = np.lexsort((day, c_use, p_use))
        p_s, c_s, d_s = p_use[order], c_use[order], day[order]
        start = np.r_[True, (p_s[1:] != p_s[:-1]) | (c_s[1:] != c_s[:-1])
                      | (d_s[1:] != d_s[:-1])][: len(order)]  # fmt: skip
        del p_s, c_s, d_s, p_use, c_use
    rows = use[order]  # positions of the used rows, cell by cell, in file order
    days = day[order]
    del order, day
    starts = np.flatnonzero(start)
    del start
    if not len(starts):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0, dtype=np.int8)
    n_obs = np.diff(np.append(starts, len(rows))).astype(np.int64)
    # the latest time of each cell, then the latest source row among the rows at it,
    # then the last such row in file order
    t = t_ns[rows]
    last = t == np.repeat(np.maximum.reduceat(t, starts), n_obs)
    del t
    s = np.where(last, src[rows], np.iinfo(src.dtype).min)
    last &= s == np.repeat(np.maximum.reduceat(s, starts), n_obs)
    del s
    at = np.maximum.reduceat(np.where(last, np.arange(len(rows)), -1), starts)
    del last
    pick = rows[at]
    if promoted is None:
        prom = np.full(len(starts), -1, dtype=np.int8)
    else:
        prom = np.maximum.reduceat(promoted[0][promoted[2][rows]], starts)
    return pick, days[starts], n_obs, prom


_DAY_NS = 86_400 * 10**9


_PARTITION_KEY = "_partition_keys"


def _calendar_days(
    cal: Cleaned,
    product: tuple[np.ndarray, np.ndarray],
    channel: tuple[np.ndarray, np.ndarray],
    room: tuple[np.ndarray, np.ndarray],
    date: np.ndarray,
) -> tuple[np.ndarray, str]:
    """``promoted`` of the output rows from the cleaned session calendar: whether a
    session of the row's channel (or live room) that promoted its product overlaps its
    day. ``product``, ``channel`` and ``room`` are (labels, the output rows' codes);
    returns the flags and the note."""
    sdays = _session_days(cal.data)
    p_day = pd.Index(product[0]).get_indexer(sdays["product_id"].to_numpy(dtype=object))
    date_day = sdays["date"].to_numpy().astype("datetime64[ns]").astype(np.int64) // _DAY_NS
    out_day = date.view(np.int64) // _DAY_NS
    hit = _hits(
        (product[1], channel[1], out_day),
        (p_day, pd.Index(channel[0]).get_indexer(sdays["channel"]), date_day),
    )
    # A calendar names the live room (直播间); a price file with 渠道 and 直播间 has
    # "platform/room" as its channel: match those rows on the room too.
    by_room = _hits(
        (product[1], room[1], out_day),
        (p_day, pd.Index(room[0]).get_indexer(sdays["channel"]), date_day),
    )
    hit |= by_room & (room[0] != "")[room[1]]
    note = (
        f"promoted from the session calendar: {cal.summary.used_rows} of "
        f"{cal.summary.input_rows} session rows used ({cal.summary.quarantined_rows} "
        "quarantined there)"
    )
    return hit, note


def _strings(labels: np.ndarray, codes: np.ndarray) -> pd.Series:
    """Text column ``labels[codes]`` as the "str" dtype, built from the distinct labels."""
    arr = pd.array(np.asarray(labels, dtype=object), dtype="str")
    return pd.Series(arr.take(np.asarray(codes, dtype=np.int64)) if len(arr) else
                     pd.array([], dtype="str"))  # fmt: skip


def _attr(text: _Text, best: np.ndarray, product: np.ndarray) -> pd.Series:
    """A product attribute (its most frequent spelling ``best``, -1: none) at the
    output rows' products."""
    return _strings(np.append(text.labels, ""), best[product])


def _because(
    prefix: str, detail: np.ndarray, at: np.ndarray | None = None
) -> Callable[[np.ndarray], list[str]]:
    """The reason "prefix (detail)", built only for the rows a problem hits (``detail``
    per row, or per distinct cell with each row's code ``at``)."""

    def why(hit: np.ndarray) -> list[str]:
        d = detail[hit] if at is None else detail[at[hit]]
        return [f"{prefix} ({x})" for x in d]

    return why


def _reason(
    template: str, **values: tuple[np.ndarray, np.ndarray]
) -> Callable[[np.ndarray], list[str]]:
    """The reason ``template`` filled in for the rows a problem hits, each value given as
    (table, each row's code into it)."""

    def why(hit: np.ndarray) -> list[str]:
        got = {k: table[at[hit]] for k, (table, at) in values.items()}
        return [
            template.format(**dict(zip(got, v, strict=True)))
            for v in zip(*got.values(), strict=True)
        ]

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


def _quarantine(
    df: pd.DataFrame,
    known: list[str],
    src: np.ndarray,
    problems: list[tuple[Any, str, str | Callable[[np.ndarray], list[str]]]],
    bad: np.ndarray,
) -> list[pd.DataFrame]:
    """:func:`lsimpact.contract.first_problems` on row masks: each row not yet ``bad`` is
    quarantined for the first problem that applies to it, and marked in ``bad`` (updated
    in place). A mask may be given as a function that makes it, so that only one
    row-length mask is held at a time."""
    parts = []
    for mask, column, reason in problems:
        hit = (mask() if callable(mask) else mask) & ~bad
        if hit.any():
            rows = np.flatnonzero(hit)
            cells = (
                df[column].iloc[rows]
                if column in known
                else pd.Series([""] * len(rows), dtype=object)
            )
            why = reason if isinstance(reason, str) else reason(hit)
            parts.append(quarantine_rows(src[rows], column, cells, why))
        bad |= hit
    return parts


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
