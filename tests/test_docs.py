"""The API reference builds from the docstrings without a warning (what `make docs` runs)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lsimpact import config

ROOT = config.project_root()


@pytest.mark.slow
def test_docs_build_strict(tmp_path):
    pytest.importorskip("mkdocstrings")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    log = out.stdout + out.stderr
    assert out.returncode == 0, log
    assert "WARNING" not in log, log
    models = (tmp_path / "api" / "models" / "index.html").read_text(encoding="utf-8")
    assert "event_study" in models and "doc-function" in models


def test_every_module_is_in_the_reference():
    """A new module gets a page: each lsimpact module is named in docs/api/*.md."""
    pages = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs" / "api").glob("*.md"))
    src = ROOT / "src"
    missing = []
    for p in (src / "lsimpact").rglob("*.py"):
        mod = ".".join(p.relative_to(src).with_suffix("").parts)
        if mod.endswith(("__init__", "__main__")) or any(
            s.startswith("_") for s in mod.split(".")[1:]
        ):
            continue
        if f"::: {mod}\n" not in pages:
            missing.append(mod)
    assert not missing, f"add to docs/api/: {missing}"
