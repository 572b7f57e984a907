"""lsimpact.io.read_table and the broken-input corpus (tests/data/broken/).

Each broken file gives a clear InputError (with the line where one applies) or, read
through a cleaner, quarantine rows whose counts add up to the input: nothing is lost and
no user mistake ends in a traceback.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lsimpact import cli, datasets
from lsimpact.errors import InputError
from lsimpact.io import HEADER_ALIASES, detect_encoding, normalise_headers, read_table
from lsimpact.parse import parse_count, parse_datetime

BROKEN = Path(__file__).parent / "data" / "broken"
CANON = ["account_id", "platform", "followers", "captured_at"]


# --- readable variants ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("followers_gbk.csv", "gb18030"),
        ("followers_utf8_bom.csv", "utf-8-sig"),
        ("followers_utf16.txt", "utf-16"),
        ("followers.xlsx", None),
    ],
)
def test_readable_encodings_and_aliases(name, encoding):
    df = read_table(BROKEN / name, aliases=True)
    assert df.attrs["encoding"] == encoding
    assert list(df.columns) == CANON
    assert df["account_id"].tolist() == ["lijiaqi", "dongyuhui", "xinba"]
    # The values survive the encoding round trip and parse to the known truth.
    assert parse_count(df["followers"])["value"].tolist() == [28_075_000, 120_000_000, 98_000_000]
    times = parse_datetime(df["captured_at"])["value"]
    assert times.iloc[0] == pd.Timestamp("2023-12-14 20:31", tz="Asia/Shanghai")
    assert df.attrs["renamed"]["粉丝数"] == "followers"


def test_default_keeps_raw_headers():
    df = read_table(BROKEN / "followers_gbk.csv")
    assert list(df.columns) == ["账号", "平台", "粉丝数", "采集时间"]
    assert "renamed" not in df.attrs


def test_header_unit_is_applied_to_cells():
    df = read_table(BROKEN / "header_unit.csv", aliases=True)
    assert list(df.columns) == ["account_name", "followers", "captured_at"]
    assert df["followers"].tolist() == ["28.5万", ""]  # the empty cell stays empty
    assert df.attrs["header_units"] == {"followers": "万"}
    assert parse_count(df["followers"])["error"].tolist() == [None, "missing"]


def test_header_only_gives_zero_rows():
    df = read_table(BROKEN / "header_only.csv")
    assert df.shape == (0, 2)


def test_empty_cells_are_empty_strings_and_quoted_newlines_kept(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text('a,b,c\n1,,3\n"x, y","line\nbreak",\n', encoding="utf-8")
    df = read_table(p)
    assert df.values.tolist() == [["1", "", "3"], ["x, y", "line\nbreak", ""]]
    assert str(df["a"].dtype) == "str"


def test_tab_separated_sniffed(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a\tb\n1\t2\n", encoding="utf-8")
    assert read_table(p).values.tolist() == [["1", "2"]]


# --- broken files: each a clear InputError ------------------------------------------------
BROKEN_CASES = [
    ("empty.csv", "the file is empty", None),
    ("blank_lines.csv", "no header line", None),
    ("binary_garbage.csv", "not a text table", 5),  # the line of the first NUL byte
    ("utf8_with_latin1_byte.csv", "cannot decode the file as UTF-8", 6),
    ("big5_is_not_gbk.csv", "cannot decode", 2),
    ("big5_text.csv", "probably in another encoding (e.g. Big5)", 1),
    ("too_many_fields.csv", "1 malformed line(s) (lines 5)", 5),
    ("too_few_fields.csv", "2 malformed line(s) (lines 5, 6)", 5),
    ("duplicate_header.csv", "repeats column name(s) followers", 1),
    ("truncated.xlsx", "damaged or truncated", None),
    ("text_named.xlsx", "not an Excel", None),
    ("xlsx_named.csv", "Excel (.xlsx) file with a text-file name", None),
]


@pytest.mark.parametrize(("name", "message", "row"), BROKEN_CASES)
def test_broken_file_gives_clear_error(name, message, row):
    with pytest.raises(InputError) as info:
        read_table(BROKEN / name)
    err = info.value
    assert message in err.message
    assert err.row == row
    assert err.path and err.path.endswith(name)
    assert err.hint or err.expected  # always says what to do or what was expected


def test_too_many_fields_names_the_line_text():
    with pytest.raises(InputError) as info:
        read_table(BROKEN / "too_many_fields.csv")
    assert "5 field(s) where the header has 4" in info.value.message
    assert "zhang,抖音,1,234" in info.value.message


def test_alias_clash():
    with pytest.raises(InputError, match="粉丝数, 粉丝量 all mean 'followers'"):
        read_table(BROKEN / "alias_clash.csv", aliases=True)


def test_missing_and_unknown_files(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    p = tmp_path / "t.json"
    p.write_text("{}")
    with pytest.raises(InputError, match="unknown file format"):
        read_table(p)
    x = tmp_path / "old.xls"
    x.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"\.xls format"):
        read_table(x)


def test_detect_encoding_direct():
    assert detect_encoding("粉丝".encode("gbk")) == "gb18030"
    assert detect_encoding("粉丝".encode()) == "utf-8"
    assert detect_encoding(b"plain ascii") == "utf-8"


def test_normalise_headers_matches_loosely():
    df = pd.DataFrame(columns=[" 粉丝数 ", "ＰＬＡＴＦＯＲＭ", "到手价", "职业代码", "unrelated"])
    out = normalise_headers(df)
    assert list(out.columns) == ["followers", "platform", "price", "occupation_code", "unrelated"]
    assert list(df.columns)[0] == " 粉丝数 "  # input untouched
    # Every alias maps to exactly one canonical name.
    seen: dict[str, str] = {}
    for canon, aliases in HEADER_ALIASES.items():
        for a in aliases:
            assert seen.setdefault(a.lower(), canon) == canon, a


# --- through the cleaners: quarantine, nothing lost ---------------------------------------
def test_occupation_video_bad_values_are_quarantined():
    cleaned = datasets.clean_file("occupation_video", BROKEN / "occupation_video_bad_values.csv")
    s = cleaned.summary
    assert (s.input_rows, s.used_rows, s.quarantined_rows, s.duplicate_rows) == (6, 1, 5, 0)
    q = cleaned.quarantine
    assert q["source_row"].tolist() == [3, 4, 5, 6, 7]
    assert q["raw_value"].tolist() == ["-5", "abc", "2019-02-30", "2091-01-01", "9-99-99"]
    assert q["column"].tolist() == [
        "creators",
        "creators",
        "first_seen",
        "first_seen",
        "occupation_code",
    ]


def test_occupation_video_chinese_header_is_accepted():
    cleaned = datasets.clean_file("occupation_video", BROKEN / "occupation_video_renamed.csv")
    assert cleaned.summary.input_rows == 6
    assert cleaned.summary.quarantined_rows == 5  # incl. the first_seen in 2091


def test_occupation_video_future_date_is_quarantined():
    cleaned = datasets.clean_file("occupation_video", BROKEN / "occupation_video_bad_values.csv")
    q = cleaned.quarantine
    assert q.loc[q["source_row"] == 6, "reason"].tolist() == ["date in the future"]


def test_published_figures_duplicates_and_bad_values():
    cleaned = datasets.clean_file("published_figures", BROKEN / "published_bad_values.csv")
    s = cleaned.summary
    assert (s.input_rows, s.used_rows, s.quarantined_rows, s.duplicate_rows) == (4, 1, 2, 1)
    assert cleaned.quarantine["raw_value"].tolist() == ["七百", "2023-13-45"]


def test_published_figures_missing_column_is_input_error():
    with pytest.raises(InputError, match="missing column"):
        datasets.clean_file("published_figures", BROKEN / "published_missing_column.csv")


@pytest.mark.parametrize(
    ("dataset", "name", "status", "says"),
    [
        ("published_figures", "published_bad_values.csv", 1, "NOT OK"),
        ("published_figures", "binary_garbage.csv", 2, "not a text table"),
        ("occupation_video", "truncated.xlsx", 2, "damaged or truncated"),
        ("occupation_video", "too_many_fields.csv", 2, "malformed line"),
    ],
)
def test_cli_validate_exit_codes_without_traceback(dataset, name, status, says, capsys):
    code = cli.main(["validate", dataset, str(BROKEN / name)])
    out = capsys.readouterr()
    assert code == status
    assert says in out.out + out.err
    assert "Traceback" not in out.out + out.err


# --- schemas.validate: a few readable lines ------------------------------------------------
def test_validate_failure_names_source_rows_and_reasons():
    import pandera.pandas as pa

    from lsimpact.errors import ValidationError
    from lsimpact.schemas import validate

    schema = pa.DataFrameSchema(
        {"k": pa.Column(str), "v": pa.Column(float, pa.Check.ge(0)), "source_row": pa.Column(int)},
        unique=["k"],
        report_duplicates="all",
    )
    df = pd.DataFrame(
        {"k": ["a", "a", "b"], "v": [1.0, -2.0, None], "source_row": [2, 3, 9]}, index=[7, 8, 9]
    )
    with pytest.raises(ValidationError) as info:
        validate(df, schema, dataset="demo")
    lines = info.value.message.splitlines()
    assert lines[0] == "table 'demo' failed validation:"
    assert "- k: duplicate key in 2 row(s); source rows 2, 3; values a" in lines
    assert "- v: greater_than_or_equal_to(0) in 1 row(s); source rows 3; values -2.0" in lines
    assert "- v: missing value in 1 row(s); source rows 9; values nan" in lines
    missing = pa.DataFrameSchema({"k": pa.Column(str), "z": pa.Column(int)}, strict=True)
    with pytest.raises(ValidationError, match=r"\(table\): column missing; values z"):
        validate(pd.DataFrame({"k": ["x"]}), missing, dataset="demo")


def test_malformed_lines_are_named_by_file_line_after_blank_lines_and_multiline_cells(tmp_path):
    """pyarrow counts records; the error names the lines an editor shows."""
    p = tmp_path / "bad.csv"
    p.write_text('a,b\n1,2\n\n3\n"x\ny",4\n5,6,7\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(p)
    assert "(lines 4, 7)" in str(exc.value)
    assert exc.value.row == 4


def test_parquet_with_a_source_row_column_is_refused(tmp_path):
    p = tmp_path / "log.parquet"
    pd.DataFrame({"account_id": ["a"], "source_row": [99]}).to_parquet(p)
    with pytest.raises(InputError, match="source_row"):
        read_table(p)


@settings(max_examples=60, deadline=None)
@given(
    chunks=st.lists(
        st.lists(st.one_of(st.none(), st.text(max_size=4)), min_size=1, max_size=6),
        min_size=1,
        max_size=5,
    ),
    data=st.data(),
)
def test_cells_at_takes_chunk_by_chunk_what_iloc_takes(chunks, data):
    # A multi-chunk Arrow column (a threaded CSV read) and the same cells as a Categorical
    # and as objects: cells_at gives iloc's cells in the order asked, missing as None.
    import numpy as np
    import pyarrow as pa

    from lsimpact.io import cells_at

    chunked = pa.chunked_array([pa.array(c, type=pa.string()) for c in chunks])
    flat = [v for c in chunks for v in c]
    n = len(flat)
    positions = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=10)), dtype=np.int64)
    expected = [flat[i] for i in positions]
    arrow = pd.Series(pd.arrays.ArrowStringArray(chunked))
    assert arrow.array._pa_array.num_chunks == len(chunks)
    for s in (arrow, pd.Series(flat, dtype=object), pd.Series(flat, dtype="category")):
        got = cells_at(s, positions)
        assert got.dtype == object
        assert got.tolist() == expected


def test_a_file_without_quotes_and_one_with_a_quoted_line_break_read_alike(tmp_path):
    # The parser is told about line breaks in cells only when the file has a quote: both
    # files give the same cells and the lines an editor shows.
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,x\n2,y\n3,z\n", encoding="utf-8")
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('a,b\n1,x\n2,"y\nstill y"\n3,z\n', encoding="utf-8")
    p, q = read_table(plain), read_table(quoted)
    assert p["b"].tolist() == ["x", "y", "z"]
    assert q["b"].tolist() == ["x", "y\nstill y", "z"]
    from lsimpact.contract import source_rows

    assert source_rows(p).tolist() == [2, 3, 4]
    assert source_rows(q).tolist() == [2, 3, 5]


_CSV_PIECES = st.sampled_from(
    ["a", "b1", "", ",", "\n", "\r\n", "\r", '"', '""', '"x,y"', '"x\ny"', '"q""r"', 'ab"c', "万"]
)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_CSV_PIECES, max_size=40))
def test_line_facts_counts_lines_and_never_misses_a_line_break_in_quotes(pieces):
    # The counts are _line_counts'; "no line break in a quoted cell" is said only when
    # pyarrow's parse that does not track quotes across lines (at blocks small enough to
    # cut every line) gives what the careful parse gives.
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from lsimpact.io import _line_counts, _line_facts

    data = ("h1,h2\n" + "".join(pieces)).encode("utf-8")
    counts, maybe = _line_facts(data, ",")
    assert counts == _line_counts(data)
    if maybe:
        return

    def parse(newlines: bool, block: int) -> object:
        try:
            return pcsv.read_csv(
                pa.BufferReader(data),
                read_options=pcsv.ReadOptions(block_size=block, use_threads=False),
                parse_options=pcsv.ParseOptions(
                    newlines_in_values=newlines, invalid_row_handler=lambda r: "skip"
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types={"h1": pa.string(), "h2": pa.string()}
                ),
            ).to_pylist()
        except pa.ArrowInvalid as exc:
            return str(exc).split(":")[0]

    careful = parse(True, 1 << 20)
    # blocks of at least twice the longest line, as the reader's (_refuse_long_lines)
    longest = max(len(line) for line in re.split(rb"\r\n|\n|\r", data))
    for block in (2 * longest + 2, 2 * longest + 7, 4 * longest + 16):
        assert parse(False, block) == careful
    assert not any(
        "\n" in (v or "") or "\r" in (v or "")
        for r in careful
        if isinstance(careful, list)
        for v in r.values()
    )


_READER_CASES = {
    "utf8.csv": "a,b\n1,抖音\n2,x\n".encode(),
    "bom.csv": codecs.BOM_UTF8 + "a,b\n1,抖音\n".encode(),
    "gbk.csv": "a,b\n1,抖音\n".encode("gb18030"),
    "utf16.csv": "a\tb\n1\t抖音\n".encode("utf-16"),
    "blank_lead.csv": b"\n\r\na,b\n1,2\n",
    "quoted_break.csv": b'a,b\n1,"x\ny"\n2,z\n',
    "no_newline_at_end.csv": b"a,b\n1,2",
    "lone_cr.csv": b"a,b\r1,2\r3,4\r",
    "nul.csv": b"a,b\n1,\x002\n",
    "mixed.csv": "a,b\n1,抖音\n".encode() + "2,快手\n".encode("gb18030"),
    "bad_utf8.csv": b"a,b\n1,\xff\xfe\x80\n",
    "ascii_only.csv": b"a,b\n" + b"1,2\n" * 50,
}


@pytest.mark.parametrize("name", sorted(_READER_CASES))
def test_a_mapped_file_reads_as_its_bytes_do(tmp_path, monkeypatch, name):
    # Large files are mapped instead of read into bytes: every encoding, odd layout and
    # defect gives the same table or the same error either way.
    import lsimpact.io as lio

    path = tmp_path / name
    path.write_bytes(_READER_CASES[name])

    def outcome():
        try:
            return read_table(path)
        except InputError as exc:
            return str(exc)

    plain = outcome()
    monkeypatch.setattr(lio, "_MAP_BYTES", 0)
    mapped = outcome()
    if isinstance(plain, str):
        assert mapped == plain
    else:
        pd.testing.assert_frame_equal(mapped, plain)
        assert mapped.attrs == plain.attrs
