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
   ``OUTPUT.summary.json`` beside the folder, as the other engines do.

With no scheduler address a local cluster is started (threads in this process, so a
laptop run needs no extra memory for worker processes). With a remote scheduler the
input and output paths must be visible to the workers (a shared file system or object
store path).

Dask is an optional dependency: ``pip install 'lsimpact[scale]'``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..contract import Cleaned, DatasetSpec, RowAccounting, empty_quarantine
from ..errors import InputError
from ..io import csv_bytes, write_bytes, write_json
from .chunked import _string_dtype, input_bytes, input_files, iter_batches

__all__ = ["clean_dask", "read_dask", "require_dask"]

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


def _read_file_part(path: str, lo: int, hi: int) -> pd.DataFrame:
    """Rows ``lo:hi`` of one file, as the chunked engine reads them."""
    out, at = [], 0
    for batch in iter_batches(path, batch_rows=max(hi - lo, 1)):
        n = len(batch)
        if at + n > lo and at < hi:
            out.append(batch.iloc[max(lo - at, 0) : hi - at].drop(columns="source_row"))
        at += n
        if at >= hi:
            break
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def read_dask(source: str | os.PathLike[str], block_bytes: int = BLOCK_BYTES) -> Any:
    """The input as a Dask dataframe of raw cells plus ``source_row``.

    CSV files in UTF-8 are read in blocks of ``block_bytes`` by Dask; other text
    encodings whole per file by :func:`lsimpact.io.read_table`; Parquet by row groups.
    Cells are strings exactly as written (empty cells are "").
    """
    dd = require_dask()
    files = input_files(source)
    parts = []
    for f in files:
        if f.suffix.lower() == ".parquet":
            parts.append(dd.read_parquet(str(f)))
        else:
            head = f.open("rb").read(1 << 16)
            try:
                head.decode("utf-8")
                utf8 = not head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
            except UnicodeDecodeError:
                utf8 = False
            if utf8:
                sep = "\t" if f.suffix.lower() == ".tsv" else ","
                parts.append(
                    dd.read_csv(
                        str(f),
                        dtype=str,
                        keep_default_na=False,
                        na_filter=False,
                        sep=sep,
                        blocksize=block_bytes,
                    )
                )
            else:
                whole = next(iter_batches(f, batch_rows=None)).drop(columns="source_row")
                parts.append(dd.from_pandas(whole, npartitions=1))
    ddf = parts[0] if len(parts) == 1 else dd.concat(parts)
    cols = [list(p.columns) for p in parts]
    if any(c != cols[0] for c in cols):
        raise InputError(
            "the input files have different columns",
            path=Path(source),
            expected=f"the columns of {files[0].name}: {', '.join(map(str, cols[0]))}",
        )
    ddf = ddf.astype(
        {c: _string_dtype() for c, t in ddf.dtypes.items() if pd.api.types.is_object_dtype(t)}
    )
    # Row numbers: each partition's length first, then a running offset (header = row 1).
    lengths = ddf.map_partitions(len).compute()
    offsets = np.r_[0, np.cumsum(lengths)][:-1]

    def number(df: pd.DataFrame, partition_info: dict | None = None) -> pd.DataFrame:
        i = partition_info["number"] if partition_info else 0
        out = df.reset_index(drop=True)
        out["source_row"] = np.arange(len(out), dtype=np.int64) + int(offsets[i]) + 2
        return out

    meta = ddf._meta.assign(source_row=np.int64(0))
    return ddf.map_partitions(number, meta=meta)


def _client(scheduler: str | None) -> tuple[Any, Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(
        n_workers=1,
        threads_per_worker=max(1, min(4, os.cpu_count() or 1)),
        processes=False,
        dashboard_address=None,
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
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.parquet"):
        old.unlink()
    qdir = out.with_name(f".{out.name}.quarantine-parts")
    qdir.mkdir(parents=True, exist_ok=True)
    n = npartitions or max(1, -(-input_bytes(source) // block_bytes))
    client, cluster = _client(scheduler)
    try:
        ddf = read_dask(source, block_bytes)
        entity_hash, cleaner = spec.entity_hash, spec.cleaner
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
                part.data.to_parquet(out / f"part-{i:05d}.parquet", index=False)
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
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    parts = []
    for i, text, opts in zip(done["partition"], done["summary"], done["options"], strict=True):
        if not text:
            continue
        qpath = qdir / f"part-{i:05d}.parquet"
        q = pd.read_parquet(qpath) if qpath.exists() else empty_quarantine()
        # only the columns: the parts stay on disk (the client's memory stays small)
        data = pq.read_schema(out / f"part-{i:05d}.parquet").empty_table().to_pandas()
        parts.append(Cleaned(data, q, _summary_from_json(text), json.loads(opts)))
    for f in qdir.glob("*.parquet"):
        f.unlink()
    qdir.rmdir()
    if not parts:
        raise InputError("no snapshot rows to clean", path=Path(source), expected="rows")
    merged = spec.combine(parts)
    merged.summary.check()
    merged.options = {**parts[0].options}
    merged.source = {
        "path": str(source),
        "encoding": None,
        "rows": merged.summary.input_rows,
        "columns": None,
        "files": len(input_files(source)),
        "engine": "dask",
    }
    # For people to open: spreadsheet formulas neutralised (lsimpact.io.csv_bytes).
    write_bytes(out.with_name(f"{out.stem}.quarantine.csv"), csv_bytes(merged.quarantine))
    write_json(out.with_name(f"{out.stem}.summary.json"), merged.summary.as_dict())
    merged.data = dd.read_parquet(str(out / "part-*.parquet"))
    return merged
