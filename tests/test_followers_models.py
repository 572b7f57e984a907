"""ITS, event study and DiD: reference implementations, recovery of the true effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from lsimpact import catalog, datasets, models
from lsimpact.errors import InputError
from lsimpact.models.twfe import demean, twfe
from lsimpact.studies.followers import describe_comparison
from lsimpact.synth import followers_daily as followers

INCIDENT = "2023-12-14"


def _small_panel(seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Daily panel straight from a clean generated log (one snapshot a day)."""
    raw, truth = followers(
        seed=seed,
        n_accounts=40,
        n_brand=8,
        n_host=8,
        n_days=40,
        start="2023-11-20",
        launch=None,
        snapshots_per_day=1,
        messy=False,
    )
    p = pd.DataFrame(
        {
            "platform": raw["platform"],
            "account_id": raw["account_id"],
            "group": raw["group"],
            "date": pd.to_datetime(raw["captured_at"]).dt.normalize(),
            "followers": raw["followers"].astype(float),
            "imputed": False,
        }
    )
    return p, truth


@pytest.fixture(scope="module")
def shipped():
    res = catalog.resource("followers_snapshots")
    cleaned = datasets.run_cleaner(
        datasets.get("followers_daily"), [catalog.load("followers_snapshots")]
    )
    return cleaned.data, res["true_effects"]


def test_demean_balanced_one_pass_equals_two_way_formula():
    rng = np.random.default_rng(0)
    u, t = np.repeat(np.arange(5), 4), np.tile(np.arange(4), 5)
    x = rng.normal(size=20)
    m = pd.DataFrame({"x": x, "u": u, "t": t})
    expect = (
        x - m.groupby("u")["x"].transform("mean") - m.groupby("t")["x"].transform("mean") + x.mean()
    )
    np.testing.assert_allclose(demean(x, [u, t]), expect, atol=1e-12)


def test_event_study_equals_statsmodels_dummies_and_pyfixest():
    p, _ = _small_panel()
    # unbalanced: drop some account-days so that demeaning must iterate
    p = p.drop(index=p.sample(frac=0.1, random_state=1).index)
    es = models.event_study(p, INCIDENT, pre=5, post=6)
    d = p[(p["date"] - pd.Timestamp(INCIDENT)).dt.days.between(-5, 6)].copy()
    d["y"] = np.log(d["followers"])
    d["rel"] = (d["date"] - pd.Timestamp(INCIDENT)).dt.days
    names = []
    for g in ("brand", "host"):
        for k in range(-5, 7):
            if k != -1:
                nm = f"{g}_{k + 10}"
                d[nm] = ((d["group"] == g) & (d["rel"] == k)).astype(float)
                names.append(nm)
    d["day"] = d["date"].dt.strftime("%m%d")
    ref = smf.ols("y ~ " + " + ".join(names) + " + C(account_id) + C(day)", data=d).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d["account_id"])[0]}
    )
    ours = es.coefs.set_index("term")
    ours_est = ours["estimate"].to_numpy()
    np.testing.assert_allclose(ours_est, ref.params[names].to_numpy(), rtol=0, atol=1e-8)
    # statsmodels counts every dummy in K; fixest does not count FE nested in the cluster
    n, k_sm = len(d), len(ref.params)
    k_fx = len(names) + d["day"].nunique()
    se_sm = ref.bse[names].to_numpy() * np.sqrt((n - k_sm) / (n - k_fx))
    np.testing.assert_allclose(ours["std_error"].to_numpy(), se_sm, rtol=1e-8)

    pf = pytest.importorskip("pyfixest")
    fit = pf.feols(
        "y ~ " + " + ".join(names) + " | account_id + day",
        data=d,
        vcov={"CRV1": "account_id"},
        fixef_tol=1e-13,
    )
    np.testing.assert_allclose(ours_est, fit.coef()[names].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(ours["std_error"].to_numpy(), fit.se()[names].to_numpy(), rtol=1e-8)


def test_its_equals_statsmodels_hac():
    p, _ = _small_panel()
    s = p[p["account_id"] == "brand_01"].copy()
    r = models.its(s, INCIDENT, lags=3)
    k = (s["date"] - pd.Timestamp(INCIDENT)).dt.days
    s = s.assign(y=np.log(s["followers"]), k=k, post=(k >= 0) * 1.0, dow=s["date"].dt.day_of_week)
    ref = smf.ols("y ~ k + post + post:k + C(dow)", data=s).fit(
        cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True}
    )
    t = r.coefs.set_index("term")
    assert t.loc["level_change", "estimate"] == pytest.approx(ref.params["post"], abs=1e-10)
    assert t.loc["slope_change", "std_error"] == pytest.approx(ref.bse["post:k"], rel=1e-8)
    assert list(r.tidy().columns) == models.TIDY_COLUMNS


