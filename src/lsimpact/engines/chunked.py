"""Engines that run a dataset's cleaner: in memory, chunked by entity, or on Dask.

* ``pandas``: the whole input as one frame (``datasets.clean_file``'s default for inputs
  that fit in memory).
* ``chunked``: bounded memory on one machine. The input (a file, a folder or a glob of
  CSV/Parquet) is read in batches; each batch's rows are written to one of ``n``
  temporary Parquet buckets by a hash of their entity (``DatasetSpec.entity_hash``: the
  account for follower snapshots), so every entity's rows land in one bucket, in input
  order. Each bucket is then cleaned by **the same cleaner** and the parts are merged by
  ``DatasetSpec.combine``. Peak memory is that of one batch or one bucket, not of the
  input.
* ``dask``: the same partition-then-clean on a Dask cluster (:func:`clean_dask`).

Every engine numbers rows as the in-memory reader does (``source_row``: the spreadsheet
row, header = 1, counted on through the files of a folder in name order), so quarantine
rows and lineage agree between engines; tests check the outputs are equal.
"""

from __future__ import annotations

import csv
import glob
import io
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..contract import Cleaned, DatasetSpec
from ..errors import InputError
from ..io import read_table

__all__ = [
    "ENGINES",
    "choose_engine",
    "clean_chunked",
    "input_files",
    "iter_batches",
    "read_input",
]

#: Engine names accepted by ``clean_file``, ``load`` and ``lsimpact clean --engine``.
ENGINES = ("auto", "pandas", "chunked", "dask")

_SUFFIXES = {".csv", ".tsv", ".txt", ".parquet"}
#: CSV bytes per bucket of the chunked engine (a bucket is cleaned in memory, ~5x this).
BUCKET_BYTES = 64 << 20
#: Rows per batch read from the input.
BATCH_ROWS = 500_000


def _string_dtype() -> pd.StringDtype:
    # The dtype io.read_table gives text cells, so that every engine sees the same frame.
    return pd.StringDtype("pyarrow", na_value=np.nan)


def input_files(source: str | os.PathLike[str]) -> list[Path]:
    """The files of an input: a file, a folder (its CSV/TSV/TXT/Parquet files) or a glob.

    Sorted by name, so that row numbers run on in a stable order.
    """
    p = Path(source)
    if p.is_file():
        return [p]
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in _SUFFIXES)
        where = f"folder {p}"
    elif not any(ch in str(source) for ch in "*?["):
        raise InputError("file not found", path=p, hint="check the path and the file name")
    else:
        files = sorted(Path(f) for f in glob.glob(str(source)) if Path(f).is_file())
        where = f"pattern {source}"
    if not files:
        raise InputError(
            f"no input files in {where}",
            path=p,
            expected="a file, a folder of .csv/.parquet files, or a glob such as 'logs/*.csv'",
            hint="check the path",
        )
    return files


def input_bytes(source: str | os.PathLike[str]) -> int:
    """Total size of the input's files in bytes."""
    return sum(f.stat().st_size for f in input_files(source))


def _available_memory() -> int:
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not on Linux: assume 8 GiB
        return 8 << 30


