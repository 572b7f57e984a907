"""Two-way fixed-effects regressions from compressed sufficient statistics.

When every regressor is a function of a unit's **group** and the **date** (a saturated
event study: ``1[i in g, t - t0 = k]``; a DiD: ``1[i in g] * post_t``), the OLS estimate
with unit and date fixed effects depends on the data only through

* for every *pattern* ``c`` (units of one group observed on the same set of dates), the
  number of units ``m_c`` and, per date, the sum of their outcomes ``S_ct``
  (plus the sum of squares, for the residual sum of squares);

and its cluster-robust (by unit, CRV1) covariance through one more per-unit piece, the
K-vector ``u_i = sum_t Xt[c(i), t] * y[i, t]`` of the outcome weighted by the two-way
residualised regressors. So the estimation runs on group x date cells and on a units x K
table, both small, obtained by ``groupby`` sums that pandas, Dask or a database compute
without holding the account-days in memory.

Why it is exact: after the unit effects are eliminated within each unit (subtracting the
unit's mean over its own dates), units of one pattern share their demeaned regressors,
so the normal equations sum ``y`` over units within (pattern, date) cells. A unit
observed on dates ``first..last`` without gaps has the pattern (group, first, last); a
unit with gaps is its own pattern, so the route stays exact on any panel and compresses
as much as the panel is balanced. Points equal the full-data fit to rounding (1e-10);
clustered standard errors too, because every unit (cluster) keeps its own ``u_i``.

When it does **not** apply: a regressor that varies within (group, date), such as an
account-level covariate or a continuous treatment dose per account, breaks the
compression (the design is no longer saturated in group x date); clustering by something
other than the unit (or a coarser level that nests units) needs per-cluster pieces for
that level instead; weights other than one per account-day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .twfe import TwfeFit

__all__ = ["Compressed", "compress", "did_design", "event_design", "twfe_compressed"]

#: Largest cells x dates array the solver builds (8 bytes each: 1.6 GB).
_MAX_DENSE = 200_000_000


@dataclass
class Compressed:
    """Sufficient statistics of a panel for group x date designs.

    ``cells``: one row per (pattern, date) with ``pattern``, ``group``, ``date``, ``n``
    (units = rows), ``sum_y``, ``sum_y2``. ``units``: one row per unit with its
    ``pattern`` (needed for the clustered covariance's second pass).
    """

    cells: pd.DataFrame
    units: pd.DataFrame
    n_rows: int

    @property
    def ratio(self) -> float:
        """Rows per cell: how much the panel compressed."""
        return self.n_rows / max(len(self.cells), 1)


def _collect(obj: Any) -> pd.DataFrame:
    """A pandas frame from a pandas or Dask result."""
    return obj.compute() if hasattr(obj, "compute") else obj


def compress(
    data: Any,
    *,
    unit: str = "unit",
    time: str = "date",
    group: str = "group",
    y: str = "y",
) -> Compressed:
    """Compress a long panel (pandas or Dask dataframe) to pattern x date cells.

    Two ``groupby`` passes: per unit (group, first and last date, number of dates) and
    per (pattern, date) (count, sum, sum of squares). Dates are compared as integer day
    numbers, so the panel must have at most one row per unit and date.
    """
    d = data[[unit, time, group, y]]
    day = d[time].astype("datetime64[ns]").astype("int64") // 86_400_000_000_000
    d = d.assign(_day=day)
    per_unit = _collect(
        d.groupby(unit).agg(
            group=(group, "min"),
            group_max=(group, "max"),
            first=("_day", "min"),
            last=("_day", "max"),
            n=("_day", "count"),
        )
    ).sort_index()
    two = per_unit["group"] != per_unit["group_max"]
    if two.any():
        bad = per_unit.index[two][0]
        raise InputError(
            f"unit {bad!r} belongs to more than one group",
            column=group,
            expected="one group per unit (the design is a function of group and date)",
        )
    contiguous = per_unit["n"] == per_unit["last"] - per_unit["first"] + 1
    # A pattern: group + first + last for units without gaps; the unit itself otherwise.
    key = np.where(
        contiguous,
        per_unit["group"].astype(str)
        + "|"
        + per_unit["first"].astype(str)
        + "|"
        + per_unit["last"].astype(str),
        "unit|" + per_unit.index.astype(str),
    )
    units = pd.DataFrame(
        {"pattern": pd.factorize(key, sort=True)[0], "group": per_unit["group"].to_numpy()},
        index=per_unit.index,
    )
    units.index.name = unit
    with_key = d.merge(units[["pattern"]], left_on=unit, right_index=True, how="left")
    cells = _collect(
        with_key.assign(_y2=with_key[y] * with_key[y])
        .groupby(["pattern", "_day"])
        .agg(n=(y, "count"), sum_y=(y, "sum"), sum_y2=("_y2", "sum"))
        .reset_index()
    )
    n_rows = int(cells["n"].sum())
    if n_rows != int(per_unit["n"].sum()):
        raise InputError(
            "the panel has more than one row for some unit and date",
            expected="one row per unit and date",
        )
    cells = cells.sort_values(["pattern", "_day"], kind="stable").reset_index(drop=True)
    pat_group = units.drop_duplicates("pattern").set_index("pattern")["group"]
    cells["group"] = pat_group.reindex(cells["pattern"]).to_numpy()
    cells["date"] = cells["_day"].to_numpy().astype("datetime64[D]").astype("datetime64[ns]")
    cells = cells.drop(columns="_day")[["pattern", "group", "date", "n", "sum_y", "sum_y2"]]
    return Compressed(cells, units, n_rows)


def event_design(
    incident: str | pd.Timestamp, groups: Sequence[str], pre: int, post: int, ref: int = -1
) -> tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], list[str]]:
    """Regressors ``1[group = g, date - incident = k]`` (k in [-pre, post], k != ref),
    named ``"g:k"`` as in :func:`lsimpact.models.event_study`."""
    t0 = pd.Timestamp(incident)
    days = [k for k in range(-pre, post + 1) if k != ref]
    names = [f"{g}:{k}" for g in groups for k in days]

    def design(group: np.ndarray, date: np.ndarray) -> np.ndarray:
        rel = (pd.DatetimeIndex(date) - t0).days.to_numpy()
        cols = [(group == g) & (rel == k) for g in groups for k in days]
        return np.column_stack(cols).astype(float)

    return design, names


def did_design(
    incident: str | pd.Timestamp, groups: Sequence[str]
) -> tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], list[str]]:
    """Regressors ``1[group = g] * 1[date >= incident]`` (as :func:`models.did`)."""
    t0 = pd.Timestamp(incident)

    def design(group: np.ndarray, date: np.ndarray) -> np.ndarray:
        post = np.asarray(pd.DatetimeIndex(date) >= t0)
        return np.column_stack([(group == g) & post for g in groups]).astype(float)

    return design, list(groups)


def _weighted_within(z: np.ndarray, pattern: np.ndarray, n_pat_dates: np.ndarray) -> np.ndarray:
    """``z`` minus its mean over the dates of each pattern (the within-unit transform)."""
    k = z.shape[1]
    means = (
        np.column_stack(
            [np.bincount(pattern, weights=z[:, j], minlength=len(n_pat_dates)) for j in range(k)]
        )
        / n_pat_dates[:, None]
    )
    return z - means[pattern]


def twfe_compressed(
    comp: Compressed,
    design: Callable[[np.ndarray, np.ndarray], np.ndarray],
    names: Sequence[str],
    data: Any = None,
    *,
    unit: str = "unit",
    time: str = "date",
    y: str = "y",
) -> TwfeFit:
    """Unit and date FE regression from :func:`compress`'s cells, clustered by unit.

    Parameters
    ----------
    comp
        The compressed panel.
    design
        ``(group, date) -> X`` for the cells (see :func:`event_design`, :func:`did_design`).
    names
        Regressor names.
    data
        The long panel again (pandas or Dask), for the clustered covariance: one more
        ``groupby(unit)`` pass makes the per-unit pieces. None: points only (``vcov`` NaN).

    Returns
    -------
    TwfeFit
        Same coefficients, clustered covariance (CRV1, fixest small-sample factor), number
        of observations and clusters as :func:`lsimpact.models.twfe.twfe` on the
        full data (``resid`` is empty: the rows are not held).
    """
    c = comp.cells
    pattern = c["pattern"].to_numpy()
    n_pat = int(pattern.max()) + 1
    m_rows = c["n"].to_numpy(dtype=float)  # rows of the cell = units of the pattern
    s = c["sum_y"].to_numpy(dtype=float)
    n_pat_dates = np.bincount(pattern, minlength=n_pat).astype(float)
    date_code, dates = pd.factorize(c["date"], sort=True)
    n_time = len(dates)
    if len(c) * n_time > _MAX_DENSE:
        raise InputError(
            f"the panel compresses to {len(c):,} cells over {n_time} dates: too unbalanced "
            "for the compressed route (its date dummies are dense per cell)",
            expected="a balanced or nearly balanced panel (few distinct date patterns)",
            hint="use lsimpact.models.event_study / did on the full data instead",
        )
    X = design(c["group"].to_numpy(), c["date"].to_numpy())
    k = X.shape[1]
    # Date dummies (the first date is the reference: unit effects absorb the constant).
    D = np.zeros((len(c), n_time - 1))
    has = date_code > 0
    D[np.flatnonzero(has), date_code[has] - 1] = 1.0
    Dw = _weighted_within(D, pattern, n_pat_dates)
    Xw = _weighted_within(X, pattern, n_pat_dates)
    # FWL: residualise the within-unit regressors on the within-unit date dummies.
    dtd = Dw.T @ (m_rows[:, None] * Dw)
    gamma = np.linalg.lstsq(dtd, Dw.T @ (m_rows[:, None] * Xw), rcond=None)[0]
    Xt = Xw - Dw @ gamma
    xtx = Xt.T @ (m_rows[:, None] * Xt)
    # sum over units and dates of Xt * (y - unit mean) = sum over cells of Xt * S (the
    # unit means drop out: Xt sums to zero over each pattern's dates)
    coef = np.linalg.solve(xtx, Xt.T @ s)
    bread = np.linalg.inv(xtx)
    n = comp.n_rows
    g = len(comp.units)
    k_all = k + n_time
    factor = g / (g - 1) * (n - 1) / (n - k_all)
    vcov = np.full((k, k), np.nan)
    if data is not None:
        # Fitted date effects for the scores: lambda from the within-unit regression of
        # (y - X b) on the date dummies, on the cells.
        lam_rhs = Dw.T @ (s - m_rows * (Xw @ coef))
        lam = np.r_[0.0, np.linalg.lstsq(dtd, lam_rhs, rcond=None)[0]]
        fitted = lam[date_code] + X @ coef  # per cell: lambda_t + X_gt b
        # per pattern: h_c = sum over its dates of Xt * fitted (per unit of the pattern)
        h = np.column_stack(
            [np.bincount(pattern, weights=Xt[:, j] * fitted, minlength=n_pat) for j in range(k)]
        )
        u = _unit_pieces(comp, data, Xt, unit=unit, time=time, y=y)
        scores = u - h[comp.units["pattern"].to_numpy()]
        meat = scores.T @ scores
        vcov = factor * bread @ meat @ bread
    return TwfeFit(
        list(names),
        coef,
        vcov,
        n,
        g,
        n - k_all - g,
        np.empty(0),
        bread=bread,
        ssc=factor,
    )


def _unit_pieces(
    comp: Compressed, data: Any, xt: np.ndarray, *, unit: str, time: str, y: str
) -> np.ndarray:
    """Per unit, ``sum_t Xt[c, t] * y[i, t]`` (units x K), in the order of ``comp.units``:
    one join of the cells' residualised regressors and one ``groupby(unit)`` sum."""
    c = comp.cells
    k = xt.shape[1]
    cols = [f"_x{j}" for j in range(k)]
    day = c["date"].to_numpy().astype("datetime64[D]").astype("int64")
    table = pd.DataFrame(xt, columns=cols).assign(pattern=c["pattern"].to_numpy(), _day=day)
    d = data[[unit, time, y]]
    d = d.assign(_day=d[time].astype("datetime64[ns]").astype("int64") // 86_400_000_000_000).merge(
        comp.units[["pattern"]], left_on=unit, right_index=True, how="left"
    )
    d = d.merge(table, on=["pattern", "_day"], how="left")
    prod = d[[unit]].assign(**{col: d[col] * d[y] for col in cols})
    u = _collect(prod.groupby(unit)[cols].sum())
    return u.reindex(comp.units.index).to_numpy(dtype=float)
