"""The processed datasets: one explicit registry (name -> raw inputs, cleaner, schema),
``build()`` and ``load()``, the one way to a table.

The registry imports the cleaners (``lsimpact.clean.*``); cleaners never import this
module, so the import graph points one way: ``datasets -> clean -> contract/parse/io``.

A processed table is rebuilt when it is missing or *stale*: its Parquet metadata records a
fingerprint of the raw inputs' hashes, of the cleaning code and of the options, and
``load`` rebuilds when any of them changed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import inspect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import catalog, config, contract, parse, schemas
from ._version import __version__
from .catalog import file_sha256
from .clean import followers, jobs, occupations, province_panel, published
from .contract import Cleaned, DatasetSpec, RowAccounting
from .errors import InputError
from .io import read_parquet_metadata, read_table, write_json, write_parquet, write_text

__all__ = [
    "REGISTRY",
    "BuildResult",
    "build",
    "build_all",
    "clean_file",
    "get",
    "load",
    "names",
]

#: Every processed dataset, in one table. Adding a dataset means adding a row here.
REGISTRY: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            name="published_figures",
            inputs=("published_figures",),
            cleaner=published.clean,
            schema=schemas.published_figures,
            description="Published figures (real), base units, typed periods, flags; one row "
            "per series, entity, period and source",
        ),
        DatasetSpec(
            name="platform_jobs",
            inputs=("published_figures",),
            cleaner=jobs.clean_platform_jobs,
            schema=schemas.platform_jobs,
            description="Published jobs driven by platforms, GMV/sales and users (real), base "
            "units, study and flags on every row",
        ),
        DatasetSpec(
            name="jobs",
            inputs=("jobs_reported",),
            cleaner=jobs.clean_jobs,
            schema=schemas.platform_jobs,
            description="Jobs by platform x region x year x type as written in reports (your "
            "own file via `lsimpact clean jobs FILE`)",
        ),
        DatasetSpec(
            name="province_panel",
            inputs=("province_panel",),
            cleaner=province_panel.clean_province_panel,
            schema=schemas.province_panel,
            description="SYNTHETIC province x year panel of live-commerce penetration, "
            "employment and income (replace with your own panel in the same columns)",
        ),
        DatasetSpec(
            name="occupations",
            inputs=("occupational_classification_gbm",),
            cleaner=occupations.clean_classification,
            schema=schemas.occupations,
            description="National occupational classification (GBM codes): 2022 groups, older "
            "level-4 occupations labelled by edition",
        ),
        DatasetSpec(
            name="occupation_video",
            inputs=("occupation_video_observations", "occupational_classification_gbm"),
            cleaner=occupations.clean_occupation_video,
            schema=schemas.occupation_video,
            description="Video presence by occupation (2022 minor groups) with the "
            "'transformed' rule applied (SYNTHETIC as shipped)",
            clock_options=("today",),
        ),
        DatasetSpec(
            name="followers_daily",
            inputs=("followers_snapshots",),
            cleaner=followers.clean_snapshots,
            schema=schemas.followers_daily,
            description="Daily follower panel (last valid snapshot a day; glitches out, gaps "
            "flagged)",
            aliases=("followers",),
        ),
        DatasetSpec(
            name="followers_published",
            inputs=("published_figures",),
            cleaner=followers.clean_published,
            schema=schemas.followers_published,
            description="Published East Buy / Dong Yuhui follower points in the panel format "
            "(sparse)",
        ),
    )
}


@dataclass
class BuildResult:
    """What ``build`` wrote (``cleaned`` is None when the table was already current)."""

    name: str
    path: Path
    quarantine_path: Path
    summary: RowAccounting
    rebuilt: bool
    cleaned: Cleaned | None = None


def names() -> list[str]:
    """Names of all processed datasets, sorted."""
    return sorted(REGISTRY)


def get(name: str) -> DatasetSpec:
    """The spec of dataset ``name`` (or of the dataset that has ``name`` as an alias)."""
    registry = REGISTRY
    if name in registry:
        return registry[name]
    for spec in registry.values():
        if name in spec.aliases:
            return spec
    raise InputError(f"unknown dataset '{name}'", expected=f"one of: {', '.join(names())}")


def _code_fingerprint(spec: DatasetSpec) -> str:
    h = hashlib.sha256(__version__.encode())
    for obj in (inspect.getmodule(spec.cleaner), schemas, parse, contract):
        if obj is not None and getattr(obj, "__file__", None):
            h.update(Path(obj.__file__).read_bytes())
    return h.hexdigest()


def _jsonable(obj: Any) -> Any:
    as_dict = getattr(obj, "as_dict", None)
    return as_dict() if callable(as_dict) else str(obj)


def _options_json(options: dict[str, Any]) -> str:
    return json.dumps(options, sort_keys=True, default=_jsonable)


def resolve_options(spec: DatasetSpec, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The options a cleaner runs with: the spec's defaults, then the caller's.

    A *clock option* (``spec.clock_options``, e.g. ``today``) left unset gets today's date
    here, at the edge, so that the cleaner stays a pure function and the date is recorded
    in the fingerprint like any other option.
    """
    opts = {**spec.options, **(options or {})}
    for key in spec.clock_options:
        if opts.get(key) is None:
            opts[key] = _dt.date.today().isoformat()
    return opts


