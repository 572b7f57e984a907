"""Seeded generator of a price panel across channels, live sessions, purchases and quotes.

One simulation (:func:`simulate`) makes four raw files that belong together, each also
available on its own under the name of the dataset it feeds:

- :func:`prices_daily` -> ``prices_observations.csv``: a researcher's scraped price log,
  one row per product x channel x observation time, written the way live rooms and shops
  write prices (``¥88``, ``88元``, ``44.5元/斤``, packs ``400g*2``, ``２袋×500g``);
- :func:`live_sessions` -> ``live_sessions.csv``: the calendar of live sessions
  (``session_id, channel, start, end, product_id``);
- :func:`purchases` -> ``purchases.csv``: purchases with timestamps (for price protection);
- :func:`wholesale_prices` -> ``wholesale_quotes.csv``: daily agricultural wholesale
  quotes in the public format ``品名, 最低价, 平均价, 最高价, 规格, 产地, 单位, 发布日期``.

The latent model
----------------
Products ``i`` (categories fresh food, packaged food, beauty, household) are sold in up to
four channels ``c``: two live rooms (``鲜选直播间``, the "top" room, and ``好物直播间``), the
brand's regular store (``品牌旗舰店``) and another platform's store (``综合电商自营``). The
log paid price of a pack on day ``d`` is::

    log p[i, c, d] = b[i] + o[i, c] + r[i, c, d] + s[cat(i), d] + tau[i, c, d]

with ``b`` the product's base (store list) price, ``o`` a channel offset (0 in the store,
about -2 % on the other platform, about +1 % in a live room's shop window outside
sessions), ``r`` piecewise-constant coupon regimes (they change every two weeks or so,
store-wide sales on Double 11 and Double 12), ``s`` a small seasonal term for fresh food
before the Spring Festival, and ``tau`` the promotion effect. Each promoted live series
(product x live room) has one promotion: a live session on day ``d0`` at which the paid
price is cut by ``delta = -log(1 - cut)`` log points (for the session day only: the
promotion ends when the session ends), after which::

    tau[i, c, d0 + h] = -delta * (pi + (1 - pi) * exp(-h / tau_decay)),   h >= 1

so ``pi[category]`` is the share of the cut (in log points) that persists for good and
``pi + (1 - pi) * exp(-h / tau_decay)`` the share still in place ``h`` days after the
promotion ends (recorded as ``persistence_7d`` / ``persistence_30d`` in the truth).

Calibration (``data/raw/published_figures.csv``) and where there is none
--------------------------------------------------------------------------
- The frozen-shrimp product ``P0001`` is listed at 128 yuan and sold at 88 yuan in a live
  session of the top room on 2023-12-16 (a 31.25 % cut), the Economic Daily example
  (``product_price_regular`` / ``product_price_discounted``, 2023-12); its pack (1 kg) is
  not in the source and is an assumption.
- Session cuts in the top room are drawn from 30-60 %, Bain's usual discount range of top
  livestreams against the Tmall price (``livestream_discount_vs_tmall_price_low/high``);
  the second room's 10-35 % is NOT calibrated (an assumption for a mid-tier room).
- Wholesale shrimp (南美白虾) quotes average about 31-33 yuan per 斤 (62-66 yuan/kg) in
  December 2023, just above the published farm-gate price of size-60 vannamei in
  Guangdong (57-60 yuan/kg, ``shrimp_price_farmgate_vannamei_60count``); the wholesale
  premium over farm-gate is an assumption. Aquatic quotes rise 0.9 % over December 2023
  (``nbs_cpi_aquatic_products_mom``). Other wholesale groups' levels are NOT calibrated
  (typical magnitudes chosen by the author).
- Category price levels, channel offsets, coupon regimes, persistence parameters,
  purchase volumes and the scraper's coverage are NOT calibrated: no published figure
  exists; they are chosen to make the analyses non-trivial and are recorded in the truth.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CHANNELS",
    "OBSERVATION_COLUMNS",
    "PURCHASE_COLUMNS",
    "SESSION_COLUMNS",
    "WHOLESALE_COLUMNS",
    "live_sessions",
    "prices_daily",
    "purchases",
    "simulate",
    "wholesale_prices",
]

#: Columns of the raw observation log (the issue's English headers).
OBSERVATION_COLUMNS = [
    "product_id",
    "product_name",
    "brand",
    "category",
    "channel",
    "channel_type",
    "observed_at",
    "list_price",
    "paid_price",
    "pack",
    "units_sold",
]
SESSION_COLUMNS = ["session_id", "channel", "start", "end", "product_id"]
PURCHASE_COLUMNS = [
    "purchase_id",
    "buyer_id",
    "product_id",
    "channel",
    "purchased_at",
    "paid_price",
    "quantity",
]
WHOLESALE_COLUMNS = ["品名", "最低价", "平均价", "最高价", "规格", "产地", "单位", "发布日期"]

#: (channel name, channel type, share of products it carries)
CHANNELS = [
    ("鲜选直播间", "live", 0.55),
    ("好物直播间", "live", 0.45),
    ("品牌旗舰店", "store", 1.0),
    ("综合电商自营", "other", 0.7),
]
_LIVE = np.array([t == "live" for _, t, _ in CHANNELS])
_STORE = 2

CATEGORIES = ["fresh food", "packaged food", "beauty", "household"]

# Products by category: (item name, packs as written, quantity, base unit, yuan per base
# unit of the store list price: per kg, litre or item). Fresh items are named after the
# wholesale group they belong to (the markup analysis matches on the name).
_ITEMS: dict[str, list[tuple[str, list[tuple[str, float, str]], float]]] = {
    "fresh food": [
        ("南美白虾", [("500g*2", 1000, "g"), ("1.5kg", 1500, "g"), ("2斤", 1000, "g")], 125.0),
        ("带鱼段", [("1kg", 1000, "g"), ("400g×2袋", 800, "g")], 90.0),
        ("牛腩块", [("1公斤", 1000, "g"), ("500g", 500, "g")], 150.0),
        ("鸡胸肉", [("1kg", 1000, "g"), ("2袋×500g", 1000, "g")], 30.0),
        ("车厘子", [("2斤", 1000, "g"), ("净含量1.5kg", 1500, "g")], 110.0),
        ("苹果", [("5斤", 2500, "g"), ("净含量2.5kg", 2500, "g")], 14.0),
        ("橙子", [("5斤", 2500, "g"), ("3kg", 3000, "g")], 12.0),
        ("三文鱼", [("250克", 250, "g"), ("500g", 500, "g")], 260.0),
        ("大闸蟹", [("8只装", 8, "item"), ("6只装", 6, "item")], 55.0),
    ],
    "packaged food": [
        ("每日坚果", [("750g", 750, "g"), ("25g*30", 750, "g")], 120.0),
        ("纯牛奶", [("250ml*12", 3000, "ml"), ("1L", 1000, "ml")], 22.0),
        ("燕麦片", [("1kg", 1000, "g"), ("净含量1.2kg", 1200, "g")], 35.0),
        ("挂面", [("1kg", 1000, "g"), ("500g×2袋", 1000, "g")], 16.0),
        ("食用油", [("5L", 5000, "ml"), ("1.8L", 1800, "ml")], 22.0),
        ("咖啡豆", [("500g", 500, "g"), ("3两", 150, "g")], 160.0),
        ("酸奶", [("200ml*10", 2000, "ml"), ("500毫升*6瓶", 3000, "ml")], 18.0),
    ],
    "beauty": [
        ("精华液", [("50ml", 50, "ml"), ("30ml", 30, "ml")], 9000.0),
        ("面霜", [("50g", 50, "g"), ("30g", 30, "g")], 6000.0),
        ("面膜", [("3盒", 3, "item"), ("5盒", 5, "item")], 70.0),
        ("洗面奶", [("120g", 120, "g"), ("150g", 150, "g")], 700.0),
        ("防晒霜", [("50ml", 50, "ml"), ("100毫升", 100, "ml")], 3000.0),
    ],
    "household": [
        ("洗衣液", [("3kg", 3000, "g"), ("2kg", 2000, "g")], 18.0),
        ("洗洁精", [("1.5kg", 1500, "g"), ("500g*2", 1000, "g")], 12.0),
        ("牙膏", [("120g*3", 360, "g"), ("180g", 180, "g")], 150.0),
        ("垃圾袋", [("12只装", 12, "item"), ("3盒", 3, "item")], 3.0),
        ("洗发水", [("750ml", 750, "ml"), ("1L", 1000, "ml")], 80.0),
    ],
}
_VARIANTS = ["", "家庭装", "精选", "特惠装", "礼盒", "经典款", "升级款", "加量装"]
_BRANDS = {
    "fresh food": ["海之鲜", "鲜丰农庄", "大洋渔获", "牧场优选", "果园直供", "湛江渔港"],
    "packaged food": ["谷物坊", "牧场优选", "百味堂", "晨光", "香满园"],
    "beauty": ["花颜", "水之蓝", "雪肌", "青禾", "若溪"],
    "household": ["洁宝", "家净", "绿叶", "清风", "蓝月"],
}

# Wholesale groups: (品名, unit as written, yuan per unit in Dec 2023, specs, origins).
_WHOLESALE = [
    ("南美白虾", "斤", 32.0, ["40-50头", "冰鲜", "活", ""], ["广东湛江", "海南文昌", "广西北海"]),
    ("带鱼", "斤", 24.0, ["冰鲜", "3指", ""], ["浙江舟山", "福建宁德"]),
    ("牛腩", "公斤", 72.0, ["", "冻品"], ["内蒙古", "山东"]),
    ("鸡胸肉", "斤", 8.5, ["冻品", ""], ["山东", "河南"]),
    ("车厘子", "斤", 45.0, ["JJ级", "J级", ""], ["智利", "山东烟台"]),
    ("苹果", "斤", 4.2, ["80#", "红富士", ""], ["陕西", "山东烟台"]),
    ("橙子", "斤", 3.8, ["脐橙", ""], ["江西赣州", "湖北秭归"]),
    ("三文鱼", "公斤", 115.0, ["冰鲜", ""], ["挪威", "青海"]),
    ("大闸蟹", "只", 24.0, ["公3.5两", "母2.5两", ""], ["江苏", "安徽"]),
]
# Store list price per kg / item over the wholesale average per kg / item (NOT calibrated).
_WHOLESALE_PER_KG = {n: (p * 2 if u == "斤" else p) for n, u, p, *_ in _WHOLESALE}
_FRESH_GROUP = {
    "南美白虾": "南美白虾",
    "带鱼段": "带鱼",
    "牛腩块": "牛腩",
    "鸡胸肉": "鸡胸肉",
    "车厘子": "车厘子",
    "苹果": "苹果",
    "橙子": "橙子",
    "三文鱼": "三文鱼",
    "大闸蟹": "大闸蟹",
}

_FULLWIDTH = str.maketrans("0123456789gmlkL*", "０１２３４５６７８９ｇｍｌｋＬ＊")


def _regimes(
    rng: np.random.Generator, n: int, t: int, rate: float, levels: np.ndarray
) -> np.ndarray:
    """Piecewise-constant coupon regimes (n series x t days), vectorised.

    A new coupon level starts on a day with probability ``rate``; the level holds until
    the next change (prices are sticky, as shops' are).
    """
    change = rng.random((n, t)) < rate
    change[:, 0] = True
    draws = rng.choice(levels, size=(n, t))
    # index of the last change at or before each day: running maximum of change positions
    pos = np.where(change, np.arange(t)[None, :], 0)
    last = np.maximum.accumulate(pos, axis=1)
    return np.take_along_axis(draws, last, axis=1)


def _round_price(p: np.ndarray) -> np.ndarray:
    """Shop prices: 0.1 yuan below 100 yuan, whole yuan above (0.9 endings are not modelled)."""
    return np.where(p < 100, np.round(p, 1), np.round(p))


def _fmt(v: np.ndarray, fmt: str) -> np.ndarray:
    """``fmt.format(x)`` for each float of ``v``, formatted once per distinct value (prices
    are rounded: a log of millions of rows has a few thousand). Values are matched on
    their bits, so the text is exactly what formatting each one gives."""
    v = np.ascontiguousarray(v, dtype=np.float64)
    codes, uniq = pd.factorize(v.view(np.int64))
    text = np.array([fmt.format(x) for x in np.asarray(uniq, dtype=np.int64).view(np.float64)],
                    dtype=object)  # fmt: skip
    return text[codes] if len(text) else np.array([], dtype=object)


def _fmt_money(v: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Money as written: plain, ``¥88``, ``88元``, ``￥88.00`` (by ``kind`` 0..3)."""
    plain = _fmt(v, "{:g}")
    out = plain.copy()
    out[kind == 1] = "¥" + plain[kind == 1]
    out[kind == 2] = plain[kind == 2] + "元"
    two = _fmt(v[kind == 3], "{:.2f}")
    out[kind == 3] = "￥" + two
    return out


def _fmt_time(t: pd.DatetimeIndex | pd.Series, kind: np.ndarray) -> np.ndarray:
    """Beijing wall times, mostly ``2023-12-16 20:31:05``; some ``2023/12/16 20:31``,
    some ISO with ``+08:00`` and some in UTC with ``Z`` (the same instant)."""
    t = pd.DatetimeIndex(t)
    out = np.asarray(t.strftime("%Y-%m-%d %H:%M:%S"), dtype=object)
    m = kind == 1
    out[m] = np.asarray(t[m].strftime("%Y/%m/%d %H:%M"), dtype=object)
    m = kind == 2
    out[m] = np.asarray(t[m].strftime("%Y-%m-%dT%H:%M:%S+08:00"), dtype=object)
    m = kind == 3
    utc = t[m] - pd.Timedelta(hours=8)
    out[m] = np.asarray(utc.strftime("%Y-%m-%dT%H:%M:%SZ"), dtype=object)
    return out


def _products(rng: np.random.Generator, n_products: int, shares: dict[str, float]) -> pd.DataFrame:
    """The product table (id, name, brand, category, pack, quantity, base unit, base price)."""
    cats = list(shares)
    w = np.array([shares[c] for c in cats], dtype=float)
    counts = np.floor(w / w.sum() * n_products).astype(int)
    counts[0] += n_products - counts.sum()
    rows = []
    for cat, k in zip(cats, counts, strict=True):
        items = _ITEMS[cat]
        item_idx = np.arange(k) % len(items)
        rng.shuffle(item_idx)
        for j in item_idx:
            name, packs, per_unit = items[j]
            pk = packs[rng.integers(len(packs))]
            rows.append(
                {
                    "item": name,
                    "variant": _VARIANTS[rng.integers(len(_VARIANTS))],
                    "brand": _BRANDS[cat][rng.integers(len(_BRANDS[cat]))],
                    "category": cat,
                    "pack": pk[0],
                    "quantity": float(pk[1]),
                    "base_unit": pk[2],
                    "per_unit": per_unit,
                }
            )
    p = pd.DataFrame(rows)
    # Product 1 is the published frozen-shrimp example (listed 128, sold 88 in a session).
    shrimp = {
        "item": "南美白虾",
        "variant": "冻虾 大号",
        "brand": "海之鲜",
        "category": "fresh food",
        "pack": "500g*2",
        "quantity": 1000.0,
        "base_unit": "g",
        "per_unit": 128.0,
    }
    fresh_rows = np.flatnonzero(p["category"] == "fresh food")
    first_fresh = int(fresh_rows[0]) if len(fresh_rows) else 0  # (no fresh food: row 0)
    p.loc[first_fresh] = pd.Series(shrimp)
    p = pd.concat([p.loc[[first_fresh]], p.drop(index=first_fresh)], ignore_index=True)
    # unique name + brand + pack size (packs compare by quantity: 5斤 is 2.5kg): number
    # the repeats ("款2"), so a row without product id can be aligned
    p["product_name"] = (p["item"] + " " + p["variant"]).str.strip()
    rep = p.groupby(["product_name", "brand", "quantity", "base_unit"]).cumcount()
    p.loc[rep > 0, "product_name"] = p["product_name"] + " 款" + (rep + 1).astype(str)
    p["product_id"] = [f"P{i + 1:04d}" for i in range(len(p))]
    # base price: per-unit level x quantity x a product factor (brands differ)
    per = np.where(p["base_unit"] == "item", p["quantity"], p["quantity"] / 1000.0)
    factor = np.exp(rng.normal(0.0, 0.25, len(p)))
    factor[0] = 1.0
    p["base_price"] = p["per_unit"].to_numpy() * per * factor
    p.loc[0, "base_price"] = 128.0
    return p


@lru_cache(maxsize=4)
def _simulate_cached(key: tuple) -> dict[str, Any]:
    return _simulate(**dict(key))


def simulate(
    seed: int = 20231216,
    *,
    n_products: int = 220,
    start: str = "2023-09-01",
    n_days: int = 182,
    category_shares: dict[str, float] | None = None,
    persistence: dict[str, float] | None = None,
    tau_decay: float = 2.0,
    cut_top: tuple[float, float] = (0.30, 0.60),
    cut_second: tuple[float, float] = (0.10, 0.35),
    promoted_share: float = 0.7,
    coverage: float = 0.3,
    channel_coverage: float = 0.85,
    n_purchases: int = 15_000,
    messy: bool = True,
    raw: bool = True,
) -> dict[str, Any]:
    """Run the whole simulation once; every raw file and the latent panel.

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``; the same arguments give the same bytes.
    n_products, start, n_days
        Products, first day and length of the window (at least 60 days).
    category_shares
        Share of products by category (default fresh 0.3, packaged 0.3, beauty 0.2,
        household 0.2); keys from :data:`CATEGORIES`.
    persistence
        ``pi`` by category: the share of a promotional cut that persists for good (default
        fresh food 0, packaged food 0.35, beauty 0, household 0.6).
    tau_decay
        Days over which the transitory part of the cut decays (e-folding).
    cut_top, cut_second
        Ranges of the session cut (share of the pre-session price) in the two live rooms.
    promoted_share
        Share of live series (product x live room) with a promotion in the window.
    coverage, channel_coverage
        Probability that the scraper visits a product on a day, and that it then records
        each channel carrying it (a live room in session is always recorded).
    n_purchases
        Purchases to draw (half during sessions).
    messy
        False writes every price and time in one plain form (no bad rows, no duplicates).
    raw
        False skips writing the raw observation strings (``observations`` is None): the
        latent panel alone, fast, for Monte Carlo studies.

    Returns
    -------
    dict
        ``observations``, ``sessions``, ``purchases``, ``wholesale`` (raw frames, all
        strings), ``panel`` (the latent daily paid and list prices of every observed
        product x channel x day, with ``paid_unit_price`` per kg / litre / item),
        ``products`` and ``truth`` (JSON-safe).
    """
    key = tuple(
        sorted(
            {
                "seed": seed,
                "n_products": n_products,
                "start": start,
                "n_days": n_days,
                "category_shares": tuple(sorted((category_shares or {}).items())),
                "persistence": tuple(sorted((persistence or {}).items())),
                "tau_decay": tau_decay,
                "cut_top": tuple(cut_top),
                "cut_second": tuple(cut_second),
                "promoted_share": promoted_share,
                "coverage": coverage,
                "channel_coverage": channel_coverage,
                "n_purchases": n_purchases,
                "messy": messy,
                "raw": raw,
            }.items()
        )
    )
    out = _simulate_cached(key)
    # callers may modify what they get: hand out copies of the cached run
    return {
        k: (v.copy() if isinstance(v, pd.DataFrame) else copy.deepcopy(v)) for k, v in out.items()
    }


def _simulate(
    seed: int,
    n_products: int,
    start: str,
    n_days: int,
    category_shares: tuple,
    persistence: tuple,
    tau_decay: float,
    cut_top: tuple[float, float],
    cut_second: tuple[float, float],
    promoted_share: float,
    coverage: float,
    channel_coverage: float,
    n_purchases: int,
    messy: bool,
    raw: bool,
) -> dict[str, Any]:
    shares = dict(category_shares) or {
        "fresh food": 0.3,
        "packaged food": 0.3,
        "beauty": 0.2,
        "household": 0.2,
    }
    pers = {"fresh food": 0.0, "packaged food": 0.35, "beauty": 0.0, "household": 0.6}
    pers.update(dict(persistence))
    unknown = (set(shares) | set(pers)) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories {sorted(unknown)}; expected {CATEGORIES}")
    if n_days < 60 or n_products < 10:
        raise ValueError("need at least 60 days and 10 products")
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=n_days, freq="D")
    prod = _products(rng, n_products, shares)
    n_p, n_c, n_t = len(prod), len(CHANNELS), n_days
    cat_code = pd.Categorical(prod["category"], categories=CATEGORIES).codes
    is_shrimp = np.zeros(n_p, dtype=bool)
    is_shrimp[0] = True

    # --- which channels carry which product --------------------------------------------
    carried = rng.random((n_p, n_c)) < np.array([s for *_, s in CHANNELS])[None, :]
    carried[:, _STORE] = True
    no_live = ~carried[:, _LIVE].any(axis=1)
    # most products have a live room; 10 % are store/platform only
    give = no_live & (rng.random(n_p) < 0.9)
    carried[give, rng.integers(0, 2, n_p)[give]] = True
    carried[0, :] = True  # the shrimp is everywhere

    # --- latent log prices (n_p x n_c x n_t) ---------------------------------------------
    b = np.log(prod["base_price"].to_numpy())
    offset = np.zeros((n_p, n_c))
    offset[:, 0] = rng.normal(0.01, 0.03, n_p)
    offset[:, 1] = rng.normal(0.01, 0.03, n_p)
    offset[:, 3] = rng.normal(-0.02, 0.05, n_p)
    offset[0, :] = [0.0, 0.0, 0.0, 0.02]
    coupon = np.zeros((n_p, n_c, n_t))
    lv_store = -np.log1p(-np.array([0.0, 0.0, 0.03, 0.05, 0.08, 0.10]))
    lv_live = -np.log1p(-np.array([0.0, 0.0, 0.0, 0.02, 0.05]))
    for c in range(n_c):  # 4 channels
        levels = lv_live if _LIVE[c] else lv_store
        coupon[:, c, :] = -_regimes(rng, n_p, n_t, 1 / 14, levels)
    # store-wide sales: Double 11 (11-01..11-11) and Double 12 (12-10..12-12) in the store
    # and on the other platform, for 60 % of products
    d11 = (dates >= "2023-11-01") & (dates <= "2023-11-11")
    d12 = (dates >= "2023-12-10") & (dates <= "2023-12-12")
    joins = rng.random(n_p) < 0.6
    joins[0] = False
    depth = -np.log1p(-rng.uniform(0.10, 0.20, n_p))
    for c in (2, 3):
        coupon[:, c, :] -= (joins * depth)[:, None] * (d11 | d12)[None, :]
    coupon[0, :2, :] = 0.0  # the shrimp's live price is 128 outside sessions
    coupon[0, _STORE, :] = 0.0
    # fresh food dearer before the Spring Festival (2024-02-10): common across channels
    season = np.clip((dates - pd.Timestamp("2024-01-10")).days.to_numpy() / 30.0, 0, 1) * 0.03
    fresh = prod["category"].to_numpy() == "fresh food"
    # other platform: small daily repricing on top of its regimes
    noise = np.zeros((n_p, n_c, n_t))
    noise[:, 3, :] = rng.normal(0.0, 0.01, (n_p, n_t))
    logp = (
        b[:, None, None]
        + offset[:, :, None]
        + coupon
        + (fresh[:, None] * season[None, :])[:, None, :]
        + noise
    )

    # --- promotions: one per promoted live series ----------------------------------------
    live_idx = np.flatnonzero(_LIVE)
    series = [(i, c) for c in live_idx for i in np.flatnonzero(carried[:, c])]
    s_prod = np.array([i for i, _ in series])
    s_chan = np.array([c for _, c in series])
    promoted = rng.random(len(series)) < promoted_share
    # start days: uniform over [21, n_t - 40], a cluster around Double 11 (11-08..11-11)
    lo_d, hi_d = 21, n_t - 40
    d0 = rng.integers(lo_d, hi_d + 1, len(series))
    d11_days = np.flatnonzero((dates >= "2023-11-08") & (dates <= "2023-11-11"))
    if len(d11_days):
        near = rng.random(len(series)) < 0.15
        d0[near] = rng.choice(d11_days, near.sum())
    lo_cut = np.where(s_chan == 0, cut_top[0], cut_second[0])
    hi_cut = np.where(s_chan == 0, cut_top[1], cut_second[1])
    cut = rng.uniform(lo_cut, hi_cut)
    # the shrimp: top room, 2023-12-16, 128 -> 88
    sh = np.flatnonzero((s_prod == 0) & (s_chan == 0))[0]
    shrimp_day = int((pd.Timestamp("2023-12-16") - dates[0]).days)
    if 0 <= shrimp_day < n_t:
        promoted[sh], d0[sh], cut[sh] = True, shrimp_day, 1 - 88 / 128
    sh2 = np.flatnonzero((s_prod == 0) & (s_chan == 1))[0]
    promoted[sh2] = False
    delta = -np.log1p(-cut)
    pi = np.array([pers[c] for c in CATEGORIES])[cat_code[s_prod]]
    h = np.arange(n_t)[None, :] - d0[:, None]
    share_left = np.where(h == 0, 1.0, pi[:, None] + (1 - pi[:, None]) * np.exp(-h / tau_decay))
    tau = np.where(h >= 0, -delta[:, None] * share_left, 0.0) * promoted[:, None]
    logp[s_prod, s_chan, :] += tau
    paid = _round_price(np.exp(logp))
    if 0 <= shrimp_day < n_t:
        paid[0, 0, shrimp_day] = 88.0
    listp = _round_price(np.exp(b[:, None, None] + offset.clip(0, None)[:, :, None]))
    listp = np.broadcast_to(listp, paid.shape).copy()
    # a list price is never below the paid price
    listp = np.maximum(listp, paid)
    listp[0, :2, :] = 128.0
    listp[0, _STORE, :] = 128.0

    # --- sessions -----------------------------------------------------------------------
    ps = np.flatnonzero(promoted)
    sess = pd.DataFrame(
        {
            "product_idx": s_prod[ps],
            "chan": s_chan[ps],
            "day": d0[ps],
            "cut": cut[ps],
            "delta": delta[ps],
        }
    )
    sess_key = sess["chan"] * n_t + sess["day"]
    code, uniq = pd.factorize(sess_key, sort=True)
    start_min = rng.integers(19 * 60, 20 * 60 + 31, len(uniq))  # 19:00-20:30
    dur_min = rng.integers(150, 215, len(uniq))  # 2.5-3.5 hours
    sess["start"] = dates[sess["day"]] + pd.to_timedelta(start_min[code], unit="min")
    sess["end"] = sess["start"] + pd.to_timedelta(dur_min[code], unit="min")
    sess = sess.sort_values(["start", "product_idx"], kind="stable", ignore_index=True)
    # session ids in order of their start
    sess["session_id"] = [
        f"S{k + 1:04d}"
        for k in pd.factorize(sess["start"].astype(str) + sess["chan"].astype(str))[0]
    ]

    # --- observations -------------------------------------------------------------------
    visit = rng.random((n_p, n_t)) < coverage
    # on a session day the researcher also checks the product's other channels
    visit[sess["product_idx"].to_numpy(), sess["day"].to_numpy()] = True
    rec = (rng.random((n_p, n_c, n_t)) < channel_coverage) & visit[:, None, :] & carried[:, :, None]
    in_session = np.zeros((n_p, n_c, n_t), dtype=bool)
    in_session[sess["product_idx"], sess["chan"], sess["day"]] = True
    rec |= in_session
    ip, ic, it = np.nonzero(rec)
    n_ob = len(ip)
    two = rng.random(n_ob) < 0.15  # a second observation that day
    rep = np.where(two, 2, 1)
    ip, ic, it = np.repeat(ip, rep), np.repeat(ic, rep), np.repeat(it, rep)
    sess_flat = in_session[ip, ic, it]
    # times: sessions 5 min after start .. 10 min before end; otherwise 08:00-23:30
    sess_lookup = sess.set_index(["product_idx", "chan", "day"])[["start", "end"]]
    minute = rng.uniform(8 * 60, 23.5 * 60, len(ip))
    obs_time = dates[it] + pd.to_timedelta(np.round(minute * 60), unit="s")
    obs_time = pd.Series(obs_time)
    if sess_flat.any():
        key = pd.MultiIndex.from_arrays([ip[sess_flat], ic[sess_flat], it[sess_flat]])
        st = sess_lookup.reindex(key)
        span = (st["end"] - st["start"]).dt.total_seconds().to_numpy() - 900
        off = 300 + rng.uniform(0, 1, sess_flat.sum()) * span
        obs_time[sess_flat] = (st["start"] + pd.to_timedelta(np.round(off), unit="s")).to_numpy()
    obs = pd.DataFrame(
        {
            "pi": ip,
            "ci": ic,
            "day": it,
            "observed_at": obs_time.to_numpy(),
            "paid": paid[ip, ic, it],
            "list": listp[ip, ic, it],
        }
    ).sort_values(["observed_at", "pi", "ci"], kind="stable", ignore_index=True)

    # the latent daily panel (day's last observation = the day's price)
    panel = obs.groupby(["pi", "ci", "day"], sort=True).agg(observed_at=("observed_at", "max"))
    panel = panel.reset_index()
    panel["paid_price"] = paid[panel["pi"], panel["ci"], panel["day"]]
    panel["list_price"] = listp[panel["pi"], panel["ci"], panel["day"]]
    qty = prod["quantity"].to_numpy()
    unit = prod["base_unit"].to_numpy()
    per_base = np.where(unit == "item", qty, qty / 1000.0)  # kg, litre or item
    panel["paid_unit_price"] = panel["paid_price"] / per_base[panel["pi"]]
    panel["list_unit_price"] = panel["list_price"] / per_base[panel["pi"]]
    panel["price_unit"] = np.select([unit == "g", unit == "ml"], ["kg", "l"], "item")[panel["pi"]]
    panel["promoted"] = in_session[panel["pi"], panel["ci"], panel["day"]]
    panel = _label(panel, prod, dates)

    # --- raw observation strings ----------------------------------------------------------
    rng_raw = np.random.default_rng([seed, 1])  # own stream: raw=False leaves the rest equal
    if raw:
        raw_out = _raw_observations(rng_raw, obs, prod, dates, per_base, messy)
    else:
        raw_out = {"frame": None, "counts": {}}

    # --- purchases ----------------------------------------------------------------------
    pur = _purchases(rng, n_purchases, sess, carried, paid, dates, n_p, n_c, n_t, in_session)

    # --- wholesale ------------------------------------------------------------------------
    whole = _wholesale(rng, dates, messy)

    # --- truth --------------------------------------------------------------------------
    truth = _truth(
        panel, sess, prod, pers, tau_decay, cut_top, cut_second, raw_out, seed, promoted, series
    )
    sessions = pd.DataFrame(
        {
            "session_id": sess["session_id"].to_numpy(),
            "channel": [CHANNELS[c][0] for c in sess["chan"]],
            "start": sess["start"].dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
            "end": sess["end"].dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
            "product_id": prod["product_id"].to_numpy()[sess["product_idx"]],
        }
    )
    products = prod[
        ["product_id", "product_name", "brand", "category", "pack", "quantity", "base_unit"]
    ].assign(wholesale_group=prod["item"].map(_FRESH_GROUP))
    return {
        "observations": raw_out["frame"],
        "sessions": sessions,
        "purchases": pur,
        "wholesale": whole,
        "panel": panel,
        "products": products,
        "truth": truth,
    }