def _covers(row: pd.Series, value: float) -> bool:
    return bool(row["conf_low"] <= value <= row["conf_high"])


def test_its_recovers_truth_on_shipped_data(shipped):
    panel, truth = shipped
    for acc, g in (("brand_01", "brand"), ("host_01", "host")):
        t = models.its(panel, truth["incident_date"], account=acc).coefs.set_index("term")
        assert _covers(t.loc["level_change"], truth["effects"][g]["level"])
        assert _covers(t.loc["slope_change"], truth["effects"][g]["slope"])


def test_event_study_and_did_recover_truth_on_shipped_data(shipped):
    panel, truth = shipped
    inc, eff = truth["incident_date"], truth["effects"]
    es = models.event_study(panel, inc, pre=21, post=28)
    assert es.extra["dropped (no pre-period)"] == "douyin:host_new"
    c = es.coefs
    for g in ("brand", "host"):
        post = c[(c["group"] == g) & (c["rel_day"] >= 0)]
        true = eff[g]["level"] + eff[g]["slope"] * post["rel_day"]
        # The day-k coefficients share the day -1 reference and AR(1) errors, so in one
        # sample they miss together or not at all; their coverage is checked by the Monte
        # Carlo below. Here: every post-day estimate within 3.5 standard errors.
        z = (post["estimate"] - true) / post["std_error"]
        assert z.abs().max() < 3.5, (g, z.abs().max())
        assert es.extra[f"pre-trend slope p ({g})"] > 0.01
    # The generator gives host accounts faster trend growth than controls (mean 0.00094
    # vs 0.00054 log points a day; host_01 grows 0.003 a day): a documented pre-trend.
    # The plain DiD slope absorbs it (host slope 0.0044 against a true 0.004, outside
    # the bootstrap interval); account trends fitted on the pre-period remove it.
    plain = models.did(panel, inc, pre=21, post=28, slope=True).coefs.set_index("term")
    assert not _covers(plain.loc["host: slope"], eff["host"]["slope"])
    assert plain.loc["host: slope", "estimate"] > eff["host"]["slope"]
    d = models.did(panel, inc, pre=21, post=28, slope=True, trends=True).coefs.set_index("term")
    for g in ("brand", "host"):
        for e in ("level", "slope"):
            assert _covers(d.loc[f"{g}: {e}"], eff[g][e]), (g, e)
    diff = eff["host"]["level"] - eff["brand"]["level"]
    assert d.loc["host - brand: level", "estimate"] == pytest.approx(
        d.loc["host: level", "estimate"] - d.loc["brand: level", "estimate"], abs=1e-12
    )
    assert (
        abs(d.loc["host - brand: level", "estimate"] - diff)
        < 4 * d.loc["host - brand: level", "std_error"]
    )
    att = models.did(panel, inc, pre=21, post=28, trends=True).coefs.set_index("term")
    for g in ("brand", "host"):  # average effect over days 0..28
        assert _covers(att.loc[g], eff[g]["level"] + eff[g]["slope"] * 14)
    cmp = models.compare_groups(es, horizons=(7,))
    text = describe_comparison(cmp, 7)
    assert "net follower counts of host accounts grew more" in text
    assert "log points" in text and "same people" in text
    row = cmp[(cmp["term"] == "host") & (cmp["horizon"] == 7)].iloc[0]
    assert row["percent"] == pytest.approx(100 * np.expm1(row["estimate"]))


