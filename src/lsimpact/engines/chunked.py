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

Every engine numbers rows as the in-memory reader does (``source_row``: the line an
editor shows, header = 1, blank lines and line breaks inside quoted cells counted),
counted on through the files of a folder in name order (a later file's line ``L`` is
the previous file's last row number plus ``L - 1``), so quarantine rows and lineage
agree between engines; tests check the outputs are equal.

The chunked and Dask engines read text files with a **streaming reader** that makes
io.read_table's whole-file checks with bounded memory: :func:`plan_input` reads every
file once in pieces (encoding: :func:`detect_file_encoding`, refusing binary content,
mixed UTF-8/GBK and undecodable bytes with their line; the header: repeated or
reserved names) and cuts it into :class:`Block` s of whole records (a quoted cell with
line breaks is never split); :func:`block_frames` then reads one block with pyarrow as
read_table does (malformed lines and cells over 1 MB refused with their line). Forms
that are not streamed (UTF-16 text, Excel, Stata) are refused with a pointer to
``--engine pandas``.
"""

from __future__ import annotations

import codecs
import csv
import glob
import io
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..contract import Cleaned, DatasetSpec, source_rows
from ..errors import InputError
from ..io import (
    _BLOCK_BYTES,
    MAX_CELL_BYTES,
    _big5_error,
    _encoding_guess,
    _first_utf8_cjk_line,
    _refuse_long_cells,
    _refuse_long_lines,
    check_header,
    read_table,
)

__all__ = [
    "ENGINES",
    "available_memory",
    "choose_engine",
    "clean_chunked",
    "explain_engine",
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


#: Peak memory of the in-memory (pandas) engine per byte of CSV input. Measured on a
#: 76 MiB follower log of 1.1 M rows (synth.followers_daily, peak resident memory above
#: the process's baseline): 298 MiB, 3.9x; 6 leaves room for wider rows and GBK text
#: (decoded to UTF-8 first). Re-measure when the cleaner's memory changes.
PANDAS_PEAK_FACTOR = 6


def available_memory() -> int:
    """Bytes of memory this process can still use: Linux's ``MemAvailable`` (free
    memory plus reclaimable cache), lowered to the container's cgroup limit where one
    is set; 8 GiB where neither can be read."""
    avail = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        avail = None
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):  # not on Linux
            avail = 8 << 30
    try:  # cgroup v2: a container may have far less than the machine
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            avail = min(avail, max(int(limit) - used, 0))
    except (OSError, ValueError):
        pass
    return avail


def _size(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def choose_engine(spec: DatasetSpec, source: str | os.PathLike[str] | None, engine: str) -> str:
    """``pandas`` or ``chunked`` for ``engine="auto"``; other names are checked and returned
    (the rule: :func:`explain_engine`)."""
    return explain_engine(spec, source, engine)[0]


def explain_engine(
    spec: DatasetSpec, source: str | os.PathLike[str] | None, engine: str
) -> tuple[str, str]:
    """The engine :func:`choose_engine` picks and one line saying why (for the CLI).

    ``auto`` picks ``chunked`` for a dataset with an entity key when the input is a
    folder or glob, or when cleaning it in memory would need more than the memory
    available (:data:`PANDAS_PEAK_FACTOR` times the file, against
    :func:`available_memory`); else ``pandas``. Excel and Stata files are read whole.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", expected=", ".join(ENGINES))
    if engine != "auto":
        if engine in ("chunked", "dask") and not spec.entity:
            raise InputError(
                f"dataset {spec.name} cannot run with engine={engine!r}",
                expected="engine 'pandas' (only datasets with an entity key run in parts)",
            )
        return engine, f"engine {engine} (as asked)"
    if source is None or not spec.entity:
        return "pandas", f"engine pandas (dataset {spec.name} is cleaned whole, in memory)"
    files = input_files(source)
    total = sum(f.stat().st_size for f in files)
    if len(files) > 1 or not Path(source).is_file():
        return "chunked", (
            f"engine chunked: the input is {len(files)} file(s), {_size(total)}, cleaned "
            "by account buckets with bounded memory (--engine pandas reads it whole)"
        )
    if files[0].suffix.lower() not in _SUFFIXES:
        return "pandas", f"engine pandas: a {files[0].suffix} file is read whole"
    need, avail = PANDAS_PEAK_FACTOR * total, available_memory()
    if need > avail:
        return "chunked", (
            f"engine chunked: the file is {_size(total)}; in memory it would need about "
            f"{_size(need)}, more than the {_size(avail)} available"
        )
    return "pandas", (
        f"engine pandas: the file is {_size(total)}; in memory it needs about "
        f"{_size(need)} of the {_size(avail)} available"
    )


