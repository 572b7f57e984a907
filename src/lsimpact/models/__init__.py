"""Estimators; each returns a :class:`~lsimpact.models.results.Result`."""

from __future__ import annotations

from .fe import FEResult, feols
from .results import TIDY_COLUMNS, Result, tidy_frame, tidy_from_statsmodels

__all__ = [
    "TIDY_COLUMNS",
    "FEResult",
    "Result",
    "feols",
    "tidy_frame",
    "tidy_from_statsmodels",
]