def test_trends_find_the_generators_host_pretrend(shipped):
    """The account trends fitted on the pre-period recover the generator's growth rates."""
    from lsimpact.models.event_study import _group_sample

    panel, truth = shipped
    d, info = _group_sample(
        panel,
        truth["incident_date"],
        ("brand", "host"),
        "control",
        group_col="group",
        pre=40,
        post=5,
        anticipation=0,
        trends=True,
    )
    slope = info["trend_per_day"]
    grp = d.groupby("unit")["group"].first()
    gap = slope[grp == "host"].mean() - slope[grp == "control"].mean()
    # generator: host mean 0.00094, control mean 0.00054 a day (gap 0.0004)
    assert gap == pytest.approx(0.0004, abs=0.00015)
    assert slope["douyin:host_01"] - slope[grp == "control"].mean() == pytest.approx(
        0.003 - 0.00054, abs=0.0003
    )


def test_wild_bootstrap_ci_equals_wildboottest():
    """WCR p-values equal wildboottest's (statsmodels OLS with explicit dummies, all 2^9
    Rademacher draws), up to the tie at the observed statistic that we count (2/512);
    the interval bounds are where that p-value crosses 0.05."""
    wbt = pytest.importorskip("wildboottest.wildboottest")
    import warnings

    import statsmodels.api as sm

    rng = np.random.default_rng(1)
    g, t = 9, 12
    unit, time = np.repeat(np.arange(g), t), np.tile(np.arange(t), g)
    keep = rng.random(g * t) > 0.1
    unit, time = unit[keep], time[keep]
    treat = ((unit < 4) & (time >= 6)).astype(float)
    x2 = rng.normal(size=len(unit))
    y = (
        0.3 * treat
        + 0.1 * x2
        + rng.normal(size=g)[unit]
        + rng.normal(size=t)[time]
        + rng.normal(size=len(unit)) * (1 + unit / 5)
    )
    x = np.column_stack([treat, x2])
    fit = twfe(y, x.copy(), unit, time, ["d", "x2"], keep_design=True)
    dummies = pd.DataFrame(
        np.column_stack([x, np.eye(g)[unit], np.eye(t)[time][:, 1:]]),
        columns=["d", "x2", *[f"u{i}" for i in range(g)], *[f"t{i}" for i in range(1, t)]],
    )

    def ref_p(j: int, beta0: float) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = wbt.wildboottest(
                sm.OLS(y - beta0 * x[:, j], dummies),
                B=9999,
                cluster=unit,
                param=dummies.columns[j],
                weights_type="rademacher",
                impose_null=True,
                seed=1,
                show=False,
                parallel=False,
            )
        return float(out["p-value"].iloc[0])

    for j in (0, 1):
        ci = fit.wild_bootstrap_ci(j, n_boot=9999, weights="rademacher")
        assert ci["weights"] == "rademacher (enumerated)" and ci["n_boot"] == 512
        assert 0 <= ci["p_value"] - ref_p(j, 0.0) <= 2 / 512 + 1e-12
        eps = 1e-6
        assert ref_p(j, ci["conf_low"] - eps) <= 0.05
        assert ref_p(j, ci["conf_high"] + eps) <= 0.05
        assert ref_p(j, ci["conf_low"] + eps) + 2 / 512 > 0.05
    # a contrast w @ coef equals the single coefficient after reparametrising
    w = np.array([1.0, -1.0])
    xr = np.column_stack([x[:, 0], x[:, 0] + x[:, 1]])  # coef on col 0 is d - x2
    fit_r = twfe(y, xr.copy(), unit, time, ["d - x2", "x2"], keep_design=True)
    a = fit.wild_bootstrap_ci(w, n_boot=9999, weights="rademacher")
    b = fit_r.wild_bootstrap_ci(0, n_boot=9999, weights="rademacher")
    assert a["p_value"] == pytest.approx(b["p_value"])
    assert a["conf_low"] == pytest.approx(b["conf_low"], abs=1e-6)
    assert a["conf_high"] == pytest.approx(b["conf_high"], abs=1e-6)


