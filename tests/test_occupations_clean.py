"""Classification cleaner on the real code list; observation matching and the rule."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from lsimpact import catalog, datasets, schemas
from lsimpact.clean.occupations import (
    TransformRule,
    clean_classification,
    clean_occupation_video,
)
from lsimpact.errors import InputError


@pytest.fixture(scope="module")
def gbm() -> pd.DataFrame:
    return catalog.load("occupational_classification_gbm")


@pytest.fixture(scope="module")
def classes(gbm):
    return clean_classification(gbm)


def test_classification_levels_and_problems_reported(classes):
    d = classes.data
    classes.summary.check()
    assert d["level"].value_counts().sort_index().tolist() == [8, 79, 450, 1837]
    assert set(d.loc[d["level"] == 4, "edition"]) == {"older (level 4, pre-2015)"}
    assert set(d.loc[d["level"] <= 3, "edition"]) == {"2022"}
    notes = " | ".join(classes.summary.notes)
    assert "minor: 450 rows vs 449 published" in notes
    assert "occupation: 1837 rows vs 1639 published" in notes
    assert "632 level-4 rows have no 2022 minor group" in notes
    row = d.set_index("code").loc["3-03-01"]
    assert row["title"] == "仲裁、" and "truncated" in row["issue"]  # reported, not invented
    assert "GBM number 10 disagrees" in d.set_index("code").loc["1", "issue"]
    assert d.set_index("code").loc["6-26-04-99", "title"] == "其他计量人员"
    schemas.validate(d, schemas.occupations(), dataset="occupations")


def test_classification_hierarchy(classes):
    d = classes.data.set_index("code")
    r = d.loc["2-02-38"]
    assert (r["major_group"], r["middle_group"], r["minor_group"]) == (2, "2-02", "2-02-38")
    assert r["middle_title"] == "工程技术人员" and r["major_title"] == "专业技术人员"
    assert pd.isna(d.loc["6-26-04-01", "middle_title"])  # no cross-edition parent titles
    assert bool(d.loc["2-99", "residual"]) and not bool(d.loc["2-02", "residual"])
    assert bool(d.loc["6-25-99", "residual"]) is True


def test_classification_quarantine_and_duplicates():
    raw = pd.DataFrame(
        {
            "职业代码": [
                "1 (GBM10000)",
                "1-01 (GBM 10100)",
                "1-01 (GBM 10100)",
                "x",
                "1-02",
                "1-02",
            ],
            "职业名称": ["负责人", "机关负责人", "机关负责人", "无", "", "国家机关负责人"],
        }
    )
    c = clean_classification(raw)
    c.summary.check()
    assert c.summary.duplicate_rows == 1
    assert list(c.quarantine["source_row"]) == [5, 6]
    assert "not an occupation code" in c.quarantine["reason"].iloc[0]
    assert c.quarantine["reason"].iloc[1] == "title is empty"
    assert list(c.data["code"]) == ["1", "1-01", "1-02"]


def test_classification_missing_column():
    with pytest.raises(InputError, match="职业名称"):
        clean_classification(pd.DataFrame({"职业代码": ["1"]}))


def _obs(rows):
    cols = [
        "occupation_code",
        "occupation_title",
        "platform",
        "period",
        "creators",
        "videos",
        "live_sessions",
        "first_seen",
    ]
    return pd.DataFrame(rows, columns=cols).astype(str)


def test_matching_by_code_title_and_aggregation(gbm):
    obs = _obs(
        [
            ["2-02-38", "", "K", "2023", "12", "100", "0", "2021-01-05"],
            ["6010102", "", "K", "2023", "3", "", "1", "2020-02-01"],  # occupation level
            ["6-01-01-03", "", "K", "2023", "4", "7", "", "2019年3月4日"],  # same minor group
            ["", " 工程技术人员", "K", "2023", "9", "1", "1", ""],  # middle-group title
            ["", "数字技术 工程技术人员", "K", "2023", "1万", "", "", ""],  # title match
            ["9-99-99", "", "K", "2023", "5", "", "", ""],
            ["2-02-38", "", "K", "2023", "-3", "", "", ""],
            ["2-02-38", "", "K", "2023", "12", "100", "0", "2021-01-05"],  # duplicate
        ]
    )
    c = clean_occupation_video(obs, gbm, rule={"min_creators": 5})
    c.summary.check()
    assert (c.summary.input_rows, c.summary.duplicate_rows, c.summary.quarantined_rows) == (8, 1, 3)
    d = c.data.set_index("minor_group")
    assert d.loc["6-01-01", "creators"] == 7 and d.loc["6-01-01", "n_source_rows"] == 2
    assert d.loc["6-01-01", "videos"] == 7  # missing counts are skipped in the sum
    assert d.loc["6-01-01", "first_seen"] == pd.Timestamp("2019-03-04")
    assert d.loc["6-01-01", "match_method"] == "code (occupation level)"
    assert d.loc["2-02-38", "creators"] == 10012  # code row + title row (1万)
    assert d.loc["2-02-38", "match_method"] == "title"
    assert d["transformed"].tolist() == [True, True]
    reasons = c.quarantine.set_index("source_row")["reason"]
    assert reasons[5] == "title names a major or middle group"
    assert "9-99-99 is not in the 2022 classification" in reasons[7]
    assert reasons[8] == "not a non-negative count"
    assert c.options["rule"]["description"] == "creators >= 5"
    schemas.validate(c.data, schemas.occupation_video(), dataset="occupation_video")


def test_rule_is_explicit_and_recorded():
    df = pd.DataFrame(
        {"creators": [0, 3, 12, 12], "videos": [0, 1, 5, 5], "live_sessions": [2, 0, 0, pd.NA]}
    ).astype("Int64")
    assert TransformRule().apply(df).tolist() == [False, False, True, True]
    r = TransformRule(min_creators=10, min_live_sessions=1, combine="any")
    assert r.apply(df).tolist() == [True, False, True, True]
    r = TransformRule(min_creators=10, min_live_sessions=0)
    assert r.apply(df).tolist() == [False, False, True, False]  # missing fails its condition
    assert r.describe() == "creators >= 10 and live_sessions >= 0"
    assert TransformRule.coerce(r.as_dict()) == r
    with pytest.raises(InputError):
        TransformRule(min_creators=None)


def test_user_file_with_chinese_headers(tmp_path, gbm):
    p = tmp_path / "obs.csv"
    pd.DataFrame(
        {"职业代码": ["2-02-38"], "平台": ["抖音"], "时期": ["2024"], "创作者数": ["20"]}
    ).to_csv(p, index=False)
    c = datasets.clean_file("occupation_video", p, tmp_path / "out.parquet")
    assert c.data["creators"].tolist() == [20]
    meta = pd.read_parquet(tmp_path / "out.parquet").shape
    assert meta == (1, 18)
    with pytest.raises(InputError, match="creators"):
        clean_occupation_video(
            pd.DataFrame({"occupation_code": ["1"], "platform": ["a"], "period": ["b"]}), gbm
        )


def test_shipped_dataset_builds_with_rule_in_metadata():
    df = datasets.load("occupation_video")
    notes = df.attrs["summary"]["notes"]
    rule = json.loads(notes[1].split("(json): ", 1)[1])
    assert rule["min_creators"] == 10
    assert len(df) == 445 and df["minor_group"].is_unique
