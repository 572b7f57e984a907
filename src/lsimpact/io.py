"""Reading user tables and writing outputs atomically.

``read_table`` is the one door for files a user brings (CSV in UTF-8/BOM/GBK, Excel,
Parquet, Stata); ``atomic_path`` and the ``write_*`` helpers make every output appear
whole or not at all (write to a temporary file in the same folder, then rename).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import json
import mmap
import os
import re
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = [
    "HEADER_ALIASES",
    "MAX_CELL_BYTES",
    "MAX_XLSX_XML_BYTES",
    "atomic_path",
    "csv_bytes",
    "neutralise_formulas",
    "output_error",
    "unneutralise_formulas",
    "write_csv",
    "write_set",
    "detect_encoding",
    "normalise_headers",
    "check_header",
    "release_free_memory",
    "cells_at",
    "read_table",
    "write_bytes",
    "write_json",
    "write_parquet",
    "write_text",
]


def _umask() -> int:
    """The process umask (read by setting and restoring it: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_error(exc: OSError, path: str | os.PathLike[str]) -> InputError:
    """An OS error while writing ``path`` as an InputError that says what to do."""
    import errno

    why = {
        errno.ENOSPC: ("the disk is full", "free some space or write elsewhere (-o)"),
        errno.EDQUOT: ("the disk quota is exceeded", "free some space or write elsewhere"),
        errno.EACCES: ("permission denied", "choose a folder you can write to (-o)"),
        errno.EPERM: ("permission denied", "choose a folder you can write to (-o)"),
        errno.EROFS: ("the file system is read-only", "choose another folder (-o)"),
        errno.EISDIR: ("it is a folder", "give a file name, e.g. -o out/table.parquet"),
        errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    }.get(exc.errno or 0, (exc.strerror or str(exc), "check the path and try again"))
    return InputError(
        f"cannot write the output: {why[0]} (the previous output, if any, is unchanged)",
        path=path,
        hint=why[1],
    )


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left untouched, so a
    reader never sees a half-written output. The file gets the permissions a plain
    ``open()`` would give (0644 under umask 022): ``mkstemp`` makes it 0600, which would
    hide reports and tables from collaborators on a shared drive. An OS error (disk
    full, permission denied, the target is a folder) becomes an :class:`InputError`.
    """
    target = Path(path)
    if target.is_dir():
        raise output_error(IsADirectoryError(21, "Is a directory"), target)
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        raise output_error(exc, target) from exc
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()


def write_set(files: dict[Path, Callable[[Path], None]]) -> list[Path]:
    """Write several files as one unit: all of them, or none replaced.

    Each writer ``files[path](tmp)`` writes a temporary file beside its target; only when
    every one succeeded are they renamed onto their targets, in the order given (put the
    file that marks the set as current last). On any failure every temporary file is
    removed and the previous outputs stay as they were.
    """
    done: list[tuple[Path, Path]] = []
    try:
        for target, writer in files.items():
            if target.is_dir():
                raise IsADirectoryError(21, "Is a directory", str(target))
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
            )
            os.close(fd)
            done.append((Path(tmp_name), target))
            writer(Path(tmp_name))
            os.chmod(tmp_name, 0o666 & ~_umask())
        for tmp, target in done:
            os.replace(tmp, target)
    except OSError as exc:
        failed = (
            Path(exc.filename)
            if getattr(exc, "filename", None)
            else done[-1][1]
            if done
            else next(iter(files))
        )
        raise output_error(exc, failed) from exc
    finally:
        for tmp, _ in done:
            if tmp.exists():
                tmp.unlink()
    return list(files)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 ``text`` (with ``\\n`` line ends) to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def json_bytes(obj: Any) -> bytes:
    """``obj`` as sorted, indented UTF-8 JSON (stable bytes)."""
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    return text.encode("utf-8")


def write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as sorted, indented UTF-8 JSON atomically (stable bytes)."""
    return write_bytes(path, json_bytes(obj))


def parquet_writer(
    df: pd.DataFrame, metadata: dict[str, str] | None = None
) -> Callable[[Path], None]:
    """A function writing ``df`` as Parquet (with key/value file metadata) to a path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    if metadata:
        merged = dict(table.schema.metadata or {})
        merged.update({k.encode(): v.encode() for k, v in metadata.items()})
        table = table.replace_schema_metadata(merged)
    return lambda path: pq.write_table(table, path)


def write_parquet(
    df: pd.DataFrame, path: str | os.PathLike[str], metadata: dict[str, str] | None = None
) -> Path:
    """Write ``df`` to Parquet atomically, with optional key/value file metadata."""
    write = parquet_writer(df, metadata)
    with atomic_path(path) as tmp:
        write(tmp)
    return Path(path)


# --- CSV for humans ----------------------------------------------------------------------
# A cell a spreadsheet would run as a formula: it starts with = + - @ (or a tab/CR that
# Excel strips before looking). A leading "'" is escaped too, so the quoting can be undone
# exactly (unneutralise_formulas). Plain numbers ("-5", "+3.2", "-1e3") stay readable.
_FORMULA_RE = r"^[=+\-@\t\r']"
_SIGNED_NUMBER_RE = r"^[+-]?(?:\d[\d,]*)?(?:\.\d+)?(?:[eE][+-]?\d+)?%?$"


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Cells a spreadsheet would execute as formulas, prefixed with ``'`` (a copy).

    Every CSV written for people to open (quarantine files, report tables) goes through
    this: a raw cell such as ``=HYPERLINK("http://x", "click")``, ``+cmd|' /C calc'!A0``,
    ``-1+1`` or ``@SUM(A1)`` would otherwise run when the CSV is opened in Excel (CSV
    injection, OWASP). The usual neutralisation is a leading apostrophe, which Excel shows
    as text; cells that already start with ``'`` get one more, so
    :func:`unneutralise_formulas` restores every cell exactly. Numbers written with a
    sign ("-5", "+3.2") are left as they are. Only text (object/string) columns change.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
            continue
        text = s.astype("string")
        risky = text.str.contains(_FORMULA_RE, regex=True, na=False) & ~text.str.fullmatch(
            _SIGNED_NUMBER_RE, na=False
        )
        if risky.any():
            out[col] = s.where(~risky.to_numpy(), "'" + text.astype(object))
    return out


def unneutralise_formulas(s: pd.Series) -> pd.Series:
    """Undo :func:`neutralise_formulas` on a column read back from a CSV."""
    text = s.astype("string")
    quoted = text.str.startswith("'", na=False)
    return s.where(~quoted.to_numpy(), text.str.slice(1).astype(object))


def csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as UTF-8 CSV for people (``\\n`` line ends, formulas neutralised)."""
    return neutralise_formulas(df).to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` atomically as a CSV for people (see :func:`neutralise_formulas`)."""
    return write_bytes(path, csv_bytes(df))


def read_parquet_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """Return the key/value metadata stored in a Parquet file (without the pandas blob)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    return {k.decode(): v.decode() for k, v in meta.items() if k != b"pandas"}


#: Canonical column name -> header spellings that Chinese platforms, trackers and
#: statistical yearbooks export. Matching ignores case, full-width forms, spaces and a
#: bracketed unit ("粉丝数（万）"). Cleaners opt in with ``normalise_headers`` or
#: ``read_table(path, aliases=True)``.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "platform": ("平台", "平台名称", "来源平台", "渠道", "platform_name"),
    "account_id": ("账号", "账号id", "抖音号", "快手号", "视频号", "达人id", "主播id", "uid",
                   "user_id", "account id"),
    "account_name": ("昵称", "主播", "主播名称", "主播昵称", "达人", "达人名称", "达人昵称",
                     "账号名称", "nickname", "account", "name"),
    "followers": ("粉丝数", "粉丝量", "粉丝", "粉丝总数", "粉丝总量", "粉丝数量", "fans",
                  "follower_count", "followers_count"),
    "captured_at": ("采集时间", "时间", "日期", "抓取时间", "爬取时间", "更新时间", "统计日期",
                    "数据日期", "capture_time", "timestamp", "time"),
    "price": ("价格", "售价", "到手价", "直播价", "商品价格", "券后价", "成交价"),
    "list_price": ("原价", "划线价", "吊牌价"),
    "product": ("商品", "商品名称", "商品标题"),
    "category": ("类目", "品类", "商品类目"),
    "sales": ("销量", "销售量", "成交量"),
    "gmv": ("销售额", "成交额", "成交金额"),
    "views": ("观看人数", "观看次数", "播放量", "浏览量"),
    "occupation_title": ("职业", "职业名称"),
    "occupation_code": ("职业代码", "职业编码", "职业编号"),
    "jobs": ("岗位", "岗位数", "就业人数", "就业岗位", "带动就业"),
    "region": ("地区", "省份", "省", "区域"),
    "year": ("年份", "年度"),
    "source": ("来源", "数据来源"),
    "source_url": ("链接", "来源链接", "网址", "url"),
}  # fmt: skip

# Bracketed header units that scale the cells: "粉丝数（万）" holds "28.5" meaning 28.5万.
_HEADER_UNIT_SUFFIX = {
    "万": "万", "万人": "万", "万个": "万", "亿": "亿", "亿元": "亿元", "万元": "万元",
    "千": "千", "元": "元", "%": "%",
}  # fmt: skip
_HEADER_UNIT_RE = re.compile(r"^(?P<name>.*?)\s*[(\[（【]\s*(?P<unit>[^)\]）】]*)\s*[)\]）】]$")


def _header_key(name: object) -> str:
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    return re.sub(r"\s+", " ", text)


_ALIAS_LOOKUP: dict[str, str] = {
    _header_key(alias): canon
    for canon, aliases in HEADER_ALIASES.items()
    for alias in (canon, *aliases)
}


def normalise_headers(
    df: pd.DataFrame, aliases: dict[str, tuple[str, ...]] | None = None
) -> pd.DataFrame:
    """Rename known header spellings to canonical names (a new frame; ``df`` is untouched).

    Parameters
    ----------
    df
        A table as read (strings).
    aliases
        Canonical name -> spellings; :data:`HEADER_ALIASES` by default.

    Returns
    -------
    DataFrame
        Columns renamed; ``attrs['renamed']`` maps each original header to its new name.
        A bracketed unit that scales the cells ("粉丝数（万）") is appended to every
        non-empty cell ("28.5" -> "28.5万"), so the parsers see what the header meant;
        ``attrs['header_units']`` records it. Unknown headers are kept as they are.

    Raises
    ------
    InputError
        Two headers mean the same column (e.g. both 粉丝数 and 粉丝量).
    """
    lookup = (
        _ALIAS_LOOKUP
        if aliases is None
        else {_header_key(a): c for c, al in aliases.items() for a in (c, *al)}
    )
    renamed: dict[str, str] = {}
    units: dict[str, str] = {}
    for col in df.columns:
        key = _header_key(col)
        unit = None
        if key not in lookup and (m := _HEADER_UNIT_RE.match(key)):
            key, unit = m["name"], m["unit"]
        canon = lookup.get(key)
        if canon is None:
            continue
        renamed[col] = canon
        if unit is not None:
            units[canon] = unit
    targets = pd.Series(list(renamed.values()), index=list(renamed.keys()), dtype=object)
    kept = [c for c in df.columns if c not in renamed]
    clashes = targets[targets.duplicated(keep=False) | targets.isin(kept)]
    if len(clashes):
        canon = clashes.iloc[0]
        same = [str(c) for c in df.columns if c == canon or renamed.get(c) == canon]
        raise InputError(
            f"columns {', '.join(same)} all mean '{canon}'",
            path=df.attrs.get("source_path"),
            column=same[0],
            expected=f"one column for '{canon}'",
            hint="delete or rename the duplicate column(s)",
        )
    out = df.rename(columns=renamed)
    for canon, unit in units.items():
        suffix = _HEADER_UNIT_SUFFIX.get(unit.replace(" ", ""))
        if suffix:
            col = out[canon].astype("str")
            filled = col.str.strip().ne("") & col.notna()
            out[canon] = col.where(~filled, col.str.strip() + suffix)
    out.attrs = {**df.attrs, "renamed": {str(k): v for k, v in renamed.items()}}
    if units:
        out.attrs["header_units"] = units
    return out


# --- memory --------------------------------------------------------------------------------
def cells_at(s: pd.Series, positions: np.ndarray) -> np.ndarray:
    """The cells of ``s`` at ``positions`` as an object array (missing as None).

    Why not ``s.iloc[positions]``: on a multi-chunk Arrow text column (what a threaded CSV
    read gives) pandas' take concatenates every chunk first, about 20 ms per call on 3M
    rows however few cells are wanted; a cleaner that looks up its quarantined cells
    column by column pays that a dozen times. Taken here chunk by chunk instead.
    """
    import pyarrow as pa

    positions = np.asarray(positions, dtype=np.int64)
    arr = s.array
    if not isinstance(arr, pd.arrays.ArrowStringArray):
        out = s.iloc[positions].to_numpy(dtype=object)
        return np.where(pd.isna(out), None, out)
    chunked = pa.array(arr)  # the column's own chunks, no copy
    if isinstance(chunked, pa.Array):
        chunked = pa.chunked_array([chunked])
    order = np.argsort(positions, kind="stable")
    out = np.empty(len(positions), dtype=object)
    out[order] = _take_chunkwise(chunked, positions[order]).to_pylist()
    return out


def release_free_memory() -> None:
    """Hand memory that the last step freed back to the operating system: Arrow's pool,
    and on Linux with glibc the C heap (``malloc_trim``).

    Why: the arrays a cleaning step frees stay with the allocators (pyarrow's pool, the C
    heap that numpy uses) and keep counting as the process's memory, so the next step's
    arrays come on top of them. Called between the steps of a large cleaning; a no-op
    where the calls do not exist.
    """
    import pyarrow as pa

    pool = pa.default_memory_pool()
    if hasattr(pool, "release_unused"):  # older pyarrow: nothing to release
        pool.release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        import ctypes.util

        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # another C library (musl): nothing to trim
        return None


# --- reading -----------------------------------------------------------------------------
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_MAX_LISTED = 5  # bad lines named in one error message


#: Files at least this large are mapped rather than read into a bytes object.
_MAP_BYTES = 1 << 24


class _FileMap(mmap.mmap):
    """A read-only map of a large file, standing in for its bytes in the reader's checks.

    Why: reading 200 MB into a bytes object costs about 0.15 s of copying and fresh
    pages; the map shares the operating system's cache of the file, and the checks scan
    it as fast. They use a handful of bytes methods, given here: the common ones on the
    map, the rare ones (error messages, files starting with blank lines, other
    encodings) on a copy of the bytes. Unmapped when the last reference goes.
    """

    def startswith(self, prefix: bytes | tuple[bytes, ...]) -> bool:
        longest = max(map(len, prefix)) if isinstance(prefix, tuple) else len(prefix)
        return self[:longest].startswith(prefix)

    def endswith(self, suffix: bytes) -> bool:
        return len(self) >= len(suffix) and self[len(self) - len(suffix) :] == suffix

    def isascii(self) -> bool:
        step = 1 << 20  # a non-ASCII byte usually shows in the first piece
        return all(self[lo : lo + step].isascii() for lo in range(0, len(self), step))

    def lstrip(self, chars: bytes) -> Any:
        return self if len(self) == 0 or self[0] not in chars else self[:].lstrip(chars)

    def decode(self, *args: Any, **kwargs: Any) -> str:
        return self[:].decode(*args, **kwargs)

    def count(self, *args: Any) -> int:
        return self[:].count(*args)

    def split(self, *args: Any) -> list[bytes]:
        return self[:].split(*args)


def _file_bytes(p: Path) -> Any:
    """The file's bytes: a :class:`_FileMap` for a large file, else a bytes object."""
    size = p.stat().st_size
    if size < _MAP_BYTES:
        return p.read_bytes()
    with p.open("rb") as fh:
        return _FileMap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _line_of(raw: bytes, pos: int) -> int:
    return raw.count(b"\n", 0, pos) + 1


def detect_encoding(raw: bytes, path: Path | None = None) -> str:
    """The encoding of a text file's bytes: utf-16, utf-8-sig, utf-8 or gb18030.

    GBK is a subset of GB18030, so GBK exports decode as ``gb18030``. The decision rests
    on the whole file, line by line: a file whose lines are partly UTF-8 and partly GBK
    (a header typed in one program, rows appended by another) is refused, because
    decoding it either way garbles one part (抖音 -> 鎶栭煶) and splits one account in two.

    Raises
    ------
    InputError
        Binary content (a NUL byte anywhere), mixed encodings (naming a line of each),
        or bytes that are neither UTF-8 nor GB18030 (the message names the first bad
        line and, where charset-normalizer can tell, the likely encoding).
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" export
    # A NUL byte never occurs in UTF-8 or GBK text: anywhere in the file, not only in
    # its first block, it means binary content (or a truncated/overwritten export).
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputError(
            "this is not a text table (it holds binary data: a NUL byte)",
            path=path,
            row=_line_of(raw, nul),
            expected="a CSV file (UTF-8 or GBK), .xlsx, .parquet or .dta",
            hint="check that you picked the right file; export the table as CSV or .xlsx",
        )
    if raw.startswith(codecs.BOM_UTF8):
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _decode_error(raw, exc, "UTF-8", path) from None
        return "utf-8-sig"
    try:
        _check_utf8(raw)
        return "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Evidence from every line: a line with CJK text that is valid UTF-8 is UTF-8 (GBK
    # byte pairs practically never form valid 3-byte UTF-8 sequences); a line that is not
    # valid UTF-8 is GBK or something else. Both kinds in one file: refuse.
    first_utf8 = _first_utf8_cjk_line(raw)
    if first_utf8 is not None:
        bad_line = _line_of(raw, utf8_error.start)
        try:
            line_text = raw.split(b"\n")[bad_line - 1].decode("gb18030")
            gbk_line = not re.search("[\ue000-\uf8ff]", line_text)
        except (UnicodeDecodeError, IndexError):
            gbk_line = False
        if gbk_line:
            raise InputError(
                f"the file mixes two encodings: line {first_utf8} is UTF-8 but line "
                f"{bad_line} is GBK/GB18030; read either way, one part would be garbled",
                path=path,
                row=bad_line,
                expected="one encoding for the whole file (UTF-8 or GBK)",
                hint="open the file in an editor that shows the encoding, convert the "
                "GBK lines to UTF-8 (or re-export the whole table once) and save as CSV UTF-8",
            )
        raise _decode_error(raw, utf8_error, "UTF-8", path)
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _decode_error(raw, exc, "UTF-8 or GBK/GB18030", path) from None
    # Big5 (Taiwan, Hong Kong) bytes also decode as GB18030, into mojibake that lands in
    # the private-use area; real GBK text practically never does.
    if m := re.search("[\ue000-\uf8ff]", text):
        pos = len(text[: m.start()].encode("gb18030"))
        raise _big5_error(path, _line_of(raw, pos))
    return "gb18030"


# A CJK ideograph (U+3400-U+9FFF) in UTF-8: lead byte E3-E9 and two continuation bytes.
_UTF8_CJK = re.compile(rb"[\xe3-\xe9][\x80-\xbf][\x80-\xbf]")


def _first_utf8_cjk_line(raw: bytes) -> int | None:
    """Line number of the first line that is valid UTF-8 and holds a CJK ideograph."""
    pos = 0
    for m in _UTF8_CJK.finditer(raw):
        if m.start() < pos:
            continue
        start = raw.rfind(b"\n", 0, m.start()) + 1
        end = raw.find(b"\n", m.end())
        end = len(raw) if end < 0 else end
        line = raw[start:end]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            pos = end  # this line is not UTF-8: look at the next one
            continue
        if re.search("[\u3400-\u9fff]", text):
            return _line_of(raw, start)
        pos = end
    return None


def _check_utf8(raw: bytes, block: int = 1 << 24) -> None:
    """Raise ``UnicodeDecodeError`` (as ``raw.decode("utf-8")`` would) unless ``raw`` is UTF-8.

    Why pyarrow: its validator checks a 200 MB file in a tenth of a second, five times
    faster than decoding, and makes no string; only an invalid file is decoded (in blocks,
    so that a large CJK file never becomes one string two to four times its size) to
    position the error exactly as ``raw.decode`` would.
    """
    import pyarrow as pa

    if raw.isascii():
        return
    whole = pa.LargeStringArray.from_buffers(
        1, pa.py_buffer(np.array([0, len(raw)], dtype=np.int64).tobytes()), pa.py_buffer(raw)
    )
    try:
        whole.validate(full=True)
        return
    except pa.ArrowInvalid:
        pass
    dec = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for lo in range(0, len(raw), block):
            dec.decode(view[lo : lo + block], final=lo + block >= len(raw))
    except UnicodeDecodeError:
        raw.decode("utf-8")  # the same error, positioned in the whole file
        raise


def _first_line(raw: bytes, encoding: str) -> str | None:
    """The header line as ``text.lstrip("\\r\\n").splitlines()[0]`` would give it, decoding
    only the start of the file; None when the file holds nothing but whitespace."""
    size = 1 << 16
    while True:
        head = raw[:size].decode(encoding, errors="ignore") if size < len(raw) else None
        text = raw.decode(encoding) if head is None else head
        stripped = text.lstrip("\r\n")
        lines = stripped.splitlines()
        if head is None:
            return lines[0] if text.strip() else None
        if len(lines) > 1 and text.strip():
            return lines[0]
        size *= 4


def _big5_error(path: Path | None, row: int) -> InputError:
    """GB18030 text in the private-use area: another encoding read as GBK (Big5)."""
    return InputError(
        "the file decodes as GBK/GB18030 only into unassigned characters: it is "
        "probably in another encoding (e.g. Big5)",
        path=path,
        row=row,
        expected="text in UTF-8 (with or without BOM) or GBK/GB18030",
        hint="re-save the file as 'CSV UTF-8' (Excel: Save As > CSV UTF-8)",
    )


def _encoding_guess(head: bytes) -> str:
    """ " (it looks like big5)": charset-normalizer's guess from a file's first 200 kB,
    when it is neither UTF-8 nor GB18030; "" otherwise (the guess is only a hint)."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(head[:200_000]).best()
        if best is not None and best.encoding not in {"utf_8", "gb18030"}:
            return f" (it looks like {best.encoding})"
    except Exception:  # the guess is only a hint
        pass
    return ""


def _decode_error(raw: bytes, exc: UnicodeDecodeError, tried: str, path: Path | None) -> InputError:
    guess = _encoding_guess(raw)
    return InputError(
        f"cannot decode the file as {tried}: byte 0x{raw[exc.start]:02x} at byte "
        f"{exc.start} is invalid{guess}",
        path=path,
        row=_line_of(raw, exc.start),
        expected="text in UTF-8 (with or without BOM) or GBK/GB18030",
        hint="re-save the file as 'CSV UTF-8' (Excel: Save As > CSV UTF-8)",
    )


def _read_text_table(
    p: Path, raw: bytes | list[bytes], encoding: str, sep: str, categorical: bool = False
) -> pd.DataFrame:
    """CSV/TSV bytes to a frame of strings; every malformed line is an InputError.

    ``raw`` may come in a one-item list, which is emptied: then the bytes are freed as
    soon as they are parsed (the usual file needs them no longer), which keeps the peak
    memory of a large read near the table's size rather than the table plus the file.

    Quarantine rows must name the line a user sees in an editor, also after blank lines
    (skipped) and cells holding line breaks: see :func:`_with_lines`.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    handed_over = isinstance(raw, list)
    if isinstance(raw, list):
        raw = raw.pop()
    if encoding == "utf-8":
        # Plain UTF-8 goes to pyarrow as it is: only the header line is decoded here.
        data, first = raw, _first_line(raw, encoding)
    else:
        text = raw.decode(encoding)
        if encoding == "utf-16" and text.startswith("\ufeff"):
            text = text[1:]
        data = text.encode("utf-8")
        first = text.lstrip("\r\n").splitlines()[0] if text.strip() else None
        del text
    del raw
    if first is None:
        raise InputError("the file has no header line", path=p, expected="a header line and rows")
    # Blank lines before the header: pyarrow's skip_rows would skip one of them instead of
    # the header. They are cut off here and added back to the line numbers.
    body = data.lstrip(b"\r\n")
    lead = data[: len(data) - len(body)].count(b"\n")
    data = body
    del body
    _refuse_long_lines(p, data, lead)
    # pyarrow's parser tracks quotes across lines only when told that a cell may hold a
    # line break, which costs a third of its time: told so unless the file shows none.
    counts, quoted = _line_facts(data, sep)
    # A plain UTF-8 file is read by pyarrow from the file itself, once its bytes here are
    # freed: the read then never holds the file and the table at once. The bytes are read
    # again only to walk the lines when a file has blank lines, cells with line breaks or
    # malformed lines.
    from_file = handed_over and encoding == "utf-8" and lead == 0
    header = next(csv.reader(io.StringIO(first), delimiter=sep))
    header = [h if h.strip() else f"Unnamed: {i}" for i, h in enumerate(header)]
    # Columns that repeat in the file's first rows are read straight into dictionaries
    # (categoricals), so the full text of ids and names is never held.
    as_dictionary = _repetitive_in_head(data, header, sep) if categorical else set()
    held: dict[str, bytes] = {} if from_file else {"data": data}
    del data

    def text_bytes() -> bytes:
        return p.read_bytes() if from_file else held["data"]

    check_header(p, header)
    bad: list[tuple[int | None, int, int, str]] = []

    def on_bad_line(row: Any) -> str:
        bad.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"  # collected, then reported together below: never dropped silently

    def read(use_threads: bool) -> Any:
        return pcsv.read_csv(
            pa.OSFile(str(p)) if from_file else pa.BufferReader(pa.py_buffer(held["data"])),
            # Blocks larger than any line _refuse_long_lines lets through, so that no
            # record straddles two blocks.
            read_options=pcsv.ReadOptions(
                column_names=header,
                skip_rows=1,
                use_threads=use_threads,
                block_size=_BLOCK_BYTES,
            ),
            parse_options=pcsv.ParseOptions(
                delimiter=sep, newlines_in_values=quoted, invalid_row_handler=on_bad_line
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={
                    h: pa.dictionary(pa.int32(), pa.string()) if h in as_dictionary else pa.string()
                    for h in header
                },
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    # Threads for the usual, well-formed file; pyarrow numbers bad rows only when it reads
    # with one thread, so a file with bad rows is read again that way to name them.
    table = read(use_threads=True)
    if bad:
        bad.clear()
        table = read(use_threads=False)
    if bad:
        # pyarrow numbers records (header = 1, blank lines skipped): named here by the
        # file line each record starts on, as an editor shows it
        starts = _record_starts(text_bytes(), sep)
        bad = [
            (
                starts[b[0] - 1] + lead if b[0] is not None and 0 < b[0] <= len(starts) else b[0],
                *b[1:],
            )
            for b in bad
        ]
        bad.sort(key=lambda b: (b[0] is None, b[0] or 0))
        number, expected, actual, line = bad[0]
        listed = ", ".join(str(b[0]) if b[0] is not None else "?" for b in bad[:_MAX_LISTED])
        more = f" and {len(bad) - _MAX_LISTED} more" if len(bad) > _MAX_LISTED else ""
        raise InputError(
            f"{len(bad)} malformed line(s) (lines {listed}{more}); the first has "
            f"{actual} field(s) where the header has {expected}: {line[:80]!r}",
            path=p,
            row=number,
            expected=f"{expected} fields per line, separated by {sep!r}",
            hint='quote values that contain the separator ("1,234") or remove the stray '
            "separators; a cell with a line break must be quoted",
        )
    lines = _record_lines(text_bytes, len(table), sep, p, counts) + lead
    held.clear()
    release_free_memory()
    _refuse_long_cells(p, table, lines)
    if categorical:
        table = _repetitive_as_dictionary(table)
        if any(pa.types.is_dictionary(t) for t in table.schema.types):
            # read as dictionaries chunk by chunk: one set of categories for pandas
            table = table.unify_dictionaries()
    df = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    del table
    # The read's buffers are free now: handed back to the system rather than kept in
    # Arrow's pool, where they would count against the cleaning that follows.
    release_free_memory()
    return _with_lines(p, df, lines)


#: Columns a reader adds for provenance; a user's file may not use these names.
PROVENANCE_COLUMNS = ("source_row", "source_sheet")


def check_header(p: Path, header: list[str]) -> None:
    """Refuse a header that repeats a column name or uses a provenance column's name.

    Raises
    ------
    InputError
        Naming the file, line 1 and the column, and how to fix it.
    """
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(
            f"the header repeats column name(s) {', '.join(dupes)}",
            path=p,
            row=1,
            column=dupes[0],
            expected="each column name once",
            hint="rename or delete the repeated column(s)",
        )
    reserved = [c for c in PROVENANCE_COLUMNS if c in header]
    if reserved:
        raise InputError(
            f"the file has a column named '{reserved[0]}', a name lsimpact uses for the "
            "line each row comes from",
            path=p,
            row=1,
            column=reserved[0],
            expected=f"no column named {' or '.join(PROVENANCE_COLUMNS)}",
            hint=f"rename the column (e.g. to 'original_{reserved[0]}')",
        )


def _with_lines(p: Path, df: pd.DataFrame, lines: np.ndarray) -> pd.DataFrame:
    """Record each row's line (or spreadsheet row) where it is not simply position + 2.

    The usual file has one record per line after the header, so row ``i`` is line
    ``i + 2`` and :func:`lsimpact.contract.source_rows` derives it. Otherwise (blank lines,
    cells with line breaks, blank spreadsheet rows) a ``source_row`` column holds the
    line numbers, which ``source_rows`` prefers. The index stays 0..n-1 either way.
    """
    check_header(p, [str(c) for c in df.columns])
    df = df.reset_index(drop=True)
    if not np.array_equal(lines, np.arange(2, len(df) + 2)):
        df["source_row"] = np.asarray(lines, dtype="int64")
    return df


#: Largest cell accepted (bytes of UTF-8). Table cells are names, counts and dates; a
#: longer one is a pasted document or a broken quote that swallowed the rest of the file.
MAX_CELL_BYTES = 1_000_000
_BLOCK_BYTES = 1 << 25  # pyarrow block: every accepted line fits in one


def _refuse_long_lines(p: Path, data: bytes, lead: int = 0) -> None:
    """A physical line longer than the reader's block is refused with its line number.

    Why in windows: a line of at least ``_BLOCK_BYTES // 2`` bytes covers a whole aligned
    window of a quarter block, so only a window without a newline (a memchr each) can hold
    one; only then are the line lengths computed exactly.
    """
    half = _BLOCK_BYTES // 2
    if len(data) <= half:
        return
    step = half // 2
    if all(data.find(b"\n", lo, lo + step) >= 0 for lo in range(0, len(data) - step + 1, step)):
        return
    nl = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    ends = np.r_[nl, len(data)]
    lengths = np.diff(np.r_[-1, ends]) - 1
    longest = int(np.argmax(lengths)) + lead
    if lengths[longest - lead] > half:
        raise InputError(
            f"line {longest + 1} is {lengths[longest - lead] / 1e6:.1f} MB long: a cell this long "
            "is not table data (a pasted document, or a quote that is never closed)",
            path=p,
            row=longest + 1,
            expected=f"cells of at most {MAX_CELL_BYTES / 1e6:g} MB",
            hint="open the file at that line; close the stray quote or remove the long text",
        )


def _refuse_long_cells(p: Path, table: Any, lines: np.ndarray) -> None:
    """A cell longer than :data:`MAX_CELL_BYTES` is refused, naming its line and column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, col in zip(table.column_names, table.columns, strict=True):
        if not len(col):
            continue
        if pa.types.is_dictionary(col.type):
            # the distinct texts hold every cell's text: only a long one needs the rows
            longest = max(
                (pc.max(pc.binary_length(c.dictionary)).as_py() or 0 for c in col.chunks),
                default=0,
            )
            if longest <= MAX_CELL_BYTES:
                continue
            col = col.cast(pa.string())
        lengths = pc.binary_length(col).to_numpy(zero_copy_only=False)
        if lengths.max() > MAX_CELL_BYTES:
            i = int(np.argmax(lengths))
            raise InputError(
                f"a cell of {lengths[i] / 1e6:.1f} MB: a cell this long is not table data "
                "(a pasted document, or a quote that is never closed)",
                path=p,
                row=int(lines[i]),
                column=str(name),
                expected=f"cells of at most {MAX_CELL_BYTES / 1e6:g} MB",
                hint="open the file at that line; close the stray quote or remove the long text",
            )


def _record_starts(data: bytes, sep: str) -> list[int]:
    """The file line on which each record (the header first) starts, walking the text
    with the csv module, which counts physical lines inside quoted cells; blank lines are
    skipped as pyarrow skips them."""
    out = []
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=sep)
    # The csv module's cell limit is process-wide: raised for this walk, then restored.
    old_limit = csv.field_size_limit(_BLOCK_BYTES)
    try:
        last = 0
        for record in reader:
            start, last = last + 1, reader.line_num
            if record:  # [] is a blank line
                out.append(start)
    finally:
        csv.field_size_limit(old_limit)
    return out


def _line_facts(data: bytes, sep: str) -> tuple[tuple[int, bool], bool]:
    """:func:`_line_counts` of ``data`` and whether a quoted cell may hold a line break.

    The second answer is False only when provably so: every quote character belongs to
    a well-formed quoted cell (opened at the start of a cell, closed before a separator,
    a line end, the end of the file or a doubled quote), so that quotes simply alternate
    between opening and closing, and no LF or CR lies between an opening quote and its
    closing one. Anything else (a stray quote inside a cell: ``ab"c``) answers True,
    and the file gets the parse that tracks quotes across lines.

    Why one pass in pieces: each 1 MiB piece is compared for LF, CR and quotes while it
    is in the CPU cache; separate passes over the whole file cost twice as much.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    step = 1 << 20
    n_lf = 0
    crs, quotes = [], []
    for lo in range(0, len(buf), step):
        piece = buf[lo : lo + step]
        n_lf += int(np.count_nonzero(piece == 10))
        crs.append(np.flatnonzero(piece == 13) + lo)
        quotes.append(np.flatnonzero(piece == 34) + lo)
    cr = np.concatenate(crs) if crs else np.zeros(0, dtype=np.intp)
    physical = n_lf + (0 if data.endswith(b"\n") else 1)
    # a CR not followed by LF (the last byte included) is a line break of its own
    lone_cr = bool((buf[np.minimum(cr + 1, len(buf) - 1)] != 10).any()) if len(cr) else False
    counts = (physical, lone_cr)
    q = np.concatenate(quotes) if quotes else np.zeros(0, dtype=np.intp)
    if not len(q):
        return counts, False
    if len(q) % 2:
        return counts, True
    opens, closes = q[0::2], q[1::2]
    doubled = closes[:-1] + 1 == opens[1:]  # "" inside a quoted cell: close, reopen
    edge = np.zeros(256, dtype=bool)
    edge[[ord(sep), 10, 13]] = True
    open_ok = (opens == 0) | edge[buf[np.maximum(opens - 1, 0)]]
    open_ok[1:] |= doubled
    close_ok = (closes == len(buf) - 1) | edge[buf[np.minimum(closes + 1, len(buf) - 1)]]
    close_ok[:-1] |= doubled
    if not (open_ok.all() and close_ok.all()):
        return counts, True
    lengths = closes - opens - 1
    total = int(lengths.sum())
    if total == 0:
        return counts, False
    # every byte between an opening quote and its closing one
    inside = buf[np.arange(total) + np.repeat(opens + 1 - (np.cumsum(lengths) - lengths), lengths)]
    return counts, bool(((inside == 10) | (inside == 13)).any())


def _line_counts(data: bytes) -> tuple[int, bool]:
    """Physical lines of ``data`` and whether it holds a lone CR (a line break for the
    csv module), counted without copying the file."""
    physical = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    lone_cr = data.find(b"\r") >= 0 and data.count(b"\r") != data.count(b"\r\n")
    return physical, lone_cr


def _record_lines(
    data: bytes | Callable[[], bytes],
    n: int,
    sep: str,
    path: Path | None = None,
    counts: tuple[int, bool] | None = None,
) -> np.ndarray:
    """The file line on which each of the ``n`` data records starts.

    The common file has one record per line and no blank line: record ``i`` is on line
    ``i + 2``, found by counting newlines (``counts``: :func:`_line_counts`, if already
    known). Otherwise the text is walked (:func:`_record_starts`); ``data`` may be a
    function that reads the bytes only then.
    """
    if counts is None:
        counts = _line_counts(data() if callable(data) else data)
    physical, lone_cr = counts
    if physical == n + 1 and not lone_cr:
        return np.arange(2, n + 2, dtype="int64")
    text = data() if callable(data) else data
    lines = np.asarray(_record_starts(text, sep)[1:], dtype="int64")  # after the header
    if len(lines) != n:  # the two readers disagree: never number rows by guesswork
        raise InputError(
            f"cannot number the lines of the file reliably ({n} records read, "
            f"{len(lines)} counted)",
            path=path,
            expected="a CSV file with quotes closed on every line",
            hint="open the file in a spreadsheet and save it again as CSV UTF-8",
        )
    return lines


#: A column is held as a categorical when it has at most this share of distinct values
#: (ids, names, platform and group labels; never counts or times).
_CATEGORICAL_SHARE = 0.05
_CATEGORICAL_SAMPLE = 4096
_SPREAD_SAMPLE = 65_536


#: Bytes of a file's start sampled to choose the columns read as dictionaries.
_HEAD_SAMPLE_BYTES = 1 << 20


def _repetitive_in_head(data: bytes, header: list[str], sep: str) -> set[str]:
    """Columns with at most :data:`_CATEGORICAL_SHARE` distinct values in the file's first
    rows (at least 4,096 of them); empty when the start cannot be parsed on its own (a
    quoted cell across the cut): the columns are then looked at after the read."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if len(data) <= 2 * _HEAD_SAMPLE_BYTES:
        return set()
    head = data[: data.rfind(b"\n", 0, _HEAD_SAMPLE_BYTES) + 1]
    try:
        table = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(head)),
            read_options=pcsv.ReadOptions(column_names=header, skip_rows=1, use_threads=False),
            parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(column_types={h: pa.string() for h in header}),
        )
    except (pa.ArrowInvalid, ValueError):
        return set()
    n = table.num_rows
    if n < _CATEGORICAL_SAMPLE:
        return set()
    return {
        name
        for name, col in zip(table.column_names, table.columns, strict=True)
        if len(col.unique()) <= _CATEGORICAL_SHARE * n
    }


def _take_chunkwise(col: Any, at: np.ndarray) -> Any:
    """Rows ``at`` (sorted) of a chunked column, taken chunk by chunk: pyarrow's take on
    a chunked array concatenates its chunks first (a copy of the column)."""
    import pyarrow as pa

    sizes = np.array([len(c) for c in col.chunks], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    which = np.searchsorted(starts, at, side="right") - 1
    return pa.chunked_array(
        [col.chunk(k).take(pa.array(at[which == k] - starts[k])) for k in range(len(sizes))],
        type=col.type,
    )


def _repetitive_as_dictionary(table: Any) -> Any:
    """String columns whose cells repeat heavily, dictionary-encoded (pandas Categorical
    after ``to_pandas``): the same texts in a fraction of the memory.

    Why a sample first: a column that hardly repeats in 65,536 rows spread over the file
    (counts, times) is not worth hashing in full; the others are encoded, and kept so when
    the whole column has at most :data:`_CATEGORICAL_SHARE` distinct values. Values are
    unchanged either way.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    if n < 4 * _CATEGORICAL_SAMPLE:
        return table
    at = np.linspace(0, n - 1, _SPREAD_SAMPLE, dtype="int64")  # sorted: repeats are neighbours
    at = at[np.r_[True, at[1:] != at[:-1]]]
    for i, col in enumerate(table.columns):
        if not pa.types.is_string(col.type):
            continue
        # A column with at most 5% distinct values overall shows few in a sample of 65,536
        # rows spread over the file (10,000 account ids: about 10,000); counts and times
        # show mostly distinct ones, and are not worth hashing in full.
        if pc.count_distinct(_take_chunkwise(col, at), mode="all").as_py() > 0.5 * len(at):
            continue
        # chunk by chunk (one dictionary shared by all chunks): no copy of the column
        encoded = pc.dictionary_encode(col)
        if encoded.num_chunks and len(encoded.chunk(0).dictionary) <= _CATEGORICAL_SHARE * n:
            table = table.set_column(i, table.field(i).with_type(encoded.type), encoded)
        del col, encoded
    return table


def read_table(
    path: str | os.PathLike[str],
    *,
    dtype: Any = str,
    aliases: bool = False,
    categorical: bool = False,
) -> pd.DataFrame:
    """Read a user table as strings, whatever its format.

    Parameters
    ----------
    path
        CSV/TSV (UTF-8, UTF-8 with BOM, UTF-16 from Excel's "Unicode text", or
        GBK/GB18030: detected), ``.xlsx``, ``.parquet`` or ``.dta``.
    dtype
        Column type to read CSV/Excel cells as; strings by default so that cleaners see
        exactly what was written ("2807.5万", "0012").
    aliases
        Rename known Chinese/English header spellings to canonical names with
        :func:`normalise_headers` (off by default: cleaners that expect the raw
        headers keep them).
    categorical
        Text columns whose cells repeat heavily (ids, names, labels of a long log) come
        back as pandas Categorical of the same texts, in a fraction of the memory (CSV/TSV
        files of at least 16,384 rows; other formats and small files as text).

    Returns
    -------
    DataFrame
        One row per data line (empty cells are ""); ``attrs`` holds ``source_path``,
        ``format`` and ``encoding`` (the encoding used for text files, else None).

    Raises
    ------
    InputError
        Missing, empty, binary or undecodable file; a malformed line (with its line
        number); a damaged or truncated Excel file; an unknown format.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", path=p, hint="check the path and the file name")
    if p.stat().st_size == 0:
        raise InputError("the file is empty", path=p, expected="a header line and data rows")
    suffix = p.suffix.lower()
    encoding: str | None = None
    with p.open("rb") as fh:
        magic = fh.read(8)
    try:
        if suffix in _TEXT_SUFFIXES:
            if magic.startswith(b"PK\x03\x04"):
                raise InputError(
                    "this is an Excel (.xlsx) file with a text-file name",
                    path=p,
                    hint=f"rename it to {p.stem}.xlsx, or export it as CSV",
                )
            raw = _file_bytes(p)
            encoding = detect_encoding(raw, p)
            sniff = raw[:16_400].decode(encoding, errors="replace")[:4096].splitlines()
            first = sniff[0] if sniff else ""
            tabbed = "\t" in first and "," not in first
            sep = "\t" if suffix == ".tsv" or encoding == "utf-16" or tabbed else ","
            if dtype is str:
                # handed over in a box: the reader drops the file's bytes once it has
                # read them, instead of holding them beside the table
                box, raw = [raw], b""
                df = _read_text_table(p, box, encoding, sep, categorical)
            else:
                df = pd.read_csv(p, dtype=dtype, encoding=encoding, sep=sep, keep_default_na=False)
        elif suffix in _EXCEL_SUFFIXES:
            df = _read_excel(p, magic, dtype)
        elif suffix == ".xls":
            raise InputError(
                "the old Excel .xls format is not supported",
                path=p,
                hint="open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8",
            )
        elif suffix in (".parquet", ".dta"):
            df = pd.read_parquet(p) if suffix == ".parquet" else pd.read_stata(p)
            # a column named source_row would be taken for line numbers: refused as in CSV
            df = _with_lines(p, df, np.arange(2, len(df) + 2))
        else:
            raise InputError(
                f"unknown file format '{suffix}'",
                path=p,
                expected="one of .csv, .tsv, .txt, .xlsx, .parquet, .dta",
            )
    except InputError:
        raise
    except Exception as exc:  # a parser's own error, reworded with the file name
        raise InputError(
            f"cannot read the file: {exc}", path=p, hint="open it in a spreadsheet and re-save it"
        ) from exc
    df.attrs["source_path"] = str(p)
    df.attrs["format"] = suffix.lstrip(".")
    df.attrs["encoding"] = encoding
    if aliases:
        df = normalise_headers(df)
    return df


#: Largest total size of an .xlsx's XML once unzipped. A workbook of a million rows is
#: about 200 MB of XML; a few MB of zip that expands to gigabytes is a zip bomb (or a
#: sheet of formatting), which would take minutes and gigabytes of memory to read.
MAX_XLSX_XML_BYTES = 500_000_000


def _read_excel(p: Path, magic: bytes, dtype: Any) -> pd.DataFrame:
    """Every sheet of an .xlsx as strings, or a clear InputError.

    Sheets with the same header are stacked, with ``source_sheet`` (the sheet's name) and
    ``source_row`` (the spreadsheet row) columns; sheets with different headers are
    refused with the list of sheets (reading only the first would silently drop the
    others). Empty sheets are skipped. A single sheet is like a CSV file (see
    :func:`_with_lines`). Blank rows are skipped (as in CSV) but keep their numbers
    counted. Repeated header names are refused as in CSV.
    """
    damaged = InputError(
        "the Excel file is damaged or truncated (it is not a complete .xlsx archive)",
        path=p,
        hint="download or copy the file again, or open it in Excel and save it again",
    )
    if not magic.startswith(b"PK\x03\x04"):
        raise InputError(
            "this is not an Excel .xlsx file (its content is not an .xlsx archive)",
            path=p,
            hint="check that you picked the right file; a CSV file should end in .csv",
        )
    try:
        with zipfile.ZipFile(p) as zf:
            expanded = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise damaged from exc
    if expanded > MAX_XLSX_XML_BYTES:
        raise InputError(
            f"the Excel file expands to {expanded / 1e9:.1f} GB of XML when unzipped "
            f"(limit {MAX_XLSX_XML_BYTES / 1e9:g} GB): too large to read safely",
            path=p,
            expected="an .xlsx of at most a few million cells",
            hint="export the sheet as CSV UTF-8 (a large table reads faster that way), "
            "or delete unused formatted rows and columns",
        )
    try:
        sheets = pd.read_excel(p, sheet_name=None, header=None, dtype=dtype, keep_default_na=False)
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError) as exc:
        raise damaged from exc
    frames: list[tuple[str, list[str], pd.DataFrame]] = []
    for name, raw in sheets.items():
        table = _sheet_table(p, str(name), raw)
        if table is not None:
            frames.append((str(name), *table))
    if not frames:
        raise InputError("every sheet is empty", path=p, expected="a header row and data rows")
    headers = {tuple(h) for _, h, _ in frames}
    if len(headers) > 1:
        listed = "; ".join(f"'{n}': {', '.join(h)}" for n, h, _ in frames[:_MAX_LISTED])
        raise InputError(
            f"the workbook has {len(frames)} sheets with different headers ({listed})",
            path=p,
            expected="one sheet, or sheets with the same header (they are read together)",
            hint="save the sheet you want as its own .xlsx or CSV, or give every sheet the "
            "same columns",
        )
    if len(frames) == 1:
        return _with_lines(p, frames[0][2], frames[0][2].index.to_numpy())
    parts = []
    for name, _, df in frames:
        _with_lines(p, df, df.index.to_numpy())  # refuses reserved column names
        part = df.reset_index()
        part.insert(0, "source_sheet", name)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    # The sheet and row travel as columns (rows repeat across sheets, an index must not).
    return out[[*frames[0][1], "source_sheet", "source_row"]]


def _sheet_table(p: Path, sheet: str, raw: pd.DataFrame) -> tuple[list[str], pd.DataFrame] | None:
    """Header and rows of one sheet read with ``header=None`` (None when it is empty)."""
    cells = raw.astype("str").where(raw.notna(), "")
    blank = cells.apply(lambda c: c.str.strip().eq("")).all(axis=1).to_numpy()
    if blank.all() or cells.shape[1] == 0:
        return None
    rows = np.flatnonzero(~blank)
    head = rows[0]
    header = [h if h.strip() else f"Unnamed: {i}" for i, h in enumerate(cells.iloc[head])]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(
            f"the header of sheet '{sheet}' repeats column name(s) {', '.join(dupes)}",
            path=p,
            row=int(head) + 1,
            column=dupes[0],
            expected="each column name once",
            hint="rename or delete the repeated column(s)",
        )
    body = raw.iloc[rows[1:]].copy()
    body.columns = header
    # Trailing columns without a header and without data are Excel formatting, not data.
    body = body.astype(object).where(body.notna(), "")
    body.index = pd.Index(rows[1:] + 1, name="source_row", dtype="int64")  # 1-based
    return header, body
