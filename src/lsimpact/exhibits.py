"""Exhibit records: what each saved figure or table is, where it came from.

``plots.save`` and ``tables.save`` write a JSON sidecar ``<name>.exhibit.json`` beside the
outputs; ``report`` gathers the sidecars into ``reports/manifest.json`` and the HTML index.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import catalog, config
from .io import write_json

__all__ = ["record"]


def _inputs(resources: Sequence[str]) -> list[dict[str, str]]:
    out = []
    for name in resources:
        res = catalog.resource(name)
        out.append(
            {
                "resource": name,
                "path": f"data/raw/{res['path']}",
                "sha256": catalog.expected_hash(res),
                "synthetic": bool(res.get("synthetic", False)),
            }
        )
    return out


def record(
    kind: str,
    name: str,
    files: Sequence[Path],
    *,
    caption: str,
    sources: Sequence[str],
    inputs: Sequence[str],
    synthetic: bool,
    folder: Path,
) -> dict[str, Any]:
    """Write and return the exhibit record of one figure or table.

    ``inputs`` are catalogue resource names; a figure whose inputs include a synthetic
    resource must say so (``synthetic=True``), which is checked here.
    """
    if not sources:
        raise ValueError(f"exhibit '{name}': every exhibit must name its data source(s)")
    inp = _inputs(inputs)
    if any(i["synthetic"] for i in inp) and not synthetic:
        raise ValueError(f"exhibit '{name}' draws on synthetic data but is not marked synthetic")
    rec = {
        "kind": kind,
        "name": name,
        "files": [f.name for f in files],
        "caption": caption,
        "sources": list(sources),
        "inputs": inp,
        "synthetic": bool(synthetic),
        "notebook": os.environ.get("LSIMPACT_NOTEBOOK", ""),
    }
    write_json(folder / f"{name}.exhibit.json", rec)
    return rec


def output_folder(kind: str, out_dir: str | os.PathLike[str] | None) -> Path:
    """``<reports>/figures`` or ``<reports>/tables`` (``out_dir`` overrides the reports root)."""
    root = Path(out_dir) if out_dir is not None else config.reports_dir()
    folder = root / ("figures" if kind == "figure" else "tables")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
