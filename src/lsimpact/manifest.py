"""A reports folder's ``manifest.json`` and ``index.html`` (the report page).

Built from what the folder holds: the exhibit records (``<name>.exhibit.json`` beside each
figure and table), the executed notebooks (their first heading and narration, and the key
numbers their last cell printed) and every file written. Used by ``lsimpact report`` at
the end of a run, and by :func:`lsimpact.exhibits.save` when a notebook run by hand
rewrites an exhibit of an existing report, so the index never falls out of step.

Every value reaching the page is HTML-escaped (the template autoescapes everything); the
only markup let through is built here from escaped text: pandas' table HTML
(``escape=True``) and the notebooks' Markdown rendered with raw HTML escaped.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd

from . import config
from .io import write_json, write_text

__all__ = [
    "REPORT_RUN_ENV",
    "build_index",
    "build_manifest",
    "collect_exhibits",
    "notebook_summary",
    "notebooks",
    "refresh",
]

_PACKAGES = (
    "lsimpact",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "statsmodels",
    "pyfixest",
    "pandera",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbformat",
)
#: Set while ``lsimpact report`` executes notebooks: exhibits then leave the index to the
#: report; saved by hand, they refresh it themselves (see ``exhibits``).
REPORT_RUN_ENV = "LSIMPACT_REPORT_RUN"


def notebooks(folder: Path | None = None) -> list[Path]:
    """The report notebooks, ``NN_name.ipynb``, in number order."""
    folder = folder or config.project_root() / "notebooks"
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def _cell_text(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_summary(executed: Path) -> dict[str, Any]:
    """What the report says about one notebook, read from its executed copy.

    Returns
    -------
    dict
        ``name``, ``title`` (the first heading), ``intro`` (the first markdown cell's text
        after the heading, Markdown), ``key_numbers`` (the lines the last code cell printed:
        the notebook's key numbers, with their intervals, as its tests hold them fixed).
    """
    nb = json.loads(executed.read_text(encoding="utf-8"))
    cells = nb.get("cells", [])
    title, intro = executed.stem, ""
    first_md = next((c for c in cells if c.get("cell_type") == "markdown"), None)
    if first_md is not None:
        lines = _cell_text(first_md).strip().splitlines()
        if lines and lines[0].startswith("#"):
            title = lines[0].lstrip("#").strip()
            lines = lines[1:]
        intro = "\n".join(lines).strip()
    key: list[str] = []
    code = [c for c in cells if c.get("cell_type") == "code"]
    if code:
        for out in code[-1].get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                key += [ln for ln in _cell_text({"source": out.get("text", "")}).splitlines() if ln]
    return {"name": executed.name, "title": title, "intro": intro, "key_numbers": key}


def _git_commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in _PACKAGES:
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def collect_exhibits(out_dir: Path) -> list[dict[str, Any]]:
    """All exhibit records under ``out_dir``, ordered by notebook, kind and name."""
    recs = []
    for sub in ("figures", "tables"):
        for p in sorted((out_dir / sub).glob("*.exhibit.json")):
            rec = json.loads(p.read_text(encoding="utf-8"))
            rec["files"] = [f"{sub}/{f}" for f in rec["files"]]
            recs.append(rec)
    return sorted(recs, key=lambda r: (r["notebook"], r["kind"], r["name"]))


def _notebook_records(out_dir: Path) -> list[dict[str, Any]]:
    recs = []
    for nb in notebooks(out_dir / "notebooks"):
        rec = notebook_summary(nb)
        rec["ipynb"] = f"notebooks/{nb.name}"
        html_file = nb.with_suffix(".html")
        rec["html"] = f"notebooks/{html_file.name}" if html_file.is_file() else None
        recs.append(rec)
    return recs


def build_manifest(out_dir: Path) -> dict[str, Any]:
    """``reports/manifest.json``: every exhibit with provenance, the executed notebooks,
    versions, commit, and every file the report wrote (what a rebuild may delete)."""
    exhibits = collect_exhibits(out_dir)
    nbs = _notebook_records(out_dir)
    written = {"index.html", "manifest.json"}
    for rec in exhibits:
        written |= set(rec["files"])
        folder = rec["files"][0].split("/")[0] if rec["files"] else "figures"
        written.add(f"{folder}/{rec['name']}.exhibit.json")
    for nb in nbs:
        written |= {f for f in (nb["ipynb"], nb["html"]) if f}
    manifest = {
        "git_commit": _git_commit(config.project_root()),
        "versions": _versions(),
        "notebooks": nbs,
        "exhibits": exhibits,
        "written": sorted(written),
    }
    write_json(out_dir / "manifest.json", manifest)
    return manifest


def _table_html(out_dir: Path, rec: dict[str, Any]) -> str:
    from .formatting import human_frame

    csv = next((f for f in rec["files"] if f.endswith(".csv")), None)
    if csv is None or not (out_dir / csv).is_file():
        return ""
    df = pd.read_csv(out_dir / csv, keep_default_na=False, na_values=[""])
    # numbers for people (1,234; 0.0924), text escaped by pandas; the result is HTML
    return human_frame(df).to_html(index=False, border=0, classes="tbl", escape=True, na_rep="")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


class _Ids:
    """Unique HTML ids: a repeated slug gets ``-2``, ``-3`` ..."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, *parts: str) -> str:
        base = _slug("-".join(parts))
        new, k = base, 1
        while new in self.seen:
            k += 1
            new = f"{base}-{k}"
        self.seen.add(new)
        return new


def _markdown(text: str) -> str:
    """Markdown (a notebook's own narration) as HTML; raw HTML in it is escaped."""
    import mistune

    return mistune.create_markdown(escape=True)(text)


def build_index(out_dir: Path | None = None) -> Path:
    """Write ``manifest.json`` and ``index.html`` (the report) for ``out_dir``.

    Every value reaching the page is HTML-escaped (the template autoescapes everything);
    the only markup let through is what this module builds from escaped text: pandas'
    table HTML (``escape=True``) and the notebooks' Markdown rendered with raw HTML escaped.
    """
    from jinja2 import Environment, PackageLoader
    from markupsafe import Markup

    out_dir = out_dir or config.reports_dir()
    manifest = build_manifest(out_dir)
    ids = _Ids()
    sections: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    for nb in manifest["notebooks"]:
        sec = dict(nb, id=ids("nb", Path(nb["name"]).stem), exhibits=[])
        sec["intro_html"] = Markup(_markdown(nb["intro"])) if nb["intro"] else ""
        sections.append(sec)
        by_name[nb["name"]] = sec
    for rec in manifest["exhibits"]:
        rec = dict(rec, id=ids(rec["kind"], rec["name"]))
        if rec["kind"] == "table":
            rec["html"] = Markup(_table_html(out_dir, rec))
        nb_name = rec["notebook"] or "(no notebook)"
        if nb_name not in by_name:
            sec = {
                "name": nb_name,
                "title": nb_name,
                "intro_html": "",
                "key_numbers": [],
                "ipynb": None,
                "html": None,
                "id": ids("nb", Path(nb_name).stem),
                "exhibits": [],
            }
            sections.append(sec)
            by_name[nb_name] = sec
        by_name[nb_name]["exhibits"].append(rec)
    # autoescape=True: every {{ value }} is escaped, whatever the template's file name
    env = Environment(loader=PackageLoader("lsimpact"), autoescape=True)
    page = env.get_template("index.html.j2").render(sections=sections, manifest=manifest)
    return write_text(out_dir / "index.html", page)


def refresh(out_dir: Path | None = None) -> Path:
    """Rebuild ``manifest.json`` and ``index.html`` from what ``out_dir`` holds now (used
    when a notebook run by hand saves an exhibit)."""
    return build_index(out_dir)