def _label(panel: pd.DataFrame, prod: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Readable product / channel / date columns of the latent panel."""
    return pd.DataFrame(
        {
            "product_id": prod["product_id"].to_numpy()[panel["pi"]],
            "category": prod["category"].to_numpy()[panel["pi"]],
            "channel": np.array([c for c, *_ in CHANNELS], dtype=object)[panel["ci"]],
            "channel_type": np.array([t for _, t, _ in CHANNELS], dtype=object)[panel["ci"]],
            "date": dates[panel["day"]],
            "observed_at": panel["observed_at"].to_numpy(),
            "list_price": panel["list_price"].to_numpy(),
            "paid_price": panel["paid_price"].to_numpy(),
            "list_unit_price": panel["list_unit_price"].to_numpy(),
            "paid_unit_price": panel["paid_unit_price"].to_numpy(),
            "price_unit": panel["price_unit"].to_numpy(),
            "promoted": panel["promoted"].to_numpy(),
        }
    )


def _raw_observations(
    rng: np.random.Generator,
    obs: pd.DataFrame,
    prod: pd.DataFrame,
    dates: pd.DatetimeIndex,
    per_base: np.ndarray,
    messy: bool,
) -> dict[str, Any]:
    """The scraped log as strings, in the forms shops and live rooms write."""
    n = len(obs)
    pi, ci = obs["pi"].to_numpy(), obs["ci"].to_numpy()
    paid, listp = obs["paid"].to_numpy(), obs["list"].to_numpy()
    live = _LIVE[ci]
    cat = prod["category"].to_numpy()[pi]
    if messy:
        money_kind = rng.choice(4, n, p=[0.55, 0.2, 0.2, 0.05])
        time_kind = rng.choice(4, n, p=[0.9, 0.05, 0.03, 0.02])
    else:
        money_kind = np.zeros(n, dtype=int)
        time_kind = np.zeros(n, dtype=int)
    paid_s = _fmt_money(paid, money_kind)
    list_s = _fmt_money(listp, money_kind)
    pack_s = prod["pack"].to_numpy()[pi].copy()
    kg_pack = (prod["base_unit"].to_numpy()[pi] == "g") & (cat == "fresh food")
    n_unit_form = n_fullwidth = n_no_id = n_no_list = 0
    if messy:
        # fresh food in live rooms: sometimes a price per 斤 (already a unit price), to 0.01
        m = kg_pack & live & (rng.random(n) < 0.12)
        per_jin = np.round(paid[m] / per_base[pi[m]] / 2.0, 2)
        paid_s[m] = _fmt(per_jin, "{:g}") + "元/斤"
        n_unit_form = int(m.sum())
        # full-width packs (digits and letters) in 3 % of rows
        m = rng.random(n) < 0.03
        pack_s[m] = pd.Series(pack_s[m]).str.translate(_FULLWIDTH).to_numpy(dtype=object)
        n_fullwidth = int(m.sum())
        # live rooms often show no list price
        m = live & (rng.random(n) < 0.05)
        list_s[m] = ""
        n_no_list = int(m.sum())
    units = np.full(n, "", dtype=object)
    sold = rng.integers(50, 60_000, n)
    units[live] = pd.Series(sold[live]).astype(str).to_numpy(dtype=object)
    if messy:
        big = live & (sold >= 10_000)
        units[big] = _fmt(np.round(sold[big] / 1e4, 1), "{:g}万+")
    frame = pd.DataFrame(
        {
            "product_id": prod["product_id"].to_numpy()[pi],
            "product_name": prod["product_name"].to_numpy()[pi],
            "brand": prod["brand"].to_numpy()[pi],
            "category": cat,
            "channel": np.array([c for c, *_ in CHANNELS], dtype=object)[ci],
            "channel_type": np.array([t for _, t, _ in CHANNELS], dtype=object)[ci],
            "observed_at": _fmt_time(obs["observed_at"], time_kind),
            "list_price": list_s,
            "paid_price": paid_s,
            "pack": pack_s,
            "units_sold": units,
        },
        columns=OBSERVATION_COLUMNS,
    )
    bad_reasons: dict[str, int] = {}
    n_dup = 0
    if messy:
        # no product id: aligned by name + brand + pack (pack as the product is listed)
        m = rng.random(n) < 0.02
        frame.loc[m, "product_id"] = ""
        frame.loc[m, "pack"] = prod["pack"].to_numpy()[pi[m]]
        n_no_id = int(m.sum())
        # rows no parser may read: an unbounded multi-buy offer, no price, "to be announced"
        bad = rng.choice(n, 60, replace=False)
        texts = np.array(["第二件半价", "", "价格待定"], dtype=object)
        kinds = np.arange(60) % 3
        frame.loc[bad, "paid_price"] = texts[kinds]
        for t, k in zip(
            ["multi-buy without quantity", "missing", "not a price"], range(3), strict=True
        ):
            bad_reasons[t] = int((kinds == k).sum())
        # exact duplicate rows (the scraper saved a page twice)
        dup = np.sort(rng.choice(n, int(0.005 * n), replace=False))
        n_dup = len(dup)
        frame = pd.concat([frame, frame.iloc[dup]]).sort_index(kind="stable")
        frame = frame.reset_index(drop=True)
    return {
        "frame": frame,
        "counts": {
            "rows": len(frame),
            "exact_duplicates": n_dup,
            "unit_price_form": n_unit_form,
            "fullwidth_pack": n_fullwidth,
            "no_product_id": n_no_id,
            "no_list_price": n_no_list,
            "unreadable_paid_price": bad_reasons,
        },
    }


def _purchases(
    rng: np.random.Generator,
    n: int,
    sess: pd.DataFrame,
    carried: np.ndarray,
    paid: np.ndarray,
    dates: pd.DatetimeIndex,
    n_p: int,
    n_c: int,
    n_t: int,
    in_session: np.ndarray,
) -> pd.DataFrame:
    """Purchases: half during sessions at the session price, half at any time."""
    n_s = n // 2 if len(sess) else 0
    k = rng.integers(0, len(sess), n_s) if n_s else np.array([], dtype=int)
    s = sess.iloc[k]
    span = (s["end"] - s["start"]).dt.total_seconds().to_numpy()
    t_s = s["start"].to_numpy() + pd.to_timedelta(np.round(rng.uniform(0, 1, n_s) * span), "s")
    p_s, c_s, d_s = s["product_idx"].to_numpy(), s["chan"].to_numpy(), s["day"].to_numpy()
    # regular purchases: a carried product x channel, any day, 08:00-24:00
    n_r = n - n_s
    cp, cc = np.nonzero(carried)
    j = rng.integers(0, len(cp), n_r)
    p_r, c_r, d_r = cp[j], cc[j], rng.integers(0, n_t, n_r)
    t_r = dates[d_r] + pd.to_timedelta(np.round(rng.uniform(8, 24, n_r) * 3600), "s")
    # a regular purchase in a live room on its session day happens during the session
    clash = in_session[p_r, c_r, d_r]
    t_r = pd.Series(t_r)
    if clash.any():
        lk = sess.set_index(["product_idx", "chan", "day"])["start"]
        st = lk.reindex(pd.MultiIndex.from_arrays([p_r[clash], c_r[clash], d_r[clash]]))
        t_r[clash] = (st + pd.Timedelta(minutes=30)).to_numpy()
    pi = np.concatenate([p_s, p_r])
    ci = np.concatenate([c_s, c_r])
    di = np.concatenate([d_s, d_r])
    t = pd.DatetimeIndex(np.concatenate([np.asarray(t_s), t_r.to_numpy()]))
    order = np.lexsort((pi, t.asi8))
    pi, ci, di, t = pi[order], ci[order], di[order], t[order]
    qty = rng.choice([1, 2, 3, 5], len(pi), p=[0.7, 0.2, 0.07, 0.03])
    buyers = rng.integers(1, max(2, int(0.6 * len(pi))), len(pi))
    return pd.DataFrame(
        {
            "purchase_id": [f"O{i + 1:06d}" for i in range(len(pi))],
            "buyer_id": [f"U{b:06d}" for b in buyers],
            "product_id": [f"P{i + 1:04d}" for i in pi],
            "channel": np.array([c for c, *_ in CHANNELS], dtype=object)[ci],
            "purchased_at": t.strftime("%Y-%m-%d %H:%M:%S"),
            "paid_price": pd.Series(paid[pi, ci, di]).map("{:g}".format).to_numpy(),
            "quantity": qty.astype(str),
        },
        columns=PURCHASE_COLUMNS,
    )


def _wholesale(rng: np.random.Generator, dates: pd.DatetimeIndex, messy: bool) -> pd.DataFrame:
    """Daily wholesale quotes (market days: no Sunday quotes), as markets publish them."""
    rows = []
    day = np.arange(len(dates))
    dec = int((pd.Timestamp("2023-12-01") - dates[0]).days)
    for name, unit, level, specs, origins in _WHOLESALE:
        # slow AR(1) log-price path around the December level; aquatic +0.9 % over December
        e = rng.normal(0, 0.01, len(dates))
        path = np.zeros(len(dates))
        for t in range(1, len(dates)):  # one loop over days per group (9 x 182)
            path[t] = 0.9 * path[t - 1] + e[t]
        trend = 0.009 * (day - dec) / 31.0 if name in ("南美白虾", "带鱼", "三文鱼") else 0.0
        anchor = path[max(dec, 0) : dec + 31] if 0 <= dec < len(dates) else path
        avg = level * np.exp(path - anchor.mean() + trend)
        quoted = (dates.day_of_week != 6) & (rng.random(len(dates)) < 0.95)
        k = np.flatnonzero(quoted)
        twice = rng.random(len(k)) < 0.1  # quoted twice a day, no distinguishing spec
        k = np.repeat(k, np.where(twice, 2, 1))
        a = avg[k] * np.exp(rng.normal(0, 0.01, len(k)))
        spread = rng.uniform(0.08, 0.2, len(k))
        lo_, hi_ = a * (1 - spread), a * (1 + spread)
        rows.append(
            pd.DataFrame(
                {
                    "品名": name,
                    "最低价": np.round(lo_, 2),
                    "平均价": np.round(a, 2),
                    "最高价": np.round(hi_, 2),
                    "规格": np.array(specs, dtype=object)[rng.integers(0, len(specs), len(k))],
                    "产地": np.array(origins, dtype=object)[rng.integers(0, len(origins), len(k))],
                    "单位": unit,
                    "day": k,
                }
            )
        )
    w = pd.concat(rows, ignore_index=True).sort_values(["day", "品名"], kind="stable")
    fmt = np.where(rng.random(len(w)) < 0.2, "%Y/%m/%d", "%Y-%m-%d") if messy else "%Y-%m-%d"
    d = dates[w["day"].to_numpy()]
    w["发布日期"] = np.where(fmt == "%Y/%m/%d", d.strftime("%Y/%m/%d"), d.strftime("%Y-%m-%d"))
    for col in ("最低价", "平均价", "最高价"):
        w[col] = w[col].map("{:.2f}".format)
    w = w.drop(columns="day").reset_index(drop=True)
    if messy:
        # a few inconsistent quotes (low above average, a missing average): quarantined
        bad = rng.choice(len(w), 4, replace=False)
        w.loc[bad[:2], "最低价"] = w.loc[bad[:2], "最高价"]
        w.loc[bad[2:], "平均价"] = ""
    return w[WHOLESALE_COLUMNS]


def _truth(
    panel: pd.DataFrame,
    sess: pd.DataFrame,
    prod: pd.DataFrame,
    pers: dict[str, float],
    tau_decay: float,
    cut_top: tuple[float, float],
    cut_second: tuple[float, float],
    raw: dict[str, Any],
    seed: int,
    promoted: np.ndarray,
    series: list,
) -> dict[str, Any]:
    """The truth record: parameters, realised persistence and lowest-price shares."""

    def left(p: float, h: int) -> float:
        return round(float(p + (1 - p) * np.exp(-h / tau_decay)), 6)

    # lowest-price share on the latent observed panel, computed directly (live room
    # strictly cheapest / tied with the cheapest other channel observed that day)
    pv = panel.pivot_table(
        index=["product_id", "date"], columns="channel", values="paid_unit_price", aggfunc="first"
    )
    names = [c for c, *_ in CHANNELS]
    pv = pv.reindex(columns=names)
    vals = pv.to_numpy()
    cats = prod.set_index("product_id")["category"].reindex(pv.index.get_level_values(0))
    lowest: dict[str, dict[str, int]] = {}
    for j in np.flatnonzero(_LIVE):
        mine = vals[:, j]
        others = np.delete(vals, j, axis=1)
        best_other = np.nanmin(np.where(np.isnan(others), np.inf, others), axis=1)
        ok = ~np.isnan(mine) & np.isfinite(best_other)
        low = ok & (mine < best_other - 1e-9)
        tie = ok & (np.abs(mine - best_other) <= 1e-9)
        for cat in ["all", *CATEGORIES]:
            m = ok if cat == "all" else ok & (cats.to_numpy() == cat)
            d = lowest.setdefault(cat, {"n": 0, "lowest": 0, "tie": 0})
            d["n"] += int(m.sum())
            d["lowest"] += int((low & m).sum())
            d["tie"] += int((tie & m).sum())
    lowest_share = {
        k: {
            "n_live_product_days": v["n"],
            "lowest": round(v["lowest"] / v["n"], 6) if v["n"] else None,
            "tie": round(v["tie"] / v["n"], 6) if v["n"] else None,
        }
        for k, v in lowest.items()
    }
    cat_of = prod["category"].to_numpy()[sess["product_idx"].to_numpy()]
    delta = sess["delta"].to_numpy()
    by_cat = {}
    for cat in CATEGORIES:
        m = cat_of == cat
        by_cat[cat] = {
            "pi": pers[cat],
            "persistence_7d": left(pers[cat], 7),
            "persistence_30d": left(pers[cat], 30),
            "n_promotions": int(m.sum()),
            "mean_cut_log_points": round(float(delta[m].mean()), 6) if m.any() else None,
        }
    w = delta / delta.sum()
    overall = {
        f"persistence_{h}d": round(
            float(sum(w[cat_of == c].sum() * left(pers[c], h) for c in CATEGORIES)), 6
        )
        for h in (7, 30)
    }
    return {
        "seed": seed,
        "products": len(prod),
        "channels": {c: t for c, t, _ in CHANNELS},
        "live_series": len(series),
        "promoted_series": int(promoted.sum()),
        "promotion": {
            "model": "tau[h] = -delta * (pi + (1 - pi) * exp(-h / tau_decay)) h days after "
            "the session day (h >= 1); -delta on the session day",
            "tau_decay_days": tau_decay,
            "cut_range_top_room": list(cut_top),
            "cut_range_second_room": list(cut_second),
            "by_category": by_cat,
            "overall_cut_weighted": overall,
        },
        "lowest_share_latent": lowest_share,
        "shrimp_example": {
            "product_id": "P0001",
            "channel": CHANNELS[0][0],
            "date": "2023-12-16",
            "list_price": 128.0,
            "paid_price": 88.0,
            "cut": 0.3125,
        },
        "raw_rows": raw["counts"],
        "wholesale_per_kg_or_item_dec2023": {
            k: round(v, 2) for k, v in sorted(_WHOLESALE_PER_KG.items())
        },
    }


def _pick(kind: str, seed: int, effects: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    out = simulate(seed=seed, **effects)
    return out[kind], out["truth"]


def prices_daily(seed: int = 20231216, **effects: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Raw price observation log (``prices_observations.csv``) and the truth record.

    Parameters
    ----------
    seed
        Seed of the simulation (:func:`simulate`).
    **effects
        Any keyword of :func:`simulate` (persistence by category, cut ranges, sizes).

    Returns
    -------
    (DataFrame, dict)
        :data:`OBSERVATION_COLUMNS` as strings, and the truth.
    """
    return _pick("observations", seed, effects)


def live_sessions(seed: int = 20231216, **effects: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Live-session calendar (``live_sessions.csv``) of the same simulation, and the truth."""
    return _pick("sessions", seed, effects)


def purchases(seed: int = 20231216, **effects: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Purchases with timestamps (``purchases.csv``) of the same simulation, and the truth."""
    return _pick("purchases", seed, effects)


def wholesale_prices(seed: int = 20231216, **effects: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Wholesale quotes (``wholesale_quotes.csv``, Chinese headers), and the truth."""
    return _pick("wholesale", seed, effects)
