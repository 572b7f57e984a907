"""Studies: one module per notebook, holding its recipes and figure functions.

A notebook is narration plus a handful of calls into its study module:
``overview`` (00), ``jobs`` (01), ``occupations`` (02), ``followers`` (03), ``prices`` (04). Estimators live
in :mod:`lsimpact.models`; tables come from :func:`lsimpact.load`; exhibits are saved with
:func:`lsimpact.exhibits.save`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import catalog

__all__ = ["generator_truth", "is_synthetic"]


def _primary(df: pd.DataFrame) -> tuple[str | None, bool]:
    """The primary raw input of a loaded frame and whether it is the shipped file."""
    hashes = df.attrs.get("inputs") or {}
    name = next(iter(hashes), None)
    return name, df.attrs.get("source", "catalogue") == "catalogue"


def is_synthetic(df: pd.DataFrame) -> bool:
    """True when ``df`` (from :func:`lsimpact.load`) was made from a shipped synthetic file."""
    name, shipped = _primary(df)
    return bool(name and shipped and catalog.resource(name).get("synthetic", False))


def generator_truth(df: pd.DataFrame) -> dict[str, Any] | None:
    """The true effects of the generator behind ``df``, or None for real or user data.

    Only the shipped synthetic files have a known truth (their catalogue entry records it);
    a user's own file never does, whatever its format.
    """
    name, _ = _primary(df)
    return catalog.resource(name).get("true_effects") if is_synthetic(df) else None
