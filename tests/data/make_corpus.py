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


if __name__ == "__main__":
    main()
