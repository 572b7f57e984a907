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
# # 03 · Followers: do audiences follow the product or the host?
#
# In December 2023 East Buy (东方甄选), a live-selling account with about 31 million Douyin
# followers, fell into a public dispute with its star host Dong Yuhui (董宇辉), who later
# got an account of his own (与辉同行). Did the audience follow the brand or the person?
#
# 1. **The real evidence first**: the dated follower counts published in the press
#    (`published_figures`, every point with its source), in the panel format of
#    `followers_published`.
# 2. **The method**, on a **synthetic** tracker log (`followers_snapshots`, seeded, with known
#    true effects, calibrated to the published levels): cleaning snapshots into a daily panel,
#    an interrupted time series and a synthetic control for single accounts, and an event
#    study across accounts with a product-versus-host comparison. The synthetic results test
#    the estimators against a known truth (the tables below say where they cover it and
#    where they do not); they are *not* findings about East Buy. Run the same cells on your
#    own tracker export (`snapshots_file` below) to get real estimates.
#
# Units: estimates on log followers are **log points** (0.10 log points = +10.5%, 0.40 =
# +49%: percent = 100·(exp(b) − 1)); percent figures in this notebook are always converted
# that way.

# %%
# Parameters (papermill)
seed = 20231214                      # seed of the shipped synthetic log (catalogued)
published = "followers_published"    # processed table of the published points
daily = "followers_daily"            # processed daily panel (from the synthetic log)
snapshots_file = None                # path of your own tracker export, instead of the shipped log
dispute_start = "2023-12-05"         # first dated event of the dispute (SOURCES.md timeline)
incident = "2023-12-14"              # day 0: the apology; the big published drop spans Dec 12-16
window_start = "2023-11-07"          # the reference period runs from here to the day before dispute_start
post = 28                            # days followed after day 0

# %%
import matplotlib.pyplot as plt
import pandas as pd

import lsimpact
from lsimpact import exhibits, models, plots, tables
from lsimpact.studies import followers as study
from lsimpact.studies import generator_truth, is_synthetic

plots.set_style()
pd.set_option("display.width", 140)
pd.set_option("display.max_colwidth", 60)
pub = lsimpact.load(published)
panel = lsimpact.load(daily, source=snapshots_file)
summary = panel.attrs["summary"]
synthetic = is_synthetic(panel)
truth = generator_truth(panel)
assert truth is None or truth["seed"] == seed, "the shipped log was generated with another seed"
tag = "SYNTHETIC " if synthetic else ""
print(len(pub), "published follower points;", len(panel), "account-days in the daily panel")

# %% [markdown]
# ## 1 · The published record
#
# Counts are filled dots, published lower bounds ("more than 20 million") hollow. The shaded
# band is the dispute as dated in `data/raw/SOURCES.md` (Dong's post on Dec 5 to his new
# position on Dec 18). East Buy's main account fell from 31.09 million (Dec 12) to 28.44
# million (Dec 16) while Dong's personal account rose from 13.07 to 18.76 million; his new
# account 与辉同行 opened on Dec 26 and passed 10 million by Jan 12. Note the *rebound* of
# East Buy's count to 31.5 million by Jan 9 in a tracker's data: the published points are
# sparse, from different trackers, and some windows are approximate.

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
study.plot_published(pub, ax=ax)
ax.set_title("Published Douyin follower counts around the December 2023 dispute")
_ = exhibits.save(fig, "followers_published_paths", inputs=[pub],
                  caption="Follower counts of East Buy's main account, Dong Yuhui's personal account and 与辉同行 as published (hollow = lower bound); shaded = the dispute, Dec 5-18, 2023.")
changes = study.published_changes(pub)
_ = exhibits.save(changes, "followers_published_changes", inputs=[changes],
                  caption="Published follower counts and changes, July 2023 - January 2024, with the change between consecutive dated counts of each account.")
changes.assign(date=changes["date"].dt.date, net_change_since=changes["net_change_since"].dt.date)

# %% [markdown]
# No change is computed between two published counts when either is approximate or a
# lower bound: "about 28 million" on Dec 20 after 28,438,000 on Dec 16 is the rounding of
# the later figure, not a loss of 438,000 followers.