def _fingerprint(spec: DatasetSpec, input_hashes: dict[str, str], options: dict[str, Any]) -> str:
    h = hashlib.sha256(_code_fingerprint(spec).encode())
    for name in sorted(input_hashes):
        h.update(f"{name}={input_hashes[name]}".encode())
    h.update(_options_json(options).encode())
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

    cleaned = spec.cleaner(*frames, **options)
    cleaned.summary.check()
    cleaned.data = validate(cleaned.data, spec.schema(), dataset=spec.name)
    return cleaned


def write_outputs(cleaned: Cleaned, output: Path, metadata: dict[str, str]) -> Path:
    """Write the clean table, its quarantine CSV and summary JSON atomically."""
    meta = {
        "lsimpact:summary": json.dumps(cleaned.summary.as_dict(), sort_keys=True),
        # The options a cleaner ran with (e.g. the "transformed" rule) travel with the table.
        "lsimpact:options": _options_json(cleaned.options),
        **metadata,
    }
    write_parquet(cleaned.data, output, metadata=meta)
    qpath = quarantine_path(output)
    write_text(qpath, cleaned.quarantine.to_csv(index=False, lineterminator="\n"))
    write_json(output.with_name(f"{output.stem}.summary.json"), cleaned.summary.as_dict())
    return qpath


def _current(out: Path, fp: str) -> RowAccounting | None:
    """The stored accounting when ``out`` exists with fingerprint ``fp``, else None."""
    if not out.is_file():
        return None
    meta = read_parquet_metadata(out)
    if meta.get("lsimpact:fingerprint") != fp:
        return None
    summary = json.loads(meta["lsimpact:summary"])
    return RowAccounting(**{**summary, "notes": tuple(summary.get("notes", []))})


def _frames(
    spec: DatasetSpec, source: str | Path | None
) -> tuple[list[pd.DataFrame], dict[str, str]]:
    """The cleaner's input frames and their sha256: the catalogue's, or the user's file as
    the primary input (the other inputs still come from the catalogue)."""
    frames, hashes = [], {}
    for i, res in enumerate(spec.inputs):
        if i == 0 and source is not None:
            frames.append(read_table(source))
            hashes[res] = file_sha256(Path(source))
        else:
            frames.append(catalog.load(res))
            hashes[res] = catalog.expected_hash(catalog.resource(res))
    return frames, hashes


def build(name: str, *, force: bool = False) -> BuildResult:
    """Build ``data/processed/<name>.parquet`` from the shipped raw inputs.

    Skips the work when the existing file's fingerprint (raw hashes, cleaning code,
    options) is current, unless ``force``.
    """
    spec = get(name)
    return _build(spec, None, resolve_options(spec), output_path(spec.name), force=force)


