"""The processed datasets: one explicit registry (name -> raw inputs, cleaner, schema),
``build()`` and ``load()``, the one way to a table.

The registry imports the cleaners (``lsimpact.clean.*``); cleaners never import this
module, so the import graph points one way: ``datasets -> clean -> contract/parse/io``.

A processed table is rebuilt when it is missing or *stale*: its Parquet metadata records a
fingerprint of the raw inputs' hashes, of the cleaning code and of the options, and
``load`` rebuilds when any of them changed.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as _dt
import hashlib
import inspect
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import catalog, config, contract, engines, parse, schemas
from . import io as io_module
from ._version import __version__
from .catalog import file_sha256
from .clean import (
    followers,
    jobs,
    live_sessions,
    occupations,
    prices,
    province_panel,
    published,
    wholesale_prices,
)
from .contract import Cleaned, DatasetSpec, RowAccounting
from .errors import InputError
from .io import (
    csv_bytes,
    json_bytes,
    output_error,
    parquet_writer,
    read_parquet_metadata,
    read_table,
    unneutralise_formulas,
    write_set,
)

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
            clock_options=("today",),
            entity=("platform", "account_id"),
            read_options={"categorical": True},
            entity_hash=followers.entity_hash,
            combine=followers.combine,
        ),
        DatasetSpec(
            name="followers_published",
            inputs=("published_figures",),
            cleaner=followers.clean_published,
            schema=schemas.followers_published,
            description="Published East Buy / Dong Yuhui follower points in the panel format "
            "(sparse)",
        ),
        DatasetSpec(
            name="prices_daily",
            inputs=("prices_observations", "live_sessions"),
            cleaner=prices.clean_observations,
            schema=schemas.prices_daily,
            description="Daily unit prices per product x channel (yuan per kg, l or item; last "
            "valid observation a day; promoted from the session calendar)",
            aliases=("prices",),
            paired_inputs=("live_sessions",),
            entity=("product_id",),
            entity_hash=prices.entity_hash,
            combine=prices.combine,
            entity_keys=prices.entity_keys,
            entity_hasher=prices.entity_hasher,
            # ids, names, channels, packs and prices repeat on every row
            read_options={"categorical": True},
        ),
        DatasetSpec(
            name="live_sessions",
            inputs=("live_sessions",),
            cleaner=live_sessions.clean_sessions,
            schema=schemas.live_sessions,
            description="Live-session calendar: session x promoted product, start and end "
            "(Beijing time)",
        ),
        DatasetSpec(
            name="wholesale_prices",
            inputs=("wholesale_quotes",),
            cleaner=wholesale_prices.clean_quotes,
            schema=schemas.wholesale_prices,
            description="Wholesale market quotes (品名, 最低价, 平均价, 最高价, ...) in yuan per kg "
            "or per item",
            aliases=("wholesale",),
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
    """Hash of the code a table depends on: every cleaner module (a cleaner may call
    another's helpers, e.g. prices uses live_sessions) and the modules below them."""
    h = hashlib.sha256(__version__.encode())
    clean_dir = Path(inspect.getfile(followers)).parent
    files = sorted(clean_dir.glob("*.py"))
    files += [Path(m.__file__) for m in (schemas, parse, contract, io_module)]
    for path in files:
        h.update(path.name.encode())
        h.update(path.read_bytes())
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

    first = frames[0]
    sheets = first["source_sheet"].to_numpy(dtype=object) if "source_sheet" in first else None
    if sheets is not None:
        # Stacked Excel sheets: rows repeat across sheets, so the cleaner runs on unique
        # row ids and the (sheet, row) provenance is put back on its output below.
        sheet_rows = first["source_row"].to_numpy(dtype="int64")
        first = first.drop(columns=["source_sheet"]).assign(
            source_row=np.arange(2, len(first) + 2, dtype="int64")
        )
        frames = [first, *frames[1:]]
    cleaned = spec.cleaner(*frames, **options)
    cleaned.summary.check()
    cleaned.data = validate(cleaned.data, spec.schema(), dataset=spec.name)
    if sheets is not None:
        cleaned.data = _with_sheets(cleaned.data, sheets, sheet_rows)
        cleaned.quarantine = _with_sheets(cleaned.quarantine, sheets, sheet_rows)
    return cleaned


def _with_sheets(df: pd.DataFrame, sheets: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    """Map unique row ids (position + 2) back to the spreadsheet row, add ``source_sheet``."""
    if "source_row" not in df.columns:
        return df
    ids = pd.array(df["source_row"], dtype="Int64")
    known = ~np.asarray(ids.isna(), dtype=bool)
    pos = np.where(known, ids.fillna(2).to_numpy(dtype="int64") - 2, 0)
    out = df.copy()
    mapped = pd.Series(rows[pos], index=df.index).where(known)
    nullable = isinstance(df["source_row"].dtype, pd.Int64Dtype)
    out["source_row"] = mapped.astype("Int64") if nullable else mapped.astype("int64")
    out.insert(
        out.columns.get_loc("source_row") + 1,
        "source_sheet",
        np.where(known, sheets[pos], None),
    )
    return out


def summary_path(output: Path) -> Path:
    """The summary JSON written beside an output: ``<stem>.summary.json``."""
    return output.with_name(f"{output.stem}.summary.json")


def _refuse_raw_dir(output: Path) -> None:
    """Outputs never go into ``data/raw``: the catalogue is its only writer."""
    raw = config.raw_dir().resolve()
    target = output.resolve()
    if target == raw or raw in target.parents:
        raise InputError(
            "refusing to write into data/raw: it holds the catalogued raw inputs, which "
            "code never writes",
            path=output,
            hint="write the output elsewhere, e.g. -o data/processed/my_table.parquet",
        )


def write_outputs(cleaned: Cleaned, output: Path, metadata: dict[str, str]) -> Path:
    """Write the clean table, its quarantine CSV and summary JSON as one unit.

    All three are written to temporary files first and renamed only when all succeeded
    (:func:`lsimpact.io.write_set`); the summary JSON goes last and records the sha256
    of the other two with the fingerprint, so a table counts as current only when its
    quarantine and summary belong to it (and a table whose bytes changed on disk is
    detected). On an error (disk full, permission denied, ``output`` is a folder) the
    previous outputs are intact, no temporary file is left, and an InputError says why.
    The quarantine CSV neutralises spreadsheet formulas (:func:`lsimpact.io.csv_bytes`).
    """
    _refuse_raw_dir(output)
    meta = {
        "lsimpact:summary": json.dumps(cleaned.summary.as_dict(), sort_keys=True),
        # The options a cleaner ran with (e.g. the "transformed" rule) travel with the table.
        "lsimpact:options": _options_json(cleaned.options),
        **metadata,
    }
    qpath = quarantine_path(output)
    qbytes = csv_bytes(cleaned.quarantine)
    hashes: dict[str, str] = {}

    def parquet(tmp: Path) -> None:
        parquet_writer(cleaned.data, meta)(tmp)
        hashes["table_sha256"] = file_sha256(tmp)

    def quarantine(tmp: Path) -> None:
        tmp.write_bytes(qbytes)
        hashes["quarantine_sha256"] = hashlib.sha256(qbytes).hexdigest()

    def summary(tmp: Path) -> None:
        sidecar = {
            **cleaned.summary.as_dict(),
            "fingerprint": metadata.get("lsimpact:fingerprint"),
            **hashes,
        }
        tmp.write_bytes(json_bytes(sidecar))

    write_set({output: parquet, qpath: quarantine, summary_path(output): summary})
    return qpath


def _current(out: Path, fp: str) -> RowAccounting | None:
    """The stored accounting when ``out`` is current for fingerprint ``fp``, else None.

    Current means: the summary sidecar records ``fp`` and the sha256 of the table and of
    the quarantine as they are on disk now. A missing, truncated or edited file, or a set
    of which only part was replaced, is not current (and is rebuilt).
    """
    side = summary_path(out)
    qpath = quarantine_path(out)
    if not (out.is_file() and side.is_file() and qpath.is_file()):
        return None
    try:
        sidecar = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if sidecar.get("fingerprint") != fp:
        return None
    if sidecar.get("table_sha256") != file_sha256(out):
        return None
    if sidecar.get("quarantine_sha256") != file_sha256(qpath):
        return None
    fields = {k: sidecar[k] for k in RowAccounting.__dataclass_fields__ if k in sidecar}
    return RowAccounting(**{**fields, "notes": tuple(sidecar.get("notes", []))})


def _check_raw(spec: DatasetSpec, source: str | Path | None) -> None:
    """Refuse to build from a shipped raw file whose bytes no longer match the catalogue.

    The fingerprint records the catalogue's hashes, so a hand-edited raw file would
    otherwise leave the old table "up to date"; hashing the few raw files is cheap.
    """
    shipped = spec.inputs if source is None else spec.inputs[1:]
    if shipped:
        catalog.verify(list(shipped))


Paired = dict[str, "str | Path"] | None


def _check_paired(spec: DatasetSpec, paired: Paired) -> dict[str, str | Path]:
    paired = dict(paired or {})
    unknown = [k for k in paired if k not in spec.paired_inputs]
    if unknown:
        raise InputError(
            f"dataset '{spec.name}' takes no companion file '{unknown[0]}'",
            expected="one of: " + (", ".join(spec.paired_inputs) or "(none)"),
        )
    return paired


def _input_sources(
    spec: DatasetSpec, source: str | Path | None, paired: Paired = None
) -> dict[str, str | Path | None]:
    """Where each input comes from: a user's file (path), the catalogue ("catalogue"), or
    nothing (None: a paired input of a user's own file that the user did not give)."""
    paired = _check_paired(spec, paired)
    out: dict[str, str | Path | None] = {}
    for i, res in enumerate(spec.inputs):
        if i == 0 and source is not None:
            out[res] = source
        elif res in paired:
            out[res] = paired[res]
        elif source is not None and res in spec.paired_inputs:
            out[res] = None  # the user's data, not the shipped example's calendar
        else:
            out[res] = "catalogue"
    return out


def _input_hashes(sources: dict[str, str | Path | None]) -> dict[str, str]:
    return {
        res: "none"
        if where is None
        else catalog.expected_hash(catalog.resource(res))
        if where == "catalogue"
        else source_sha256(where)
        for res, where in sources.items()
    }


def _hashes_in_background(
    sources: dict[str, str | Path | None],
) -> concurrent.futures.Future[dict[str, str]]:
    """:func:`_input_hashes` started in a thread; ``.result()`` waits for it.

    Why: hashing a large file costs about as much as reading it, and hashlib releases the
    GIL, so the hash of a user's file runs on another core while the file is read and
    cleaned. The thread runs at the lowest scheduling priority (Linux sets it per
    thread): the reader's and parsers' threads go first, and the hash fills the cores
    they leave idle (the cleaner's single-threaded steps).
    """

    def hashes() -> dict[str, str]:
        with contextlib.suppress(AttributeError, OSError):  # not Linux: normal priority
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        return _input_hashes(sources)

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")
    future = pool.submit(hashes)
    pool.shutdown(wait=False)
    return future


def _frames(
    spec: DatasetSpec,
    source: str | Path | None,
    paired: Paired = None,
    known: dict[str, str] | None = None,
) -> tuple[list[pd.DataFrame | None], concurrent.futures.Future[dict[str, str]]]:
    """The cleaner's input frames and (being computed) their sha256: the catalogue's, or
    the user's file as the primary input (the other inputs still come from the catalogue,
    except paired inputs, which come from the user or not at all). ``known``: hashes
    already computed (not computed again)."""
    sources = _input_sources(spec, source, paired)
    if known is None:
        hashes = _hashes_in_background(sources)
    else:
        hashes = concurrent.futures.Future()
        hashes.set_result(known)
    frames: list[pd.DataFrame | None] = []
    for res, where in sources.items():
        if where is None:
            frames.append(None)
        elif where == "catalogue":
            frames.append(catalog.load(res))
        elif res == spec.inputs[0] and source is not None:
            frames.append(engines.read_input(where, **spec.read_options))  # file, folder, glob
        else:
            frames.append(read_table(where))
    return frames, hashes


def source_sha256(source: str | Path) -> str:
    """sha256 of a user's input: of the file, or of a folder's or glob's files (names and
    hashes, in name order)."""
    if Path(source).is_file():
        return file_sha256(Path(source))
    h = hashlib.sha256()
    for f in engines.input_files(source):
        h.update(f"{f.name}={file_sha256(f)}\n".encode())
    return h.hexdigest()


def _secondary_frames(
    spec: DatasetSpec, source: str | Path | None, paired: Paired = None
) -> list[pd.DataFrame | None]:
    """The frames of the inputs after the primary one (as ``_frames`` gives them), for the
    engines that read the primary input themselves."""
    sources = list(_input_sources(spec, source, paired).items())[1:]
    return [
        None if where is None else catalog.load(res) if where == "catalogue" else read_table(where)
        for res, where in sources
    ]


def _clean_chunked(
    spec: DatasetSpec, source: str | Path, options: dict[str, Any], paired: Paired = None
) -> Cleaned:
    """The chunked engine's result, checked and validated like ``run_cleaner``'s."""
    from .schemas import validate

    cleaned = engines.clean_chunked(
        spec, source, options=options, paired=_secondary_frames(spec, source, paired)
    )
    cleaned.summary.check()
    cleaned.data = validate(cleaned.data, spec.schema(), dataset=spec.name)
    return cleaned


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
    engine: str = "auto",
    paired: Paired = None,
) -> BuildResult:
    hashes = _input_hashes(_input_sources(spec, source, paired))
    _check_raw(spec, source)
    fp = _fingerprint(spec, hashes, options)
    acc = None if force else _current(out, fp)
    if acc is not None:
        return BuildResult(spec.name, out, quarantine_path(out), acc, rebuilt=False)
    if source is not None and engines.choose_engine(spec, source, engine) != "pandas":
        cleaned = _clean_chunked(spec, source, options, paired)
        hashes = _input_hashes(_input_sources(spec, source, paired))
    else:
        frames, _ = _frames(spec, source, paired, known=hashes)  # hashed for the fingerprint
        cleaned = run_cleaner(spec, frames, **options)
    meta = {"lsimpact:fingerprint": fp, "lsimpact:inputs": json.dumps(hashes, sort_keys=True)}
    if source is not None:
        meta["lsimpact:input_file"] = str(source)
    qpath = write_outputs(cleaned, out, meta)
    return BuildResult(spec.name, out, qpath, cleaned.summary, rebuilt=True, cleaned=cleaned)


def build_all(*, force: bool = False) -> list[BuildResult]:
    """Build every dataset (in name order)."""
    return [build(n, force=force) for n in names()]


def _cache_path(
    spec: DatasetSpec, source: str | Path | None, options: dict[str, Any], paired: Paired = None
) -> Path:
    """Where ``load`` keeps a table made from a user's file or non-default options: keyed by
    the file's hash and the options, so a changed file or option never returns a stale table."""
    key = hashlib.sha256(_options_json(options).encode())
    if source is not None:
        key.update(source_sha256(source).encode())
    for res, path in sorted(_check_paired(spec, paired).items()):
        key.update(f"{res}={file_sha256(Path(path))}".encode())
    return config.processed_dir() / "cache" / f"{spec.name}-{key.hexdigest()[:16]}.parquet"


def load(
    name: str,
    source: str | Path | None = None,
    *,
    build_if_needed: bool = True,
    engine: str = "auto",
    paired: Paired = None,
    **options: Any,
) -> Any:
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
    engine
        How a user's ``source`` is cleaned: ``"auto"`` (chunked by entity for a folder or
        a file too big for the free memory), ``"pandas"`` or ``"chunked"``
        (:mod:`lsimpact.engines`). ``"dask"`` returns the table as a lazy Dask dataframe
        over the processed Parquet file (``pip install 'lsimpact[scale]'``), for tables
        that are big to hold; the file is built as with ``"auto"``.
    paired
        A user's own companion files for the dataset's paired inputs (e.g.
        ``{"live_sessions": "my_sessions.csv"}`` for ``prices_daily``); with ``source``
        and without them the cleaner gets none (never the shipped example's).
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
    default = source is None and not paired and opts == resolve_options(spec)
    out = output_path(name) if default else _cache_path(spec, source, opts, paired)
    if build_if_needed:
        _build(
            spec, source, opts, out, engine="auto" if engine == "dask" else engine, paired=paired
        )
    if not out.is_file():
        raise InputError(
            f"processed table '{name}' not found", path=out, hint="run `make data` first"
        )
    if engine == "dask":
        from .engines.on_dask import require_dask

        return require_dask().read_parquet(str(out))
    try:
        df = pd.read_parquet(out)
        meta = read_parquet_metadata(out)
    except Exception as exc:  # truncated or overwritten: pyarrow's ArrowInvalid and kin
        if not build_if_needed:
            raise InputError(
                f"processed table '{name}' is damaged ({type(exc).__name__})",
                path=out,
                hint=f"rebuild it: `lsimpact data {name} --force`",
            ) from exc
        _build(spec, source, opts, out, force=True, paired=paired)
        df = pd.read_parquet(out)
        meta = read_parquet_metadata(out)
    df.attrs["dataset"] = name
    df.attrs["summary"] = json.loads(meta.get("lsimpact:summary", "{}"))
    df.attrs["inputs"] = json.loads(meta.get("lsimpact:inputs", "{}"))
    df.attrs["options"] = json.loads(meta.get("lsimpact:options", "{}"))
    df.attrs["source"] = str(source) if source is not None else "catalogue"
    df.attrs["quarantine_path"] = str(quarantine_path(out))
    return df


def load_quarantine(
    name: str, source: str | Path | None = None, *, paired: Paired = None, **options: Any
) -> pd.DataFrame:
    """The quarantine of ``load(name, source, **options)`` (built when needed): the rows
    that did not make it into the table, with ``source_row``, ``column``, ``raw_value`` and
    ``reason``."""
    path = load(name, source, paired=paired, **options).attrs["quarantine_path"]
    q = pd.read_csv(
        path, dtype={"column": str, "raw_value": str, "reason": str}, keep_default_na=False
    )
    # The CSV is written for spreadsheets (formulas neutralised with a leading "'"):
    # undo that so the raw values are exactly what the input held.
    for col in ("column", "raw_value", "reason"):
        q[col] = unneutralise_formulas(q[col])
    return q


def clean_file(
    name: str,
    input_path: str | Path,
    output: str | Path | None = None,
    *,
    engine: str = "auto",
    scheduler: str | None = None,
    paired: Paired = None,
    **options: Any,
) -> Cleaned:
    """Clean a user's own file (or folder or glob of files) in the format of dataset
    ``name``'s primary raw input.

    The other inputs (e.g. the classification for occupation observations) come from the
    catalogue, except paired inputs (``spec.paired_inputs``, e.g. the live-session calendar
    of ``prices_daily``): those come from ``paired={name: path}`` or not at all. When
    ``output`` is given the table, its quarantine and summary are written.

    Parameters
    ----------
    engine
        ``"pandas"`` (in memory), ``"chunked"`` (entity buckets spilled to disk, bounded
        memory), ``"dask"`` (a Dask cluster: ``scheduler`` address, or a local one; writes
        a partitioned Parquet folder and needs ``output``) or ``"auto"`` (chunked for a
        folder or for a file too big for the free memory, else pandas); see
        :mod:`lsimpact.engines`. All give the same table.
    """
    spec = get(name)
    opts = resolve_options(spec, options)
    engine = engines.choose_engine(spec, input_path, engine)
    if output is not None:  # refused before the work, not after it
        _refuse_raw_dir(Path(output))
        if engine != "dask" and Path(output).is_dir():  # dask writes a folder
            raise output_error(IsADirectoryError(21, "Is a directory"), output)
    if engine == "dask":
        if output is None:
            raise InputError("engine 'dask' writes its result", hint="pass an output folder (-o)")
        return engines.clean_dask(
            spec,
            input_path,
            output,
            options=opts,
            scheduler=scheduler,
            paired=_secondary_frames(spec, input_path, paired),
        )
    if engine == "chunked":
        cleaned = _clean_chunked(spec, input_path, opts, paired)
        hashes = _input_hashes(_input_sources(spec, input_path, paired))
        cleaned.source = {
            "path": str(input_path),
            "encoding": None,
            "rows": cleaned.summary.input_rows,
            "columns": None,
            "files": len(engines.input_files(input_path)),
            "engine": "chunked",
        }
    else:
        frames, hashing = _frames(spec, input_path, paired)
        user = frames[0]
        cleaned = run_cleaner(spec, frames, **opts)
        hashes = hashing.result()
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