def read_input(source: str | os.PathLike[str], **read_options: Any) -> pd.DataFrame:
    """The whole input as one frame of strings, read by :func:`lsimpact.io.read_table`
    (a folder's files one after the other, rows numbered on as :func:`plan_input`
    documents; ``source_row`` is kept where it differs from position + 2);
    ``read_options`` go to :func:`lsimpact.io.read_table` for a single file."""
    files = input_files(source)
    if len(files) == 1:
        return read_table(files[0], **read_options)
    frames, base, first_cols = [], 0, None
    for f in files:
        df = read_table(f)
        if "source_sheet" in df.columns:
            raise InputError(
                "a workbook with several sheets cannot be part of a folder input",
                path=f,
                hint="save each sheet as CSV UTF-8, or clean the workbook on its own",
            )
        cols = [str(c) for c in df.columns if c != "source_row"]
        if first_cols is None:
            first_cols = cols
        elif cols != first_cols:
            raise InputError(
                "the input files have different columns",
                path=f,
                expected=f"the columns of {files[0].name}: {', '.join(first_cols)}",
                hint=f"found: {', '.join(cols)}; clean them separately or align the headers",
            )
        lines = source_rows(df).to_numpy(dtype=np.int64)
        df = df.assign(source_row=lines + base)
        last = int(lines[-1]) if len(lines) else _header_line(f)
        frames.append(df)
        base += last - 1
    out = pd.concat(frames, ignore_index=True)
    if np.array_equal(out["source_row"].to_numpy(), np.arange(2, len(out) + 2)):
        out = out.drop(columns="source_row")  # as read_table: the position says it
    out.attrs = {"source_path": str(source), "format": "folder", "encoding": None}
    return out


def _header_line(path: Path) -> int:
    """The line of a text file's header (after blank lines); 1 for other formats."""
    if path.suffix.lower() not in {".csv", ".tsv", ".txt"}:
        return 1
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return 1  # not read in parts (plan_input refuses UTF-16)
    head = head.removeprefix(codecs.BOM_UTF8)
    return 1 + head[: len(head) - len(head.lstrip(b"\r\n"))].count(b"\n")


# --- streaming reader: io.read_table's checks and line numbers, one block at a time -----
#: Bytes of a text file read per block (a block ends on a record boundary).
BLOCK_BYTES = 32 << 20
#: A record (one row, with its quoted line breaks) longer than this is refused.
_MAX_RECORD_BYTES = 2 * _BLOCK_BYTES
#: Bytes per read of the encoding check.
_SCAN_BYTES = 4 << 20
NL = b"\n"
_PANDAS_HINT = "or run with --engine pandas (reads the file whole, in memory)"


@dataclass(frozen=True)
class Block:
    """A run of whole records of one input file, read on its own (by a worker, maybe).

    ``kind`` is ``"text"`` (bytes ``start:end`` of the file, the first on line
    ``first_line``) or ``"parquet"`` (row group ``start``, its first row numbered
    ``first_line``). ``base`` is added to the file's own line numbers (files after the
    first of a folder, see :func:`plan_input`).
    """

    path: str
    kind: str
    start: int
    end: int
    first_line: int
    records: int
    base: int
    encoding: str = "utf-8"
    sep: str = ","
    header: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilePlan:
    """The blocks of one file, its columns, and the line of its last data row."""

    path: Path
    columns: tuple[str, ...]
    blocks: tuple[Block, ...]
    last_line: int


