"""Where things live: the project root, raw and processed data, reports.

The root is found from ``LSIMPACT_ROOT`` when set, otherwise by walking up from the
current directory to the first folder holding ``data/raw/datapackage.json``, otherwise
the source checkout this package was installed from (editable install).
"""

from __future__ import annotations

import os
from pathlib import Path

_MARKER = Path("data") / "raw" / "datapackage.json"


def project_root() -> Path:
    """Return the project root folder (the one holding ``data/raw/datapackage.json``)."""
    env = os.environ.get("LSIMPACT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / _MARKER).is_file():
            return candidate
    # Editable install: src/lsimpact/config.py -> repository root two levels above src/.
    source_root = Path(__file__).resolve().parents[2]
    if (source_root / _MARKER).is_file():
        return source_root
    return here


def raw_dir() -> Path:
    """Folder of shipped raw inputs (read-only for code)."""
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    """Folder of processed Parquet tables (``LSIMPACT_PROCESSED_DIR`` overrides)."""
    env = os.environ.get("LSIMPACT_PROCESSED_DIR")
    return Path(env).resolve() if env else project_root() / "data" / "processed"


def reports_dir() -> Path:
    """Folder receiving figures, tables and the index (``LSIMPACT_REPORTS_DIR`` overrides).

    Tests point this at a temporary folder so that running the suite never rewrites the
    user's reports.
    """
    env = os.environ.get("LSIMPACT_REPORTS_DIR")
    return Path(env).resolve() if env else project_root() / "reports"