def test_group_specific_dates_and_anticipation():
    p, truth = _small_panel(7)
    # host rows from a second panel whose incident is three days later
    q, _ = _small_panel_at(7, "2023-12-17")
    mixed = pd.concat([p[p["group"] != "host"], q[q["group"] == "host"]], ignore_index=True)
    dates = {"brand": INCIDENT, "host": "2023-12-17"}
    es = models.event_study(mixed, dates, pre=6, post=6, anticipation=2, n_boot=99)
    assert es.extra["event dates"] == "brand 2023-12-14, host 2023-12-17"
    assert es.extra["reference day"] == -3
    c = es.coefs.set_index("term")
    assert "host:-1" in c.index and "host:-3" not in c.index  # -1 estimated, -3 reference
    eff = truth["effects"]
    for g in ("brand", "host"):
        row = c.loc[f"{g}:0"]
        assert abs(row["estimate"] - eff[g]["level"]) < 4 * row["std_error"]
        assert (c.loc[f"{g}:-1", "estimate"]) == pytest.approx(0, abs=0.02)
        band = c.loc[f"{g}:3"]
        assert band["band_low"] < band["conf_low"] and band["band_high"] > band["conf_high"]
    assert "sup-t" in es.extra["simultaneous band"]
    d = models.did(mixed, dates, pre=6, post=6, anticipation=2, n_boot=99).coefs.set_index("term")
    assert {"brand: anticipation", "host: anticipation", "host - brand"} <= set(d.index)
    with pytest.raises(InputError, match="inside the anticipation window"):
        models.event_study(p, INCIDENT, pre=5, post=3, anticipation=2, ref=-1)
    with pytest.raises(InputError, match="no event date for group"):
        models.event_study(p, {"brand": INCIDENT}, pre=5, post=3)


def _small_panel_at(seed: int, incident: str) -> tuple[pd.DataFrame, dict]:
    raw, truth = followers(
        seed=seed,
        n_accounts=40,
        n_brand=8,
        n_host=8,
        n_days=40,
        start="2023-11-20",
        incident=incident,
        launch=None,
        snapshots_per_day=1,
        messy=False,
    )
    p = pd.DataFrame(
        {
            "platform": raw["platform"],
            "account_id": raw["account_id"],
            "group": raw["group"],
            "date": pd.to_datetime(raw["captured_at"]).dt.normalize(),
            "followers": raw["followers"].astype(float),
            "imputed": False,
        }
    )
    return p, truth


