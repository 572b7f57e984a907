"""The vocabulary of published figures: units (with their conversion to a base unit) and
period types. One definition, imported by the published cleaner and by the schemas.
"""

from __future__ import annotations

__all__ = ["BASE_UNITS", "PERIOD_TYPES", "UNIT_CONVERSIONS"]

#: unit as published -> (base unit, multiplier)
UNIT_CONVERSIONS: dict[str, tuple[str, float]] = {
    "million_persons": ("persons", 1e6),
    "million_users": ("persons", 1e6),
    "million_jobs": ("persons", 1e6),
    "followers": ("followers", 1.0),
    "yuan": ("yuan", 1.0),
    "million_yuan": ("yuan", 1e6),
    "billion_yuan": ("yuan", 1e9),
    "trillion_yuan": ("yuan", 1e12),
    "HKD": ("HKD", 1.0),
    "billion_HKD": ("HKD", 1e9),
    "percent": ("percent", 1.0),
    "occupations": ("occupations", 1.0),
    "groups": ("groups", 1.0),
    "work_types": ("work_types", 1.0),
    "million_sessions": ("sessions", 1e6),
    "million_views": ("views", 1e6),
    "billion_views": ("views", 1e9),
    "million_products": ("products", 1e6),
    "million_accounts": ("accounts", 1e6),
    "million_orders": ("orders", 1e6),
    # Both job-intensity figures onto one scale so that their tenfold disagreement shows.
    "jobs_per_100m_yuan_gmv": ("jobs_per_100m_yuan", 1.0),
    "jobs_per_billion_yuan_gmv": ("jobs_per_100m_yuan", 0.1),
    # Consumer side (complaints, surveys, price protection, aquatic prices).
    "count": ("count", 1.0),  # complaints, appeals, online-sentiment items
    "times": ("times", 1.0),  # "grew 47.1 times": a multiple, not a percent
    "days": ("days", 1.0),  # price-protection and reference-price windows
    "yuan_per_kg": ("yuan_per_kg", 1.0),
    # A refund of 1.2 times the price difference: a multiple of a difference, kept apart
    # from "times" so that it is never read as growth.
    "times_price_difference": ("times_price_difference", 1.0),
}

#: Base units ``published_figures.value`` may be expressed in (the schema checks these).
BASE_UNITS: tuple[str, ...] = tuple(dict.fromkeys(base for base, _ in UNIT_CONVERSIONS.values()))

PERIOD_TYPES = ("date", "year", "half_year", "quarter", "month", "unknown")
