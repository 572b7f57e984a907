"""Speed and peak memory of price protection (``protection_refunds``) up to 1M purchases.

Purchases and prices are drawn at random over 2,000 product x channel series and 180 days
(one to three price observations a series a day): the shape of a large scraped panel.
Also compares with a per-purchase loop on a small sample, to show what vectorising buys.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd

from lsimpact.models.prices import protection_refunds


def _data(n_buy: int, n_series: int = 2_000, days: int = 180, seed: int = 0):
    rng = np.random.default_rng(seed)
    t0 = np.datetime64("2023-09-01T00:00:00", "ns")
    n_obs = n_series * days * 2
    series = rng.integers(0, n_series, n_obs)
    prices = pd.DataFrame(
        {
            "product_id": (series // 4).astype(str),
            "channel": (series % 4).astype(str),
            "observed_at": t0 + rng.integers(0, days * 86_400, n_obs).astype("timedelta64[s]"),
            "paid_price": rng.integers(50, 100, n_obs).astype(float),
        }
    )
    s = rng.integers(0, n_series, n_buy)
    buys = pd.DataFrame(
        {
            "purchase_id": np.arange(n_buy),
            "product_id": (s // 4).astype(str),
            "channel": (s % 4).astype(str),
            "purchased_at": t0 + rng.integers(0, days * 86_400, n_buy).astype("timedelta64[s]"),
            "paid_price": rng.integers(50, 100, n_buy).astype(float),
            "quantity": rng.integers(1, 4, n_buy),
        }
    )
    return buys, prices


def _loop(buys: pd.DataFrame, prices: pd.DataFrame, window_days: float) -> list[float]:
    """The naive reference: one filter of the price table per purchase."""
    g = {k: v for k, v in prices.groupby(["product_id", "channel"])}
    out = []
    w = pd.Timedelta(days=window_days)
    for b in buys.itertuples():
        p = g.get((b.product_id, b.channel))
        m = (p["observed_at"] > b.purchased_at) & (p["observed_at"] <= b.purchased_at + w)
        low = p.loc[m, "paid_price"].min() if m.any() else np.nan
        out.append(b.quantity * max(0.0, b.paid_price - low) if m.any() else 0.0)
    return out


def main() -> None:
    print(f"{'task':<46}{'purchases':>11}{'prices':>11}{'seconds':>9}{'peak MiB':>10}")
    for n in (10_000, 100_000, 1_000_000):
        buys, prices = _data(n)
        for w in (7, 30):
            t = time.perf_counter()
            protection_refunds(buys, prices, window_days=w)
            dt = time.perf_counter() - t
            tracemalloc.start()
            protection_refunds(buys, prices, window_days=w)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(
                f"{f'protection_refunds, {w}-day window':<46}{n:>11,}{len(prices):>11,}"
                f"{dt:>9.2f}{peak:>10.0f}"
            )
    buys, prices = _data(2_000)
    t = time.perf_counter()
    ref = _loop(buys, prices, 7)
    dt_loop = time.perf_counter() - t
    t = time.perf_counter()
    got = protection_refunds(buys, prices, window_days=7)["refund"].to_numpy()
    dt_vec = time.perf_counter() - t
    assert np.allclose(got, ref)
    print(
        f"{'loop over purchases (reference), 7 days':<46}{2_000:>11,}{len(prices):>11,}"
        f"{dt_loop:>9.2f}{'':>10}"
    )
    print(
        f"{'protection_refunds, same data (equal results)':<46}{2_000:>11,}{len(prices):>11,}"
        f"{dt_vec:>9.2f}{'':>10}"
    )


if __name__ == "__main__":
    main()
