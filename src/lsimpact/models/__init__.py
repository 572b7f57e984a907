"""Estimators; each returns a :class:`~lsimpact.models.results.Result`."""

from __future__ import annotations

from . import logit, proportions  # noqa: F401  (issue 6)
from .results import TIDY_COLUMNS, Result, tidy_frame, tidy_from_statsmodels

__all__ = ["TIDY_COLUMNS", "Result", "tidy_frame", "tidy_from_statsmodels"]