def _decode_failure(path: Path, byte: int, pos: int, line: int, tried: str) -> InputError:
    # The wording of io.detect_encoding's error, positioned in the whole file (that
    # function needs the whole file in memory).
    with path.open("rb") as fh:
        guess = _encoding_guess(fh.read(200_000))
    return InputError(
        f"cannot decode the file as {tried}: byte 0x{byte:02x} at byte {pos} is invalid{guess}",
        path=path,
        row=line,
        expected="text in UTF-8 (with or without BOM) or GBK/GB18030",
        hint="re-save the file as 'CSV UTF-8' (Excel: Save As > CSV UTF-8)",
    )


def _line_pieces(path: Path, size: int | None = None) -> Iterator[tuple[int, int, bytes]]:
    """``(byte offset, line number, piece)``: the file in pieces of whole lines (a piece
    ends after a ``\\n``, so that decoders and line counts never split a character)."""
    size = size or _SCAN_BYTES
    pos, line, carry = 0, 1, b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(size)
            data = carry + chunk
            if not chunk:
                if data:
                    yield pos, line, data
                return
            cut = data.rfind(b"\n") + 1
            if cut == 0 and len(data) <= _MAX_RECORD_BYTES:
                carry = data
                continue
            cut = cut or len(data)  # one line longer than any accepted: refused later
            piece, carry = data[:cut], data[cut:]
            yield pos, line, piece
            pos, line = pos + len(piece), line + piece.count(b"\n")


def detect_file_encoding(path: str | os.PathLike[str]) -> str:
    """:func:`lsimpact.io.detect_encoding` on a file of any size, read in pieces.

    The same verdicts (utf-16, utf-8-sig, utf-8 or gb18030) and the same refusals, with
    the same line numbers: a NUL byte anywhere, a file mixing UTF-8 and GBK lines, bytes
    neither UTF-8 nor GB18030, GB18030 that only decodes into unassigned characters.
    """
    p = Path(path)
    with p.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    bom = head.startswith(codecs.BOM_UTF8)
    utf8_error: tuple[int, int, int] | None = None  # byte value, position, line
    for pos, line, piece in _line_pieces(p):
        nul = piece.find(b"\x00")
        if nul >= 0:  # io.detect_encoding checks the whole file for NUL first
            raise InputError(
                "this is not a text table (it holds binary data: a NUL byte)",
                path=p,
                row=line + piece.count(b"\n", 0, nul),
                expected="a CSV file (UTF-8 or GBK), .xlsx, .parquet or .dta",
                hint="check that you picked the right file; export the table as CSV or .xlsx",
            )
        if utf8_error is None:
            try:
                piece.decode("utf-8")
            except UnicodeDecodeError as exc:
                utf8_error = (
                    piece[exc.start],
                    pos + exc.start,
                    line + piece.count(b"\n", 0, exc.start),
                )
    if bom:
        if utf8_error is not None:
            raise _decode_failure(p, *utf8_error, "UTF-8")
        return "utf-8-sig"
    if utf8_error is None:
        return "utf-8"
    first_utf8 = None
    for _, line, piece in _line_pieces(p):
        rel = _first_utf8_cjk_line(piece)
        if rel is not None:
            first_utf8 = line + rel - 1
            break
    if first_utf8 is not None:
        bad_line = utf8_error[2]
        gbk_line = False
        for _, line, piece in _line_pieces(p):
            n = piece.count(b"\n")
            if line <= bad_line < line + n + 1:
                text_line = piece.split(b"\n")[bad_line - line]
                try:
                    gbk_line = not re.search("[\ue000-\uf8ff]", text_line.decode("gb18030"))
                except UnicodeDecodeError:
                    gbk_line = False
                break
        if gbk_line:
            raise InputError(
                f"the file mixes two encodings: line {first_utf8} is UTF-8 but line "
                f"{bad_line} is GBK/GB18030; read either way, one part would be garbled",
                path=p,
                row=bad_line,
                expected="one encoding for the whole file (UTF-8 or GBK)",
                hint="open the file in an editor that shows the encoding, convert the "
                "GBK lines to UTF-8 (or re-export the whole table once) and save as CSV UTF-8",
            )
        raise _decode_failure(p, *utf8_error, "UTF-8")
    for pos, line, piece in _line_pieces(p):
        try:
            text = piece.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise _decode_failure(
                p, piece[exc.start], pos + exc.start,
                line + piece.count(b"\n", 0, exc.start), "UTF-8 or GBK/GB18030",
            ) from None  # fmt: skip
        if m := re.search("[\ue000-\uf8ff]", text):
            at = len(text[: m.start()].encode("gb18030"))
            raise _big5_error(p, line + piece.count(b"\n", 0, at))
    return "gb18030"


