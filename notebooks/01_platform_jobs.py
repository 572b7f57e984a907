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
# *Jobs per 100 million yuan of GMV* = jobs / (GMV / 10⁸). *Year-on-year growth* = 100·(v_t / v_{t−1} − 1),
# only for consecutive years. *Shares* = 100·part / whole. Every share a source prints next to its
# counts is recomputed; `agrees` says whether the gap is within the rounding of the three numbers.

# %%
checks = study.share_checks(pub)
show = checks[["share", "period", "recomputed_pct", "published_pct", "difference", "tolerance", "agrees"]]
print(show.round(3).to_string(index=False))
_ = exhibits.save(show.round(3), "share_checks", inputs=[pub[pub["unit"] == "percent"]],
                  caption="Published shares recomputed from the published counts")
sales = pj[(pj["measure"] == "sales") & pj["period"].str.fullmatch(r"\d{4}")]
annual = sales.drop_duplicates(["category", "year"]).sort_values(["category", "year"])
annual = annual.assign(yoy_pct=study.yoy_growth(annual, by=["category"]))
print(annual[["category", "year", "value", "yoy_pct"]].round(2).to_string(index=False))

# %% [markdown]
# ## Jobs per GMV and the log-log elasticity (descriptive)
# Only Kuaishou has both a total-jobs figure and a full-year GMV within a year of each other,
# so the elasticity below rests on a handful of points from different studies: **descriptive,
# not an estimate of a causal or structural elasticity**.

# %%
pairs = study.jobs_gmv_pairs(pj)
pairs["jobs_per_100m_yuan"] = study.jobs_per_100m_yuan(pairs["jobs"], pairs["gmv_yuan"])
print(pairs[["platform", "jobs_period", "jobs", "gmv_year", "gmv_yuan", "year_gap", "lower_bound", "jobs_per_100m_yuan"]].round(1).to_string(index=False))
elas = loglog_elasticity(pairs, "jobs", "gmv_yuan", model="log jobs on log GMV")
print(f"elasticity {elas.term('elasticity')['estimate']:.3f} (HC3 s.e. {elas.term('elasticity')['std_error']:.3f}); N = {elas.n_obs}: DESCRIPTIVE ONLY")

# %% [markdown]
# ## Province panel (SYNTHETIC): two-way fixed effects
# log employment and log income on penetration (percent of internet users), province and year
# fixed effects, standard errors clustered by province (31 clusters). Columns: no controls;
# controls (log GDP per capita, urbanisation); lagged penetration.

# %%
panel = lsimpact.load(panel_dataset)
synthetic = is_synthetic(panel)
truth = generator_truth(panel)
emp = study.penetration_regressions(panel, "log_employment")
inc = study.penetration_regressions(panel, "log_income")
table = tables.regression_table(emp + inc, ["Emp (1)", "Emp (2)", "Emp (3)", "Inc (1)", "Inc (2)", "Inc (3)"],
                                terms=study.PANEL_TERMS, digits=4)
print(table.to_string(index=False))
_ = exhibits.save(table, "panel_twfe", inputs=[panel],
                  caption="TWFE of log employment and log income on live-commerce penetration, SE clustered by province")

# %%
fig = study.plot_penetration_effects(emp, inc, truth)
_ = exhibits.save(fig, "panel_twfe_effects", inputs=[panel],
                  caption="TWFE estimates with 95% CIs (clustered by province)" + ("; crosses = true effect" if truth else ""))

# %% [markdown]
# ## Key numbers

# %%
e2, i2 = emp[1].term("live_commerce_penetration"), inc[1].term("live_commerce_penetration")
print("platform_jobs rows:", len(pj), "| jobs rows:", int((pj["measure"] == "jobs").sum()))
print("share checks:", len(checks), "agree:", int(checks["agrees"].sum()))
print(f"elasticity jobs~GMV: {elas.term('elasticity')['estimate']:.3f}, N = {elas.n_obs}")
print(f"employment effect (controls): {e2['estimate']:.5f} [{e2['conf_low']:.5f}, {e2['conf_high']:.5f}], truth {truth['effect_employment'] if truth else 'unknown'}")
print(f"income effect (controls): {i2['estimate']:.5f} [{i2['conf_low']:.5f}, {i2['conf_high']:.5f}], truth {truth['effect_income'] if truth else 'unknown'}")
