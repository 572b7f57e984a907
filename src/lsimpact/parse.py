"""Vectorised parsers for counts, money, dates and percentages (see issue 3)."""

from __future__ import annotations