@dataclass
class _Walk:
    """Records found in a run of bytes: each one's first line (0-based, blank lines
    skipped as pyarrow skips them), where the first record ends, and how much of the
    run whole records (and blank lines) take up."""

    starts: np.ndarray
    first_end_byte: int
    first_end_line: int
    consumed_bytes: int
    consumed_lines: int


def _one_line_record(sep: str) -> re.Pattern[bytes]:
    """A line that is one whole record under the csv module's rules: every field either
    unquoted without quotes, or quoted with only doubled quotes inside (no line break)."""
    d = re.escape(sep.encode())
    field = rb'(?:"(?:[^"\r\n]++|"")*+"|[^"' + d + rb"\r\n]*+)"
    return re.compile(field + rb"(?:" + d + field + rb")*+\r?")


def _one_line_records(sep: str) -> re.Pattern[bytes]:
    """Lines each of which is one whole record (:func:`_one_line_record`)."""
    line = _one_line_record(sep).pattern
    return re.compile(rb"(?:" + line + rb"\n)*+(?:" + line + rb")?+")


_ONE_LINE = {",": _one_line_record(","), "\t": _one_line_record("\t")}
_ONE_LINE_ALL = {",": _one_line_records(","), "\t": _one_line_records("\t")}


def _quotes_on_one_line(region: bytes, arr: np.ndarray, sep: str) -> bool:
    """True when no quoted cell of ``region`` spans lines (so each non-blank line is one
    record): only the lines holding a quote are looked at, each with one regex match."""
    is_quote = arr == 34
    n_quotes = int(np.count_nonzero(is_quote))
    if not n_quotes:
        return True
    if n_quotes > len(region) // 1024:  # quotes on many lines: one match over the region
        whole = _ONE_LINE_ALL.get(sep) or _one_line_records(sep)
        return whole.fullmatch(region) is not None
    quotes = np.flatnonzero(is_quote)
    del is_quote
    nl = np.flatnonzero(arr == 10)
    pattern = _ONE_LINE.get(sep) or _one_line_record(sep)
    starts, ends = np.r_[0, nl + 1], np.r_[nl, len(region)]
    for k in np.unique(np.searchsorted(nl, quotes)):
        if pattern.fullmatch(region, int(starts[k]), int(ends[k])) is None:
            return False
    return True


