"""Seeded generator of tracker snapshot logs of follower counts, with a known incident.

The latent daily log follower count of account ``i`` on day ``d`` is

    log F[i, d] = a[i] + g[i] * d + s[i] * w[dow(d)] + c[d] + tau[i, d] + u[i, d]

with ``a`` a starting level, ``g`` trend growth, ``w`` a weekly pattern (amplitude
``s[i]``), ``c`` a common AR(1) date shock, ``u`` an account AR(1) error and ``tau`` the
incident effect. For days ``k = d - d0 >= 0`` after the incident day ``d0``::

    tau[i, d] = level[group] + slope[group] * k     (0 for controls and before d0)

in log points, so ``level`` and ``slope`` are exactly what an interrupted time series on
log followers, or an event study of log followers with account and date fixed effects,
estimate. Levels and dates are calibrated to the published East Buy / Dong Yuhui
figures in ``data/raw/published_figures.csv`` (brand main account about 31.1 million
followers before 2023-12-14 and about 28.4 million after; the star host's personal
account from 13.1 to 18.8 million in four days; a new host account opened on 2023-12-26
with about a million followers on day one and more than ten million within weeks).

The log is then made as messy as trackers' exports: several snapshots a day at jittered
times, lost snapshots and gaps of days, the count as displayed in mixed forms (plain,
"3116.0万", "3116.0w", "31,160,000", full-width digits, "3116万+" lower bounds), mixed
time formats (some in UTC with a "Z"), exact duplicate rows, and scrape glitches (a 0, or
a value off by a factor of 10) that revert at the next snapshot.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["followers_daily", "COLUMNS"]

#: Columns of the raw log, in order (a tracker's watch-list export).
COLUMNS = ["platform", "account_id", "account_name", "group", "followers", "captured_at"]

# Weekly pattern of the log level (Mon..Sun), mean zero: more follows over the weekend.
_WEEKLY = np.array([-0.6, -0.5, -0.3, -0.1, 0.2, 0.7, 0.6])
_WEEKLY = _WEEKLY - _WEEKLY.mean()
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _ar1(rng: np.random.Generator, shape: tuple[int, int], rho: float, sd: float) -> np.ndarray:
    """Stationary AR(1) series along axis 1 (vectorised over rows)."""
    e = rng.normal(0.0, sd, size=shape)
    out = np.empty(shape)
    out[:, 0] = e[:, 0] / np.sqrt(1 - rho**2)
    for t in range(1, shape[1]):  # loop over days (120), not rows
        out[:, t] = rho * out[:, t - 1] + e[:, t]
    return out


def _strings(values: Any) -> pa.Array:
    """A pyarrow string array (numbers written as ``str(int)`` would write them)."""
    arr = values if isinstance(values, pa.Array) else pa.array(values)
    return arr if arr.type == pa.string() else arr.cast(pa.string())


def _display(values: np.ndarray, kind: np.ndarray) -> pa.Array:
    """Format follower counts as trackers display them (vectorised per display kind).

    Built with pyarrow string kernels, and Python formatting only on the rows of the rare
    kinds: why: formatting every row with numpy's ``%`` and pandas string methods made
    the generator, not the cleaner, the slow part of a 10-million-row benchmark.
    """
    v = np.round(values).astype(np.int64)
    plain = _strings(v)
    big = v >= 10_000
    # "%.1f" of round(v / 1e4, 1): the integer and the tenths of the rounded value
    tenths = np.rint(np.round(v / 1e4, 1) * 10).astype(np.int64)
    s_wan = pc.binary_join_element_wise(
        _strings(tenths // 10), _strings(tenths % 10), pa.scalar(".")
    )
    res = plain
    m = (kind == 1) & big
    res = pc.if_else(pa.array(m), pc.binary_join_element_wise(s_wan, pa.scalar("万"), ""), res)
    m = (kind == 2) & big
    res = pc.if_else(pa.array(m), pc.binary_join_element_wise(s_wan, pa.scalar("w"), ""), res)
    idx = np.flatnonzero(kind == 3)
    if len(idx):
        fixed = pa.array([f"{x:,}" for x in v[idx].tolist()], type=pa.string())
        res = _put(res, idx, fixed)
    idx = np.flatnonzero(kind == 4)
    if len(idx):
        fixed = pa.array(
            [x.translate(_FULLWIDTH) for x in res.take(pa.array(idx)).to_pylist()], type=pa.string()
        )
        res = _put(res, idx, fixed)
    m = (kind == 5) & big
    wan_floor = _strings(np.floor(v / 1e4).astype(np.int64))
    res = pc.if_else(pa.array(m), pc.binary_join_element_wise(wan_floor, pa.scalar("万+"), ""), res)
    return res


def _put(arr: pa.Array, idx: np.ndarray, values: pa.Array) -> pa.Array:
    """``arr`` with the cells at positions ``idx`` replaced by ``values``."""
    mask = np.zeros(len(arr), dtype=bool)
    mask[idx] = True
    return pc.replace_with_mask(arr, pa.array(mask), values)


def _stamps(seconds: np.ndarray, fmt: str) -> pa.Array:
    """Naive timestamps (whole seconds since 1970) formatted like ``strftime(fmt)``.

    Handles ``%Y %m %d %H %M %S`` and literal text, from integer fields joined with
    pyarrow (years 1000-9999): many times faster than a per-row strftime.
    """
    day = np.floor_divide(seconds, 86_400)
    sec = seconds - day * 86_400
    date = day.astype("datetime64[D]")
    month = date.astype("datetime64[M]")
    fields = {
        "Y": (month.astype("datetime64[Y]").astype(np.int64) + 1970, 4),
        "m": (month.astype(np.int64) % 12 + 1, 2),
        "d": ((date - month.astype("datetime64[D]")).astype(np.int64) + 1, 2),
        "H": (sec // 3600, 2),
        "M": (sec // 60 % 60, 2),
        "S": (sec % 60, 2),
    }
    parts: list[pa.Array | pa.Scalar] = []
    for i, piece in enumerate(fmt.split("%")):
        if i > 0:
            values, width = fields[piece[0]]
            parts.append(pc.utf8_lpad(_strings(values), width=width, padding="0"))
            piece = piece[1:]
        if piece:
            parts.append(pa.scalar(piece))
    return pc.binary_join_element_wise(*parts, "")


def followers_daily(
    seed: int = 20231214,
    *,
    n_accounts: int = 200,
    n_brand: int = 12,
    n_host: int = 12,
    n_days: int = 120,
    start: str = "2023-10-01",
    incident: str = "2023-12-14",
    launch: str | None = "2023-12-26",
    snapshots_per_day: int = 4,
    brand_level: float = -0.09,
    brand_slope: float = -0.001,
    host_level: float = 0.30,
    host_slope: float = 0.004,
    noise_sd: float = 0.002,
    noise_rho: float = 0.5,
    missing_rate: float = 0.05,
    gap_rate: float = 0.3,
    glitch_rate: float = 0.003,
    duplicate_rate: float = 0.01,
    lower_bound_rate: float = 0.01,
    messy: bool = True,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Generate a raw follower snapshot log with a known incident effect.

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``; the same seed gives the same bytes.
    n_accounts
        Total accounts: ``n_brand`` brand accounts (the disputed company's main account
        ``brand_01`` and its matrix accounts), ``n_host`` host accounts (``host_01`` is the
        star host), one new host account ``host_new`` launched on ``launch`` (when not
        None), and controls of the same category.
    n_days, start, incident, launch
        Window length (days), first day, incident day ``d0``, launch day of ``host_new``.
    snapshots_per_day
        Scheduled captures per account and day (some are lost, see ``missing_rate``).
    brand_level, brand_slope, host_level, host_slope
        True effects in log points (level on day 0, change of the daily slope after).
    noise_sd, noise_rho
        Innovation s.d. and autocorrelation of the account AR(1) error in log points.
    missing_rate, gap_rate
        Share of snapshots lost at random; expected number of multi-day gaps per account.
    glitch_rate, duplicate_rate, lower_bound_rate
        Share of snapshots that are glitches, exact duplicates, displayed as "N万+".
    messy
        False gives a clean log (integer counts, ISO times, no glitches/duplicates/gaps).

    Returns
    -------
    (DataFrame, dict)
        The raw log (all strings, :data:`COLUMNS`) and the truth record (JSON-safe).
    """
    rng = np.random.default_rng(seed)
    n_ctrl = n_accounts - n_brand - n_host - (1 if launch else 0)
    if n_ctrl < 2 or n_brand < 1 or n_host < 1:
        raise ValueError("need at least one brand, one host and two control accounts")
    dates = pd.date_range(start, periods=n_days, freq="D")
    d0 = int((pd.Timestamp(incident) - dates[0]).days)
    if not 1 <= d0 < n_days:
        raise ValueError("the incident must fall inside the window, after its first day")
    ids = (
        [f"brand_{i + 1:02d}" for i in range(n_brand)]
        + [f"host_{i + 1:02d}" for i in range(n_host)]
        + [f"ctrl_{i + 1:03d}" for i in range(n_ctrl)]
    )
    groups = ["brand"] * n_brand + ["host"] * n_host + ["control"] * n_ctrl
    n_old = len(ids)

    # Levels: log-uniform sizes; brand_01 and host_01 calibrated to the published counts.
    log_size = rng.uniform(np.log(1e5), np.log(2e7), n_old)
    growth = rng.normal(0.0006, 0.0006, n_old)
    growth[0] = 0.0002  # brand_01: 30.5m (2023-07-28) -> 31.16m (2023-12-09)
    growth[n_brand] = 0.003  # host_01: a fast-growing personal account
    day = np.arange(n_days)
    # Anchor the level at a calibration day: brand_01 31.16m on 12-09, host_01 13.07m on 12-12.
    anchor = np.zeros(n_old, dtype=int)
    anchor[0], log_size[0] = d0 - 5, np.log(31.16e6)
    anchor[n_brand], log_size[n_brand] = d0 - 2, np.log(13.07e6)
    amp = rng.uniform(0.0, 0.004, n_old)
    common = _ar1(rng, (1, n_days), 0.7, 0.0008)[0]
    u = _ar1(rng, (n_old, n_days), noise_rho, noise_sd)
    k = day - d0
    post = (k >= 0).astype(float)
    level = np.select(
        [np.array(groups) == "brand", np.array(groups) == "host"], [brand_level, host_level], 0.0
    )
    slope = np.select(
        [np.array(groups) == "brand", np.array(groups) == "host"], [brand_slope, host_slope], 0.0
    )
    tau = post[None, :] * (level[:, None] + slope[:, None] * k[None, :])
    dow = dates.day_of_week.to_numpy()
    logf = (
        log_size[:, None]
        + growth[:, None] * (day[None, :] - anchor[:, None])
        + amp[:, None] * _WEEKLY[dow][None, :]
        + common[None, :]
        + tau
        + u
    )
    exists = np.ones_like(logf, dtype=bool)
    if launch:
        dl = int((pd.Timestamp(launch) - dates[0]).days)
        kk = np.maximum(day - dl, 0)
        # ~1.0m on day one, >10m within three weeks, then slower growth
        new = np.log(1.0e6) + np.log(13.0) * (1 - np.exp(-kk / 9.0)) + 0.002 * kk
        new = new + _ar1(rng, (1, n_days), noise_rho, noise_sd)[0]
        logf = np.vstack([logf, new])
        exists = np.vstack([exists, day >= dl])
        ids.append("host_new")
        groups.append("host")
    n_acc = len(ids)

    # Snapshots: account x day x slot, scheduled at 02/08/14/20 h (for 4 a day) + jitter.
    slot_h = (np.arange(snapshots_per_day) + 0.35) * 24.0 / snapshots_per_day
    a_idx, d_idx, s_idx = np.meshgrid(
        np.arange(n_acc), np.arange(n_days), np.arange(snapshots_per_day), indexing="ij"
    )
    a_idx, d_idx, s_idx = a_idx.ravel(), d_idx.ravel(), s_idx.ravel()
    keep = exists[a_idx, d_idx]
    if messy:
        keep &= rng.random(len(a_idx)) >= missing_rate
        # Gaps of 1-4 whole days (the tracker was down for that account).
        n_gaps = rng.poisson(gap_rate, n_acc)
        gap = np.zeros((n_acc, n_days), dtype=bool)
        for i in np.flatnonzero(n_gaps):  # a handful of accounts, not rows
            for _ in range(n_gaps[i]):
                g0 = rng.integers(1, n_days - 5)
                gap[i, g0 : g0 + rng.integers(1, 5)] = True
        keep &= ~gap[a_idx, d_idx]
    a_idx, d_idx, s_idx = a_idx[keep], d_idx[keep], s_idx[keep]
    n = len(a_idx)
    minutes = slot_h[s_idx] * 60 + rng.uniform(-40, 40, n)
    times = dates[d_idx] + pd.to_timedelta(np.round(minutes * 60), unit="s")
    intraday = rng.normal(0.0, 0.0002, n)  # capture-to-capture wobble within a day
    value = np.exp(logf[a_idx, d_idx] + intraday)

    kind = np.zeros(n, dtype=int)
    glitch = np.zeros(n, dtype=bool)
    if messy:
        kind = rng.choice(5, size=n, p=[0.55, 0.25, 0.08, 0.07, 0.05])
        kind[rng.random(n) < lower_bound_rate] = 5
        glitch = rng.random(n) < glitch_rate
        # A glitch reverts at the next snapshot: never two in a row for one account.
        glitch[1:] &= ~(glitch[:-1] & (a_idx[1:] == a_idx[:-1]))
        g_kind = rng.choice(3, size=n)
        value = np.where(glitch & (g_kind == 0), 0.0, value)
        value = np.where(glitch & (g_kind == 1), value * 10, value)
        value = np.where(glitch & (g_kind == 2), value / 10, value)
        kind[glitch] = 0
    shown = _display(value, kind)

    secs = times.to_numpy().astype("datetime64[s]").astype(np.int64)
    stamp = _stamps(secs, "%Y-%m-%d %H:%M:%S")
    if messy:
        tkind = rng.choice(3, size=n, p=[0.85, 0.10, 0.05])
        for k, fmt, shift in ((1, "%Y/%m/%d %H:%M", 0), (2, "%Y-%m-%dT%H:%M:%SZ", -8 * 3600)):
            idx = np.flatnonzero(tkind == k)
            if len(idx):
                stamp = _put(stamp, idx, _stamps(secs[idx] + shift, fmt))
    ids_a = np.array(ids, dtype=object)
    names = np.array(
        [
            f"{'品牌号' if g == 'brand' else '主播号' if g == 'host' else '同类账号'}{i.split('_')[1]}"
            for i, g in zip(ids, groups, strict=True)
        ],
        dtype=object,
    )
    take = pa.array(a_idx)
    columns = {
        "platform": pa.array(np.full(n, "douyin", dtype=object), type=pa.string()),
        "account_id": pa.array(ids_a, type=pa.string()).take(take),
        "account_name": pa.array(names, type=pa.string()).take(take),
        "group": pa.array(np.array(groups, dtype=object), type=pa.string()).take(take),
        "followers": shown,
        "captured_at": stamp,
    }
    n_out = n
    if messy and duplicate_rate > 0:
        dup = np.flatnonzero(rng.random(n) < duplicate_rate)
        order = np.concatenate([np.arange(n), dup])
        pos = np.concatenate([np.arange(n), dup]).astype(float)
        pos[n:] += 0.5  # each duplicate right after its original, as trackers re-export
        perm = pa.array(order[np.argsort(pos, kind="stable")])
        columns = {k: c.take(perm) for k, c in columns.items()}
        n_out = len(perm)
    raw = pd.DataFrame(
        {k: pd.Series(pd.arrays.ArrowStringArray(c), dtype="str") for k, c in columns.items()}
    )

    truth = {
        "generator": "lsimpact.synth.followers_daily",
        "seed": seed,
        "outcome": "log followers (natural log of the end-of-day count)",
        "effect_path": "tau(k) = level + slope * k for k = days since the incident >= 0, else 0",
        "incident_date": str(pd.Timestamp(incident).date()),
        "launch_date": None if launch is None else str(pd.Timestamp(launch).date()),
        "window": [str(dates[0].date()), str(dates[-1].date())],
        "effects": {
            "brand": {"level": brand_level, "slope": brand_slope},
            "host": {"level": host_level, "slope": host_slope},
            "control": {"level": 0.0, "slope": 0.0},
        },
        "accounts": {
            "brand": n_brand,
            "host": n_host,
            "control": n_ctrl,
            "new_host": 1 if launch else 0,
        },
        "new_account": "host_new" if launch else None,
        "n_snapshots": int(n),
        "n_glitches": int(glitch.sum()),
        "n_duplicates": int(n_out - n),
    }
    return raw, truth
