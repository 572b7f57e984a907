"""Figures and tables: stable bytes, captions with sources, synthetic marking, glyphs."""

from __future__ import annotations

import hashlib
import json
import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import lsimpact
from lsimpact import exhibits, plots, tables
from lsimpact.models import Result, tidy_frame


def _digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _figure(title="Live users"):
    plots.set_style()
    fig, ax = plt.subplots()
    ax.plot([2020, 2021, 2022], [1, 3, 2], marker="o")
    ax.set_title(title)
    ax.set_xlabel("year")
    return fig


def test_figure_bytes_are_stable_and_captioned(tmp_path):
    kw = dict(caption="A test.", inputs=["published_figures"], out_dir=tmp_path)
    first = _digest(exhibits.save(_figure(), "t", **kw))
    second = _digest(exhibits.save(_figure(), "t", **kw))
    assert first == second
    svg = (tmp_path / "figures" / "t.svg").read_text()
    assert "Source" in svg
    rec = json.loads((tmp_path / "figures" / "t.exhibit.json").read_text())
    assert rec["sources"][0].startswith("Compiled from CNNIC") and rec["synthetic"] is False
    assert rec["inputs"][0]["path"] == "data/raw/published_figures.csv"
    assert len(rec["inputs"][0]["sha256"]) == 64
    assert "Date" not in svg.split("</metadata>")[0] or "<dc:date>" not in svg


def test_caption_text_marks_synthetic():
    text = exhibits.caption_text("Paths.", ["lsimpact.synth.followers_daily (seed 1)"], True)
    assert "SYNTHETIC" in text and "Source: lsimpact.synth.followers_daily (seed 1)." in text


def test_sources_and_synthetic_flag_are_derived_from_the_inputs(tmp_path, monkeypatch):
    monkeypatch.setenv("LSIMPACT_PROCESSED_DIR", str(tmp_path / "processed"))
    figures = lsimpact.load("published_figures")
    rows = figures[figures["source_org"].isin(["CNNIC"])]
    prov = exhibits.provenance([rows])
    assert prov.sources == ("CNNIC",) and not prov.synthetic
    panel = lsimpact.load("province_panel")
    prov = exhibits.provenance([panel])
    assert prov.synthetic and "lsimpact.synth.province_panel" in prov.sources[0]
    exhibits.save(panel.head(), "p", inputs=[panel], caption="Panel.", out_dir=tmp_path)
    assert "SYNTHETIC" in (tmp_path / "tables" / "p.md").read_text()
    # a user's own file in the same format is not synthetic, and is named as the source
    user = tmp_path / "my_panel.csv"
    lsimpact.catalog.load("province_panel").to_csv(user, index=False)
    mine = lsimpact.load("province_panel", source=user)
    prov = exhibits.provenance([mine])
    assert not prov.synthetic and prov.sources == ("user file my_panel.csv",)


def test_an_exhibit_input_must_say_where_it_came_from(tmp_path):
    with pytest.raises(ValueError, match="lsimpact.load"):
        exhibits.save(
            pd.DataFrame({"a": [1]}), "t", caption="x", inputs=[pd.DataFrame()], out_dir=tmp_path
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Economic Daily (经济日报)", "Economic Daily"),
        ("中国人民大学劳动人事学院 (Renmin University, SLHR)", "Renmin University, SLHR"),
        ("消费日报 (via reportify.ai summary)", "Xiaofei Ribao (via reportify.ai summary)"),
        ("与辉同行", "Yu Hui Tong Xing"),
        ("董宇辉 and 东方甄选", "Dong Yuhui and Dongfang Zhenxuan"),
        ("北京青年报", "Beijing Youth Daily"),
        ("plain English", "plain English"),
    ],
)
def test_latin_fallback(text, expected, monkeypatch):
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    assert plots.latin(text) == expected


def test_no_missing_glyphs_in_saved_figures(tmp_path, monkeypatch):
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    fig = _figure(title="东方甄选 followers")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        exhibits.save(
            fig, "cjk", caption="与辉同行", inputs=["published_figures"], out_dir=tmp_path
        )
    assert fig.axes[0].get_title() == "Dongfang Zhenxuan followers"


