"""Event studies and difference-in-differences across accounts (two-way fixed effects).

The model for account ``i`` of group ``g`` on date ``t`` (incident on ``t0``)::

    y[i, t] = alpha[i] + lambda[t] + sum_g sum_{k != -1} beta[g, k] * 1[i in g, t - t0 = k] + e

with ``y`` the log follower count (so ``beta`` are log points relative to the day before
the incident and to the control accounts). Fixed effects are absorbed by alternating
projections (:func:`demean`, vectorised with ``np.bincount``), never by dummies, so 50,000
accounts cost memory proportional to the number of rows times the number of event-time
regressors only. Standard errors are clustered by account (CRV1) with the small-sample
factor of fixest/pyfixest (``G/(G-1) * (N-1)/(N-K)``, fixed effects nested in the cluster
not counted in ``K``) and t(G-1) intervals; the estimates equal OLS with explicit dummies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from .results import Result, cov_frame, tidy_frame

__all__ = [
    "EventStudyResult",
    "TwfeFit",
    "compare_groups",
    "demean",
    "did",
    "event_study",
    "prepare_panel",
    "twfe",
]


def demean(
    x: np.ndarray,
    codes: Sequence[np.ndarray],
    *,
    tol: float = 1e-13,
    maxiter: int = 10_000,
    copy: bool = True,
) -> np.ndarray:
    """Residuals of ``x`` (n or n x k) on several sets of fixed effects.

    Alternating projections (Gaure 2013, as in lfe/fixest): subtract group means for each
    factor in turn until the largest change is below ``tol`` times the scale
    of ``x``. One pass is exact for a balanced two-way panel.

    Parameters
    ----------
    x
        Array to demean (a copy is returned).
    codes
        One integer code array (0..G-1, length n) per fixed effect.
    copy
        False demeans a float64 ``x`` in place (saves one copy of a large design).
    """
    out = np.array(x, dtype=float, copy=copy)
    one_d = out.ndim == 1
    if one_d:
        out = out[:, None]
    if not out.flags.f_contiguous:  # columns contiguous: each pass reads one column
        out = np.asfortranarray(out)
    counts = [np.bincount(c).astype(float) for c in codes]
    scale = max(float(np.abs(out).max(initial=0.0)), 1.0)
    active = list(range(out.shape[1]))
    for _ in range(maxiter):
        still = []
        for j in active:  # per column: bincount is vectorised over rows
            change = 0.0
            col = out[:, j]
            for c, cnt in zip(codes, counts, strict=True):
                means = np.bincount(c, weights=col, minlength=len(cnt)) / cnt
                col -= means[c]
                change = max(change, float(np.abs(means).max(initial=0.0)))
            if change > tol * scale:  # columns converge at different speeds
                still.append(j)
        active = still
        if not active:
            break
    else:  # pragma: no cover - pathological designs only
        raise RuntimeError("fixed-effect demeaning did not converge")
    return out[:, 0] if one_d else out


@dataclass
class TwfeFit:
    """Coefficients, clustered covariance and sizes of a two-way FE regression."""

    names: list[str]
    coef: np.ndarray
    vcov: np.ndarray
    n_obs: int
    n_clusters: int
    df_resid: int
    resid: np.ndarray
    #: Inverse of the demeaned cross-product (the "bread").
    bread: np.ndarray | None = field(default=None, repr=False)
    #: CRV1 small-sample factor applied to ``vcov``.
    ssc: float = 1.0
    #: Cluster codes (0..G-1) of the rows.
    unit: np.ndarray | None = field(default=None, repr=False)
    #: Time codes (0..T-1) of the rows.
    time: np.ndarray | None = field(default=None, repr=False)
    #: Demeaned design; kept only with ``twfe(..., keep_design=True)`` (bootstraps need it).
    design: np.ndarray | None = field(default=None, repr=False)

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """Broom table with t(G-1) inference."""
        return tidy_frame(
            self.names,
            self.coef,
            np.sqrt(np.diag(self.vcov)),
            df_resid=self.n_clusters - 1,
            alpha=alpha,
        )

    def lincom(self, weights: np.ndarray) -> tuple[float, float]:
        """Estimate and standard error of ``weights @ coef``."""
        w = np.asarray(weights, dtype=float)
        return float(w @ self.coef), float(np.sqrt(w @ self.vcov @ w))

    def wald(self, idx: Sequence[int]) -> dict[str, float]:
        """Joint test that the coefficients ``idx`` are zero: F(q, G-1) with clustered V."""
        b = self.coef[list(idx)]
        v = self.vcov[np.ix_(list(idx), list(idx))]
        q = len(b)
        f = float(b @ np.linalg.solve(v, b)) / q
        return {
            "F": f,
            "df_num": q,
            "df_den": self.n_clusters - 1,
            "p_value": float(stats.f.sf(f, q, self.n_clusters - 1)),
        }

    def wild_bootstrap_wald(
        self,
        idx: Sequence[int],
        *,
        n_boot: int = 999,
        weights: str = "auto",
        seed: int | None = 0,
        draws: np.ndarray | None = None,
        treated_clusters: int | None = None,
    ) -> dict[str, Any]:
        """Restricted wild cluster bootstrap (WCR) p-value of the Wald test ``coef[idx] = 0``.

        Following Cameron, Gelbach & Miller (2008) and Roodman et al. (2019, ``boottest``):
        the null is imposed (restricted estimate and residuals), the restricted residuals
        are flipped by one weight per cluster, and the same clustered Wald statistic is
        recomputed on each bootstrap sample; the p-value is the share of bootstrap
        statistics at least as large as the observed one. All draws are computed at once
        from per-cluster sums (no refitting), in chunks of draws to bound memory.

        Parameters
        ----------
        idx
            Positions of the restricted coefficients (``q = len(idx)``).
        n_boot
            Number of draws. With Rademacher weights and ``2**G <= n_boot`` all ``2**G``
            sign vectors are enumerated instead (exact, as boottest does).
        weights
            ``"rademacher"`` (+-1), ``"webb"`` (six-point, Webb 2014) or ``"auto"``: Webb
            when fewer than 30 clusters carry the restriction (``treated_clusters``, else
            all clusters), where Rademacher has too few distinct draws to resolve small
            p-values; Rademacher otherwise.
        seed
            Seed of ``numpy.random.default_rng`` for the weights.
        draws
            Explicit ``G x B`` weight matrix (overrides ``n_boot``/``weights``/``seed``).
        treated_clusters
            Number of clusters in which the restricted regressors are non-zero.

        Returns
        -------
        dict
            ``F`` (Wald/q, as :meth:`wald`), ``p_value``, ``n_boot``, ``weights``,
            ``df_num`` and ``boot_F`` (the bootstrap statistics).
        """
        if self.design is None or self.bread is None or self.unit is None:
            raise InputError(
                "the wild bootstrap needs the demeaned design",
                hint="fit with twfe(..., keep_design=True)",
            )
        X, A, unit = self.design, self.bread, self.unit
        idx = list(idx)
        q, k, g = len(idx), len(self.coef), self.n_clusters
        b = self.coef
        # Restricted OLS (FWL: the fixed effects stay free under H0, so restricting the
        # demeaned regression is exact).
        ar = A[:, idx]
        b_r = b - ar @ np.linalg.solve(A[np.ix_(idx, idx)], b[idx])
        u_r = self.resid + X @ (b - b_r)
        scores = np.empty((g, k))  # cluster sums X_g' u_r
        for j in range(k):
            scores[:, j] = np.bincount(unit, weights=X[:, j] * u_r, minlength=g)
        c_mat = A[idx, :]  # R A (q x k)
        a = scores @ c_mat.T  # R A s_g  (g x q)
        z = X @ c_mat.T  # n x q
        m = _cluster_cross(z, X, unit, g)  # R A X_g'X_g (g x q x k)
        m2 = m.reshape(g * q, k)
        # The flipped residuals u_r * v are not orthogonal to the date effects (v varies
        # across the accounts of a date), so each bootstrap sample's residuals are also
        # purged of date effects lambda(v) (unit effects drop out of X_g' because X is
        # demeaned within unit). lambda is linear in v: lambda = lap^+ r v, with r the
        # date x cluster sums of u_r and lap the date-effect normal matrix.
        time = self.time
        n_t = int(time.max()) + 1
        r = np.bincount(time * g + unit, weights=u_r, minlength=n_t * g).reshape(n_t, g)
        cnt = np.bincount(unit * n_t + time, minlength=g * n_t).reshape(g, n_t).astype(float)
        lap = np.diag(cnt.sum(axis=0)) - cnt.T @ (cnt / cnt.sum(axis=1, keepdims=True))
        lam_of_v = np.linalg.pinv(lap) @ r  # n_t x g
        nz = np.empty((g, q, n_t))  # per cluster: sum over its dates of z (g x q x T)
        for j in range(q):
            nz[:, j, :] = np.bincount(
                unit * n_t + time, weights=z[:, j], minlength=g * n_t
            ).reshape(g, n_t)
        nz2 = nz.reshape(g * q, n_t)
        w_obs = self.wald(idx)["F"]

        if draws is not None:
            v_all = np.asarray(draws, dtype=float)
            if v_all.shape[0] != g:
                raise InputError(f"draws must have {g} rows (one per cluster)")
            kind, n_boot = "given", v_all.shape[1]
        else:
            few = treated_clusters if treated_clusters is not None else g
            kind = weights if weights != "auto" else ("webb" if few < 30 else "rademacher")
            if kind not in ("rademacher", "webb"):
                raise InputError(
                    f"unknown bootstrap weights {weights!r}",
                    expected="'auto', 'rademacher' or 'webb'",
                )
            v_all = None
            if kind == "rademacher" and 2**g <= n_boot:
                bits = (np.arange(2**g)[None, :] >> np.arange(g)[:, None]) & 1
                v_all, n_boot, kind = 2.0 * bits - 1.0, 2**g, "rademacher (enumerated)"
        rng = np.random.default_rng(seed)
        # Chunk the draws so the g x q x chunk array stays near 160 MB.
        chunk = int(max(1, min(n_boot, 2e7 // max(g * q, 1))))
        boot = np.empty(n_boot)
        for s0 in range(0, n_boot, chunk):
            nb = min(chunk, n_boot - s0)
            if v_all is not None:
                v = v_all[:, s0 : s0 + nb]
            elif kind == "webb":
                v = rng.choice(_WEBB, size=(g, nb))
            else:
                v = rng.choice(np.array([-1.0, 1.0]), size=(g, nb))
            d = A @ (scores.T @ v)  # b* - b_r (k x nb)
            num = a.T @ v  # R b* (q x nb): R b_r = 0 under H0
            # minus the bootstrap cluster scores R A X_g'e*_g, built in place (memory-bound)
            c = m2 @ d
            c += nz2 @ (lam_of_v @ v)
            c = c.reshape(g, q, nb)
            for j in range(q):
                c[:, j, :] -= v * a[:, j : j + 1]
            meat = self.ssc * np.einsum("gqb,grb->bqr", c, c)
            try:
                sol = np.linalg.solve(meat, num.T[:, :, None])[:, :, 0]
            except np.linalg.LinAlgError:  # a singular bootstrap covariance: pseudo-inverse
                sol = np.einsum("bqr,rb->bq", np.linalg.pinv(meat), num)
            boot[s0 : s0 + nb] = np.einsum("qb,bq->b", num, sol) / q
        # ">=" with a relative tolerance: the all-ones draw reproduces the observed
        # statistic exactly (up to rounding) and must count.
        p = float(np.mean(boot >= w_obs * (1 - 1e-10)))
        return {
            "F": w_obs,
            "p_value": p,
            "n_boot": n_boot,
            "weights": kind,
            "df_num": q,
            "boot_F": boot,
        }


#: Webb (2014) six-point weights: +-sqrt(3/2), +-1, +-sqrt(1/2), each with probability 1/6.
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def _cluster_cross(z: np.ndarray, x: np.ndarray, unit: np.ndarray, g: int) -> np.ndarray:
    """Per-cluster cross products ``Z_g' X_g`` (g x q x k).

    One sparse (cluster x row) matrix weighted by each column of ``z`` times ``x``: no
    n x q x k temporary, and the sparse product streams ``x`` once per column of ``z``.
    """
    from scipy import sparse

    n, q = z.shape
    out = np.empty((g, q, x.shape[1]))
    rows = np.arange(n)
    for j in range(q):
        s = sparse.csr_matrix((z[:, j], (unit, rows)), shape=(g, n))
        out[:, j, :] = s @ x
    return out


def twfe(
    y: np.ndarray,
    X: np.ndarray,
    unit: np.ndarray,
    time: np.ndarray,
    names: Sequence[str],
    *,
    keep_design: bool = False,
) -> TwfeFit:
    """OLS of ``y`` on ``X`` with unit and time fixed effects, clustered by unit.

    Parameters
    ----------
    y, X
        Outcome (n) and regressors (n x k), without constant or dummies.
    unit, time
        Integer codes 0..G-1 and 0..T-1 (the clusters are the units). ``X`` (float64) is
        demeaned in place and so overwritten.
    names
        Regressor names.
    keep_design
        Keep the demeaned design in the result (for :meth:`TwfeFit.wild_bootstrap_wald`).
    """
    n, k = X.shape
    # Demean the design in place: for 10M rows it is the one big array.
    Xd = demean(np.asarray(X, dtype=float), [unit, time], copy=False)
    yd = demean(y, [unit, time])
    xtx = Xd.T @ Xd
    coef = np.linalg.solve(xtx, Xd.T @ yd)
    resid = yd - Xd @ coef
    bread = np.linalg.inv(xtx)
    g = int(unit.max()) + 1
    scores = np.empty((g, k))
    for j in range(k):
        scores[:, j] = np.bincount(unit, weights=Xd[:, j] * resid, minlength=g)
    meat = scores.T @ scores
    n_time = len(np.unique(time))
    # fixest/pyfixest "nested" rule: unit FE are nested in the unit clusters and not
    # counted; the time FE and the absorbed intercept count T.
    k_all = k + n_time
    factor = g / (g - 1) * (n - 1) / (n - k_all)
    vcov = factor * bread @ meat @ bread
    return TwfeFit(
        list(names),
        coef,
        vcov,
        n,
        g,
        n - k_all - g,
        resid,
        bread=bread,
        ssc=factor,
        unit=unit,
        time=time,
        design=Xd if keep_design else None,
    )


# --- panel preparation ---------------------------------------------------------------------
def prepare_panel(
    panel: pd.DataFrame,
    incident: str | pd.Timestamp,
    *,
    pre: int,
    post: int,
    outcome: str = "log",
    exclude_imputed: bool = True,
    group_col: str = "group",
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Estimation sample: the window ``[t0-pre, t0+post]``, valid values, outcome ``y``.

    Accounts without any observation before the incident (a newly launched account) are
    dropped: without a pre-period their fixed effect would absorb the whole effect.
    """
    need = {"account_id", "date", "followers", group_col}
    miss = need - set(panel.columns)
    if miss:
        raise InputError(
            f"the panel lacks column(s) {', '.join(sorted(miss))}",
            expected="a followers_daily table (lsimpact.load('followers_daily'))",
        )
    t0 = pd.Timestamp(incident)
    d = panel.loc[:, [c for c in panel.columns if c in need | {"platform", "imputed"}]]
    rel = (d["date"] - t0).dt.days
    keep = rel.between(-pre, post) & (d["followers"] > 0)
    if exclude_imputed and "imputed" in d.columns:
        keep &= ~d["imputed"]
    d = d.loc[keep].assign(rel_day=rel[keep])
    acc = d["account_id"] if "platform" not in d.columns else d["platform"] + ":" + d["account_id"]
    d = d.assign(unit=acc)
    has_pre = d.loc[d["rel_day"] < 0, "unit"].unique()
    dropped = sorted(set(d["unit"]) - set(has_pre))
    d = d.loc[d["unit"].isin(has_pre)]
    if outcome == "log":
        d = d.assign(y=np.log(d["followers"].to_numpy(dtype=float)))
    elif outcome == "level":
        d = d.assign(y=d["followers"].to_numpy(dtype=float))
    else:
        raise InputError(f"unknown outcome {outcome!r}", expected="'log' or 'level'")
    return d.reset_index(drop=True), {"dropped_no_pre_period": dropped}