@pytest.mark.slow
def test_monte_carlo_coverage_of_what_ships():
    """Coverage of the shipped intervals on 100 small generated panels (8 brand, 8 host,
    24 control accounts; AR(1) errors): the wild-bootstrap (WCR) 95% intervals of the DiD
    level and slope terms and the sup-t bands of the event-study paths (each band covers
    a group's whole path of 10 coefficients at once, or not).

    Monte Carlo error: 400 interval indicators (not independent: terms of one panel share
    its draws), binomial s.e. about 1.1 pp; 200 band indicators, s.e. about 1.5 pp. CRV1
    t(G-1) on the same draws is printed for comparison."""
    hits, crv1, band = [], [], []
    for seed in range(100):
        p, truth = _small_panel(seed)
        eff = truth["effects"]
        r = models.did(
            p, truth["incident_date"], pre=10, post=10, slope=True, n_boot=199, seed=seed
        )
        r = r.coefs.set_index("term")
        for g in ("brand", "host"):
            for e in ("level", "slope"):
                hits.append(_covers(r.loc[f"{g}: {e}"], eff[g][e]))
                crv1.append(
                    r.loc[f"{g}: {e}", "crv1_low"] <= eff[g][e] <= r.loc[f"{g}: {e}", "crv1_high"]
                )
        es = models.event_study(
            p,
            truth["incident_date"],
            pre=5,
            post=5,
            n_boot=199,
            seed=seed,
            pretrend_test="analytic",
        ).coefs
        for g in ("brand", "host"):
            s = es[es["group"] == g]
            true = np.where(
                s["rel_day"] >= 0, eff[g]["level"] + eff[g]["slope"] * s["rel_day"], 0.0
            )
            band.append(bool(((s["band_low"] <= true) & (true <= s["band_high"])).all()))
    rate, rate1, rate_band = float(np.mean(hits)), float(np.mean(crv1)), float(np.mean(band))
    print(f"coverage: DiD WCR {rate:.3f} (CRV1 {rate1:.3f}), sup-t band {rate_band:.3f}")
    assert 0.93 <= rate <= 0.97, rate
    assert 0.91 <= rate_band <= 0.99, rate_band


def test_twfe_rejects_nothing_when_x_is_exact():
    # y = 2 x + unit + time effects exactly: coefficient 2, zero residuals
    u, t = np.repeat(np.arange(6), 5), np.tile(np.arange(5), 6)
    x = np.random.default_rng(1).normal(size=30)
    y = 2 * x + u * 0.3 - t * 0.1
    fit = twfe(y, x[:, None], u, t, ["x"])
    assert fit.coef[0] == pytest.approx(2.0, abs=1e-10)
    assert np.abs(fit.resid).max() < 1e-10


def test_paths_helpers_and_plots(shipped):
    import matplotlib.pyplot as plt

    from lsimpact.studies import followers as fol

    panel, truth = shipped
    rec = fol.true_effects_table(truth, horizons=(7,)).set_index(["group", "quantity"])
    assert rec.loc[("brand", "day 7"), "true_value"] == pytest.approx(-0.09 - 0.007)
    pub = datasets.run_cleaner(
        datasets.get("followers_published"), [catalog.load("published_figures")]
    ).data
    ch = fol.published_changes(pub)
    assert ch["date"].is_monotonic_increasing is False  # sorted by account, then date
    assert (ch.groupby("account_id")["date"].apply(lambda s: s.is_monotonic_increasing)).all()
    ax = fol.plot_paths(panel, ["brand_01", "host_new"], INCIDENT)
    # brand_01 indexed to 100 on the day before the incident
    line = ax.get_lines()[0]
    x = pd.to_datetime(line.get_xdata())
    assert line.get_ydata()[x == pd.Timestamp("2023-12-13")][0] == pytest.approx(100)
    fol.plot_published(pub)
    models.event_study(panel, INCIDENT, pre=3, post=3).plot()
    models.its(panel, INCIDENT, account="brand_01").plot()
    plt.close("all")


