"""Regression and summary tables, saved as CSV, Markdown, LaTeX and HTML with their sources.

``regression_table([res1, res2])`` lays several :class:`~lsimpact.models.Result` side by
side like R's modelsummary or pyfixest's ``etable``, paper-ready: readable term labels from
one label map (:data:`TERM_LABELS`, patsy names such as
``C(major_group, Treatment(reference=2))[T.1]`` made readable when not mapped), standard
errors in parentheses, N, fixed-effect and cluster rows, no significance stars unless
asked, and the inference named once, in a note (``table.attrs["note"]``) that the saved
Markdown, LaTeX and HTML versions print under the table. Results that wrap a pyfixest fit
(``FEResult.fitted``) also work with ``pyfixest.etable`` and ``iplot``.

Numbers are written for people (:func:`lsimpact.formatting.human`): thousands separators,
sensible precision, never ``1.27e+12``. The CSV keeps the full-precision data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .formatting import human_frame
from .io import neutralise_formulas, write_text
from .models.results import Result

__all__ = ["TERM_LABELS", "regression_table", "term_label", "to_html", "to_latex", "to_markdown",
           "write_table"]  # fmt: skip

#: The one map from model terms to the labels tables print (extend it, or pass ``labels``).
TERM_LABELS: dict[str, str] = {
    "live_commerce_penetration": "Live-commerce penetration (pp)",
    "penetration_lag1": "Penetration, previous year (pp)",
    "log_gdp_per_capita": "log GDP per capita",
    "urbanization_rate": "Urbanisation rate (%)",
    "level_change": "Level change at the incident",
    "slope_change": "Slope change after the incident (per day)",
    "trend": "Trend (per day)",
    "const": "Constant",
    "Intercept": "Constant",
    "residual": "Residual 'other' group",
    "manual": "Manual-work title",
    "elasticity": "Elasticity",
}

#: How extra statistics are named in a table (keys of ``Result.extra``).
_EXTRA_LABELS = {"Fixed effects": "Fixed effects", "Clusters": "Clusters"}

_PATSY = re.compile(
    r"^C\((?P<var>[^,)]+)(?:,\s*Treatment\(reference=(?P<ref>[^)]+)\))?\)\[T\.(?P<lvl>[^\]]+)\]$"
)


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def term_label(term: str, labels: Mapping[str, str] | None = None) -> str:
    """The label a table prints for ``term``: ``labels``, then :data:`TERM_LABELS`, then a
    readable form of a patsy factor level (``major_group = 1 (vs 2)``), else the term."""
    for table in (labels or {}, TERM_LABELS):
        if term in table:
            return table[term]
    m = _PATSY.match(term)
    if m:
        var = m.group("var").strip()
        var = TERM_LABELS.get(var, var.replace("_", " "))
        ref = f" (vs {m.group('ref')})" if m.group("ref") else ""
        return f"{var} = {m.group('lvl')}{ref}"
    return term


def _fmt(v: float, digits: int) -> str:
    if v is None or not np.isfinite(v):
        return ""
    out = f"{v:,.{digits}f}"
    # a tiny but non-zero estimate keeps significant digits instead of printing 0.000
    if float(out.replace(",", "")) == 0 and v != 0:
        out = f"{v:.{digits - 1}g}" if abs(v) >= 1e-4 else f"{v:.1e}".replace("e", "×10^")
    return out


def regression_table(
    results: Sequence[Result],
    columns: Sequence[str] | None = None,
    *,
    terms: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    digits: int = 3,
    stars: bool = False,
    extra: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Side-by-side table of several results, ready for a paper.

    Parameters
    ----------
    results
        Fitted results.
    columns
        Column headings, default "(1)", "(2)", ...
    terms
        Terms to show, in order (default: every term in order of first appearance).
    labels
        Term -> label, on top of :data:`TERM_LABELS`.
    digits
        Decimal places of estimates and standard errors.
    stars
        Add significance stars (* p<0.1, ** p<0.05, *** p<0.01); off by default, as
        journals increasingly ask.
    extra
        Keys of ``Result.extra`` to show as rows (default: fixed effects and clusters,
        where any result has them).

    Returns
    -------
    DataFrame
        First column ``""`` holds the row labels: for each term an estimate row and a
        standard-error row, then ``N`` and the extra rows. ``attrs["note"]`` names the
        inference once ("Standard errors in parentheses: CRV1 by province_code.").
    """
    columns = list(columns) if columns else [f"({i + 1})" for i in range(len(results))]
    if terms is None:
        seen: list[str] = []
        for r in results:
            seen += [t for t in r.coefs["term"] if t not in seen]
        terms = seen
    rows: list[list[str]] = []
    for t in terms:
        coef_row, se_row = [term_label(t, labels)], [""]
        for r in results:
            hit = r.coefs[r.coefs["term"] == t]
            if hit.empty:
                coef_row.append("")
                se_row.append("")
                continue
            h = hit.iloc[0]
            coef_row.append(_fmt(h["estimate"], digits) + (_stars(h["p_value"]) if stars else ""))
            se = _fmt(h["std_error"], digits)
            se_row.append(f"({se})" if se else "")
        rows += [coef_row, se_row]
    rows.append(["N", *[f"{r.n_obs:,}" for r in results]])
    keys = (
        list(extra)
        if extra is not None
        else [k for k in _EXTRA_LABELS if any(k in r.extra for r in results)]
    )
    for k in keys:
        vals = []
        for r in results:
            v = r.extra.get(k, "")
            vals.append(f"{v:,}" if isinstance(v, int | np.integer) else
                        _fmt(v, digits) if isinstance(v, float) else str(v))  # fmt: skip
        rows.append([_EXTRA_LABELS.get(k, k), *vals])
    out = pd.DataFrame(rows, columns=["", *columns])
    kinds = list(dict.fromkeys(r.vcov for r in results if r.vcov))
    if len(kinds) == 1:
        note = f"Standard errors in parentheses: {kinds[0]}."
    elif kinds:
        note = (
            "Standard errors in parentheses: "
            + "; ".join(f"{c} {r.vcov}" for c, r in zip(columns, results, strict=True))
            + "."
        )
    else:
        note = "Standard errors in parentheses."
    if stars:
        note += " * p<0.1, ** p<0.05, *** p<0.01."
    out.attrs["note"] = note
    return out


