"""Saving exhibits: one ``save`` for figures, tables and results, with their provenance.

``save(obj, name, inputs=[...], caption=...)`` writes a figure (PNG + SVG) or a table
(CSV + Markdown + LaTeX) into ``reports/`` and a JSON record ``<name>.exhibit.json``
beside it; ``report`` gathers the records into ``reports/manifest.json`` and the HTML
index. Sources and the SYNTHETIC flag are *derived* from the inputs, never passed by
hand:

- an input is a catalogue resource name, or a frame returned by :func:`lsimpact.load`
  (or a subset of one: pandas carries ``attrs`` along), which knows the raw files it was
  made from and whether a user's own file replaced the shipped one;
- the sources are the ``source_org`` values of the rows drawn, when the frame has them
  (published figures), else the catalogue's source line of each raw input (for a synthetic
  input: its generator and seed), else the user's file name;
- the exhibit is SYNTHETIC when any catalogue input it draws on is synthetic.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import catalog, config
from .io import write_json

__all__ = ["Provenance", "caption_text", "provenance", "save"]

#: The warning every exhibit drawn from synthetic data carries.
SYNTHETIC_NOTE = "SYNTHETIC DATA (seeded generator with known true effects), not observations."


@dataclass(frozen=True)
class Provenance:
    """Where an exhibit's numbers come from."""

    inputs: tuple[dict[str, Any], ...]
    sources: tuple[str, ...]
    synthetic: bool


def _resource_source(res: dict[str, Any]) -> str:
    if res.get("synthetic"):
        seed = f" (seed {res['seed']})" if "seed" in res else ""
        return f"{res.get('generator', res['name'])}{seed}, synthetic"
    titles = [s.get("title", "") for s in res.get("sources", []) if s.get("title")]
    return titles[0] if titles else res.get("title", res["name"])


#: Columns that name where a row's number was published (not its row, link or title).
_NOT_SOURCE = {"source_row", "source_url", "source_title", "source_rows"}


def _row_sources(df: pd.DataFrame) -> list[str]:
    """The organisations cited by the rows of ``df`` (``source_org``, ``source`` written
    "org — title", or ``source_<x>`` columns of a merged table)."""
    cols = [c for c in df.columns if str(c) == "source" or (str(c).startswith("source_")
            and str(c) not in _NOT_SOURCE)]  # fmt: skip
    out: list[str] = []
    for c in cols:
        vals = df[c].dropna().astype(str).str.split(" — ").str[0].str.strip()
        out += [v for v in vals.unique() if v]
    return out


def provenance(inputs: Sequence[str | pd.DataFrame]) -> Provenance:
    """The raw inputs, sources and synthetic flag of an exhibit drawn from ``inputs``.

    Raises
    ------
    ValueError
        When an input is a frame that does not say where it came from (no ``attrs`` from
        :func:`lsimpact.load`): pass the catalogue resource names instead.
    """
    records: dict[str, dict[str, Any]] = {}
    sources: list[str] = []
    for item in inputs:
        item_rows: list[str] = []
        if isinstance(item, str):
            names, user_file = [item], None
        elif isinstance(item, pd.DataFrame):
            hashes = item.attrs.get("inputs")
            if not hashes:
                raise ValueError(
                    "an exhibit input is a DataFrame without lsimpact.load() attrs; pass the "
                    "frame returned by lsimpact.load (or a subset), or catalogue resource names"
                )
            names = list(hashes)
            src = item.attrs.get("source", "catalogue")
            user_file = None if src == "catalogue" else src
            item_rows = _row_sources(item)
        else:
            raise TypeError(f"exhibit inputs are resource names or frames, not {type(item)}")
        for i, name in enumerate(names):
            res = catalog.resource(name)
            replaced = user_file is not None and i == 0
            records[name] = {
                "resource": name,
                "path": user_file if replaced else f"data/raw/{res['path']}",
                "sha256": (item.attrs["inputs"][name] if isinstance(item, pd.DataFrame)
                           else catalog.expected_hash(res)),
                "synthetic": False if replaced else bool(res.get("synthetic", False)),
                "source": f"user file {Path(user_file).name}" if replaced else _resource_source(res),
            }  # fmt: skip
        # An input names the organisations its rows cite (published figures) or, when its
        # rows cite none, the catalogue's source line of its raw files (a generator and
        # seed for synthetic data): a figure of published and synthetic inputs names both.
        synthetic_item = any(records[n]["synthetic"] for n in names)
        # a synthetic table's "source" column names the tracker file, not a publisher
        rows = [] if synthetic_item else sorted(set(item_rows))
        sources += rows or [records[n]["source"] for n in names]
    recs = tuple(records.values())
    return Provenance(recs, tuple(dict.fromkeys(sources)), any(r["synthetic"] for r in recs))


_CHANNEL = re.compile(r"(,\s*via\b.*|\s+at\s+.*|\s*\(via\b[^)]*\))$")