# --- wild cluster bootstrap of the joint pre-trend test ------------------------------------
def _reference_wcr(d: pd.DataFrame, names: list[str], tested: list[str], v: np.ndarray):
    """Slow reference: refit OLS with explicit dummies on every bootstrap sample."""
    cl = pd.factorize(d["unit"], sort=True)[0]
    dums = pd.get_dummies(d[["unit", "day"]], drop_first=True, dtype=float)
    X = np.column_stack([d[names].to_numpy(), np.ones(len(d)), dums.to_numpy()])
    y = d["y"].to_numpy()
    pos = [names.index(t) for t in tested]
    keep = [j for j in range(X.shape[1]) if j not in pos]
    br = np.linalg.lstsq(X[:, keep], y, rcond=None)[0]  # restricted fit: tested coefs = 0
    fit_r, u_r = X[:, keep] @ br, y - X[:, keep] @ br
    n, g, k = len(d), cl.max() + 1, len(names) + d["day"].nunique()
    factor = g / (g - 1) * (n - 1) / (n - k)  # fixest CRV1 (unit FE nested in clusters)
    xtx_inv = np.linalg.inv(X.T @ X)

    def wald(yy: np.ndarray) -> float:
        b = xtx_inv @ X.T @ yy
        e = yy - X @ b
        s = np.vstack([X[cl == c].T @ e[cl == c] for c in range(g)])
        vc = factor * xtx_inv @ s.T @ s @ xtx_inv
        bt = b[pos]
        return float(bt @ np.linalg.solve(vc[np.ix_(pos, pos)], bt)) / len(pos)

    obs = wald(y)
    boot = np.array([wald(fit_r + u_r * v[cl, b]) for b in range(v.shape[1])])
    return obs, boot


@pytest.mark.parametrize("pre", [2, 4])  # one restriction (day -2), then three
def test_wild_bootstrap_equals_slow_reference_loop(pre):
    # wildboottest (pyfixest's backend) is not installed here: compare with a refit loop
    from lsimpact.models.event_study import _codes, _event_design, prepare_panel

    p, _ = _small_panel(3)
    p = p.drop(index=p.sample(frac=0.05, random_state=2).index)  # unbalanced
    d, _ = prepare_panel(p, INCIDENT, pre=pre, post=2)
    X, names, meta = _event_design(d, ["brand", "host"], pre, 2, -1, "group")
    unit, time = _codes(d)
    fit = twfe(d["y"].to_numpy(), X, unit, time, names, keep_design=True)
    tested = [f"brand:{k}" for k in range(-pre, -1)]
    idx = [names.index(t) for t in tested]
    v = np.random.default_rng(5).choice([-1.0, 1.0], size=(fit.n_clusters, 49))
    ours = fit.wild_bootstrap_wald(idx, draws=v)
    ref_d = pd.concat([d, pd.DataFrame(X * 0, columns=names)], axis=1)
    for j, nm in enumerate(names):  # the raw (not demeaned) event-time dummies
        ref_d[nm] = (
            (d["group"] == meta.loc[j, "group"]) & (d["rel_day"] == meta.loc[j, "rel_day"])
        ).astype(float)
    ref_d["day"] = d["date"].dt.strftime("%m%d")
    obs, boot = _reference_wcr(ref_d, names, tested, v)
    assert ours["F"] == pytest.approx(obs, rel=1e-8)
    np.testing.assert_allclose(ours["boot_F"], boot, rtol=1e-7)
    assert ours["p_value"] == pytest.approx(np.mean(boot >= obs * (1 - 1e-10)))
    if pre == 2:  # single restriction: F = t^2, the analytic F agrees with the t test
        t = fit.tidy().set_index("term").loc["brand:-2"]
        assert ours["F"] == pytest.approx(t["statistic"] ** 2, rel=1e-10)


def test_wild_bootstrap_enumerates_rademacher_and_rejects_bad_options():
    u, t = np.repeat(np.arange(6), 8), np.tile(np.arange(8), 6)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 2))
    y = x @ [0.5, 0.0] + rng.normal(size=48) + 0.3 * u
    fit = twfe(y, np.asfortranarray(x), u, t, ["a", "b"], keep_design=True)
    r = fit.wild_bootstrap_wald([1], n_boot=999, weights="rademacher")
    assert r["n_boot"] == 2**6 and r["weights"] == "rademacher (enumerated)"
    # enumeration is symmetric: every statistic appears twice (v and -v give the same F)
    assert np.allclose(np.sort(r["boot_F"])[::2], np.sort(r["boot_F"])[1::2])
    assert r["p_value"] >= 2 / 64  # the all-ones draws reproduce the observed statistic
    with pytest.raises(InputError):
        fit.wild_bootstrap_wald([1], weights="normal")
    with pytest.raises(InputError):
        twfe(y, np.asfortranarray(x), u, t, ["a", "b"]).wild_bootstrap_wald([1])
    with pytest.raises(InputError):
        models.event_study(_small_panel()[0], INCIDENT, pre=3, post=3, pretrend_test="exact")