# %% [markdown]
# ## Choosing the event date
#
# `data/raw/SOURCES.md` dates the dispute day by day: Dong's post on **Dec 5** (China Daily
# and RealTime Mandarin date the start of the saga to that day), the pinned comment on Dec 6,
# Dong not streaming on **Dec 10** and East Buy losing more than 60,000 followers on Dec
# 10-12, the CEO's and Dong's responses on Dec 12-13, the apology on **Dec 14**, and Sun's
# removal on Dec 16. Dong's account was already gaining from Dec 5-6 (more than 3 million by
# Dec 12). No single day is "the" incident, and any day 0 after Dec 5 puts treated days
# into a reference day of the naive design. So:
#
# * **day 0 = Dec 14** (the apology, in the middle of the largest published moves: East Buy
#   31.09 million on Dec 12 to 28.44 million on Dec 16, Dong 13.07 to 18.76 million);
# * **Dec 5-13 is an anticipation window**: those 9 days get coefficients of their own and
#   are *excluded from the reference period*, which ends on Dec 4, the day before the first
#   dated event; the pre-trend tests use only days before Dec 5;
# * the event-date sensitivity table below re-estimates the main effects with day 0 on Dec
#   5, 10, 12, 13, 14 and 16, and with group-specific dates (host Dec 5, when Dong's account
#   started to gain; brand Dec 10, when East Buy's losses are first dated), always with the
#   same reference period before Dec 5.
#
# The synthetic generator puts its effect on Dec 14 for both groups, so on the shipped data
# the anticipation coefficients should be zero; on a real tracker export they would carry
# the early moves.

# %%
anticipation = (pd.Timestamp(incident) - pd.Timestamp(dispute_start)).days
pre = (pd.Timestamp(incident) - pd.Timestamp(window_start)).days
print(f"day 0 {incident}; anticipation window {anticipation} days ({dispute_start} .. day -1); "
      f"reference period {window_start} .. {(pd.Timestamp(dispute_start) - pd.Timedelta(days=1)).date()} "
      f"(days -{pre} .. -{anticipation + 1})")

# %% [markdown]
# ## 2 · From snapshots to a daily panel
#
# A tracker export has one row per account and capture time. The cleaner drops exact
# duplicates, quarantines unreadable rows and **scrape glitches** (a 0, or a value ten times
# off that reverts), keeps the **last valid snapshot of each day**, and never fills a gap
# silently (days without a snapshot stay missing; `fill="loglinear"` would interpolate and
# flag `imputed`).

# %%
pd.Series({k: summary[k] for k in ["input_rows", "used_rows", "quarantined_rows", "duplicate_rows", "output_rows"]})

# %%
print("\n".join(summary["notes"]))
panel[["glitch", "lower_bound", "imputed"]].sum().rename("account-days flagged")

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
accounts = ["brand_01", "host_01"] + (["host_new"] if (panel["account_id"] == "host_new").any() else [])
study.plot_paths(panel, accounts, incident, ax=ax)
ax.set_title(f"{tag}follower paths: brand, star host and new host account")
_ = exhibits.save(fig, "followers_synthetic_paths", inputs=[panel],
                  caption="Daily followers (last valid snapshot of the day) indexed to the day before the incident; dotted: the median control account; dashed line: the incident.")

# %% [markdown]
# ## 3 · Single accounts: interrupted time series and synthetic control
#
# Log followers on a trend, a level change and a slope change at the incident, with
# day-of-week effects; Newey-West (HAC) standard errors; estimates in log points. The ITS
# counterfactual is the account's own extrapolated trend, so anything else that moved on
# Dec 14 is attributed to the incident.

# %%
its_brand = models.its(panel, incident, account="brand_01")
its_host = models.its(panel, incident, account="host_01")
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
its_brand.plot(ax=axes[0], title=f"{tag}brand account (brand_01)")
its_host.plot(ax=axes[1], title=f"{tag}star host's account (host_01)")
_ = exhibits.save(fig, "followers_its", inputs=[panel],
                  caption="Interrupted time series of log followers: observed, fitted, and the counterfactual without the incident (dashed).")
its_table = tables.regression_table([its_brand, its_host], ["brand_01", "host_01"],
                                    terms=["level_change", "slope_change", "trend"], digits=4, stars=False)
_ = exhibits.save(its_table, "followers_its", inputs=[panel],
                  caption="Interrupted time series of log followers (HAC standard errors).")
its_table

