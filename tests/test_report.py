"""The report builder: notebook execution, failure messages, manifest, index, README list."""

from __future__ import annotations

import json

import nbformat
import pytest

from lsimpact import report
from lsimpact.errors import ReportError


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_notebooks_are_found_in_number_order(tmp_path):
    for name in ["10_b.ipynb", "02_a.ipynb", "scratch.ipynb"]:
        (tmp_path / name).write_text("{}")
    assert [p.name for p in report.notebooks(tmp_path)] == ["02_a.ipynb", "10_b.ipynb"]


def test_failing_notebook_names_notebook_and_cell(tmp_path):
    nb = _notebook(tmp_path / "01_bad.ipynb", "x = 1", "raise ValueError('boom in cell')")
    lines = []
    with pytest.raises(ReportError) as err:
        report.run_notebooks([nb], tmp_path / "out", log=lambda *a, **k: lines.append(a))
    msg = str(err.value)
    assert "01_bad.ipynb" in msg and "cell 1" in msg and "boom in cell" in msg
    assert "raise ValueError" in msg


def test_executed_copies_have_no_timing_metadata(tmp_path):
    nb = _notebook(tmp_path / "01_ok.ipynb", "print(6 * 7)")
    (out,) = report.run_notebooks([nb], tmp_path / "out", log=lambda *a, **k: None)
    text = out.read_text()
    assert "42" in text and "papermill" not in text and "iopub.execute_input" not in text


def _exhibit(folder, name, kind, synthetic, notebook="00_overview.ipynb"):
    folder.mkdir(parents=True, exist_ok=True)
    files = [f"{name}.png", f"{name}.svg"] if kind == "figure" else [f"{name}.csv", f"{name}.md"]
    if kind == "table":
        (folder / f"{name}.csv").write_text("a,b\n1,<x>\n")
    rec = {
        "kind": kind,
        "name": name,
        "files": files,
        "caption": f"Caption of {name}",
        "sources": ["CNNIC"],
        "synthetic": synthetic,
        "notebook": notebook,
        "inputs": [
            {
                "resource": "published_figures",
                "path": "data/raw/published_figures.csv",
                "sha256": "ab" * 32,
                "synthetic": synthetic,
            }
        ],
    }
    (folder / f"{name}.exhibit.json").write_text(json.dumps(rec))


def test_index_and_manifest(tmp_path):
    _exhibit(tmp_path / "figures", "users", "figure", False)
    _exhibit(tmp_path / "tables", "fake_panel", "table", True, notebook="01_jobs.ipynb")
    index = report.build_index(tmp_path)
    html = index.read_text()
    assert "users.png" in html and "Caption of users" in html and "CNNIC" in html
    assert "SYNTHETIC" in html and "&lt;x&gt;" in html  # table cells escaped
    assert "data/raw/published_figures.csv" in html
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [e["name"] for e in manifest["exhibits"]] == ["users", "fake_panel"]
    assert manifest["versions"]["pandas"] and manifest["git_commit"]
    assert manifest["exhibits"][0]["files"] == ["figures/users.png", "figures/users.svg"]


def test_readme_exhibit_list_is_regenerated(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{report.README_START}\nold\n{report.README_END}\nafter\n")
    manifest = {
        "exhibits": [
            {
                "name": "users",
                "kind": "figure",
                "notebook": "00_overview.ipynb",
                "files": ["figures/users.png", "figures/users.svg"],
                "synthetic": False,
            }
        ]
    }
    assert report.update_readme(manifest, readme)
    text = readme.read_text()
    assert (
        "| users | figure | `notebooks/00_overview.ipynb` | `reports/figures/users.png` | real (published) |"
        in text
    )
    assert "old" not in text and text.endswith("after\n")
    assert not report.update_readme(manifest, readme)  # idempotent


def test_overview_notebook_outputs_are_byte_identical_across_runs(tmp_path):
    """Two report runs give the same figure and table bytes (svg.hashsalt, no dates)."""
    import hashlib

    nb = report.notebooks()[0]
    assert nb.name == "00_overview.ipynb"
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        report.run_notebooks([nb], out, log=lambda *a, **k: None)
        files = sorted(
            p for p in out.rglob("*") if p.suffix in {".png", ".svg", ".csv", ".md", ".tex"}
        )
        assert files, "the overview notebook saved no exhibits"
        digests.append(
            {
                p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in files
            }
        )
    assert digests[0] == digests[1]
