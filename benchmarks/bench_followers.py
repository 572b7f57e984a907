"""Follower pipeline at scale: cleaning 10M snapshots and the TWFE event study.

    .venv/bin/python -m benchmarks followers            # full size (several minutes)
    .venv/bin/python benchmarks/bench_followers.py --small

Each task runs in a fresh Python process so that its peak resident memory (ru_maxrss)
is its own. Tasks:

* ``generate``: the raw log of 50,000 accounts x 200 days (one snapshot a day, ~10M rows
  with the display formats, glitches and duplicates of the shipped log), cached as
  Parquet in build/bench_followers/ (peak memory here is the generator's);
* ``clean``: ``clean_snapshots`` on that log, from strings in memory to the daily panel
  (peak memory includes the raw table itself);
* ``es-own`` / ``es-pyfixest``: the event study (brand and host groups, days -14..28)
  on that daily panel by lsimpact's alternating projections and by pyfixest;
* ``did-own`` / ``did-pyfixest``: the DiD on the whole 10M-row panel;
* ``small-*``: a 300-account panel, where statsmodels with explicit dummies is feasible,
  by all three.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "bench_followers"

_SETUP = """
import json, resource, sys, time
import numpy as np, pandas as pd
sys.path.insert(0, {src!r})
"""


def _raw_code(n_accounts: int, n_days: int) -> str:
    """Code that loads (or generates and caches) the raw snapshot log as strings."""
    return f"""
from pathlib import Path
raw_cache = Path({str(CACHE)!r}) / "raw_{n_accounts}x{n_days}.parquet"
if raw_cache.exists():
    raw = pd.read_parquet(raw_cache)
