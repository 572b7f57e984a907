"""Installs like a library: the wheel carries the data, `lsimpact init`, version, citation."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile

import pytest
import setuptools

import lsimpact
from lsimpact import catalog, cli, config, project
from lsimpact.errors import InputError

ROOT = config.project_root()


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_subpackage_is_packaged():
    """The package list is explicit (two packages live outside src/): none may be missing."""
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = set(setuptools.find_packages(str(ROOT / "src")))
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_version_is_one_number_everywhere(capsys):
    v = lsimpact.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", v)
    with pytest.raises(SystemExit) as e:
        cli.main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"lsimpact {v}"
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf"^version: {re.escape(v)}$", cff, re.M)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first_release = re.search(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.M)
    assert first_release and first_release.group(1) == v
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert _pyproject()["project"]["license"] == "MIT"
    assert (ROOT / "src" / "lsimpact" / "py.typed").is_file()


def test_init_writes_a_ready_project(tmp_path, monkeypatch):
    target = project.init(tmp_path / "study")
    raw = target / "data" / "raw"
    shipped = {p.name for p in config.shipped_raw_dir().iterdir() if p.is_file()}
    assert {p.name for p in raw.iterdir()} == shipped
    assert len(catalog.verify(raw_dir=raw)) == len(catalog.datapackage(raw)["resources"])
    nbs = sorted(p.name for p in (target / "notebooks").glob("*.ipynb"))
    assert nbs == sorted(p.name for p in config.shipped_notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
    assert (target / "notebooks" / "sanitize.cfg").is_file()
    mk = (target / "Makefile").read_text(encoding="utf-8")
    assert "lsimpact report" in mk and "-e ." not in mk
    # lsimpact finds the new project from a subfolder of it
    monkeypatch.delenv("LSIMPACT_ROOT", raising=False)
    monkeypatch.chdir(target / "notebooks")
    assert config.find_project() == target
    assert config.processed_dir() == target / "data" / "processed"
    # never overwrites
    with pytest.raises(InputError, match="not empty"):
        project.init(target)


def test_init_command(tmp_path, capsys):
    assert cli.main(["init", str(tmp_path / "p")]) == 0
    assert "make reports" in capsys.readouterr().out
    assert cli.main(["init", str(tmp_path / "p")]) == 2


def test_lsimpact_root_must_be_a_project(tmp_path, monkeypatch):
    monkeypatch.setenv("LSIMPACT_ROOT", str(tmp_path))
    with pytest.raises(InputError, match="LSIMPACT_ROOT"):
        config.raw_dir()
    project.init(tmp_path / "p")
    monkeypatch.setenv("LSIMPACT_ROOT", str(tmp_path / "p"))
    assert config.raw_dir() == tmp_path / "p" / "data" / "raw"


@pytest.mark.slow
def test_non_editable_wheel_loads_every_shipped_row(tmp_path):
    """Build the wheel, use it from an unrelated folder: the data travels in the package and
    processed tables go to the per-user cache (about 15 s, pip's cache warm)."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (whl,) = wheels.glob("lsimpact-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    for p in config.raw_dir().iterdir():
        assert f"lsimpact/_shipped/raw/{p.name}" in names
    for p in report_notebooks():
        assert f"lsimpact/_shipped/notebooks/{p.name}" in names
    assert {"lsimpact/py.typed", "lsimpact/templates/index.html.j2"} <= names
    site = tmp_path / "site"
    zipfile.ZipFile(whl).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("LSIMPACT_") and k != "PYTHONPATH"
    }
    env.update(PYTHONPATH=str(site), XDG_CACHE_HOME=str(tmp_path / "cache"))
    code = (
        "import lsimpact, lsimpact.config as c;"
        "df = lsimpact.load('published_figures');"
        "s = df.attrs['summary'];"
        "print(lsimpact.__file__, c.find_project(), c.processed_dir(), len(df),"
        " s['input_rows'], s['quarantined_rows'] + s['duplicate_rows'], sep='|')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    where, root, processed, n, n_in, n_out = out.stdout.strip().split("|")
    assert where.startswith(str(site)) and root == "None"
    assert processed.startswith(str(tmp_path / "cache" / "lsimpact"))
    raw_rows = len(catalog.load("published_figures"))
    assert int(n_in) == raw_rows and int(n) + int(n_out) == raw_rows
    version = subprocess.run(
        [sys.executable, "-m", "lsimpact", "--version"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert version.stdout.strip() == f"lsimpact {lsimpact.__version__}"


def report_notebooks():
    from lsimpact import report

    return report.notebooks()
