"""Issue 13: a cell is read right or refused with a reason; outputs are whole or absent.

One test (at least) per numbered item of the issue, on the corpus under
tests/data/broken/ (made by tests/data/make_corpus.py) or on files built here when too
big to commit.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lsimpact
from lsimpact import catalog, cli, config, datasets
from lsimpact import io as lio
from lsimpact.clean import rules
from lsimpact.clean.followers import clean_snapshots
from lsimpact.clean.jobs import clean_jobs
from lsimpact.clean.occupations import clean_occupation_video
from lsimpact.clean.published import clean as clean_published
from lsimpact.errors import ChecksumError, InputError
from lsimpact.io import neutralise_formulas, read_table, unneutralise_formulas
from lsimpact.parse import parse_count, parse_datetime, parse_number

BROKEN = Path(__file__).parent / "data" / "broken"
SH = "Asia/Shanghai"


@pytest.fixture
def processed(tmp_path, monkeypatch):
    monkeypatch.setenv("LSIMPACT_PROCESSED_DIR", str(tmp_path / "processed"))
    return tmp_path / "processed"


# --- 1. encodings ------------------------------------------------------------------------
def test_mixed_gbk_and_utf8_is_refused_naming_both_lines():
    with pytest.raises(InputError) as info:
        read_table(BROKEN / "mixed_gbk_utf8.csv")
    err = info.value
    assert "mixes two encodings" in err.message
    assert "line 3 is UTF-8" in err.message and "line 2 is GBK" in err.message
    assert err.row == 2


def test_pure_gbk_and_pure_utf8_still_read():
    gbk = read_table(BROKEN / "followers_gbk.csv")
    assert gbk.attrs["encoding"] == "gb18030" and gbk["平台"].tolist()[0] == "抖音"


# --- 9. binary, long cells, line numbers -------------------------------------------------
def test_nul_byte_late_in_the_file_means_binary():
    with pytest.raises(InputError, match="binary data") as info:
        read_table(BROKEN / "nul_late.csv")
    assert info.value.row == 3002  # header + 3000 rows, then the line with the NUL


def test_a_10_mb_cell_names_its_line_and_column(tmp_path):
    p = tmp_path / "big.csv"
    p.write_bytes(b'a,b\n1,2\n3,4\n5,"' + b"x" * 10_000_000 + b'"\n7,8\n')
    with pytest.raises(InputError, match="a cell of 10.0 MB") as info:
        read_table(p)
    assert info.value.row == 4 and info.value.column == "b"


def test_a_line_longer_than_the_reader_block_names_its_line(tmp_path):
    p = tmp_path / "huge.csv"
    p.write_bytes(b"a,b\n1,2\n3," + b"y" * (lio._BLOCK_BYTES // 2 + 10) + b"\n")
    with pytest.raises(InputError, match="line 3 is") as info:
        read_table(p)
    assert info.value.row == 3


def test_row_numbers_are_file_lines_after_blank_lines_and_multiline_cells():
    raw = read_table(BROKEN / "blank_lines_multiline.csv")
    assert raw["source_row"].tolist() == [3, 7, 8]
    c = clean_snapshots(raw)
    assert c.quarantine["source_row"].tolist() == [7]  # "abc" is on line 7 of the file
    kept = c.data.dropna(subset=["followers"])
    assert kept["source_row"].tolist() == [3, 8]


def test_blank_lines_before_the_header_do_not_eat_the_header(tmp_path):
    p = tmp_path / "lead.csv"
    p.write_bytes(b"\n\r\na,b\n1,2\n3,4\n")
    df = read_table(p)
    assert list(df.columns[:2]) == ["a", "b"] and df["a"].tolist() == ["1", "3"]
    assert df["source_row"].tolist() == [4, 5]


def test_regular_files_get_no_extra_column_and_keep_a_range_index():
    df = read_table(BROKEN / "followers_gbk.csv")
    assert "source_row" not in df.columns and df.index.tolist() == [0, 1, 2]


def test_reserved_provenance_column_names_are_refused(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,source_row\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="column named 'source_row'"):
        read_table(p)


# --- 7. Excel ------------------------------------------------------------------------------
def test_every_sheet_with_the_same_header_is_read_with_its_name():
    df = read_table(BROKEN / "sheets_same_header.xlsx")
    assert df["账号"].tolist() == ["lijiaqi", "dongyuhui", "xinba"]
    assert df["source_sheet"].tolist() == ["Dec14", "Dec14", "Dec15"]
    assert df["source_row"].tolist() == [2, 3, 2]


def test_sheets_with_different_headers_are_refused_with_their_names():
    with pytest.raises(InputError) as info:
        read_table(BROKEN / "sheets_different_headers.xlsx")
    assert "2 sheets with different headers" in info.value.message
    assert "'data'" in info.value.message and "'notes'" in info.value.message


def test_duplicate_header_in_xlsx_is_refused_as_in_csv():
    with pytest.raises(InputError, match="repeats column name"):
        read_table(BROKEN / "duplicate_header.xlsx")


def test_xlsx_expanding_past_the_limit_is_refused_quickly(monkeypatch):
    monkeypatch.setattr(lio, "MAX_XLSX_XML_BYTES", 1_000)
    with pytest.raises(InputError, match="expands to"):
        read_table(BROKEN / "followers.xlsx")


def test_xlsx_bomb_is_refused_before_it_is_unzipped(tmp_path, monkeypatch):
    """A real (small) bomb: 60 MB of XML in a zip of well under 1 MB (limit lowered to
    50 MB here to keep the test fast; the real limit is 500 MB)."""
    monkeypatch.setattr(lio, "MAX_XLSX_XML_BYTES", 50_000_000)
    good = (BROKEN / "followers.xlsx").read_bytes()
    p = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename), compress_type=zipfile.ZIP_DEFLATED)
        with dst.open("xl/padding.xml", "w") as fh:
            chunk = b" " * (1 << 20)
            for _ in range(60):
                fh.write(chunk)
    assert p.stat().st_size < 1_000_000
    with pytest.raises(InputError, match=r"expands to 0\.1 GB of XML"):
        read_table(p)


def test_stacked_sheets_keep_sheet_and_row_through_the_cleaner(tmp_path):
    frame = read_table(BROKEN / "sheets_same_header.xlsx").iloc[:, :4]
    frame.loc[1, "粉丝数"] = "abc"
    p = tmp_path / "two.xlsx"
    with pd.ExcelWriter(p) as xw:
        frame.iloc[:2].to_excel(xw, sheet_name="A", index=False)
        frame.iloc[2:].to_excel(xw, sheet_name="B", index=False)
    c = datasets.clean_file("followers", p)
    kept = c.data.set_index("account_id")
    assert kept.loc["lijiaqi", ["source_sheet", "source_row"]].tolist() == ["A", 2]
    assert kept.loc["xinba", ["source_sheet", "source_row"]].tolist() == ["B", 2]
    q = c.quarantine
    assert q[["source_sheet", "source_row"]].values.tolist() == [["A", 3]]


# --- 2. scientific notation and huge numbers ------------------------------------------------
def test_exponent_sign_is_not_a_lower_bound_and_out_of_range_is_an_error():
    p = parse_count(pd.Series(["3.1160E+07", "1e400", "1e20", "10万+", "3.1160e7"]))
    assert p["value"].iloc[0] == 31_160_000 and not p["lower_bound"].iloc[0]
    assert p["error"].tolist() == [None, "out of range", "out of range", None, None]
    assert p["lower_bound"].tolist() == [False, False, False, True, False]
    assert parse_count(pd.Series([1e20]))["error"].tolist() == ["out of range"]
    assert parse_count(pd.Series(["999999999999999", "1e16", "9e15"]))["error"].tolist() == [
        None,
        "out of range",
        None,
    ]


def test_followers_with_scientific_notation():
    c = clean_snapshots(read_table(BROKEN / "sci_notation_counts.csv"))
    kept = c.data.dropna(subset=["followers"])
    assert kept["followers"].tolist() == [31_160_000, 31_170_000]
    assert not kept["lower_bound"].any()
    assert c.quarantine["source_row"].tolist() == [3, 4]
    assert c.quarantine["reason"].str.contains("out of range").all()


def test_occupation_count_1e20_is_quarantined_not_a_crash():
    obs = read_table(BROKEN / "occupation_video_huge_count.csv")
    c = clean_occupation_video(obs, catalog.load("occupational_classification_gbm"))
    c.summary.check()
    assert c.summary.quarantined_rows == 1 and c.quarantine["raw_value"].tolist() == ["1e20"]


# --- 6. digit grouping, published overflow ----------------------------------------------------
def test_parse_number_refuses_wrong_grouping_and_out_of_range():
    p = parse_number(pd.Series(["1,234", "1,2345", "1,2,3", "1e400", "-0.5", "3.1160E+07", "x"]))
    assert p["error"].tolist() == [
        None,
        "digit grouping is not 1,234,567",
        "digit grouping is not 1,234,567",
        "out of range",
        None,
        None,
        "not a number",
    ]
    assert p["value"].iloc[[0, 4, 5]].tolist() == [1234.0, -0.5, 31_160_000.0]


def test_published_grouping_and_base_unit_overflow_are_quarantined():
    c = clean_published(read_table(BROKEN / "published_grouping.csv"))
    c.summary.check()
    reasons = dict(zip(c.quarantine["raw_value"], c.quarantine["reason"], strict=True))
    assert "digit grouping" in reasons["1,2345"] and "digit grouping" in reasons["1,2,3"]
    assert reasons["1e308"] == "value out of range once converted to base units"
    assert sorted(c.data["value"].tolist()) == [1234e6, 31_160_000e6]


# --- 3. compact timestamps ---------------------------------------------------------------------
def test_compact_timestamps_are_read_as_written():
    s = pd.Series(["20231214", "2023121420", "202312142031", "20231214203105", "1702557060"])
    p = parse_datetime(s)
    assert p["value"].tolist() == [
        pd.Timestamp("2023-12-14", tz=SH),
        pd.Timestamp("2023-12-14 20:00", tz=SH),
        pd.Timestamp("2023-12-14 20:31", tz=SH),
        pd.Timestamp("2023-12-14 20:31:05", tz=SH),
        pd.Timestamp("2023-12-14 20:31", tz=SH),
    ]
    assert p["resolution"].tolist() == ["day", "hour", "minute", "second", "second"]
    # The same digits as numbers read the same way.
    n = parse_datetime(pd.Series([20231214, 2023121420]))
    assert n["value"].tolist() == p["value"].iloc[:2].tolist()


def test_a_bare_number_is_epoch_only_in_the_plausible_range():
    p = parse_datetime(pd.Series(["2034021002", "9999999999", "0946684799", "1893455999"]))
    assert p["error"].iloc[:3].str.startswith("not a date").all()
    assert p["value"].iloc[3] == pd.Timestamp("2029-12-31 23:59:59", tz="UTC")


def test_followers_with_compact_timestamps():
    c = clean_snapshots(read_table(BROKEN / "compact_timestamps.csv"))
    assert c.summary.quarantined_rows == 0
    assert c.data["date"].dt.strftime("%m-%d").tolist() == [
        "12-14",
        "12-15",
        "12-16",
        "12-17",
        "12-18",
    ]


# --- 4. impossible dates -----------------------------------------------------------------------
def test_future_capture_times_are_quarantined_with_an_explicit_today():
    c = clean_snapshots(read_table(BROKEN / "impossible_dates.csv"), today="2024-01-01")
    assert len(c.data) == 3  # not a grid to 2203
    assert c.quarantine["reason"].str.contains(r"after today \(2024-01-01\)").sum() == 2
    assert c.options["today"] == "2024-01-01"


def test_year_typos_are_quarantined_without_a_clock():
    c = clean_snapshots(read_table(BROKEN / "impossible_dates.csv"))
    assert len(c.data) == 3
    assert c.quarantine["source_row"].tolist() == [5, 6]
    assert c.quarantine["reason"].str.contains("a year typo").all()


def test_today_is_a_clock_option_of_followers_daily():
    spec = datasets.get("followers_daily")
    assert "today" in spec.clock_options
    assert datasets.resolve_options(spec)["today"]  # filled at the edge


def test_isolated_times_finds_year_typos_and_leaves_sparse_series():
    code = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3])
    day = np.array(
        [0, 1, 2, 30_000, 60_000, 0, 500, 1000, 1500, -3650, 0, 1, 2, 0, 1, 2, 900, 901, 902]
    )
    # account 0: 2099 and 2203 after a 2023 series; 1: yearly snapshots (sparse, not
    # typos); 2: a year typo before the series; 3: two spells with a long gap between
    expected = [False] * 3 + [True, True] + [False] * 4 + [True] + [False] * 9
    assert rules.isolated_times(code, day).tolist() == expected


@pytest.mark.parametrize("seed", range(5))
def test_isolated_times_equals_the_rule_account_by_account(seed):
    # The rule written out per account (pieces split at gaps; a piece smaller than half
    # the largest, which has at least three, is isolated), on logs where some accounts
    # have gaps and most have none (only those are looked at).
    rng = np.random.default_rng(seed)
    code = np.sort(rng.integers(0, 30, 400))
    day = np.concatenate([np.sort(rng.integers(0, 40, k)) for k in np.bincount(code)])
    typo = rng.random(len(day)) < 0.02
    day[typo] += rng.choice([-3650, 3650, 65_000], typo.sum())
    order = np.lexsort((day, code))
    code, day = code[order], day[order]
    expected = np.zeros(len(code), dtype=bool)
    for acc in np.unique(code):
        rows = np.flatnonzero(code == acc)
        piece = np.cumsum(np.r_[True, np.diff(day[rows]) > 366])
        size = np.bincount(piece)
        largest = size.max()
        expected[rows] = (largest >= 3) & (2 * size[piece] < largest)
    assert rules.isolated_times(code, day).tolist() == expected.tolist()
    assert expected.any()


# --- 5. total rows and blank keys ----------------------------------------------------------------
def test_total_rows_are_not_accounts():
    c = clean_snapshots(read_table(BROKEN / "total_rows.csv"))
    assert sorted(c.data["account_id"].unique()) == ["dyh", "jgpy"]
    assert c.quarantine["raw_value"].tolist() == ["合计"]


def test_jobs_total_rows_and_blank_keys_are_quarantined_not_defaulted():
    c = clean_jobs(read_table(BROKEN / "jobs_total_rows.csv"))
    c.summary.check()
    q = c.quarantine.set_index("source_row")
    assert "total row" in q.loc[4, "reason"]
    assert q.loc[3, "column"] == "region" and "blank" in q.loc[3, "reason"]
    assert q.loc[5, "column"] == "job_type" and "blank" in q.loc[5, "reason"]
    assert c.data["platform"].tolist() == ["Kuaishou"] and c.data["region"].tolist() == ["China"]


# --- 8. identity ------------------------------------------------------------------------------
def test_one_account_stays_one_account():
    c = clean_snapshots(read_table(BROKEN / "identity.csv"))
    assert c.data[["platform", "account_id"]].drop_duplicates().values.tolist() == [
        ["douyin", "jgpy"]
    ]
    assert c.data["followers"].tolist() == [20_000_000, 20_010_000, 20_020_000]
    assert c.quarantine["column"].tolist() == ["platform"]  # the blank platform (line 5)
    assert c.quarantine["source_row"].tolist() == [5]
    notes = " | ".join(c.summary.notes)
    assert "1 with invisible characters removed" in notes and "1 lower-cased" in notes
    assert "Douyin -> douyin" in notes and "抖音 -> douyin" in notes


def test_occupation_platform_spellings_are_one_platform():
    obs = read_table(BROKEN / "occupation_video_bad_values.csv").iloc[:1]
    both = pd.concat([obs, obs.assign(platform="快手", creators="5")], ignore_index=True)
    c = clean_occupation_video(both, catalog.load("occupational_classification_gbm"))
    assert c.data["platform"].unique().tolist() == ["Kuaishou"]
    assert int(c.data["creators"].sum()) == 776  # 771 + 5: one platform, one row
    assert any("快手 -> Kuaishou" in n for n in c.summary.notes)


def test_platform_vocabulary():
    canon, known = rules.canonical_platform(["抖音", " DOUYIN ", "Douyin\u200b", "快手", "x", ""])
    assert canon.tolist() == ["douyin", "douyin", "douyin", "kuaishou", "x", ""]
    assert known.tolist() == [True, True, True, True, False, False]


# --- 17. CSV formula injection ---------------------------------------------------------------------
def test_formulas_are_neutralised_and_the_quoting_undone_exactly():
    cells = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)", "\tx",
             "'quoted", "-5", "+3.2", "-1e3", "plain", None]  # fmt: skip
    df = pd.DataFrame({"raw_value": cells, "n": range(len(cells))})
    out = neutralise_formulas(df)
    assert out["raw_value"].tolist()[:6] == ["'" + c for c in cells[:6]]
    assert out["raw_value"].tolist()[6:10] == ["-5", "+3.2", "-1e3", "plain"]
    assert out["n"].tolist() == list(range(len(cells)))
    back = unneutralise_formulas(out["raw_value"])
    assert back.iloc[:10].tolist() == cells[:10] and pd.isna(back.iloc[10])


def test_quarantine_csv_is_safe_to_open_and_load_quarantine_gives_the_raw_cells(
    processed, tmp_path
):
    src = tmp_path / "f.csv"
    shutil.copy(BROKEN / "formula_cells.csv", src)
    lsimpact.load("followers_daily", source=src)
    qfile = next(processed.glob("cache/*.quarantine.csv"))
    as_opened = pd.read_csv(qfile, dtype=str, keep_default_na=False)
    assert as_opened["raw_value"].tolist() == [
        '\'=HYPERLINK("http://x","y")',
        "'+cmd|' /C calc'!A0",
        "'-1+1",
        "'@SUM(A1)",
    ]
    q = datasets.load_quarantine("followers_daily", source=src)
    assert q["raw_value"].tolist()[:4] == [
        '=HYPERLINK("http://x","y")',
        "+cmd|' /C calc'!A0",
        "-1+1",
        "@SUM(A1)",
    ]


# --- 10-15. outputs --------------------------------------------------------------------------------
def test_outputs_are_one_unit_and_a_failed_write_keeps_the_previous_set(processed, monkeypatch):
    res = datasets.build("published_figures")
    before = {p.name: p.read_bytes() for p in processed.iterdir() if p.is_file()}

    def disk_full(tmp):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(datasets, "json_bytes", lambda obj: disk_full(None))
        with pytest.raises(InputError, match="the disk is full"):
            datasets.build("published_figures", force=True)
    after = {p.name: p.read_bytes() for p in processed.iterdir() if p.is_file()}
    assert after == before, "previous outputs intact"
    assert not [p for p in processed.iterdir() if p.name.endswith(".tmp")]
    assert not datasets.build("published_figures").rebuilt
    assert res.quarantine_path.is_file()


def test_a_partly_replaced_set_is_not_current(processed):
    datasets.build("published_figures")
    q = processed / "published_figures.quarantine.csv"
    q.write_text(q.read_text() + "999,x,y,z\n")  # as if only the quarantine was replaced
    assert datasets.build("published_figures").rebuilt


def test_summary_sidecar_records_the_hashes(processed):
    datasets.build("published_figures")
    side = json.loads((processed / "published_figures.summary.json").read_text())
    table = processed / "published_figures.parquet"
    assert side["table_sha256"] == catalog.file_sha256(table)
    assert side["quarantine_sha256"] == catalog.file_sha256(
        processed / "published_figures.quarantine.csv"
    )
    assert side["fingerprint"]


def test_edited_or_truncated_table_is_rebuilt(processed):
    built = datasets.build("published_figures")
    table = processed / "published_figures.parquet"
    data = table.read_bytes()
    table.write_bytes(data[: len(data) // 2])
    df = lsimpact.load("published_figures")  # no ArrowInvalid traceback: rebuilt
    assert len(df) == built.summary.output_rows > 0
    with pytest.raises(InputError, match="damaged"):
        table.write_bytes(b"PAR1 not really")
        lsimpact.load("published_figures", build_if_needed=False)


def test_hand_edited_raw_file_is_refused_not_served_stale(processed, tmp_path, monkeypatch):
    root = tmp_path / "root"
    shutil.copytree(config.raw_dir(), root / "data" / "raw")
    monkeypatch.setenv("LSIMPACT_ROOT", str(root))
    datasets.build("published_figures")
    raw = root / "data" / "raw" / "published_figures.csv"
    raw.write_bytes(raw.read_bytes().replace(b"731", b"732", 1))
    with pytest.raises(ChecksumError):
        datasets.build("published_figures")
    with pytest.raises(ChecksumError):
        lsimpact.load("published_figures")


def test_outputs_honour_the_umask(processed):
    old = os.umask(0o022)
    try:
        res = datasets.build("published_figures", force=True)
    finally:
        os.umask(old)
    for p in (res.path, res.quarantine_path, processed / "published_figures.summary.json"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p


def test_cli_refuses_writing_into_data_raw_and_onto_a_folder(tmp_path, capsys):
    raw_target = config.raw_dir() / "x.parquet"
    src = str(BROKEN / "identity.csv")
    assert cli.main(["clean", "followers", src, "-o", str(raw_target)]) == 2
    assert "refusing to write into data/raw" in capsys.readouterr().err
    assert not raw_target.exists()
    folder = tmp_path / "out"
    folder.mkdir()
    assert cli.main(["clean", "followers", src, "-o", str(folder)]) == 2
    assert "it is a folder" in capsys.readouterr().err
    assert list(folder.iterdir()) == []


def test_unwritable_output_is_a_clear_error_without_tmp_files(tmp_path, monkeypatch, capsys):
    out = tmp_path / "t.parquet"
    src = str(BROKEN / "identity.csv")
    assert cli.main(["clean", "followers", src, "-o", str(out)]) == 0
    before = out.read_bytes()
    real_replace = os.replace

    def denied(a, b):
        if str(b).endswith(".parquet"):
            raise PermissionError(errno.EACCES, "Permission denied", str(b))
        return real_replace(a, b)

    monkeypatch.setattr(os, "replace", denied)
    assert cli.main(["clean", "followers", src, "-o", str(out)]) == 2
    assert "permission denied" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*.tmp"))
    assert out.read_bytes() == before


# --- property tests of the strict number readers -------------------------------------------------
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(n=st.integers(0, 2**53))
def test_counts_round_trip_in_every_exact_form(n):
    """Plain, grouped and full-width digits give n exactly, never a lower bound."""
    forms = [
        str(n),
        f"{n:,}",
        str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ]
    p = parse_count(pd.Series(forms))
    digits_ok = len(str(n)) <= 15
    if digits_ok:
        assert p["value"].tolist() == [n] * 3 and not p["lower_bound"].any()
    else:
        assert p["error"].isin(["too many digits"]).all()


@given(m=st.integers(10_000, 99_999), e=st.integers(4, 15))
def test_scientific_counts_are_exact_and_not_lower_bounds(m, e):
    text = f"{m // 10000}.{m % 10000:04d}E+{e:02d}"
    p = parse_count(pd.Series([text, text.lower(), text.replace("+", "")]))
    assert p["value"].tolist() == [m * 10 ** (e - 4)] * 3
    assert not p["lower_bound"].any()


@given(n=st.integers(-(10**12), 10**12), bad=st.integers(1, 2))
def test_parse_number_grouping(n, bad):
    good = f"{n:,}"
    assert parse_number(pd.Series([good]))["value"].iloc[0] == n
    digits = str(abs(n))
    if len(digits) > 3:  # regroup wrongly: a group of 4 or of 1 digits
        cut = len(digits) - 3 - bad
        wrong = ("-" if n < 0 else "") + digits[:cut] + "," + digits[cut:]
        assert parse_number(pd.Series([wrong]))["error"].iloc[0] == (
            "digit grouping is not 1,234,567"
        )
