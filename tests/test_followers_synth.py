"""The shipped synthetic snapshot log is exactly what the catalogued seed regenerates."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from lsimpact import catalog
from lsimpact.synth import followers_daily as followers


def test_shipped_log_regenerates_byte_for_byte():
    res = catalog.resource("followers_snapshots")
    assert res["synthetic"] is True
    assert res["generator"] == "lsimpact.synth.followers_daily"
    df, truth = followers(seed=res["seed"])
    data = df.to_csv(index=False, lineterminator="\n").encode("utf-8")
    assert hashlib.sha256(data).hexdigest() == catalog.expected_hash(res)
    # the truth record in the catalogue is the generator's (JSON round trip)
    assert json.loads(json.dumps(truth)) == res["true_effects"]
    assert len(data) < 15e6


def test_truth_and_structure():
    df, truth = followers(
        seed=1,
        n_accounts=30,
        n_brand=3,
        n_host=3,
        n_days=30,
        start="2023-12-01",
        launch="2023-12-20",
    )
    assert list(df.columns) == [
        "platform",
        "account_id",
        "account_name",
        "group",
        "followers",
        "captured_at",
    ]
    assert truth["effects"]["brand"] == {"level": -0.09, "slope": -0.001}
    assert truth["accounts"] == {"brand": 3, "host": 3, "control": 23, "new_host": 1}
    # the new account has no snapshot before its launch day
    new = df[df["account_id"] == "host_new"]["captured_at"].str[:10].str.replace("/", "-")
    assert new.min() >= "2023-12-19"  # a UTC stamp may show the previous date
    assert df.duplicated().sum() == truth["n_duplicates"] > 0
    again, _ = followers(
        seed=1,
        n_accounts=30,
        n_brand=3,
        n_host=3,
        n_days=30,
        start="2023-12-01",
        launch="2023-12-20",
    )
    pd.testing.assert_frame_equal(df, again)


def test_clean_log_has_the_latent_effect():
    """messy=False: integer counts, one snapshot a day; the brand's day-0 drop is the level."""
    df, truth = followers(
        seed=3,
        n_accounts=20,
        n_brand=2,
        n_host=2,
        n_days=20,
        start="2023-12-04",
        launch=None,
        snapshots_per_day=1,
        messy=False,
        noise_sd=1e-9,
        brand_level=-0.2,
    )
    assert df["followers"].str.fullmatch(r"\d+").all()
    s = df[df["account_id"] == "brand_01"].set_index("captured_at")["followers"].astype(float)
    jump = np.log(s.iloc[10]) - np.log(s.iloc[9])  # incident 2023-12-14 is day 10
    assert abs(jump - (-0.2)) < 0.02  # trend, weekly and common shocks are small
