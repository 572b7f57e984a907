"""Speed of lsimpact.parse on a million cells, against a naive per-row ``Series.apply``.

    .venv/bin/python -m benchmarks parse

Counts are written the way platforms print them ("2807.5万", "3.5w", "12k", "1,234",
"10万+", full-width forms in 1 %), once with the repeats real follower counts have (values
rounded to 0.1万: about a quarter of the cells distinct) and once almost all distinct; the
naive parser is a straightforward ``re`` function applied row by row, checked to give the
same values.
"""

from __future__ import annotations

import re
import time
import tracemalloc

import numpy as np
import pandas as pd
import pyarrow as pa

from lsimpact.parse import (
    FULLWIDTH_TABLE,
    count_arrays,
    parse_count,
    parse_datetime,
    parse_money,
    parse_percent,
)

N = 1_000_000
_UNITS = {"万": 1e4, "w": 1e4, "亿": 1e8, "k": 1e3, "m": 1e6, "b": 1e9, "": 1.0}
_NAIVE_RE = re.compile(r"^(\d+(?:\.\d+)?)(万|亿|w|k|m|b)?(\+)?$")


def naive_count(text: object) -> float:
    """One cell at a time: what a first version of a cleaner usually does."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return np.nan
    t = str(text).translate(FULLWIDTH_TABLE).strip().lower().replace(",", "")
    m = _NAIVE_RE.match(t)
    if not m:
        return np.nan
    return round(float(m.group(1)) * _UNITS[m.group(2) or ""])


def count_strings(n: int, seed: int = 0) -> pd.Series:
    """n count cells in a realistic mix of styles (built vectorised)."""
    rng = np.random.default_rng(seed)
    v = rng.lognormal(mean=9, sigma=3, size=n).astype("int64") + 1
    wan = pd.Series(np.round(v / 1e4, 1)).astype("str") + "万"
    w = pd.Series(np.round(v / 1e4, 1)).astype("str") + "w"
    k = pd.Series(np.round(v / 1e3, 1)).astype("str") + "k"
    plain = pd.Series(v).astype("str")
    grouped = pd.Series(v).map("{:,}".format) if n <= 10_000 else plain
    plus = pd.Series(v // 10_000).astype("str") + "万+"
    style = rng.choice(6, size=n, p=[0.35, 0.1, 0.1, 0.3, 0.05, 0.1])
    out = np.select(
        [style == 0, style == 1, style == 2, style == 3, style == 4],
        [wan, w, k, plain, grouped],
        default=plus,
    )
    s = pd.Series(out, dtype="str")
    wide = rng.random(n) < 0.01
    s[wide] = s[wide].str.translate({v: k for k, v in FULLWIDTH_TABLE.items() if k < 0xFF5F})
    return s


def _best_of(fn, s, repeat: int = 3) -> tuple[float, float]:
    """Best wall-clock and CPU seconds: CPU time is what counts on a shared machine."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn(s)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def _peak_mib(fn, s) -> float:
    # numpy/Python allocations (tracemalloc) plus Arrow's own pool high-water mark.
    pool = pa.default_memory_pool()
    base = pool.bytes_allocated()
    tracemalloc.start()
    fn(s)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak + max(pool.max_memory() - base, 0)) / 2**20


def unique_count_strings(n: int, seed: int = 0) -> pd.Series:
    """n count cells that are almost all distinct (a worst case for parsing once per value).

    Raw integers and 万 with two decimals over a wide range; about 1 % full-width.
    """
    rng = np.random.default_rng(seed)
    v = rng.integers(1_000, 10**10, size=n)
    wan = pd.Series(np.round(v / 1e4, 2)).astype("str") + "万"
    s = pd.Series(np.where(rng.random(n) < 0.5, wan, pd.Series(v).astype("str")), dtype="str")
    wide = rng.random(n) < 0.01
    s[wide] = s[wide].str.translate({v: k for k, v in FULLWIDTH_TABLE.items() if k < 0xFF5F})
    return s


