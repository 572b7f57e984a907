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
    assert len(df) == 314 and df.attrs["summary"]["output_rows"] == 314
    assert df.attrs["inputs"]["published_figures"]
    again = datasets.build("published_figures")
    assert not again.rebuilt and again.summary.input_rows == 314


def test_stale_table_is_rebuilt(processed):
    datasets.build("published_figures")
    # A table written by other code (or an older version) has another fingerprint.
    out = processed / "published_figures.parquet"
    lsimpact.io.write_parquet(
        pd.DataFrame({"x": [1]}), out, metadata={"lsimpact:fingerprint": "old"}
    )
    res = datasets.build("published_figures")
    assert res.rebuilt
    assert len(pd.read_parquet(out)) == 314


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


def test_registry_is_one_explicit_table_and_clean_never_imports_datasets():
    import ast
    from pathlib import Path

    clean_dir = Path(datasets.__file__).parent / "clean"
    for path in clean_dir.glob("*.py"):
        tree = ast.parse(path.read_text())
        mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not {"datasets", "catalog"} & {m.rsplit(".", 1)[-1] for m in mods}, path.name
    assert all(spec.name == name for name, spec in datasets.REGISTRY.items())


def test_load_with_a_user_source_runs_the_same_cleaner_and_caches_by_hash(processed, tmp_path):
    from lsimpact import catalog

    raw = catalog.load("published_figures")
    user = tmp_path / "mine.csv"
    raw.head(20).to_csv(user, index=False)
    df = lsimpact.load("published_figures", source=user)
    shipped = lsimpact.load("published_figures")
    assert df.attrs["source"] == str(user) and df.attrs["summary"]["input_rows"] == 20
    assert len(df) < len(shipped)
    cached = list((processed / "cache").glob("published_figures-*.parquet"))
    assert len(cached) == 1
    # a changed file is a different cache entry, never the stale table
    raw.head(10).to_csv(user, index=False)
    assert lsimpact.load("published_figures", source=user).attrs["summary"]["input_rows"] == 10
    assert len(list((processed / "cache").glob("published_figures-*.parquet"))) == 2
    q = datasets.load_quarantine("published_figures", source=user)
    assert list(q.columns) == ["source_row", "column", "raw_value", "reason"]


def test_clock_option_is_explicit_and_recorded(processed):
    from lsimpact.clean.occupations import TransformRule

    df = lsimpact.load("occupation_video", today="2024-01-01")
    assert df.attrs["options"]["today"] == "2024-01-01"
    default = lsimpact.load("occupation_video")
    assert default.attrs["options"]["today"] is not None
    strict = lsimpact.load("occupation_video", rule=TransformRule(min_creators=100))
    assert strict.attrs["options"]["rule"]["min_creators"] == 100
    assert strict["transformed"].sum() < default["transformed"].sum()