# %% [markdown]
# East Buy's main account and Dong Yuhui's account are **single treated units**: a clustered
# standard error means nothing for one account. The **synthetic control** builds each one's
# no-incident path as a convex combination of control accounts matched on the reference
# period (outcomes demeaned, so the 31-million account need not lie inside the donors'
# levels; the anticipation window is not matched), and judges its post-period gap against
# the same gap for every donor pretending to be treated (**placebo in space**): the p-value
# is the rank of the account's post/pre RMSPE ratio among all of them, so with the 142
# donors observed on every day of the window the smallest possible p is 1/143 = 0.007.

# %%
sc = [models.synthetic_control(panel, acc, incident, pre=pre, post=post, anticipation=anticipation)
      for acc in ("brand_01", "host_01")]
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=False)
for r, ax in zip(sc, axes):
    r.plot(ax=ax, title=f"{tag}{r.extra['account']}")
    ax.axvspan(-anticipation - 0.5, -0.5, color="grey", alpha=0.1)
_ = exhibits.save(fig, "followers_synthetic_control", inputs=[panel],
                  caption="Synthetic control: log followers of the account minus its synthetic control (black) and the same gap for every control account treated as a placebo (grey); shaded: the anticipation window, not matched.")
sc_table = study.synthetic_control_table(sc)
_ = exhibits.save(sc_table, "followers_synthetic_control", inputs=[panel],
                  caption="Synthetic control of brand_01 and host_01: gap to the synthetic control in log points (percent = exp(gap) - 1), placebo-in-space p-values, pre-period RMSPE.")
sc_table.round(4)

# %% [markdown]
# host_01 grows faster before the incident (0.003 log points a day in the generator) than
# any control account, so no convex combination of donors matches its trend; its larger
# pre-period RMSPE and a gap that keeps widening are that mismatch as much as the effect.
# The ITS, which extrapolates the account's own trend, does not have this problem but
# attributes any other shock to the incident.

# %% [markdown]
# ## 4 · Event study across accounts
#
# Log followers on relative-day indicators for brand and host accounts, with account and
# date fixed effects (absorbed, not dummies). Points and bars: estimates and pointwise 95%
# intervals (clustered by account, t(G-1)); shaded bands: **simultaneous sup-t bands** (the
# whole path of a group lies inside with 95% probability; critical value from a wild cluster
# bootstrap of the maximum |t|). The grey area is the anticipation window. The new host
# account has no pre-incident days and is left out automatically.

# %%
es = models.event_study(panel, incident, pre=pre, post=post, anticipation=anticipation)
ax = es.plot()
ax.set_title(f"{tag}event study around the East Buy / Dong Yuhui dispute (day 0 = {pd.Timestamp(incident):%d %b %Y})")
_ = exhibits.save(ax, "followers_event_study", inputs=[panel],
                  caption=f"Effect on log followers (log points) by day relative to {incident}; bars: pointwise 95% CIs clustered by account; bands: 95% sup-t simultaneous bands (wild cluster bootstrap); grey: anticipation window {dispute_start} to day -1; reference day -{anticipation + 1}.")
pd.Series({k: round(v, 4) if isinstance(v, float) else v for k, v in es.extra.items()}).to_frame("value")

# %% [markdown]
# ### Difference in differences, and the generator's host pre-trend
#
# The generator is **not** free of pre-trends: host accounts' trend growth is faster than the
# controls' (0.00094 vs 0.00054 log points a day on average; host_01 alone grows 0.003 a
# day), a documented feature that the robustness checks must find. The third column removes
# account-specific linear trends **fitted on the reference period only** (before Dec 5), so
# the incident's own slope is not absorbed into the trend. Intervals and p-values in the
# table's source are wild cluster bootstrap (WCR test inversion, Webb weights, 999 draws);
# the parentheses are CRV1 standard errors; no stars on synthetic estimates.

# %%
opts = dict(pre=pre, post=post, anticipation=anticipation)
did_avg = models.did(panel, incident, **opts)
did_ls = models.did(panel, incident, slope=True, **opts)
did_tr = models.did(panel, incident, slope=True, trends=True, **opts)
did_table = tables.regression_table([did_avg, did_ls, did_tr],
                                    ["average effect", "level and slope", "level and slope, account trends"],
                                    digits=4, stars=False)
_ = exhibits.save(did_table, "followers_did", inputs=[panel],
                  caption="Difference-in-differences of log followers (log points) with account and date fixed effects; CRV1 standard errors in parentheses, 95% intervals by wild cluster bootstrap (WCR) in the tidy results; column 3 removes account trends fitted before the dispute.")
did_table

