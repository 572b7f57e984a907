"""environment.yml (conda) and pyproject.toml declare the same dependencies."""

from __future__ import annotations

import re
import tomllib

from lsimpact import config

ROOT = config.project_root()


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    # pip extras ("dask[distributed]") have no conda spelling: conda's dask includes them
    spec = re.sub(r"^\[[^\]]*\]", "", m.group(2).replace(" ", ""))
    return m.group(1).lower().replace("_", "-"), spec


def test_environment_yml_matches_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = py["project"]["dependencies"] + py["project"]["optional-dependencies"]["dev"]
    want = dict(_split(r) for r in reqs)
    text = (ROOT / "environment.yml").read_text()
    lines = text.split("dependencies:", 1)[1].splitlines()
    conda = {}
    for line in lines:
        # conda packages ("  - name") and pip-only ones ("      - name") alike
        m = re.match(r"^(?:  |      )- ([A-Za-z0-9_.\-]+[^#]*)$", line)
        if m and m.group(1).strip() not in ("pip", "pip:", "-e ."):
            name, spec = _split(m.group(1).strip())
            if name != "python":
                conda[name] = spec
    assert conda == want


def test_python_requirement_agrees():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert py["project"]["requires-python"] == ">=3.11"
    assert "  - python>=3.11" in (ROOT / "environment.yml").read_text()


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme.split("##")[0]
    commands = [
        line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]