def test_chinese_renders_as_chinese_with_the_shipped_font(tmp_path):
    """The font from mplfonts is registered: Chinese stays Chinese and no glyph is missing
    (matplotlib's missing-glyph warning is an error here)."""
    plots.cjk_font.cache_clear()
    assert plots.cjk_font() == "Noto Sans CJK SC"
    fig = _figure(title="东方甄选 与辉同行 followers")
    fig.axes[0].set_xlabel("日期 (date)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = exhibits.save(
            fig, "cjk", caption="董宇辉", inputs=["published_figures"], out_dir=tmp_path
        )
    assert fig.axes[0].get_title() == "东方甄选 与辉同行 followers"
    again = _figure(title="东方甄选 与辉同行 followers")
    again.axes[0].set_xlabel("日期 (date)")
    paths2 = exhibits.save(
        again, "cjk2", caption="董宇辉", inputs=["published_figures"], out_dir=tmp_path
    )
    for a, b in zip(paths, paths2, strict=True):
        assert a.read_bytes() == b.read_bytes().replace(b"cjk2", b"cjk")


def test_check_layout_finds_overlaps_cut_text_and_missing_xlabel():
    plots.set_style()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar([f"a long category name {i}" for i in range(6)], range(6))
    fig.text(0.9, 0.5, "a note that runs far past the right edge of the figure")
    problems = plots.check_layout(fig)
    assert any("overlap" in p for p in problems)
    assert any("cut off" in p for p in problems)
    assert any("no x-axis label" in p for p in problems)
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [1, 2, 3])
    ax.set_xlabel("day")
    assert plots.check_layout(fig) == []


def test_a_broken_figure_fails_when_checks_are_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("LSIMPACT_FIGURE_CHECK", "error")
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2])  # no x-axis label
    with pytest.raises(ValueError, match="no x-axis label"):
        exhibits.save(fig, "bad", caption="x", inputs=["published_figures"], out_dir=tmp_path)


def _result(b, se, n=100):
    return Result("OLS", tidy_frame(["x", "const"], [b, 1.0], [se, 0.5], df_resid=n - 2), n, "HC3")


def test_regression_table_layout():
    t = tables.regression_table([_result(0.5, 0.1), _result(0.05, 0.1, 50)], ["(a)", "(b)"])
    assert list(t.columns) == ["", "(a)", "(b)"]
    assert t.iloc[0].tolist() == ["x", "0.500", "0.050"]  # no stars unless asked
    assert t.iloc[1].tolist() == ["", "(0.100)", "(0.100)"]
    assert t[t[""] == "N"].iloc[0].tolist() == ["N", "100", "50"]
    assert t.attrs["note"] == "Standard errors in parentheses: HC3."
    starred = tables.regression_table([_result(0.5, 0.1)], stars=True)
    assert starred.iloc[0, 1] == "0.500***" and "p<0.01" in starred.attrs["note"]


def test_regression_table_labels_fixed_effects_and_clusters():
    coefs = tidy_frame(
        ["C(major_group, Treatment(reference=2))[T.1]", "live_commerce_penetration"],
        [0.25, 0.0019612],
        [0.1, 0.00014],
        df_resid=30,
    )
    r = Result("OLS", coefs, 12_345, "CRV1 by province_code",
               extra={"Fixed effects": "province_code & year", "Clusters": 31, "R² within": 0.5})  # fmt: skip
    t = tables.regression_table([r, r], digits=4)
    assert t[""].tolist() == [
        "major group = 1 (vs 2)", "", "Live-commerce penetration (pp)", "",
        "N", "Fixed effects", "Clusters",
    ]  # fmt: skip
    assert t.iloc[2, 1] == "0.0020" and t.iloc[4, 1] == "12,345" and t.iloc[6, 1] == "31"
    assert t.attrs["note"] == "Standard errors in parentheses: CRV1 by province_code."
    assert tables.term_label("x", {"x": "My x"}) == "My x"


def test_saved_tables_are_for_people(tmp_path):
    df = pd.DataFrame({"year": [2024], "gmv_yuan": [1.27e12], "share": [17.73743017]})
    exhibits.save(df, "human", caption="Cap.", inputs=["published_figures"], out_dir=tmp_path)
    for ext in ("md", "tex", "html"):
        text = (tmp_path / "tables" / f"human.{ext}").read_text()
        assert "1,270,000,000,000" in text and "17.7" in text and "2024" in text, ext
        assert "e+12" not in text and "17.737" not in text and "2,024" not in text, ext
    r = tables.regression_table([_result(0.5, 0.1)])
    exhibits.save(r, "reg", caption="Cap.", inputs=["published_figures"], out_dir=tmp_path)
    md = (tmp_path / "tables" / "reg.md").read_text()
    assert "Standard errors in parentheses: HC3." in md and "Source:" in md


def test_table_save_formats(tmp_path):
    df = pd.DataFrame({"a": [1.23456, 2.0], "b": ["x", "y"]})
    paths = exhibits.save(df, "tt", caption="Cap.", inputs=["published_figures"], out_dir=tmp_path)
    assert [p.suffix for p in paths] == [".csv", ".md", ".tex", ".html"]
    assert "Source: Compiled from CNNIC" in (tmp_path / "tables" / "tt.md").read_text()
    assert "\\begin{tabular}" in (tmp_path / "tables" / "tt.tex").read_text()
    assert pd.read_csv(paths[0])["a"].iloc[0] == pytest.approx(1.23456)