else:
    from lsimpact.synth import followers_daily as followers
    raw, _ = followers(seed=1, n_accounts={n_accounts}, n_brand=max(2, {n_accounts} // 100),
                       n_host=max(2, {n_accounts} // 100), n_days={n_days}, start="2023-07-01",
                       launch=None, snapshots_per_day=1)
    raw_cache.parent.mkdir(parents=True, exist_ok=True)
    raw.to_parquet(raw_cache)
"""


def _panel_code(n_accounts: int, n_days: int) -> str:
    """Code that loads (or builds and caches) the cleaned daily panel."""
    return (
        f"""
from pathlib import Path
cache = Path({str(CACHE)!r}) / "panel_{n_accounts}x{n_days}.parquet"
if cache.exists():
    panel = pd.read_parquet(cache)
else:
    from lsimpact.clean.followers import clean_snapshots
"""
        + "\n".join("    " + line for line in _raw_code(n_accounts, n_days).splitlines())
        + """
    panel = clean_snapshots(raw, progress=False).data
    del raw
    cache.parent.mkdir(parents=True, exist_ok=True)
    panel.to_parquet(cache)
"""
    )


def _task(name: str, n_accounts: int, n_days: int) -> str:
    pre, post = 14, 28
    body = {
        "generate": _raw_code(n_accounts, n_days)
        + """
rows = len(raw)
elapsed = float("nan")
""",
        "clean": _raw_code(n_accounts, n_days)
        + """
from lsimpact.clean.followers import clean_snapshots
rows = len(raw)
t = time.perf_counter()
panel = clean_snapshots(raw, progress=False).data
elapsed = time.perf_counter() - t
""",
        "es-own": _panel_code(n_accounts, n_days)
        + f"""
from lsimpact.models import event_study
rows = len(panel)
t = time.perf_counter()
res = event_study(panel, "2023-12-14", pre={pre}, post={post}, pretrend_test="analytic")  # like-for-like with pyfixest
elapsed = time.perf_counter() - t
check = float(res.coefs.set_index("term").loc["brand:0", "estimate"])
""",
        "es-pyfixest": _panel_code(n_accounts, n_days)
        + f"""
import pyfixest as pf
from lsimpact.models.event_study import prepare_panel
rows = len(panel)
t = time.perf_counter()
d, _ = prepare_panel(panel, "2023-12-14", pre={pre}, post={post})
d = d[d["group"].isin(["brand", "host", "control"])]
names = []
cols = {{}}
for g in ("brand", "host"):
    for k in range(-{pre}, {post} + 1):
        if k != -1:
            nm = f"{{g}}_{{k + 100}}"
            cols[nm] = ((d["group"] == g) & (d["rel_day"] == k)).to_numpy(dtype=float)
            names.append(nm)
d = pd.concat([d[["y", "unit", "date"]].reset_index(drop=True), pd.DataFrame(cols)], axis=1)
fit = pf.feols("y ~ " + " + ".join(names) + " | unit + date", data=d, vcov={{"CRV1": "unit"}})
elapsed = time.perf_counter() - t
check = float(fit.coef()["brand_100"])
""",
        "did-own": _panel_code(n_accounts, n_days)
        + """
from lsimpact.models import did
rows = len(panel)
t = time.perf_counter()
res = did(panel, "2023-12-14", pre=1000, post=1000, inference="crv1")  # like pyfixest CRV1
elapsed = time.perf_counter() - t
check = float(res.coefs.set_index("term").loc["brand", "estimate"])
""",
        "did-pyfixest": _panel_code(n_accounts, n_days)
        + """
import pyfixest as pf
from lsimpact.models.event_study import prepare_panel
rows = len(panel)
t = time.perf_counter()
d, _ = prepare_panel(panel, "2023-12-14", pre=1000, post=1000)
d = d[d["group"].isin(["brand", "host", "control"])]
post = (d["rel_day"] >= 0).to_numpy()
d = pd.DataFrame({"y": d["y"].to_numpy(), "unit": d["unit"].to_numpy(), "date": d["date"].to_numpy(),
                  "brand": ((d["group"] == "brand").to_numpy() & post) * 1.0,
                  "host": ((d["group"] == "host").to_numpy() & post) * 1.0})
fit = pf.feols("y ~ brand + host | unit + date", data=d, vcov={"CRV1": "unit"})
elapsed = time.perf_counter() - t
check = float(fit.coef()["brand"])
""",
        "did-statsmodels": _panel_code(n_accounts, n_days)
        + """
import statsmodels.formula.api as smf
from lsimpact.models.event_study import prepare_panel
rows = len(panel)
t = time.perf_counter()
d, _ = prepare_panel(panel, "2023-12-14", pre=1000, post=1000)
d = d[d["group"].isin(["brand", "host", "control"])].copy()
post = (d["rel_day"] >= 0).to_numpy()
d["brand"] = ((d["group"] == "brand").to_numpy() & post) * 1.0
d["host"] = ((d["group"] == "host").to_numpy() & post) * 1.0
d["day"] = d["date"].dt.strftime("%Y%m%d")
fit = smf.ols("y ~ brand + host + C(unit) + C(day)", data=d).fit(
    cov_type="cluster", cov_kwds={"groups": pd.factorize(d["unit"])[0]})
elapsed = time.perf_counter() - t
check = float(fit.params["brand"])
""",
    }[name]
    tail = """
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": elapsed, "peak_mib": peak,
                  "check": globals().get("check")}))
"""
    return _SETUP.format(src=str(ROOT / "src")) + body + tail


def run(name: str, n_accounts: int, n_days: int) -> dict:
    """Run one task in a fresh interpreter; return its timing record."""
    proc = subprocess.run(
        [sys.executable, "-c", _task(name, n_accounts, n_days)],
        capture_output=True,
        text=True,
        env=None,
    )
    if proc.returncode != 0:
        return {"task": name, "error": proc.stderr.strip().splitlines()[-1][:120]}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"task": name, "accounts": n_accounts, "days": n_days, **out}


def main(small: bool = False) -> None:
    """Print a table of time and peak memory per task."""
    from tabulate import tabulate

    big = (2_000, 200) if small else (50_000, 200)
    plan = [
        ("generate", *big),
        ("clean", *big),
        ("es-own", *big),
        ("es-pyfixest", *big),
        ("did-own", *big),
        ("did-pyfixest", *big),
    ]
    plan += [(t, 300, 200) for t in ("did-own", "did-pyfixest", "did-statsmodels")]
    rows = []
    for name, n_acc, n_days in plan:
        t = time.perf_counter()
        rec = run(name, n_acc, n_days)
        rec["wall_s"] = time.perf_counter() - t
        rows.append(rec)
        print(json.dumps(rec), flush=True)
    print(tabulate(rows, headers="keys", floatfmt=".4g"))


if __name__ == "__main__":
    main(small="--small" in sys.argv)
