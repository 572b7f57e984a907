"""followers_daily / followers_published: hand-computed cleaning results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lsimpact import catalog, datasets
from lsimpact.clean.followers import (
    clean_published,
    clean_snapshots,
    detect_glitches,
)
from lsimpact.errors import InputError
from lsimpact.synth import followers_daily as followers

LOG = pd.DataFrame(
    [
        # account, followers as shown, capture time
        ("a", "1000", "2024-01-01 08:00:00"),
        ("a", "1010", "2024-01-01 20:00:00"),
        ("a", "1010", "2024-01-01 20:00:00"),  # exact duplicate
        ("a", "0", "2024-01-02 08:00:00"),  # glitch: 0
        ("a", "1.02万", "2024-01-02 12:00:00"),  # 10200: off by x10 and reverts -> glitch
        ("a", "1,020", "2024-01-02 20:00:00"),
        ("a", "１０３０", "2024-01-04 09:00:00"),  # full width; 01-03 is a gap
        ("a", "oops", "2024-01-04 10:00:00"),  # unreadable count
        ("b", "2万+", "2024-01-01 10:00:00"),  # lower bound
        ("b", "20050", "2024-01-01 09:00:00"),  # exact, earlier: preferred to the bound
        ("b", "2.01w", "2024-01-01T15:30:00Z"),  # UTC 15:30 = 23:30 Beijing, same day
        ("b", "20200", "2024-01-01T16:30:00Z"),  # UTC 16:30 = 00:30 Beijing, next day
        ("b", "20300", "not a time"),
    ],
    columns=["账号", "粉丝数", "采集时间"],
)


def test_hand_log_daily_values_and_accounting():
    c = clean_snapshots(LOG, platform="douyin")
    s = c.summary
    assert (s.input_rows, s.duplicate_rows, s.quarantined_rows, s.used_rows) == (13, 1, 4, 8)
    d = c.data.set_index(["account_id", "date"])
    a = d.loc["a"]
    assert list(a.index.strftime("%m-%d")) == ["01-01", "01-02", "01-03", "01-04"]
    assert a["followers"].tolist()[:2] == [1010.0, 1020.0]
    assert np.isnan(a["followers"].iloc[2]) and a["n_snapshots"].iloc[2] == 0
    assert a["followers"].iloc[3] == 1030.0
    assert a["n_glitches"].tolist() == [0, 2, 0, 0]
    assert a["glitch"].tolist() == [False, True, False, False]
    assert a["net_change"].iloc[1] == 10.0 and np.isnan(a["net_change"].iloc[3])
    assert a["net_change_since"].iloc[1] == pd.Timestamp("2024-01-01")
    b = d.loc["b"]
    # last *exact* snapshot of 01-01 is the UTC one at 23:30 Beijing (20100), not "2万+"
    assert b["followers"].tolist() == [20100.0, 20200.0]
    assert not b["lower_bound"].any()
    q = c.quarantine
    assert q["source_row"].tolist() == [5, 6, 9, 14]
    assert q["reason"].str.startswith("scrape glitch").tolist() == [True, True, False, False]
    assert "count" in q["reason"].iloc[2] and "time" in q["reason"].iloc[3]
    assert c.data["platform"].eq("douyin").all()


def test_fill_loglinear_is_flagged_and_geometric():
    c = clean_snapshots(LOG, fill="loglinear")
    a = c.data[c.data["account_id"] == "a"].reset_index(drop=True)
    assert a["imputed"].tolist() == [False, False, True, False]
    assert a.loc[2, "followers"] == round(np.sqrt(1020 * 1030))
    assert a.loc[3, "net_change"] == 1030 - round(np.sqrt(1020 * 1030))
    # a gap longer than max_gap stays missing
    c2 = clean_snapshots(LOG, fill="loglinear", max_gap=0)
    assert not c2.data["imputed"].any()


def test_only_lower_bounds_flag_the_day_and_median_option():
    log = pd.DataFrame(
        {
            "account_id": ["x"] * 3,
            "followers": ["5万+", "51000", "52000"],
            "captured_at": ["2024-01-01 01:00", "2024-01-02 01:00", "2024-01-02 02:00"],
        }
    )
    c = clean_snapshots(log)
    assert c.data["lower_bound"].tolist() == [True, False]
    assert c.data["followers"].tolist() == [50000.0, 52000.0]
    assert clean_snapshots(log, how="median").data["followers"].tolist() == [50000.0, 51500.0]


def test_detect_glitches_rule():
    acc = np.array([0, 0, 0, 0, 0, 1, 1, 2, 2, 2])
    v = np.array([100.0, 1000.0, 101.0, 0.0, 102.0, 50.0, 500.0, 9.0, 90.0, 91.0])
    g, _ = detect_glitches(acc, v)
    # x10 between agreeing neighbours; a 0; two snapshots: undecidable; a first one off
    # from the next two that agree
    assert g.tolist() == [False, True, False, True, False, False, False, True, False, False]


def test_missing_columns_raise_input_error():
    with pytest.raises(InputError, match="followers"):
        clean_snapshots(pd.DataFrame({"account_id": ["a"], "captured_at": ["2024-01-01"]}))


def test_generated_log_glitches_found_and_accounting(tmp_path):
    raw, truth = followers(
        seed=5, n_accounts=30, n_brand=3, n_host=3, n_days=40, start="2023-11-20", glitch_rate=0.02
    )
    path = tmp_path / "log.csv"
    raw.to_csv(path, index=False)
    c = datasets.clean_file("followers_daily", path, tmp_path / "out.parquet")
    assert c.summary.duplicate_rows == truth["n_duplicates"]
    assert c.quarantine["reason"].str.startswith("scrape glitch").sum() == truth["n_glitches"]
    assert c.summary.quarantined_rows == truth["n_glitches"]
    assert (tmp_path / "out.quarantine.csv").is_file()
    assert not c.data.duplicated(["platform", "account_id", "date"]).any()
    # every glitch-free day's value is within display rounding of the day's snapshots
    assert (c.data["followers"].dropna() > 1e4).all()


def test_published_points_in_panel_format():
    c = clean_published(catalog.load("published_figures"))
    d = c.data
    assert d["sparse"].all() and d["source"].str.len().gt(0).all()
    assert d["source_url"].str.startswith("http").all()
    row = d[
        (d["account_id"] == "east_buy_main") & (d["date"] == "2023-12-16") & d["followers"].notna()
    ].iloc[0]
    assert row["followers"] == 28_438_000
    assert row["net_change"] == 28_438_000 - 31_086_000
    assert row["net_change_since"] == pd.Timestamp("2023-12-12")
    chg = d[
        (d["account_id"] == "east_buy_main") & (d["date"] == "2023-12-16") & d["followers"].isna()
    ].iloc[0]
    assert chg["net_change"] == -2_000_000 and chg["lower_bound"]
    assert chg["net_change_since"] == pd.Timestamp("2023-12-14")
    assert set(d["group"]) == {"brand", "host"}
    c.summary.check()


def test_cli_cleans_a_chinese_header_gbk_export(tmp_path, capsys):
    from lsimpact import cli

    raw, truth = followers(
        seed=2, n_accounts=10, n_brand=2, n_host=2, n_days=20, start="2023-12-01", launch=None
    )
    raw = raw.rename(
        columns={
            "platform": "平台",
            "account_id": "账号ID",
            "account_name": "账号名称",
            "group": "分组",
            "followers": "粉丝数",
            "captured_at": "采集时间",
        }
    )
    src = tmp_path / "导出.csv"
    raw.to_csv(src, index=False, encoding="gb18030")
    out = tmp_path / "daily.parquet"
    assert cli.main(["clean", "followers_daily", str(src), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{len(raw):,} input rows" in printed
    daily = pd.read_parquet(out)
    assert daily["account_id"].nunique() == 10 and set(daily["group"]) == {
        "brand",
        "host",
        "control",
    }
    q = pd.read_csv(tmp_path / "daily.quarantine.csv")
    assert len(q) == truth["n_glitches"]


def test_progress_bar_quiet_off_terminal():
    from lsimpact.clean.followers import _progress

    assert _progress(10, "x", None).disable  # pytest's stderr is not a terminal
    assert not _progress(10, "x", True).disable


def test_header_unit_in_brackets_scales_the_counts():
    log = pd.DataFrame(
        {
            "昵称": ["甲", "甲"],
            "粉丝数（万）": ["3116.0", "3108.6"],
            "采集时间": ["2023-12-12 20:00", "2023-12-13 20:00"],
            "分组": ["brand"] * 2,
        }
    )
    d = clean_snapshots(log).data
    assert d["followers"].tolist() == [31_160_000.0, 31_086_000.0]
    assert d["net_change"].iloc[1] == -74_000.0 and d["group"].iloc[0] == "brand"
    assert d["account_id"].iloc[0] == "甲"