def choose_engine(spec: DatasetSpec, source: str | os.PathLike[str] | None, engine: str) -> str:
    """``pandas`` or ``chunked`` for ``engine="auto"``; other names are checked and returned.

    Auto picks ``chunked`` for a dataset with an entity key when the input is a folder or
    glob, or when it is larger than a sixth of the free memory (the in-memory cleaner
    peaks at about three times the CSV size, the reader at two).
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", expected=", ".join(ENGINES))
    if engine != "auto":
        if engine in ("chunked", "dask") and not spec.entity:
            raise InputError(
                f"dataset {spec.name} cannot run with engine={engine!r}",
                expected="engine 'pandas' (only datasets with an entity key run in parts)",
            )
        return engine
    if source is None or not spec.entity:
        return "pandas"
    files = input_files(source)
    if len(files) > 1 or not Path(source).is_file():
        return "chunked"
    return "chunked" if 6 * files[0].stat().st_size > _available_memory() else "pandas"


def read_input(source: str | os.PathLike[str], **read_options: Any) -> pd.DataFrame:
    """The whole input as one frame of strings (a folder's files one after the other);
    ``read_options`` go to :func:`lsimpact.io.read_table` for a single file."""
    files = input_files(source)
    if len(files) == 1:
        return read_table(files[0], **read_options)
    frames = list(iter_batches(source, batch_rows=None))
    out = pd.concat(frames, ignore_index=True).drop(columns="source_row")
    out.attrs = {"source_path": str(source), "format": "folder", "encoding": None}
    return out


def _csv_header(path: Path) -> tuple[list[str], str] | None:
    """Header and separator of a plain UTF-8 CSV (None: not one; read it whole instead)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        first = head.decode("utf-8", errors="strict").lstrip("\r\n").splitlines()[0]
    except (UnicodeDecodeError, IndexError):
        return None
    tabbed = "\t" in first and "," not in first
    sep = "\t" if path.suffix.lower() == ".tsv" or tabbed else ","
    header = next(csv.reader(io.StringIO(first), delimiter=sep))
    header = [h if h.strip() else f"Unnamed: {i}" for i, h in enumerate(header)]
    if len(set(header)) < len(header):
        return None  # read_table names the repeated column
    return header, sep


def _file_batches(path: Path, batch_rows: int | None) -> Iterator[pd.DataFrame]:
    """One file's rows in batches of strings (Parquet keeps its types, as read_table)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    suffix = path.suffix.lower()
    if suffix == ".parquet" and batch_rows is not None:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
            yield batch.to_pandas()
        return
    parsed = _csv_header(path) if suffix in {".csv", ".tsv", ".txt"} else None
    if parsed is None or batch_rows is None:
        # GBK, UTF-16, BOM, Excel...: read_table reads (and checks) the file whole.
        df = read_table(path)
        step = batch_rows or max(len(df), 1)
        for lo in range(0, len(df), step):
            yield df.iloc[lo : lo + step]
        return
    header, sep = parsed
    bad: list[Any] = []

    def on_bad_line(row: Any) -> str:
        bad.append(row)
        return "skip"

    reader = pcsv.open_csv(
        path,
        read_options=pcsv.ReadOptions(
            column_names=header, skip_rows=1, use_threads=False, block_size=32 << 20
        ),
        parse_options=pcsv.ParseOptions(
            delimiter=sep, newlines_in_values=True, invalid_row_handler=on_bad_line
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={h: pa.string() for h in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    for batch in reader:
        if bad:
            read_table(path)  # raises the reader's InputError naming the bad lines
        yield batch.to_pandas(types_mapper={pa.string(): _string_dtype()}.get)
    if bad:
        read_table(path)


def iter_batches(
    source: str | os.PathLike[str], batch_rows: int | None = BATCH_ROWS
) -> Iterator[pd.DataFrame]:
    """The input's rows in batches with a ``source_row`` column (row numbers run on
    across the files of a folder, header = row 1 of the first file).

    Raises
    ------
    InputError
        Files with different columns.
    """
    files = input_files(source)
    first_cols: list[str] | None = None
    offset = 0
    for f in files:
        for batch in _file_batches(f, batch_rows):
            cols = [str(c) for c in batch.columns]
            if first_cols is None:
                first_cols = cols
            elif cols != first_cols:
                raise InputError(
                    "the input files have different columns",
                    path=f,
                    expected=f"the columns of {files[0].name}: {', '.join(first_cols)}",
                    hint=f"found: {', '.join(cols)}; clean them separately or align the headers",
                )
            batch = batch.reset_index(drop=True)
            batch["source_row"] = np.arange(offset + 2, offset + 2 + len(batch), dtype=np.int64)
            offset += len(batch)
            yield batch


def entity_hash_of(
    spec: DatasetSpec, batches: Callable[[], Iterable[pd.DataFrame]]
) -> Callable[[pd.DataFrame], np.ndarray]:
    """The function rows are partitioned by: ``spec.entity_hash``, or for a dataset with
    ``entity_keys`` (entities known only from the whole input), ``spec.entity_hasher`` of
    the key combinations of every batch (a first pass over the input)."""
    if spec.entity_keys is None or spec.entity_hasher is None:
        assert spec.entity_hash is not None
        return spec.entity_hash
    keys = None
    for batch in batches():
        found = spec.entity_keys(batch.drop(columns="source_row", errors="ignore"))
        keys = found if keys is None else pd.concat([keys, found]).drop_duplicates()
    if keys is None:  # no rows: nothing to partition
        assert spec.entity_hash is not None
        return spec.entity_hash
    return spec.entity_hasher(keys.reset_index(drop=True))


def _partition(
    spec: DatasetSpec,
    source: str | os.PathLike[str],
    tmp: Path,
    n_buckets: int,
    batch_rows: int,
    entity_hash: Callable[[pd.DataFrame], np.ndarray] | None = None,
) -> tuple[list[Path], dict[str, Any]]:
    """Write the input's rows into ``n_buckets`` Parquet files by entity hash."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    entity_hash = entity_hash or spec.entity_hash
    assert entity_hash is not None
    writers: dict[int, Any] = {}
    schema = None
    attrs: dict[str, Any] = {}
    paths = [tmp / f"bucket-{k:05d}.parquet" for k in range(n_buckets)]
    try:
        for batch in iter_batches(source, batch_rows):
            if not attrs:
                attrs = dict(batch.attrs)
            bucket = (entity_hash(batch) % np.uint64(n_buckets)).astype(np.int64)
            table = pa.Table.from_pandas(batch, preserve_index=False)
            schema = schema or table.schema
            table = table.cast(schema)
            order = np.argsort(bucket, kind="stable")
            sorted_b = bucket[order]
            cuts = np.flatnonzero(np.r_[True, sorted_b[1:] != sorted_b[:-1], True])
            for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
                k = int(sorted_b[lo])
                if k not in writers:
                    writers[k] = pq.ParquetWriter(paths[k], schema)
                writers[k].write_table(table.take(order[lo:hi]))
    finally:
        for w in writers.values():
            w.close()
    return [paths[k] for k in sorted(writers)], attrs


