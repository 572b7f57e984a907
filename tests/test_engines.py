"""Chunked (and Dask) engines give the in-memory cleaner's table, quarantine and counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsimpact import datasets, engines
from lsimpact.errors import InputError
from lsimpact.synth import followers_daily


def _messy_log() -> pd.DataFrame:
    raw, _ = followers_daily(
        seed=11,
        n_accounts=60,
        n_brand=4,
        n_host=4,
        n_days=30,
        start="2023-12-01",
        glitch_rate=0.02,
    )
    raw = raw.copy()
    raw.loc[::97, "followers"] = "n/a"
    raw.loc[5::89, "captured_at"] = "bad"
    raw.loc[7::101, "account_id"] = ""
    raw.loc[3::50, "platform"] = "ｄｏｕｙｉｎ "  # full width: the same platform once normalised
    raw.loc[9::70, "group"] = ""
    # one account spelled two ways (full width): it must stay one account in every engine
    raw.loc[raw["account_id"].eq("ctrl_010") & (raw.index % 3 == 0), "account_id"] = "ｃｔｒｌ_010"
    # an account with only unreadable rows: a bucket may have nothing usable
    bad = pd.DataFrame(
        {
            "platform": "douyin",
            "account_id": "zz_only_bad",
            "account_name": "x",
            "group": "control",
            "followers": ["oops", "0"],
            "captured_at": ["2023-12-02 10:00:00", "2023-12-03 10:00:00"],
        }
    )
    return pd.concat([raw, bad], ignore_index=True)


def _assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a.data, b.data, check_exact=True)
    pd.testing.assert_frame_equal(a.quarantine, b.quarantine, check_exact=True)
    assert a.summary.as_dict() == b.summary.as_dict()


@pytest.mark.parametrize("options", [{}, {"how": "median", "fill": "loglinear"}])
def test_chunked_equals_in_memory(tmp_path, options):
    path = tmp_path / "log.csv"
    _messy_log().to_csv(path, index=False)
    mem = datasets.clean_file("followers_daily", path, engine="pandas", **options)
    spec = datasets.get("followers_daily")
    for n in (1, 3, 16):
        chunked = engines.clean_chunked(
            spec,
            path,
            options=datasets.resolve_options(spec, options),
            n_buckets=n,
            batch_rows=700,
        )
        _assert_same(mem, chunked)
    via_file = datasets.clean_file("followers_daily", path, engine="chunked", **options)
    _assert_same(mem, via_file)
    assert mem.summary.duplicate_rows > 0 and len(mem.quarantine) > 0


def test_folder_input_numbers_rows_on_and_matches(tmp_path):
    log = _messy_log()
    one = tmp_path / "one.csv"
    log.to_csv(one, index=False)
    folder = tmp_path / "parts"
    folder.mkdir()
    cut = [0, 1500, 4000, len(log)]
    for i in range(3):
        part = log.iloc[cut[i] : cut[i + 1]]
        if i == 1:
            part.to_parquet(folder / f"p{i}.parquet", index=False)
        else:
            part.to_csv(folder / f"p{i}.csv", index=False)
    mem = datasets.clean_file("followers_daily", one, engine="pandas")
    auto = datasets.clean_file("followers_daily", folder)  # a folder: chunked
    assert engines.choose_engine(datasets.get("followers_daily"), folder, "auto") == "chunked"
    pd.testing.assert_frame_equal(
        mem.data.drop(columns="source"), auto.data.drop(columns="source"), check_exact=True
    )
    pd.testing.assert_frame_equal(mem.quarantine, auto.quarantine, check_exact=True)
    pandas_folder = datasets.clean_file("followers_daily", folder, engine="pandas")
    _assert_same(pandas_folder, auto)
    pattern = datasets.clean_file("followers_daily", str(folder / "p*"), engine="chunked")
    pd.testing.assert_frame_equal(auto.quarantine, pattern.quarantine)


def test_files_with_different_columns_are_refused(tmp_path):
    (tmp_path / "a.csv").write_text("account_id,followers,captured_at\na,1,2024-01-01\n")
    (tmp_path / "b.csv").write_text("account_id,fans,captured_at\na,1,2024-01-02\n")
    with pytest.raises(InputError, match="different columns"):
        datasets.clean_file("followers_daily", tmp_path, engine="chunked")


def test_unusable_input_is_refused_like_in_memory(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("account_id,followers,captured_at\na,x,2024-01-01\nb,0,2024-01-02\n")
    for engine in ("pandas", "chunked"):
        with pytest.raises(InputError, match="no snapshot row could be used"):
            datasets.clean_file("followers_daily", path, engine=engine)


def test_engine_choice():
    spec = datasets.get("followers_daily")
    assert engines.choose_engine(datasets.get("jobs"), None, "auto") == "pandas"
    with pytest.raises(InputError, match="engine"):
        engines.choose_engine(spec, None, "spark")
    with pytest.raises(InputError, match="cannot run"):
        engines.choose_engine(datasets.get("jobs"), None, "chunked")


def test_entity_hash_is_spelling_blind():
    from lsimpact.clean.followers import entity_hash

    raw = pd.DataFrame(
        {"账号": ["ａｂｃ", "abc ", "abd"], "粉丝数": ["1"] * 3, "采集时间": ["2024-01-01"] * 3}
    )
    h = entity_hash(raw)
    assert h[0] == h[1] != h[2] and h.dtype == np.uint64


def test_dask_engine_equals_pandas_on_a_local_cluster(tmp_path):
    pytest.importorskip("distributed")
    log = _messy_log()
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)
    mem = datasets.clean_file("followers_daily", path, engine="pandas")
    out = tmp_path / "daily"
    res = datasets.clean_file("followers_daily", path, out, engine="dask")
    got = (
        res.data.compute()
        .sort_values(["platform", "account_id", "date"], kind="stable")
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(mem.data, got, check_exact=True)
    pd.testing.assert_frame_equal(mem.quarantine, res.quarantine, check_exact=True)
    assert mem.summary.as_dict() == res.summary.as_dict()
    q = pd.read_csv(tmp_path / "daily.quarantine.csv")
    assert len(q) == len(mem.quarantine) and (tmp_path / "daily.summary.json").is_file()
    assert len(list(out.glob("part-*.parquet"))) >= 1


def test_dask_lineage_matches_the_pandas_engine(tmp_path):
    """Options, row accounting, input hashes and the quarantine's hash as the pandas
    engine records them; the table's hash over its parts, the same on a second run."""
    import json

    pytest.importorskip("distributed")
    from lsimpact.engines.on_dask import parts_sha256
    from lsimpact.io import read_parquet_metadata

    path = tmp_path / "log.csv"
    _messy_log().iloc[:3000].to_csv(path, index=False)
    mem = datasets.clean_file("followers_daily", path, tmp_path / "mem.parquet", engine="pandas")
    res = datasets.clean_file("followers_daily", path, tmp_path / "dk", engine="dask")
    assert res.options == mem.options  # no partition bookkeeping leaks out
    assert res.source["columns"] == mem.source["columns"]
    assert res.source["encoding"] == mem.source["encoding"] == "utf-8"
    pd_side = json.loads((tmp_path / "mem.summary.json").read_text())
    dk_bytes = (tmp_path / "dk.summary.json").read_bytes()
    dk_side = json.loads(dk_bytes)
    for key, value in pd_side.items():
        if key != "table_sha256":  # one Parquet file vs a folder of parts
            assert dk_side[key] == value, key
    assert (tmp_path / "dk.quarantine.csv").read_bytes() == (
        tmp_path / "mem.quarantine.csv"
    ).read_bytes()
    names = sorted(p.name for p in (tmp_path / "dk").glob("part-*.parquet"))
    assert dk_side["table_sha256"] == parts_sha256(tmp_path / "dk", names)
    assert dk_side["table_parts"] == len(names)
    meta = read_parquet_metadata(tmp_path / "mem.parquet")
    assert dk_side["inputs"] == json.loads(meta["lsimpact:inputs"])
    assert dk_side["options"] == json.loads(meta["lsimpact:options"])
    part_meta = read_parquet_metadata(tmp_path / "dk" / names[0])
    assert part_meta["lsimpact:inputs"] == meta["lsimpact:inputs"]
    datasets.clean_file("followers_daily", path, tmp_path / "dk", engine="dask")
    assert (tmp_path / "dk.summary.json").read_bytes() == dk_bytes  # byte-stable
    assert not list(tmp_path.glob(".dk.*"))  # no staging left behind


