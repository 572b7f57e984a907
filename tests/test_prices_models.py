"""Consumer-side price estimators: hand-worked cases, reference implementations, truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lsimpact.errors import InputError
from lsimpact.models import prices as mp
from lsimpact.models.results import TIDY_COLUMNS
from lsimpact.synth.prices_daily_gen import simulate


# --- price protection: hand-worked edges -----------------------------------------------------
def _purchase(**kw):
    base = {
        "purchase_id": "o1",
        "product_id": "p",
        "channel": "live",
        "purchased_at": "2023-12-01 20:00:00",
        "paid_price": 100.0,
        "quantity": 1,
    }
    base.update(kw)
    return base


def _prices(rows):
    return pd.DataFrame(rows, columns=["product_id", "channel", "observed_at", "paid_price"])


def test_drop_exactly_at_window_end_counts_one_second_later_does_not():
    buy = pd.DataFrame([_purchase()])
    at_end = _prices([("p", "live", "2023-12-08 20:00:00", 80.0)])
    r = mp.protection_refunds(buy, at_end, window_days=7)
    assert r["refund"].tolist() == [20.0]
    assert r["reference_price"].tolist() == [80.0]
    assert r["reference_observed_at"].iloc[0] == pd.Timestamp("2023-12-08 20:00:00")
    later = _prices([("p", "live", "2023-12-08 20:00:01", 80.0)])
    r = mp.protection_refunds(buy, later, window_days=7)
    assert r["refund"].tolist() == [0.0]
    assert np.isnan(r["reference_price"].iloc[0]) and pd.isna(r["reference_observed_at"].iloc[0])


def test_price_at_the_purchase_instant_does_not_count():
    buy = pd.DataFrame([_purchase()])
    r = mp.protection_refunds(buy, _prices([("p", "live", "2023-12-01 20:00:00", 50.0)]))
    assert r["refund"].tolist() == [0.0]
    r = mp.protection_refunds(buy, _prices([("p", "live", "2023-12-01 20:00:01", 50.0)]))
    assert r["refund"].tolist() == [50.0]


def test_drop_in_another_channel_or_product_does_not_count():
    buy = pd.DataFrame([_purchase()])
    pr = _prices([("p", "store", "2023-12-02", 10.0), ("q", "live", "2023-12-02", 10.0)])
    assert mp.protection_refunds(buy, pr)["refund"].tolist() == [0.0]


def test_two_drops_the_lowest_counts_and_quantity_multiplies():
    buy = pd.DataFrame([_purchase(quantity=3)])
    pr = _prices(
        [
            ("p", "live", "2023-12-02 10:00", 90.0),
            ("p", "live", "2023-12-03 10:00", 70.0),
            ("p", "live", "2023-12-04 10:00", 95.0),
            ("p", "live", "2023-12-09 10:00", 10.0),  # after the 7-day window
        ]
    )
    r = mp.protection_refunds(buy, pr)
    assert r["refund"].tolist() == [90.0]  # 3 x (100 - 70)
    assert r["reference_observed_at"].iloc[0] == pd.Timestamp("2023-12-03 10:00")
    r15 = mp.protection_refunds(buy, pr, window_days=15)
    assert r15["refund"].tolist() == [270.0]


def test_price_rise_owes_nothing_and_reference_is_still_reported():
    buy = pd.DataFrame([_purchase()])
    r = mp.protection_refunds(buy, _prices([("p", "live", "2023-12-02", 120.0)]))
    assert r["refund"].tolist() == [0.0] and r["reference_price"].tolist() == [120.0]


def test_times_with_an_offset_are_converted_to_beijing_time():
    # 12:00:00Z is 20:00 Beijing: exactly the window end of a purchase at 20:00 Beijing
    buy = pd.DataFrame([_purchase()])
    pr = pd.DataFrame(
        {
            "product_id": ["p"],
            "channel": ["live"],
            "observed_at": pd.to_datetime(["2023-12-08T12:00:00Z"]),
            "paid_price": [60.0],
        }
    )
    assert mp.protection_refunds(buy, pr)["refund"].tolist() == [40.0]


def test_refunds_match_a_loop_reference_on_random_data():
    rng = np.random.default_rng(0)
    n_b, n_p = 400, 3000
    t0 = pd.Timestamp("2023-12-01")
    buys = pd.DataFrame(
        {
            "purchase_id": np.arange(n_b),
            "product_id": rng.integers(0, 5, n_b).astype(str),
            "channel": rng.choice(["a", "b"], n_b),
            "purchased_at": t0 + pd.to_timedelta(rng.integers(0, 30 * 24, n_b), "h"),
            "paid_price": rng.integers(50, 100, n_b).astype(float),
            "quantity": rng.integers(1, 4, n_b),
        }
    )
    prices = pd.DataFrame(
        {
            "product_id": rng.integers(0, 5, n_p).astype(str),
            "channel": rng.choice(["a", "b"], n_p),
            # whole hours: many prices sit exactly on window edges
            "observed_at": t0 + pd.to_timedelta(rng.integers(0, 40 * 24, n_p), "h"),
            "paid_price": rng.integers(40, 110, n_p).astype(float),
        }
    )
    got = mp.protection_refunds(buys, prices, window_days=3)
    expected, ref = [], []
    for b in buys.itertuples():
        m = (
            (prices["product_id"] == b.product_id)
            & (prices["channel"] == b.channel)
            & (prices["observed_at"] > b.purchased_at)
            & (prices["observed_at"] <= b.purchased_at + pd.Timedelta(days=3))
        )
        low = prices.loc[m, "paid_price"].min() if m.any() else np.nan
        ref.append(low)
        expected.append(b.quantity * max(0.0, b.paid_price - low) if m.any() else 0.0)
    np.testing.assert_allclose(got["refund"], expected)
    np.testing.assert_allclose(got["reference_price"], ref)


def test_bad_inputs_name_row_and_column():
    buy = pd.DataFrame([_purchase(), _purchase(purchase_id="o2", quantity=0)])
    with pytest.raises(InputError, match="row 1: quantity"):
        mp.protection_refunds(buy, _prices([]))
    buy = pd.DataFrame([_purchase(), _purchase()])
    with pytest.raises(InputError, match="repeats"):
        mp.protection_refunds(buy, _prices([]))
    buy = pd.DataFrame([_purchase(purchased_at="soon")])
    with pytest.raises(InputError, match="purchased_at"):
        mp.protection_refunds(buy, _prices([]))
    with pytest.raises(InputError, match="row 0: channel is missing"):
        mp.protection_refunds(pd.DataFrame([_purchase(channel=None)]), _prices([]))
    with pytest.raises(InputError, match="lacks column"):
        mp.protection_refunds(buy.drop(columns="quantity"), _prices([]))


def test_protection_summary_totals_and_shares():
    buys = pd.DataFrame(
        [
            _purchase(purchase_id="a", buyer_id="u1"),
            _purchase(purchase_id="b", buyer_id="u1", purchased_at="2023-12-20 10:00"),
            _purchase(purchase_id="c", buyer_id="u2", channel="store"),
        ]
    )
    pr = _prices([("p", "live", "2023-12-05", 80.0), ("p", "live", "2023-12-14", 60.0)])
    s = mp.protection_summary(buys, pr, windows=(7, 15))
    t = s.tidy().set_index("term")
    assert list(s.tidy().columns) == TIDY_COLUMNS
    assert t.loc["refund_total_7d", "estimate"] == 20.0
    assert t.loc["refund_total_15d", "estimate"] == 40.0
    assert t.loc["share_buyers_owed_7d", "estimate"] == 0.5
    assert t.loc["share_purchases_owed_7d", "estimate"] == pytest.approx(1 / 3)
    assert t.loc["refund_share_of_spend_15d", "estimate"] == pytest.approx(40 / 300 * 100)


# --- lowest price ------------------------------------------------------------------------------
def _day(product, date, prices, cat="x"):
    return [
        {
            "product": product,
            "category": cat,
            "channel": ch,
            "channel_type": typ,
            "date": pd.Timestamp(date),
            "paid_unit_price": p,
        }
        for (ch, typ), p in zip(
            [("L1", "live"), ("L2", "live"), ("S", "store"), ("O", "other")], prices, strict=True
        )
        if p is not None
    ]


def test_lowest_share_hand_worked():
    rows = (
        _day("a", "2023-12-01", [80, None, 100, 90])  # L1 lowest
        + _day("a", "2023-12-02", [100, None, 100, 120])  # L1 tie
        + _day("b", "2023-12-01", [110, 90, 100, None])  # L1 higher (gap 22.2 %), L2 lowest
        + _day("b", "2023-12-02", [95, None, None, None])  # no other channel: left out
    )
    r = mp.lowest_price_share(pd.DataFrame(rows), n_boot=99)
    t = r.tidy().set_index("term")
    assert r.n_obs == 4
    assert t.loc["lowest: all", "estimate"] == 0.5
    assert t.loc["tie: all", "estimate"] == 0.25
    assert t.loc["median gap %: all", "estimate"] == pytest.approx(110 / 90 * 100 - 100)
    assert np.isnan(t.loc["lowest: all", "p_value"])
    c = r.extra["counts"].set_index("category").loc["all"]
    assert (c["lowest"], c["tie"], c["higher"]) == (2, 1, 1)


def test_lowest_share_recovers_the_generator_truth():
    out = simulate(seed=5, n_products=60, n_days=90, n_purchases=10, raw=False)
    r = mp.lowest_price_share(out["panel"], n_boot=199)
    t = r.tidy().set_index("term")
    truth = out["truth"]["lowest_share_latent"]
    for cat, v in truth.items():
        assert t.loc[f"lowest: {cat}", "estimate"] == pytest.approx(v["lowest"], abs=1e-6)
        assert t.loc[f"tie: {cat}", "estimate"] == pytest.approx(v["tie"], abs=1e-6)
        lo, hi = t.loc[f"lowest: {cat}", ["conf_low", "conf_high"]]
        assert lo <= v["lowest"] <= hi
    # seeded: the same intervals again
    again = mp.lowest_price_share(out["panel"], n_boot=199).tidy()
    pd.testing.assert_frame_equal(r.tidy(), again)


# --- bounce-back --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_categories():
    return simulate(
        seed=11,
        n_products=140,
        n_days=130,
        category_shares={"packaged food": 0.5, "household": 0.5},
        persistence={"packaged food": 0.0, "household": 0.5},
        coverage=0.5,
        n_purchases=10,
        raw=False,
    )


def test_bounce_back_recovers_persistence_by_category(two_categories):
    out = two_categories
    by = out["truth"]["promotion"]["by_category"]
    for cat in ("packaged food", "household"):
        r = mp.bounce_back(out["panel"], out["sessions"], category=cat, post=30)
        t = r.tidy().set_index("term")
        for h in (7, 30):
            est, lo, hi = t.loc[f"persistence_{h}d", ["estimate", "conf_low", "conf_high"]]
            assert lo <= by[cat][f"persistence_{h}d"] <= hi, (cat, h, est, lo, hi)
            assert est == pytest.approx(by[cat][f"persistence_{h}d"], abs=0.08)
        # the cut in percent is exp(b0) - 1 of the log-point coefficient
        b0 = t.loc["k=0", "estimate"]
        assert t.loc["cut_pct", "estimate"] == pytest.approx((np.exp(b0) - 1) * 100)
        assert b0 == pytest.approx(-by[cat]["mean_cut_log_points"], abs=0.05)
        # no pre-trend
        pre = t.loc[[f"k={k}" for k in range(-14, -7)], "estimate"]
        assert pre.abs().max() < 0.05


def test_stacked_equals_a_did_on_one_cohort_balanced_panel():
    # one promoted series, two controls, balanced daily panel: the stacked coefficient at
    # k is the difference-in-differences against the reference-window mean.
    dates = pd.date_range("2023-12-01", periods=20)
    rng = np.random.default_rng(1)
    rows = []
    for prod, promo in [("a", 10), ("b", None), ("c", None)]:
        y = rng.normal(0, 0.05, len(dates)) + np.log(50)
        if promo is not None:
            y[promo] -= 0.4
        for d, v in zip(dates, y, strict=True):
            rows.append(
                {
                    "product": prod,
                    "channel": "L",
                    "channel_type": "live",
                    "date": d,
                    "paid_unit_price": np.exp(v),
                }
            )
    p = pd.DataFrame(rows)
    sess = pd.DataFrame({"product_id": ["a"], "channel": ["L"], "start": ["2023-12-11 20:00"]})
    r = mp.bounce_back(p, sess, pre=7, post=5, horizons=(3,), ref=(-7, -1))
    y = np.log(p.pivot(index="date", columns="product", values="paid_unit_price"))
    w = y.iloc[3:16]  # days -7..5 around 2023-12-11
    treat = w["a"] - w["a"].iloc[:7].mean()
    ctrl = w[["b", "c"]].mean(axis=1) - w[["b", "c"]].iloc[:7].mean(axis=1).mean()
    did = (treat - ctrl).iloc[7:]
    est = r.tidy().set_index("term").loc[[f"k={k}" for k in range(0, 6)], "estimate"]
    np.testing.assert_allclose(est.to_numpy(), did.to_numpy(), atol=1e-8)


def test_twfe_and_stacked_both_return_tidy(two_categories):
    out = two_categories
    for m in ("stacked", "twfe"):
        r = mp.bounce_back(out["panel"], out["sessions"], method=m, category="household", post=30)
        assert list(r.tidy().columns) == TIDY_COLUMNS
        assert {"cut_pct", "persistence_7d", "persistence_30d"} <= set(r.tidy()["term"])
    with pytest.raises(InputError, match="unknown method"):
        mp.bounce_back(out["panel"], out["sessions"], method="ols")


@pytest.mark.slow
def test_bounce_back_coverage_monte_carlo():
    """95 % intervals of persistence cover the truth in about 95 % of samples (<= 60 s)."""
    truth = {7: 0.6 + 0.4 * np.exp(-3.5), 30: 0.6 + 0.4 * np.exp(-15)}
    hits, est = {7: 0, 30: 0}, []
    reps = 24
    for s in range(reps):
        out = simulate(
            seed=1000 + s,
            n_products=60,
            n_days=100,
            category_shares={"household": 1.0},
            coverage=0.5,
            n_purchases=10,
            raw=False,
        )
        r = mp.bounce_back(out["panel"], out["sessions"], post=30).persistence
        r = r.set_index("horizon_days")
        est.append(r["estimate"].to_numpy())
        for h in (7, 30):
            hits[h] += r.loc[h, "conf_low"] <= truth[h] <= r.loc[h, "conf_high"]
    for h in (7, 30):
        # 24 draws at 95 %: at least 19 covered has probability > 0.99
        assert hits[h] >= 19, (h, hits[h])
    np.testing.assert_allclose(np.mean(est, axis=0), [truth[7], truth[30]], atol=0.03)


# --- discount depth and wholesale ----------------------------------------------------------
def test_discount_depth_hand_worked():
    rows = []
    for i, (live, store) in enumerate([(88, 128), (90, 100), (50, 100), (100, 100)]):
        d = pd.Timestamp("2023-12-01") + pd.Timedelta(days=i)
        rows += [
            {
                "product": f"p{i}",
                "channel": "L",
                "channel_type": "live",
                "date": d,
                "paid_unit_price": live,
                "promoted": True,
            },
            {
                "product": f"p{i}",
                "channel": "S",
                "channel_type": "store",
                "date": d,
                "paid_unit_price": store,
                "promoted": False,
            },
        ]
    r = mp.discount_depth(pd.DataFrame(rows), n_boot=99)
    t = r.tidy().set_index("term")
    disc = np.array([31.25, 10.0, 50.0, 0.0])
    assert t.loc["mean", "estimate"] == pytest.approx(disc.mean())
    assert t.loc["q50", "estimate"] == pytest.approx(np.median(disc))
    assert t.loc["example_cut", "estimate"] == pytest.approx(31.25)
    assert t.loc["example_rank", "estimate"] == 0.5  # 0 and 10 below 31.25


def test_wholesale_markup_hand_worked():
    prices = pd.DataFrame(
        {
            "product": ["a", "a", "b", "c"],
            "channel_type": ["live"] * 4,
            "date": pd.to_datetime(["2023-12-04", "2023-12-05", "2023-12-04", "2023-12-04"]),
            "paid_unit_price": [128.0, 96.0, 30.0, 50.0],
            "price_unit": ["kg", "kg", "item", "kg"],
        }
    )
    whole = pd.DataFrame(
        {
            "product": ["南美白虾", "南美白虾", "大闸蟹"],
            "date": pd.to_datetime(["2023-12-04", "2023-12-04", "2023-12-02"]),
            "price_avg": [60.0, 68.0, 20.0],
            "price_unit": ["kg", "kg", "item"],
        }
    )
    groups = {"a": "南美白虾", "b": "大闸蟹", "c": "大闸蟹"}  # c: unit kg vs item, left out
    r = mp.wholesale_markup(prices, whole, groups)
    t = r.tidy().set_index("term")
    # a: 128/64 = 2.0 (two quotes averaged) and 96/64 = 1.5 (latest quote, a day before)
    assert t.loc["markup: 南美白虾", "estimate"] == pytest.approx(np.sqrt(2.0 * 1.5))
    assert t.loc["markup: 大闸蟹", "estimate"] == pytest.approx(1.5)
    assert r.n_obs == 3
    assert "logistics" in r.extra["caveat"]


def test_reference_time_is_the_first_observation_at_the_lowest_price():
    buy = pd.DataFrame([_purchase()])
    pr = _prices(
        [
            ("p", "live", "2023-12-05 10:00", 70.0),
            ("p", "live", "2023-12-03 10:00", 70.0),
            ("p", "live", "2023-12-04 10:00", 75.0),
        ]
    )
    r = mp.protection_refunds(buy, pr)
    assert r["reference_observed_at"].iloc[0] == pd.Timestamp("2023-12-03 10:00")
    assert r["refund"].iloc[0] == 30.0
