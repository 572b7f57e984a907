"""The occupations study (``notebooks/02_occupations.ipynb``): how many of the 2022 minor
groups show a "video transformation", under which definition, and which groups lead.

Recipes the notebook calls; the estimators are in :mod:`lsimpact.models.proportions` and
:mod:`lsimpact.models.logit`.
"""

from __future__ import annotations

import pandas as pd

from ..clean.occupations import MAJOR_GROUPS_EN
from ..models.proportions import AdoptionCurve
from . import generator_truth

__all__ = ["LOGIT_FORMULA", "logit_labels", "truth_by_threshold", "yearly_adoption"]

#: Which minor groups transform: major group (against professionals, 2), the residual
#: "other" group and manual-work titles.
LOGIT_FORMULA = "transformed ~ C(major_group, Treatment(reference=2)) + residual + manual"


def logit_labels() -> dict[str, str]:
    """Readable labels of the logit's terms."""
    names = {
        f"C(major_group, Treatment(reference=2))[T.{k}]": f"major {v} (vs 2)"
        for k, v in MAJOR_GROUPS_EN.items()
    }
    names.update({"residual": "residual 'other' group", "manual": "manual-work title"})
    return names


def truth_by_threshold(obs: pd.DataFrame) -> dict[float, float] | None:
    """The generator's expected share by creator threshold, when ``obs`` is the shipped
    synthetic table (None for a user's real observations)."""
    truth = generator_truth(obs)
    if truth is None:
        return None
    return {float(k): v for k, v in truth["expected_share_by_threshold"].items()}


def yearly_adoption(curve: AdoptionCurve) -> pd.Series:
    """Share of all minor groups first seen by the end of each year (Kaplan-Meier)."""
    all_groups = curve.table[curve.table["group"] == "All"].set_index("date")["adopted"]
    return all_groups.resample("YE").last().ffill()
