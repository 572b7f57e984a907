"""lsimpact: employment and consumption effects of live-streaming commerce.

Typical use::

    import lsimpact
    df = lsimpact.load("published_figures")     # builds data/processed/ when needed
    lsimpact.catalog.list_resources()           # what data/raw ships, real or synthetic
"""

from __future__ import annotations

__version__ = "0.1.0"  # the one version number (pyproject reads it; CITATION.cff repeats it)

from . import catalog, config
from .datasets import build, load, load_quarantine

__all__ = ["__version__", "build", "catalog", "config", "load", "load_quarantine"]
