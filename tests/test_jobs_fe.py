"""feols (pyfixest) against statsmodels OLS with explicit dummies on a small panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from lsimpact.errors import InputError
from lsimpact.models.fe import feols


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    # 8 units x 6 periods, unbalanced by one row, with unit and period effects correlated
    # with x so that omitting them would bias the slope.
    rng = np.random.default_rng(20240501)
    unit = np.repeat(np.arange(8), 6)
    year = np.tile(np.arange(2018, 2024), 8)
    a = rng.normal(size=8)[unit]
    g = rng.normal(size=6)[year - 2018]
    x = 0.8 * a + 0.5 * g + rng.normal(size=48)
    z = rng.normal(size=48)
    y = 1.5 * x - 0.7 * z + 2 * a + g + rng.normal(scale=0.5, size=48)
    df = pd.DataFrame({"unit": unit, "year": year, "x": x, "z": z, "y": y})
    return df.drop(index=5).reset_index(drop=True)


def _reference(df: pd.DataFrame, **fit_kw):
    return smf.ols("y ~ x + z + C(unit) + C(year)", data=df).fit(**fit_kw)


def test_point_estimates_equal_explicit_dummies(panel):
    ref = _reference(panel)
    res = feols(panel, "y ~ x + z | unit + year")
    for term in ("x", "z"):
        assert res.term(term)["estimate"] == pytest.approx(ref.params[term], abs=1e-8)
    assert res.n_obs == len(panel)


def test_iid_standard_errors_equal_statsmodels(panel):
    ref = _reference(panel)
    # ssc="full" counts every dummy in k, i.e. statsmodels' own residual df N - k.
    res = feols(panel, "y ~ x + z | unit + year", ssc="full")
    for term in ("x", "z"):
        assert res.term(term)["std_error"] == pytest.approx(ref.bse[term], abs=1e-8)


def test_cluster_se_full_ssc_equals_statsmodels(panel):
    ref = _reference(panel, cov_type="cluster", cov_kwds={"groups": panel["unit"]}, use_t=True)
    res = feols(panel, "y ~ x + z | unit + year", cluster="unit", ssc="full")
    ci = ref.conf_int()
    for term in ("x", "z"):
        row = res.term(term)
        assert row["std_error"] == pytest.approx(ref.bse[term], abs=1e-8)
        # both use the t distribution with G-1 = 7 degrees of freedom
        assert row["p_value"] == pytest.approx(ref.pvalues[term], abs=1e-8)
        assert row["conf_low"] == pytest.approx(ci.loc[term, 0], abs=1e-8)
    assert res.extra["Clusters"] == 8
    assert "unit" in res.vcov


def test_cluster_se_default_ssc_differs_by_known_factor(panel):
    # Default ("fixest"): unit dummies are nested in the unit clusters and not counted in
    # k, so V_default / V_full = (N - k_full) / (N - k_nonnested).
    full = feols(panel, "y ~ x + z | unit + year", cluster="unit", ssc="full")
    default = feols(panel, "y ~ x + z | unit + year", cluster="unit")
    n = len(panel)
    k_full = 2 + 7 + 5 + 1  # slopes + (units-1) + (years-1) + intercept
    k_nonnested = 2 + 5 + 1  # the unit dummies are nested in the clusters
    ratio = np.sqrt((n - k_full) / (n - k_nonnested))
    for term in ("x", "z"):
        assert default.term(term)["std_error"] == pytest.approx(
            full.term(term)["std_error"] * ratio, rel=1e-8
        )


def test_hetero_and_result_shape(panel):
    res = feols(panel, "y ~ x + z | unit + year", vcov="hetero")
    tidy = res.tidy()
    assert list(tidy["term"]) == ["x", "z"]
    assert "HC1" in res.vcov
    assert 0 < res.extra["R² within"] < res.extra["R²"] <= 1


def test_missing_rows_are_dropped_and_counted(panel):
    df = panel.copy()
    df.loc[3, "x"] = np.nan
    res = feols(df, "y ~ x + z | unit + year", cluster="unit")
    assert res.n_obs == len(df) - 1
    assert res.extra["Rows dropped (NA/singletons)"] == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"formula": "y ~ w | unit"}, "not in the data"),
        ({"formula": "y ~ x | unit", "cluster": "prov"}, "not in the data"),
        ({"formula": "y x"}, "no '~'"),
        ({"formula": "y ~ x", "cluster": "unit", "vcov": "iid"}, "either"),
        ({"formula": "y ~ x", "ssc": "stata"}, "unknown ssc"),
    ],
)
def test_bad_input_raises_input_error(panel, kwargs, match):
    with pytest.raises(InputError, match=match):
        feols(panel, **kwargs)


def test_non_numeric_regressor_is_input_error(panel):
    df = panel.assign(x=panel["x"].astype(str))
    with pytest.raises(InputError, match="not numeric"):
        feols(df, "y ~ x | unit")
