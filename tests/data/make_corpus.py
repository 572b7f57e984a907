"""Write the broken-input corpus under tests/data/broken/ (run once; files are committed).

    .venv/bin/python tests/data/make_corpus.py

Every file is small and deterministic except the two Excel files, whose zip metadata
carries timestamps; the tests read them, they do not compare their bytes.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pandas as pd

OUT = Path(__file__).parent / "broken"

FOLLOWERS = (
    "账号,平台,粉丝数,采集时间\n"
    "lijiaqi,抖音,2807.5万,2023-12-14 20:31\n"
    "dongyuhui,抖音,1.2亿,2023/12/14\n"
    "xinba,快手,９８００万,2023年12月14日 20时31分\n"
)

OBS_HEADER = (
    "occupation_code,occupation_title,platform,period,creators,videos,live_sessions,first_seen\n"
)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    w = lambda name, data: (OUT / name).write_bytes(data)  # noqa: E731

    # Encodings: readable ones (GBK, BOM, UTF-16 "Unicode text") and broken ones.
    w("followers_gbk.csv", FOLLOWERS.encode("gbk"))
    w("followers_utf8_bom.csv", FOLLOWERS.encode("utf-8-sig"))
    w("followers_utf16.txt", FOLLOWERS.replace(",", "\t").encode("utf-16"))
    broken = (
        FOLLOWERS.encode("utf-8")
        + "zhang,抖音,3.5w,2023-12-15\n".encode()
        + b"caf\xe9,x,1,2023-12-16\n"
    )
    w("utf8_with_latin1_byte.csv", broken)
    w("big5_text.csv", "名稱,數量\n張三,100\n".encode("big5"))
    w("big5_is_not_gbk.csv", "名稱,數量\n".encode("big5") + b"\xff\xfe\xff\n")

    # Shapes: malformed lines, header problems, empty files, binary garbage.
    w("too_many_fields.csv", (FOLLOWERS + "zhang,抖音,1,234,2023-12-15\n").encode())
    w("too_few_fields.csv", (FOLLOWERS + "zhang,抖音\nwang,快手,3\n").encode())
    w("duplicate_header.csv", b"account,followers,followers\na,1,2\n")
    w("alias_clash.csv", "账号,粉丝数,粉丝量\na,1,2\n".encode())
    w("header_unit.csv", "主播,粉丝数（万）,日期\na,28.5,2023-12-14\nb,,2023-12-15\n".encode())
    w("empty.csv", b"")
    w("blank_lines.csv", b"\n\n   \n")
    w("header_only.csv", b"account,followers\n")
    rng = random.Random(3)
    w("binary_garbage.csv", bytes(rng.randrange(256) for _ in range(2048)))

    # Excel: a good file, the same truncated, text named .xlsx, an .xlsx named .csv.
    buf = io.BytesIO()
    pd.read_csv(io.StringIO(FOLLOWERS), dtype=str).to_excel(buf, index=False)
    good = buf.getvalue()
    w("followers.xlsx", good)
    w("truncated.xlsx", good[: len(good) // 2])
    w("text_named.xlsx", FOLLOWERS.encode())
    w("xlsx_named.csv", good)

    # Values a cleaner must quarantine (occupation_video raw format).
    obs = (
        OBS_HEADER
        + ",国家权力机关负责人,Kuaishou,2023,771,7039,262,2018-12-01\n"  # good
        + ",国家权力机关负责人,Douyin,2023,-5,10,1,2019-01-01\n"  # negative count
        + ",国家权力机关负责人,Bilibili,2023,abc,10,1,2019-01-01\n"  # unparseable count
        + ",国家权力机关负责人,Weibo,2023,12,10,1,2019-02-30\n"  # impossible date
        + ",国家权力机关负责人,WeChat,2023,12,10,1,2091-01-01\n"  # date in the future
        + "9-99-99,no such title,Kuaishou,2023,5,1,1,2020-01-01\n"  # unmatched code
    )
    w("occupation_video_bad_values.csv", obs.encode())
    w("occupation_video_renamed.csv", obs.replace("occupation_code,", "职业代码,", 1).encode())

    # published_figures raw format: an exact duplicate row and an unparseable value.
    head = '"series_id","entity","period","period_type","value","unit","definition","source_org","source_title","source_url","quote"\n'
    row = '"s1","China","2023-12-31","date","{v}","million_persons","d","org","t","https://example.org/{i}","q"\n'
    pub = head + row.format(v="731", i=1) + row.format(v="731", i=1) + row.format(v="七百", i=2)
    pub += row.format(v="12", i=3).replace("2023-12-31", "2023-13-45")
    w("published_bad_values.csv", pub.encode())
    w("published_missing_column.csv", pub.replace('"unit",', '"unit_x",', 1).encode())

    issue_13(w)


SNAP_HEAD = "account_id,platform,account_name,followers,captured_at\n"


def issue_13(w) -> None:
    """Issue 13: inputs that used to be silently changed, clipped or guessed.

    Not in the corpus (too big to commit; the tests build them): a 10 MB cell and an
    .xlsx whose XML expands past the size limit.
    """
    # 1. Mixed encodings: a GBK line then a UTF-8 line (the issue's repro).
    w(
        "mixed_gbk_utf8.csv",
        SNAP_HEAD.encode()
        + "jgpy,抖音,交个朋友,20000000,2023-12-14 20:31\n".encode("gbk")
        + "jgpy,抖音,交个朋友,20010000,2023-12-15 20:31\n".encode(),
    )
    # 9. A NUL byte far beyond the first 64 KB.
    body = "".join(f"a{i:05d},douyin,n,{1000 + i},2023-12-14 20:31\n" for i in range(3000))
    w("nul_late.csv", (SNAP_HEAD + body).encode() + b"a,douyin,n\x00,1,2023-12-15\n")
    # 9. Blank lines and a quoted multi-line cell: quarantine rows must name file lines.
    w(
        "blank_lines_multiline.csv",
        (
            SNAP_HEAD
            + "\n"
            + 'jgpy,douyin,"交个\n朋友",20000000,2023-12-14 20:31\n'
            + "\n\n"
            + "jgpy,douyin,交个朋友,abc,2023-12-15 20:31\n"  # line 7: bad count
            + "jgpy,douyin,交个朋友,20020000,2023-12-16 20:31\n"
        ).encode(),
    )
    # 2. Scientific notation and huge numbers.
    w(
        "sci_notation_counts.csv",
        (
            SNAP_HEAD
            + "jgpy,douyin,交个朋友,3.1160E+07,2023-12-14 20:31\n"  # exact, not a lower bound
            + "jgpy,douyin,交个朋友,1e400,2023-12-15 20:31\n"  # out of range
            + "jgpy,douyin,交个朋友,1e20,2023-12-16 20:31\n"  # out of range
            + "jgpy,douyin,交个朋友,3.1170E+07,2023-12-17 20:31\n"
        ).encode(),
    )
    # 3. Compact timestamps (2023121420 is not epoch 2034-02-10).
    w(
        "compact_timestamps.csv",
        (
            SNAP_HEAD
            + "jgpy,douyin,交个朋友,20000000,20231214\n"
            + "jgpy,douyin,交个朋友,20010000,2023121520\n"
            + "jgpy,douyin,交个朋友,20020000,202312162031\n"
            + "jgpy,douyin,交个朋友,20030000,20231217203105\n"
            + "jgpy,douyin,交个朋友,20040000,1702902660\n"  # epoch 2023-12-18 20:31 +08
        ).encode(),
    )
    # 4. Impossible dates: far future and a year typo.
    w(
        "impossible_dates.csv",
        (
            SNAP_HEAD
            + "jgpy,douyin,交个朋友,20000000,2023-12-14 20:31\n"
            + "jgpy,douyin,交个朋友,20010000,2023-12-15 20:31\n"
            + "jgpy,douyin,交个朋友,20020000,2023-12-16 20:31\n"
            + "jgpy,douyin,交个朋友,20030000,2099-12-17 20:31\n"
            + "jgpy,douyin,交个朋友,20040000,2203-12-17 20:31\n"
        ).encode(),
    )
    # 5. Total rows, and a blank key.
    w(
        "total_rows.csv",
        (
            SNAP_HEAD
            + "jgpy,douyin,交个朋友,20000000,2023-12-14 20:31\n"
            + "dyh,douyin,董宇辉,18000000,2023-12-14 20:31\n"
            + "合计,douyin,,38000000,2023-12-14 20:31\n"
        ).encode(),
    )
    w(
        "jobs_total_rows.csv",
        (
            "platform,region,year,job_type,jobs,source\n"
            '快手,全国,2022,total,"3,463万人",RUC report\n'
            "抖音,,2022,total,3200万,some report\n"  # blank region: not China
            "合计,全国,2022,total,6663万,sum\n"
            "kuaishou,全国,2023,,4000万,RUC report\n"  # blank job type: not total
        ).encode(),
    )
    # 6. Wrong digit grouping and overflow in published figures.
    head = '"series_id","entity","period","period_type","value","unit","definition","source_org","source_title","source_url","quote"\n'
    row = '"s{i}","China","2023-12-31","date","{v}","million_persons","d","org","t","https://example.org/{i}","q"\n'
    w(
        "published_grouping.csv",
        (
            head
            + row.format(v="1,234", i=1)
            + row.format(v="1,2345", i=2)
            + row.format(v="1,2,3", i=3)
            + row.format(v="1e308", i=4)
            + row.format(v="3.1160E+07", i=5)
        ).encode(),
    )
    # 8. Identity: zero-width space, case, douyin vs 抖音, blank platform.
    w(
        "identity.csv",
        (
            SNAP_HEAD
            + "jgpy,抖音,交个朋友,20000000,2023-12-14 20:31\n"
            + "JGPY\u200b,douyin,交个朋友,20010000,2023-12-15 20:31\n"
            + "jgpy,Douyin,交个朋友,20020000,2023-12-16 20:31\n"
            + "jgpy,,交个朋友,20030000,2023-12-17 20:31\n"
        ).encode(),
    )
    # 2. An occupation count too large for any count column.
    w(
        "occupation_video_huge_count.csv",
        (OBS_HEADER + ",国家权力机关负责人,Kuaishou,2023,1e20,7039,262,2018-12-01\n").encode(),
    )
    # 17. Spreadsheet formulas in cells that end up in the quarantine.
    w(
        "formula_cells.csv",
        (
            SNAP_HEAD
            + 'jgpy,douyin,交个朋友,"=HYPERLINK(""http://x"",""y"")",2023-12-14 20:31\n'
            + "jgpy,douyin,交个朋友,+cmd|' /C calc'!A0,2023-12-15 20:31\n"
            + "jgpy,douyin,交个朋友,-1+1,2023-12-16 20:31\n"
            + "jgpy,douyin,交个朋友,@SUM(A1),2023-12-17 20:31\n"
            + "jgpy,douyin,交个朋友,20000000,2023-12-18 20:31\n"
        ).encode(),
    )
    # 7. Excel: several sheets with one header (read together), with different headers
    # (refused), and a repeated header name (refused).
    frame = pd.read_csv(io.StringIO(FOLLOWERS), dtype=str)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as xw:
        frame.iloc[:2].to_excel(xw, sheet_name="Dec14", index=False)
        frame.iloc[2:].to_excel(xw, sheet_name="Dec15", index=False)
    w("sheets_same_header.xlsx", buf.getvalue())
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as xw:
        frame.to_excel(xw, sheet_name="data", index=False)
        pd.DataFrame({"note": ["exported 2023-12-16"]}).to_excel(
            xw, sheet_name="notes", index=False
        )
    w("sheets_different_headers.xlsx", buf.getvalue())
    buf = io.BytesIO()
    dup = pd.DataFrame([["a", "1", "2"]], columns=["account", "followers", "followers"])
    dup.to_excel(buf, index=False)
    raw = buf.getvalue()
    w("duplicate_header.xlsx", raw)


if __name__ == "__main__":
    main()