# %%
print({k: round(v, 5) for k, v in did_tr.extra.items() if k.startswith("pre-period trend")})
pd.concat({"plain": did_ls.tidy().set_index("term")[["estimate", "conf_low", "conf_high"]],
           "account trends": did_tr.tidy().set_index("term")[["estimate", "conf_low", "conf_high"]]},
          axis=1).round(5)

# %% [markdown]
# The joint pre-trend test asks whether all leads before the anticipation window are zero.
# Its analytic F(q, G-1) reference rejects (p ~ 0) for both groups: with 12 treated accounts
# per group the clustered covariance of many leads is nearly singular and the F
# distribution is a poor guide. The reported p-value is a **restricted wild cluster
# bootstrap** (WCR; Cameron, Gelbach & Miller 2008; Roodman et al. 2019), next to the 1-df
# test of a linear pre-trend. What they find, and what the account-trend column does about it:
#
# * **brand**: the bootstrap joint test rejects (the leads drift down by about 0.004 log
#   points over the four reference weeks: brand accounts' trend growth, drawn at random like
#   every account's, is below the controls'), while the 1-df linear test does not;
# * **host**: the joint test does not reject and the linear test is borderline (p about
#   0.09), although the host accounts' trends are faster by construction: 0.0004 log points
#   a day is small next to the daily noise over four weeks, which is why a test that "does
#   not reject" is no evidence of parallel trends;
# * the pre-period trends fitted account by account measure both differences directly
#   (printed above), and removing them moves the slopes to the truth (host 0.0044 → 0.0040,
#   brand -0.0011 → -0.0010; true 0.004 and -0.001).

# %% [markdown]
# ### Recovered versus true effects (synthetic data only)
#
# The level and slope rows come from the DiD with account trends, the day-k rows from the
# event study; the `covered` column is the whole story: no sentence here claims more.

# %%
if truth is not None:
    rec = study.truth_recovery(truth, did_tr, es, horizons=(0, 7, 28))
    _ = exhibits.save(rec, "followers_truth_recovery", inputs=[panel],
                      caption="True effects of the generator against the estimates and 95% CIs (level/slope: DiD with pre-period account trends, WCR intervals; day k: event study, pointwise CRV1).")
    display(rec.round(5))
    missed = rec.loc[~rec["covered"], ["group", "quantity"]].astype(str).agg(" ".join, axis=1)
    print(f"{int(rec['covered'].sum())} of {len(rec)} intervals cover the truth"
          + (f"; missed: {', '.join(missed)}" if len(missed) else ""))

# %% [markdown]
# ## 5 · Event-date sensitivity
#
# The main effects (average DiD effect over days 0..28, WCR 95% intervals) with day 0 moved
# across the timeline, always with the reference period before Dec 5. Later dates give
# larger averages because the effect grows after day 0 and a later window reaches further
# into it; the sign and rough size of the brand-host gap do not depend on the date.

# %%
dates = ["2023-12-05", "2023-12-10", "2023-12-12", "2023-12-13", "2023-12-14", "2023-12-16",
         {"brand": "2023-12-10", "host": "2023-12-05"}]
sens = study.event_date_sensitivity(panel, dates, dispute_start=dispute_start, window_start=window_start, post=post)
_ = exhibits.save(sens, "followers_event_date_sensitivity", inputs=[panel],
                  caption=f"Average DiD effect on log followers over days 0..{post} (log points, WCR 95% intervals; percent = exp(b) - 1) with the incident on each date; days from {dispute_start} to day -1 are an anticipation window, so the reference period is the same in every row.")
sens.round(4)

# %% [markdown]
# ## 6 · Product or host? Two estimands
#
# The model above is in **log** followers: every account weighs the same, and the effect is
# an average per-account percent change. The published evidence is in **levels** (net
# followers gained or lost), where the biggest accounts dominate. The question "did the
# audience follow the product or the host" is about people, so the levels answer it more
# directly; the logs say whether the typical brand or host account gained or lost in
# proportion. Both are shown, levels also without the two big accounts (brand_01, host_01),
# to show how much of the level effect they carry. Neither can show that **the same
# people** moved from one account to another: a net count per account is the sum of
# follows and unfollows, and a host gain of 3 million next to a brand loss of 2 million is
# consistent with no one switching at all.

# %%
est = study.estimands_table(panel, incident, **opts)
_ = exhibits.save(est, "followers_estimands", inputs=[panel],
                  caption="Average DiD effect over days 0..28 in log followers (log points; percent = exp(b) - 1) and in followers per account (levels), with and without brand_01 and host_01; WCR 95% intervals.")