def test_every_result_has_tidy_summary_conf_int_lincom_and_wald():
    import numpy as np

    from lsimpact.models import cov_frame
    from lsimpact.models.proportions import shares

    cov = cov_frame(["x", "const"], np.diag([0.01, 0.25]))
    r = Result(
        "OLS",
        tidy_frame(["x", "const"], [0.5, 1.0], [0.1, 0.5], df_resid=98),
        100,
        "HC3",
        cov=cov,
        df_resid=98,
    )
    lc = r.lincom({"x": 2.0, "const": -1.0})  # 2*0.5 - 1 = 0; var 4*0.01 + 0.25
    assert lc["estimate"] == pytest.approx(0.0) and lc["std_error"] == pytest.approx(0.29**0.5)
    w = r.wald(["x"])
    assert w["F"] == pytest.approx(25.0) and w["df_den"] == 98
    ci90 = r.conf_int(alpha=0.10).loc["x"]
    assert ci90["conf_high"] - 0.5 == pytest.approx(0.1 * 1.660551, rel=1e-5)
    assert "HC3" in r.summary() and "N = 100" in r.summary()
    df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 4, "transformed": [1, 1, 1, 0, 1, 0, 0, 0]})
    sh = shares(df, by="g")
    t = sh.tidy().set_index("term")
    assert t.loc["a", "estimate"] == 0.75 and t.loc["b", "estimate"] == 0.25
    assert "wilson" in sh.summary()
    with pytest.raises(NotImplementedError, match="covariance"):
        sh.wald(["a"])


def test_pyfixest_results_work_with_etable_and_coefplot():
    """A Result wrapping a pyfixest fit is a pyfixest model underneath: etable and coefplot
    (iplot for i() formulas) work on ``res.fitted``, and our table agrees with it."""
    pf = pytest.importorskip("pyfixest")
    import lsimpact
    from lsimpact.models import feols

    panel = lsimpact.load("province_panel")
    res = feols(panel, "log_employment ~ live_commerce_penetration | province_code + year",
                cluster="province_code")  # fmt: skip
    et = pf.etable([res.fitted], type="df")
    assert "live_commerce_penetration" in et.to_string()
    pf.coefplot([res.fitted])  # iplot needs an i() event-study formula; coefplot is its peer
    plt.close("all")
    t = tables.regression_table([res], digits=5)
    b = res.term("live_commerce_penetration")["estimate"]
    assert t.iloc[0, 1] == f"{b:,.5f}"
    assert t[t[""] == "Clusters"].iloc[0, 1] == "31"
    assert "cluster: province_code" in t.attrs["note"]
    assert "summary" in dir(res) and "N = 217" in res.summary()


def test_a_missing_glyph_fails_when_checks_are_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("LSIMPACT_FIGURE_CHECK", "error")
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2])
    ax.set_xlabel("day")
    # a character no registered font has (Tangut): matplotlib warns, the check makes it fail
    ax.set_title("\U00017000")
    with pytest.raises(UserWarning, match="missing from font"):
        exhibits.save(fig, "glyph", caption="x", inputs=["published_figures"], out_dir=tmp_path)


def test_mixed_inputs_name_every_source_and_table_csvs_are_neutralised(tmp_path, monkeypatch):
    monkeypatch.setenv("LSIMPACT_PROCESSED_DIR", str(tmp_path / "processed"))
    figures = lsimpact.load("published_figures")
    panel = lsimpact.load("province_panel")
    prov = exhibits.provenance([figures[figures["source_org"] == "CNNIC"], panel])
    assert prov.sources[0] == "CNNIC" and "lsimpact.synth.province_panel" in prov.sources[1]
    assert prov.synthetic
    df = pd.DataFrame({"cell": ["=HYPERLINK(1)", "ok"], "n": [-5, 2]})
    exhibits.save(df, "inj", inputs=["published_figures"], caption="x", out_dir=tmp_path)
    text = (tmp_path / "tables" / "inj.csv").read_text()
    assert "'=HYPERLINK(1),-5\n" in text  # the formula neutralised, the number untouched


def test_a_synthetic_panel_is_sourced_to_its_generator(tmp_path, monkeypatch):
    monkeypatch.setenv("LSIMPACT_PROCESSED_DIR", str(tmp_path / "processed"))
    panel = lsimpact.load("followers_daily")
    prov = exhibits.provenance([panel])
    assert prov.synthetic and prov.sources[0].startswith("lsimpact.synth.followers_daily (seed")
