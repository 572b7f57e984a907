"""The raw-data catalogue: listing, hash verification, loading."""

from __future__ import annotations

import json
import shutil

import pytest

from lsimpact import catalog, config
from lsimpact.errors import ChecksumError, InputError


def test_every_shipped_file_is_catalogued_and_verifies():
    listed = set(catalog.list_resources()["path"])
    on_disk = {p.name for p in config.raw_dir().iterdir() if p.name != "datapackage.json"}
    assert on_disk == listed, "every file in data/raw must have a catalogue entry (and vice versa)"
    report = catalog.verify()
    assert report["ok"].all()


def test_catalogue_entries_are_complete_frictionless_resources():
    pkg = catalog.datapackage()
    assert pkg["profile"] == "data-package"
    for res in pkg["resources"]:
        assert {
            "name",
            "path",
            "format",
            "hash",
            "bytes",
            "sources",
            "licenses",
            "synthetic",
        } <= set(res)
        assert res["hash"].startswith("sha256:") and len(res["hash"]) == 7 + 64
        if res["synthetic"]:
            assert {"generator", "seed", "true_effects"} <= set(res), res["name"]
        if res.get("profile") == "tabular-data-resource":
            assert res["schema"]["fields"], res["name"]


def test_published_figures_shipped_unchanged_and_real():
    res = catalog.resource("published_figures")
    assert res["synthetic"] is False
    df = catalog.load("published_figures")
    assert len(df) == 314
    assert df["value"].map(type).eq(str).all()  # loaded as written, not as parsed numbers


@pytest.fixture
def raw_copy(tmp_path):
    dst = tmp_path / "raw"
    shutil.copytree(config.raw_dir(), dst)
    return dst


def test_hand_edited_raw_file_gives_clear_error(raw_copy):
    p = raw_copy / "published_figures.csv"
    p.write_bytes(p.read_bytes().replace(b'"731"', b'"732"', 1))
    with pytest.raises(ChecksumError) as err:
        catalog.verify(raw_dir=raw_copy)
    msg = str(err.value)
    assert "published_figures.csv" in msg and "git checkout" in msg
    with pytest.raises(ChecksumError):
        catalog.load("published_figures", raw_dir=raw_copy)


def test_missing_raw_file_and_unknown_resource(raw_copy):
    (raw_copy / "SOURCES.md").unlink()
    with pytest.raises(ChecksumError, match="missing"):
        catalog.verify(raw_dir=raw_copy)
    with pytest.raises(InputError, match="no resource named 'nope'"):
        catalog.resource("nope")


def test_invalid_catalogue_json_is_reported(tmp_path):
    (tmp_path / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        catalog.datapackage(tmp_path)


def test_datapackage_is_valid_json_with_unique_names():
    pkg = json.loads((config.raw_dir() / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in pkg["resources"]]
    assert len(names) == len(set(names))


def test_readme_lists_every_raw_file_with_its_kind():
    readme = (config.project_root() / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Data sources and availability", 1)[1].split("\n## ", 1)[0]
    for res in catalog.datapackage()["resources"]:
        assert f"`{res['path']}`" in section, f"README does not describe data/raw/{res['path']}"


@pytest.mark.parametrize(
    "name", ["published_figures.csv", "SOURCES.md", "occupational_classification_gbm.csv"]
)
def test_real_files_are_byte_identical_to_the_shared_originals(name):
    """The real inputs are shipped unchanged (compared with ../shared/data when present)."""
    original = config.project_root().parent / "shared" / "data" / name
    if not original.is_file():
        pytest.skip("../shared/data is not beside this checkout")
    assert (config.raw_dir() / name).read_bytes() == original.read_bytes()
