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
        (folder / f"{name}.md").write_text("| a | b |\n")
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


# --- the report page: a parser checks it as a browser would read it ---------------------


class _Page(__import__("html.parser").parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.imgs, self.hrefs, self.tags, self.text = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "img":
            self.imgs.append(a.get("src"))
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])

    def handle_data(self, data):
        self.text.append(data)


def _parse(path):
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _executed(path, title, key_lines):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}\n\nWhat **this** asks. <b>raw</b>"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("print(...)"),
    ]
    nb.cells[-1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="\n".join(key_lines))
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_index_is_a_report_with_unique_ids_and_escaped_values(tmp_path):
    out = tmp_path / "rep"
    _exhibit(out / "figures", "users", "figure", False)
    _exhibit(out / "tables", "users", "table", False)  # same name as the figure: ids differ
    evil = out / "figures" / "users.exhibit.json"
    rec = json.loads(evil.read_text())
    rec["sources"] = ["<script>alert('x')</script> CNNIC"]
    rec["caption"] = 'Users "quoted" & <b>bold</b>'
    evil.write_text(json.dumps(rec))
    for f in ("users.png", "users.svg"):
        (out / "figures" / f).write_bytes(b"png")
    _executed(
        out / "notebooks" / "00_overview.ipynb",
        "00 · Overview <i>x</i>",
        ["share 0.879 [0.845, 0.906]", "N = 445"],
    )
    report.render_html(out / "notebooks" / "00_overview.ipynb")
    page = _parse(report.build_index(out))
    assert len(page.ids) == len(set(page.ids))
    assert {"figure-users", "table-users", "nb-00_overview"} <= set(page.ids)
    assert "script" not in page.tags and "i" not in page.tags
    text = "".join(page.text)
    assert "<script>alert('x')</script> CNNIC" in text  # shown as text, not run
    assert 'Users "quoted" & <b>bold</b>' in text
    assert "share 0.879 [0.845, 0.906]" in text and "N = 445" in text
    assert "00 · Overview <i>x</i>" in text
    raw = (out / "index.html").read_text()
    assert "<script" not in raw and "&lt;script&gt;" in raw
    for src in page.imgs:
        assert (out / src).is_file(), src
    for href in page.hrefs:
        if not href.startswith("#"):
            assert (out / href).is_file(), href
    assert "notebooks/00_overview.html" in page.hrefs
    manifest = json.loads((out / "manifest.json").read_text())
    assert "notebooks/00_overview.html" in manifest["written"]
    assert manifest["notebooks"][0]["key_numbers"] == ["share 0.879 [0.845, 0.906]", "N = 445"]


def test_table_numbers_are_for_people(tmp_path):
    out = tmp_path / "rep"
    _exhibit(out / "tables", "t", "table", False)
    (out / "tables" / "t.csv").write_text("year,value,share\n2024,1270000000000.0,17.73743017\n")
    html = report.build_index(out).read_text()
    assert "1,270,000,000,000" in html and "17.7" in html and "2024" in html
    assert "e+12" not in html and "17.73743017" not in html and "2,024" not in html


def test_out_refuses_the_project_folder(tmp_path):
    from lsimpact import config

    with pytest.raises(ReportError, match="project folder"):
        report.prepare_out_dir(config.project_root())
    assert (config.project_root() / "notebooks").is_dir()


def test_out_deletes_only_what_a_report_wrote(tmp_path):
    out = tmp_path / "rep"
    _exhibit(out / "figures", "users", "figure", False)
    for f in ("users.png", "users.svg"):
        (out / "figures" / f).write_bytes(b"png")
    _executed(out / "notebooks" / "00_overview.ipynb", "00", ["a"])
    report.build_index(out)
    mine = out / "figures" / "notes.txt"
    mine.write_text("the user's own file")
    with pytest.raises(ReportError, match="no earlier report wrote: figures/notes.txt"):
        report.prepare_out_dir(out)
    assert (out / "figures" / "users.png").is_file() and mine.is_file()  # nothing deleted
    mine.unlink()
    report.prepare_out_dir(out)
    assert not (out / "figures").exists() and not (out / "index.html").exists()
    assert not (out / "notebooks").exists()


def test_out_refuses_a_folder_of_foreign_files(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00_mine.ipynb").write_text("{}")
    with pytest.raises(ReportError, match="00_mine.ipynb"):
        report.prepare_out_dir(tmp_path)
    assert (tmp_path / "notebooks" / "00_mine.ipynb").is_file()


def test_kernel_noise_stays_out_of_the_log(tmp_path, capfd):
    nb = _notebook(tmp_path / "01_ok.ipynb", "print(6 * 7)")
    report.run_notebooks([nb], tmp_path / "out", log=lambda *a, **k: None)
    err = capfd.readouterr().err
    assert "without encryption" not in err and "KeyboardInterrupt" not in err


def test_an_exhibit_saved_by_hand_refreshes_the_report(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from lsimpact import exhibits

    out = tmp_path / "rep"
    monkeypatch.delenv(report.REPORT_RUN_ENV, raising=False)
    monkeypatch.setenv("LSIMPACT_NOTEBOOK", "00_overview.ipynb")
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2])
    ax.set_xlabel("year")
    exhibits.save(fig, "hand", inputs=["published_figures"], caption="First.", out_dir=out)
    report.build_index(out)  # the report run
    monkeypatch.delenv("LSIMPACT_NOTEBOOK")  # a notebook run by hand does not know its name
    fig, ax = plt.subplots()
    ax.plot([1, 2], [2, 1])
    ax.set_xlabel("year")
    exhibits.save(fig, "hand", inputs=["published_figures"], caption="Second.", out_dir=out)
    exhibits.save(fig, "hand2", inputs=["published_figures"], caption="New.", out_dir=out)
    manifest = json.loads((out / "manifest.json").read_text())
    by_name = {e["name"]: e for e in manifest["exhibits"]}
    assert (
        by_name["hand"]["caption"] == "Second."
        and by_name["hand"]["notebook"] == "00_overview.ipynb"
    )
    assert "figures/hand2.png" in manifest["written"]
    assert (
        "Second." in (out / "index.html").read_text() and "New." in (out / "index.html").read_text()
    )
