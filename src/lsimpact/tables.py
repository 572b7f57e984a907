"""Regression and summary tables, saved as CSV, Markdown and LaTeX with their sources.

``regression_table([res1, res2])`` lays several :class:`~lsimpact.models.Result` side by
side (estimate with stars, standard error in parentheses below), like R's modelsummary or
pyfixest's ``etable``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .io import write_text
from .models.results import Result

__all__ = ["regression_table", "to_markdown", "write_table"]


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def regression_table(
    results: Sequence[Result],
    labels: Sequence[str] | None = None,
    *,
    terms: Sequence[str] | None = None,
    digits: int = 3,
    stars: bool = True,
) -> pd.DataFrame:
    """Side-by-side table of several results.

    Parameters
    ----------
    results
        Fitted results.
    labels
        Column headings, default "(1)", "(2)", ...
    terms
        Terms to show, in order (default: every term in order of first appearance).
    digits
        Decimal places.
    stars
        Add significance stars (* p<0.1, ** p<0.05, *** p<0.01).

    Returns
    -------
    DataFrame
        Index ``""`` column of row labels: for each term a coefficient row and a
        standard-error row, then ``N``, ``Std. errors`` and any shared ``extra`` statistics.
    """
    labels = list(labels) if labels else [f"({i + 1})" for i in range(len(results))]
    if terms is None:
        seen: list[str] = []
        for r in results:
            seen += [t for t in r.coefs["term"] if t not in seen]
        terms = seen
    fmt = f"{{:.{digits}f}}"
    rows: list[list[str]] = []
    for t in terms:
        coef_row, se_row = [t], [""]
        for r in results:
            hit = r.coefs[r.coefs["term"] == t]
            if hit.empty:
                coef_row.append("")
                se_row.append("")
                continue
            h = hit.iloc[0]
            coef_row.append(fmt.format(h["estimate"]) + (_stars(h["p_value"]) if stars else ""))
            se_row.append("(" + fmt.format(h["std_error"]) + ")")
        rows += [coef_row, se_row]
    rows.append(["N", *[f"{r.n_obs:,}" for r in results]])
    rows.append(["Std. errors", *[r.vcov for r in results]])
    extra_keys: list[str] = []
    for r in results:
        extra_keys += [k for k in r.extra if k not in extra_keys]
    for k in extra_keys:
        vals = []
        for r in results:
            v = r.extra.get(k, "")
            vals.append(fmt.format(v) if isinstance(v, float) else str(v))
        rows.append([k, *vals])
    return pd.DataFrame(rows, columns=["", *labels])


def to_markdown(df: pd.DataFrame, floatfmt: str = ".3f") -> str:
    """GitHub-flavoured Markdown of ``df`` (no index)."""
    return df.to_markdown(index=False, floatfmt=floatfmt) + "\n"


def _to_latex(df: pd.DataFrame, caption: str, floatfmt: str) -> str:
    spec = "l" + "r" * (df.shape[1] - 1)
    float_format = ("{:" + floatfmt + "}").format
    body = df.to_latex(
        index=False, column_format=spec, escape=True, float_format=float_format, na_rep=""
    )
    return f"% {caption}\n{body}"


def write_table(
    df: pd.DataFrame, folder: Path, name: str, caption: str, floatfmt: str = ".3f"
) -> list[Path]:
    """Write ``df`` as ``<folder>/<name>.csv``, ``.md`` and ``.tex``.

    The Markdown and LaTeX versions carry ``caption`` (text, sources, synthetic warning);
    the CSV is the plain data. Called by :func:`lsimpact.exhibits.save`.
    """
    csv = df.to_csv(index=False, lineterminator="\n", float_format="%.10g")
    return [
        write_text(folder / f"{name}.csv", csv),
        write_text(folder / f"{name}.md", to_markdown(df, floatfmt) + "\n" + caption + "\n"),
        write_text(folder / f"{name}.tex", _to_latex(df, caption, floatfmt)),
    ]