def _walk(buf: bytes, sep: str, final: bool, by_line: bool = False) -> _Walk:
    """Whole records of ``buf`` as io's ``_record_lines`` counts them (the csv module's
    lines: ``\\n``, ``\\r\\n`` or a lone ``\\r``; quoted cells may span lines).

    Unless ``final``, a record that may go on past ``buf`` is left for the next call.
    ``by_line``: take every non-blank line for a record even where quotes could span
    lines (right when a parser found as many records as that: io's own shortcut).
    """
    if final:
        region = buf
    else:
        brk = max(buf.rfind(b"\n"), buf.rfind(b"\r", 0, len(buf) - 1))
        region = buf[: brk + 1]
    arr = np.frombuffer(region, dtype=np.uint8)
    cr = np.flatnonzero(arr == 13)
    lone_cr = len(cr) and bool(
        np.any(cr + 1 >= len(arr)) or np.any(arr[np.minimum(cr + 1, len(arr) - 1)] != 10)
    )
    if not lone_cr and (by_line or _quotes_on_one_line(region, arr, sep)):
        # One record per non-blank line: numpy, no per-line Python.
        nl = np.flatnonzero(arr == 10)
        starts_b = np.r_[0, nl + 1]
        ends_b = np.r_[nl, len(region)]
        if len(region) == 0 or region.endswith(b"\n"):
            starts_b, ends_b = starts_b[:-1], ends_b[:-1]
        length = ends_b - starts_b
        first_byte = arr[np.minimum(starts_b, max(len(arr) - 1, 0))] if len(arr) else length
        blank = (length == 0) | ((length == 1) & (first_byte == 13))
        starts = np.flatnonzero(~blank).astype(np.int64)
        first_end_byte = int(min(ends_b[starts[0]] + 1, len(region))) if len(starts) else -1
        return _Walk(
            starts,
            first_end_byte,
            int(starts[0]) + 1 if len(starts) else -1,
            len(region),
            len(starts_b),
        )
    # The csv module's lines end at \n, \r\n or a lone \r (as StringIO(newline="")).
    is_nl = arr == 10
    lone = (arr == 13) & ~np.r_[is_nl[1:], False]
    ends = np.flatnonzero(is_nl | lone) + 1
    if len(region) and (not len(ends) or ends[-1] != len(region)):
        ends = np.r_[ends, len(region)]
    # latin-1 maps every byte to one character: the csv module only looks at the ASCII
    # quote, separator and line breaks, which UTF-8 and GB18030 never use inside a
    # multi-byte character.
    reader = csv.reader(io.StringIO(region.decode("latin-1"), newline=""), delimiter=sep)
    starts_list: list[int] = []
    first_end_line = -1
    done = prev = 0
    last_blank = True
    old_limit = csv.field_size_limit(_BLOCK_BYTES)  # process-wide: restored below
    try:
        for record in reader:
            prev, done = done, reader.line_num
            last_blank = not record  # [] is a blank line
            if record:
                starts_list.append(prev)
                if first_end_line < 0:
                    first_end_line = done
    finally:
        csv.field_size_limit(old_limit)
    if not final and done:
        # The last record may go on past buf: left for the next call, with more bytes.
        done = prev
        if not last_blank:
            starts_list.pop()
            if first_end_line > done:
                first_end_line = -1
    return _Walk(
        np.asarray(starts_list, dtype=np.int64),
        int(ends[first_end_line - 1]) if first_end_line > 0 else -1,
        first_end_line,
        int(ends[done - 1]) if done else 0,
        done,
    )


def _fill(fh: Any, buf: bytes, want: int) -> tuple[bytes, bool]:
    """``buf`` topped up from ``fh`` to at least ``want`` bytes; True at end of file."""
    parts = [buf]
    size = len(buf)
    while size < want:
        chunk = fh.read(want - size)
        if not chunk:
            return b"".join(parts), True
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts), False


def _unclosed(p: Path, buf: bytes, line: int) -> InputError:
    _refuse_long_lines(p, buf, line - 1)  # one endless line: io's own message
    return InputError(
        f"a record starting on line {line} runs on for more than "
        f"{_MAX_RECORD_BYTES >> 20} MB: a quote opened there is never closed",
        path=p,
        row=line,
        expected=f"cells of at most {MAX_CELL_BYTES / 1e6:g} MB, quotes closed",
        hint="open the file at that line; close the stray quote or remove the long text",
    )


def _header(p: Path, text: str, sep: str) -> list[str]:
    """Column names as io.read_table makes them (checked the same way)."""
    first = text.lstrip("\r\n").splitlines()[0]
    header = next(csv.reader(io.StringIO(first), delimiter=sep))
    header = [h if h.strip() else f"Unnamed: {i}" for i, h in enumerate(header)]
    check_header(p, header)
    return header


