"""Where things live: the project folder, raw and processed data, reports.

A *project folder* is one holding ``data/raw/datapackage.json`` (this repository, or a
folder written by ``lsimpact init DIR``). It is found, in this order:

1. ``LSIMPACT_ROOT``, when set (it must be a project folder);
2. the current directory or the nearest parent that is one;
3. the source checkout this package was installed from (editable install).

Without a project folder (a plain ``pip install lsimpact`` used from anywhere):

- raw data is the copy shipped inside the package (``lsimpact/_shipped/raw``, the same
  files and catalogue as the repository's ``data/raw/``);
- processed tables go to the per-user cache folder (``platformdirs.user_cache_dir``,
  e.g. ``~/.cache/lsimpact/<version>/processed`` on Linux);
- reports go to ``./reports`` under the current directory.

``LSIMPACT_PROCESSED_DIR`` and ``LSIMPACT_REPORTS_DIR`` override the last two.
"""

from __future__ import annotations

import os
from pathlib import Path

_MARKER = Path("data") / "raw" / "datapackage.json"
_PACKAGE = Path(__file__).resolve().parent

__all__ = [
    "find_project",
    "processed_dir",
    "project_root",
    "raw_dir",
    "reports_dir",
    "shipped_notebooks_dir",
    "shipped_raw_dir",
]


def find_project() -> Path | None:
    """The project folder, or None when there is none (see the module docstring).

    Raises
    ------
    InputError
        When ``LSIMPACT_ROOT`` is set but is not a project folder.
    """
    env = os.environ.get("LSIMPACT_ROOT")
    if env:
        root = Path(env).expanduser().resolve()
        if not (root / _MARKER).is_file():
            from .errors import InputError

            raise InputError(
                "LSIMPACT_ROOT is not a project folder",
                path=root,
                expected=f"a folder holding {_MARKER.as_posix()}",
                hint="unset LSIMPACT_ROOT, or create a project with `lsimpact init DIR`",
            )
        return root
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / _MARKER).is_file():
            return candidate
    # Editable install: src/lsimpact/config.py -> repository root two levels above src/.
    source_root = _PACKAGE.parents[1]
    if (source_root / _MARKER).is_file():
        return source_root
    return None


def project_root() -> Path:
    """The project folder, or the current directory when there is none."""
    return find_project() or Path.cwd().resolve()


def shipped_raw_dir() -> Path:
    """The raw data shipped inside the installed package (read-only).

    In a source checkout this is the repository's ``data/raw`` itself.
    """
    inside = _PACKAGE / "_shipped" / "raw"
    if (inside / "datapackage.json").is_file():
        return inside
    return _PACKAGE.parents[1] / "data" / "raw"


def shipped_notebooks_dir() -> Path:
    """The report notebooks shipped inside the installed package (or the checkout's)."""
    inside = _PACKAGE / "_shipped" / "notebooks"
    return inside if inside.is_dir() else _PACKAGE.parents[1] / "notebooks"


def raw_dir() -> Path:
    """Folder of raw inputs: the project's ``data/raw``, else the shipped copy."""
    root = find_project()
    return root / "data" / "raw" if root is not None else shipped_raw_dir()


def _user_cache() -> Path:
    from platformdirs import user_cache_dir

    from ._version import __version__

    # Versioned, so tables cleaned by an older release are never mistaken for current ones.
    return Path(user_cache_dir("lsimpact", appauthor=False)) / __version__


def processed_dir() -> Path:
    """Folder of processed Parquet tables (``LSIMPACT_PROCESSED_DIR`` overrides).

    The project's ``data/processed``, else the per-user cache folder.
    """
    env = os.environ.get("LSIMPACT_PROCESSED_DIR")
    if env:
        return Path(env).resolve()
    root = find_project()
    return root / "data" / "processed" if root is not None else _user_cache() / "processed"


def reports_dir() -> Path:
    """Folder receiving figures, tables and the index (``LSIMPACT_REPORTS_DIR`` overrides).

    Tests point this at a temporary folder so that running the suite never rewrites the
    user's reports.
    """
    env = os.environ.get("LSIMPACT_REPORTS_DIR")
    if env:
        return Path(env).resolve()
    return project_root() / "reports"
