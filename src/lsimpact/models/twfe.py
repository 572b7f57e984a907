"""The two-way fixed-effects engine: demeaning by alternating projections, OLS with
CRV1 standard errors clustered by unit, and the wild cluster bootstrap.

Why a second engine beside pyfixest (:mod:`lsimpact.models.fe`): on the account x day
panels of the followers study it is faster and leaner (14 s / 4.7 GiB against pyfixest's
50 s / 13.9 GiB on the 50,000-account event study, ``make bench``), and it gives the
bootstrap what it needs (the demeaned design, the bread, the cluster codes) without a
refit. Its estimates equal OLS with explicit dummies and pyfixest's (tested to 1e-8).

Fixed effects are absorbed by alternating projections (:func:`demean`, vectorised with
``np.bincount``), never by dummies, so memory grows with the rows times the regressors
only. Standard errors are clustered (CRV1) with fixest's small-sample factor
(``G/(G-1) * (N-1)/(N-K)``, fixed effects nested in the cluster not counted in ``K``) and
t(G-1) intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from .results import tidy_frame

__all__ = ["TwfeFit", "demean", "twfe"]


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
