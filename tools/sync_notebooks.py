"""Write each report notebook's jupytext pair: ``notebooks/NN_name.py`` (percent format).

    .venv/bin/python tools/sync_notebooks.py [--check] [notebooks/NN_name.ipynb ...]

The ``.ipynb`` (with outputs, checked by nbval) is the source of truth; the ``.py`` pair is
what a review diffs. ``--check`` exits 1 naming every pair that is out of step (the test
suite runs the same check). ``tools/execute_notebooks.py`` rewrites the pairs itself.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext

from lsimpact import report

#: jupytext settings for the pairs (also in notebooks/jupytext.toml for editors).
FORMAT = "py:percent"


def paired_text(ipynb: Path) -> str:
    """The percent-format script of ``ipynb`` (outputs dropped)."""
    nb = jupytext.read(ipynb)
    text = jupytext.writes(nb, fmt=FORMAT)
    # jupytext writes its own version into the header: drop it, so that a newer jupytext
    # does not make every pair look stale
    return re.sub(r"(?m)^#\s+jupytext_version: .*\n", "", text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a).resolve() for a in argv if a != "--check"] or report.notebooks()
    stale = []
    for nb in paths:
        text = paired_text(nb)
        pair = nb.with_suffix(".py")
        current = pair.read_text(encoding="utf-8") if pair.is_file() else None
        if current == text:
            continue
        if check:
            stale.append(pair.name)
        else:
            pair.write_text(text, encoding="utf-8")
            print(f"wrote {pair}")
    if stale:
        print("out of step with their .ipynb: " + ", ".join(stale), file=sys.stderr)
        print("run: python tools/sync_notebooks.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
