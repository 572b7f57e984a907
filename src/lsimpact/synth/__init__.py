"""Seeded generators of synthetic raw data with known true effects.

``lsimpact.synth.<dataset>(seed=..., **true_effects)`` returns ``(raw DataFrame, truth)``:
the raw file of processed dataset ``<dataset>`` and a dict of the effects built in. Each
generator lives in ``<dataset>_gen.py``, so a module never shares a name with the
function it holds.
"""

from __future__ import annotations

from .followers_daily_gen import followers_daily
from .occupation_video_gen import occupation_video
from .prices_daily_gen import live_sessions, prices_daily, purchases, wholesale_prices
from .province_panel_gen import province_panel

__all__ = [
    "available",
    "followers_daily",
    "live_sessions",
    "occupation_video",
    "prices_daily",
    "province_panel",
    "purchases",
    "wholesale_prices",
]

#: dataset name -> generator (``lsimpact synth NAME``)
GENERATORS = {
    "followers_daily": followers_daily,
    "occupation_video": occupation_video,
    "province_panel": province_panel,
    # one simulation, three datasets (purchases feed no cleaned dataset: the
    # price-protection analysis reads them as they are; lsimpact.synth.purchases)
    "prices_daily": prices_daily,
    "live_sessions": live_sessions,
    "wholesale_prices": wholesale_prices,
}


def available() -> list[str]:
    """Names of the generators (the datasets they make raw files for)."""
    return sorted(GENERATORS)