def _plan_text(p: Path, block_bytes: int) -> FilePlan:
    """Check a CSV/TSV file whole (streamed) and cut it into blocks of whole records."""
    if p.stat().st_size == 0:
        raise InputError("the file is empty", path=p, expected="a header line and data rows")
    with p.open("rb") as fh:
        head = fh.read(16_400)
    if head.startswith(b"PK\x03\x04"):
        raise InputError(
            "this is an Excel (.xlsx) file with a text-file name",
            path=p,
            hint=f"rename it to {p.stem}.xlsx, or export it as CSV",
        )
    encoding = detect_file_encoding(p)
    if encoding == "utf-16":
        raise InputError(
            "a UTF-16 text file (Excel's 'Unicode text') is not read in parts",
            path=p,
            expected="CSV in UTF-8 or GBK for the chunked and Dask engines",
            hint="save it as 'CSV UTF-8' (Excel: Save As > CSV UTF-8), " + _PANDAS_HINT,
        )
    sniff = head.decode(encoding, errors="replace")[:4096].splitlines()
    first = sniff[0] if sniff else ""
    tabbed = "\t" in first and "," not in first
    sep = "\t" if p.suffix.lower() == ".tsv" or tabbed else ","
    skip = 3 if encoding == "utf-8-sig" else 0
    enc = "utf-8" if encoding == "utf-8-sig" else encoding
    blocks: list[Block] = []
    header: list[str] | None = None
    blank_header = False
    last_line = 1
    with p.open("rb") as fh:
        fh.seek(skip)
        pos, line, buf, eof, want = skip, 1, b"", False, block_bytes
        while True:
            buf, eof = _fill(fh, buf, want)
            walk = _walk(buf, sep, final=eof)
            if header is None:
                if not len(walk.starts):
                    if eof:
                        raise InputError(
                            "the file has no header line",
                            path=p,
                            expected="a header line and rows",
                        )
                    if len(buf) > _MAX_RECORD_BYTES:
                        raise _unclosed(p, buf, line)
                    want = len(buf) + block_bytes
                    continue
                head_text = buf[: walk.first_end_byte].decode(enc)
                blank_header = not head_text.strip()  # read_table: no header if all blank
                header = _header(p, head_text, sep)
                last_line = line + int(walk.starts[0])
                pos += walk.first_end_byte
                line += walk.first_end_line
                buf, want = buf[walk.first_end_byte :], block_bytes
                continue
            if walk.consumed_bytes == 0:
                if eof:
                    break
                if len(buf) > _MAX_RECORD_BYTES:
                    raise _unclosed(p, buf, line)
                want = len(buf) + block_bytes
                continue
            if blank_header and buf[: walk.consumed_bytes].decode(enc).strip():
                blank_header = False
            if len(walk.starts):
                blocks.append(
                    Block(
                        str(p),
                        "text",
                        pos,
                        pos + walk.consumed_bytes,
                        line,
                        len(walk.starts),
                        0,
                        enc,
                        sep,
                        tuple(header),
                    )  # fmt: skip
                )
                last_line = line + int(walk.starts[-1])
            pos += walk.consumed_bytes
            line += walk.consumed_lines
            buf, want = buf[walk.consumed_bytes :], block_bytes
            if eof and not buf:
                break
    assert header is not None
    if blank_header:
        raise InputError("the file has no header line", path=p, expected="a header line and rows")
    return FilePlan(p, tuple(header), tuple(blocks), last_line)


def _plan_parquet(p: Path) -> FilePlan:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(p)
    except Exception as exc:
        raise InputError(
            f"cannot read the Parquet file: {exc}",
            path=p,
            hint="check that the file is complete (copy it again)",
        ) from exc
    names = [str(n) for n in pf.schema_arrow.names]
    check_header(p, names)
    blocks, row = [], 2
    for i in range(pf.metadata.num_row_groups):
        n = pf.metadata.row_group(i).num_rows
        if n:
            blocks.append(Block(str(p), "parquet", i, i + 1, row, n, 0))
        row += n
    return FilePlan(p, tuple(names), tuple(blocks), row - 1)


