"""Reading user tables and writing outputs atomically.

``read_table`` is the one door for files a user brings (CSV in UTF-8/BOM/GBK, Excel,
Parquet, Stata); ``atomic_path`` and the ``write_*`` helpers make every output appear
whole or not at all (write to a temporary file in the same folder, then rename).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError

__all__ = [
    "atomic_path",
    "read_table",
    "write_bytes",
    "write_json",
    "write_parquet",
    "write_text",
]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left untouched, so a
    reader never sees a half-written output.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` (with ``\\n`` line ends) to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as sorted, indented UTF-8 JSON atomically (stable bytes)."""
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    return write_text(path, text)


def write_parquet(
    df: pd.DataFrame, path: str | os.PathLike[str], metadata: dict[str, str] | None = None
) -> Path:
    """Write ``df`` to Parquet atomically, with optional key/value file metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    if metadata:
        merged = dict(table.schema.metadata or {})
        merged.update({k.encode(): v.encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(merged)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return Path(path)


def read_parquet_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """Return the key/value metadata stored in a Parquet file (without the pandas blob)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    return {k.decode(): v.decode() for k, v in meta.items() if k != b"pandas"}


_ENCODINGS = ("utf-8-sig", "gb18030")


def read_table(path: str | os.PathLike[str], *, dtype: Any = str) -> pd.DataFrame:
    """Read a user table as strings, whatever its format.

    Parameters
    ----------
    path
        CSV (UTF-8, UTF-8 with BOM or GBK/GB18030), ``.xlsx``, ``.parquet`` or ``.dta``.
    dtype
        Column type to read CSV/Excel cells as; strings by default so that cleaners see
        exactly what was written ("2807.5万", "0012").

    Returns
    -------
    DataFrame
        One row per data line; ``attrs['source_path']`` and ``attrs['encoding']`` say what
        was read.

    Raises
    ------
    InputError
        The file is missing, empty, of an unknown format or cannot be decoded.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", path=p, hint="check the path and the file name")
    if p.stat().st_size == 0:
        raise InputError("the file is empty", path=p, expected="a header line and data rows")
    suffix = p.suffix.lower()
    encoding: str | None = None
    try:
        if suffix in {".csv", ".txt", ".tsv"}:
            raw = p.read_bytes()
            for enc in _ENCODINGS:
                try:
                    raw.decode(enc)
                except UnicodeDecodeError:
                    continue
                encoding = enc
                break
            if encoding is None:
                raise InputError(
                    "cannot decode the file as UTF-8 or GBK/GB18030",
                    path=p,
                    hint="save the file as UTF-8 CSV",
                )
            sep = "\t" if suffix == ".tsv" else ","
            df = pd.read_csv(p, dtype=dtype, encoding=encoding, sep=sep, keep_default_na=False)
        elif suffix in {".xlsx", ".xlsm"}:
            df = pd.read_excel(p, dtype=dtype, keep_default_na=False)
        elif suffix == ".parquet":
            df = pd.read_parquet(p)
        elif suffix == ".dta":
            df = pd.read_stata(p)
        else:
            raise InputError(
                f"unknown file format '{suffix}'",
                path=p,
                expected="one of .csv, .tsv, .xlsx, .parquet, .dta",
            )
    except InputError:
        raise
    except Exception as exc:  # a parser's own error, reworded with the file name
        raise InputError(
            f"cannot read the file: {exc}", path=p, hint="open it in a spreadsheet and re-save it"
        ) from exc
    df.attrs["source_path"] = str(p)
    df.attrs["encoding"] = encoding
    return df
