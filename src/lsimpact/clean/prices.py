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
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..contract import Cleaned, RowAccounting, concat_quarantine, first_problems, source_rows
from ..errors import InputError
from ..io import normalise_headers
from ..parse import parse_count, parse_pack, parse_price
from .live_sessions import clean_sessions, text_key, wall_clock

__all__ = ["ALIASES", "CHANNEL_TYPES", "COLUMNS", "clean_observations", "name_key"]

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
    u = pd.Series(uniq, dtype="string").str.lower()
    u = u.str.replace(r"[\s\-_·・,，.。/\\()（）\[\]【】「」'\"“”‘’!！?？:：;；+*]", "", regex=True)
    u = u.str.replace("\x00", "|", regex=False)
    return pd.Series(u.to_numpy(dtype=object)[codes], index=name.index, dtype=object)


def _mode(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Per row, the most frequent non-empty ``value`` of its group (ties: the smallest).

    Integer codes throughout (one ``np.unique`` over group x value pairs), not a groupby
    of strings: this runs over every used row.
    """
    g_codes, _ = pd.factorize(group)
    valid = pd.notna(value) & (value != "")
    v_codes, v_uniq = pd.factorize(np.where(valid, value, None), sort=True)
    out = np.full(len(group), "", dtype=object)
    keep = valid & (g_codes >= 0)
    if not keep.any():
        return out
    nv = len(v_uniq)
    pairs, counts = np.unique(
        g_codes[keep].astype(np.int64) * nv + v_codes[keep], return_counts=True
    )
    pg, pv = pairs // nv, pairs % nv
    order = np.lexsort((pv, -counts, pg))  # by group, most frequent first, then smallest
    pg, pv = pg[order], pv[order]
    first = np.r_[True, pg[1:] != pg[:-1]]
    best = np.full(g_codes.max() + 1, -1, dtype=np.int64)
    best[pg[first]] = pv[first]
    pick = np.where(g_codes >= 0, best[np.maximum(g_codes, 0)], -1)
    labels = np.append(np.asarray(v_uniq, dtype=object), "")
    return labels[pick]


def _why(prefix: str, detail: pd.Series, mask: pd.Series) -> pd.Series:
    """ "prefix (detail)" on the rows in ``mask`` only (the rest are never shown)."""
    out = pd.Series(None, index=detail.index, dtype=object)
    if mask.any():
        out[mask] = prefix + " (" + detail[mask].astype(str) + ")"
    return out


def _size_text(quantity: pd.Series, base: pd.Series) -> pd.Series:
    """ "500g", "2000ml", "12item": one spelling per size (each distinct size formatted once)."""
    q_codes, q_uniq = pd.factorize(quantity)
    text = pd.Series(q_uniq).map("{:g}".format).to_numpy(dtype=object)
    base = base.astype(object).where(base.notna(), "").to_numpy(dtype=object)
    size = np.append(text, "nan")[q_codes] + base
    return pd.Series(size, index=quantity.index, dtype=object)


def _promoted_column(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """``promoted`` from the file: (value as nullable boolean, unreadable mask)."""
    idx = df.index
    if "promoted" in df.columns:
        t = text_key(df["promoted"]).str.lower()
        val = pd.Series(pd.NA, index=idx, dtype="boolean")
        val[t.isin(_TRUE)] = True
        val[t.isin(_FALSE) & t.ne("")] = False
        bad = ~t.isin(_TRUE) & ~t.isin(_FALSE)
        return val, bad
    if "session_id" in df.columns:
        return text_key(df["session_id"]).ne("").astype("boolean"), pd.Series(False, index=idx)
    return pd.Series(pd.NA, index=idx, dtype="boolean"), pd.Series(False, index=idx)


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
    df = df[known].copy()
    dup = df.duplicated(keep="first").to_numpy()
    # Absent optional columns are empty (the quarantine can then name any column).
    df = df.reindex(columns=list(ALIASES), fill_value="")
    df["source_row"] = source_rows(raw).to_numpy()
    df = df.loc[~dup]
    idx = df.index
    blank = pd.Series("", index=idx, dtype=object)

    def col(name: str) -> pd.Series:
        return text_key(df[name]) if name in known else blank

    pid, pname, brand, category = (
        col(c) for c in ("product_id", "product_name", "brand", "category")
    )
    room, chan = col("live_room"), col("channel")
    # The live room is the channel; with both, "platform/room" keeps rooms apart.
    channel = chan.where(room.eq(""), room.where(chan.eq(""), chan + "/" + room))
    ctype_raw = col("channel_type")
    codes, uniq = pd.factorize(ctype_raw)
    ctype = pd.Series(
        np.append(pd.Series(uniq, dtype=object).str.lower().map(CHANNEL_TYPES), None)[codes],
        index=idx,
        dtype=object,
    )
    ctype = ctype.where(~(ctype.isna() & ctype_raw.eq("") & room.ne("")), "live")

    times = wall_clock(df["observed_at"], tz)
    pack = parse_pack(df["pack"]) if "pack" in known else None
    lst = parse_price(df["list_price"], pack=pack) if "list_price" in known else None
    paid = parse_price(df["paid_price"], list_price=lst, pack=pack, quantity=second_item_quantity)
    if lst is None:
        lst = pd.DataFrame(
            {"value": np.nan, "price_unit": None, "error": "missing"}, index=idx
        ).astype({"price_unit": object, "error": object})
    if "units_sold" in known:
        sold = parse_count(df["units_sold"])
        sold_bad = sold["error"].notna() & sold["error"].ne("missing")
    else:
        sold = pd.DataFrame({"value": np.nan, "error": None}, index=idx)
        sold_bad = pd.Series(False, index=idx)
    promoted, promoted_bad = _promoted_column(df[[c for c in df.columns if c in known]])

    # Alignment: product_id, else name + brand + pack to the one id that has them.
    pack_ok = pack["error"].isna() if pack is not None else pd.Series(False, index=idx)
    size = _size_text(pack["quantity"], pack["base_unit"]) if pack is not None else blank
    nkey = (name_key(pname, brand) + "|" + size.astype(object)).where(pname.ne("") & pack_ok, None)
    # Integer codes for keys and ids: mapping 10^6 strings through dicts is the slow way.
    k_codes, _ = pd.factorize(nkey)
    i_codes, i_uniq = pd.factorize(pid)
    no_id = pid.eq("")
    has_both = (k_codes >= 0) & ~no_id.to_numpy()
    n_i = max(len(i_uniq), 1)
    pair = np.unique(k_codes[has_both].astype(np.int64) * n_i + i_codes[has_both])
    pk, pi = pair // n_i, pair % n_i
    n_per_key = np.bincount(pk, minlength=int(k_codes.max(initial=-1)) + 2)
    first_id = np.full(len(n_per_key), -1, dtype=np.int64)
    first_id[pk] = pi  # any id will do where the key has one only
    n_ids = pd.Series(np.where(k_codes >= 0, n_per_key[k_codes], 0), index=idx)
    matched = np.where(k_codes >= 0, first_id[k_codes], -1)
    one_id = pd.Series(
        np.append(np.asarray(i_uniq, dtype=object), None)[matched], index=idx, dtype=object
    )
    product = pid.where(~no_id, one_id.where(n_ids == 1))
    product = product.where(~(no_id & (n_ids == 0) & nkey.notna()), "name:" + nkey.astype(str))

    list_given = lst["error"].ne("missing") & lst["error"].notna()
    # A pack written but unreadable refuses the row even when the price does not need it.
    pack_bad = (
        pack["error"].notna() & pack["error"].ne("missing")
        if pack is not None
        else pd.Series(False, index=idx)
    )
    t_bad = times["error"].notna()
    p_bad = paid["error"].notna()
    paid_err = paid["error"].str.replace(
        "(not given)", "(set the option second_item_quantity to 1 or 2)", regex=False
    )
    problems = [
        (pid.eq("") & pname.eq(""), "product_id", "no product_id or product_name"),
        (channel.eq(""), "channel", "channel missing (渠道 or 直播间)"),
        (
            ctype.isna(),
            "channel_type",
            "channel_type must be live, store or other (直播, 店铺, 其他)",
        ),
        (t_bad, "observed_at", _why("time not readable", times["error"], t_bad)),
        (
            pack_bad,
            "pack",
            _why("pack size not readable", pack["error"] if pack is not None else blank, pack_bad),
        ),
        (p_bad, "paid_price", _why("paid price not readable", paid_err, p_bad)),
        (paid["value"].eq(0), "paid_price", "paid price is 0"),
        (list_given, "list_price", _why("list price not readable", lst["error"], list_given)),
        (
            lst["price_unit"].notna() & lst["price_unit"].ne(paid["price_unit"]),
            "list_price",
            "list and paid price are in different units",
        ),
        (sold_bad, "units_sold", _why("units sold not readable", sold["error"], sold_bad)),
        (promoted_bad, "promoted", "promoted not readable (expected 是/否, yes/no, 1/0)"),
        (
            no_id & nkey.isna(),
            "pack" if pack is not None else "product_name",
            "no product_id, and no name + readable pack size to align by",
        ),
        (
            no_id & (n_ids > 1),
            "product_name",
            "name + brand + pack match several product_ids: cannot align",
        ),
    ]
    parts, bad = first_problems(df, problems)

    # One unit per product, one type per channel: the minority rows are refused.
    ok = ~bad
    unit_mode = pd.Series(
        _mode(
            product.where(ok, "").to_numpy(object), paid["price_unit"].where(ok).to_numpy(object)
        ),
        index=idx,
    )
    odd_unit = ok & paid["price_unit"].ne(unit_mode)
    type_mode = pd.Series(
        _mode(channel.where(ok, "").to_numpy(object), ctype.where(ok).to_numpy(object)), index=idx
    )
    odd_type = ok & ctype.ne(type_mode)
    more, bad2 = first_problems(
        df,
        [
            (
                odd_unit,
                "paid_price",
                "price per " + paid["price_unit"].astype(str) + " where this product's other "
                "rows are per " + unit_mode.astype(str),
            ),
            (
                odd_type,
                "channel_type",
                "channel_type contradicts the channel's other rows (" + type_mode.astype(str) + ")",
            ),
        ],
    )
    parts += more
    bad |= bad2
    quarantine = concat_quarantine(parts)
    ok = (~bad).to_numpy()
    n_used = int(ok.sum())
    if n_used == 0 and n_in > 0:
        top = quarantine["reason"].value_counts().head(3)
        raise InputError(
            "no price observation could be used",
            path=raw.attrs.get("source_path"),
            expected="rows with a product, a channel and its type, a time and a paid price",
            hint="most common problems: " + "; ".join(f"{r} ({n})" for r, n in top.items()),
        )

    # The day's last valid observation (time, then file order), as for followers.
    obs = pd.DataFrame(
        {
            "product_id": product.to_numpy(object)[ok],
            "channel": channel.to_numpy(object)[ok],
            "t": times["value"].to_numpy()[ok],
            "source_row": df["source_row"].to_numpy("int64")[ok],
            "pos": np.flatnonzero(ok),
        }
    )
    obs["date"] = obs["t"].dt.normalize()
    obs = obs.sort_values(["product_id", "channel", "date", "t", "source_row"], kind="stable")
    key = ["product_id", "channel", "date"]
    n_obs = obs.groupby(key, sort=False)["pos"].transform("size")
    last = ~obs.duplicated(key, keep="last")
    day_promoted = pd.Series(promoted.to_numpy()[obs["pos"]], index=obs.index, dtype="boolean")
    day_promoted = day_promoted.groupby([obs[k] for k in key], sort=False).transform("max")
    pick = obs[last]
    pos = pick["pos"].to_numpy()

    def at(s: pd.Series) -> np.ndarray:
        return s.to_numpy()[pos]

    # Product attributes: the most frequent non-empty spelling over all its used rows.
    prod_used = product.to_numpy(object)[ok]
    attrs = {
        c: pd.Series(_mode(prod_used, s.to_numpy(object)[ok]), index=np.flatnonzero(ok))
        for c, s in (("product_name", pname), ("brand", brand), ("category", category))
    }
    out = pd.DataFrame(
        {
            "product_id": pick["product_id"].to_numpy(object),
            "product_name": attrs["product_name"].reindex(pos).to_numpy(object),
            "brand": attrs["brand"].reindex(pos).to_numpy(object),
            "category": attrs["category"].reindex(pos).to_numpy(object),
            "channel": pick["channel"].to_numpy(object),
            "channel_type": at(ctype).astype(object),
            "date": pick["date"].to_numpy().astype("datetime64[ns]"),
            "list_unit_price": at(lst["value"]).astype(float),
            "paid_unit_price": at(paid["value"]).astype(float),
            "price_unit": at(paid["price_unit"]).astype(object),
            "pack_quantity": at(pack["quantity"]).astype(float) if pack is not None else np.nan,
            "pack_unit": at(pack["base_unit"]).astype(object) if pack is not None else None,
            "promoted": pd.array(day_promoted[last].to_numpy(), dtype="boolean"),
            "n_observations": n_obs[last].to_numpy("int64"),
            "units_sold": at(sold["value"]).astype(float),
            "source_row": pick["source_row"].to_numpy("int64"),
        }
    )
    out["pack_unit"] = out["pack_unit"].astype(object)
    notes = []
    if sessions is not None:
        cal = clean_sessions(sessions, tz=tz)
        days = _session_days(cal.data).assign(hit=True)
        key = ["product_id", "channel", "date"]
        hit = out[key].merge(days, on=key, how="left")["hit"].notna().to_numpy()
        # A calendar names the live room (直播间); a price file with 渠道 and 直播间 has
        # "platform/room" as its channel: match those rows on the room too.
        by_room = out[key].assign(channel=at(room)).merge(days, on=key, how="left")["hit"]
        hit = hit | (by_room.notna().to_numpy() & (at(room) != ""))
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
    out = out.sort_values(["product_id", "channel", "date"], kind="stable").reset_index(drop=True)
    text = ["product_id", "product_name", "brand", "category", "channel", "channel_type"]
    out[[*text, "price_unit"]] = out[[*text, "price_unit"]].astype("str")  # also when empty
    n_name = int((no_id.to_numpy() & ok).sum())
    n_new = int(pd.Series(product.to_numpy(object)[ok]).str.startswith("name:").sum())
    notes += [
        f"{out['product_id'].nunique()} products x {out['channel'].nunique()} channels; "
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
    return Cleaned(
        out[COLUMNS],
        quarantine,
        summary,
        {"second_item_quantity": second_item_quantity, "tz": tz},
    )
