"""The Dask engine: the dataset's own cleaner on entity partitions of a Dask dataframe.

``clean_dask(spec, source, output)``:

1. reads the input (a file, a folder or a glob of CSV/Parquet) as a Dask dataframe of
   strings and numbers every row as the in-memory reader does (``source_row``, counted on
   across the files in name order);
2. shuffles rows to partitions by ``spec.entity_hash`` (all snapshots of an account in
   one partition);
3. runs ``spec.cleaner(partition, partition=True)`` on every partition with
   ``map_partitions``: **the same function** the pandas and chunked engines run; each
   task writes its part of the table (``OUTPUT/part-NNNNN.parquet``) and of the
   quarantine, and returns its row accounting;
4. merges the accountings with ``spec.combine`` and writes ``OUTPUT.quarantine.csv`` and
   ``OUTPUT.summary.json`` beside the folder, as the other engines do. The summary holds
   what the pandas engine's does (row accounting, ``quarantine_sha256`` of the same
   bytes, ``fingerprint``) plus the input hashes, the options and ``table_sha256``: the
   sha256 of the parts' ``name=sha256`` lines in name order (:func:`parts_sha256`), so
   a rerun on the same input gives the same bytes. Every part carries the input hashes
   and options in its Parquet metadata. Parts are written to a staging folder and moved
   into OUTPUT only when every partition succeeded.

With no scheduler address a local cluster is started (threads in this process, so a
laptop run needs no extra memory for worker processes). With a remote scheduler the
input and output paths must be visible to the workers (a shared file system or object
store path).

Dask is an optional dependency: ``pip install 'lsimpact[scale]'``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..contract import Cleaned, DatasetSpec, RowAccounting, empty_quarantine
from ..errors import InputError
from ..io import csv_bytes, json_bytes, parquet_writer, write_set
from ..schemas import validate
from .chunked import (
    Block,
    FilePlan,
    _string_dtype,
    block_frame,
    block_frames,
    input_bytes,
    input_files,
    plan_input,
)

__all__ = ["clean_dask", "parts_sha256", "read_dask", "require_dask", "source_sha256"]

#: CSV bytes per Dask partition when reading.
BLOCK_BYTES = 64 << 20


def require_dask() -> Any:
    """Import ``dask.dataframe`` or explain how to install it."""
    try:
        import dask.dataframe as dd
        import distributed  # noqa: F401
    except ImportError as exc:
        raise InputError(
            "engine 'dask' needs Dask, which is not installed",
            expected="dask[distributed] (the optional extra lsimpact[scale])",
            hint="pip install 'lsimpact[scale]'   (or: pip install 'dask[distributed]')",
        ) from exc
    return dd


def read_dask(
    source: str | os.PathLike[str],
    block_bytes: int = BLOCK_BYTES,
    plans: list[FilePlan] | None = None,
) -> Any:
    """The input as a Dask dataframe of raw cells plus ``source_row``.

    The files are checked and cut into blocks of whole records on the client
    (:func:`lsimpact.engines.chunked.plan_input`: io.read_table's checks, streamed);
    every block is then one partition, read by a worker with the same code as the
    chunked engine, so rows are numbered by the line an editor shows (blank lines,
    quoted line breaks) and the cells are those read_table reads. Parquet files are
    read by row groups. ``plans``: the input's :func:`plan_input` when already made.
    """
    dd = require_dask()
    from dask import delayed

    plans = plans if plans is not None else plan_input(source, block_bytes)
    blocks = [b for plan in plans for b in plan.blocks]
    if blocks and blocks[0].kind == "parquet":
        meta = next(block_frames(blocks[0], 1)).iloc[:0]
    else:
        cols = {c: pd.Series([], dtype=_string_dtype()) for c in plans[0].columns}
        meta = pd.DataFrame({**cols, "source_row": pd.Series([], dtype="int64")})
    if not blocks:
        return dd.from_pandas(meta, npartitions=1)
    dtypes = meta.dtypes.to_dict()

    def part(b: Block) -> pd.DataFrame:
        # A folder may mix Parquet (typed) and CSV (strings): one dtype per column, as
        # the chunked engine casts every batch to the first one's schema.
        return block_frame(b).astype(dtypes)

    return dd.from_delayed([delayed(part)(b) for b in blocks], meta=meta, verify_meta=False)


def _client(scheduler: str | None) -> tuple[Any, Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(
        n_workers=1,
        threads_per_worker=max(1, min(4, os.cpu_count() or 1)),
        processes=False,
        dashboard_address=":0",  # a free port: never clash with a running cluster
    )
    return Client(cluster), cluster


def _summary_from_json(text: str) -> RowAccounting:
    d = json.loads(text)
    return RowAccounting(**{**d, "notes": tuple(d["notes"])})


def clean_dask(
    spec: DatasetSpec,
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    options: dict[str, Any] | None = None,
    scheduler: str | None = None,
    npartitions: int | None = None,
    block_bytes: int = BLOCK_BYTES,
    paired: Sequence[pd.DataFrame | None] = (),
) -> Cleaned:
    """Clean ``source`` on Dask into the Parquet folder ``output`` (see the module doc).

    Parameters
    ----------
    spec
        A dataset with an entity key (``entity_hash``, ``combine``).
    source
        A file, a folder or a glob of CSV/Parquet files.
    output
        Folder for the table's parts (``part-NNNNN.parquet``); the quarantine CSV and the
        summary JSON are written beside it (``<output stem>.quarantine.csv``).
    options
        Cleaner options.
    scheduler
        Address of a running Dask scheduler; default: a local in-process cluster.
    npartitions
        Entity partitions; default one per 64 MiB of input.
    paired
        The cleaner's other inputs (e.g. a price log's session calendar), sent whole to
        every partition.

    Returns
    -------
    Cleaned
        ``data`` is a lazy Dask dataframe over ``output``; the quarantine (pandas) and the
        row accounting are complete and equal to the in-memory engine's.
    """
    require_dask()
    import dask.dataframe as dd
    import pyarrow.parquet as pq

    if spec.entity_hash is None or spec.combine is None:
        raise InputError(f"dataset {spec.name} has no entity key: it cannot run on Dask")
    options = dict(options or {})
    out = Path(output)
    if out.exists() and not out.is_dir():
        raise InputError(
            "engine 'dask' writes a folder of Parquet parts, and the output is a file",
            path=out,
            hint="give a folder name, e.g. -o data/processed/followers_daily_parts",
        )
    # Parts are written to a staging folder beside the output and moved in only when
    # every partition is done: a failed run leaves the previous output as it was.
    stage = out.with_name(f".{out.name}.staging")
    shutil.rmtree(stage, ignore_errors=True)
    qdir = stage / "quarantine"
    qdir.mkdir(parents=True)
    inputs = {spec.inputs[0]: source_sha256(source)}
    meta_kv = {
        "lsimpact:input_file": str(source),
        "lsimpact:inputs": json.dumps(inputs),
        "lsimpact:engine": "dask",
    }
    n = npartitions or max(1, -(-input_bytes(source) // block_bytes))
    client, cluster = _client(scheduler)
    try:
        plans = plan_input(source, block_bytes)
        ddf = read_dask(source, block_bytes, plans)
        entity_hash, cleaner, schema, name = spec.entity_hash, spec.cleaner, spec.schema, spec.name
        if spec.entity_keys is not None and spec.entity_hasher is not None:
            # entities known only from the whole input: its key combinations first
            keys_of = spec.entity_keys

            def part_keys(df: pd.DataFrame) -> pd.DataFrame:
                return keys_of(df.drop(columns="source_row"))

            meta_keys = part_keys(ddf._meta)
            keys = ddf.map_partitions(part_keys, meta=meta_keys).compute()
            entity_hash = spec.entity_hasher(keys.reset_index(drop=True))
        others = list(paired)
        source_path = str(source)

        def bucket(df: pd.DataFrame) -> pd.Series:
            key = entity_hash(df.drop(columns="source_row")) % np.uint64(n)
            return pd.Series(key.astype(np.int64), index=df.index)

        ddf = ddf.assign(_bucket=ddf.map_partitions(bucket, meta=("_bucket", "int64")))
        ddf = ddf.shuffle(on="_bucket", npartitions=n)

        def clean_part(df: pd.DataFrame, partition_info: dict | None = None) -> pd.DataFrame:
            i = partition_info["number"] if partition_info else 0
            raw = df.drop(columns="_bucket").sort_values("source_row").reset_index(drop=True)
            raw.attrs = {"source_path": source_path}
            if len(raw):
                part = cleaner(raw, *others, partition=True, **options)
                # validated as the pandas and chunked engines validate their table
                part.data = validate(part.data, schema(), dataset=name)
                # the options a user set; a part's private notes for combine stay out
                public = {k: v for k, v in part.options.items() if not k.startswith("_")}
                kv = {**meta_kv, "lsimpact:options": _options_json(public)}
                parquet_writer(part.data, kv)(stage / f"part-{i:05d}.parquet")
                part.quarantine.to_parquet(qdir / f"part-{i:05d}.parquet", index=False)
                summary = json.dumps(part.summary.as_dict())
                opts = json.dumps(part.options, default=str)
            else:
                summary = opts = ""
            return pd.DataFrame({"partition": [i], "summary": [summary], "options": [opts]})

        meta = pd.DataFrame(
            {
                "partition": pd.Series([], dtype="int64"),
                "summary": pd.Series([], dtype=object),
                "options": pd.Series([], dtype=object),
            }
        )
        done = ddf.map_partitions(clean_part, meta=meta).compute()
        parts = []
        for i, text, opts in zip(done["partition"], done["summary"], done["options"], strict=True):
            if not text:
                continue
            qpath = qdir / f"part-{i:05d}.parquet"
            q = pd.read_parquet(qpath) if qpath.exists() else empty_quarantine()
            # only the columns: the parts stay on disk (the client's memory stays small)
            data = pq.read_schema(stage / f"part-{i:05d}.parquet").empty_table().to_pandas()
            parts.append(Cleaned(data, q, _summary_from_json(text), json.loads(opts)))
        if not parts:
            raise InputError("no snapshot rows to clean", path=Path(source), expected="rows")
        merged = spec.combine(parts)  # its options: the cleaner's, without partition notes
        merged.summary.check()
        names = sorted(p.name for p in stage.glob("part-*.parquet"))
        qbytes = csv_bytes(merged.quarantine)  # for people: formulas neutralised
        sidecar = {
            **merged.summary.as_dict(),
            "fingerprint": None,
            "table_sha256": parts_sha256(stage, names),
            "quarantine_sha256": hashlib.sha256(qbytes).hexdigest(),
            "table_parts": len(names),
            "inputs": inputs,
            "options": json.loads(_options_json(merged.options)),
        }
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("part-*.parquet"):
            old.unlink()
        for name in names:
            os.replace(stage / name, out / name)
        write_set(
            {
                out.with_name(f"{out.stem}.quarantine.csv"): lambda t: t.write_bytes(qbytes),
                out.with_name(f"{out.stem}.summary.json"): lambda t: t.write_bytes(
                    json_bytes(sidecar)
                ),
            }
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        shutil.rmtree(stage, ignore_errors=True)
    encodings = sorted({b.encoding for p in plans for b in p.blocks if b.kind == "text"})
    merged.source = {
        "path": str(source),
        "encoding": ", ".join(encodings) or None,
        "rows": merged.summary.input_rows,
        "columns": list(plans[0].columns),
        "files": len(input_files(source)),
        "engine": "dask",
    }
    lazy = dd.read_parquet(str(out / "part-*.parquet"))
    # Dask reads text columns as string[pyarrow] with pd.NA; the pandas engine's table
    # (and each part read with pandas) has pandas' own dtypes: the same ones here.
    dtypes = pq.read_schema(out / names[0]).empty_table().to_pandas().dtypes.to_dict()
    merged.data = lazy.astype({c: t for c, t in dtypes.items() if lazy.dtypes[c] != t})
    return merged


def _jsonable(obj: Any) -> Any:
    as_dict = getattr(obj, "as_dict", None)
    return as_dict() if callable(as_dict) else str(obj)


def _options_json(options: dict[str, Any]) -> str:
    # As datasets._options_json records options (a higher floor: not importable here).
    return json.dumps(options, sort_keys=True, default=_jsonable)


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def source_sha256(source: str | os.PathLike[str]) -> str:
    """sha256 of an input as ``datasets.source_sha256`` computes it: of the file, or of
    a folder's or glob's files (``name=sha256`` lines in name order)."""
    if Path(source).is_file():
        return _file_sha256(Path(source))
    return parts_sha256(None, input_files(source))


def parts_sha256(folder: Path | None, names: list[Any]) -> str:
    """sha256 of a partitioned output: of the ``name=sha256`` lines of its part files,
    in name order (the same rule as for a folder input), so equal parts give equal
    hashes whatever the order the workers finished in."""
    h = hashlib.sha256()
    for name in names:
        f = Path(name) if folder is None else folder / name
        h.update(f"{f.name}={_file_sha256(f)}\n".encode())
    return h.hexdigest()
