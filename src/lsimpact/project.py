"""``lsimpact init DIR``: write a ready project folder from the files shipped in the package.

The folder holds ``data/raw`` (the shipped raw data and catalogue), ``data/processed``,
``notebooks`` (the report notebooks and their jupytext pairs), ``reports``, a ``Makefile``
that drives the installed ``lsimpact`` and a short README; ``lsimpact report`` run inside
it rebuilds every exhibit.
"""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from . import config
from ._version import __version__
from .errors import InputError
from .io import write_text

__all__ = ["init"]


def _template(name: str) -> str:
    return files("lsimpact").joinpath("templates", name).read_text(encoding="utf-8")


def init(folder: str | Path) -> Path:
    """Write a project folder at ``folder`` (created; must be absent or empty).

    Parameters
    ----------
    folder
        Where to write the project.

    Returns
    -------
    Path
        The project folder (absolute).

    Raises
    ------
    InputError
        When ``folder`` exists and is not empty, or is a file: nothing is overwritten.
    """
    target = Path(folder).expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(
            "the folder for the new project is not empty",
            path=target,
            expected="a new or empty folder",
            hint="choose another folder; lsimpact init never overwrites files",
        )
    raw_src = config.shipped_raw_dir()
    nb_src = config.shipped_notebooks_dir()
    raw = target / "data" / "raw"
    raw.mkdir(parents=True)
    for p in sorted(raw_src.iterdir()):
        if p.is_file() and not p.name.startswith((".", "__")):
            shutil.copyfile(p, raw / p.name)
    (target / "data" / "processed").mkdir()
    (target / "reports").mkdir()
    nbs = target / "notebooks"
    nbs.mkdir()
    for p in sorted(nb_src.iterdir()):
        keep = p.name == "sanitize.cfg" or (p.name[:2].isdigit() and p.suffix in (".ipynb", ".py"))
        if p.is_file() and keep:
            shutil.copyfile(p, nbs / p.name)
    write_text(target / "Makefile", _template("project.mk"))
    write_text(
        target / "README.md", _template("project_readme.md").replace("{version}", __version__)
    )
    write_text(target / ".gitignore", "data/processed/\nreports/\nbuild/\n.ipynb_checkpoints/\n")
    return target