def follower_log_counts(n: int, seed: int = 0) -> pd.Series:
    """n counts shaped like the follower benchmark log's (benchmarks/bench_scale.py):
    raw digits, 万 and w with one decimal, grouped digits, "万+", and ~5% full-width
    digits; almost every cell of a chunk distinct, as in that log (the sample says 0.98)."""
    rng = np.random.default_rng(seed)
    v = rng.integers(10**5, 10**8, size=n)
    tenth = pd.Series(np.round(v / 1e4, 1)).astype("str")
    forms = [
        pd.Series(v).astype("str"),
        tenth + "万",
        tenth + "w",
        pd.Series(v).map("{:,}".format),
        pd.Series(v // 10**4).astype("str") + "万+",
        pd.Series(v).astype("str").str.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"}),
    ]
    style = rng.choice(len(forms), size=n, p=[0.55, 0.18, 0.07, 0.13, 0.02, 0.05])
    return pd.Series(np.select([style == i for i in range(len(forms))], forms), dtype="str")


def main() -> None:
    head = f"{'task':<44}{'rows':>10}{'distinct':>10}{'wall s':>8}{'CPU s':>8}{'peak MiB':>10}"
    columns = {
        "realistic repeats (0.1万 rounding)": count_strings(N),
        "mostly distinct": unique_count_strings(N),
    }
    for label, counts in columns.items():
        vec = parse_count(counts)
        naive = counts.apply(naive_count)
        same = np.allclose(vec["value"].to_numpy(), naive.to_numpy(), equal_nan=True)
        print(f"parse_count agrees with the naive parser on {label}: {same}")
    print(head)
    for label, counts in columns.items():
        distinct = counts.nunique(dropna=False)
        (w_vec, c_vec), (w_naive, c_naive) = (
            _best_of(parse_count, counts),
            _best_of(lambda s: s.apply(naive_count), counts, repeat=1),
        )
        peak = _peak_mib(parse_count, counts)
        print(
            f"{'parse_count, ' + label:<44}{N:>10,}{distinct:>10,}"
            f"{w_vec:>8.2f}{c_vec:>8.2f}{peak:>10.0f}"
        )
        print(
            f"{'  naive Series.apply (re per row)':<44}{N:>10,}{'':>10}{w_naive:>8.2f}{c_naive:>8.2f}"
        )
        print(f"  speed-up over Series.apply: {c_naive / c_vec:.1f}x (CPU time)")

    # The chunked follower cleaner's call: count_arrays on 250,000-cell chunks (CPU time).
    chunk = follower_log_counts(250_000)
    _, c_chunk = _best_of(count_arrays, chunk, repeat=7)
    print(
        f"{'count_arrays, follower-log shapes (a chunk)':<44}{len(chunk):>10,}"
        f"{chunk.nunique():>10,}{'':>8}{c_chunk:>8.3f}"
    )

    rng = np.random.default_rng(1)
    base = pd.Timestamp("2023-01-01").value
    stamps = pd.Series(pd.to_datetime(base + rng.integers(0, 365 * 86400, N) * 10**9))
    others = {
        "parse_datetime ('%Y-%m-%d %H:%M')": (parse_datetime, stamps.dt.strftime("%Y-%m-%d %H:%M")),
        "parse_money ('¥88.50', '1.2万元')": (
            parse_money,
            pd.Series(np.where(rng.random(N) < 0.5, "¥88.50", "1.2万元"), dtype="str")
            + pd.Series(rng.integers(0, 9, N)).astype("str"),
        ),
        "parse_percent ('80.5%')": (
            parse_percent,
            pd.Series(np.round(rng.random(N) * 100, 1)).astype("str") + "%",
        ),
    }
    for name, (fn, s) in others.items():
        wall, cpu = _best_of(fn, s, repeat=2)
        distinct = s.nunique()
        print(f"{name:<44}{N:>10,}{distinct:>10,}{wall:>8.2f}{cpu:>8.2f}{_peak_mib(fn, s):>10.0f}")


if __name__ == "__main__":
    main()