def _placebo_panel(seed: int, pretrend: float = 0.0, n_treat: int = 8) -> pd.DataFrame:
    """Control accounts only; ``n_treat`` of them relabelled 'placebo' (no effect at all),
    optionally with a linear pre-trend of ``pretrend`` log points a day before day -1."""
    raw, _ = followers(
        seed=seed,
        n_accounts=40,
        n_brand=1,
        n_host=1,
        n_days=24,
        start="2023-12-01",
        launch=None,
        snapshots_per_day=1,
        messy=False,
    )
    p = pd.DataFrame(
        {
            "account_id": raw["account_id"],
            "group": raw["group"],
            "date": pd.to_datetime(raw["captured_at"]).dt.normalize(),
            "followers": raw["followers"].astype(float),
        }
    )
    p = p[p["group"] == "control"]
    ctrl = np.sort(p["account_id"].unique())
    treated = np.random.default_rng(seed).choice(ctrl, n_treat, replace=False)
    is_t = p["account_id"].isin(treated)
    k = (p["date"] - pd.Timestamp(INCIDENT)).dt.days
    return p.assign(
        group=np.where(is_t, "placebo", "control"),
        followers=p["followers"] * np.exp(pretrend * np.minimum(k + 1, 0) * is_t),
    )


def test_monte_carlo_wild_bootstrap_pretrend_size_and_power():
    """8 of 40 accounts treated, 6 leads: the WCR joint test keeps its 5% size where the
    analytic F(6, 39) rejects about a quarter of the time; a real pre-trend is found."""

    def rejections(seeds: range, pretrend: float) -> tuple[float, float]:
        boot, analytic = [], []
        for s in seeds:
            es = models.event_study(
                _placebo_panel(s, pretrend),
                INCIDENT,
                groups=("placebo",),
                pre=7,
                post=3,
                n_boot=199,
                seed=s,
            )
            boot.append(es.extra["pre-trend joint p (placebo)"] < 0.05)
            analytic.append(es.extra["pre-trend joint p, analytic F (placebo)"] < 0.05)
        return float(np.mean(boot)), float(np.mean(analytic))

    size, size_f = rejections(range(160), 0.0)
    power, _ = rejections(range(1000, 1040), 0.002)
    print(f"WCR size {size:.3f} (analytic F {size_f:.3f}), power {power:.3f}")
    assert 0.0 <= size <= 0.12, size
    assert size_f > 0.15, size_f  # the problem the bootstrap fixes
    assert power >= 0.8, power


def test_event_study_reports_bootstrap_pretrend_on_shipped_data(shipped):
    panel, truth = shipped
    es = models.event_study(panel, truth["incident_date"], pre=21, post=28, n_boot=399, seed=1)
    again = models.event_study(panel, truth["incident_date"], pre=21, post=28, n_boot=399, seed=1)
    assert "WCR, webb weights, 399 draws" in es.extra["pre-trend joint test"]
    for g in ("brand", "host"):
        # no pre-trend in the generator: the bootstrap does not reject, the analytic F does
        assert es.extra[f"pre-trend joint p ({g})"] > 0.05
        assert es.extra[f"pre-trend joint p, analytic F ({g})"] < 1e-6
        assert es.extra[f"pre-trend joint p ({g})"] == again.extra[f"pre-trend joint p ({g})"]
    assert es.twfe is not None and es.twfe.design is None  # the n x k design is not kept
    an = models.event_study(
        panel, truth["incident_date"], pre=21, post=28, pretrend_test="analytic"
    )
    assert (
        an.extra["pre-trend joint p (brand)"] == es.extra["pre-trend joint p, analytic F (brand)"]
    )
