"""Flags that qualify a published figure: approximate, and conflicting with another source.

Both flags make claims about the *value*, so both are narrow:

* ``approximate``: the source qualifies the number itself ("almost 3.4 million",
  "about 22.76 trillion yuan", "约3463万"), or the compiler marked the row
  ``APPROXIMATE``. An approximation word in front of another number of the same sentence
  ("GMV fell nearly 40% to 8.7 billion yuan", "近11亿人 (10.9967亿人)") says nothing
  about the value and does not count; nor does "window approximate" (the dates).
* ``conflict``: two sources give values for the same series, entity and period that
  disagree beyond the rounding of the coarser figure (9.76 vs 9.8 trillion, 700 vs 704
  million MAU agree; 934 vs 962 million short-video users do not), where a published
  lower bound met by a point figure (">= 10.0" and 10.2 billion) is agreement; or the
  compiler marked the row ``CONFLICT`` (a documented disagreement the values do not show,
  e.g. a period label).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["approximate_flags", "conflict_flags", "rounding_unit"]

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
# an approximation word, then at most a currency word/sign, then the number it qualifies
_EN = re.compile(
    r"(?i)\b(?:about|approximately|approx\.?|nearly|almost|around|roughly|some)\s+"
    r"(?:RMB\s*|CNY\s*|yuan\s*|US\$\s*|\$\s*|¥\s*|HK\$\s*)?" + _NUM
)
_ZH = re.compile(r"(?:约|近|将近|大约|接近)\s*" + _NUM)
_ZH_AFTER = re.compile(_NUM + r"\s*(?:万|亿|千|百)?\s*(?:[^\d\s，,。;；]{0,3})?(?:左右|上下)")


def _numbers_qualified(text: str) -> list[float]:
    out = []
    for rx in (_EN, _ZH, _ZH_AFTER):
        for m in rx.finditer(text):
            tail = text[m.end() : m.end() + 2].lstrip()
            if tail.startswith(("%", "％")) or text[
                m.end() : m.end() + 9
            ].lower().strip().startswith("percent"):
                out.append(np.nan)  # a percentage: compared below only with percent values
                continue
            out.append(float(m.group(1).replace(",", "")))
    return out


def _matches(number: float, value: float) -> bool:
    """``number`` written in any power-of-ten scale (万, million, trillion ...) is ``value``."""
    if not np.isfinite(number) or number == 0 or not np.isfinite(value) or value == 0:
        return False
    k = np.round(np.log10(abs(value) / number))
    return bool(abs(number * 10**k - abs(value)) <= 1e-6 * abs(value))


def approximate_flags(
    value: pd.Series, texts: Sequence[pd.Series], marker: pd.Series | None = None
) -> pd.Series:
    """True where one of ``texts`` qualifies ``value`` itself with an approximation word.

    Parameters
    ----------
    value
        The figure as published (in its published unit, e.g. 3.4 for "3.4 million").
    texts
        Text columns to search (the verbatim quote, the definition, a count as written).
    marker
        Explicit flags (e.g. a definition starting ``APPROXIMATE``), OR-ed in.
    """
    flag = np.zeros(len(value), dtype=bool)
    vals = value.to_numpy(dtype=float)
    for col in texts:
        for i, t in enumerate(col.fillna("").astype(str).to_numpy()):
            if flag[i] or not t:
                continue
            flag[i] = any(_matches(n, vals[i]) for n in _numbers_qualified(t))
    out = pd.Series(flag, index=value.index)
    if marker is not None:
        out |= marker.to_numpy(dtype=bool)
    return out


def rounding_unit(value: pd.Series) -> pd.Series:
    """Rounding unit of each figure as printed: 9.76 -> 0.01, 9.8 -> 0.1, 700 -> 100, 704 -> 1.

    Decimals come from the shortest representation of the float; an integer's unit is
    ten to the number of trailing zeros (a printed "700" is read as rounded to hundreds).
    """

    def unit(v: float) -> float:
        if not np.isfinite(v) or v == 0:
            return np.nan
        s = repr(abs(float(v)))
        if "e" in s or "E" in s:
            return abs(v) * 1e-15
        whole, _, frac = s.partition(".")
        frac = frac.rstrip("0")
        if frac:
            return 10.0 ** (-len(frac))
        zeros = len(whole) - len(whole.rstrip("0"))
        return 10.0**zeros

    return value.map(unit).astype(float)


def conflict_flags(
    data: pd.DataFrame,
    key: Sequence[str],
    *,
    value: str = "value",
    published: str | None = None,
    lower_bound: str = "lower_bound",
    marker: pd.Series | None = None,
) -> pd.Series:
    """True where another row of the same ``key`` disagrees beyond rounding.

    Two rows agree when ``|a - b| <= (u_a + u_b) / 2`` with ``u`` the rounding unit of each
    figure as printed (``published``, in the same unit as ``value`` up to a common
    factor per row), or when one is a lower bound the other meets (``point >= bound``
    within rounding), or both are lower bounds. ``marker`` (explicit flags) is OR-ed in.
    """
    d = data.reset_index(drop=True)
    v = d[value].to_numpy(dtype=float)
    if published is not None:
        pub = d[published].astype(float)
        scale = np.where(pub.to_numpy() != 0, v / pub.to_numpy(), 1.0)
        half = rounding_unit(pub).to_numpy() * np.abs(scale) / 2
    else:
        half = rounding_unit(d[value]).to_numpy() / 2
    half = np.nan_to_num(half)
    lb = d[lower_bound].to_numpy(dtype=bool) if lower_bound in d.columns else np.zeros(len(d), bool)
    grp = d.groupby(list(key), sort=False, dropna=False).ngroup().to_numpy()
    flag = np.zeros(len(d), dtype=bool)
    for g in np.unique(grp):  # groups are a handful of rows
        idx = np.flatnonzero(grp == g)
        if len(idx) < 2:
            continue
        for i in idx:
            for j in idx:
                if i == j:
                    continue
                tol = half[i] + half[j]
                if lb[i] and lb[j]:
                    continue
                if lb[i] and not lb[j]:
                    agree = v[j] >= v[i] - tol
                elif lb[j] and not lb[i]:
                    agree = v[i] >= v[j] - tol
                else:
                    agree = abs(v[i] - v[j]) <= tol * (1 + 1e-9)
                if not agree:
                    flag[i] = True
                    break
    out = pd.Series(flag, index=data.index)
    if marker is not None:
        out |= marker.to_numpy(dtype=bool)
    return out