def plan_input(source: str | os.PathLike[str], block_bytes: int = BLOCK_BYTES) -> list[FilePlan]:
    """Check every file of the input and cut it into blocks (see :class:`Block`).

    A text file is read whole once, in pieces (bounded memory), for io.read_table's
    checks (encoding, binary content, header) and to find record boundaries; the
    blocks' rows are read later, by :func:`block_frames`. Row numbers run on through
    the files in name order: a later file's line ``L`` is numbered ``base + L`` where
    ``base`` is the number of the previous file's last row minus one (as if the files
    were one, each later file's header removed).

    Raises
    ------
    InputError
        Anything io.read_table refuses; files with different columns; a format that
        is not read in parts (Excel, Stata, UTF-16 text).
    """
    plans: list[FilePlan] = []
    base = 0
    for f in input_files(source):
        suffix = f.suffix.lower()
        if suffix == ".parquet":
            plan = _plan_parquet(f)
        elif suffix in {".csv", ".tsv", ".txt"}:
            plan = _plan_text(f, block_bytes)
        else:
            raise InputError(
                f"a {suffix or 'extension-less'} file is not read in parts",
                path=f,
                expected="CSV/TSV/TXT or Parquet files for the chunked and Dask engines",
                hint="export it as CSV UTF-8, " + _PANDAS_HINT,
            )
        if plans and plan.columns != plans[0].columns:
            raise InputError(
                "the input files have different columns",
                path=f,
                expected=f"the columns of {plans[0].path.name}: {', '.join(plans[0].columns)}",
                hint=f"found: {', '.join(plan.columns)}; clean them separately or align "
                "the headers",
            )
        blocks = tuple(replace(b, base=base) for b in plan.blocks)
        plans.append(replace(plan, blocks=blocks, last_line=plan.last_line + base))
        base = plans[-1].last_line - 1
    return plans


def _malformed(p: Path, data: bytes, b: Block) -> InputError:
    """io.read_table's error for lines with the wrong number of fields, naming the lines
    an editor shows (pyarrow's own numbers skip blank lines and count records). The
    rest of the file is walked (streamed) so that the count covers the whole file."""
    bad: list[tuple[int, int, str]] = []
    n_bad = 0
    with p.open("rb") as fh:
        fh.seek(b.start)
        text = io.TextIOWrapper(fh, encoding=b.encoding, newline="")
        reader = csv.reader(text, delimiter=b.sep)
        old_limit = csv.field_size_limit(_BLOCK_BYTES)
        try:
            last = 0
            for record in reader:
                start, last = last + 1, reader.line_num
                if record and len(record) != len(b.header):
                    n_bad += 1
                    if len(bad) < 5:
                        bad.append((b.first_line + start - 1, len(record), b.sep.join(record)))
        finally:
            csv.field_size_limit(old_limit)
    if not bad:  # pyarrow and the csv module disagree: never guess
        return InputError(
            f"cannot read lines {b.first_line}-{b.first_line + data.count(NL)} reliably "
            "(a quote the readers split differently)",
            path=p,
            row=b.first_line,
            expected="a CSV file with quotes closed on every line",
            hint="open the file in a spreadsheet and save it again as CSV UTF-8, " + _PANDAS_HINT,
        )
    line, actual, text = bad[0]
    listed = ", ".join(str(x[0]) for x in bad)
    more = f" and {n_bad - 5} more" if n_bad > 5 else ""
    return InputError(
        f"{n_bad} malformed line(s) (lines {listed}{more}); the first has "
        f"{actual} field(s) where the header has {len(b.header)}: {text[:80]!r}",
        path=p,
        row=line,
        expected=f"{len(b.header)} fields per line, separated by {b.sep!r}",
        hint='quote values that contain the separator ("1,234") or remove the stray '
        "separators; a cell with a line break must be quoted",
    )


