"""The raw-data catalogue: ``data/raw/datapackage.json`` (Frictionless Data Package).

List the shipped resources, verify their sha256 hashes, and load one as a DataFrame.
Shipped raw files are read only through this module; a user's own files go through
:func:`lsimpact.io.read_table`.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from . import config
from .errors import ChecksumError, InputError
from .io import read_table

__all__ = ["datapackage", "file_sha256", "list_resources", "load", "path", "resource", "verify"]

DATAPACKAGE = "datapackage.json"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def datapackage(raw_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The parsed ``datapackage.json`` of ``raw_dir`` (default: the project's data/raw)."""
    folder = Path(raw_dir) if raw_dir is not None else config.raw_dir()
    return _read_datapackage(str(folder.resolve()))


@lru_cache(maxsize=8)
def _read_datapackage(folder: str) -> dict[str, Any]:
    p = Path(folder) / DATAPACKAGE
    if not p.is_file():
        raise InputError(
            "no data catalogue found",
            path=p,
            hint="run from the project folder or set LSIMPACT_ROOT to it",
        )
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the catalogue is not valid JSON ({exc.msg})", path=p, row=exc.lineno
        ) from exc


def resource(name: str, raw_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The catalogue entry of resource ``name``."""
    for res in datapackage(raw_dir)["resources"]:
        if res["name"] == name:
            return res
    names = ", ".join(r["name"] for r in datapackage(raw_dir)["resources"])
    raise InputError(f"no resource named '{name}' in the catalogue", expected=f"one of: {names}")


def path(name: str, raw_dir: str | os.PathLike[str] | None = None) -> Path:
    """Absolute path of resource ``name``."""
    folder = Path(raw_dir) if raw_dir is not None else config.raw_dir()
    return folder / resource(name, raw_dir)["path"]


def expected_hash(res: dict[str, Any]) -> str:
    h = res.get("hash", "")
    return h.split(":", 1)[1] if ":" in h else h


def list_resources(raw_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """One row per catalogued resource: name, path, format, synthetic, bytes, title."""
    rows = []
    for res in datapackage(raw_dir)["resources"]:
        rows.append(
            {
                "name": res["name"],
                "path": res["path"],
                "format": res.get("format", ""),
                "synthetic": bool(res.get("synthetic", False)),
                "bytes": res.get("bytes"),
                "title": res.get("title", ""),
            }
        )
    return pd.DataFrame(rows)


def verify(
    names: list[str] | None = None, raw_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Check every (or the named) resource's sha256 against the catalogue.

    Returns
    -------
    DataFrame
        name, path, expected, actual, ok.

    Raises
    ------
    ChecksumError
        Naming every file that is missing or whose bytes differ from the catalogue.
    """
    folder = Path(raw_dir) if raw_dir is not None else config.raw_dir()
    rows = []
    for res in datapackage(folder)["resources"]:
        if names is not None and res["name"] not in names:
            continue
        p = folder / res["path"]
        actual = file_sha256(p) if p.is_file() else "missing"
        rows.append(
            {
                "name": res["name"],
                "path": str(p),
                "expected": expected_hash(res),
                "actual": actual,
                "ok": actual == expected_hash(res),
            }
        )
    report = pd.DataFrame(rows, columns=["name", "path", "expected", "actual", "ok"])
    bad = report[~report["ok"]]
    if len(bad):
        files = "; ".join(
            f"{r.path} ({'missing' if r.actual == 'missing' else 'sha256 ' + r.actual[:12] + '…'})"
            for r in bad.itertuples()
        )
        raise ChecksumError(
            f"{len(bad)} raw file(s) differ from the catalogue: {files}",
            path=bad["path"].iloc[0],
            expected="the sha256 recorded in data/raw/datapackage.json",
            hint="restore the shipped file (git checkout -- data/raw), or put your own data "
            "in a separate file and pass it to `lsimpact clean` instead of editing data/raw",
        )
    return report


def load(
    name: str, *, check_hash: bool = True, raw_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Load tabular resource ``name`` as a DataFrame of strings (as written in the file).

    The hash is verified first (``check_hash=False`` skips it) and the catalogued fields
    must all be present.
    """
    res = resource(name, raw_dir)
    if check_hash:
        verify([name], raw_dir)
    p = path(name, raw_dir)
    df = read_table(p)
    fields = [f["name"] for f in res.get("schema", {}).get("fields", [])]
    missing = [f for f in fields if f not in df.columns]
    if missing:
        raise InputError(
            f"columns missing from the file: {', '.join(missing)}",
            path=p,
            expected=f"the catalogued fields {fields}",
        )
    df.attrs["resource"] = name
    df.attrs["sha256"] = expected_hash(res)
    df.attrs["synthetic"] = bool(res.get("synthetic", False))
    return df
