"""Re-execute notebooks in place so their committed outputs match the code (nbval checks them).

    .venv/bin/python tools/execute_notebooks.py [notebooks/NN_name.ipynb ...]

Runs each notebook with the report's executor (papermill, volatile metadata stripped) into
a temporary folder with its exhibits, then replaces the committed notebook and rewrites
its jupytext pair (``notebooks/NN_name.py``).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from lsimpact import report


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or report.notebooks()
    with tempfile.TemporaryDirectory() as tmp:
        for done, src in zip(report.run_notebooks(paths, Path(tmp)), paths, strict=True):
            shutil.copyfile(done, src)
    # keep the jupytext pairs (notebooks/NN_name.py) in step with the executed notebooks
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import sync_notebooks

    return sync_notebooks.main([str(p) for p in paths])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
