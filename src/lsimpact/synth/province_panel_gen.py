"""Seeded synthetic province x year panel of live-commerce penetration, employment, income.

For province ``i`` and year ``t`` (31 provinces, 2018-2024) with penetration ``p[i, t]``
in percent (live-commerce users as a share of internet users)::

    log E[i, t] = alpha_E[i] + delta_E[t] + effect_employment * p[i, t]
                  + 0.30 * (log GDPpc[i, t] - mean) + e_E[i, t]
    log Y[i, t] = alpha_Y[i] + delta_Y[t] + effect_income * p[i, t]
                  + 0.50 * (log GDPpc[i, t] - mean) + e_Y[i, t]

with ``E`` employed persons, ``Y`` per-capita disposable income (yuan), ``e`` iid normal.
So ``effect_employment`` and ``effect_income`` are log points per percentage point of
penetration: exactly what a two-way FE regression of log outcome on ``p`` (with the GDP
per capita control) estimates. Penetration is correlated with the province effects and
its trend with GDP growth, so pooled OLS and the no-controls column are biased while the
TWFE-with-controls column is not.

National consistency: province internet users sum to the CNNIC national count of each
year-end, and the internet-user-weighted mean penetration equals the national share of
e-commerce live-streaming users among internet users, wherever ``published_figures``
has those numbers (:data:`NATIONAL_ANCHORS` records which years are published, derived
or assumed; a test checks them against the catalogue).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "NATIONAL_ANCHORS", "PROVINCES", "province_panel", "to_csv_bytes"]

#: Columns of the raw panel, in order (see data/raw/datapackage.json for units).
COLUMNS = [
    "province",
    "province_en",
    "province_code",
    "year",
    "population",
    "internet_users",
    "live_commerce_penetration",
    "employment",
    "disposable_income_per_capita",
    "gdp_per_capita",
    "urbanization_rate",
]

#: (GB/T 2260 code, Chinese name, pinyin, 2020 census population in millions, rounded);
#: the population only sizes the synthetic provinces.
PROVINCES: list[tuple[int, str, str, float]] = [
    (11, "北京", "Beijing", 21.89), (12, "天津", "Tianjin", 13.87),
    (13, "河北", "Hebei", 74.61), (14, "山西", "Shanxi", 34.92),
    (15, "内蒙古", "Inner Mongolia", 24.05), (21, "辽宁", "Liaoning", 42.59),
    (22, "吉林", "Jilin", 24.07), (23, "黑龙江", "Heilongjiang", 31.85),
    (31, "上海", "Shanghai", 24.87), (32, "江苏", "Jiangsu", 84.75),
    (33, "浙江", "Zhejiang", 64.57), (34, "安徽", "Anhui", 61.03),
    (35, "福建", "Fujian", 41.54), (36, "江西", "Jiangxi", 45.19),
    (37, "山东", "Shandong", 101.53), (41, "河南", "Henan", 99.37),
    (42, "湖北", "Hubei", 57.75), (43, "湖南", "Hunan", 66.45),
    (44, "广东", "Guangdong", 126.01), (45, "广西", "Guangxi", 50.13),
    (46, "海南", "Hainan", 10.08), (50, "重庆", "Chongqing", 32.05),
    (51, "四川", "Sichuan", 83.67), (52, "贵州", "Guizhou", 38.56),
    (53, "云南", "Yunnan", 47.21), (54, "西藏", "Tibet", 3.65),
    (61, "陕西", "Shaanxi", 39.53), (62, "甘肃", "Gansu", 25.02),
    (63, "青海", "Qinghai", 5.92), (64, "宁夏", "Ningxia", 7.20),
    (65, "新疆", "Xinjiang", 25.85),
]  # fmt: skip

YEARS = np.arange(2018, 2025)

#: National year-end anchors. internet_users (millions) and the e-commerce live user share
#: of internet users (percent); ``how`` says whether a value is published, derived from
#: published counts, interpolated between published points, or assumed.
NATIONAL_ANCHORS: dict[int, dict[str, Any]] = {
    2018: {"internet_users": 731 + (854 - 731) * 730 / 911, "users_how": "interpolated "
           "2016-12-31 (731) .. 2019-06-30 (854)", "share": 10.0, "share_how": "assumed"},
    2019: {"internet_users": 854 + (904 - 854) * 184 / 275, "users_how": "interpolated "
           "2019-06-30 (854) .. 2020-03-31 (904)", "share": 25.0, "share_how": "assumed "
           "(CNNIC: 29.3% by 2020-03)"},
    2020: {"internet_users": 989.0, "users_how": "published", "share": 388 / 989 * 100,
           "share_how": "derived: cnnic_ecommerce_live_users 388 / cnnic_internet_users 989"},
    2021: {"internet_users": 1032.0, "users_how": "published",
           "share": (384 / 1011 + 469 / 1051) / 2 * 100,
           "share_how": "interpolated: mean of 2021-06 (384/1011) and 2022-06 (469/1051)"},
    2022: {"internet_users": 1067.0, "users_how": "published", "share": 48.2,
           "share_how": "published (cnnic_ecommerce_live_users_share_of_netizens)"},
    2023: {"internet_users": 1092.0, "users_how": "published", "share": 52.0,
           "share_how": "assumed"},
    2024: {"internet_users": 1108.0, "users_how": "published", "share": 55.0,
           "share_how": "assumed"},
}  # fmt: skip


def province_panel(
    seed: int = 20240605,
    *,
    effect_employment: float = 0.002,
    effect_income: float = 0.003,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Generate the raw province panel and its truth record.

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``.
    effect_employment, effect_income
        True effects, log points of employment / income per percentage point of
        penetration.

    Returns
    -------
    (DataFrame, dict)
        The raw panel as strings (columns :data:`COLUMNS`, 31 x 7 rows) and the truth.
    """
    rng = np.random.default_rng(seed)
    n, t = len(PROVINCES), len(YEARS)
    pop0 = np.array([p[3] for p in PROVINCES]) * 1e6
    tt = (YEARS - 2021)[None, :] / 3.0  # centred time, about -1..1

    # province traits: development z (richer, more online), penetration level u and trend v
    z = rng.normal(0.0, 1.0, n)
    u = 0.10 * z + rng.normal(0.0, 0.12, n)
    v = rng.normal(0.0, 0.12, n)

    population = pop0[:, None] * (1 + 0.003 * (YEARS - 2020))[None, :]
    nat_users = np.array([NATIONAL_ANCHORS[y]["internet_users"] for y in YEARS]) * 1e6
    nat_share = np.array([NATIONAL_ANCHORS[y]["share"] for y in YEARS])
    w = population * np.exp(0.15 * z)[:, None] * (1 + 0.02 * rng.normal(size=(n, t)))
    internet_users = nat_users[None, :] * w / w.sum(axis=0, keepdims=True)

    pen = nat_share[None, :] * np.exp(u[:, None] + v[:, None] * tt + rng.normal(0, 0.06, (n, t)))
    # rescale each year so the internet-user-weighted mean is the national share exactly
    pen *= nat_share / ((pen * internet_users).sum(axis=0) / internet_users.sum(axis=0))
    pen = np.round(pen, 2)

    log_gdppc = (
        np.log(60000) + 0.35 * z[:, None] + (0.06 + 0.05 * v)[:, None] * (YEARS - 2018)[None, :]
        + rng.normal(0, 0.01, (n, t))
    )  # fmt: skip
    log_gdppc[:, YEARS == 2020] -= 0.03  # 2020 slowdown, common to all
    gdppc = np.round(np.exp(log_gdppc))
    gdp_c = np.log(gdppc) - np.log(gdppc).mean()
    urban = np.clip(
        60 + 8 * z[:, None] + 1.0 * (YEARS - 2018)[None, :] + rng.normal(0, 0.3, (n, t)), 25, 95
    )

    delta_e = np.array([0.0, 0.004, -0.015, 0.002, -0.004, 0.001, 0.0])
    log_emp = (
        np.log(0.53 * population) + 0.02 * z[:, None] + delta_e[None, :]
        + effect_employment * pen + 0.30 * gdp_c + rng.normal(0, 0.01, (n, t))
    )  # fmt: skip
    delta_y = 0.06 * (YEARS - 2018) - 0.03 * (YEARS == 2020)
    log_inc = (
        np.log(30000) + 0.30 * z[:, None] + delta_y[None, :]
        + effect_income * pen + 0.50 * gdp_c + rng.normal(0, 0.01, (n, t))
    )  # fmt: skip

    codes = np.array([p[0] for p in PROVINCES])
    df = pd.DataFrame(
        {
            "province": np.repeat([p[1] for p in PROVINCES], t),
            "province_en": np.repeat([p[2] for p in PROVINCES], t),
            "province_code": np.repeat(codes, t).astype(str),
            "year": np.tile(YEARS, n).astype(str),
            "population": np.round(population).astype(np.int64).ravel().astype(str),
            "internet_users": np.round(internet_users).astype(np.int64).ravel().astype(str),
            "live_commerce_penetration": [f"{x:.2f}" for x in pen.ravel()],
            "employment": np.round(np.exp(log_emp)).astype(np.int64).ravel().astype(str),
            "disposable_income_per_capita": np.round(np.exp(log_inc))
            .astype(np.int64)
            .ravel()
            .astype(str),
            "gdp_per_capita": gdppc.astype(np.int64).ravel().astype(str),
            "urbanization_rate": [f"{x:.1f}" for x in urban.ravel()],
        },
        columns=COLUMNS,
    )
    truth = {
        "effect_employment": effect_employment,
        "effect_income": effect_income,
        "unit": "log points of the outcome per percentage point of live_commerce_penetration",
        "model": "log outcome ~ penetration + log(gdp_per_capita) | province + year; iid errors",
        "control_coefficients": {"employment": 0.30, "income": 0.50},
        "national_anchors": {
            str(y): {k: (round(v, 4) if isinstance(v, float) else v) for k, v in a.items()}
            for y, a in NATIONAL_ANCHORS.items()
        },
    }
    return df, truth


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The exact bytes shipped as data/raw/province_panel.csv (UTF-8, LF, no index)."""
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def sha256(df: pd.DataFrame) -> str:
    """sha256 of :func:`to_csv_bytes` (what the catalogue records)."""
    return hashlib.sha256(to_csv_bytes(df)).hexdigest()