def _read_bucket(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas(types_mapper={pa.string(): _string_dtype()}.get)


def clean_chunked(
    spec: DatasetSpec,
    source: str | os.PathLike[str],
    *,
    options: dict[str, Any] | None = None,
    n_buckets: int | None = None,
    batch_rows: int = BATCH_ROWS,
    tmp_dir: str | os.PathLike[str] | None = None,
    paired: Sequence[pd.DataFrame | None] = (),
) -> Cleaned:
    """Clean an input larger than memory by entity buckets (see the module docstring).

    Parameters
    ----------
    spec
        A dataset with an entity key (``spec.entity``, ``entity_hash``, ``combine``).
    source
        A file, a folder or a glob of CSV/Parquet files in the dataset's raw format.
    options
        Cleaner options.
    n_buckets
        Number of buckets; default one per :data:`BUCKET_BYTES` of input.
    batch_rows
        Rows read at a time.
    tmp_dir
        Where the buckets are spilled (default: the system's temporary folder); removed
        afterwards.
    paired
        The cleaner's other inputs (e.g. a price log's session calendar), passed whole
        to every bucket after the bucket's rows.

    Returns
    -------
    Cleaned
        Equal to the in-memory cleaner's result on the whole input.
    """
    if not spec.entity or spec.entity_hash is None or spec.combine is None:
        raise InputError(f"dataset {spec.name} has no entity key: it cannot run chunked")
    options = dict(options or {})
    n = n_buckets or max(1, math.ceil(input_bytes(source) / BUCKET_BYTES))
    tmp = Path(tempfile.mkdtemp(prefix="lsimpact-chunks-", dir=tmp_dir))
    try:
        hash_rows = entity_hash_of(spec, lambda: iter_batches(source, batch_rows))
        paths, attrs = _partition(spec, source, tmp, n, batch_rows, hash_rows)
        parts = []
        for path in paths:
            frame = _read_bucket(path)
            frame.attrs = {**attrs, "source_path": str(source)}
            parts.append(spec.cleaner(frame, *paired, partition=True, **options))
            path.unlink()
        if not parts:  # an input without rows: the in-memory cleaner's own verdict
            parts.append(spec.cleaner(read_input(source), *paired, **options))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return spec.combine(parts)
