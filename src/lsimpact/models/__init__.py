"""Estimators; each returns a :class:`~lsimpact.models.results.Result`."""

from __future__ import annotations

from . import logit, proportions  # noqa: F401  (issue 6)
from .fe import FEResult, feols, penetration_regressions
from .ols import jobs_gmv_pairs, loglog_elasticity
from .results import TIDY_COLUMNS, Result, tidy_frame, tidy_from_statsmodels

__all__ = [
    "TIDY_COLUMNS",
    "FEResult",
    "Result",
    "feols",
    "jobs_gmv_pairs",
    "loglog_elasticity",
    "penetration_regressions",
    "tidy_frame",
    "tidy_from_statsmodels",
]
