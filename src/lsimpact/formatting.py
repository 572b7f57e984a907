"""Numbers for people: thousands separators and sensible precision, never ``1.27e+12``.

Used by the report's HTML tables and by :mod:`lsimpact.tables` for Markdown, LaTeX and HTML.
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = ["human", "human_frame"]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def human(x: object, digits: int = 4) -> str:
    """Format one value for a reader.

    Parameters
    ----------
    x
        A number (anything else is returned as ``str(x)``; None and NaN as ``""``).
    digits
        Significant digits kept for numbers below 1,000 in magnitude.

    Returns
    -------
    str
        Whole numbers with thousands separators (``1,270,000,000,000``); other numbers of
        magnitude 1,000 or more rounded to whole units; smaller ones to ``digits``
        significant digits without trailing zeros (``17.74``, ``0.00196``); magnitudes below
        0.0001 as ``1.2×10⁻⁷`` (a reader's notation, not a program's ``1.2e-07``).
    """
    if x is None or isinstance(x, bool | str):
        return "" if x is None else str(x)
    if not isinstance(x, Real):
        try:
            x = float(x)  # numpy scalars and the like
        except (TypeError, ValueError):
            return str(x)
    v = float(x)
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    a = abs(v)
    if v.is_integer() and a < 1e18 or a >= 1000:
        return f"{v:,.0f}"
    if a < 1e-4:
        mantissa, exp = f"{v:.1e}".split("e")
        return f"{mantissa}×10{str(int(exp)).translate(_SUPERSCRIPT)}"
    decimals = max(0, digits - 1 - math.floor(math.log10(a)))
    out = f"{v:.{decimals}f}"
    # no trailing noise: 0.0140 -> 0.014, 2.50 -> 2.5
    return out.rstrip("0").rstrip(".") if "." in out else out


def human_frame(df, digits: int = 4):
    """A copy of ``df`` with every numeric cell formatted by :func:`human` (as strings).

    Identifier-like columns (a name containing ``year``, ``code`` or ending ``id``) keep
    their digits as written: 2024 is a year, not "2,024".
    """
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        name = str(col).lower()
        if "year" in name or "code" in name or name.endswith("id"):
            out[col] = [
                human(v) if pd.isna(v) or not float(v).is_integer() else str(int(v)) for v in s
            ]
        else:
            out[col] = [human(v, digits) for v in s]
    return out