def short_sources(sources: Sequence[str]) -> list[str]:
    """Sources as printed under an exhibit: one entry per organisation, in first-seen order.

    "Ministry of Commerce (MOFCOM), via Xinhua" and "... at State Council Information
    Office" are the same organisation reached through different reprints: the caption names
    it once (the exhibit record keeps every reprint for provenance).
    """
    out: list[str] = []
    for s in sources:
        org = _CHANNEL.sub("", s).strip() or s
        if org not in out:
            out.append(org)
    return out


def caption_text(
    caption: str,
    sources: Sequence[str],
    synthetic: bool,
    *,
    with_sources: bool = True,
    transliterate: Any = None,
) -> str:
    """The caption printed with an exhibit: text, sources, and a synthetic-data warning.

    ``transliterate`` (e.g. :func:`lsimpact.plots.latin`) is applied to the sources on
    figures, where a missing CJK font would otherwise draw boxes.
    """
    text = caption.strip()
    parts = [text if text.endswith((".", "!", "?")) else text + "."] if text else []
    if with_sources:
        names = (
            [transliterate(s) for s in short_sources(sources)]
            if transliterate
            else (short_sources(sources))
        )
        parts.append("Source: " + "; ".join(names) + ".")
    if synthetic:
        parts.append(SYNTHETIC_NOTE)
    return " ".join(parts)


def output_folder(kind: str, out_dir: str | os.PathLike[str] | None) -> Path:
    """``<reports>/figures`` or ``<reports>/tables`` (``out_dir`` overrides the reports root)."""
    root = Path(out_dir) if out_dir is not None else config.reports_dir()
    folder = root / ("figures" if kind == "figure" else "tables")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(
    obj: Any,
    name: str,
    *,
    inputs: Sequence[str | pd.DataFrame],
    caption: str,
    out_dir: str | os.PathLike[str] | None = None,
    floatfmt: str = ".3f",
) -> list[Path]:
    """Save a figure, a table or a result as exhibit ``name`` with its provenance.

    Parameters
    ----------
    obj
        A matplotlib Figure or Axes (-> ``figures/<name>.png`` and ``.svg``), a DataFrame
        (-> ``tables/<name>.csv``, ``.md``, ``.tex``) or a Result (its ``tidy()`` table).
    name
        File stem, snake_case (e.g. ``"overview_users"``).
    inputs
        What the exhibit draws on: frames from :func:`lsimpact.load` (or subsets) and/or
        catalogue resource names. Sources and the SYNTHETIC flag are derived from them.
    caption
        One or two sentences saying what the exhibit shows (sources and the synthetic
        warning are appended).
    out_dir
        Reports root (default ``config.reports_dir()``).

    Returns
    -------
    list of Path
        The files written (the exhibit record ``<name>.exhibit.json`` besides).
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    prov = provenance(inputs)
    if not prov.sources:
        raise ValueError(f"exhibit '{name}': every exhibit must name its data source(s)")
    if isinstance(obj, Axes):
        obj = obj.figure
    if isinstance(obj, Figure):
        from . import plots

        kind, folder = "figure", output_folder("figure", out_dir)
        text = caption_text(caption, prov.sources, prov.synthetic, transliterate=plots.latin)
        paths = plots.write_figure(obj, folder, name, text)
    else:
        from . import tables

        if hasattr(obj, "tidy") and not isinstance(obj, pd.DataFrame):
            obj = obj.tidy()
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(f"exhibit '{name}': cannot save a {type(obj).__name__}")
        kind, folder = "table", output_folder("table", out_dir)
        text = caption_text(caption, prov.sources, prov.synthetic)
        paths = tables.write_table(obj, folder, name, text, floatfmt)
    record = {
        "kind": kind,
        "name": name,
        "files": [p.name for p in paths],
        "caption": caption_text(caption, [], prov.synthetic, with_sources=False),
        "sources": list(prov.sources),
        "inputs": list(prov.inputs),
        "synthetic": prov.synthetic,
        "notebook": os.environ.get("LSIMPACT_NOTEBOOK", "") or _earlier_notebook(folder, name),
    }
    write_json(folder / f"{name}.exhibit.json", record)
    _refresh_report(folder.parent)
    return paths


def _earlier_notebook(folder: Path, name: str) -> str:
    """The notebook an earlier report attributed exhibit ``name`` to (a notebook re-run by
    hand does not know its own file name; the exhibit keeps its place in the report)."""
    import json

    try:
        return json.loads((folder / f"{name}.exhibit.json").read_text(encoding="utf-8")).get(
            "notebook", ""
        )
    except (OSError, ValueError):
        return ""


def _refresh_report(root: Path) -> None:
    """Keep ``manifest.json`` and ``index.html`` in step with an exhibit saved by hand.

    Under ``lsimpact report`` the report writes them once at the end; a notebook run by hand
    rewrites an exhibit of an existing report, whose index and manifest are rebuilt here.
    """
    from . import manifest

    if os.environ.get(manifest.REPORT_RUN_ENV) or not (root / "manifest.json").is_file():
        return
    manifest.refresh(root)
