"""Intervals vs statsmodels, sensitivity, Kaplan-Meier and logit AMEs vs get_margeff."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.proportion import proportion_confint

from lsimpact.errors import InputError
from lsimpact.models.logit import average_marginal_effects, fit_logit
from lsimpact.models.proportions import adoption_curve, proportion_ci, sensitivity, shares


@pytest.mark.parametrize("method", ["wilson", "beta"])
def test_proportion_ci_matches_statsmodels(method):
    k = np.array([0, 1, 7, 19, 20, 391, 1])
    n = np.array([20, 20, 20, 20, 20, 445, 1])
    low, high = proportion_ci(k, n, method=method)
    ref_low, ref_high = proportion_confint(k, n, alpha=0.05, method=method)
    np.testing.assert_allclose(low, ref_low, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, rtol=1e-10, atol=1e-12)
    low90, _ = proportion_ci(7, 20, alpha=0.1, method=method)
    assert low90 == pytest.approx(proportion_confint(7, 20, alpha=0.1, method=method)[0])


def test_wilson_by_hand():
    # k=8, n=10, z=1.959964: centre (0.8 + z^2/20)/(1 + z^2/10), textbook value 0.4902..0.9433
    low, high = proportion_ci(8, 10)
    assert (round(float(low), 4), round(float(high), 4)) == (0.4902, 0.9433)
    with pytest.raises(InputError):
        proportion_ci(1, 2, method="wald")
    with pytest.raises(InputError, match="between 0 and"):
        proportion_ci([3, 1], [1, 2])


def test_shares_overall_and_by_group():
    df = pd.DataFrame({"g": [1, 1, 1, 2, 2], "t": [True, True, False, False, True]})
    t = shares(df, "t", by="g", labels={1: "one"}).table
    assert t["group"].tolist() == ["All", "one", "2"]
    assert t["n"].tolist() == [5, 3, 2] and t["count"].tolist() == [3, 2, 1]
    np.testing.assert_allclose(
        t["conf_low"], proportion_confint([3, 2, 1], [5, 3, 2], method="wilson")[0]
    )


def test_sensitivity_counts():
    df = pd.DataFrame({"creators": [0, 1, 5, 10, 50, None]})
    t = sensitivity(df, [10, 1, 100]).table
    assert t["threshold"].tolist() == [1, 10, 100]
    assert t["count"].tolist() == [4, 2, 0] and (t["n"] == 6).all()  # missing meets nothing


def test_adoption_curve_matches_statsmodels_km():
    rng = np.random.default_rng(3)
    n = 200
    day = rng.integers(0, 400, size=n)
    dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(day, unit="D")
    never = rng.random(n) < 0.3
    cens = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(200, 400, size=n), unit="D")
    df = pd.DataFrame({"first_seen": dates.where(~never), "end": cens})
    curve = adoption_curve(df, censor_col="end", end="2021-02-04").table
    t = np.where(
        df["first_seen"].notna() & (df["first_seen"] <= df["end"]), df["first_seen"], df["end"]
    )
    time = (pd.to_datetime(t) - pd.Timestamp("2020-01-01")).days.to_numpy()
    event = (df["first_seen"].notna() & (df["first_seen"] <= df["end"])).to_numpy()
    ref = SurvfuncRight(time, event.astype(int))
    days = (curve["date"] - pd.Timestamp("2020-01-01")).dt.days.to_numpy()
    np.testing.assert_array_equal(days, ref.surv_times)
    np.testing.assert_allclose(1 - curve["adopted"], ref.surv_prob, rtol=1e-12)
    np.testing.assert_allclose(curve["std_error"], ref.surv_prob_se, rtol=1e-10)
    np.testing.assert_array_equal(curve["n_at_risk"], ref.n_risk)


def test_adoption_curve_without_censoring_is_the_ecdf():
    df = pd.DataFrame(
        {
            "first_seen": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-03-01", None, None]),
            "g": ["a", "a", "b", "b", "b"],
        }
    )
    t = adoption_curve(df, by="g", end="2020-12-31").table
    allc = t[t["group"] == "All"]
    assert allc["adopted"].tolist() == pytest.approx([0.4, 0.6])
    assert t[t["group"] == "b"]["adopted"].tolist() == pytest.approx([1 / 3])
    assert t[t["group"] == "a"]["adopted"].tolist() == pytest.approx([1.0])


@pytest.fixture(scope="module")
def logit_data():
    rng = np.random.default_rng(11)
    n = 600
    g = rng.integers(1, 4, size=n)
    x = rng.normal(size=n)
    d = rng.random(n) < 0.4
    eta = 0.3 + np.select([g == 1, g == 3], [-0.8, 0.7], 0.0) + 0.9 * x + 0.6 * d
    y = rng.random(n) < 1 / (1 + np.exp(-eta))
    return pd.DataFrame({"y": y, "g": g, "x": x, "d": d})


def test_ame_derivatives_match_get_margeff(logit_data):
    r = fit_logit(logit_data, "y ~ C(g, Treatment(reference=2)) + x + d")
    res = r.fitted
    mine = average_marginal_effects(
        res.params.to_numpy(),
        res.cov_params().to_numpy(),
        res.model.exog,
        list(res.model.exog_names),
        discrete=False,
    )
    ref = res.get_margeff(at="overall", method="dydx", dummy=False)
    np.testing.assert_allclose(mine["estimate"], ref.margeff, rtol=1e-8)
    np.testing.assert_allclose(mine["std_error"], ref.margeff_se, rtol=1e-4)


def test_ame_discrete_binary_matches_get_margeff(logit_data):
    r = fit_logit(logit_data, "y ~ x + d")
    ref = r.fitted.get_margeff(at="overall", method="dydx", dummy=True)
    np.testing.assert_allclose(r.ame["estimate"], ref.margeff, rtol=1e-8)
    np.testing.assert_allclose(r.ame["std_error"], ref.margeff_se, rtol=1e-4)


def test_ame_factor_contrast_by_counterfactual_prediction(logit_data):
    r = fit_logit(logit_data, "y ~ C(g, Treatment(reference=2)) + x + d")
    res = r.fitted
    data = logit_data.assign(d=logit_data["d"].astype(int))
    base = res.predict(data.assign(g=2))
    for level in (1, 3):
        want = float(np.mean(res.predict(data.assign(g=level)) - base))
        got = r.term(f"C(g, Treatment(reference=2))[T.{level}]")["estimate"]
        assert r.ame.set_index("term").loc[
            f"C(g, Treatment(reference=2))[T.{level}]", "estimate"
        ] == pytest.approx(want, rel=1e-10)
        assert got != pytest.approx(want)  # the log-odds coefficient is not the AME
    # Delta-method SE against a numerical gradient of the same contrast.
    b0 = res.params.to_numpy()
    X = res.model.exog
    j = list(res.model.exog_names).index("C(g, Treatment(reference=2))[T.3]")

    def contrast(b):
        X1, X0 = X.copy(), X.copy()
        X1[:, 1:3] = 0
        X0[:, 1:3] = 0
        X1[:, j] = 1
        return np.mean(1 / (1 + np.exp(-X1 @ b)) - 1 / (1 + np.exp(-X0 @ b)))

    eps = 1e-6
    grad = np.array(
        [(contrast(b0 + eps * e) - contrast(b0 - eps * e)) / (2 * eps) for e in np.eye(len(b0))]
    )
    se = np.sqrt(grad @ res.cov_params().to_numpy() @ grad)
    row = r.ame.set_index("term").loc["C(g, Treatment(reference=2))[T.3]"]
    assert row["std_error"] == pytest.approx(se, rel=1e-5)


def test_fit_logit_bad_formula(logit_data):
    with pytest.raises(InputError, match="cannot fit"):
        fit_logit(logit_data, "y ~ nope")
