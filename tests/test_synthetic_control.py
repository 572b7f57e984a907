"""Synthetic control: weights against pysyncon, truth on a generated panel, placebo p."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lsimpact.errors import InputError
from lsimpact.models.synthetic_control import simplex_weights, synthetic_control
from lsimpact.synth import followers_daily as followers


def test_simplex_weights_equal_pysyncon_with_identity_v():
    pysyncon = pytest.importorskip("pysyncon")
    rng = np.random.default_rng(4)
    t0, j = 40, 12
    y0 = rng.normal(size=(t0, j)).cumsum(axis=0)
    y1 = y0[:, :3] @ np.array([0.5, 0.3, 0.2]) + rng.normal(0, 0.3, t0)
    w = simplex_weights(y1, y0)
    names = [f"d{i}" for i in range(j)]
    x0 = pd.DataFrame(y0, columns=names)
    x1 = pd.Series(y1, name="treated")
    # pysyncon divides each predictor row by its s.d. across units; V = that variance
    # undoes the scaling, so its programme is ours: min ||y1 - y0 w||^2 on the simplex
    sd2 = pd.concat([x0, x1], axis=1).std(axis=1).to_numpy() ** 2
    ref = pysyncon.Synth()
    ref.fit(X0=x0, X1=x1, Z0=x0, Z1=x1, custom_V=sd2)
    np.testing.assert_allclose(w, np.asarray(ref.W, dtype=float), atol=2e-4)
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0)
    # the loss is at least as small as the reference's
    loss = lambda v: float(np.sum((y1 - y0 @ v) ** 2))  # noqa: E731
    assert loss(w) <= loss(np.asarray(ref.W, dtype=float)) + 1e-9


def test_simplex_weights_exact_convex_combination():
    rng = np.random.default_rng(1)
    y0 = rng.normal(size=(30, 5))
    w_true = np.array([0.0, 0.6, 0.0, 0.4, 0.0])
    np.testing.assert_allclose(simplex_weights(y0 @ w_true, y0), w_true, atol=1e-8)


def _panel(seed: int = 2) -> tuple[pd.DataFrame, dict]:
    raw, truth = followers(
        seed=seed,
        n_accounts=60,
        n_brand=2,
        n_host=2,
        n_days=70,
        start="2023-10-20",
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
    return p, truth


def test_synthetic_control_finds_brand_effect_and_ranks_it_first():
    p, truth = _panel()
    r = synthetic_control(p, "brand_01", truth["incident_date"], pre=28, post=14, horizons=(0, 7))
    eff = truth["effects"]["brand"]
    t = r.coefs.set_index("term")
    # brand_01's own growth (0.0002/day) is inside the donors' range: the gap is the effect
    # up to the noise (sd 0.002 a day, AR(1)) and the synthetic control's fit
    assert t.loc["gap on day 0", "estimate"] == pytest.approx(eff["level"], abs=0.01)
    assert t.loc["gap on day 7", "estimate"] == pytest.approx(
        eff["level"] + 7 * eff["slope"], abs=0.012
    )
    n = r.extra["donors"]
    assert r.extra["placebo rank of the ratio"] == f"1 of {n + 1}"
    assert t.loc["average gap, days 0..14", "p_value"] == pytest.approx(1 / (n + 1))
    assert r.weights.sum() == pytest.approx(1.0, abs=1e-2)
    assert set(r.paths.columns) >= {"rel_day", "treated", "synthetic", "gap"}


def test_synthetic_control_no_effect_on_a_control_is_not_extreme():
    p, truth = _panel(5)
    r = synthetic_control(
        p,
        "ctrl_001",
        truth["incident_date"],
        post=14,
        horizons=(0, 7),
        donors=[f"ctrl_{i:03d}" for i in range(2, 56)],
    )
    assert r.coefs.loc[0, "p_value"] > 0.05


def test_synthetic_control_refuses_gaps_and_unknown_accounts():
    p, truth = _panel()
    with pytest.raises(InputError, match="not in the panel"):
        synthetic_control(p, "nobody", truth["incident_date"])
    gap = p[~((p["account_id"] == "brand_01") & (p["date"] == pd.Timestamp("2023-12-01")))]
    with pytest.raises(InputError, match="no value on 1 day"):
        synthetic_control(gap, "brand_01", truth["incident_date"], post=14, horizons=(0,))
