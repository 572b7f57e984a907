"""Jobs pipeline: synthetic panel truth, cleaners, indicators, elasticity."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from lsimpact import catalog
from lsimpact.clean import jobs, published
from lsimpact.clean.province_panel import clean_province_panel
from lsimpact.contract import source_rows
from lsimpact.errors import InputError
from lsimpact.models import loglog_elasticity
from lsimpact.studies import jobs as indicators
from lsimpact.studies.jobs import jobs_gmv_pairs, penetration_regressions
from lsimpact.synth.province_panel_gen import NATIONAL_ANCHORS, province_panel, to_csv_bytes


@pytest.fixture(scope="module")
def pub() -> pd.DataFrame:
    return published.clean(catalog.load("published_figures")).data


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return clean_province_panel(catalog.load("province_panel")).data


# --- synthetic panel ----------------------------------------------------------------------
def test_shipped_panel_regenerates_from_catalogued_seed():
    res = catalog.resource("province_panel")
    assert res["synthetic"] is True and res["generator"] == "lsimpact.synth.province_panel"
    t = res["true_effects"]
    df, truth = province_panel(
        seed=res["seed"], effect_employment=t["effect_employment"], effect_income=t["effect_income"]
    )
    assert hashlib.sha256(to_csv_bytes(df)).hexdigest() == catalog.expected_hash(res)
    assert truth["effect_employment"] == t["effect_employment"]


def test_national_anchors_match_published_figures(pub):
    users = pub[pub["series_id"] == "cnnic_internet_users"].set_index("period")["value"]
    for year in range(2020, 2025):
        a = NATIONAL_ANCHORS[year]
        assert a["users_how"] == "published"
        assert a["internet_users"] * 1e6 == pytest.approx(users[f"{year}-12-31"])
    ecl = pub[pub["series_id"] == "cnnic_ecommerce_live_users"].set_index("period")["value"]
    assert NATIONAL_ANCHORS[2020]["share"] == pytest.approx(
        100 * ecl["2020-12-31"] / users["2020-12-31"]
    )
    share22 = pub[pub["series_id"] == "cnnic_ecommerce_live_users_share_of_netizens"]
    assert NATIONAL_ANCHORS[2022]["share"] == share22["value"].iloc[0]


def test_panel_national_totals_consistent(panel):
    assert panel["province_code"].nunique() == 31
    assert sorted(panel["year"].unique()) == list(range(2018, 2025))
    g = panel.groupby("year")
    users = g["internet_users"].sum()
    weighted = (panel["internet_users"] * panel["live_commerce_penetration"]).groupby(
        panel["year"]
    ).sum() / users
    for year, a in NATIONAL_ANCHORS.items():
        assert users[year] == pytest.approx(a["internet_users"] * 1e6, abs=31)  # rounding
        assert weighted[year] == pytest.approx(a["share"], abs=0.005)  # 2-decimal rounding


@pytest.mark.parametrize(("outcome", "key"), [("log_employment", "effect_employment"),
                                              ("log_income", "effect_income")])  # fmt: skip
def test_twfe_recovers_true_effect(panel, outcome, key):
    truth = catalog.resource("province_panel")["true_effects"][key]
    omitted, ctrl, fd, lead = penetration_regressions(panel, outcome)
    row = ctrl.term("live_commerce_penetration")
    assert row["conf_low"] <= truth <= row["conf_high"]
    assert ctrl.n_obs == 217 and fd.n_obs == lead.n_obs == 31 * 6
    assert ctrl.extra["Clusters"] == 31
    # the omitted-GDP column is biased upwards by design (penetration grows with GDP)
    assert omitted.term("live_commerce_penetration")["estimate"] > row["estimate"]


def test_panel_cleaner_quarantines_bad_rows():
    raw = catalog.load("province_panel").head(10).copy()
    raw.loc[1, "employment"] = "n/a"
    raw.loc[2, "live_commerce_penetration"] = "120"
    raw = pd.concat([raw, raw.iloc[[0]]], ignore_index=True)  # exact duplicate
    c = clean_province_panel(raw)
    c.summary.check()
    assert (c.summary.quarantined_rows, c.summary.duplicate_rows) == (2, 1)
    assert list(c.quarantine["source_row"]) == [3, 4]
    # lag is missing after a quarantined year, not taken from two years back
    beijing = c.data[c.data["province_code"] == 11].set_index("year")
    assert 2020 not in beijing.index and np.isnan(beijing.loc[2021, "penetration_lag1"])


def test_panel_rows_the_schema_rejects_or_truncates_are_quarantined():
    """Non-integer year/code, unknown province code, urbanization > 100 and more internet
    users than residents go to the quarantine (named column), not truncated or fatal."""
    raw = catalog.load("province_panel").head(8).copy()
    raw.loc[0, "year"] = "2018.5"
    raw.loc[1, "province_code"] = "11.7"
    raw.loc[2, "province_code"] = "99"
    raw.loc[3, "urbanization_rate"] = "150"
    raw.loc[4, "internet_users"] = str(int(raw.loc[4, "population"]) + 1)
    raw.loc[5, "gdp_per_capita"] = "0"
    raw.loc[6, "population"] = "inf"
    c = clean_province_panel(raw)
    c.summary.check()
    assert c.summary.quarantined_rows == 7 and len(c.data) == 1
    assert list(c.quarantine["column"]) == [
        "year",
        "province_code",
        "province_code",
        "urbanization_rate",
        "internet_users",
        "gdp_per_capita",
        "population",
    ]
    from lsimpact.schemas import province_panel as schema

    schema().validate(c.data)


# --- platform_jobs ---------------------------------------------------------------------------
def test_platform_jobs_keeps_studies_apart():
    c = jobs.clean_platform_jobs(catalog.load("published_figures"))
    c.summary.check()
    d = c.data
    ks = d[(d["platform"] == "Kuaishou") & (d["category"] == "total") & (d["measure"] == "jobs")]
    assert sorted(ks["value"]) == [34.63e6, 36e6, 36.21e6, 43.2e6, 43.2e6]
    assert ks["source_org"].nunique() == 5
    assert not ks.loc[ks["period"] == "2022-03-02", "reference_period_stated"].iloc[0]
    per_gmv = d[d["measure"] == "jobs_per_gmv"]
    assert sorted(per_gmv["value"]) == [120.0, 1100.0]  # 1,200 per billion = 120 per 100m
    assert per_gmv["conflict"].any()
    assert d["source_url"].str.len().gt(0).all()


# --- user jobs format ------------------------------------------------------------------------
def test_parse_counts_as_written():
    s = pd.Series(["3,463万人", "34.63 million", "0.36亿", "超6455万", "more than 40 million",
                   "２０００万", "abc", ""])  # fmt: skip
    r = jobs.parse_counts(s)
    np.testing.assert_allclose(r["value"][:6], [34.63e6, 34.63e6, 36e6, 64.55e6, 40e6, 20e6])
    assert list(r["lower_bound"][:6]) == [False, False, False, True, True, False]
    assert r["error"][:6].isna().all() and r["error"][6:].notna().all()


def test_jobs_cleaner_accounting_and_quarantine():
    raw = pd.DataFrame(
        {
            "platform": ["快手", "快手", "", "抖音", "抖音", "抖音"],
            "region": ["全国"] * 6,
            "year": ["2024", "2024", "2024", "20x4", "2024", "2024"],
            "job_type": ["total", "total", "total", "total", "direct", "direct"],
            "jobs": ["4320万", "4320万", "1万", "1万", "4921万", "4800万"],
            "source": ["A", "A", "B", "C", "D", "E"],
        }
    )
    c = jobs.clean_jobs(raw)
    c.summary.check()
    assert (c.summary.used_rows, c.summary.quarantined_rows, c.summary.duplicate_rows) == (3, 2, 1)
    assert list(c.quarantine["reason"].str[:8]) == ["platform", "year is "]
    d = c.data.set_index(["platform", "category", "source_org"])
    assert d.loc[("Kuaishou", "total", "A"), "value"] == 43.2e6
    assert d.xs("Douyin")["conflict"].all()  # two sources disagree: both kept, flagged


def test_jobs_missing_column_is_input_error():
    with pytest.raises(InputError, match="missing column"):
        jobs.clean_jobs(pd.DataFrame({"platform": ["x"]}))


def test_clean_file_roundtrip(tmp_path):
    from lsimpact import datasets

    src = catalog.path("jobs_reported")
    out = tmp_path / "jobs.parquet"
    c = datasets.clean_file("jobs", src, out)
    assert out.is_file() and c.summary.output_rows == 11 and c.summary.quarantined_rows == 0
    assert pd.read_parquet(out)["value"].sum() == pytest.approx(c.data["value"].sum())


# --- indicators ------------------------------------------------------------------------------
def test_indicators_hand_computed():
    assert indicators.jobs_per_100m_yuan(43.2e6, 1.18e12) == pytest.approx(3661.0169, rel=1e-6)
    assert indicators.share_pct(388, 989) == pytest.approx(39.2315470, rel=1e-7)
    df = pd.DataFrame({"p": ["a", "a", "a", "b"], "year": [2020, 2021, 2023, 2021],
                       "value": [100.0, 125.0, 150.0, 10.0]})  # fmt: skip
    g = indicators.yoy_growth(df, by=["p"])
    assert g.iloc[1] == pytest.approx(25.0)
    assert np.isnan(g.iloc[0]) and np.isnan(g.iloc[2]) and np.isnan(g.iloc[3])  # gap, first
    np.testing.assert_allclose(indicators.half_unit(pd.Series([7.51, 1011.0, 24.9])),
                               [0.005, 0.5, 0.05])  # fmt: skip


def test_recomputed_shares_agree_with_published(pub):
    chk = indicators.share_checks(pub)
    assert len(chk) >= 30
    checked = chk[chk["agrees"].notna()]
    # the only disagreements are the conflicting short-video counts the shares refute:
    # the source's own share supports 962 (June 2022) and 1,012 million (Dec 2022)
    bad = checked[~checked["agrees"].astype(bool)]
    assert sorted(bad["part"] / 1e6) == pytest.approx([934, 1031])
    sv = checked[checked["part_series"] == "cnnic_short_video_users"]
    assert len(sv) == 9 and len(chk[chk["part_series"] == "cnnic_online_shopping_users"]) == 5
    ok = sv[sv["agrees"].astype(bool)]
    assert {962.0, 1012.0} <= set(ok["part"] / 1e6)
    # the 2020 physical-goods shares are listed, with no denominator in the table
    phys = chk[(chk["part_series"] == "nbs_online_retail_physical_goods") & chk["agrees"].isna()]
    assert set(phys["period"]) == {"2020", "2020-H1"}
    row = chk[(chk["part_series"] == "cnnic_live_users") & (chk["period"] == "2022-12-31")]
    # 751 / 1067 = 70.384 vs 70.3 published: within rounding of the three numbers
    assert row["recomputed_pct"].iloc[0] == pytest.approx(70.384255, rel=1e-6)
    assert row["published_pct"].iloc[0] == 70.3


def test_share_disagreement_is_reported(pub):
    bad = pub.copy()
    m = (bad["series_id"] == "cnnic_live_users") & (bad["period"] == "2022-12-31")
    bad.loc[m, "quote"] = "网络直播用户规模达7.51亿,占整体网民的72.0%"
    chk = indicators.share_checks(bad)
    row = chk[(chk["part_series"] == "cnnic_live_users") & (chk["period"] == "2022-12-31")]
    assert not row["agrees"].iloc[0]


# --- elasticity ------------------------------------------------------------------------------
def test_loglog_elasticity_matches_statsmodels_hc3():
    rng = np.random.default_rng(3)
    x = np.exp(rng.normal(size=12))
    y = 2.0 * x**0.5 * np.exp(rng.normal(scale=0.1, size=12))
    res = loglog_elasticity(pd.DataFrame({"y": y, "x": x}), "y", "x")
    ref = sm.OLS(np.log(y), sm.add_constant(np.log(x))).fit(cov_type="HC3", use_t=True)
    assert res.term("elasticity")["estimate"] == pytest.approx(ref.params[1], abs=1e-10)
    assert res.term("elasticity")["std_error"] == pytest.approx(ref.bse[1], abs=1e-10)
    assert res.vcov == "HC3" and "descriptive" in res.extra["Warning"]
    exact = loglog_elasticity(pd.DataFrame({"y": 3 * x**0.7, "x": x}), "y", "x")
    assert exact.term("elasticity")["estimate"] == pytest.approx(0.7, abs=1e-12)


def test_elasticity_on_published_pairs_is_small_n():
    pj = jobs.clean_platform_jobs(catalog.load("published_figures")).data
    pairs = jobs_gmv_pairs(pj)
    # Economic Daily's "more than 36 million" is the CAPS 36.21 million reprinted: one study
    assert len(pairs) == 3 and set(pairs["platform"]) == {"Kuaishou"}
    assert sorted(pairs["jobs"] / 1e6) == pytest.approx([34.63, 36.21, 43.2])
    caps = pairs[pairs["jobs"] == 36.21e6].iloc[0]
    assert "Economic Daily" in caps["duplicates"]
    # a study published in March 2022 describes 2021; March 2024 -> 2023 GMV, same year
    assert pairs.set_index("jobs_period").loc["2022-03-02", "year"] == 2021
    assert caps["year"] == 2023 and caps["gmv_year"] == 2023 and caps["year_gap"] == 0
    res = loglog_elasticity(pairs, "jobs", "gmv_yuan")
    assert res.n_obs == 3 and "N = 3" in res.extra["Warning"]
    with pytest.raises(InputError, match="cannot estimate"):
        loglog_elasticity(pairs.head(2), "jobs", "gmv_yuan")


def test_source_rows_used():
    assert list(source_rows(pd.DataFrame({"a": [1, 2]}))) == [2, 3]


def test_unknown_job_type_is_quarantined():
    raw = pd.DataFrame(
        {"platform": ["淘宝", "淘宝"], "region": ["全国"] * 2, "year": ["2021"] * 2,
         "job_type": ["weird", "直接"], "jobs": ["5", "6"], "source": ["Y"] * 2}
    )  # fmt: skip
    out = jobs.clean_jobs(raw)
    assert out.summary.quarantined_rows == 1
    assert out.quarantine.loc[0, "column"] == "job_type"
    assert out.data["category"].tolist() == ["direct"]


def test_growth_uses_the_published_rate_where_printed(pub):
    pj = jobs.clean_platform_jobs(catalog.load("published_figures")).data
    sales = pj[(pj["measure"] == "sales") & pj["period"].str.fullmatch(r"\d{4}")]
    annual = sales.drop_duplicates(["category", "year"]).sort_values(["category", "year"])
    g = indicators.growth_table(annual, pub)
    tot = g[g["category"] == "online_retail_total"].set_index("year")
    # NBS's published (revised-base) rates, not the ratios of two published levels
    assert list(tot.loc[[2021, 2022, 2023], "yoy_pct"]) == [14.1, 4.0, 11.0]
    assert tot.loc[2021, "computed_yoy_pct"] == pytest.approx(11.30, abs=0.01)
    assert set(tot.loc[[2021, 2022, 2023], "yoy_basis"]) == {"published"}
    assert tot.loc[2024, "yoy_basis"] == "computed from levels"
