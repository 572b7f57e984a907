"""The synthetic price files: shipped bytes regenerate; the truth matches the panel."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from lsimpact import catalog
from lsimpact.synth import prices_daily_gen as gen

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import make_synthetic_prices as tool


@pytest.mark.parametrize("name", sorted(tool.FILES))
def test_shipped_files_regenerate_byte_for_byte(name):
    res = catalog.resource(name)
    assert res["synthetic"] is True
    assert res["generator"].startswith("lsimpact.synth.prices_daily_gen.")
    data, truth = tool.render(name, seed=res["seed"])
    assert hashlib.sha256(data).hexdigest() == catalog.expected_hash(res)
    assert json.loads(json.dumps(truth)) == res["true_effects"]


def test_files_are_small():
    total = sum(catalog.resource(n)["bytes"] for n in tool.FILES)
    assert total < 6e6


def test_structure_and_shrimp_example():
    out = gen.simulate()
    obs, sess, pur, whole = (out[k] for k in ("observations", "sessions", "purchases", "wholesale"))
    assert list(obs.columns) == gen.OBSERVATION_COLUMNS
    assert list(sess.columns) == gen.SESSION_COLUMNS
    assert list(pur.columns) == gen.PURCHASE_COLUMNS
    assert list(whole.columns) == gen.WHOLESALE_COLUMNS
    p = out["panel"]
    assert p["channel"].nunique() == 4 and p["category"].nunique() == 4
    assert (p["date"].max() - p["date"].min()).days >= 180
    assert p["product_id"].nunique() >= 200
    # the published example: 128 listed, 88 paid in the top room's session on 2023-12-16
    ex = p[(p["product_id"] == "P0001") & (p["date"] == "2023-12-16") & p["promoted"]]
    assert len(ex) == 1
    assert ex["list_price"].iloc[0] == 128.0 and ex["paid_price"].iloc[0] == 88.0
    s = sess[(sess["product_id"] == "P0001")]
    assert s["start"].str[:10].tolist() == ["2023-12-16"]
    # messy forms are present
    paid = obs["paid_price"]
    assert paid.str.startswith("¥").any() and paid.str.endswith("元").any()
    assert paid.str.endswith("元/斤").any()
    assert obs["pack"].str.contains(r"\*").any()
    t = out["truth"]
    assert obs.duplicated().sum() == t["raw_rows"]["exact_duplicates"] > 0
    assert len(obs) == t["raw_rows"]["rows"]
    # wholesale: shrimp in Dec 2023 just above the published farm-gate 57-60 yuan/kg
    w = whole[
        (whole["品名"] == "南美白虾")
        & whole["发布日期"].str.replace("/", "-").str[:7].eq("2023-12")
    ]
    avg = w["平均价"].replace("", np.nan).dropna().astype(float).mean() * 2
    assert 60 < avg < 70


def test_purchase_prices_are_the_day_prices():
    out = gen.simulate()
    pur, p = out["purchases"], out["panel"]
    # the panel only holds observed days; where the day was observed the price agrees
    pur = pur.assign(date=pur["purchased_at"].str[:10].astype("datetime64[ns]"))
    m = pur.merge(p, on=["product_id", "channel", "date"], how="inner")
    assert len(m) > 1000
    np.testing.assert_allclose(m["paid_price_x"].astype(float), m["paid_price_y"])


def test_truth_records_persistence_by_category():
    out = gen.simulate(seed=3, n_products=40, n_days=90, persistence={"beauty": 0.5})
    by = out["truth"]["promotion"]["by_category"]
    assert by["beauty"]["pi"] == 0.5
    assert by["beauty"]["persistence_30d"] == pytest.approx(0.5 + 0.5 * np.exp(-15))
    assert by["fresh food"]["persistence_30d"] == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="unknown categories"):
        gen.simulate(persistence={"toys": 0.1})


@pytest.mark.parametrize(
    ("generator", "resource"),
    [
        ("prices_daily", "prices_observations"),
        ("live_sessions", "live_sessions"),
        ("wholesale_prices", "wholesale_quotes"),
    ],
)
def test_synth_command_reproduces_the_shipped_price_files(generator, resource, tmp_path, capsys):
    from lsimpact import cli

    res = catalog.resource(resource)
    out = tmp_path / "x.csv"
    assert cli.main(["synth", generator, "--seed", str(res["seed"]), "-o", str(out)]) == 0
    assert catalog.file_sha256(out) == catalog.expected_hash(res)
    assert "true effects" in capsys.readouterr().out


def test_formatting_once_per_distinct_value_gives_each_values_own_text():
    v = np.array([88.0, 0.1 + 0.2, 0.3, -0.0, 0.0, np.nan, 1e6, 88.0, 12.5])
    for fmt in ("{:g}", "{:.2f}", "{:g}万+"):
        assert gen._fmt(v, fmt).tolist() == [fmt.format(x) for x in v]
    assert gen._fmt(np.array([]), "{:g}").tolist() == []