def _text_block(b: Block) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    p = Path(b.path)
    with p.open("rb") as fh:
        fh.seek(b.start)
        data = fh.read(b.end - b.start)
    if b.encoding != "utf-8":
        data = data.decode(b.encoding).encode("utf-8")
    _refuse_long_lines(p, data, b.first_line - 1)
    bad: list[Any] = []

    def on_bad_line(row: Any) -> str:
        bad.append(row)
        return "skip"  # reported below with the lines an editor shows

    table = pcsv.read_csv(
        io.BytesIO(data),
        read_options=pcsv.ReadOptions(
            column_names=list(b.header), use_threads=False, block_size=_BLOCK_BYTES
        ),
        parse_options=pcsv.ParseOptions(
            delimiter=b.sep, newlines_in_values=True, invalid_row_handler=on_bad_line
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={h: pa.string() for h in b.header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if bad:
        raise _malformed(p, data, b)
    walk = _walk(data, b.sep, final=True, by_line=True)
    if len(walk.starts) != table.num_rows:  # a quoted cell spans lines: walk the records
        walk = _walk(data, b.sep, final=True)
    lines = walk.starts + b.first_line
    if table.num_rows != len(lines):  # the two readers disagree: never number by guesswork
        raise InputError(
            f"cannot number lines {b.first_line}-{b.first_line + data.count(NL)} reliably "
            f"({table.num_rows} records read, {len(lines)} counted)",
            path=p,
            row=b.first_line,
            expected="a CSV file with quotes closed on every line",
            hint="open the file in a spreadsheet and save it again as CSV UTF-8, " + _PANDAS_HINT,
        )
    _refuse_long_cells(p, table, lines)
    df = table.to_pandas(types_mapper={pa.string(): _string_dtype()}.get)
    df["source_row"] = lines + b.base
    return df


def block_frames(b: Block, batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """The rows of one block (strings as io.read_table reads them; Parquet keeps its
    types) with ``source_row``, in frames of at most ``batch_rows`` rows."""
    if b.kind == "parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(b.path)
        first = b.first_line + b.base
        for batch in pf.iter_batches(batch_size=batch_rows or b.records, row_groups=[b.start]):
            df = batch.to_pandas()
            df["source_row"] = np.arange(first, first + len(df), dtype=np.int64)
            first += len(df)
            yield df
        return
    df = _text_block(b)
    step = batch_rows or max(len(df), 1)
    for lo in range(0, len(df), step):
        yield df.iloc[lo : lo + step].reset_index(drop=True)


def block_frame(b: Block) -> pd.DataFrame:
    """All rows of one block as one frame (a Dask partition)."""
    return pd.concat(list(block_frames(b)), ignore_index=True)


def iter_batches(
    source: str | os.PathLike[str],
    batch_rows: int | None = BATCH_ROWS,
    *,
    block_bytes: int = BLOCK_BYTES,
) -> Iterator[pd.DataFrame]:
    """The input's rows in batches with a ``source_row`` column (the line an editor
    shows, counted on across the files of a folder: :func:`plan_input`).

    Every file is checked whole first (streamed), so a bad line at the end of the last
    file is refused before any batch is yielded.

    Raises
    ------
    InputError
        What io.read_table refuses (with the file and line), or files with different
        columns.
    """
    for plan in plan_input(source, block_bytes):
        for b in plan.blocks:
            yield from block_frames(b, batch_rows)


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
    block_bytes: int = BLOCK_BYTES,
    entity_hash: Callable[[pd.DataFrame], np.ndarray] | None = None,
) -> tuple[list[Path], dict[str, Any]]:
    """Write the input's rows into ``n_buckets`` Parquet files by entity hash."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    entity_hash = entity_hash or spec.entity_hash
    assert entity_hash is not None
    writers: dict[int, Any] = {}
    schema = None
    attrs: dict[str, Any] = {"source_path": str(source)}
    paths = [tmp / f"bucket-{k:05d}.parquet" for k in range(n_buckets)]
    try:
        for batch in iter_batches(source, batch_rows, block_bytes=block_bytes):
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
    block_bytes: int = BLOCK_BYTES,
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
        Number of buckets; default one per :data:`BUCKET_BYTES` of input, more when the
        memory available is short (a bucket's cleaning takes at most half of it).
    batch_rows
        Rows read at a time.
    block_bytes
        Bytes of a text file read at a time (whole records; see :func:`plan_input`).
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
    size = input_bytes(source)
    # Buckets of at most BUCKET_BYTES, and few enough bytes each that cleaning one
    # in memory takes at most half the memory available.
    n = n_buckets or max(
        1,
        math.ceil(size / BUCKET_BYTES),
        math.ceil(2 * PANDAS_PEAK_FACTOR * size / max(available_memory(), 1)),
    )
    tmp = Path(tempfile.mkdtemp(prefix="lsimpact-chunks-", dir=tmp_dir))
    try:
        hash_rows = entity_hash_of(
            spec, lambda: iter_batches(source, batch_rows, block_bytes=block_bytes)
        )
        paths, attrs = _partition(spec, source, tmp, n, batch_rows, block_bytes, hash_rows)
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
