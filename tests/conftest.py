"""Test set-up: headless matplotlib, one BLAS thread, reports written to a temp folder."""

from __future__ import annotations

import os

# Set before numpy/matplotlib are imported by any test module.
os.environ.setdefault("MPLBACKEND", "Agg")
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")
# Every figure a test or a notebook (nbval kernels inherit this) saves is checked for
# overlapping tick labels, text cut off at the edge and missing x-axis labels: an error.
os.environ.setdefault("LSIMPACT_FIGURE_CHECK", "error")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "lsimpact",
    deadline=None,
    derandomize=True,  # the same examples on every machine: a failure reproduces
    suppress_health_check=[HealthCheck.too_slow],
    max_examples=200,
)
settings.load_profile("lsimpact")


@pytest.fixture(autouse=True)
def _reports_to_tmp(tmp_path_factory, monkeypatch):
    """Figures and tables saved by tests go to a temporary folder, never reports/."""
    if "LSIMPACT_REPORTS_DIR" not in os.environ:
        monkeypatch.setenv("LSIMPACT_REPORTS_DIR", str(tmp_path_factory.mktemp("reports")))