est.round(4)

# %% [markdown]
# Cumulative change in log followers since the reference day, relative to control
# accounts, by horizon (pointwise CRV1 intervals of the event study), with the percent
# equivalents:

# %%
cmp = models.compare_groups(es, horizons=(0, 7, 28))
_ = exhibits.save(cmp, "followers_product_vs_host", inputs=[panel],
                  caption="Cumulative change in log followers relative to controls (log points; percent = exp(b) - 1): brand vs host accounts.")
print(("On the SYNTHETIC data: " if synthetic else "") + study.describe_comparison(cmp, 7))
cmp.round(4)

# %% [markdown]
# ## Threats to validity
#
# * **Synthetic data.** Every estimate from section 2 on is from a generated log; it tests the
#   method, not East Buy. The generator's effect date (Dec 14) and effect shape (a jump and a
#   linear slope) are assumptions; the real timeline has moves from Dec 5.
# * **Event timing.** Day 0 is a choice; the anticipation window keeps treated days out of
#   the reference period, and the sensitivity table shows how the main effects move with the
#   date. On real data, an anticipation window that is too short would bias the effects
#   towards zero.
# * **Pre-trends.** Host accounts grow faster than controls before the dispute (by
#   construction here); the plain DiD slope absorbs that difference. Pre-period account
#   trends remove it, but extrapolating a linear trend 28 days ahead is itself an
#   assumption, and their standard errors ignore the first step.
# * **Few treated clusters.** 12 brand and 12 host accounts: CRV1 intervals are liberal;
#   the main effects use wild cluster bootstrap intervals and the path sup-t bands, whose
#   coverage is checked by Monte Carlo in the tests.
# * **Single accounts.** The synthetic control's p-value is a rank among 142 placebos, and
#   host_01's trend lies outside the donors' range, so its gap mixes trend and effect.
# * **Estimand and interpretation.** Log and level effects answer different questions;
#   net counts cannot show switching between accounts. Control accounts of the same
#   category may themselves have been affected (spillovers), which would bias the
#   comparison.
# * **Published record.** Sparse points from different trackers, several approximate or
#   lower bounds; no change is computed across an approximate point.

# %% [markdown]
# ## Key numbers (held fixed by the tests)

# %%
s = pub[(pub["account_id"] == "east_buy_main") & pub["followers"].notna()].set_index("date")["followers"]
print(f"published East Buy main: {s[pd.Timestamp('2023-12-12')] / 1e6:.2f}m (Dec 12) -> {s[pd.Timestamp('2023-12-16')] / 1e6:.2f}m (Dec 16)")
print("panel:", summary["input_rows"], "rows in,", summary["quarantined_rows"], "quarantined,",
      summary["duplicate_rows"], "duplicates,", summary["output_rows"], "account-days")
for name, r in (("ITS brand_01", its_brand), ("ITS host_01", its_host)):
    lv, sl = r.term("level_change"), r.term("slope_change")
    print(f"{name}: level {lv['estimate']:.3f} [{lv['conf_low']:.3f}, {lv['conf_high']:.3f}], "
          f"slope {sl['estimate']:.4f} [{sl['conf_low']:.4f}, {sl['conf_high']:.4f}]")
for r in sc:
    print(f"synthetic control {r.extra['account']}: average gap {r.coefs.loc[0, 'estimate']:.3f} log points, "
          f"placebo rank {r.extra['placebo rank of the ratio']}")
for label, res in (("DiD", did_ls), ("DiD, account trends", did_tr)):
    for term in ("brand: level", "brand: slope", "host: level", "host: slope"):
        r = res.term(term)
        print(f"{label} {term}: {r['estimate']:.4f} [{r['conf_low']:.4f}, {r['conf_high']:.4f}] (WCR)")
for g in ("brand", "host"):
    print(f"pre-trend {g}: joint p {es.extra[f'pre-trend joint p ({g})']:.2f} (wild bootstrap), "
          f"analytic F p {'< 1e-6' if es.extra[f'pre-trend joint p, analytic F ({g})'] < 1e-6 else 'not small'}, "
          f"linear slope p {es.extra[f'pre-trend slope p ({g})']:.2f}")
r = cmp[(cmp["horizon"] == 7) & (cmp["term"] == "host - brand")].iloc[0]
print(f"host - brand by day 7: {r['estimate']:.3f} log points [{r['conf_low']:.3f}, {r['conf_high']:.3f}]")
