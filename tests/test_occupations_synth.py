"""The shipped synthetic observations: reproducible bytes, catalogued truth, recovery."""

from __future__ import annotations

import hashlib
import importlib.util
import json

import numpy as np
import pytest

from lsimpact import catalog, config
from lsimpact.clean.occupations import clean_occupation_video
from lsimpact.models.logit import fit_logit
from lsimpact.models.proportions import sensitivity, shares
from lsimpact.synth.occupation_video_gen import occupation_video

FORMULA = "transformed ~ C(major_group, Treatment(reference=2)) + residual + manual"


def _tool():
    path = config.project_root() / "tools" / "make_synthetic_occupations.py"
    spec = importlib.util.spec_from_file_location("make_synthetic_occupations", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def res():
    return catalog.resource("occupation_video_observations")


def test_shipped_file_regenerates_from_catalogued_seed(res):
    data, truth = _tool().render(res["seed"])
    assert hashlib.sha256(data).hexdigest() == catalog.expected_hash(res)
    assert res["synthetic"] is True
    assert res["generator"] == "lsimpact.synth.occupation_video"
    assert json.loads(json.dumps(truth)) == res["true_effects"]


def test_headline_consistent_with_published_lower_bound(res):
    t = res["true_effects"]
    assert t["expected_share"] > 0.80 and t["realised_share"] > 0.80
    df = clean_occupation_video(
        catalog.load("occupation_video_observations"),
        catalog.load("occupational_classification_gbm"),
    ).data
    assert len(df) == t["n_groups"] == 445
    assert df["transformed"].mean() == pytest.approx(t["realised_share"], abs=1e-12)


@pytest.fixture(scope="module")
def big():
    """20 independent draws per minor group (8,900 units): a sharp recovery check."""
    cls = catalog.load("occupational_classification_gbm")
    raw, truth = occupation_video(seed=7, classification=cls, copies=20, messy=False)
    return clean_occupation_video(raw, cls).data, truth


def test_logit_recovers_true_coefficients(big):
    df, truth = big
    r = fit_logit(df, FORMULA)
    for term, true in truth["logit_coefficients"].items():
        row = r.term(term)
        assert abs(row["estimate"] - true) < 3.5 * row["std_error"], term
        assert row["conf_low"] - 0.5 < true < row["conf_high"] + 0.5


def test_sensitivity_recovers_expected_shares(big):
    df, truth = big
    exp = {float(k): v for k, v in truth["expected_share_by_threshold"].items()}
    s = sensitivity(df, sorted(exp)).table
    np.testing.assert_allclose(s["share"], [exp[t] for t in s["threshold"]], atol=0.015)
    assert shares(df).table["share"].iloc[0] == pytest.approx(truth["expected_share"], abs=0.01)