def _codes(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return (
        pd.factorize(d["unit"], sort=True)[0].astype(np.int64),
        pd.factorize(d["date"], sort=True)[0].astype(np.int64),
    )


# --- event study ---------------------------------------------------------------------------
@dataclass
class EventStudyResult(Result):
    """Event-study coefficients by group and relative day, with a ``plot``."""

    twfe: TwfeFit | None = None

    def plot(self, ax: Any = None, *, groups: Sequence[str] | None = None) -> Any:
        """Coefficient plot: estimate and 95% interval per relative day and group."""
        import matplotlib.pyplot as plt

        from ..plots import PALETTE

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        c = self.coefs
        for i, g in enumerate(groups or list(dict.fromkeys(c["group"]))):
            s = c[c["group"] == g]
            off = (i - 0.5) * 0.25
            ax.errorbar(
                s["rel_day"] + off,
                100 * s["estimate"],
                yerr=100 * (s["conf_high"] - s["estimate"]),
                fmt="o",
                ms=3,
                lw=0.8,
                color=PALETTE[i],
                label=g,
            )
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(-0.5, color="grey", ls="--", lw=0.8)
        ax.set_xlabel("days since the incident")
        ax.set_ylabel("effect on followers (log points x 100, ~ %)")
        ax.legend(title="accounts vs controls")
        return ax


def _event_design(
    d: pd.DataFrame, groups: Sequence[str], pre: int, post: int, ref: int, group_col: str
) -> tuple[np.ndarray, list[str], pd.DataFrame]:
    days = [k for k in range(-pre, post + 1) if k != ref]
    names, meta = [], []
    rel = d["rel_day"].to_numpy()
    grp = d[group_col].to_numpy()
    X = np.zeros((len(d), len(groups) * len(days)), order="F")
    j = 0
    for g in groups:
        in_g = grp == g
        for k in days:
            X[:, j] = in_g & (rel == k)
            names.append(f"{g}:{k}")
            meta.append((g, k))
            j += 1
    return X, names, pd.DataFrame(meta, columns=["group", "rel_day"])


def _group_sample(
    panel: pd.DataFrame,
    incident: str | pd.Timestamp,
    groups: Sequence[str],
    control: str,
    *,
    group_col: str,
    **window: Any,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``prepare_panel`` restricted to the treated groups and the control group.

    Every named group must have accounts in the window: an estimate against an empty
    group would be silently meaningless.
    """
    d, info = prepare_panel(panel, incident, group_col=group_col, **window)
    d = d.loc[d[group_col].isin([*groups, control])].reset_index(drop=True)
    for g in (*groups, control):
        if not (d[group_col] == g).any():
            raise InputError(
                f"no accounts of group '{g}' in the estimation window",
                column=group_col,
                expected=f"groups {list(groups)} and '{control}'",
            )
    return d, info


def event_study(
    panel: pd.DataFrame,
    incident: str | pd.Timestamp,
    *,
    groups: Sequence[str] = ("brand", "host"),
    control: str = "control",
    pre: int = 21,
    post: int = 28,
    ref: int = -1,
    outcome: str = "log",
    exclude_imputed: bool = True,
    group_col: str = "group",
    pretrend_test: str = "wild_bootstrap",
    n_boot: int = 999,
    boot_weights: str = "auto",
    seed: int | None = 0,
) -> EventStudyResult:
    """Event study of follower counts around ``incident`` with account and date FE.

    Parameters
    ----------
    panel
        Daily panel (``followers_daily``): account_id, date, followers, group.
    incident
        Day 0.
    groups
        Treated groups, each with its own relative-day coefficients.
    control
        The comparison group; accounts in neither are left out.
    pre, post, ref
        Window ``[-pre, post]`` in days and the reference day (default -1).
    outcome
        ``"log"`` (log followers; coefficients in log points) or ``"level"``.
    pretrend_test
        How the joint pre-trend p-value (all leads of a group are zero) is computed:
        ``"wild_bootstrap"`` (default; restricted wild cluster bootstrap of the clustered
        Wald statistic, :meth:`TwfeFit.wild_bootstrap_wald`) or ``"analytic"`` (F(q, G-1),
        which over-rejects badly when few accounts are treated).
    n_boot, boot_weights, seed
        Bootstrap draws, weights (``"auto"``, ``"webb"``, ``"rademacher"``) and seed.

    Returns
    -------
    EventStudyResult
        ``coefs`` has the tidy columns plus ``group`` and ``rel_day``; ``extra`` holds,
        per group, the joint pre-trend F, its reported p-value (``pretrend_test``), the
        analytic F p-value for comparison, the 1-df linear pre-trend p-value, and the
        number of clusters.
    """
    if pretrend_test not in ("wild_bootstrap", "analytic"):
        raise InputError(
            f"unknown pretrend_test {pretrend_test!r}",
            expected="'wild_bootstrap' or 'analytic'",
        )
    d, info = _group_sample(
        panel,
        incident,
        groups,
        control,
        pre=pre,
        post=post,
        outcome=outcome,
        exclude_imputed=exclude_imputed,
        group_col=group_col,
    )
    unit, time = _codes(d)
    X, names, meta = _event_design(d, groups, pre, post, ref, group_col)
    boot = pretrend_test == "wild_bootstrap"
    fit = twfe(d["y"].to_numpy(), X, unit, time, names, keep_design=boot)
    del X
    coefs = pd.concat([fit.tidy(), meta], axis=1)
    extra: dict[str, Any] = {"clusters (accounts)": fit.n_clusters}
    grp_of_unit = d.groupby(unit)[group_col].first()
    for g in groups:
        idx = np.flatnonzero((meta["group"] == g) & (meta["rel_day"] < 0))
        w = fit.wald(idx)
        extra[f"pre-trend joint F ({g})"] = w["F"]
        # With few treated accounts the clustered covariance of many leads is nearly
        # singular and the F(q, G-1) reference over-rejects; the restricted wild
        # cluster bootstrap recomputes the same statistic under the null and keeps size.
        if boot:
            wb = fit.wild_bootstrap_wald(
                idx,
                n_boot=n_boot,
                weights=boot_weights,
                seed=seed,
                treated_clusters=int((grp_of_unit == g).sum()),
            )
            extra[f"pre-trend joint p ({g})"] = wb["p_value"]
            extra[f"pre-trend joint p, analytic F ({g})"] = w["p_value"]
        else:
            extra[f"pre-trend joint p ({g})"] = w["p_value"]
        # The 1-df test of a linear pre-trend (slope of the leads, reference day at 0).
        k = np.r_[meta.loc[idx, "rel_day"].to_numpy(dtype=float), ref]
        wts = np.zeros(len(names))
        wts[idx] = (k[:-1] - k.mean()) / ((k - k.mean()) ** 2).sum()
        est, se = fit.lincom(wts)
        extra[f"pre-trend slope p ({g})"] = float(2 * stats.t.sf(abs(est / se), fit.n_clusters - 1))
    if boot:
        extra["pre-trend joint test"] = (
            f"wild cluster bootstrap (WCR, {wb['weights']} weights, {wb['n_boot']} draws, "
            f"seed {seed})"
        )
        fit.design = None  # n x k: do not keep it alive in the result
    else:
        extra["pre-trend joint test"] = "analytic F(q, G-1)"
    extra["dropped (no pre-period)"] = ", ".join(info["dropped_no_pre_period"]) or "none"
    return EventStudyResult(
        model="TWFE event study",
        coefs=coefs,
        n_obs=fit.n_obs,
        vcov="cluster: account (CRV1)",
        fitted=fit,
        extra=extra,
        cov=cov_frame(fit.names, fit.vcov),
        df_resid=fit.n_clusters - 1,
        twfe=fit,
    )


def did(
    panel: pd.DataFrame,
    incident: str | pd.Timestamp,
    *,
    groups: Sequence[str] = ("brand", "host"),
    control: str = "control",
    pre: int = 21,
    post: int = 28,
    slope: bool = False,
    outcome: str = "log",
    exclude_imputed: bool = True,
    group_col: str = "group",
) -> Result:
    """Difference-in-differences summary with account and date FE, clustered by account.

    With ``slope=False`` one term per group: the average effect over days ``0..post``
    (``post_i,t * 1[i in g]``). With ``slope=True`` two terms per group: ``level`` (the
    jump on day 0) and ``slope`` (change in daily growth after the incident,
    ``post * k``), the panel analogue of the interrupted time series. A term
    ``host - brand`` (first two groups) compares them within the same fit.
    """
    d, info = _group_sample(
        panel,
        incident,
        groups,
        control,
        pre=pre,
        post=post,
        outcome=outcome,
        exclude_imputed=exclude_imputed,
        group_col=group_col,
    )
    unit, time = _codes(d)
    rel = d["rel_day"].to_numpy()
    postd = (rel >= 0).astype(float)
    cols, names = [], []
    for g in groups:
        in_g = (d[group_col] == g).to_numpy()
        if slope:
            cols += [in_g * postd, in_g * postd * rel]
            names += [f"{g}: level", f"{g}: slope"]
        else:
            cols.append(in_g * postd)
            names.append(g)
    fit = twfe(d["y"].to_numpy(), np.asfortranarray(np.column_stack(cols)), unit, time, names)
    tidy = fit.tidy()
    if len(groups) >= 2:
        step = 2 if slope else 1
        rows = []
        for j, lab in enumerate(["level", "slope"] if slope else [""]):
            w = np.zeros(len(names))
            w[step + j], w[j] = 1.0, -1.0
            est, se = fit.lincom(w)
            term = f"{groups[1]} - {groups[0]}" + (f": {lab}" if lab else "")
            rows.append(tidy_frame([term], [est], [se], df_resid=fit.n_clusters - 1))
        tidy = pd.concat([tidy, *rows], ignore_index=True)
    return Result(
        model="TWFE difference-in-differences" + (" (level and slope)" if slope else ""),
        coefs=tidy,
        n_obs=fit.n_obs,
        vcov="cluster: account (CRV1)",
        fitted=fit,
        cov=cov_frame(fit.names, fit.vcov),
        df_resid=fit.n_clusters - 1,
        extra={
            "clusters (accounts)": fit.n_clusters,
            "window": f"[-{pre}, {post}] days",
            "dropped (no pre-period)": ", ".join(info["dropped_no_pre_period"]) or "none",
        },
    )


def compare_groups(
    res: EventStudyResult,
    horizons: Sequence[int] = (0, 3, 7, 14, 28),
    *,
    groups: Sequence[str] = ("brand", "host"),
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Product versus host: cumulative follower change by day ``h`` relative to controls.

    For each horizon the tidy rows of ``groups[0]``, ``groups[1]`` and their difference
    ``groups[1] - groups[0]`` (log points since the day before the incident, 95% CI from
    the clustered covariance of the same fit); column ``horizon`` says the day.
    """
    fit = res.twfe
    if fit is None:
        raise InputError("compare_groups needs an event_study result")
    pos = {t: i for i, t in enumerate(fit.names)}
    out = []
    for h in horizons:
        a, b = f"{groups[0]}:{h}", f"{groups[1]}:{h}"
        if a not in pos or b not in pos:
            raise InputError(f"day {h} is outside the event window", expected=str(fit.names[:1]))
        for term, w in (
            (groups[0], {a: 1.0}),
            (groups[1], {b: 1.0}),
            (f"{groups[1]} - {groups[0]}", {b: 1.0, a: -1.0}),
        ):
            vec = np.zeros(len(fit.names))
            for t, v in w.items():
                vec[pos[t]] = v
            est, se = fit.lincom(vec)
            row = tidy_frame([term], [est], [se], df_resid=fit.n_clusters - 1, alpha=alpha)
            out.append(row.assign(horizon=h))
    return pd.concat(out, ignore_index=True)
