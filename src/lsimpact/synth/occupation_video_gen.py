"""Synthetic occupation-level observations of video presence, on the real classification.

Unit: the **minor groups (小类) of the 2022 edition** in major groups 1-6 (445 groups; the
military (7) and "not classifiable" (8) groups are out of scope). For each group a latent
propensity ``y* = eta + e`` with ``eta = X @ beta`` (major group, residual "其他…" group,
manual-work title) and standard logistic noise ``e`` sets the number of creators::

    creators = floor(N0 * exp(y* / scale))

so ``creators >= N`` exactly when ``y* >= scale * log(N / N0)``. Under the default rule
(``creators >= N0``) "transformed" is therefore a logit with coefficients ``beta``, and the
expected share under any threshold ``N`` is ``mean(expit(eta - scale*log(N/N0)))``: the
truth for the headline, the sensitivity curve and the logistic regression.

The raw table is written the way real submissions look: codes in several spellings, some
rows with a title only, a few groups reported at occupation level (two rows summed by the
cleaner), one exact duplicate and a few rows that match nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

__all__ = ["TRUE_EFFECTS", "DEFAULT_SEED", "occupation_video", "expected_share"]

DEFAULT_SEED = 20240320
#: True parameters (log-odds of transformation under the default rule; major group 2 =
#: professionals is the reference).
TRUE_EFFECTS: dict[str, Any] = {
    "intercept": 2.0,
    "major": {1: -1.2, 2: 0.0, 3: -0.6, 4: 0.6, 5: 0.9, 6: -0.2},
    "residual": -0.9,
    "manual": 0.5,
    "scale": 1.0,
    "threshold": 10,
}
PLATFORM, PERIOD = "Kuaishou", "2023"
WINDOW = (pd.Timestamp("2016-01-01"), pd.Timestamp("2023-12-31"))


def _population(classification: pd.DataFrame | None) -> pd.DataFrame:
    from ..clean.occupations import clean_classification

    if classification is None:
        from .. import catalog

        classification = catalog.load("occupational_classification_gbm")
    c = clean_classification(classification).data
    return c[(c["level"] == 3) & c["major_group"].between(1, 6)].reset_index(drop=True)


def _eta(pop: pd.DataFrame, eff: dict[str, Any]) -> np.ndarray:
    major = pop["major_group"].map({int(k): v for k, v in eff["major"].items()}).to_numpy()
    return (
        eff["intercept"]
        + major
        + eff["residual"] * pop["residual"].to_numpy()
        + eff["manual"] * pop["manual"].to_numpy()
    ).astype(float)


def expected_share(eta: np.ndarray, threshold: float, effects: dict[str, Any]) -> float:
    """Expected share with ``creators >= threshold`` given linear predictors ``eta``."""
    shift = effects["scale"] * np.log(threshold / effects["threshold"])
    return float(np.mean(expit(eta - shift)))


def occupation_video(
    seed: int = DEFAULT_SEED,
    *,
    classification: pd.DataFrame | None = None,
    copies: int = 1,
    messy: bool = True,
    **true_effects: Any,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Seeded raw observations in the ``occupation_video_observations`` format.

    Parameters
    ----------
    seed
        Random seed (the shipped file uses :data:`DEFAULT_SEED`).
    classification
        Raw GBM code list; default the shipped ``occupational_classification_gbm``.
    copies
        Independent draws per minor group (``copies > 1`` gives a large sample for
        recovery checks; each copy is its own ``period`` "2023#k").
    messy
        Write codes in varied spellings and add duplicate / unmatched rows.
    **true_effects
        Overrides of :data:`TRUE_EFFECTS`.

    Returns
    -------
    raw, truth
        ``raw`` is all strings (as read from a CSV); ``truth`` holds the parameters, the
        true logit coefficients under statsmodels' term names, and the expected and
        realised shares.
    """
    eff = {**TRUE_EFFECTS, **true_effects}
    rng = np.random.default_rng(seed)
    pop = _population(classification)
    n = len(pop)
    eta1 = _eta(pop, eff)
    frames = []
    for k in range(copies):
        e = rng.logistic(size=n)
        ystar = eta1 + e
        creators = np.floor(eff["threshold"] * np.exp(ystar / eff["scale"])).astype(np.int64)
        videos = np.rint(creators * rng.gamma(2.0, 12.0, size=n)).astype(np.int64)
        live_rate = np.where(pop["manual"], 0.15, 0.35)
        live = rng.poisson(creators * live_rate)
        # Earlier first appearance for high-propensity groups; never seen when 0 creators.
        u = expit(-0.6 * ystar + 1.5 + rng.normal(0, 0.6, size=n))
        days = np.floor(u * (WINDOW[1] - WINDOW[0]).days).astype(np.int64)
        first = (WINDOW[0] + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
        first = np.where(creators >= 1, first, "")
        frames.append(
            pd.DataFrame(
                {
                    "occupation_code": pop["code"].to_numpy(),
                    "occupation_title": pop["title"].to_numpy(),
                    "platform": PLATFORM,
                    "period": PERIOD if copies == 1 else f"{PERIOD}#{k + 1}",
                    "creators": creators,
                    "videos": videos,
                    "live_sessions": live,
                    "first_seen": first,
                    "_transformed": creators >= eff["threshold"],
                }
            )
        )
    clean = pd.concat(frames, ignore_index=True)
    eta = np.tile(eta1, copies)
    thresholds = [1, 3, 10, 30, 100, 300, 1000]
    truth = {
        "unit": "minor groups (小类) of the 2022 edition, major groups 1-6",
        "n_groups": int(n),
        "rule": f"creators >= {eff['threshold']}",
        "parameters": {**eff, "major": {str(k): v for k, v in eff["major"].items()}},
        "logit_coefficients": _logit_terms(eff),
        "expected_share": expected_share(eta, eff["threshold"], eff),
        "realised_share": float(clean["_transformed"].mean()),
        "expected_share_by_threshold": {
            str(t): round(expected_share(eta, t, eff), 6) for t in thresholds
        },
        "latent": "creators = floor(threshold * exp((eta + logistic noise) / scale))",
    }
    raw = clean.drop(columns="_transformed")
    for col in ("creators", "videos", "live_sessions"):
        raw[col] = raw[col].astype(str)
    if messy:
        raw = _mess_up(raw, rng)
    return raw.astype(str).reset_index(drop=True), truth


def _logit_terms(eff: dict[str, Any]) -> dict[str, float]:
    """True coefficients under the term names ``models.logit.fit_logit`` reports."""
    terms = {"Intercept": float(eff["intercept"] + eff["major"][2])}
    for g, b in sorted(eff["major"].items()):
        if int(g) != 2:
            terms[f"C(major_group, Treatment(reference=2))[T.{int(g)}]"] = float(
                b - eff["major"][2]
            )
    terms["residual"] = float(eff["residual"])
    terms["manual"] = float(eff["manual"])
    return terms


def _mess_up(raw: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Spell codes as users do; add split, duplicate and unmatched rows (vectorised)."""
    n = len(raw)
    code = raw["occupation_code"]
    digits = code.str.replace("-", "", regex=False)
    style = rng.choice(6, size=n, p=[0.62, 0.12, 0.06, 0.06, 0.06, 0.08])
    fullwidth = code.str.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    gbm_ok = ~digits.str.endswith("00")  # avoid the ambiguous GBM-padded form here
    spelled = np.select(
        [style == 1, style == 2, style == 3, (style == 4) & gbm_ok, style == 5],
        [digits, fullwidth, code.str.replace("-", " - ", regex=False), "GBM " + digits, ""],
        code,
    )
    raw = raw.assign(occupation_code=spelled)
    # Title-only rows keep the real title, sometimes with stray spaces.
    spaced = raw["occupation_title"].str.replace(r"^(.)", r"\1 ", regex=True)
    raw["occupation_title"] = np.where(
        (style == 5) & (rng.random(n) < 0.3), spaced, raw["occupation_title"]
    )
    # Three groups reported at occupation level: two rows whose counts sum to the group's.
    split_idx = rng.choice(
        np.flatnonzero(style == 0), size=min(3, int((style == 0).sum())), replace=False
    )
    extra = []
    for i in np.sort(split_idx):  # three rows: a loop here is not a hot path
        row = raw.loc[i]
        c = int(row["creators"])
        v, live = int(row["videos"]), int(row["live_sessions"])
        a, b, d = c // 2, v // 2, live // 2
        raw.loc[
            i, ["occupation_code", "occupation_title", "creators", "videos", "live_sessions"]
        ] = [code[i] + "-01", "", str(a), str(b), str(d)]
        extra.append(
            {
                **row.to_dict(),
                "occupation_code": code[i] + "-02",
                "occupation_title": "",
                "creators": str(c - a),
                "videos": str(v - b),
                "live_sessions": str(live - d),
            }
        )
    base = {
        "platform": PLATFORM,
        "period": raw["period"].iloc[0],
        "videos": "40",
        "live_sessions": "3",
        "first_seen": "2023-05-01",
    }
    junk = [
        {**base, "occupation_code": "", "occupation_title": "网络主播", "creators": "5000"},
        {**base, "occupation_code": "9-01-01", "occupation_title": "", "creators": "12"},
        {**base, "occupation_code": "6-01", "occupation_title": "", "creators": "30"},
        {**base, "occupation_code": "60100", "occupation_title": "", "creators": "8"},
    ]
    out = pd.concat(
        [raw, pd.DataFrame(extra), pd.DataFrame(junk), raw.iloc[[7]]], ignore_index=True
    )
    return out
