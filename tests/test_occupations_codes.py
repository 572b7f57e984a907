"""Code normalisation: canonical forms, repairs, ambiguous cases and errors."""

from __future__ import annotations

import pandas as pd
import pytest

from lsimpact.clean.occupations import normalize_codes, normalize_titles

CASES = [
    # written, canonical code, level, ambiguous
    ("6-01-02-03", "6-01-02-03", 4, False),
    ("6010203", "6-01-02-03", 4, False),
    ("６－０１－０２－０３", "6-01-02-03", 4, False),  # full-width digits and dash
    ("6--01-02-03-", "6-01-02-03", 4, False),  # extra dashes
    ("6-0102-03", "6-01-02-03", 4, False),  # missing dash: read by digit count
    ("601-02-03", "6-01-02-03", 4, False),
    ("6 - 01 - 02", "6-01-02", 3, False),
    ("6.01.02", "6-01-02", 3, False),
    ("6—01—02", "6-01-02", 3, False),  # em dashes
    ("6-1-2", "6-01-02", 3, False),  # unpadded levels
    ("60102", "6-01-02", 3, False),
    ("6010203.0", "6-01-02-03", 4, False),  # Excel float
    ("601", "6-01", 2, False),
    ("6", "6", 1, False),
    ("2-02-38 (GBM 20238)", "2-02-38", 3, False),
    ("4-08-05(GBM40805)", "4-08-05", 3, False),
    ("GBM 60102", "6-01-02", 3, False),
    # 5 digits ending 00: GBM pads middle groups this way (GBM 60100 = 6-01), but 7-01-00
    # is a real minor group. Read as a minor group and flagged.
    ("60100", "6-01-00", 3, True),
    ("GBM 70100", "7-01-00", 3, True),
    ("7-01-00", "7-01-00", 3, False),  # written with dashes: not ambiguous
    ("1 (GBM10)", "1", 1, True),  # truncated GBM number disagrees with the code
    ("2-02-38 (GBM 20239)", "2-02-38", 3, True),
]


@pytest.mark.parametrize(("written", "code", "level", "ambiguous"), CASES)
def test_normalize_codes_cases(written, code, level, ambiguous):
    out = normalize_codes(pd.Series([written])).iloc[0]
    assert out["code"] == code
    assert out["level"] == level
    assert bool(out["ambiguous"]) is ambiguous
    assert out["error"] is None
    assert out["digits"] == code.replace("-", "")


def test_normalize_codes_vectorised_and_aligned():
    s = pd.Series([c[0] for c in CASES] * 3, index=range(100, 100 + 3 * len(CASES)))
    out = normalize_codes(s)
    assert out.index.equals(s.index)
    assert list(out["code"].iloc[: len(CASES)]) == [c[1] for c in CASES]
    assert out.loc[out["level"] == 3, "minor"].equals(out.loc[out["level"] == 3, "code"])
    six = normalize_codes(pd.Series(["6-01-02-03"])).iloc[0]
    assert (six["major"], six["middle"], six["minor"]) == ("6", "6-01", "6-01-02")


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        ("601023", "got 6 digits"),  # could be 6-01-02-3 or 60-10-23: refuse to guess
        ("6-01-02-03-01", "got 9 digits"),  # a work type (工种), below occupation level
        ("农艺工", "not an occupation code"),
        ("", "code is empty"),
        (None, "code is empty"),
    ],
)
def test_normalize_codes_errors(written, fragment):
    out = normalize_codes(pd.Series([written], dtype="object")).iloc[0]
    assert pd.isna(out["code"])
    assert fragment in out["error"]


def test_notes_say_what_was_repaired():
    out = normalize_codes(pd.Series(["６０１０２", "6-1-2", "GBM 60102"]))
    assert "full-width" in out["note"].iloc[0] and "dashes added" in out["note"].iloc[0]
    assert "zero-padded" in out["note"].iloc[1]
    assert "GBM number" in out["note"].iloc[2]


def test_normalize_titles():
    t = normalize_titles(pd.Series(["其他计量人员__", " 仲裁、", "农 艺 工", "（测试）", ""]))
    assert list(t.iloc[:4]) == ["其他计量人员", "仲裁", "农艺工", "(测试)"]
    assert pd.isna(t.iloc[4])
