"""prices_daily on the chunked and Dask engines: equal to the in-memory cleaner, value for
value and quarantine row for quarantine row, on the shipped log and on a generated log
with name-only rows, ambiguous names, channel_type contradictions and unit conflicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lsimpact import catalog, cli, datasets, engines
from lsimpact.clean import prices
from lsimpact.io import read_table
from lsimpact.synth import prices_daily_gen

SPEC = datasets.get("prices_daily")


def _messy_log() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small simulated log and its calendar, with every cross-row rule made to bite."""
    sim = prices_daily_gen.simulate(seed=5, n_products=20, n_purchases=10)
    raw, sessions = sim["observations"].copy(), sim["sessions"]
    rng = np.random.default_rng(1)
    # channel_type contradictions: a few rows of the other platform's store say "live"
    # (minority: refused), and a channel whose rows split 2:1 across products
    other = raw.index[raw["channel"].eq("综合电商自营")]
    raw.loc[rng.choice(other, 15, replace=False), "channel_type"] = "直播"
    extra = raw[raw["product_id"].isin(["P0002", "P0003", "P0004"])].head(9).copy()
    extra["channel"] = "新渠道"
    extra["channel_type"] = ["store", "store", "live"] * 3
    # unit conflicts: a per-斤 price on products priced per item elsewhere
    items = raw.index[
        raw["pack"].str.contains("只|瓶|盒|袋", regex=True) & raw["product_id"].ne("")
    ]
    odd = rng.choice(items, 10, replace=False)
    raw.loc[odd, "paid_price"] = "30元/斤"
    raw.loc[odd, "list_price"] = ""  # else the list price's unit differs first
    # an ambiguous name: a second id with P0005's name, brand and pack
    twin = raw[raw["product_id"].eq("P0005")].head(3).copy()
    twin["product_id"] = "P9005"
    # name-only rows: some aligned to an id, some under a name: key (a product never
    # seen with an id), some ambiguous (the twin's key)
    named = raw[raw["product_id"].eq("P0006")].head(4).copy()
    named["product_id"] = ""
    new = named.copy()
    new["product_name"] = "无ID新品"
    amb = raw[raw["product_id"].eq("P0005")].head(2).copy()
    amb["product_id"] = ""
    amb["observed_at"] = "2023-10-20 09:00:00"
    # spellings the cleaner normalises: a full-width id stays the same product
    wide = raw[raw["product_id"].eq("P0007")].head(3).copy()
    wide["product_id"] = "Ｐ0007"
    wide["observed_at"] = "2023-10-21 10:00:00"
    raw = pd.concat([raw, extra, twin, named, new, amb, wide], ignore_index=True)
    raw = raw.sample(frac=1.0, random_state=3).reset_index(drop=True)  # ids spread out
    return raw, sessions


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    d = tmp_path_factory.mktemp("prices")
    raw, sessions = _messy_log()
    log, cal = d / "log.csv", d / "sessions.csv"
    raw.to_csv(log, index=False)
    sessions.to_csv(cal, index=False)
    mem = datasets.clean_file("prices", log, engine="pandas", paired={"live_sessions": cal})
    return log, cal, mem


def _assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)
    pd.testing.assert_frame_equal(a.quarantine, b.quarantine, check_exact=True)
    assert a.summary.as_dict() == b.summary.as_dict()


def test_the_messy_log_exercises_every_cross_row_rule(messy):
    _, _, mem = messy
    reasons = mem.quarantine["reason"]
    assert reasons.str.startswith("channel_type contradicts").sum() >= 15
    assert reasons.str.contains("where this product's other rows are per").sum() >= 10
    assert reasons.str.contains("match several product_ids").sum() >= 2
    assert mem.summary.duplicate_rows > 0
    assert mem.data["product_id"].str.startswith("name:").any()
    assert mem.data["promoted"].any()
    assert "P0007" in set(mem.data["product_id"]) and "Ｐ0007" not in set(mem.data["product_id"])


@pytest.mark.parametrize("n_buckets", [1, 2, 5, 13])
def test_chunked_equals_in_memory(messy, n_buckets):
    log, cal, mem = messy
    got = engines.clean_chunked(
        SPEC,
        log,
        options=datasets.resolve_options(SPEC),
        n_buckets=n_buckets,
        batch_rows=997,  # the key pre-pass and the buckets span many batches
        paired=[read_table(cal)],
    )
    got.data = datasets.schemas.validate(got.data, SPEC.schema(), dataset=SPEC.name)
    _assert_same(mem, got)


