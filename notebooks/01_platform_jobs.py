# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Platform jobs, users, sales; and a regional panel
#
# The employment side: how many jobs platforms are credited with, the users and sales behind
# them, derived indicators, and two-way fixed-effects regressions of provincial employment
# and income on live-commerce penetration. **The published figures are real; the provincial
# panel is SYNTHETIC** (seeded, with a known true effect) until you supply a real one.

# %% tags=["parameters"]
# Parameters (papermill)
jobs_dataset = "platform_jobs"
panel_dataset = "province_panel"


# %%
import numpy as np
import pandas as pd

import lsimpact
from lsimpact import exhibits, plots, tables
from lsimpact.models import loglog_elasticity
from lsimpact.studies import generator_truth, is_synthetic
from lsimpact.studies import jobs as study

plots.set_style()
pd.set_option("display.width", 120)
pj = lsimpact.load(jobs_dataset)
pub = lsimpact.load("published_figures")
print(pj.attrs["summary"]["input_rows"], "raw rows ->", len(pj), "rows in", jobs_dataset)

# %% [markdown]
# ## Jobs credited to platforms: separate studies, not a time series
# Each point is one study (method and reference date differ; SOURCES.md caveat 5). Hollow
# markers are published lower bounds ("more than ...").

# %%
# The figure of these studies is overview_platform_jobs (notebook 00); here, the table.
jobs = pj[(pj["measure"] == "jobs") & (pj["category"] == "total")].copy()
print(jobs[["platform", "period", "value", "lower_bound", "reference_period_stated"]].to_string(index=False))

# %% [markdown]
# ## Users and sales

# %%
fig = study.plot_users_and_sales(pj)
users_sales = pj[pj["measure"].isin(["users", "sales"])]
_ = exhibits.save(fig, "users_and_sales", inputs=[users_sales],
                  caption="Internet, live-streaming and e-commerce live users; retail and online retail sales (published, gaps not filled)")

# %% [markdown]
# ## Derived indicators
# *Jobs per 100 million yuan of GMV* = jobs / (GMV / 10⁸). *Year-on-year growth*: the rate the
# source publishes where it prints one (NBS computes growth on a revised previous-year base,
# so 100·(v_t / v_{t−1} − 1) from two published levels differs: 11.30 / 5.44 / 11.79% from
# levels against the published 14.1 / 4 / 11.0% for 2021-2023); computed from levels only
# where no rate is published, and `yoy_basis` says which. *Shares* = 100·part / whole. Every
# share a source prints next to its counts (live-streaming, e-commerce live, short-video and
# online-shopping users as % of internet users; physical-goods online retail as % of retail
# sales; live sales as % of online retail) is recomputed; `agrees` says whether the gap is
# within the rounding of the three numbers, and is empty where the table has no denominator
# for that period (the 2020 physical-goods shares). Where two user counts conflict, the share
# shows which one the source's own percentage supports (June 2022: 962 million, not 934;
# December 2022: 1,012 million, not 1,031).

# %%
checks = study.share_checks(pub)
show = checks[["share", "period", "part_series", "recomputed_pct", "published_pct", "difference", "tolerance", "agrees"]]
print(show.round(3).to_string(index=False))
_ = exhibits.save(show.round(3), "share_checks", inputs=[pub[pub["unit"] == "percent"]],
                  caption="Published shares recomputed from the published counts (agrees empty: no denominator in the table for that period)")
sales = pj[(pj["measure"] == "sales") & pj["period"].str.fullmatch(r"\d{4}")]
annual = sales.drop_duplicates(["category", "year"]).sort_values(["category", "year"])
growth = study.growth_table(annual, pub)
print(growth.round(2).to_string(index=False))

# %% [markdown]
# ## Jobs per GMV and the log-log elasticity (descriptive)
# Each platform job figure is one study; studies are paired with GMV by their **reference
# year** (a study published in March 2022 describes 2021), and figures that are the same
# study reprinted (Economic Daily's "more than 36 million" and CAPS's 36.21 million) count
# once (`duplicates`). Only Kuaishou has both total-jobs studies and full-year GMV, so the
# elasticity rests on three points: **descriptive, not a causal or structural elasticity**.
# The ratio is *total* platform jobs as each study counts them (creators, sellers, indirect
# jobs) per yuan of *e-commerce* GMV: a measure of the platform's scale, not the jobs one
# more yuan of live-commerce sales would create.

# %%
pairs = study.jobs_gmv_pairs(pj)
pairs["jobs_per_100m_yuan"] = study.jobs_per_100m_yuan(pairs["jobs"], pairs["gmv_yuan"])
print(pairs[["platform", "jobs_period", "year", "jobs", "gmv_year", "gmv_yuan", "year_gap", "lower_bound", "duplicates", "jobs_per_100m_yuan"]].round(1).to_string(index=False))
elas = loglog_elasticity(pairs, "jobs", "gmv_yuan", model="log jobs on log GMV")
se = elas.term("elasticity")["std_error"]
se_txt = f"HC3 s.e. {se:.3f}" if np.isfinite(se) else "no finite HC3 s.e. with 3 points and 2 parameters"
print(f"elasticity {elas.term('elasticity')['estimate']:.3f} ({se_txt}); N = {elas.n_obs}: DESCRIPTIVE ONLY")

