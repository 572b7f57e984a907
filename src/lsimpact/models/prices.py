"""Consumer-side price analyses: lowest price, bounce-back, price protection, discounts.

Every estimator takes tidy tables (a daily price panel as :func:`lsimpact.load` returns
``prices_daily``: one row per product x channel x date with ``paid_unit_price`` in yuan
per kg, litre or item) and returns a :class:`~lsimpact.models.results.Result` whose
``tidy()`` has the broom columns. Log points are not percent: a coefficient ``b`` in log
points is a change of ``exp(b) - 1``; tables give both where a percent is read.

- :func:`lowest_price_share`: is the live room the cheapest channel that day?
- :func:`bounce_back`: does a promotional cut persist after the promotion (stacked event
  study, robust to staggered timing, beside plain two-way fixed effects)?
- :func:`protection_refunds` / :func:`protection_summary`: what price protection owes.
- :func:`discount_depth`: live paid price against the store's the same day.
- :func:`wholesale_markup`: fresh food in the live room against wholesale quotes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from .results import TIDY_COLUMNS, Result, tidy_frame
from .twfe import demean

__all__ = [
    "BounceBackResult",
    "bounce_back",
    "discount_depth",
    "lowest_price_share",
    "promotion_starts",
    "protection_refunds",
    "protection_summary",
    "wholesale_markup",
]

TZ = "Asia/Shanghai"


# --- helpers --------------------------------------------------------------------------------
def _need(df: pd.DataFrame, cols: Sequence[str], what: str, fix: str) -> None:
    miss = [c for c in cols if c not in df.columns]
    if miss:
        raise InputError(
            f"{what} lacks column(s) {', '.join(miss)}",
            expected=", ".join(cols),
            hint=fix,
        )


def _product_col(df: pd.DataFrame) -> str:
    """``product`` (prices_daily) or ``product_id`` (raw / synthetic tables)."""
    for c in ("product", "product_id"):
        if c in df.columns:
            return c
    raise InputError(
        "the price table has no product column",
        expected="'product' or 'product_id'",
        hint="pass lsimpact.load('prices_daily')",
    )


def _daily_price_product(prices: pd.DataFrame) -> str:
    """The product column of a daily price table, once its channel, date and paid-price
    columns are checked to be there."""
    pc = _product_col(prices)
    _need(
        prices,
        [pc, "channel", "channel_type", "date", "paid_unit_price"],
        "the price table",
        "pass lsimpact.load('prices_daily')",
    )
    return pc


def _with_category(prices: pd.DataFrame, categories: Mapping[str, str] | None) -> pd.Series:
    pc = _product_col(prices)
    if categories is not None:
        return prices[pc].map(dict(categories)).fillna("unknown")
    if "category" in prices.columns:
        return prices["category"].fillna("unknown").astype(str)
    return pd.Series("all", index=prices.index)


def _boot_weights(n_groups: int, n_boot: int, seed: int | None) -> np.ndarray:
    """Cluster-bootstrap weights (B x G): how often each cluster is drawn."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_groups, size=(n_boot, n_groups))
    w = np.zeros((n_boot, n_groups))
    np.add.at(w, (np.repeat(np.arange(n_boot), n_groups), draws.ravel()), 1.0)
    return w


