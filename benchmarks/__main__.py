"""Run every ``benchmarks/bench_*.py`` module's ``main()`` in turn (``make bench``).

``python -m benchmarks parse followers`` runs only the named ones.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))
    chosen = argv or names
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}")
        return 2
    for name in chosen:
        print(f"=== benchmarks/bench_{name}.py")
        t0 = time.perf_counter()
        importlib.import_module(f"benchmarks.bench_{name}").main()
        print(f"(bench_{name} took {time.perf_counter() - t0:.1f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