def _build(
    spec: DatasetSpec,
    source: str | Path | None,
    options: dict[str, Any],
    out: Path,
    *,
    force: bool = False,
) -> BuildResult:
    if source is None:
        hashes = {r: catalog.expected_hash(catalog.resource(r)) for r in spec.inputs}
    else:
        hashes = {r: catalog.expected_hash(catalog.resource(r)) for r in spec.inputs[1:]}
        hashes[spec.inputs[0]] = file_sha256(Path(source))
    fp = _fingerprint(spec, hashes, options)
    acc = None if force else _current(out, fp)
    if acc is not None:
        return BuildResult(spec.name, out, quarantine_path(out), acc, rebuilt=False)
    frames, hashes = _frames(spec, source)
    cleaned = run_cleaner(spec, frames, **options)
    meta = {"lsimpact:fingerprint": fp, "lsimpact:inputs": json.dumps(hashes, sort_keys=True)}
    if source is not None:
        meta["lsimpact:input_file"] = str(source)
    qpath = write_outputs(cleaned, out, meta)
    return BuildResult(spec.name, out, qpath, cleaned.summary, rebuilt=True, cleaned=cleaned)


def build_all(*, force: bool = False) -> list[BuildResult]:
    """Build every dataset (in name order)."""
    return [build(n, force=force) for n in names()]


def _cache_path(spec: DatasetSpec, source: str | Path | None, options: dict[str, Any]) -> Path:
    """Where ``load`` keeps a table made from a user's file or non-default options: keyed by
    the file's hash and the options, so a changed file or option never returns a stale table."""
    key = hashlib.sha256(_options_json(options).encode())
    if source is not None:
        key.update(file_sha256(Path(source)).encode())
    return config.processed_dir() / "cache" / f"{spec.name}-{key.hexdigest()[:16]}.parquet"


def load(
    name: str,
    source: str | Path | None = None,
    *,
    build_if_needed: bool = True,
    **options: Any,
) -> pd.DataFrame:
    """The one way to a processed table.

    Parameters
    ----------
    name
        Dataset name (``lsimpact data --list``) or alias.
    source
        A user's own file in the raw format of the dataset's primary input; default the
        shipped, catalogued file.
    build_if_needed
        Build a missing or stale table first (default); ``False`` reads what is there.
    **options
        Cleaner options (e.g. ``rule=TransformRule(min_creators=10)`` for
        ``occupation_video``).

    Returns
    -------
    DataFrame
        The validated table. With the shipped data and default options it is
        ``data/processed/<name>.parquet``; with ``source`` or other options the same
        cleaner runs and its result is cached under ``data/processed/cache/`` by file hash
        and options. ``df.attrs`` carries ``dataset``, ``summary`` (row accounting),
        ``inputs`` (sha256 of each raw input), ``options``, ``source`` and ``quarantine_path``.
    """
    spec = get(name)
    name = spec.name
    opts = resolve_options(spec, options)
    default = source is None and opts == resolve_options(spec)
    out = output_path(name) if default else _cache_path(spec, source, opts)
    if build_if_needed:
        _build(spec, source, opts, out)
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
    df.attrs["source"] = str(source) if source is not None else "catalogue"
    df.attrs["quarantine_path"] = str(quarantine_path(out))
    return df


def load_quarantine(name: str, source: str | Path | None = None, **options: Any) -> pd.DataFrame:
    """The quarantine of ``load(name, source, **options)`` (built when needed): the rows
    that did not make it into the table, with ``source_row``, ``column``, ``raw_value`` and
    ``reason``."""
    path = load(name, source, **options).attrs["quarantine_path"]
    return pd.read_csv(
        path, dtype={"column": str, "raw_value": str, "reason": str}, keep_default_na=False
    )


def clean_file(
    name: str, input_path: str | Path, output: str | Path | None = None, **options: Any
) -> Cleaned:
    """Clean a user's own file in the format of dataset ``name``'s primary raw input.

    The other inputs (e.g. the classification for occupation observations) come from the
    catalogue. When ``output`` is given the table, its quarantine and summary are written.
    """
    spec = get(name)
    frames, hashes = _frames(spec, input_path)
    user = frames[0]
    cleaned = run_cleaner(spec, frames, **resolve_options(spec, options))
    cleaned.source = {
        "path": str(input_path),
        "encoding": user.attrs.get("encoding"),
        "rows": len(user),
        "columns": [str(c) for c in user.columns],
    }
    if output is not None:
        write_outputs(
            cleaned,
            Path(output),
            {"lsimpact:input_file": str(input_path), "lsimpact:inputs": json.dumps(hashes)},
        )
    return cleaned
