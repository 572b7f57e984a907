"""House style and figure saving (PNG + SVG with stable bytes, captioned with sources).

Every figure lsimpact saves carries a caption naming its data source(s), and the word
"SYNTHETIC" where any input is synthetic. Chinese labels are used only when a CJK font is
installed (``label``), so a fresh machine never renders missing-glyph boxes.
"""

from __future__ import annotations

import re
import textwrap
from functools import cache
from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib import font_manager

from .io import atomic_path

__all__ = ["PALETTE", "cjk_font", "label", "latin", "set_style", "write_figure"]

#: Colour-blind-safe palette (seaborn "colorblind", i.e. Okabe-Ito-like).
PALETTE = sns.color_palette("colorblind")
_DPI = 150
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


def set_style() -> None:
    """Apply the house style: seaborn whitegrid, colour-blind palette, stable SVG ids."""
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")
    plt.rcParams.update(
        {
            "svg.hashsalt": "lsimpact",  # deterministic SVG element ids
            "svg.fonttype": "path",
            "figure.figsize": (8, 4.8),
            "figure.dpi": 100,
            "savefig.dpi": _DPI,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
        }
    )
    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, *plt.rcParams["font.sans-serif"]]


@cache
def cjk_font() -> str | None:
    """Name of an installed font with Chinese glyphs, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in _CJK_FONTS:
        if name in installed:
            return name
    return None


def label(english: str, chinese: str | None = None) -> str:
    """``chinese`` when a CJK font is installed (and given), else ``english``."""
    return chinese if (chinese and cjk_font()) else english


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_HAN}\u3000-\u303f\uff00-\uffef]+")
_PUNCT = str.maketrans(
    {
        "《": "'",
        "》": "'",
        "“": '"',
        "”": '"',
        "，": ",",
        "：": ":",
        "（": "(",
        "）": ")",
        "、": ", ",
        "。": ".",
        "　": " ",
    }
)


def latin(text: str) -> str:
    """``text`` with Chinese rendered in Latin letters, unless a CJK font is installed.

    "经济日报 (Economic Daily)" and "Economic Daily (经济日报)" keep the English name; any
    other Chinese run becomes pinyin ("消费日报" -> "Xiaofei Ribao"), so no figure shows
    missing-glyph boxes.
    """
    if cjk_font() or not _CJK_RUN.search(text):
        return text
    # A Chinese name followed by its English name in brackets: keep the English name.
    text = re.sub(f"[{_HAN}]+[^()A-Za-z]*\\(([A-Z][^()]*)\\)", r"\1", text)
    # An English name followed by its Chinese name in brackets: drop the brackets.
    text = re.sub(f"\\s*\\([^()A-Za-z]*[{_HAN}][^()A-Za-z]*\\)", "", text)
    text = text.translate(_PUNCT)

    def _pinyin(m: re.Match[str]) -> str:
        from pypinyin import lazy_pinyin

        return " ".join(w.capitalize() for w in lazy_pinyin(m.group(0)) if w.strip())

    return _CJK_RUN.sub(_pinyin, text)


def _latinise_figure(fig: plt.Figure) -> None:
    """Replace Chinese in every text of ``fig`` when no CJK font can draw it."""
    if cjk_font():
        return
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        s = t.get_text()
        if s and _CJK_RUN.search(s):
            t.set_text(latin(s))


def _fit_titles(fig: plt.Figure) -> bool:
    """Wrap axes titles that would be cut off at the figure's edges; True if any was."""
    renderer = fig.canvas.get_renderer()
    width = fig.bbox.width
    changed = False
    for ax in fig.axes:
        title = ax.title
        text = title.get_text()
        if not text:
            continue
        box = title.get_window_extent(renderer)
        centre = (box.x0 + box.x1) / 2
        room = 2 * min(centre, width - centre) * 0.97
        if box.width > room > 0:
            chars = max(15, int(len(text) * room / box.width))
            title.set_text(textwrap.fill(text, chars))
            changed = True
    return changed


def write_figure(fig: plt.Figure, folder: Path, name: str, caption: str) -> list[Path]:
    """Print ``caption`` under ``fig`` and write ``<folder>/<name>.png`` and ``.svg``.

    Byte-stable: fixed dpi, no software/date metadata, ``svg.hashsalt`` set by
    :func:`set_style`. Chinese is latinised only when no CJK font can draw it. Called by
    :func:`lsimpact.exhibits.save`, which composes the caption from the catalogue.
    """
    wrapped = "\n".join(textwrap.wrap(caption, width=int(fig.get_figwidth() * 15)))
    n_lines = wrapped.count("\n") + 1
    fig.text(0.01, 0.005, wrapped, ha="left", va="bottom", fontsize=7.5, color="#444444")
    _latinise_figure(fig)
    rect = (0, 0.035 * n_lines + 0.01, 1, 1)
    fig.tight_layout(rect=rect)
    if _fit_titles(fig):
        fig.tight_layout(rect=rect)
    paths = []
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        target = folder / f"{name}.{ext}"
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=ext, dpi=_DPI, metadata=meta)
        paths.append(target)
    return paths
