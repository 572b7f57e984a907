"""Cleaning a scraped price log at scale: ``prices_daily`` on the pandas, chunked and Dask
engines beside the pyarrow ``read_csv`` floor, measured as :mod:`benchmarks.bench_scale`
measures the follower cleaning (records of the same shape, for the same results table).

Data: SYNTHETIC price logs from :func:`lsimpact.synth.prices_daily_gen.simulate` (about
160 observations per product over 182 days, four channels, prices and packs as shops
write them, 2 % rows without product_id, duplicates) and the simulation's own live-session
calendar, which every engine is given (``--with live_sessions=...``). Files are cached in
``build/bench_scale/``.

Each engine runs in a fresh process: a warm-up on the file's first 2,000 lines (imports
and first-call set-up excluded), then ``datasets.clean_file("prices_daily", ...)`` on the
whole file (read, clean, validate, lineage), then the pyarrow floor on the same file in
the same process, each the best of 3 runs up to 3M rows (``bench_scale.MEASURE``). Peak =
highest resident memory during the first call minus resident memory before it.

    .venv/bin/python -m benchmarks.scale_prices            # 1M and 3M rows
    .venv/bin/python -m benchmarks.scale_prices 200000     # one size
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from benchmarks.bench_scale import _run, measure_tasks  # _run's prelude: measure(), floor()

__all__ = ["bench_prices_cleaning", "price_log_files"]

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "bench_scale"
#: Observations per product the simulation makes with its default window (182 days).
_ROWS_PER_PRODUCT = 158


def price_log_files(rows: int) -> tuple[Path, Path]:
    """A SYNTHETIC price log of ``rows`` observations and its session calendar, cached."""
    log = CACHE / f"prices_{rows}.csv"
    cal = CACHE / f"prices_{rows}.sessions.csv"
    if not (log.exists() and cal.exists()):
        CACHE.mkdir(parents=True, exist_ok=True)
        n_products = max(10, rows // _ROWS_PER_PRODUCT + 1)
        rec = _run(
            f"""
            from lsimpact.synth import prices_daily_gen
            t = time.perf_counter()
            sim = prices_daily_gen.simulate(seed=1, n_products={n_products}, n_purchases=10)
            gen = time.perf_counter() - t
            raw = sim["observations"].iloc[:{rows}]
            # written like the shipped log; renamed only when complete
            raw.to_csv({str(log) + ".tmp"!r}, index=False, lineterminator="\\n")
            sim["sessions"].to_csv({str(cal)!r}, index=False, lineterminator="\\n")
            os.replace({str(log) + ".tmp"!r}, {str(log)!r})
            print(json.dumps({{"generate_s": gen, "rows": len(raw)}}))
            """
        )
        if "error" in rec:
            raise RuntimeError(f"generating {log.name} failed: {rec['error']}")
        print(json.dumps({"task": "generate prices", **rec}), flush=True)
    return log, cal


_TASKS = {
    "lsimpact prices pandas engine": """
        fn = lambda: datasets.clean_file("prices_daily", PATH, engine="pandas",
                                         paired={"live_sessions": CAL}).data
        """,
    "lsimpact prices chunked engine": """
        fn = lambda: datasets.clean_file("prices_daily", PATH, engine="chunked",
                                         paired={"live_sessions": CAL}).data
        """,
    "lsimpact prices Dask engine (local cluster)": """
        import tempfile
        out = tempfile.mkdtemp()
        fn = lambda: datasets.clean_file("prices_daily", PATH, out + "/daily", engine="dask",
                                         paired={"live_sessions": CAL}).summary
        """,
}


def bench_prices_cleaning(rows: int) -> list[dict]:
    """Clean a SYNTHETIC price log of ``rows`` observations with each engine.

    Returns
    -------
    list of dict
        One record per engine: ``task``, ``rows``, ``file_mib``, ``seconds``, ``floor``
        (pyarrow ``read_csv`` of the same file in the same process) and ``peak_mib``;
        or ``error`` when the engine failed.
    """
    log, cal = price_log_files(rows)
    size = log.stat().st_size / 2**20
    with open(log, "rb") as fh:
        n = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 24), b"")) - 1
    head = f"PATH = {str(log)!r}\nCAL = {str(cal)!r}\nfrom lsimpact import datasets\n"
    return measure_tasks({k: textwrap.dedent(v) for k, v in _TASKS.items()}, head, n, size)


def main(argv: list[str] | None = None) -> None:
    sizes = [int(a) for a in (argv if argv is not None else sys.argv[1:])] or [
        1_000_000,
        3_000_000,
    ]
    print("| rows | file MiB | task | seconds | x floor | peak MiB | peak / file |")
    print("|---:|---:|---|---:|---:|---:|---:|")
    for rows in sizes:
        for r in bench_prices_cleaning(rows):
            if "error" in r:
                print(f"| {r['rows']:,} | | {r['task']} | error: {r['error']} | | | |")
                continue
            print(
                f"| {r['rows']:,} | {r['file_mib']:.0f} | {r['task']} | {r['seconds']:.2f} | "
                f"{r['seconds'] / r['floor']:.1f} | {r['peak_mib']:.0f} | "
                f"{r['peak_mib'] / r['file_mib']:.1f} |"
            )


if __name__ == "__main__":
    main()
