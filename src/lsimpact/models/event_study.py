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

from collections.abc import Mapping, Sequence
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
    "event_dates",
    "event_study",
    "log_points_to_percent",
    "pre_period_trends",
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

    # --- wild cluster bootstrap intervals (one coefficient) and sup-t bands -------------
    def _boot_setup(self, rmat: np.ndarray) -> dict[str, Any]:
        """Pieces of the bootstrap cluster scores that do not depend on the residuals.

        For residuals ``u`` and cluster weights ``v`` (g x B) every bootstrap quantity is
        linear in ``u`` (see :meth:`_boot_apply`), so restricted bootstraps for any null
        value are two applications of the same map.
        """
        if self.design is None or self.bread is None or self.unit is None or self.time is None:
            raise InputError(
                "the wild bootstrap needs the demeaned design",
                hint="fit with twfe(..., keep_design=True)",
            )
        X, A, unit, time = self.design, self.bread, self.unit, self.time
        rmat = np.atleast_2d(np.asarray(rmat, dtype=float))
        g, q = self.n_clusters, rmat.shape[0]
        c_mat = rmat @ A  # R A (q x k)
        z = X @ c_mat.T
        n_t = int(time.max()) + 1
        cnt = np.bincount(unit * n_t + time, minlength=g * n_t).reshape(g, n_t).astype(float)
        lap = np.diag(cnt.sum(axis=0)) - cnt.T @ (cnt / cnt.sum(axis=1, keepdims=True))
        nz = np.empty((g, q, n_t))
        for j in range(q):
            nz[:, j, :] = np.bincount(
                unit * n_t + time, weights=z[:, j], minlength=g * n_t
            ).reshape(g, n_t)
        return {
            "q": q,
            "c_mat": c_mat,
            "m2": _cluster_cross(z, X, unit, g).reshape(g * q, X.shape[1]),
            "nz2": nz.reshape(g * q, n_t),
            "lap_pinv": np.linalg.pinv(lap),
            "n_t": n_t,
        }

    def _boot_apply(
        self, u: np.ndarray, v: np.ndarray, setup: dict[str, Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bootstrap numerators ``R(b* - b_dgp)`` (q x B) and scores ``R A X_g'e*`` (g x q x B).

        ``u`` are the residuals of the bootstrap DGP; the bootstrap residuals are purged of
        date effects as in :meth:`wild_bootstrap_wald`. Both outputs are linear in ``u``.
        """
        X, A, unit, time = self.design, self.bread, self.unit, self.time
        g, k, q = self.n_clusters, X.shape[1], setup["q"]
        scores = np.empty((g, k))
        for j in range(k):
            scores[:, j] = np.bincount(unit, weights=X[:, j] * u, minlength=g)
        a = scores @ setup["c_mat"].T  # g x q
        n_t = setup["n_t"]
        r = np.bincount(time * g + unit, weights=u, minlength=n_t * g).reshape(n_t, g)
        lam_of_v = setup["lap_pinv"] @ r
        d = A @ (scores.T @ v)
        num = a.T @ v
        c = setup["m2"] @ d
        c += setup["nz2"] @ (lam_of_v @ v)
        c = c.reshape(g, q, v.shape[1])
        c -= v[:, None, :] * a[:, :, None]
        return num, c

    def wild_bootstrap_ci(
        self,
        j: int | np.ndarray,
        *,
        alpha: float = 0.05,
        n_boot: int = 999,
        weights: str = "auto",
        seed: int | None = 0,
        treated_clusters: int | None = None,
        draws: np.ndarray | None = None,
    ) -> dict[str, Any]:
        """Restricted wild cluster bootstrap (WCR) p-value and confidence interval of ``coef[j]``.

        ``j`` is a coefficient position or a vector ``w`` of weights (the contrast
        ``w @ coef``, e.g. host minus brand). The interval is the set of null values ``beta0`` the WCR bootstrap-t test does not
        reject at ``alpha`` (test inversion, as Stata's ``boottest``; Roodman et al. 2019),
        with the same draws for every ``beta0``. Imposing ``coef[j] = beta0`` makes the DGP
        residuals ``u0 + beta0 * u1``, and every bootstrap statistic a ratio of a linear and
        a quadratic function of ``beta0``, so each ``beta0`` costs O(B) after one pass.

        Returns
        -------
        dict
            ``p_value`` (of ``coef[j] = 0``), ``conf_low``, ``conf_high``, ``n_boot``,
            ``weights``.
        """
        w = np.zeros(len(self.coef))
        if np.ndim(j) == 0:
            w[int(j)] = 1.0
        else:
            w[:] = np.asarray(j, dtype=float)
        setup = self._boot_setup(w[None, :])
        A = self.bread
        b, se = float(w @ self.coef), float(np.sqrt(w @ self.vcov @ w))
        # Restricted fit under w'coef = beta0 (FWL: exact on the demeaned design):
        # coef_r = coef - A w (w'coef - beta0) / (w'A w), residuals u0 + beta0 * u1.
        h = self.design @ (A @ w) / float(w @ A @ w)
        u0, u1 = self.resid + b * h, -h
        v_all, kind = _weights(self.n_clusters, n_boot, weights, seed, treated_clusters, draws)
        nb_all = v_all.shape[1] if v_all is not None else n_boot
        rng = np.random.default_rng(seed)
        chunk = int(max(1, min(nb_all, 2e7 // max(self.n_clusters, 1))))
        parts = []
        for s0 in range(0, nb_all, chunk):
            nb = min(chunk, nb_all - s0)
            v = (
                v_all[:, s0 : s0 + nb]
                if v_all is not None
                else _draw(rng, kind, self.n_clusters, nb)
            )
            n0, c0 = self._boot_apply(u0, v, setup)
            n1, c1 = self._boot_apply(u1, v, setup)
            c0, c1 = c0[:, 0, :], c1[:, 0, :]
            parts.append(
                np.vstack(
                    [
                        n0[0],
                        n1[0],
                        self.ssc * (c0 * c0).sum(axis=0),
                        self.ssc * (c0 * c1).sum(axis=0),
                        self.ssc * (c1 * c1).sum(axis=0),
                    ]
                )
            )
        n0, n1, d0, d1, d2 = np.hstack(parts)

        def pval(beta0: float) -> float:
            num = n0 + beta0 * n1
            den = d0 + 2 * beta0 * d1 + beta0 * beta0 * d2
            t_obs2 = (b - beta0) ** 2 / se**2
            with np.errstate(divide="ignore", invalid="ignore"):
                t_boot2 = num * num / den
            # ">=" with a relative tolerance, as in wild_bootstrap_wald
            return float(np.mean(t_boot2 >= t_obs2 * (1 - 1e-10)))

        def bound(direction: float) -> float:
            inside, step = b, 2.0 * se
            outside = b + direction * step
            for _ in range(60):  # widen until the test rejects
                if pval(outside) <= alpha:
                    break
                inside, step = outside, 2 * step
                outside = b + direction * step
            else:  # pragma: no cover - a flat bootstrap distribution
                return float(direction * np.inf)
            for _ in range(60):  # bisection on the step function p(beta0)
                mid = 0.5 * (inside + outside)
                if pval(mid) > alpha:
                    inside = mid
                else:
                    outside = mid
                if abs(outside - inside) < 1e-7 * max(se, 1e-300):
                    break
            return 0.5 * (inside + outside)

        return {
            "p_value": pval(0.0),
            "conf_low": bound(-1.0),
            "conf_high": bound(1.0),
            "n_boot": nb_all,
            "weights": kind,
        }

    def wild_bootstrap_t(
        self,
        idx: Sequence[int],
        *,
        n_boot: int = 999,
        weights: str = "auto",
        seed: int | None = 0,
        treated_clusters: int | None = None,
    ) -> tuple[np.ndarray, str]:
        """Unrestricted wild cluster bootstrap (WCU) t statistics of ``coef[idx]`` (q x B).

        ``t*[j, b] = (b*_j - b_j) / se*_j`` with ``se*`` the clustered (CRV1) standard error
        recomputed on each bootstrap sample; the maximum of ``|t*|`` over a set of
        coefficients gives the sup-t critical value of a simultaneous band.
        """
        idx = list(idx)
        g, q = self.n_clusters, len(idx)
        setup = self._boot_setup(np.eye(len(self.coef))[idx])
        v_all, kind = _weights(g, n_boot, weights, seed, treated_clusters, None)
        nb_all = v_all.shape[1] if v_all is not None else n_boot
        rng = np.random.default_rng(seed)
        chunk = int(max(1, min(nb_all, 2e7 // max(g * q, 1))))
        out = np.empty((q, nb_all))
        for s0 in range(0, nb_all, chunk):
            nb = min(chunk, nb_all - s0)
            v = v_all[:, s0 : s0 + nb] if v_all is not None else _draw(rng, kind, g, nb)
            num, c = self._boot_apply(self.resid, v, setup)
            se = np.sqrt(self.ssc * np.einsum("gqb,gqb->qb", c, c))
            with np.errstate(divide="ignore", invalid="ignore"):
                out[:, s0 : s0 + nb] = num / se
        return out, kind


#: Webb (2014) six-point weights: +-sqrt(3/2), +-1, +-sqrt(1/2), each with probability 1/6.
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def _draw(rng: np.random.Generator, kind: str, g: int, nb: int) -> np.ndarray:
    """``g x nb`` cluster weights of ``kind`` ("webb" or "rademacher")."""
    if kind == "webb":
        return rng.choice(_WEBB, size=(g, nb))
    return rng.choice(np.array([-1.0, 1.0]), size=(g, nb))


def _weights(
    g: int,
    n_boot: int,
    weights: str,
    seed: int | None,
    treated_clusters: int | None,
    draws: np.ndarray | None,
) -> tuple[np.ndarray | None, str]:
    """Resolve the weight kind; a full matrix when given or enumerable, else None (drawn
    chunk by chunk from ``seed``). "auto" is Webb with fewer than 30 treated clusters."""
    if draws is not None:
        v = np.asarray(draws, dtype=float)
        if v.shape[0] != g:
            raise InputError(f"draws must have {g} rows (one per cluster)")
        return v, "given"
    few = treated_clusters if treated_clusters is not None else g
    kind = weights if weights != "auto" else ("webb" if few < 30 else "rademacher")
    if kind not in ("rademacher", "webb"):
        raise InputError(
            f"unknown bootstrap weights {weights!r}", expected="'auto', 'rademacher' or 'webb'"
        )
    if kind == "rademacher" and 2**g <= n_boot:
        bits = (np.arange(2**g)[None, :] >> np.arange(g)[:, None]) & 1
        return 2.0 * bits - 1.0, "rademacher (enumerated)"
    return None, kind


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
#: An event date for every treated group, or one date for all.
Incident = str | pd.Timestamp | Mapping[str, Any]


def event_dates(incident: Incident, groups: Sequence[str]) -> dict[str, pd.Timestamp]:
    """Day 0 of each treated group: one date for all, or a mapping group -> date.

    Group-specific dates let each group be dated from its own evidence (e.g. a host whose
    account gained from the first post, a brand whose losses began days later); the
    control accounts are never treated and need no date.
    """
    if isinstance(incident, Mapping):
        miss = [g for g in groups if g not in incident]
        if miss:
            raise InputError(
                f"no event date for group(s) {', '.join(miss)}",
                expected=f"a date for every treated group {list(groups)}",
            )
        return {g: pd.Timestamp(incident[g]) for g in groups}
    return dict.fromkeys(groups, pd.Timestamp(incident))


def describe_dates(dates: Mapping[str, pd.Timestamp]) -> str:
    """``"2023-12-14"`` or ``"brand 2023-12-10, host 2023-12-05"``."""
    days = {str(t.date()) for t in dates.values()}
    if len(days) == 1:
        return days.pop()
    return ", ".join(f"{g} {t.date()}" for g, t in dates.items())


def prepare_panel(
    panel: pd.DataFrame,
    incident: Incident,
    *,
    pre: int,
    post: int,
    outcome: str = "log",
    exclude_imputed: bool = True,
    group_col: str = "group",
    anticipation: int = 0,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Estimation sample: the window ``[t0-pre, t0+post]``, valid values, outcome ``y``.

    ``incident`` is one date or a mapping group -> date (see :func:`event_dates`);
    ``rel_day`` is counted from the row's own group date (for accounts of groups without
    a date, such as the controls, from the earliest date), and the controls are kept over
    the union of the treated groups' windows. Accounts without an observation before the
    anticipation window (a newly launched account) are dropped: without a reference
    period their fixed effect would absorb the whole effect.
    """
    need = {"account_id", "date", "followers", group_col}
    miss = need - set(panel.columns)
    if miss:
        raise InputError(
            f"the panel lacks column(s) {', '.join(sorted(miss))}",
            expected="a followers_daily table (lsimpact.load('followers_daily'))",
        )
    if anticipation < 0 or anticipation >= pre:
        raise InputError(
            f"anticipation={anticipation} days does not fit a window of {pre} pre-days",
            expected="0 <= anticipation < pre",
        )
    d = panel.loc[:, [c for c in panel.columns if c in need | {"platform", "imputed"}]]
    if isinstance(incident, Mapping):
        dates = {str(g): pd.Timestamp(t) for g, t in incident.items()}
    else:
        dates = {}
    first = min(dates.values()) if dates else pd.Timestamp(incident)
    last = max(dates.values()) if dates else pd.Timestamp(incident)
    t0 = d[group_col].map(dates).fillna(first) if dates else pd.Series(first, index=d.index)
    rel = (d["date"] - pd.to_datetime(t0)).dt.days
    dated = d[group_col].isin(list(dates)) if dates else pd.Series(True, index=d.index)
    in_window = np.where(
        dated,
        rel.between(-pre, post),
        (d["date"] >= first - pd.Timedelta(days=pre))
        & (d["date"] <= last + pd.Timedelta(days=post)),
    )
    keep = pd.Series(in_window, index=d.index) & (d["followers"] > 0)
    if exclude_imputed and "imputed" in d.columns:
        keep &= ~d["imputed"]
    d = d.loc[keep].assign(rel_day=rel[keep])
    acc = d["account_id"] if "platform" not in d.columns else d["platform"] + ":" + d["account_id"]
    d = d.assign(unit=acc)
    has_pre = d.loc[d["rel_day"] < -anticipation, "unit"].unique()
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


def pre_period_trends(
    y: np.ndarray,
    unit: np.ndarray,
    time: np.ndarray,
    day: np.ndarray,
    pre: np.ndarray,
    *,
    tol: float = 1e-12,
    maxiter: int = 5_000,
) -> np.ndarray:
    """Account-specific linear trends fitted on the pre-period rows only.

    Fits ``y = a[i] + g[i] * day + lambda[date] + e`` on the rows where ``pre`` is true
    (alternating projections: date effects, then one OLS line per account, vectorised
    with ``np.bincount``) and returns ``g`` per unit code. Only differences between the
    ``g`` are identified (a common trend is a date effect), which is all that removing
    ``g[i] * day`` before a regression with date effects needs. Fitting on the pre-period
    only keeps the treatment's own slope out of the trend (Borusyak, Jaravel & Spiess 2024;
    the "estimated on the pre-period" detrending of Goodman-Bacon 2021).
    """
    u, tc, yy = unit[pre], time[pre], np.asarray(y, dtype=float)[pre]
    t = np.asarray(day, dtype=float)[pre]
    g, n_t = int(unit.max()) + 1, int(time.max()) + 1
    n_i = np.bincount(u, minlength=g).astype(float)
    n_d = np.bincount(tc, minlength=n_t).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        tbar = np.bincount(u, weights=t, minlength=g) / n_i
        tcen = t - tbar[u]
        sxx = np.bincount(u, weights=tcen * tcen, minlength=g)
        lam = np.zeros(n_t)
        scale = max(float(np.abs(yy).max(initial=0.0)), 1.0)
        for _ in range(maxiter):
            r = yy - lam[tc]
            slope = np.where(sxx > 0, np.bincount(u, weights=tcen * r, minlength=g) / sxx, 0.0)
            mean = np.bincount(u, weights=r, minlength=g) / n_i
            new = np.bincount(tc, weights=yy - mean[u] - slope[u] * tcen, minlength=n_t)
            new = np.where(n_d > 0, new / n_d, 0.0)
            change = float(np.abs(new - lam).max(initial=0.0))
            lam = new
            if change < tol * scale:
                break
    return np.nan_to_num(slope)


def _group_sample(
    panel: pd.DataFrame,
    incident: Incident,
    groups: Sequence[str],
    control: str,
    *,
    group_col: str,
    trends: bool = False,
    **window: Any,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``prepare_panel`` restricted to the treated groups and the control group.

    Every named group must have accounts in the window: an estimate against an empty
    group would be silently meaningless. With ``trends=True`` the outcome is detrended by
    account-specific linear trends fitted on the reference period (before the
    anticipation window); accounts with fewer than two reference days are dropped.
    """
    dates = event_dates(incident, groups)
    d, info = prepare_panel(panel, dates, group_col=group_col, **window)
    d = d.loc[d[group_col].isin([*groups, control])].reset_index(drop=True)
    for g in (*groups, control):
        if not (d[group_col] == g).any():
            raise InputError(
                f"no accounts of group '{g}' in the estimation window",
                column=group_col,
                expected=f"groups {list(groups)} and '{control}'",
            )
    info["dates"] = dates
    if trends:
        ref = (d["rel_day"] < -window.get("anticipation", 0)).to_numpy()
        n_ref = d.loc[ref].groupby("unit")["date"].nunique()
        thin = sorted(set(d["unit"]) - set(n_ref[n_ref >= 2].index))
        if thin:
            d = d.loc[~d["unit"].isin(thin)].reset_index(drop=True)
            ref = (d["rel_day"] < -window.get("anticipation", 0)).to_numpy()
            info["dropped_no_pre_period"] = sorted([*info["dropped_no_pre_period"], *thin])
        unit, time = _codes(d)
        day = (d["date"] - d["date"].min()).dt.days.to_numpy(dtype=float)
        slope = pre_period_trends(d["y"].to_numpy(), unit, time, day, ref)
        d = d.assign(y=d["y"].to_numpy() - slope[unit] * day)
        info["trend_per_day"] = pd.Series(slope, index=pd.factorize(d["unit"], sort=True)[1])
        by_group = pd.Series(slope[unit]).groupby(d[group_col].to_numpy()).mean()
        info["trend_gap"] = {
            g: float(by_group.get(g, np.nan) - by_group.get(control, np.nan)) for g in groups
        }
    return d, info


def _trend_words(info: dict[str, Any]) -> dict[str, Any]:
    """Mean pre-period trend of each group minus the controls' (log points a day)."""
    return {
        f"pre-period trend minus control ({g}, per day)": v
        for g, v in info.get("trend_gap", {}).items()
    }


def _window_words(pre: int, post: int, anticipation: int, dates: Mapping[str, Any]) -> str:
    out = f"[-{pre}, {post}] days around {describe_dates(dates)}"
    if anticipation:
        out += f"; days -{anticipation}..-1 are an anticipation window (own terms, not reference)"
    return out


# --- event study ---------------------------------------------------------------------------
@dataclass
class EventStudyResult(Result):
    """Event-study coefficients by group and relative day, with a ``plot``.

    ``coefs`` has the tidy columns (pointwise CRV1 t(G-1) intervals), ``group``,
    ``rel_day`` and, when bands were computed, ``band_low``/``band_high``: the
    simultaneous (sup-t) band of each group's whole path.
    """

    twfe: TwfeFit | None = None

    def plot(self, ax: Any = None, *, groups: Sequence[str] | None = None) -> Any:
        """Coefficient plot: estimates, pointwise 95% intervals and the sup-t band."""
        import matplotlib.pyplot as plt

        from ..plots import PALETTE

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        c = self.coefs
        for i, g in enumerate(groups or list(dict.fromkeys(c["group"]))):
            s = c[c["group"] == g].sort_values("rel_day")
            off = (i - 0.5) * 0.25
            if "band_low" in s.columns:
                ax.fill_between(
                    s["rel_day"] + off,
                    s["band_low"],
                    s["band_high"],
                    color=PALETTE[i],
                    alpha=0.15,
                    lw=0,
                    step="mid",
                )
            ax.errorbar(
                s["rel_day"] + off,
                s["estimate"],
                yerr=[s["estimate"] - s["conf_low"], s["conf_high"] - s["estimate"]],
                fmt="o",
                ms=3,
                lw=0.8,
                color=PALETTE[i],
                label=g,
            )
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(-0.5, color="grey", ls="--", lw=0.8)
        ant = int(self.extra.get("anticipation days", 0) or 0)
        if ant:
            ax.axvspan(-ant - 0.5, -0.5, color="grey", alpha=0.1)
        ax.set_xlabel("days since the event date")
        unit = "followers" if self.extra.get("outcome") == "level" else "log points"
        ax.set_ylabel(f"effect on followers ({unit})")
        ax.legend(title="accounts vs controls")
        return ax


def _event_design(
    d: pd.DataFrame,
    groups: Sequence[str],
    pre: int,
    post: int,
    ref: int,
    group_col: str,
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


def _supt_critical(
    fit: TwfeFit,
    idx: Sequence[int],
    *,
    alpha: float,
    method: str,
    n_boot: int,
    weights: str,
    seed: int | None,
    treated_clusters: int,
) -> tuple[float, str]:
    """Critical value of a simultaneous (sup-t) band over the coefficients ``idx``.

    ``"wild_bootstrap"``: the 1-alpha quantile of ``max_j |t*_j|`` over unrestricted wild
    cluster bootstrap samples (each t* with its own bootstrap CRV1 s.e.), which carries
    the few-treated-clusters thickness of the tails into the band. ``"gaussian"``: the
    plug-in sup-t of Montiel Olea & Plagborg-Moller (2019), max |Z| with Z ~ N(0, corr(V)),
    for designs too big for the bootstrap's ``G x k x k`` array.
    """
    idx = list(idx)
    if method == "wild_bootstrap":
        t, kind = fit.wild_bootstrap_t(
            idx, n_boot=n_boot, weights=weights, seed=seed, treated_clusters=treated_clusters
        )
        crit = float(np.quantile(np.nanmax(np.abs(t), axis=0), 1 - alpha))
        return crit, f"sup-t, wild cluster bootstrap (WCU, {kind} weights, {t.shape[1]} draws)"
    v = fit.vcov[np.ix_(idx, idx)]
    sd = np.sqrt(np.diag(v))
    corr = v / np.outer(sd, sd)
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal(np.zeros(len(idx)), corr, size=max(n_boot, 9_999), method="eigh")
    crit = float(np.quantile(np.abs(z).max(axis=1), 1 - alpha))
    return crit, "sup-t, Gaussian plug-in (Montiel Olea & Plagborg-Moller 2019)"


def event_study(
    panel: pd.DataFrame,
    incident: Incident,
    *,
    groups: Sequence[str] = ("brand", "host"),
    control: str = "control",
    pre: int = 21,
    post: int = 28,
    ref: int | None = None,
    anticipation: int = 0,
    outcome: str = "log",
    trends: bool = False,
    exclude_imputed: bool = True,
    group_col: str = "group",
    pretrend_test: str = "wild_bootstrap",
    bands: str = "auto",
    alpha: float = 0.05,
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
        Day 0: one date, or a mapping group -> date (group-specific event dates).
    groups
        Treated groups, each with its own relative-day coefficients.
    control
        The comparison group; accounts in neither are left out.
    pre, post
        Window ``[-pre, post]`` in days around each group's date.
    ref
        Reference day (default ``-1 - anticipation``: the last day before the
        anticipation window).
    anticipation
        Days before day 0 that may already be treated (news travels before the dated
        event). They get their own coefficients, are left out of the reference period and
        of the pre-trend tests.
    outcome
        ``"log"`` (log followers; coefficients in log points, equal weight per account)
        or ``"level"`` (followers; big accounts weigh by their size).
    trends
        Remove account-specific linear trends fitted on the reference period only
        (:func:`pre_period_trends`) before estimating; a robustness check for differential
        pre-trends. The standard errors ignore the first step.
    pretrend_test
        How the joint pre-trend p-value (all leads before the anticipation window are
        zero) is computed: ``"wild_bootstrap"`` (default; restricted wild cluster
        bootstrap of the clustered Wald statistic, :meth:`TwfeFit.wild_bootstrap_wald`) or
        ``"analytic"`` (F(q, G-1), which over-rejects badly when few accounts are treated).
    bands
        Simultaneous band of each group's path: ``"wild_bootstrap"``, ``"gaussian"``,
        ``"none"`` or ``"auto"`` (the bootstrap when its ``G x k x k`` array is below
        ~400 MB, else Gaussian).
    alpha
        1 - confidence level of the intervals and bands.
    n_boot, boot_weights, seed
        Bootstrap draws, weights (``"auto"``, ``"webb"``, ``"rademacher"``) and seed.

    Returns
    -------
    EventStudyResult
        ``coefs`` has the tidy columns plus ``group``, ``rel_day`` and the band;
        ``extra`` holds, per group, the joint pre-trend F, its reported p-value
        (``pretrend_test``), the analytic F p-value for comparison, the 1-df linear
        pre-trend p-value, the sup-t critical value, and the number of clusters.
    """
    if pretrend_test not in ("wild_bootstrap", "analytic"):
        raise InputError(
            f"unknown pretrend_test {pretrend_test!r}",
            expected="'wild_bootstrap' or 'analytic'",
        )
    if bands not in ("auto", "wild_bootstrap", "gaussian", "none"):
        raise InputError(
            f"unknown bands {bands!r}", expected="'auto', 'wild_bootstrap', 'gaussian' or 'none'"
        )
    ref = -1 - anticipation if ref is None else ref
    if -pre <= ref < 0 and ref >= -anticipation:
        raise InputError(
            f"reference day {ref} lies inside the anticipation window -{anticipation}..-1",
            expected=f"a reference day before -{anticipation}",
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
        anticipation=anticipation,
        trends=trends,
    )
    unit, time = _codes(d)
    X, names, meta = _event_design(d, groups, pre, post, ref, group_col)
    if bands == "auto":
        bands = "wild_bootstrap" if (unit.max() + 1) * X.shape[1] ** 2 < 5e7 else "gaussian"
    keep = pretrend_test == "wild_bootstrap" or bands == "wild_bootstrap"
    fit = twfe(d["y"].to_numpy(), X, unit, time, names, keep_design=keep)
    del X
    coefs = pd.concat([fit.tidy(alpha=alpha), meta], axis=1)
    extra: dict[str, Any] = {
        "outcome": outcome,
        "event dates": describe_dates(info["dates"]),
        "anticipation days": anticipation,
        "reference day": ref,
        "account trends": "linear, fitted on the reference period" if trends else "none",
        **_trend_words(info),
        "clusters (accounts)": fit.n_clusters,
    }
    grp_of_unit = d.groupby(unit)[group_col].first()
    band_low = np.full(len(names), np.nan)
    band_high = np.full(len(names), np.nan)
    wb: dict[str, Any] = {}
    for g in groups:
        n_treated = int((grp_of_unit == g).sum())
        idx = np.flatnonzero((meta["group"] == g) & (meta["rel_day"] < -anticipation))
        if len(idx):
            w = fit.wald(idx)
            extra[f"pre-trend joint F ({g})"] = w["F"]
            # With few treated accounts the clustered covariance of many leads is nearly
            # singular and the F(q, G-1) reference over-rejects; the restricted wild
            # cluster bootstrap recomputes the same statistic under the null and keeps size.
            if pretrend_test == "wild_bootstrap":
                wb = fit.wild_bootstrap_wald(
                    idx,
                    n_boot=n_boot,
                    weights=boot_weights,
                    seed=seed,
                    treated_clusters=n_treated,
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
            extra[f"pre-trend slope p ({g})"] = float(
                2 * stats.t.sf(abs(est / se), fit.n_clusters - 1)
            )
        if bands != "none":
            path = np.flatnonzero(meta["group"] == g)
            crit, words = _supt_critical(
                fit,
                path,
                alpha=alpha,
                method=bands,
                n_boot=n_boot,
                weights=boot_weights,
                seed=seed,
                treated_clusters=n_treated,
            )
            se_path = np.sqrt(np.diag(fit.vcov))[path]
            band_low[path] = fit.coef[path] - crit * se_path
            band_high[path] = fit.coef[path] + crit * se_path
            extra[f"sup-t critical value ({g})"] = crit
            extra["simultaneous band"] = words
    if bands != "none":
        coefs["band_low"], coefs["band_high"] = band_low, band_high
    if pretrend_test == "wild_bootstrap" and wb:
        extra["pre-trend joint test"] = (
            f"wild cluster bootstrap (WCR, {wb['weights']} weights, {wb['n_boot']} draws, "
            f"seed {seed})"
        )
    else:
        extra["pre-trend joint test"] = "analytic F(q, G-1)"
    fit.design = None  # n x k: do not keep it alive in the result
    extra["dropped (no pre-period)"] = ", ".join(info["dropped_no_pre_period"]) or "none"
    return EventStudyResult(
        model="TWFE event study",
        coefs=coefs,
        n_obs=fit.n_obs,
        vcov="cluster: account (CRV1); pointwise t(G-1) intervals",
        fitted=fit,
        extra=extra,
        cov=cov_frame(fit.names, fit.vcov),
        df_resid=fit.n_clusters - 1,
        twfe=fit,
    )


def did(
    panel: pd.DataFrame,
    incident: Incident,
    *,
    groups: Sequence[str] = ("brand", "host"),
    control: str = "control",
    pre: int = 21,
    post: int = 28,
    anticipation: int = 0,
    slope: bool = False,
    outcome: str = "log",
    trends: bool = False,
    exclude_imputed: bool = True,
    group_col: str = "group",
    inference: str = "wild_bootstrap",
    alpha: float = 0.05,
    n_boot: int = 999,
    boot_weights: str = "auto",
    seed: int | None = 0,
) -> Result:
    """Difference-in-differences summary with account and date FE, clustered by account.

    With ``slope=False`` one term per group: the average effect over days ``0..post``
    (``post_i,t * 1[i in g]``). With ``slope=True`` two terms per group: ``level`` (the
    jump on day 0) and ``slope`` (change in daily growth after the incident,
    ``post * k``), the panel analogue of the interrupted time series. A term
    ``host - brand`` (first two groups) compares them within the same fit. With
    ``anticipation > 0`` the days ``-anticipation..-1`` get a term of their own per group
    (``g: anticipation``), so they are neither reference nor effect.

    Parameters
    ----------
    incident
        One date or a mapping group -> date.
    trends
        Detrend by account-specific linear trends fitted on the reference period
        (robustness for differential pre-trends; see :func:`pre_period_trends`).
    inference
        ``"wild_bootstrap"`` (default): the 95% intervals and p-values are restricted
        wild cluster bootstrap (WCR) test inversions (:meth:`TwfeFit.wild_bootstrap_ci`;
        Webb weights with fewer than 30 treated accounts); ``std_error`` stays the CRV1
        s.e. and ``crv1_low``/``crv1_high`` keep the t(G-1) interval. ``"crv1"``: t(G-1)
        only (much cheaper on very large panels).
    """
    if inference not in ("wild_bootstrap", "crv1"):
        raise InputError(f"unknown inference {inference!r}", expected="'wild_bootstrap' or 'crv1'")
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
        anticipation=anticipation,
        trends=trends,
    )
    unit, time = _codes(d)
    rel = d["rel_day"].to_numpy()
    postd = (rel >= 0).astype(float)
    antd = ((rel < 0) & (rel >= -anticipation)).astype(float)
    cols, names, main = [], [], []
    for g in groups:
        in_g = (d[group_col] == g).to_numpy()
        if slope:
            main += [len(names), len(names) + 1]
            cols += [in_g * postd, in_g * postd * rel]
            names += [f"{g}: level", f"{g}: slope"]
        else:
            main.append(len(names))
            cols.append(in_g * postd)
            names.append(g)
        if anticipation:
            cols.append(in_g * antd)
            names.append(f"{g}: anticipation")
    boot = inference == "wild_bootstrap"
    fit = twfe(
        d["y"].to_numpy(),
        np.asfortranarray(np.column_stack(cols)),
        unit,
        time,
        names,
        keep_design=boot,
    )
    tidy = fit.tidy(alpha=alpha)
    contrasts: list[tuple[str, np.ndarray]] = []
    if len(groups) >= 2:
        per = len(names) // len(groups)
        for j, lab in enumerate(["level", "slope"] if slope else [""]):
            w = np.zeros(len(names))
            w[per + j], w[j] = 1.0, -1.0
            contrasts.append((f"{groups[1]} - {groups[0]}" + (f": {lab}" if lab else ""), w))
        rows = []
        for term, w in contrasts:
            est, se = fit.lincom(w)
            rows.append(tidy_frame([term], [est], [se], df_resid=fit.n_clusters - 1, alpha=alpha))
        tidy = pd.concat([tidy, *rows], ignore_index=True)
    extra: dict[str, Any] = {
        "outcome": outcome,
        "event dates": describe_dates(info["dates"]),
        "clusters (accounts)": fit.n_clusters,
        "window": _window_words(pre, post, anticipation, info["dates"]),
        "account trends": "linear, fitted on the reference period" if trends else "none",
        **_trend_words(info),
        "dropped (no pre-period)": ", ".join(info["dropped_no_pre_period"]) or "none",
    }
    vcov = "cluster: account (CRV1); t(G-1) intervals"
    if boot:
        tidy["crv1_low"], tidy["crv1_high"] = tidy["conf_low"], tidy["conf_high"]
        grp_of_unit = d.groupby(unit)[group_col].first()
        targets = [(i, int(i)) for i in range(len(names))] + [
            (len(names) + i, w) for i, (_, w) in enumerate(contrasts)
        ]
        for row, j in targets:
            used = [
                groups[k // (len(names) // len(groups))]
                for k in np.flatnonzero(np.eye(len(names))[j] if np.ndim(j) == 0 else j)
            ]
            ci = fit.wild_bootstrap_ci(
                j,
                alpha=alpha,
                n_boot=n_boot,
                weights=boot_weights,
                seed=seed,
                treated_clusters=int(grp_of_unit.isin(used).sum()),
            )
            tidy.loc[row, ["p_value", "conf_low", "conf_high"]] = (
                ci["p_value"],
                ci["conf_low"],
                ci["conf_high"],
            )
        vcov = (
            f"s.e. cluster: account (CRV1); {100 * (1 - alpha):.0f}% CI and p: wild cluster "
            f"bootstrap (WCR test inversion, {ci['weights']} weights, {ci['n_boot']} draws, "
            f"seed {seed})"
        )
        fit.design = None
    return Result(
        model="TWFE difference-in-differences" + (" (level and slope)" if slope else ""),
        coefs=tidy,
        n_obs=fit.n_obs,
        vcov=vcov,
        fitted=fit,
        cov=cov_frame(fit.names, fit.vcov),
        df_resid=fit.n_clusters - 1,
        extra=extra,
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
    ``groups[1] - groups[0]`` (in the fit's unit: log points, or followers for
    ``outcome="level"``, since the reference day; CRV1 t(G-1) intervals of the same fit);
    column ``horizon`` says the day. With a log outcome, ``percent``/``percent_low``/
    ``percent_high`` convert with ``100 * (exp(b) - 1)``: 0.40 log points is +49%.
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
    cmp = pd.concat(out, ignore_index=True)
    outcome = res.extra.get("outcome", "log")
    if outcome == "log":
        for src, dst in (
            ("estimate", "percent"),
            ("conf_low", "percent_low"),
            ("conf_high", "percent_high"),
        ):
            cmp[dst] = log_points_to_percent(cmp[src])
    cmp.attrs["outcome"] = outcome
    return cmp


def log_points_to_percent(b: Any) -> Any:
    """Percent change implied by a change of ``b`` log points: ``100 * (exp(b) - 1)``."""
    return 100 * np.expm1(b)
