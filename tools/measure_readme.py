"""Measure `make reports` and `make test` from a fresh clone and write the README's table.

    python3 tools/measure_readme.py [--keep]

Clones the current commit into a temporary folder (so `.venv` is created and the package
installed as a new user would, with pip's cache as it is), runs `make reports` and then
`make test` there, and replaces the README table between ``<!-- runtimes:start -->`` and
``<!-- runtimes:end -->`` with the measured wall times, the number of tests pytest
collected and passed, and the machine (cores, memory, OS, Python). Nothing in the README's
numbers is typed by hand.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- runtimes:start -->", "<!-- runtimes:end -->"


def _timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
        raise SystemExit(f"{' '.join(cmd)} failed (exit {out.returncode})")
    return dt, out.stdout + out.stderr


def _memory_gib() -> float:
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        return kb / 2**20
    except (OSError, AttributeError):
        return float("nan")


def table(reports_s: float, test_s: float, passed: int, skipped: int, notebooks: int) -> str:
    """The README block (Markdown) for the measured numbers."""
    py = platform.python_version()
    return (
        f"{START}\n"
        f"Measured by `tools/measure_readme.py` from a fresh clone on {os.cpu_count()} cores, "
        f"{_memory_gib():.0f} GiB, {platform.system()} {platform.release()}, Python {py} "
        "(pip's download cache warm; a first install on a new machine takes longer):\n\n"
        "| command | wall time | what it does |\n|---|---|---|\n"
        f"| `make reports` | {reports_s:.0f} s | create `.venv` and install, build the processed "
        f"tables, execute {notebooks} notebooks, write `reports/` |\n"
        f"| `make test` | {test_s:.0f} s | {passed} pytest tests passed ({skipped} skipped), "
        "including slow Monte Carlo checks and every notebook cell under nbval |\n"
        f"{END}"
    )


def main(argv: list[str]) -> int:
    keep = "--keep" in argv
    tmp = Path(tempfile.mkdtemp(prefix="lsimpact-measure-"))
    clone = tmp / "lsimpact"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    try:
        reports_s, _ = _timed(["make", "reports"], clone)
        test_s, log = _timed(["make", "test"], clone)
        m = re.search(r"(\d+) passed", log)
        s = re.search(r"(\d+) skipped", log)
        passed, skipped = int(m.group(1)) if m else 0, int(s.group(1)) if s else 0
        n_nb = len(list((clone / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    block = table(reports_s, test_s, passed, skipped, n_nb)
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {START} ... {END} block")
    readme.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
