"""Estimators; each returns a :class:`~lsimpact.models.results.Result`."""

from __future__ import annotations

from .results import TIDY_COLUMNS, Result, tidy_frame, tidy_from_statsmodels

__all__ = ["TIDY_COLUMNS", "Result", "tidy_frame", "tidy_from_statsmodels"]
from .event_study import EventStudyResult, compare_groups, did, event_study
from .its import ITSResult, its

__all__ += ["EventStudyResult", "ITSResult", "compare_groups", "did", "event_study", "its"]
