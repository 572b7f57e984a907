"""Every report notebook has a jupytext pair (percent format) in step with it."""

from __future__ import annotations

import importlib.util

import pytest

from lsimpact import config, report

ROOT = config.project_root()


def _sync():
    spec = importlib.util.spec_from_file_location(
        "sync_notebooks", ROOT / "tools" / "sync_notebooks.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("nb", report.notebooks(), ids=lambda p: p.name)
def test_pair_is_in_sync(nb):
    pytest.importorskip("jupytext")
    pair = nb.with_suffix(".py")
    assert pair.is_file(), f"missing {pair.name}: run python tools/sync_notebooks.py"
    assert pair.read_text(encoding="utf-8") == _sync().paired_text(nb), (
        f"{pair.name} is out of step with {nb.name}: run python tools/sync_notebooks.py"
    )
    assert pair.read_text(encoding="utf-8").count("# %%") >= 3
