"""Reading user tables and writing outputs atomically.

``read_table`` is the one door for files a user brings (CSV in UTF-8/BOM/GBK, Excel,
Parquet, Stata); ``atomic_path`` and the ``write_*`` helpers make every output appear
whole or not at all (write to a temporary file in the same folder, then rename).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = [
    "HEADER_ALIASES",
    "atomic_path",
    "detect_encoding",
    "normalise_headers",
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


# --- reading -----------------------------------------------------------------------------
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_MAX_LISTED = 5  # bad lines named in one error message


def _line_of(raw: bytes, pos: int) -> int:
    return raw.count(b"\n", 0, pos) + 1


def detect_encoding(raw: bytes, path: Path | None = None) -> str:
    """The encoding of a text file's bytes: utf-16, utf-8-sig, utf-8 or gb18030.

    GBK is a subset of GB18030, so GBK exports decode as ``gb18030``.

    Raises
    ------
    InputError
        Binary content, or bytes that are neither UTF-8 nor GB18030 (the message names
        the first bad line and, where charset-normalizer can tell, the likely encoding).
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" export
    if raw.startswith(codecs.BOM_UTF8):
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _decode_error(raw, exc, "UTF-8", path) from None
        return "utf-8-sig"
    if b"\x00" in raw[:65536]:
        raise InputError(
            "this is not a text table (it holds binary data)",
            path=path,
            expected="a CSV file (UTF-8 or GBK), .xlsx, .parquet or .dta",
            hint="check that you picked the right file; export the table as CSV or .xlsx",
        )
    try:
        _check_utf8(raw)
        return "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # A file that is UTF-8 up to a few broken bytes would decode as GB18030 mojibake:
    # when most non-ASCII text before the first bad byte is valid UTF-8, say so instead.
    head = raw[: utf8_error.start]
    if len(head.decode("utf-8")) < len(head) - 32:  # many multi-byte UTF-8 characters
        raise _decode_error(raw, utf8_error, "UTF-8", path)
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _decode_error(raw, exc, "UTF-8 or GBK/GB18030", path) from None
    # Big5 (Taiwan, Hong Kong) bytes also decode as GB18030, into mojibake that lands in
    # the private-use area; real GBK text practically never does.
    if m := re.search("[\ue000-\uf8ff]", text):
        pos = len(text[: m.start()].encode("gb18030"))
        raise InputError(
            "the file decodes as GBK/GB18030 only into unassigned characters: it is "
            "probably in another encoding (e.g. Big5)",
            path=path,
            row=_line_of(raw, pos),
            expected="text in UTF-8 (with or without BOM) or GBK/GB18030",
            hint="re-save the file as 'CSV UTF-8' (Excel: Save As > CSV UTF-8)",
        )
    return "gb18030"


def _check_utf8(raw: bytes, block: int = 1 << 24) -> None:
    """Raise ``UnicodeDecodeError`` (as ``raw.decode("utf-8")`` would) unless ``raw`` is UTF-8.

    Decodes in blocks: why: decoding a large CSV in one piece makes a string two to four
    times the file's size (CJK text) only to throw it away.
    """
    if len(raw) <= block:
        raw.decode("utf-8")
        return
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


def _decode_error(raw: bytes, exc: UnicodeDecodeError, tried: str, path: Path | None) -> InputError:
    guess = ""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:200_000]).best()
        if best is not None and best.encoding not in {"utf_8", "gb18030"}:
            guess = f" (it looks like {best.encoding})"
    except Exception:  # the guess is only a hint
        guess = ""
    return InputError(
        f"cannot decode the file as {tried}: byte 0x{raw[exc.start]:02x} at byte "
        f"{exc.start} is invalid{guess}",
        path=path,
        row=_line_of(raw, exc.start),
        expected="text in UTF-8 (with or without BOM) or GBK/GB18030",
        hint="re-save the file as 'CSV UTF-8' (Excel: Save As > CSV UTF-8)",
    )


def _read_text_table(p: Path, raw: bytes, encoding: str, sep: str) -> pd.DataFrame:
    """CSV/TSV bytes to a frame of strings; every malformed line is an InputError."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

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
    if first is None:
        raise InputError("the file has no header line", path=p, expected="a header line and rows")
    header = next(csv.reader(io.StringIO(first), delimiter=sep))
    header = [h if h.strip() else f"Unnamed: {i}" for i, h in enumerate(header)]
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
    bad: list[tuple[int | None, int, int, str]] = []

    def on_bad_line(row: Any) -> str:
        bad.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"  # collected, then reported together below: never dropped silently

    table = pcsv.read_csv(
        io.BytesIO(data),
        # One thread: only then does pyarrow number the bad rows (header = row 1).
        read_options=pcsv.ReadOptions(column_names=header, skip_rows=1, use_threads=False),
        parse_options=pcsv.ParseOptions(
            delimiter=sep, newlines_in_values=True, invalid_row_handler=on_bad_line
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={h: pa.string() for h in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if bad:
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
    df = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    return df


def read_table(
    path: str | os.PathLike[str], *, dtype: Any = str, aliases: bool = False
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
            raw = p.read_bytes()
            encoding = detect_encoding(raw, p)
            sniff = raw[:16_400].decode(encoding, errors="replace")[:4096].splitlines()
            first = sniff[0] if sniff else ""
            tabbed = "\t" in first and "," not in first
            sep = "\t" if suffix == ".tsv" or encoding == "utf-16" or tabbed else ","
            if dtype is str:
                df = _read_text_table(p, raw, encoding, sep)
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
        elif suffix == ".parquet":
            df = pd.read_parquet(p)
        elif suffix == ".dta":
            df = pd.read_stata(p)
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


def _read_excel(p: Path, magic: bytes, dtype: Any) -> pd.DataFrame:
    """First sheet of an .xlsx as strings; a damaged or truncated file is an InputError."""
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
        df = pd.read_excel(p, dtype=dtype, keep_default_na=False)
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, ValueError) as exc:
        raise damaged from exc
    if df.shape[1] == 0:
        raise InputError("the first sheet is empty", path=p, expected="a header row and data rows")
    return df