def _weighted_median(values: np.ndarray, groups: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Median of ``values`` under each bootstrap row of cluster weights ``w`` (B x G)."""
    order = np.argsort(values, kind="stable")
    v = values[order]
    cw = np.cumsum(w[:, groups[order]], axis=1)
    half = cw[:, -1:] / 2.0
    idx = (cw < half).sum(axis=1)
    out = v[np.minimum(idx, len(v) - 1)]
    out[cw[:, -1] == 0] = np.nan
    return out


def _share_rows(name: str, est: float, boot: np.ndarray, alpha: float) -> dict[str, float | str]:
    """A tidy row for a bootstrap statistic (percentile interval, no test)."""
    b = boot[np.isfinite(boot)]
    lo, hi = np.quantile(b, [alpha / 2, 1 - alpha / 2]) if len(b) else (np.nan, np.nan)
    return {
        "term": name,
        "estimate": est,
        "std_error": float(np.std(b, ddof=1)) if len(b) > 1 else np.nan,
        "statistic": np.nan,
        "p_value": np.nan,
        "conf_low": float(lo),
        "conf_high": float(hi),
    }


# --- lowest price ---------------------------------------------------------------------------
def _live_rows(prices: pd.DataFrame) -> pd.DataFrame:
    """Live-room rows of product-days with at least one other channel, with the verdict."""
    pc = _daily_price_product(prices)
    d = prices.loc[prices["paid_unit_price"].notna(), [pc, "channel", "channel_type", "date"]]
    # compare at a micro-yuan: unit prices are quotients, equal prices may differ in the
    # last bits when packs differ between channels
    price = prices.loc[d.index, "paid_unit_price"].to_numpy(dtype=float).round(6)
    d = d.assign(price=price, product=prices.loc[d.index, pc].to_numpy())
    key = [d["product"], d["date"]]
    g = d.groupby(key, sort=False)["price"]
    mn = g.transform("min").to_numpy()
    n_ch = g.transform("size").to_numpy()
    at_min = (price == mn).astype(int)
    n_at_min = pd.Series(at_min, index=d.index).groupby(key, sort=False).transform("sum")
    live = (d["channel_type"].to_numpy() == "live") & (n_ch >= 2)
    out = d.loc[live].copy()
    m = price[live] == mn[live]
    multi = n_at_min.to_numpy()[live] > 1
    out["verdict"] = np.where(m & ~multi, "lowest", np.where(m, "tie", "higher"))
    out["gap_pct"] = np.where(m, 0.0, (price[live] / mn[live] - 1.0) * 100.0)
    return out


def lowest_price_share(
    prices: pd.DataFrame,
    *,
    categories: Mapping[str, str] | None = None,
    n_boot: int = 999,
    seed: int | None = 20231216,
    alpha: float = 0.05,
) -> Result:
    """Share of live-room product-days on which the live room has the lowest paid price.

    The unit is a live room x product x day with at least one other channel observed that
    day. The live room is *lowest* when its paid unit price is strictly below every other
    channel's that day (the other live room included), *tied* when it equals the lowest
    other price, *higher* otherwise. Product-days of one product are not independent, so
    intervals come from a cluster bootstrap over products (``n_boot`` draws, seeded,
    percentile intervals); no test statistic is reported (``statistic``/``p_value`` NaN).

    Parameters
    ----------
    prices
        Daily panel: product (``product`` or ``product_id``), ``channel``,
        ``channel_type`` (``live``, ``store``, ``other``), ``date``, ``paid_unit_price``
        and optionally ``category``.
    categories
        product -> category, when ``prices`` has no ``category`` column.
    n_boot, seed, alpha
        Bootstrap draws, seed and 1 - confidence level.

    Returns
    -------
    Result
        Terms ``lowest: <category>``, ``tie: <category>`` (shares, 0-1) and
        ``median gap %: <category>`` (how much dearer the live room is than the cheapest
        channel on the days it is not lowest, percent), for ``all`` and each category.
        ``extra["counts"]`` has the product-days by verdict.
    """
    prices = prices.reset_index(drop=True)  # rows are matched back by position
    rows = _live_rows(prices)
    if rows.empty:
        raise InputError(
            "no live-room product-day has another channel observed the same day",
            hint="the panel needs live rows and store/other rows on the same dates",
        )
    cat = _with_category(prices, categories).loc[rows.index].to_numpy()
    rows["category"] = cat
    prod_code, prods = pd.factorize(rows["product"])
    w = _boot_weights(len(prods), n_boot, seed)
    out = []
    counts = []
    for c in ["all", *sorted(set(cat))]:
        m = np.ones(len(rows), bool) if c == "all" else cat == c
        pc = prod_code[m]
        v = rows["verdict"].to_numpy()[m]
        n_g = np.bincount(pc, minlength=len(prods)).astype(float)
        for verdict in ("lowest", "tie"):
            k_g = np.bincount(pc, weights=(v == verdict).astype(float), minlength=len(prods))
            with np.errstate(invalid="ignore", divide="ignore"):
                boot = (w @ k_g) / (w @ n_g)
            out.append(_share_rows(f"{verdict}: {c}", k_g.sum() / n_g.sum(), boot, alpha))
        hi = v == "higher"
        gaps = rows["gap_pct"].to_numpy()[m][hi]
        if hi.any():
            est = float(np.median(gaps))
            boot = _weighted_median(gaps, pc[hi], w)
        else:
            est, boot = np.nan, np.full(n_boot, np.nan)
        out.append(_share_rows(f"median gap %: {c}", est, boot, alpha))
        counts.append(
            {
                "category": c,
                "product_days": int(m.sum()),
                "products": int(len(np.unique(pc))),
                "lowest": int((v == "lowest").sum()),
                "tie": int((v == "tie").sum()),
                "higher": int(hi.sum()),
            }
        )
    return Result(
        model="Lowest-price share (live room x product-day)",
        coefs=pd.DataFrame(out, columns=TIDY_COLUMNS),
        n_obs=len(rows),
        vcov=f"cluster bootstrap over products ({n_boot} draws, percentile intervals)",
        fitted=rows,
        extra={"counts": pd.DataFrame(counts), "n_products": len(prods)},
    )


# --- bounce-back: event studies -------------------------------------------------------------
def promotion_starts(sessions: pd.DataFrame) -> pd.DataFrame:
    """First promotion day of each product x live room from a session calendar.

    Parameters
    ----------
    sessions
        ``channel``, ``start`` (datetime or text) and ``product_id`` (or ``product``).

    Returns
    -------
    DataFrame
        ``product``, ``channel``, ``event_date`` (the calendar date of the first session,
        Beijing time) and ``n_sessions``.
    """
    pc = _product_col(sessions)
    _need(sessions, [pc, "channel", "start"], "the session calendar", "columns of live_sessions")
    start = sessions["start"]
    if not pd.api.types.is_datetime64_any_dtype(start):
        start = pd.to_datetime(start, errors="coerce")
    if getattr(start.dt, "tz", None) is not None:
        start = start.dt.tz_convert(TZ).dt.tz_localize(None)
    if start.isna().any():
        row = int(np.flatnonzero(start.isna().to_numpy())[0])
        raise InputError(
            f"session row {row}: start time is not a date",
            column="start",
            expected="a date-time such as 2023-12-16 19:30",
        )
    d = pd.DataFrame(
        {"product": sessions[pc].to_numpy(), "channel": sessions["channel"].to_numpy()}
    )
    d["day"] = start.dt.normalize().to_numpy()
    g = d.groupby(["product", "channel"], sort=True)["day"]
    return pd.DataFrame({"event_date": g.min(), "n_sessions": g.nunique()}).reset_index()


@dataclass
class BounceBackResult(Result):
    """Event-time coefficients (log points) and persistence shares, with a ``plot``."""

    event: pd.DataFrame = field(default_factory=pd.DataFrame)
    persistence: pd.DataFrame = field(default_factory=pd.DataFrame)

    def plot(self, ax: Any = None, *, label: str | None = None, color: str | None = None) -> Any:
        """Event-time coefficients with 95 % intervals, in percent (``exp(b) - 1``)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        e = self.event
        pct = lambda x: (np.exp(x) - 1) * 100  # noqa: E731
        ax.fill_between(e["k"], pct(e["conf_low"]), pct(e["conf_high"]), alpha=0.2, color=color)
        ax.plot(
            e["k"], pct(e["estimate"]), marker="o", ms=3, label=label or self.model, color=color
        )
        ax.axhline(0, color="grey", lw=0.8)
        ax.axvline(-0.5, color="grey", lw=0.8, ls=":")
        ax.set_xlabel("days since the promotion (session) day")
        ax.set_ylabel("paid unit price vs the week before, %")
        return ax


def _event_panel(
    prices: pd.DataFrame, starts: pd.DataFrame, channel_type: str = "live"
) -> pd.DataFrame:
    pc = _daily_price_product(prices)
    m = (prices["channel_type"] == channel_type) & (prices["paid_unit_price"] > 0)
    d = pd.DataFrame(
        {
            "product": prices.loc[m, pc].to_numpy(),
            "channel": prices.loc[m, "channel"].to_numpy(),
            "date": pd.to_datetime(prices.loc[m, "date"]).dt.normalize().to_numpy(),
            "y": np.log(prices.loc[m, "paid_unit_price"].to_numpy(dtype=float)),
        }
    )
    if "category" in prices.columns:
        d["category"] = prices.loc[m, "category"].to_numpy()
    d = d.merge(starts[["product", "channel", "event_date"]], on=["product", "channel"], how="left")
    d0 = d["date"].min()
    d["day"] = (d["date"] - d0).dt.days.to_numpy()
    d["event_day"] = (d["event_date"] - d0).dt.days.to_numpy()  # NaN: never promoted
    d["series"] = pd.factorize(d["product"].astype(str) + "\x1f" + d["channel"].astype(str))[0]
    d["cluster"] = pd.factorize(d["product"])[0]
    return d


def _fe_ols(
    y: np.ndarray,
    X: np.ndarray,
    fes: Sequence[np.ndarray],
    cluster: np.ndarray,
    names: Sequence[str],
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """OLS with absorbed fixed effects; CRV1 covariance clustered by ``cluster``.

    Small-sample factor as fixest's: ``G/(G-1) * (N-1)/(N-K)`` with ``K`` the regressors
    plus the levels of fixed effects not nested in the clusters (the first factor, the
    unit effect, is nested in the product cluster and not counted).
    """
    Xd = demean(X, fes, tol=1e-11)
    yd = demean(y, fes, tol=1e-11)
    keep = np.abs(Xd).sum(axis=0) > 1e-10
    if not keep.all():
        bad = [n for n, k in zip(names, keep, strict=True) if not k]
        raise InputError(
            f"event-time term(s) {', '.join(bad)} have no variation (no observation there)",
            hint="shorten pre/post or check the session calendar against the panel",
        )
    xtx = Xd.T @ Xd
    bread = np.linalg.pinv(xtx)
    coef = bread @ (Xd.T @ yd)
    resid = yd - Xd @ coef
    g = int(cluster.max()) + 1
    scores = np.stack(
        [np.bincount(cluster, weights=Xd[:, j] * resid, minlength=g) for j in range(X.shape[1])],
        axis=1,
    )
    n = len(y)
    k_all = X.shape[1] + sum(len(np.unique(f)) for f in fes[1:])
    factor = g / (g - 1) * (n - 1) / max(n - k_all, 1)
    vcov = factor * bread @ (scores.T @ scores) @ bread
    return coef, vcov, n, g


def _terms(pre: int, post: int, ref: tuple[int, int]) -> list[int]:
    """Event days with a coefficient: all of ``[-pre, post]`` outside the reference window."""
    return [k for k in range(-pre, post + 1) if not ref[0] <= k <= ref[1]]


def _stacked(
    d: pd.DataFrame, pre: int, post: int, ref: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, list, int]:
    """Stacked event study (Cengiz et al. 2019): one sub-experiment per promotion day.

    Each cohort (series first promoted on day ``g``) is stacked with its clean controls:
    series never promoted, or first promoted after ``g + post`` (not yet treated during
    the whole window); already-promoted series never serve as controls, so persistent
    effects of earlier promotions cannot contaminate the comparison (the bias of plain
    two-way fixed effects under staggered timing). Fixed effects series x stack and date
    x stack; clustered by product.
    """
    ks = _terms(pre, post, ref)
    col = {k: j for j, k in enumerate(ks)}
    ev = d["event_day"].to_numpy()
    day = d["day"].to_numpy()
    cohorts = np.unique(ev[np.isfinite(ev)])
    parts = []
    for s, g in enumerate(cohorts):
        treated = ev == g
        clean = ~np.isfinite(ev) | (ev > g + post)
        m = (treated | clean) & (day >= g - pre) & (day <= g + post)
        if not (treated & m).any():
            continue
        idx = np.flatnonzero(m)
        parts.append((s, idx, treated[idx], (day[idx] - g).astype(int)))
    if not parts:
        raise InputError("no promoted series has observations inside the event window")
    n = sum(len(p[1]) for p in parts)
    X = np.zeros((n, len(ks)))
    rows = np.empty(n, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    pos = 0
    for s, idx, tr, k in parts:
        r = np.arange(pos, pos + len(idx))
        sel = tr & ~((k >= ref[0]) & (k <= ref[1]))
        X[r[sel], [col[v] for v in k[sel]]] = 1.0
        rows[r], stack[r] = idx, s
        pos += len(idx)
    n_series = int(d["series"].max()) + 1
    n_day = int(day.max()) + 1
    unit = pd.factorize(stack * n_series + d["series"].to_numpy()[rows])[0]
    time = pd.factorize(stack * n_day + day[rows])[0]
    coef, vcov, n_obs, g = _fe_ols(
        d["y"].to_numpy()[rows],
        X,
        [unit, time],
        d["cluster"].to_numpy()[rows],
        [f"k={k}" for k in ks],
    )
    return coef, vcov, ks, n_obs if g else 0


def _twfe(
    d: pd.DataFrame, pre: int, post: int, ref: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, list, int]:
    """Plain two-way fixed effects event study on the whole panel (endpoints binned)."""
    ks = _terms(pre, post, ref)
    col = {k: j for j, k in enumerate(ks)}
    rel = d["day"].to_numpy() - d["event_day"].to_numpy()
    treated = np.isfinite(rel)
    k = np.clip(np.where(treated, rel, 0), -pre, post).astype(int)
    X = np.zeros((len(d), len(ks)))
    sel = treated & ~((k >= ref[0]) & (k <= ref[1]))
    X[np.flatnonzero(sel), [col[v] for v in k[sel]]] = 1.0
    coef, vcov, n_obs, _ = _fe_ols(
        d["y"].to_numpy(),
        X,
        [d["series"].to_numpy(), d["day"].to_numpy()],
        d["cluster"].to_numpy(),
        [f"k={v}" for v in ks],
    )
    return coef, vcov, ks, n_obs


def bounce_back(
    prices: pd.DataFrame,
    sessions: pd.DataFrame,
    *,
    method: str = "stacked",
    pre: int = 14,
    post: int = 35,
    horizons: Sequence[int] = (7, 30),
    ref: tuple[int, int] = (-7, -1),
    category: str | None = None,
    alpha: float = 0.05,
) -> BounceBackResult:
    """Event study of the log paid unit price around a live room's promotion.

    The promotion day ``k = 0`` is the calendar day of the series' first session (the
    session price holds for the session; the promotion ends with it). For each live-room
    series (product x live room) the model is::

        log p[s, t] = alpha[s] + lambda[t] + sum_{k not in ref} beta[k] * 1[t - t0[s] = k] + e

    so ``beta[k]`` is the change in log points relative to the reference week before the
    promotion (days -7..-1 by default: pooled, because a scraped panel rarely has every
    series on the one day before, and a single noisy reference day would shift every
    coefficient by the same error), against series not promoted at the time. ``method="stacked"`` estimates it as a stacked event study
    (one sub-experiment per promotion day with clean controls; fixed effects series x
    stack and date x stack), valid when promotions start on different days and their
    effects differ; ``method="twfe"`` is plain two-way fixed effects on the whole panel
    (endpoints binned), biased under staggered timing with persistent effects, shown for
    comparison. Standard errors are clustered by product (CRV1, t(G-1) intervals).

    Persistence ``h`` days after the promotion ends is the share of the promotional cut
    still in place, ``beta[h] / beta[0]`` (in log points), with a delta-method interval
    from the clustered covariance.

    Parameters
    ----------
    prices
        Daily panel (``product``/``product_id``, ``channel``, ``channel_type``, ``date``,
        ``paid_unit_price``; ``category`` to use ``category=``).
    sessions
        Session calendar (``product_id``, ``channel``, ``start``), or the output of
        :func:`promotion_starts`.
    method
        ``"stacked"`` (default) or ``"twfe"``.
    pre, post
        Event window in days.
    ref
        Reference window ``(first, last)`` of pre-promotion days (no coefficient).
    horizons
        Days after the promotion for the persistence shares (each ``<= post``).
    category
        Restrict to one category (controls from the same category).

    Returns
    -------
    BounceBackResult
        ``tidy()``: terms ``k=<day>`` (log points), ``cut_pct`` (``exp(beta[0]) - 1``,
        percent) and ``persistence_<h>d`` (share of the cut still in place).
    """
    if method not in ("stacked", "twfe"):
        raise InputError(f"unknown method {method!r}", expected="'stacked' or 'twfe'")
    if any(h > post or h < 1 for h in horizons):
        raise InputError("every horizon must be between 1 and post", expected=f"1..{post}")
    starts = sessions if "event_date" in sessions.columns else promotion_starts(sessions)
    d = _event_panel(prices, starts)
    if category is not None:
        if "category" not in d.columns:
            raise InputError("category= needs a 'category' column in the price table")
        d = d[d["category"] == category].reset_index(drop=True)
        d["series"] = pd.factorize(d["series"])[0]
        d["cluster"] = pd.factorize(d["cluster"])[0]
    if d.empty or not np.isfinite(d["event_day"]).any():
        raise InputError("no promoted live-room series in the price table")
    fit = _stacked if method == "stacked" else _twfe
    if not -pre <= ref[0] <= ref[1] < 0:
        raise InputError(f"ref={ref!r} must be a window of days before 0 inside the pre-period")
    coef, vcov, ks, n_obs = fit(d, pre, post, tuple(ref))
    g = int(d["cluster"].nunique())
    se = np.sqrt(np.diag(vcov))
    names = [f"k={k}" for k in ks]
    tab = tidy_frame(names, coef, se, df_resid=g - 1, alpha=alpha)
    q = stats.t(g - 1).ppf(1 - alpha / 2)
    i0 = ks.index(0)
    b0, v00 = coef[i0], vcov[i0, i0]
    extra_rows = [
        {
            "term": "cut_pct",
            "estimate": (np.exp(b0) - 1) * 100,
            "std_error": np.exp(b0) * np.sqrt(v00) * 100,
            "statistic": b0 / np.sqrt(v00),
            "p_value": 2 * stats.t(g - 1).sf(abs(b0 / np.sqrt(v00))),
            "conf_low": (np.exp(b0 - q * np.sqrt(v00)) - 1) * 100,
            "conf_high": (np.exp(b0 + q * np.sqrt(v00)) - 1) * 100,
        }
    ]
    pers = []
    for h in horizons:
        ih = ks.index(h)
        r = coef[ih] / b0
        grad = np.zeros(len(coef))
        grad[ih], grad[i0] = 1 / b0, -coef[ih] / b0**2
        s = float(np.sqrt(grad @ vcov @ grad))
        row = {
            "term": f"persistence_{h}d",
            "estimate": r,
            "std_error": s,
            "statistic": r / s,
            "p_value": 2 * stats.t(g - 1).sf(abs(r / s)),
            "conf_low": r - q * s,
            "conf_high": r + q * s,
        }
        extra_rows.append(row)
        pers.append({"horizon_days": h, **{k: v for k, v in row.items() if k != "term"}})
    coefs = pd.concat([tab, pd.DataFrame(extra_rows)], ignore_index=True)
    event = tab.assign(k=ks)
    base = pd.DataFrame({"k": list(range(ref[0], ref[1] + 1))}).assign(
        estimate=0.0, conf_low=0.0, conf_high=0.0
    )
    event = pd.concat([event, base]).sort_values("k", ignore_index=True)
    label = "Stacked event study" if method == "stacked" else "TWFE event study"
    return BounceBackResult(
        model=label + (f" ({category})" if category else ""),
        coefs=coefs,
        n_obs=n_obs,
        vcov="cluster: product (CRV1)",
        fitted={"coef": coef, "vcov": vcov, "k": ks},
        extra={
            "n_products": g,
            "n_series": int(d["series"].nunique()),
            "n_promoted": int(d.loc[np.isfinite(d["event_day"]), "series"].nunique()),
            "window": (-pre, post),
        },
        event=event,
        persistence=pd.DataFrame(pers),
    )


# --- price protection ---------------------------------------------------------------------
def _beijing(s: pd.Series, name: str, table: str) -> np.ndarray:
    """Times as int64 ns of Beijing wall time; tz-aware times are converted first."""
    t = s
    if not pd.api.types.is_datetime64_any_dtype(t):
        t = pd.to_datetime(t, errors="coerce", format="mixed")
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert(TZ).dt.tz_localize(None)
    if t.isna().any():
        row = int(np.flatnonzero(t.isna().to_numpy())[0])
        raise InputError(
            f"{table} row {row}: {name} is missing or not a time",
            column=name,
            expected="a date-time, Beijing time unless it carries an offset",
        )
    return t.to_numpy(dtype="datetime64[ns]").astype(np.int64)


def _numeric(s: pd.Series, name: str, table: str, *, positive: bool = False) -> np.ndarray:
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(v) | (v <= 0 if positive else v < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{table} row {row}: {name} {s.iloc[row]!r} is not a "
            + ("positive" if positive else "non-negative")
            + " number",
            column=name,
            expected="a number in yuan (parse prices with lsimpact.parse.parse_money first)"
            if name != "quantity"
            else "a positive number of packs",
        )
    return v


def protection_refunds(
    purchases: pd.DataFrame, prices: pd.DataFrame, window_days: float = 7
) -> pd.DataFrame:
    """What price protection (价保) owes each purchase.

    The rule: for a purchase of ``quantity`` packs of a product in a channel at
    ``paid_price`` per pack at time ``purchased_at``, look at the prices of the **same
    product in the same channel** observed in the half-open window
    ``(purchased_at, purchased_at + window_days x 24 h]`` (a price seen at the purchase
    instant does not count; one seen exactly at the window's end does). The refund is
    ``quantity x max(0, paid_price - lowest such price)``; one refund per purchase (the
    lowest price in the window, however many drops). Times are Beijing time: naive times
    are read as Beijing wall time, times with a zone are converted to it.

    Vectorised: prices are sorted by (product, channel, time) once; each purchase's
    window becomes a row range found by binary search, and the lowest price of every
    range is read from a sparse table of range minima (O(n log n) build, O(1) per
    purchase) -- no loop over purchases.

    Parameters
    ----------
    purchases
        ``purchase_id, product_id, channel, purchased_at, paid_price, quantity``.
    prices
        ``product_id, channel, observed_at, paid_price`` (per pack, as purchases).
    window_days
        Length of the protection window in days (platforms use 7, 15 or 30).

    Returns
    -------
    DataFrame
        One row per purchase in input order: ``purchase_id``, ``refund`` (yuan),
        ``reference_price`` (lowest price in the window; NaN when no price was observed
        in it) and ``reference_observed_at`` (when it was first observed at that price,
        Beijing time; NaT when none).
    """
    _need(
        purchases,
        ["purchase_id", "product_id", "channel", "purchased_at", "paid_price", "quantity"],
        "the purchase table",
        "one row per order",
    )
    _need(
        prices,
        ["product_id", "channel", "observed_at", "paid_price"],
        "the price table",
        "one row per observed price (per pack, as in purchases)",
    )
    if not np.isfinite(window_days) or window_days <= 0:
        raise InputError(f"window_days must be positive, got {window_days!r}")
    dup = purchases["purchase_id"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"purchase row {row}: purchase_id {purchases['purchase_id'].iloc[row]!r} repeats",
            column="purchase_id",
            expected="one row per purchase",
        )
    for table, df in (("purchase", purchases), ("price", prices)):
        for col in ("product_id", "channel"):
            miss = df[col].isna() | df[col].astype(str).str.strip().eq("")
            if miss.any():
                row = int(np.flatnonzero(miss.to_numpy())[0])
                raise InputError(
                    f"{table} row {row}: {col} is missing",
                    column=col,
                    expected="every purchase and price names its product and channel",
                )
    t_buy = _beijing(purchases["purchased_at"], "purchased_at", "purchase")
    paid = _numeric(purchases["paid_price"], "paid_price", "purchase")
    qty = _numeric(purchases["quantity"], "quantity", "purchase", positive=True)
    t_obs = _beijing(prices["observed_at"], "observed_at", "price")
    pv = _numeric(prices["paid_price"], "paid_price", "price")

    # one code per product x channel over both tables (factorised column by column:
    # cheaper than joining strings)
    pcode = pd.factorize(
        pd.concat([prices["product_id"], purchases["product_id"]], ignore_index=True)
    )[0].astype(np.int64)
    ccode, chans = pd.factorize(
        pd.concat([prices["channel"], purchases["channel"]], ignore_index=True)
    )
    codes = pcode * max(len(chans), 1) + ccode
    g_price, g_buy = codes[: len(prices)], codes[len(prices) :]
    order = np.lexsort((t_obs, g_price))
    gp, tp, vp = g_price[order], t_obs[order], pv[order]
    n_b = len(paid)
    win = np.int64(round(window_days * 86_400 * 1e9))

    # Rows of prices with key <= (g, t), by binary search on one int64 key: the group
    # code times the number of distinct times plus the time's rank (ranks keep the
    # order of times exactly, at nanosecond precision, without overflow).
    t_end = t_buy + win
    allt = np.concatenate([tp, t_buy, t_end])
    o = np.argsort(allt, kind="stable")
    rank = np.empty(len(allt), dtype=np.int64)
    rank[o] = np.cumsum(np.concatenate([[0], np.diff(allt[o]) != 0]))  # dense rank
    n_u = np.int64(rank.max() + 1 if len(rank) else 1)
    n_g = np.int64(int(codes.max()) + 1 if len(codes) else 1)
    if n_g > np.iinfo(np.int64).max // max(n_u, 1):  # pragma: no cover - astronomically large
        raise InputError("too many product x channel series and distinct times for one key")
    n_pr = len(tp)
    pkey = gp * n_u + rank[:n_pr]  # sorted: prices are in (series, time) order

    def n_at_or_before(r: np.ndarray) -> np.ndarray:
        q = g_buy * n_u + r
        oq = np.argsort(q, kind="stable")  # sorted queries: a cache-friendly search
        out = np.empty(len(q), dtype=np.int64)
        out[oq] = np.searchsorted(pkey, q[oq], side="right")
        return out

    lo = n_at_or_before(rank[n_pr : n_pr + n_b])  # first price strictly after the purchase
    hi = n_at_or_before(rank[n_pr + n_b :])  # one past the last price at or before the end
    ref_idx = _range_argmin(vp, lo, hi)
    has = ref_idx >= 0
    ref_price = np.full(n_b, np.nan)
    ref_price[has] = vp[ref_idx[has]]
    ref_time = np.full(n_b, np.iinfo(np.int64).min, dtype=np.int64)  # NaT
    ref_time[has] = tp[ref_idx[has]]
    refund = np.where(has, qty * np.maximum(0.0, paid - np.where(has, ref_price, 0.0)), 0.0)
    return pd.DataFrame(
        {
            "purchase_id": purchases["purchase_id"].to_numpy(),
            "refund": refund,
            "reference_price": ref_price,
            "reference_observed_at": ref_time.view("datetime64[ns]"),
        }
    )


def _range_argmin(v: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Index of the minimum of ``v[lo:hi]`` for every range (-1 when empty).

    Sparse table of argmins (ties to the earlier index): level ``j`` holds the argmin of
    ``v[i : i + 2**j]``; a range is covered by two overlapping blocks of one level.
    """
    n = len(v)
    out = np.full(len(lo), -1, dtype=np.int64)
    length = hi - lo
    ok = length > 0
    if n == 0 or not ok.any():
        return out
    levels = [np.arange(n, dtype=np.int64)]
    span = 1
    max_len = int(length.max())
    while span * 2 <= max_len:  # only as many levels as the longest window needs
        prev = levels[-1]  # argmin of v[i : i + span], i = 0 .. n - span
        m = n - 2 * span + 1
        a, b = prev[:m], prev[span : span + m]
        levels.append(np.where(v[b] < v[a], b, a))
        span *= 2
    j = np.floor(np.log2(np.maximum(length, 1))).astype(np.int64)
    for lev in np.unique(j[ok]):
        m = ok & (j == lev)
        tab = levels[lev]
        a = tab[lo[m]]
        b = tab[hi[m] - (1 << lev)]
        out[m] = np.where(v[b] < v[a], b, a)
    return out


def protection_summary(
    purchases: pd.DataFrame,
    prices: pd.DataFrame,
    windows: Sequence[float] = (7, 15, 30),
    *,
    alpha: float = 0.05,
) -> Result:
    """Totals and the share of buyers owed money under price protection, by window length.

    Parameters
    ----------
    purchases, prices
        As :func:`protection_refunds`; ``buyer_id`` counts buyers (else each purchase is
        its own buyer).
    windows
        Window lengths in days (JD labels 7, 15, 30 and 90 days; Tmall's 618 rule 15).

    Returns
    -------
    Result
        Per window ``w``: ``refund_total_<w>d`` (yuan), ``refund_share_of_spend_<w>d``
        (percent of what the purchases cost), ``share_purchases_owed_<w>d`` and
        ``share_buyers_owed_<w>d`` (0-1, Wilson intervals treating buyers as
        independent), ``mean_refund_if_owed_<w>d`` (yuan). Totals are descriptive (no
        interval). ``extra["refunds"]`` holds the per-purchase tables by window.
    """
    buyers = purchases["buyer_id"] if "buyer_id" in purchases.columns else purchases["purchase_id"]
    spend = (
        pd.to_numeric(purchases["paid_price"], errors="coerce")
        * pd.to_numeric(purchases["quantity"], errors="coerce")
    ).sum()
    rows, per = [], {}
    z = stats.norm.ppf(1 - alpha / 2)

    def wilson(k: int, n: int) -> tuple[float, float]:
        p = k / n
        c = (p + z * z / (2 * n)) / (1 + z * z / n)
        h = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return c - h, c + h

    nan = np.nan
    for w in windows:
        r = protection_refunds(purchases, prices, window_days=w)
        per[w] = r
        owed = r["refund"].to_numpy() > 0
        tag = f"{w:g}d"
        tot = float(r["refund"].sum())
        by_buyer = pd.Series(owed).groupby(buyers.to_numpy()).any()
        kb, nb = int(by_buyer.sum()), len(by_buyer)
        kp, np_ = int(owed.sum()), len(owed)
        lb, ub = wilson(kb, nb)
        lp, up = wilson(kp, np_)
        rows += [
            [f"refund_total_{tag}", tot, nan, nan, nan, nan, nan],
            [f"refund_share_of_spend_{tag}", tot / spend * 100, nan, nan, nan, nan, nan],
            [f"share_purchases_owed_{tag}", kp / np_, nan, nan, nan, lp, up],
            [f"share_buyers_owed_{tag}", kb / nb, nan, nan, nan, lb, ub],
            [
                f"mean_refund_if_owed_{tag}",
                float(r["refund"][owed].mean()) if kp else nan,
                nan,
                nan,
                nan,
                nan,
                nan,
            ],
        ]
    return Result(
        model="Price-protection refunds",
        coefs=pd.DataFrame(rows, columns=TIDY_COLUMNS),
        n_obs=len(purchases),
        vcov="descriptive totals; Wilson intervals for shares",
        extra={"refunds": per, "n_buyers": int(buyers.nunique()), "spend": float(spend)},
    )


# --- discount depth -------------------------------------------------------------------------
def discount_depth(
    prices: pd.DataFrame,
    *,
    example: tuple[float, float] = (128.0, 88.0),
    promoted_only: bool = True,
    quantiles: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9),
    n_boot: int = 999,
    seed: int | None = 20231216,
    alpha: float = 0.05,
) -> Result:
    """Live paid price against the same product's store price the same day.

    The discount is ``1 - live / store`` (paid unit prices, percent), on every live-room
    product-day with the store observed the same day (``promoted_only=True``: only days a
    live session promoted the product, column ``promoted``). ``example`` (list, paid) is
    placed in the distribution: its cut ``1 - paid / list`` and the share of product-days
    with a smaller discount (its percentile rank).

    Returns
    -------
    Result
        Terms ``q<NN>`` (quantiles of the discount, %), ``mean`` (%), ``example_cut``
        (%) and ``example_rank`` (share of product-days with a smaller discount);
        cluster-bootstrap (products) percentile intervals. ``fitted`` holds the pairs.
    """
    pc = _product_col(prices)
    _need(
        prices, [pc, "channel_type", "date", "paid_unit_price"], "the price table", "prices_daily"
    )
    live = prices[prices["channel_type"] == "live"]
    if promoted_only:
        if "promoted" not in prices.columns:
            raise InputError("promoted_only=True needs the 'promoted' column (prices_daily)")
        live = live[live["promoted"].astype(bool)]
    store = prices[prices["channel_type"] == "store"]
    store = store.groupby([pc, "date"], as_index=False)["paid_unit_price"].min()
    pairs = live[[pc, "channel", "date", "paid_unit_price"]].merge(
        store, on=[pc, "date"], suffixes=("_live", "_store")
    )
    if pairs.empty:
        raise InputError("no live-room product-day has the store observed the same day")
    disc = (1 - pairs["paid_unit_price_live"] / pairs["paid_unit_price_store"]).to_numpy() * 100
    pairs["discount_pct"] = disc
    code, prods = pd.factorize(pairs[pc])
    w = _boot_weights(len(prods), n_boot, seed)
    ex_cut = (1 - example[1] / example[0]) * 100
    rows = []
    order = np.argsort(disc, kind="stable")
    ds, cs = disc[order], code[order]
    cw = np.cumsum(w[:, cs], axis=1)
    tot = cw[:, -1:]
    for q in quantiles:
        idx = np.minimum((cw < q * tot).sum(axis=1), len(ds) - 1)
        rows.append(
            _share_rows(f"q{int(round(q * 100)):02d}", float(np.quantile(disc, q)), ds[idx], alpha)
        )
    n_g = np.bincount(code, minlength=len(prods)).astype(float)
    s_g = np.bincount(code, weights=disc, minlength=len(prods))
    rows.append(_share_rows("mean", float(disc.mean()), (w @ s_g) / (w @ n_g), alpha))
    below = np.bincount(code, weights=(disc < ex_cut).astype(float), minlength=len(prods))
    rows.append(
        {
            "term": "example_cut",
            "estimate": ex_cut,
            "std_error": np.nan,
            "statistic": np.nan,
            "p_value": np.nan,
            "conf_low": np.nan,
            "conf_high": np.nan,
        }
    )
    rows.append(
        _share_rows("example_rank", float((disc < ex_cut).mean()), (w @ below) / (w @ n_g), alpha)
    )
    return Result(
        model="Discount of the live room against the store (same product, same day)",
        coefs=pd.DataFrame(rows, columns=TIDY_COLUMNS),
        n_obs=len(pairs),
        vcov=f"cluster bootstrap over products ({n_boot} draws)",
        fitted=pairs,
        extra={"n_products": len(prods), "promoted_only": promoted_only},
    )


# --- wholesale reference --------------------------------------------------------------------
def wholesale_markup(
    prices: pd.DataFrame,
    wholesale: pd.DataFrame,
    groups: Mapping[str, str],
    *,
    channel_type: str = "live",
    max_days: int = 3,
    alpha: float = 0.05,
) -> Result:
    """Live unit price of fresh food over the wholesale average of its product group.

    The markup ratio is ``paid_unit_price / price_avg`` with the wholesale average of the
    group on the same date (or the latest quote up to ``max_days`` before: markets do
    not quote every day; several quotes of a day are averaged), in the same unit (yuan
    per kg or per item; rows whose units differ are left out). It is not a margin: retail
    adds cold-chain logistics, packaging, platform fees and returns on top of the
    wholesale price, so a ratio above 1 is expected and says nothing on its own about
    excess profit.

    Parameters
    ----------
    prices
        Daily panel with ``paid_unit_price`` and ``price_unit`` (``kg``/``item``).
    wholesale
        Cleaned quotes (``wholesale_prices``): ``product``, ``date``, ``price_avg``,
        ``price_unit``.
    groups
        Product id -> wholesale product name (品名), for the fresh products to compare.
    channel_type
        Channel type of the retail prices (``live`` by default).

    Returns
    -------
    Result
        Per group and ``all``: ``markup: <group>`` = geometric mean ratio
        ``exp(mean log ratio)`` with a product-clustered interval (t(G-1)); the test is
        of ratio = 1. ``fitted`` holds the matched rows.
    """
    pc = _product_col(prices)
    _need(
        prices,
        [pc, "channel_type", "date", "paid_unit_price", "price_unit"],
        "the price table",
        "prices_daily",
    )
    _need(
        wholesale,
        ["product", "date", "price_avg", "price_unit"],
        "the wholesale table",
        "wholesale_prices",
    )
    p = prices[(prices["channel_type"] == channel_type) & prices[pc].isin(list(groups))].copy()
    p["group"] = p[pc].map(dict(groups))
    p["date"] = pd.to_datetime(p["date"]).dt.normalize()
    w = wholesale.dropna(subset=["price_avg"]).copy()
    w["date"] = pd.to_datetime(w["date"]).dt.normalize()
    w = w.groupby(["product", "price_unit", "date"], as_index=False)["price_avg"].mean()
    w = w.rename(columns={"product": "group", "price_unit": "w_unit"}).sort_values("date")
    p = p.sort_values("date")
    m = pd.merge_asof(
        p,
        w,
        on="date",
        by="group",
        tolerance=pd.Timedelta(days=max_days),
        direction="backward",
    )
    m = m[m["price_avg"].notna() & (m["w_unit"] == m["price_unit"])]
    if m.empty:
        raise InputError(
            f"no fresh product matched a wholesale quote in the same unit within {max_days} days",
            hint="check groups= (product id -> 品名) and the units (kg / item)",
        )
    m["ratio"] = m["paid_unit_price"] / m["price_avg"]
    m["log_ratio"] = np.log(m["ratio"])
    rows = []
    for gname in ["all", *sorted(m["group"].unique())]:
        s = m if gname == "all" else m[m["group"] == gname]
        code = pd.factorize(s[pc])[0]
        g = code.max() + 1
        lr = s["log_ratio"].to_numpy()
        mu = lr.mean()
        if g > 1:
            e = np.bincount(code, weights=lr - mu, minlength=g)
            se = float(np.sqrt(g / (g - 1) * (e @ e)) / len(lr))
            q = stats.t(g - 1).ppf(1 - alpha / 2)
            p_val = 2 * stats.t(g - 1).sf(abs(mu / se)) if se > 0 else np.nan
        else:
            se, q, p_val = np.nan, np.nan, np.nan
        rows.append(
            {
                "term": f"markup: {gname}",
                "estimate": float(np.exp(mu)),
                "std_error": float(np.exp(mu) * se),
                "statistic": mu / se if se else np.nan,
                "p_value": p_val,
                "conf_low": float(np.exp(mu - q * se)),
                "conf_high": float(np.exp(mu + q * se)),
            }
        )
    return Result(
        model="Markup ratio of live fresh-food prices over wholesale (geometric mean)",
        coefs=pd.DataFrame(rows, columns=TIDY_COLUMNS),
        n_obs=len(m),
        vcov="cluster: product (CR1 on the mean log ratio)",
        fitted=m,
        extra={
            "caveat": "retail adds cold-chain logistics, packaging, platform fees and "
            "returns to the wholesale price: a ratio above 1 is not a margin",
        },
    )
