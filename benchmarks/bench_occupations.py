"""Speed and peak memory of occupation-code normalisation and observation matching."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd

from lsimpact import catalog
from lsimpact.clean.occupations import clean_occupation_video, normalize_codes


def _timed(fn, *args, **kwargs):
    # Time without tracemalloc (it slows Python-level allocation severalfold), then
    # measure the peak in a second run.
    t0 = time.perf_counter()
    fn(*args, **kwargs)
    dt = time.perf_counter() - t0
    tracemalloc.start()
    fn(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return dt, peak


def main() -> None:
    rng = np.random.default_rng(0)
    gbm = catalog.load("occupational_classification_gbm")
    obs = catalog.load("occupation_video_observations")
    spellings = np.array(
        [
            "6-01-02-03",
            "6010203",
            "６－０１－０２",
            "GBM 60102",
            "6-1-2",
            "2-02-38 (GBM 20238)",
            "601023",
            "",
        ]
    )
    print(f"{'task':<42}{'rows':>10}{'seconds':>10}{'peak MiB':>10}")
    for n in (10_000, 100_000, 300_000):
        s = pd.Series(rng.choice(spellings, size=n))
        dt, peak = _timed(normalize_codes, s)
        print(f"{'normalize_codes':<42}{n:>10,}{dt:>10.2f}{peak:>10.0f}")
    for k in (1, 20):
        big = pd.concat([obs] * k, ignore_index=True)
        big["period"] = np.repeat([f"p{i}" for i in range(k)], len(obs))
        dt, peak = _timed(clean_occupation_video, big, gbm)
        print(f"{'clean_occupation_video':<42}{len(big):>10,}{dt:>10.2f}{peak:>10.0f}")


if __name__ == "__main__":
    main()
