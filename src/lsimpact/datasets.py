"""The processed datasets: name -> raw inputs, cleaner, schema; ``build()`` and ``load()``.

Each module in :mod:`lsimpact.clean` declares its datasets in a module-level ``DATASETS``
list of :class:`DatasetSpec`; this module discovers them, so adding a dataset never means
editing a central registry.

A processed table is rebuilt when it is missing or *stale*: its Parquet metadata records a
fingerprint of the raw inputs' hashes and of the cleaning code, and ``load`` rebuilds when
either changed.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, catalog, config
from .cleaning import Cleaned, RowAccounting
from .errors import InputError
from .io import read_parquet_metadata, read_table, write_json, write_parquet, write_text

__all__ = ["DatasetSpec", "BuildResult", "build", "build_all", "clean_file", "get", "load", "names"]


@dataclass(frozen=True)
class DatasetSpec:
    """How one processed table is made.

    Attributes
    ----------
    name
        Processed table name (file ``data/processed/<name>.parquet``, ``load(name)``).
    inputs
        Catalogue resource names passed positionally to ``cleaner``; the first is the
        *primary* input, the one a user's own file replaces in ``lsimpact clean``.
    cleaner
        Pure function ``(*frames, **options) -> Cleaned``.
    schema
        Zero-argument callable returning the pandera schema of the output.
    description
        One line shown by ``lsimpact data --list`` and in the README.
    aliases
        Other names accepted by ``get`` and the CLI (``followers`` for ``followers_daily``).
    """

    name: str
    inputs: tuple[str, ...]
    cleaner: Callable[..., Cleaned]
    schema: Callable[[], Any]
    description: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


@dataclass
class BuildResult:
    """What ``build`` wrote (``cleaned`` is None when the table was already current)."""

    name: str
    path: Path
    quarantine_path: Path
    summary: RowAccounting
    rebuilt: bool
    cleaned: Cleaned | None = None


@cache
def _registry() -> dict[str, DatasetSpec]:
    from . import clean

    specs: dict[str, DatasetSpec] = {}
    for mod_info in sorted(pkgutil.iter_modules(clean.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{clean.__name__}.{mod_info.name}")
        for spec in getattr(module, "DATASETS", []):
            if spec.name in specs:
                raise RuntimeError(f"dataset '{spec.name}' declared twice")
            specs[spec.name] = spec
    return specs


def names() -> list[str]:
    """Names of all processed datasets, sorted."""
    return sorted(_registry())


def get(name: str) -> DatasetSpec:
    """The spec of dataset ``name`` (or of the dataset that has ``name`` as an alias)."""
    registry = _registry()
    if name in registry:
        return registry[name]
    for spec in registry.values():
        if name in spec.aliases:
            return spec
    raise InputError(f"unknown dataset '{name}'", expected=f"one of: {', '.join(names())}")


def _code_fingerprint(spec: DatasetSpec) -> str:
    from . import cleaning, parse, schemas

    h = hashlib.sha256(__version__.encode())
    for obj in (inspect.getmodule(spec.cleaner), schemas, parse, cleaning):
        if obj is not None and getattr(obj, "__file__", None):
            h.update(Path(obj.__file__).read_bytes())
    return h.hexdigest()


def _fingerprint(spec: DatasetSpec) -> str:
    h = hashlib.sha256(_code_fingerprint(spec).encode())
    for res in spec.inputs:
        h.update(catalog._expected_hash(catalog.resource(res)).encode())
    h.update(json.dumps(dict(spec.options), sort_keys=True, default=str).encode())
    return h.hexdigest()


def output_path(name: str) -> Path:
    """``data/processed/<name>.parquet``."""
    return config.processed_dir() / f"{name}.parquet"


def quarantine_path(output: Path) -> Path:
    """The quarantine CSV written beside an output: ``<stem>.quarantine.csv``."""
    return output.with_name(f"{output.stem}.quarantine.csv")


def run_cleaner(spec: DatasetSpec, frames: list[pd.DataFrame], **options: Any) -> Cleaned:
    """Run the cleaner, check the row accounting and validate the output schema."""
    from .schemas import validate

    opts = {**spec.options, **options}
    cleaned = spec.cleaner(*frames, **opts)
    cleaned.summary.check()
    cleaned.data = validate(cleaned.data, spec.schema(), dataset=spec.name)
    return cleaned


def write_outputs(cleaned: Cleaned, output: Path, metadata: dict[str, str]) -> Path:
    """Write the clean table, its quarantine CSV and summary JSON atomically."""
    meta = {
        "lsimpact:summary": json.dumps(cleaned.summary.as_dict(), sort_keys=True),
        # The options a cleaner ran with (e.g. the "transformed" rule) travel with the table.
        "lsimpact:options": json.dumps(cleaned.options, sort_keys=True, default=str),
        **metadata,
    }
    write_parquet(cleaned.data, output, metadata=meta)
    qpath = quarantine_path(output)
    write_text(qpath, cleaned.quarantine.to_csv(index=False, lineterminator="\n"))
    write_json(output.with_name(f"{output.stem}.summary.json"), cleaned.summary.as_dict())
    return qpath


def build(name: str, *, force: bool = False) -> BuildResult:
    """Build ``data/processed/<name>.parquet`` from the shipped raw inputs.

    Skips the work when the existing file's fingerprint (raw hashes + cleaning code) is
    current, unless ``force``.
    """
    spec = get(name)
    name = spec.name
    out = output_path(name)
    fp = _fingerprint(spec)
    if not force and out.is_file():
        meta = read_parquet_metadata(out)
        if meta.get("lsimpact:fingerprint") == fp:
            summary = json.loads(meta["lsimpact:summary"])
            acc = RowAccounting(**{**summary, "notes": tuple(summary.get("notes", []))})
            return BuildResult(name, out, quarantine_path(out), acc, rebuilt=False)
    frames = [catalog.load(res) for res in spec.inputs]
    cleaned = run_cleaner(spec, frames)
    qpath = write_outputs(
        cleaned,
        out,
        {
            "lsimpact:fingerprint": fp,
            "lsimpact:inputs": json.dumps(
                {r: catalog._expected_hash(catalog.resource(r)) for r in spec.inputs}
            ),
        },
    )
    return BuildResult(name, out, qpath, cleaned.summary, rebuilt=True, cleaned=cleaned)


def build_all(*, force: bool = False) -> list[BuildResult]:
    """Build every dataset (in name order)."""
    return [build(n, force=force) for n in names()]


def load(name: str, *, build_if_needed: bool = True) -> pd.DataFrame:
    """Read processed table ``name``, building it first when missing or stale.

    ``df.attrs`` carries the row accounting and the raw inputs' hashes.
    """
    name = get(name).name
    if build_if_needed:
        build(name)
    out = output_path(name)
    if not out.is_file():
        raise InputError(
            f"processed table '{name}' not found", path=out, hint="run `make data` first"
        )
    df = pd.read_parquet(out)
    meta = read_parquet_metadata(out)
    df.attrs["dataset"] = name
    df.attrs["summary"] = json.loads(meta.get("lsimpact:summary", "{}"))
    df.attrs["inputs"] = json.loads(meta.get("lsimpact:inputs", "{}"))
    df.attrs["options"] = json.loads(meta.get("lsimpact:options", "{}"))
    return df


def clean_file(
    name: str, input_path: str | Path, output: str | Path | None = None, **options: Any
) -> Cleaned:
    """Clean a user's own file in the format of dataset ``name``'s primary raw input.

    The other inputs (e.g. the classification for occupation observations) come from the
    catalogue. When ``output`` is given the table, its quarantine and summary are written.
    """
    spec = get(name)
    user = read_table(input_path)
    frames = [user] + [catalog.load(res) for res in spec.inputs[1:]]
    cleaned = run_cleaner(spec, frames, **options)
    cleaned.source = {
        "path": str(input_path),
        "encoding": user.attrs.get("encoding"),
        "rows": len(user),
        "columns": [str(c) for c in user.columns],
    }
    if output is not None:
        write_outputs(cleaned, Path(output), {"lsimpact:input_file": str(input_path)})
    return cleaned
