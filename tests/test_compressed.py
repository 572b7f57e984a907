"""Compressed sufficient statistics give the full-data TWFE estimates and clustered SEs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lsimpact
from lsimpact.models import compressed as cmp
from lsimpact.models.event_study import _codes, _event_design, _group_sample
from lsimpact.models.twfe import twfe

INCIDENT = "2023-12-14"
GROUPS = ("brand", "host")


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    panel = lsimpact.load("followers_daily")
    d, _ = _group_sample(
        panel,
        INCIDENT,
        GROUPS,
        "control",
        group_col="group",
        pre=21,
        post=28,
        outcome="log",
        exclude_imputed=True,
    )
    return d


def _full(d, X, names):
    unit, time = _codes(d)
    return twfe(d["y"].to_numpy(), np.asfortranarray(X), unit, time, names)


def _check(fit, full):
    assert fit.n_obs == full.n_obs and fit.n_clusters == full.n_clusters
    np.testing.assert_allclose(fit.coef, full.coef, rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        np.sqrt(np.diag(fit.vcov)), np.sqrt(np.diag(full.vcov)), rtol=1e-8, atol=0
    )
    np.testing.assert_allclose(fit.vcov, full.vcov, rtol=1e-6, atol=1e-14)


def test_event_study_from_cells_equals_full_data(sample):
    d = sample
    X, names, _ = _event_design(d, GROUPS, 21, 28, -1, "group")
    full = _full(d, X, names)
    comp = cmp.compress(d)
    design, cnames = cmp.event_design(INCIDENT, GROUPS, 21, 28)
    assert cnames == names
    fit = cmp.twfe_compressed(comp, design, cnames, d)
    _check(fit, full)
    # the shipped panel has gaps: some accounts are their own pattern, most are pooled
    assert len(comp.cells) < len(d) / 2


def test_did_from_cells_equals_full_data(sample):
    d = sample
    post = (d["rel_day"] >= 0).to_numpy()
    X = np.column_stack([(d["group"] == g).to_numpy() & post for g in GROUPS]).astype(float)
    full = _full(d, X, list(GROUPS))
    design, names = cmp.did_design(INCIDENT, GROUPS)
    fit = cmp.twfe_compressed(cmp.compress(d), design, names, d)
    _check(fit, full)
    assert np.isnan(cmp.twfe_compressed(cmp.compress(d), design, names).vcov).all()


def test_balanced_panel_compresses_to_group_by_date(sample):
    d = sample
    # keep accounts observed on every day of the window: one pattern per group
    n_days = d["date"].nunique()
    full_units = d.groupby("unit")["date"].transform("count") == n_days
    b = d.loc[full_units].reset_index(drop=True)
    comp = cmp.compress(b)
    assert len(comp.cells) == b["group"].nunique() * n_days
    design, names = cmp.event_design(INCIDENT, GROUPS, 21, 28)
    X, _, _ = _event_design(b, GROUPS, 21, 28, -1, "group")
    _check(cmp.twfe_compressed(comp, design, names, b), _full(b, X, names))


def test_dask_aggregation_gives_the_same(sample):
    dd = pytest.importorskip("dask.dataframe")
    d = sample[["unit", "date", "group", "y"]]
    ddf = dd.from_pandas(d, npartitions=4)
    design, names = cmp.did_design(INCIDENT, GROUPS)
    a = cmp.twfe_compressed(cmp.compress(d), design, names, d)
    b = cmp.twfe_compressed(cmp.compress(ddf), design, names, ddf)
    np.testing.assert_allclose(a.coef, b.coef, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.vcov, b.vcov, rtol=1e-10)


def test_unit_in_two_groups_is_refused():
    d = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02"] * 2),
            "group": ["x", "y", "x", "x"],
            "y": [1.0, 2.0, 3.0, 4.0],
        }
    )
    with pytest.raises(lsimpact.errors.InputError, match="more than one group"):
        cmp.compress(d)
