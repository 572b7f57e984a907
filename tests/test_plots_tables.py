"""Figures and tables: stable bytes, captions with sources, synthetic marking, glyphs."""

from __future__ import annotations

import hashlib
import json
import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from lsimpact import plots, tables
from lsimpact.models import Result, tidy_frame


def _digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _figure(title="Live users"):
    plots.set_style()
    fig, ax = plt.subplots()
    ax.plot([2020, 2021, 2022], [1, 3, 2], marker="o")
    ax.set_title(title)
    return fig


def test_figure_bytes_are_stable_and_captioned(tmp_path):
    kw = dict(caption="A test.", sources=["CNNIC"], inputs=["published_figures"], out_dir=tmp_path)
    first = _digest(plots.save(_figure(), "t", **kw))
    second = _digest(plots.save(_figure(), "t", **kw))
    assert first == second
    svg = (tmp_path / "figures" / "t.svg").read_text()
    assert "Source: CNNIC." in svg.replace("\n", " ") or "Source" in svg
    rec = json.loads((tmp_path / "figures" / "t.exhibit.json").read_text())
    assert rec["sources"] == ["CNNIC"] and rec["synthetic"] is False
    assert rec["inputs"][0]["path"] == "data/raw/published_figures.csv"
    assert len(rec["inputs"][0]["sha256"]) == 64
    assert "Date" not in svg.split("</metadata>")[0] or "<dc:date>" not in svg


def test_caption_text_marks_synthetic():
    text = plots.caption_text("Paths.", ["lsimpact.synth.followers_daily (seed 1)"], synthetic=True)
    assert "SYNTHETIC" in text and "Source: lsimpact.synth.followers_daily (seed 1)." in text


def test_an_exhibit_needs_sources(tmp_path):
    with pytest.raises(ValueError, match="source"):
        plots.save(
            _figure(), "t", caption="x", sources=[], inputs=["published_figures"], out_dir=tmp_path
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Economic Daily (经济日报)", "Economic Daily"),
        ("中国人民大学劳动人事学院 (Renmin University, SLHR)", "Renmin University, SLHR"),
        ("消费日报 (via reportify.ai summary)", "Xiao Fei Ri Bao (via reportify.ai summary)"),
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
        plots.save(
            fig,
            "cjk",
            caption="与辉同行",
            sources=["经济日报 (Economic Daily)"],
            inputs=["published_figures"],
            out_dir=tmp_path,
        )
    assert fig.axes[0].get_title() == "Dong Fang Zhen Xuan followers"


def _result(b, se, n=100):
    return Result("OLS", tidy_frame(["x", "const"], [b, 1.0], [se, 0.5], df_resid=n - 2), n, "HC3")


def test_regression_table_layout():
    t = tables.regression_table([_result(0.5, 0.1), _result(0.05, 0.1, 50)], ["(a)", "(b)"])
    assert list(t.columns) == ["", "(a)", "(b)"]
    assert t.iloc[0].tolist() == ["x", "0.500***", "0.050"]
    assert t.iloc[1].tolist() == ["", "(0.100)", "(0.100)"]
    assert t[t[""] == "N"].iloc[0].tolist() == ["N", "100", "50"]


def test_table_save_formats(tmp_path):
    df = pd.DataFrame({"a": [1.23456, 2.0], "b": ["x", "y"]})
    paths = tables.save(
        df, "tt", caption="Cap.", sources=["NBS"], inputs=["published_figures"], out_dir=tmp_path
    )
    assert [p.suffix for p in paths] == [".csv", ".md", ".tex"]
    assert "Source: NBS." in (tmp_path / "tables" / "tt.md").read_text()
    assert "\\begin{tabular}" in (tmp_path / "tables" / "tt.tex").read_text()
    assert pd.read_csv(paths[0])["a"].iloc[0] == pytest.approx(1.23456)
