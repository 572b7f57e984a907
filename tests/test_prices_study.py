"""The prices study's recipes on the shipped (synthetic) tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lsimpact
from lsimpact import catalog
from lsimpact.errors import InputError
from lsimpact.studies import prices as study


@pytest.fixture(scope="module")
def panel():
    return lsimpact.load("prices_daily")


def test_cleaned_panel_keeps_each_products_attributes(panel):
    raw = catalog.load("prices_observations")
    raw = raw[raw["product_id"] != ""].drop_duplicates("product_id").set_index("product_id")
    for col in ("category", "product_name", "brand"):
        assert (panel[col].to_numpy() == panel["product_id"].map(raw[col]).to_numpy()).all(), col


def test_purchases_table_types_and_provenance():
    p = study.purchases_table()
    assert len(p) == 15_000
    assert p["purchased_at"].dtype == "datetime64[ns]"
    assert p["paid_price"].gt(0).all() and p["quantity"].ge(1).all()
    assert p.attrs["inputs"] == {"purchases": catalog.expected_hash(catalog.resource("purchases"))}


def test_purchases_table_refuses_an_unreadable_row(tmp_path):
    raw = catalog.load("purchases").head(3).copy()
    raw.loc[1, "paid_price"] = "面议"
    f = tmp_path / "buys.csv"
    raw.to_csv(f, index=False)
    with pytest.raises(InputError, match="row 3: paid_price"):
        study.purchases_table(f)


def test_protection_prices_turn_unit_prices_back_into_pack_prices(panel):
    ref = study.protection_prices(panel)
    shrimp = ref[(ref["product_id"] == "P0001") & (ref["channel"] == "鲜选直播间")]
    day = shrimp[shrimp["observed_at"] == pd.Timestamp("2023-12-16 23:59:59")]
    assert day["paid_price"].tolist() == [88.0]  # 88 yuan/kg x 1 kg pack
    # purchases' per-pack prices agree with the panel's on observed days
    buys = study.purchases_table()
    m = buys.assign(observed_at=buys["purchased_at"].dt.normalize() + pd.Timedelta("23:59:59"))
    m = m.merge(ref, on=["product_id", "channel", "observed_at"], suffixes=("", "_ref"))
    assert len(m) > 3000
    assert np.mean(np.isclose(m["paid_price"], m["paid_price_ref"], atol=0.02)) > 0.99


def test_published_windows_and_motives():
    pub = lsimpact.load("published_figures")
    assert study.protection_windows(pub) == [7, 15, 30]
    assert study.protection_windows(pub, longest=90) == [7, 15, 30, 90]
    mot = study.buying_motives(pub)
    assert mot["share_pct"].iloc[0] == pytest.approx(60.1)
    assert study.published_discount_range(pub) == (30.0, 60.0)


def test_wholesale_groups_match_by_name(panel):
    whole = lsimpact.load("wholesale_prices")
    g = study.wholesale_groups(panel, whole)
    assert g["P0001"] == "南美白虾"
    names = panel.drop_duplicates("product_id").set_index("product_id")["product_name"]
    assert all(grp in names[pid] for pid, grp in g.items())
