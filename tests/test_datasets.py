"""datasets.build / load: atomic outputs, quarantine beside them, rebuild when stale."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import lsimpact
from lsimpact import datasets
from lsimpact.errors import InputError


@pytest.fixture
def processed(tmp_path, monkeypatch):
    monkeypatch.setenv("LSIMPACT_PROCESSED_DIR", str(tmp_path))
    return tmp_path


def test_registry_discovers_cleaners():
    assert "published_figures" in datasets.names()
    with pytest.raises(InputError, match="unknown dataset"):
        datasets.get("no_such_table")


def test_build_writes_table_quarantine_and_summary(processed):
    res = datasets.build("published_figures")
    assert res.rebuilt and res.path == processed / "published_figures.parquet"
    assert res.quarantine_path.name == "published_figures.quarantine.csv"
    q = pd.read_csv(res.quarantine_path)
    assert list(q.columns) == ["source_row", "column", "raw_value", "reason"]
    summary = json.loads((processed / "published_figures.summary.json").read_text())
    assert (
        summary["input_rows"]
        == summary["used_rows"] + summary["quarantined_rows"] + summary["duplicate_rows"]
    )
    assert not list(processed.glob("*.tmp")), "no temporary files left behind"


def test_load_builds_once_then_reuses(processed):
    df = lsimpact.load("published_figures")
    assert len(df) == 257 and df.attrs["summary"]["output_rows"] == 257
    assert df.attrs["inputs"]["published_figures"]
    again = datasets.build("published_figures")
    assert not again.rebuilt and again.summary.input_rows == 257


def test_stale_table_is_rebuilt(processed):
    datasets.build("published_figures")
    # A table written by other code (or an older version) has another fingerprint.
    out = processed / "published_figures.parquet"
    lsimpact.io.write_parquet(
        pd.DataFrame({"x": [1]}), out, metadata={"lsimpact:fingerprint": "old"}
    )
    res = datasets.build("published_figures")
    assert res.rebuilt
    assert len(pd.read_parquet(out)) == 257


def test_load_without_build_names_the_fix(processed):
    with pytest.raises(InputError, match="make data"):
        lsimpact.load("published_figures", build_if_needed=False)


def test_clean_file_on_user_csv(processed, tmp_path):
    raw = lsimpact.catalog.load("published_figures").head(5)
    user = tmp_path / "mine.csv"
    raw.to_csv(user, index=False, encoding="gb18030")
    out = tmp_path / "out" / "mine.parquet"
    cleaned = datasets.clean_file("published_figures", user, out)
    assert cleaned.summary.input_rows == 5
    assert pd.read_parquet(out)["value"].iloc[0] == pytest.approx(731e6)
    assert (tmp_path / "out" / "mine.quarantine.csv").is_file()


def test_alias_resolves_to_the_dataset(processed):
    assert datasets.get("followers").name == "followers_daily"
    res = datasets.build("followers")
    assert res.path.name == "followers_daily.parquet"