def _for_people(df: pd.DataFrame) -> pd.DataFrame:
    # object first: a nullable boolean or integer column cannot hold "" for its missing cells
    out = human_frame(df).astype(object)
    return out.where(out.notna(), "")


def to_markdown(df: pd.DataFrame, floatfmt: str | None = None) -> str:
    """GitHub-flavoured Markdown of ``df`` (no index), numbers formatted for people."""
    del floatfmt  # kept for callers of the old signature; numbers use formatting.human
    return _for_people(df).to_markdown(index=False, disable_numparse=True) + "\n"


def to_latex(df: pd.DataFrame, caption: str = "") -> str:
    """LaTeX tabular of ``df`` (booktabs), numbers formatted for people, text escaped."""
    spec = "l" + "r" * (df.shape[1] - 1)
    body = _for_people(df).to_latex(index=False, column_format=spec, escape=True)
    return (f"% {caption}\n" if caption else "") + body


def to_html(df: pd.DataFrame, caption: str = "") -> str:
    """An HTML table of ``df`` (text escaped), numbers formatted for people."""
    import html

    body = _for_people(df).to_html(index=False, border=0, classes="tbl", escape=True)
    return body + (f'\n<p class="note">{html.escape(caption)}</p>\n' if caption else "")


def write_table(
    df: pd.DataFrame, folder: Path, name: str, caption: str, floatfmt: str = ".3f"
) -> list[Path]:
    """Write ``df`` as ``<folder>/<name>.csv``, ``.md`` and ``.tex``.

    The Markdown, LaTeX and HTML versions carry the table's note (``attrs["note"]``, e.g.
    the inference of a regression table) and ``caption`` (text, sources, synthetic
    warning), with numbers formatted for people; the CSV is the plain data at full
    precision. Called by :func:`lsimpact.exhibits.save`.
    """
    note = df.attrs.get("note", "")
    text = f"{note} {caption}".strip() if note else caption
    # formulas neutralised: these CSVs are opened in spreadsheets (io.neutralise_formulas)
    csv = neutralise_formulas(df).to_csv(index=False, lineterminator="\n", float_format="%.10g")
    return [
        write_text(folder / f"{name}.csv", csv),
        write_text(folder / f"{name}.md", to_markdown(df) + "\n" + text + "\n"),
        write_text(folder / f"{name}.tex", to_latex(df, text)),
        write_text(folder / f"{name}.html", to_html(df, text)),
    ]