def test_chunked_through_clean_file_with_and_without_the_calendar(messy):
    log, cal, mem = messy
    _assert_same(
        mem, datasets.clean_file("prices", log, engine="chunked", paired={"live_sessions": cal})
    )
    alone = datasets.clean_file("prices", log, engine="pandas", second_item_quantity=2)
    _assert_same(
        alone, datasets.clean_file("prices", log, engine="chunked", second_item_quantity=2)
    )


def test_shipped_log_chunked_equals_in_memory(tmp_path):
    log, cal = tmp_path / "log.csv", tmp_path / "sessions.csv"
    catalog.load("prices_observations").to_csv(log, index=False)
    catalog.load("live_sessions").to_csv(cal, index=False)
    paired = {"live_sessions": cal}
    mem = datasets.clean_file("prices", log, engine="pandas", paired=paired)
    for n in (3, 8):
        got = engines.clean_chunked(
            SPEC,
            log,
            options=datasets.resolve_options(SPEC),
            n_buckets=n,
            batch_rows=4000,
            paired=[catalog.load("live_sessions")],
        )
        got.data = datasets.schemas.validate(got.data, SPEC.schema(), dataset=SPEC.name)
        _assert_same(mem, got)


def test_partition_hash_keeps_what_the_rules_compare_together():
    raw = pd.DataFrame(
        {
            "product_id": ["A", "", "B", "C", "D", "E", "", "ｃ"],
            "product_name": ["虾", "虾", "米", "油", "盐", "茶", "新品", "油"],
            "brand": ["x"] * 8,
            "channel": ["s1", "s1", "s1", "s2", "s2", "s3", "s3", "s1"],
            "channel_type": ["store", "store", "store", "store", "live", "store", "store", "store"],
            "observed_at": ["2024-01-01 10:00"] * 8,
            "paid_price": ["10"] * 8,
            "pack": ["500g", "500g", "1kg", "1L", "1kg", "100g", "1kg", "1L"],
        }
    )
    keys = pd.concat([prices.entity_keys(raw.iloc[:4]), prices.entity_keys(raw.iloc[4:])])
    h = prices.entity_hasher(keys)(raw)
    assert h.dtype == np.uint64
    assert h[0] == h[1]  # a name-only row goes with the id that has its name + pack
    assert h[3] == h[4] == h[7]  # channel s2 is contested: C and D together; ｃ is C
    assert h[0] != h[3] and h[5] != h[6] and h[2] != h[5]  # uncontested: by product
    np.testing.assert_array_equal(h, prices.entity_hash(raw))


def test_dask_engine_equals_pandas_on_a_local_cluster(messy, tmp_path):
    pytest.importorskip("distributed")
    log, cal, mem = messy
    out = tmp_path / "daily"
    res = datasets.clean_file("prices", log, out, engine="dask", paired={"live_sessions": cal})
    got = (
        res.data.compute()
        .sort_values(["product_id", "channel", "date"], kind="stable")
        .reset_index(drop=True)
    )
    # values equal; pack_unit is an object column in memory and text after Parquet
    pd.testing.assert_frame_equal(mem.data, got, check_exact=True, check_dtype=False)
    assert (mem.data.dtypes.drop("pack_unit") == got.dtypes.drop("pack_unit")).all()
    pd.testing.assert_frame_equal(mem.quarantine, res.quarantine, check_exact=True)
    assert mem.summary.as_dict() == res.summary.as_dict()


def test_cli_clean_prices_on_dask(messy, tmp_path, capsys):
    pytest.importorskip("distributed")
    log, cal, mem = messy
    out = tmp_path / "cli"
    args = ["clean", "prices", str(log), "--engine", "dask", "-o", str(out)]
    assert cli.main([*args, "--with", f"live_sessions={cal}"]) == 0
    assert "engine dask" in capsys.readouterr().out
    got = pd.read_parquet(out).sort_values(["product_id", "channel", "date"], kind="stable")
    pd.testing.assert_frame_equal(
        mem.data, got.reset_index(drop=True), check_exact=True, check_dtype=False
    )
    q = pd.read_csv(tmp_path / "cli.quarantine.csv")
    assert len(q) == len(mem.quarantine) and (tmp_path / "cli.summary.json").is_file()
