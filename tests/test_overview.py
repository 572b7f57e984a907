"""Overview figures' numbers against hand computation on the published figures."""

from __future__ import annotations

import pytest

import lsimpact
from lsimpact.studies import overview


@pytest.fixture(scope="module")
def figures():
    return lsimpact.load("published_figures")


def test_live_sales_share_of_online_retail(figures):
    t = overview.live_sales_vs_retail(figures).set_index("period")
    # MOFCOM 1.27 tn live sales / NBS 7.16 tn online retail, H1 2023
    assert t.loc["2023-H1", "live_share_of_online_retail_pct"] == pytest.approx(100 * 1.27 / 7.16)
    # Jan-Sep 2023: 1.98 / 10.8 -> 18.3%, which MOFCOM rounds to "18%"
    assert t.loc["2023-01..2023-09", "live_share_of_online_retail_pct"] == pytest.approx(
        18.33, abs=0.01
    )
    # Jan-Oct 2023 sales are a lower bound ("over 2.2 tn") and published by two outlets once
    assert bool(t.loc["2023-01..2023-10", "live_lower_bound"])
    assert t.index.is_unique


def test_platform_jobs_are_per_study(figures):
    fig, sources, jobs = overview.plot_platform_jobs(figures)
    k = jobs[jobs["platform"] == "Kuaishou"]
    assert sorted(k["jobs_persons"] / 1e6) == pytest.approx([34.63, 36.0, 36.21, 43.2])
    assert k.loc[k["period"] == "2022-12-31", "lower_bound"].item()
    assert any("Renmin" in s for s in sources)
