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
# # 00 · Overview: the published headline figures
#
# What the public record says about live-streaming commerce in China: how many people watch
# and buy in live streams, how large live-commerce sales are next to online retail, and how
# many jobs platforms are credited with. **All numbers here are real published figures**
# (`data/raw/published_figures.csv`, each row with its source and a verbatim quote); read
# `data/raw/SOURCES.md` for the caveats (secondary sources, gaps, conflicting reprints).

# %% tags=["parameters"]
# Parameters (papermill): which processed table to draw from.
dataset = "published_figures"


# %%
import pandas as pd

import lsimpact
from lsimpact import exhibits, plots
from lsimpact.studies import overview

plots.set_style()
pd.set_option("display.width", 120)
figures = lsimpact.load(dataset)
print(figures.attrs["summary"]["input_rows"], "raw rows ->", len(figures), "published figures")

# %% [markdown]
# ## How the raw rows were accounted for
# Every raw row is either in the table or in the quarantine; duplicates are counted. Lower
# bounds ("more than ...") are flagged, and so are approximate figures, where the source's
# approximation word qualifies the figure itself ("almost 3.4 million"; not "down nearly 40%
# to 8.7 billion"). `conflict` means real disagreement: two sources give values for the same
# series and period that differ beyond the rounding of the coarser one (934 vs 962 million
# short-video users), or a documented disagreement (a period label); 9.76 vs 9.8 trillion
# yuan, 700 vs 704 million MAU and a lower bound met by a point figure (>= 10.0 vs 10.2
# billion yuan) are not conflicts. Both rows of a conflict are kept, never averaged.

# %%
s = figures.attrs["summary"]
pd.Series({k: s[k] for k in ["input_rows", "used_rows", "quarantined_rows", "duplicate_rows", "output_rows"]})

# %%
figures.loc[figures["conflict"], ["series_id", "period", "value", "unit", "source_org"]]

# %% [markdown]
# ## Users: internet, live-streaming and e-commerce live-streaming (CNNIC)

# %%
fig, _, users = overview.plot_users(figures)
_ = exhibits.save(fig, "overview_users", inputs=[users],
                  caption="Users by survey date, millions of persons. CNSA's Dec 2024 live-user figure is a different survey (square).")
users.pivot_table(index="period", columns="series_id", values="value_millions", aggfunc="first")

# %% [markdown]
# ## Live-commerce sales against online retail
# Live-commerce sales are published only for a few windows (MOFCOM 2023; a 2024 figure from a
# press summary). Each is set against **total** online retail of the *same* window: one
# denominator throughout (a window with only physical-goods online retail published is left
# out). `grade_live` grades the live figure's source: A official, B official via the press,
# **C an aggregator summary** (the 2024 figure: unverified; its 27.7% share should not be
# read as a trend against the MOFCOM windows).

# %%
fig, _, live = overview.plot_live_sales(figures)
_ = exhibits.save(fig, "overview_live_sales_vs_retail", inputs=[live],
                  caption="Live-commerce sales and total online retail sales for the windows where both are published; label = live share of total online retail; C = aggregator summary (unverified).")
_ = exhibits.save(live.drop(columns=["period_end"]), "overview_live_sales_share", inputs=[live],
                  caption="Live-commerce sales as a share of total online retail, matched by period, with the data-quality grade of the live figure (C = aggregator summary).")
live[["period", "live_sales_yuan", "online_retail_yuan", "live_share_of_online_retail_pct", "grade_live"]].round(1)

# %% [markdown]
# ## Jobs credited to platforms
# These are **separate studies** with different methods and reference periods (SOURCES.md
# caveats 5-6), drawn as separate bars, not a time series. Hatched bars are published lower
# bounds ("more than ...").

# %%
fig, _, jobs = overview.plot_platform_jobs(figures)
_ = exhibits.save(fig, "overview_platform_jobs", inputs=[jobs],
                  caption="Jobs attributed to each platform by each study (direct + indirect), millions; hatched = lower bound.")
_ = exhibits.save(jobs, "overview_platform_jobs", inputs=[jobs], caption="Jobs attributed to platforms by study.")
jobs


# %% [markdown]
# ## Threats to validity
#
# * **Secondary sources.** Most figures are reprints (press, aggregators); a reprint can
#   mislabel a period or copy last year's number (SOURCES.md). Conflicts are shown, not
#   resolved by averaging; the share checks in notebook 01 show which count a source's own
#   percentage supports.
# * **Definitions differ.** CNNIC's and CNSA's user surveys, MOFCOM's and an aggregator's
#   live-sales totals, and the platform job studies count different things; the figures are
#   set side by side only where the definition and the period match.
# * **Gaps.** Live-commerce sales are published for few windows; no series here is complete
#   enough for a trend estimate.
# * **Jobs are attributed, not measured.** Platform job figures come from studies
#   commissioned or co-published with the platforms; they are not employment counts.

# %% [markdown]
# ## Key numbers (held fixed by the tests)

# %%
def latest(series):
    r = figures[figures["series_id"] == series].sort_values("period_end").iloc[-1]
    return r["period"], r["value"]

p, v = latest("cnnic_internet_users")
print(f"internet users {p}: {v / 1e6:,.0f} million")
p, v = latest("cnnic_ecommerce_live_users")
print(f"e-commerce live users {p}: {v / 1e6:,.0f} million")
for r in live.itertuples():
    print(f"live share of total online retail {r.period}: {r.live_share_of_online_retail_pct:.1f}% (source grade {r.grade_live})")
k = jobs[jobs["platform"] == "Kuaishou"]
print("Kuaishou jobs by study (millions):", ", ".join(f"{r.period} {r.jobs_persons / 1e6:.2f}" for r in k.itertuples()))
print("conflicting rows:", int(figures["conflict"].sum()), "| lower bounds:", int(figures["lower_bound"].sum()))
