"""lsimpact: employment and consumption effects of live-streaming commerce.

Typical use::

    import lsimpact
    df = lsimpact.load("published_figures")     # builds data/processed/ when needed
    lsimpact.catalog.list_resources()           # what data/raw ships, real or synthetic
"""

from __future__ import annotations

from . import catalog, config
from ._version import __version__
from .datasets import build, load, load_quarantine

__all__ = ["__version__", "build", "catalog", "config", "load", "load_quarantine"]