def test_dask_missing_says_how_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith(("dask", "distributed")):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    from lsimpact.engines.on_dask import require_dask

    with pytest.raises(InputError, match=r"lsimpact\[scale\]"):
        require_dask()


def test_load_a_folder_and_as_dask(tmp_path, monkeypatch):
    monkeypatch.setenv("LSIMPACT_PROCESSED_DIR", str(tmp_path / "processed"))
    log = _messy_log()
    folder = tmp_path / "logs"
    folder.mkdir()
    log.iloc[:3000].to_csv(folder / "a.csv", index=False)
    log.iloc[3000:].to_csv(folder / "b.csv", index=False)
    df = datasets.load("followers_daily", folder)
    one = tmp_path / "one.csv"
    log.to_csv(one, index=False)
    ref = datasets.clean_file("followers_daily", one, engine="pandas").data
    pd.testing.assert_frame_equal(
        df.drop(columns="source").reset_index(drop=True), ref.drop(columns="source")
    )
    pytest.importorskip("dask")
    lazy = datasets.load("followers_daily", folder, engine="dask")
    assert len(lazy) == len(df) and hasattr(lazy, "compute")


# --- row numbers and whole-file checks: every engine reads as io.read_table does ------------


def _irregular_text(log: pd.DataFrame, *, crlf: bool, seed: int) -> str:
    """``log`` as CSV text with blank lines, multi-line quoted cells and (optionally) CRLF
    line ends: the row numbers an editor shows differ from the data positions."""
    log = log.copy()
    rng = np.random.default_rng(seed)
    multi = rng.choice(len(log), size=max(1, len(log) // 40), replace=False)
    log.loc[log.index[multi], "account_name"] = "two\nlines, quoted"
    text = log.to_csv(index=False, lineterminator="\n")
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i and i % 37 == 0:
            out.append("")  # a blank line
    eol = "\r\n" if crlf else "\n"
    return ("\n" * 2 if seed % 2 else "") + eol.join(out)


def _engine_results(path, tmp_path, buckets=(1, 3, 16)):
    spec = datasets.get("followers_daily")
    mem = datasets.clean_file("followers_daily", path, engine="pandas")
    got = {}
    for n, block in zip(buckets, (1 << 20, 8192, 2500), strict=False):
        got[f"chunked{n}"] = engines.clean_chunked(
            spec,
            path,
            options=datasets.resolve_options(spec, {}),
            n_buckets=n,
            batch_rows=300,
            block_bytes=block,
        )
    return mem, got


def test_irregular_lines_are_numbered_as_read_table_does(tmp_path):
    from lsimpact.io import read_table

    log = _messy_log().iloc[:1200]
    path = tmp_path / "log.csv"
    path.write_bytes(_irregular_text(log, crlf=True, seed=1).encode("utf-8"))
    expected = read_table(path)["source_row"].to_numpy()
    for block in (1 << 20, 4096, 600):  # blocks of whole records, cut anywhere
        got = pd.concat(
            list(engines.iter_batches(path, batch_rows=300, block_bytes=block)), ignore_index=True
        )
        np.testing.assert_array_equal(got["source_row"].to_numpy(), expected)
        pd.testing.assert_frame_equal(
            got.drop(columns="source_row"), read_table(path).drop(columns="source_row")
        )
    mem, chunked = _engine_results(path, tmp_path)
    assert len(mem.quarantine) > 0
    # the quarantine names real lines: the first rows' lines are those an editor shows
    assert set(mem.quarantine["source_row"].dropna().astype(int)) <= set(expected)
    for res in chunked.values():
        _assert_same(mem, res)


def test_folder_of_irregular_files_numbers_rows_on(tmp_path):
    from lsimpact.io import read_table

    log = _messy_log().iloc[:1500]
    folder = tmp_path / "logs"
    folder.mkdir()
    a, b = folder / "a.csv", folder / "b.csv"
    a.write_bytes(_irregular_text(log.iloc[:700], crlf=False, seed=1).encode())
    b.write_bytes(_irregular_text(log.iloc[700:], crlf=True, seed=2).encode())
    la, lb = (read_table(f)["source_row"].to_numpy() for f in (a, b))
    # file b's line L follows file a's last row: number = last row of a + L - 1
    expected = np.r_[la, lb + la[-1] - 1]
    got = pd.concat(
        list(engines.iter_batches(folder, batch_rows=250, block_bytes=999)), ignore_index=True
    )
    np.testing.assert_array_equal(got["source_row"].to_numpy(), expected)
    whole = engines.read_input(folder)
    np.testing.assert_array_equal(whole["source_row"].to_numpy(), expected)
    mem, chunked = _engine_results(folder, tmp_path)
    for res in chunked.values():
        _assert_same(mem, res)


def _dask_equals(mem, res) -> None:
    got = (
        res.data.compute()
        .sort_values(["platform", "account_id", "date"], kind="stable")
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(mem.data, got, check_exact=True)
    pd.testing.assert_frame_equal(mem.quarantine, res.quarantine, check_exact=True)
    assert mem.summary.as_dict() == res.summary.as_dict()


def test_dask_numbers_irregular_lines_as_read_table(tmp_path):
    pytest.importorskip("distributed")
    from lsimpact.engines.on_dask import read_dask
    from lsimpact.io import read_table

    log = _messy_log().iloc[:2000]
    folder = tmp_path / "logs"
    folder.mkdir()
    a, b = folder / "a.csv", folder / "b.csv"
    a.write_bytes(_irregular_text(log.iloc[:900], crlf=True, seed=1).encode())
    b.write_bytes(_irregular_text(log.iloc[900:], crlf=False, seed=3).encode())
    la, lb = (read_table(f)["source_row"].to_numpy() for f in (a, b))
    lazy = read_dask(folder, block_bytes=5000)
    assert lazy.npartitions > 2
    np.testing.assert_array_equal(
        lazy.compute()["source_row"].to_numpy(), np.r_[la, lb + la[-1] - 1]
    )
    mem = datasets.clean_file("followers_daily", folder, engine="pandas")
    res = datasets.clean_file("followers_daily", folder, tmp_path / "out", engine="dask")
    _dask_equals(mem, res)
    assert len(mem.quarantine) > 0


_HEAD = "platform,account_id,account_name,group,followers,captured_at\n"


def _rows(n: int, name: str = "主播") -> str:
    return "".join(
        f"douyin,a{i % 7},{name}{i % 7},host,{1000 + i},2024-01-{1 + i % 28:02d} 10:00:00\n"
        for i in range(n)
    )


def _bad_files() -> dict[str, tuple[bytes, str, int | None]]:
    """name -> (file bytes, message read_table gives, line it names): the faults sit
    far past the first block, so only a whole-file check finds them."""
    body = _rows(300).encode()
    return {
        "mixed": (
            _HEAD.encode() + body + _rows(3).encode("gbk"),
            "mixes two encodings: line 2 is UTF-8 but line 302 is GBK",
            302,
        ),
        "nul": (_HEAD.encode() + body + b"douyin,a1,x\x00,host,1,2024-01-01\n", "NUL", 302),
        "long cell": (
            _HEAD.encode() + body + b'douyin,a1,"' + b"x" * 1_000_001 + b'",host,1,2024-01-01\n',
            "a cell of 1.0 MB",
            302,
        ),
        "malformed": (_HEAD.encode() + body + b"douyin,a1,x,host\n", "malformed line", 302),
        "duplicate header": (
            b"platform,account_id,account_id,group,followers,captured_at\n" + body,
            "repeats column name",
            1,
        ),
        "reserved": (
            _HEAD.replace("group", "source_row").encode() + body,
            "column named 'source_row'",
            1,
        ),
        "empty": (b"", "the file is empty", None),
        "blank": (b"\n\r\n\n", "no header line", None),
    }


@pytest.mark.parametrize("name", list(_bad_files()))
def test_every_engine_refuses_what_read_table_refuses(tmp_path, name):
    from lsimpact.engines.chunked import plan_input
    from lsimpact.io import read_table

    data, message, line = _bad_files()[name]
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "a.csv").write_text(_HEAD + _rows(50))  # a good first file
    bad = folder / "b.csv"
    bad.write_bytes(data)
    with pytest.raises(InputError) as mem:
        read_table(bad)
    with pytest.raises(InputError) as streamed:
        plan_input(folder, block_bytes=1000)
        for _ in engines.iter_batches(folder, block_bytes=1000):
            pass
    assert message in str(mem.value) and message in str(streamed.value)
    assert streamed.value.path == str(bad) and streamed.value.row == mem.value.row == line


def test_encodings_are_read_as_read_table_reads_them(tmp_path):
    from lsimpact.io import read_table

    text = _HEAD + "\n" + _rows(200, name="主播，甲")
    files = {
        "gbk.csv": text.encode("gbk"),
        "bom.csv": b"\xef\xbb\xbf" + text.encode(),
        "tabs.tsv": text.replace(",", "\t").encode(),
    }
    for fname, data in files.items():
        path = tmp_path / fname
        path.write_bytes(data)
        ref = read_table(path)
        got = pd.concat(list(engines.iter_batches(path, block_bytes=700)), ignore_index=True)
        pd.testing.assert_frame_equal(got, ref, check_exact=True)
        assert got["account_name"].iloc[0] == "主播，甲0"
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes(text.encode("utf-16"))
    with pytest.raises(InputError, match="engine pandas"):
        next(engines.iter_batches(utf16))


_CORPUS = sorted(
    p
    for p in (__import__("pathlib").Path(__file__).parent / "data" / "broken").iterdir()
    if p.suffix in {".csv", ".tsv", ".txt"}
)


@pytest.mark.parametrize("path", _CORPUS, ids=[p.name for p in _CORPUS])
def test_streaming_reader_agrees_with_read_table_on_the_corpus(path):
    """Every text file of the broken-files corpus: the same frame, or the same refusal
    (message and line); UTF-16 is refused with a pointer to the pandas engine."""
    from lsimpact.io import read_table

    try:
        ref = read_table(path)
    except InputError as exc:
        with pytest.raises(InputError) as streamed:
            list(engines.iter_batches(path, block_bytes=64))
        first = exc.message.split(":")[0].split("(")[0]
        assert first in streamed.value.message
        assert streamed.value.row == exc.row
        return
    if ref.attrs["encoding"] == "utf-16":
        with pytest.raises(InputError, match="engine pandas"):
            list(engines.iter_batches(path))
        return
    got = pd.concat(
        [ref.iloc[:0].assign(source_row=np.int64(0)), *engines.iter_batches(path, block_bytes=64)],
        ignore_index=True,
    )
    if "source_row" not in ref.columns:
        ref = ref.assign(source_row=np.arange(2, len(ref) + 2, dtype=np.int64))
    pd.testing.assert_frame_equal(got, ref, check_exact=True)


def test_auto_engine_weighs_the_memory_need(tmp_path, monkeypatch):
    from lsimpact.engines import chunked

    spec = datasets.get("followers_daily")
    path = tmp_path / "log.csv"
    path.write_text(_HEAD + _rows(100))
    size = path.stat().st_size
    need = chunked.PANDAS_PEAK_FACTOR * size
    monkeypatch.setattr(chunked, "available_memory", lambda: need + 1)
    engine, why = engines.explain_engine(spec, path, "auto")
    assert engine == "pandas" and "in memory it needs about" in why
    monkeypatch.setattr(chunked, "available_memory", lambda: need - 1)
    engine, why = engines.explain_engine(spec, path, "auto")
    assert engine == "chunked" and "more than the" in why
    assert engines.choose_engine(spec, path, "auto") == "chunked"
    assert engines.explain_engine(spec, path, "dask") == ("dask", "engine dask (as asked)")
    assert engines.available_memory() > 0


def test_cli_says_which_engine_and_why(tmp_path, capsys):
    from lsimpact.cli import main

    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "a.csv").write_text(_HEAD + _rows(40))
    (folder / "b.csv").write_text(_HEAD + _rows(40))
    assert main(["clean", "followers_daily", str(folder), "-o", str(tmp_path / "o.parquet")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("engine chunked: the input is 2 file(s)")


_cells = st.one_of(
    st.sampled_from(["", "a", "抖音", "1,234", 'say "hi"', "two\nlines", "crlf\r\nx", " "]),
    st.text(alphabet='ab,"\n\r 中', max_size=6),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_cells, min_size=2, max_size=2), min_size=0, max_size=12),
    blanks=st.lists(st.integers(0, 14), max_size=4),
    eol=st.sampled_from(["\n", "\r\n"]),
    lead=st.integers(0, 2),
    block=st.integers(1, 64),
    raw_tail=st.sampled_from(["", "x\n", '"open\n', 'a"b,c\n', "\r"]),
    strays=st.lists(
        st.tuples(
            st.integers(1, 14),
            st.sampled_from(['a"b,c', '"x"y,z', 'p,"q', '"a""b",c', 'u,v"', '"m\nn"",o']),
        ),
        max_size=2,
    ),
)
def test_streaming_reader_equals_read_table_property(
    tmp_path_factory, rows, blanks, eol, lead, block, raw_tail, strays
):
    """Any small CSV text (quoted line breaks, blank lines, CRLF, stray quotes inside and
    at the end, an unclosed quote), cut into blocks of any size: the streamed rows and
    line numbers equal read_table's, or both refuse the file naming the same line."""
    import csv
    import io as _io

    from lsimpact.io import read_table

    buf = _io.StringIO()
    csv.writer(buf, lineterminator=eol).writerows([["h1", "h2"], *rows])
    lines = buf.getvalue().split(eol)
    for at in sorted(blanks, reverse=True):
        lines.insert(min(at, len(lines)), "")
    for at, stray in strays:  # hand-typed lines with stray quotes
        lines.insert(min(at, len(lines)), stray)
    text = eol * lead + eol.join(lines) + raw_tail
    path = tmp_path_factory.mktemp("prop") / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    try:
        ref = read_table(path)
    except InputError as exc:
        with pytest.raises(InputError) as streamed:
            list(engines.iter_batches(path, block_bytes=block))
        if "reliably" not in exc.message:  # io's own numbering refusal has no line
            assert streamed.value.row == exc.row or "malformed" in exc.message
        return
    got = pd.concat(
        [
            ref.iloc[:0].assign(source_row=np.int64(0)),
            *engines.iter_batches(path, block_bytes=block),
        ],
        ignore_index=True,
    )
    if "source_row" not in ref.columns:
        ref = ref.assign(source_row=np.arange(2, len(ref) + 2, dtype=np.int64))
    pd.testing.assert_frame_equal(got, ref, check_exact=True)


def test_streaming_reader_never_reads_a_file_whole(tmp_path, monkeypatch):
    """Memory stays bounded: no read_table, no read_bytes, and no single read larger
    than a block (plus the longest record) while planning and reading."""
    from pathlib import Path

    from lsimpact.engines import chunked

    path = tmp_path / "log.csv"
    path.write_text(_HEAD + _rows(20000) + '"douyin",a1,"two\nlines",host,5,2024-01-02\n')
    size = path.stat().st_size
    reads: list[int] = []
    real_open = Path.open

    class Counted:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def read(self, n=-1):
            data = self.fh.read(n)
            reads.append(len(data))
            return data

        def __getattr__(self, name):
            return getattr(self.fh, name)

    def refuse(*args, **kwargs):
        raise AssertionError("the whole file was read")

    monkeypatch.setattr(chunked, "_SCAN_BYTES", 4096)
    monkeypatch.setattr(chunked, "read_table", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: Counted(real_open(self, *a, **k)))
    got = pd.concat(list(engines.iter_batches(path, block_bytes=4096)), ignore_index=True)
    monkeypatch.undo()
    assert len(got) == 20001 and got["source_row"].iloc[-1] == 20002
    assert sum(reads) > 2 * size and max(reads) <= 16_400 < size / 50


def test_header_only_file_in_a_folder_keeps_the_numbering_in_step(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "a.csv").write_text(_HEAD + _rows(3))
    (folder / "b.csv").write_text("\n\n" + _HEAD)  # no rows; header on line 3
    (folder / "d.csv").write_text(_HEAD + "\n" + _rows(2))
    # as if one file, each later header removed: a's lines 1-4, b's blank lines 5-6,
    # d's blank line 7, its rows 8-9
    expected = [2, 3, 4, 8, 9]
    streamed = pd.concat(list(engines.iter_batches(folder, block_bytes=64)), ignore_index=True)
    assert streamed["source_row"].tolist() == expected
    assert engines.read_input(folder)["source_row"].tolist() == expected