# %% [markdown]
# ## Province panel (SYNTHETIC): two-way fixed effects
# log employment and log income on penetration (live-commerce users as a percent of internet
# users), province and year fixed effects. **Inference: CRV3 (jackknife) standard errors
# clustered by province**: with 31 clusters the usual CRV1 intervals cover 92.6-93.5% in
# Monte Carlo, CRV3 96.7% (`tests/test_panel_inference.py`). Columns per outcome:
# (1) without the GDP control, **an omitted-variable illustration, biased by design**
# (penetration rises with GDP growth in the generator; its interval rarely covers the truth);
# (2) the estimate, with controls (log GDP per capita, urbanisation); (3) first differences
# (consecutive years, year effects), the same per-pp effect without the within transformation;
# (4) a **lead placebo**: next year's penetration added to (2), whose true coefficient is zero.
# Penetration is continuous and never zero, so every column is a dose-response slope (log
# points per percentage point), not an on/off effect. The measure is **consumer-side** (people
# who buy in live streams); it should move employment through demand for the sellers, hosts,
# logistics and production behind those purchases, which a province's own consumers only
# partly create (a seller in Zhejiang serves buyers everywhere): a reason to read these
# slopes as associations in a synthetic demonstration. No stars: the data are SYNTHETIC.

# %%
panel = lsimpact.load(panel_dataset)
synthetic = is_synthetic(panel)
truth = generator_truth(panel)
emp = study.penetration_regressions(panel, "log_employment")
inc = study.penetration_regressions(panel, "log_income")
labels = [f"{o} ({k})" for o in ("Emp", "Inc") for k in (1, 2, 3, 4)]
table = tables.regression_table(emp + inc, labels, terms=study.PANEL_TERMS, digits=4, stars=False)
print(table.to_string(index=False))
print("columns:", "; ".join(f"({k}) {r.model}" for k, r in enumerate(emp, 1)), "| inference:", emp[1].vcov)
_ = exhibits.save(table, "panel_twfe", inputs=[panel],
                  caption="Province panel: log employment and log income on live-commerce penetration (log points per pp); CRV3 (jackknife) standard errors clustered by province, t(30); (1) omits GDP per capita (biased by design), (2) TWFE with controls, (3) first differences, (4) lead placebo")

# %%
fig = study.plot_penetration_effects(emp, inc, truth)
_ = exhibits.save(fig, "panel_twfe_effects", inputs=[panel],
                  caption="Penetration slopes with 95% CIs (CRV3, clustered by province); (1) omits GDP per capita, biased by design" + ("; crosses = true effect" if truth else ""))

# %% [markdown]
# ## Threats to validity
#
# * **Published figures are reprints.** Most come through secondary sources; conflicting
#   counts are kept and flagged, and the share checks show which count a source's own
#   percentage supports. Growth rates use NBS's published (revised-base) rates where they exist.
# * **Jobs studies are not a time series.** Methods, coverage (creators, indirect jobs) and
#   reference periods differ; the jobs-per-GMV ratio and the elasticity are descriptive on
#   three points.
# * **The province panel is synthetic.** Its effects are set by the generator; the exercise
#   shows the estimators and the inference, not an effect of live commerce in China. On real
#   data: penetration is a consumer-side measure, province-year shocks that raise both online
#   buying and employment (broadband, urbanisation, the pandemic years) would bias (2), and
#   31 clusters call for CRV3 or wild-bootstrap inference.
# * **Omitted variables.** Column (1) shows how far the estimate moves without the GDP
#   control; real data would have controls the generator does not.

# %% [markdown]
# ## Key numbers

# %%
e2, i2 = emp[1].term("live_commerce_penetration"), inc[1].term("live_commerce_penetration")
print("platform_jobs rows:", len(pj), "| jobs rows:", int((pj["measure"] == "jobs").sum()))
print("share checks:", len(checks), "agree:", int(checks["agrees"].sum()))
print(f"elasticity jobs~GMV: {elas.term('elasticity')['estimate']:.3f}, N = {elas.n_obs}")
print(f"employment effect (controls): {e2['estimate']:.5f} [{e2['conf_low']:.5f}, {e2['conf_high']:.5f}], truth {truth['effect_employment'] if truth else 'unknown'}")
print(f"income effect (controls): {i2['estimate']:.5f} [{i2['conf_low']:.5f}, {i2['conf_high']:.5f}], truth {truth['effect_income'] if truth else 'unknown'}")
