"""House style and figure saving (PNG + SVG with stable bytes, captioned with sources).

Every figure lsimpact saves carries a caption naming its data source(s), and the word
"SYNTHETIC" where any input is synthetic.

Chinese renders as Chinese on any machine: the house style registers Noto Sans CJK SC from
the ``mplfonts`` package (a core dependency; the font file is registered with matplotlib's
font manager directly, no download) as the fallback of DejaVu Sans, so Latin text looks as
before and every Han character finds its glyph. The same font file everywhere keeps PNG
and SVG bytes stable across machines. Only when no CJK font can be loaded at all does
:func:`latin` write Chinese as pinyin, joined by word, with English names where outlets
have one.

:func:`check_layout` finds overlapping tick labels, text cut off at the figure's edge and
axes without an x-axis label; every saved figure is checked (a warning, or an error when
``LSIMPACT_FIGURE_CHECK=error``, as in the test suite).
"""

from __future__ import annotations

import importlib.util
import os
import re
import textwrap
import warnings
from functools import cache
from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib import font_manager

from .io import atomic_path

__all__ = [
    "PALETTE",
    "FigureLayoutWarning",
    "check_layout",
    "cjk_font",
    "label",
    "latin",
    "set_style",
    "write_figure",
]

#: Colour-blind-safe palette (seaborn "colorblind", i.e. Okabe-Ito-like).
PALETTE = sns.color_palette("colorblind")
_DPI = 150
#: The CJK font shipped through the mplfonts package (SIL Open Font License).
_SHIPPED_CJK = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")
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
    """Apply the house style: seaborn whitegrid, colour-blind palette, stable SVG ids, the
    CJK font; and numbers for people in displayed tables (pandas prints ``900,000,000,000``
    and ``17.74``, not ``9.000000e+11`` and ``17.73743017``)."""
    import pandas as pd

    from .formatting import human

    pd.set_option("display.float_format", human)
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
        _quiet_missing_weight(font)
        # The usual sans-serif first (Latin text unchanged), the CJK font as per-glyph
        # fallback: matplotlib falls back along font.family, not within font.sans-serif.
        plt.rcParams["font.family"] = ["sans-serif", font]


class _NoWeightNotice:
    """Drop matplotlib's "Failed to find font weight bold for <CJK font>" log line: the
    shipped CJK font has one weight, so bold titles draw Han characters in regular weight,
    as intended; other font messages still show."""

    def __init__(self, font: str) -> None:
        self.font = font

    def filter(self, record) -> bool:
        msg = record.getMessage()
        return not (msg.startswith("findfont: Failed to find font weight") and self.font in msg)


def _quiet_missing_weight(font: str) -> None:
    import logging

    logger = logging.getLogger("matplotlib.font_manager")
    if not any(isinstance(f, _NoWeightNotice) for f in logger.filters):
        logger.addFilter(_NoWeightNotice(font))


def _shipped_cjk_path() -> Path | None:
    # find_spec locates the package without importing it (mplfonts' __init__ imports its CLI)
    spec = importlib.util.find_spec(_SHIPPED_CJK[0])
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / _SHIPPED_CJK[1]
    return path if path.is_file() else None


@cache
def cjk_font() -> str | None:
    """Name of a font with Chinese glyphs registered with matplotlib, or None.

    The font shipped by ``mplfonts`` (Noto Sans CJK SC) is registered and preferred, so
    every machine draws the same glyphs; otherwise the first installed system CJK font.
    """
    path = _shipped_cjk_path()
    if path is not None:
        try:
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError, ValueError):
            pass  # unreadable font file: fall back to the system's fonts
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


#: English names of outlets and bodies that have one (used by :func:`latin`).
ENGLISH_NAMES: dict[str, str] = {
    "经济日报": "Economic Daily",
    "光明网": "Guangming Online",
    "北京青年报": "Beijing Youth Daily",
    "北京晚报": "Beijing Evening News",
    "澎湃新闻": "The Paper",
    "每日经济新闻": "National Business Daily",
    "中国青年网": "Youth.cn",
    "人力资源社会保障部": "Ministry of Human Resources and Social Security",
    "商务部": "MOFCOM",
    "国家统计局": "NBS",
    "中国互联网络信息中心": "CNNIC",
    "中国人民大学": "Renmin University of China",
    "中国社会科学院大学": "University of Chinese Academy of Social Sciences",
    "中国人事科学研究院": "Chinese Academy of Personnel Science",
    "中国演出行业协会": "China Association of Performing Arts",
    "中国网络视听节目服务协会": "China Netcasting Services Association",
    "抖音": "Douyin",
    "快手": "Kuaishou",
    "淘宝": "Taobao",
}

#: Pinyin by word, with the readings a dictionary gets wrong (同行 here is "tong xing",
#: travelling together, not "tonghang", same trade); names as their owners write them.
PINYIN_WORDS: dict[str, str] = {
    "与辉同行": "Yu Hui Tong Xing",
    "董宇辉": "Dong Yuhui",
    "俞敏洪": "Yu Minhong",
    "东方甄选": "Dongfang Zhenxuan",
    "自营产品": "Ziying Chanpin",
    "交个朋友": "Jiao Ge Pengyou",
    "消费日报": "Xiaofei Ribao",
    "南方网": "Nanfang Wang",
    "吴晓波频道": "Wu Xiaobo Pindao",
    "字母榜": "Zimu Bang",
    "法人": "Faren",
    "灰豚数据": "Huitun Shuju",
    "电商报": "Dianshang Bao",
    "网经社": "Wangjingshe",
    "豆茶查": "Douchacha",
    "飞瓜数据": "Feigua Shuju",
    "主播号": "Zhubo Hao",
    "品牌号": "Pinpai Hao",
    "同类账号": "Tonglei Zhanghao",
    "中国就业与民生研究院": "Zhongguo Jiuye yu Minsheng Yanjiuyuan",
    "劳动人事学院": "Laodong Renshi Xueyuan",
    "国家发展与战略研究院": "Guojia Fazhan yu Zhanlüe Yanjiuyuan",
}


def _pinyin_run(run: str) -> str:
    """One run of Han characters as words: English names and the lexicon first (longest
    match), the rest through pypinyin's phrase segmentation, syllables of a word joined."""
    from pypinyin import lazy_pinyin
    from pypinyin.seg.mmseg import seg

    lexicon = {**PINYIN_WORDS, **ENGLISH_NAMES}
    words: list[str] = []
    i, pending = 0, ""

    def flush() -> None:
        nonlocal pending
        for w in seg.cut(pending) if pending else ():
            words.append("".join(lazy_pinyin(w)).capitalize())
        pending = ""

    while i < len(run):
        hit = next(
            (w for w in sorted(lexicon, key=len, reverse=True) if run.startswith(w, i)), None
        )
        if hit:
            flush()
            words.append(lexicon[hit])
            i += len(hit)
        else:
            pending += run[i]
            i += 1
    flush()
    return " ".join(words)


def latin(text: str) -> str:
    """``text`` with Chinese rendered in Latin letters, unless a CJK font is available.

    "经济日报 (Economic Daily)" and "Economic Daily (经济日报)" keep the English name; a
    name in :data:`ENGLISH_NAMES` becomes its English name; any other Chinese run becomes
    pinyin joined by word ("消费日报" -> "Xiaofei Ribao", "与辉同行" -> "Yu Hui Tong Xing"),
    so no figure shows missing-glyph boxes.
    """
    if cjk_font() or not _CJK_RUN.search(text):
        return text
    # A Chinese name followed by its English name in brackets: keep the English name.
    text = re.sub(f"[{_HAN}]+[^()A-Za-z]*\\(([A-Z][^()]*)\\)", r"\1", text)
    # An English name followed by its Chinese name in brackets: drop the brackets.
    text = re.sub(f"\\s*\\([^()A-Za-z]*[{_HAN}][^()A-Za-z]*\\)", "", text)
    text = text.translate(_PUNCT)
    return _CJK_RUN.sub(lambda m: _pinyin_run(m.group(0)), text)


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


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap counting a Chinese character as two Latin ones (it is drawn about
    twice as wide), so captions mixing both fill their lines evenly."""
    import unicodedata

    def w(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and w(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


class FigureLayoutWarning(UserWarning):
    """A saved figure has overlapping tick labels, text cut off, or no x-axis label."""


def _drawn_ticklabels(axis) -> tuple[list, list]:
    """(labels drawn, labels not drawn) of an axis: ticks outside the view are not drawn."""
    lo, hi = sorted(axis.get_view_interval())
    span = (hi - lo) * 1e-9
    drawn, hidden = [], []
    for loc, t in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False):
        inside = lo - span <= loc <= hi + span
        (drawn if inside and t.get_visible() and t.get_text().strip() else hidden).append(t)
    return drawn, hidden


def check_layout(fig: plt.Figure) -> list[str]:
    """Problems a reader would see in ``fig``, as sentences (empty when there are none).

    - tick labels of one axis that overlap each other;
    - any text (titles, labels, tick labels, legends, notes) reaching past the figure edge;
    - axes that show x tick labels but have no x-axis label.
    """
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    edge = fig.bbox
    problems: list[str] = []
    not_drawn: set[int] = set()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        name = ax.get_title() or ax.get_ylabel() or f"axes {fig.axes.index(ax) + 1}"
        for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            labels, hidden = _drawn_ticklabels(axis)
            not_drawn |= {id(t) for t in hidden}
            boxes = [t.get_window_extent(renderer) for t in labels]
            pos = (lambda b: b.x0) if which == "x" else (lambda b: b.y0)
            order = sorted(range(len(boxes)), key=lambda k: pos(boxes[k]))
            for a, b in zip(order, order[1:], strict=False):
                ba, bb = boxes[a], boxes[b]
                overlap_x = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
                overlap_y = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
                if overlap_x > 1 and overlap_y > 1:
                    problems.append(
                        f"'{name}': {which} tick labels '{labels[a].get_text()}' and "
                        f"'{labels[b].get_text()}' overlap"
                    )
                    break
            if which == "x" and labels and not ax.get_xlabel().strip():
                problems.append(f"'{name}': no x-axis label")
    for t in fig.findobj(Text):
        if id(t) in not_drawn or not t.get_visible() or not t.get_text().strip():
            continue
        box = t.get_window_extent(renderer)
        if box.width == 0 or box.height == 0:
            continue
        if (
            box.x0 < edge.x0 - 1
            or box.y0 < edge.y0 - 1
            or box.x1 > edge.x1 + 1
            or box.y1 > edge.y1 + 1
        ):
            problems.append(f"text '{t.get_text()[:40]}' is cut off at the figure's edge")
    return problems


def write_figure(fig: plt.Figure, folder: Path, name: str, caption: str) -> list[Path]:
    """Print ``caption`` under ``fig`` and write ``<folder>/<name>.png`` and ``.svg``.

    Byte-stable: fixed dpi, no software/date metadata, ``svg.hashsalt`` set by
    :func:`set_style`. Chinese is latinised only when no CJK font can draw it. Called by
    :func:`lsimpact.exhibits.save`, which composes the caption from the catalogue.

    Raises
    ------
    ValueError
        When ``LSIMPACT_FIGURE_CHECK=error`` and :func:`check_layout` finds a problem
        (otherwise a :class:`FigureLayoutWarning`).
    UserWarning
        matplotlib's missing-glyph warning, raised as an error under the same setting.
    """
    strict = os.environ.get("LSIMPACT_FIGURE_CHECK") == "error"
    with warnings.catch_warnings():
        if strict:  # a missing glyph (a box instead of a character) is an error too
            warnings.filterwarnings("error", message=r"Glyph \d+ .*missing from font")
        wrapped = "\n".join(_wrap(caption, width=int(fig.get_figwidth() * 15)))
        n_lines = wrapped.count("\n") + 1
        fig.text(0.01, 0.005, wrapped, ha="left", va="bottom", fontsize=7.5, color="#444444")
        _latinise_figure(fig)
        # Room for the caption in inches (its font size is fixed), as a fraction of the
        # figure: a fixed fraction cut off the x label of short figures.
        line_in = 7.5 * 1.4 / 72
        rect = (0, min(0.5, (n_lines * line_in + 0.1) / fig.get_figheight()), 1, 1)
        fig.tight_layout(rect=rect)
        if _fit_titles(fig):
            fig.tight_layout(rect=rect)
        problems = check_layout(fig)
        if problems:
            msg = f"figure '{name}': " + "; ".join(problems)
            if strict:
                raise ValueError(msg)
            warnings.warn(msg, FigureLayoutWarning, stacklevel=3)
        paths = []
        for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
            target = folder / f"{name}.{ext}"
            with atomic_path(target) as tmp:
                fig.savefig(tmp, format=ext, dpi=_DPI, metadata=meta)
            paths.append(target)
    return paths


def plot_gapped(ax, x, y, *, max_gap_days: float, **kwargs):
    """``ax.plot`` that does not bridge gaps: the line breaks where consecutive dates are
    more than ``max_gap_days`` apart (the points stay), so a missing survey is not drawn
    as if it had been observed.

    ``x`` are dates (or years, then ``max_gap_days`` counts years x 365.25).
    """
    import numpy as np
    import pandas as pd

    xs = pd.Series(list(x))
    ys = pd.Series(list(y), dtype=float)
    if pd.api.types.is_numeric_dtype(xs):
        step = xs.diff().to_numpy(dtype=float) * 365.25
    else:
        xs = pd.to_datetime(xs)
        step = xs.diff().dt.days.to_numpy(dtype=float)
    breaks = np.flatnonzero(step > max_gap_days)
    segments = np.split(np.arange(len(xs)), breaks)
    lines = []
    label = kwargs.pop("label", None)
    for k, idx in enumerate(segments):
        if not len(idx):
            continue
        (line,) = ax.plot(
            xs.iloc[idx], ys.iloc[idx], label=label if k == 0 else "_nolegend_", **kwargs
        )
        kwargs.setdefault("color", line.get_color())
        lines.append(line)
    return lines


def date_axis(ax, axis: str = "x") -> None:
    """Concise date ticks (``2023``, ``Dec``, ``15``) that never overprint."""
    import matplotlib.dates as mdates

    target = ax.xaxis if axis == "x" else ax.yaxis
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    target.set_major_locator(locator)
    # Day ticks read "08 Dec" (not a bare "08"); a month start reads "Jan 2024".
    formatter = mdates.ConciseDateFormatter(
        locator,
        formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%b %Y", "%d %b", "%H:%M", "%H:%M"],
        offset_formats=["", "", "", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"],
    )
    target.set_major_formatter(formatter)


def plain_log_axis(ax, axis: str = "y") -> None:
    """Tick labels of a log axis written as plain numbers (``30``, ``200``), not ``3×10¹``.

    An axis spanning less than a decade gets round-number ticks (the decades would fall
    outside it); minor ticks are never labelled, so labels do not crowd.
    """
    import numpy as np
    from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter

    from .formatting import human

    target = ax.yaxis if axis == "y" else ax.xaxis
    fmt = FuncFormatter(lambda v, _pos: human(v, 3))
    lo, hi = sorted(target.get_view_interval())
    target.set_major_formatter(fmt)
    if lo > 0 and np.log10(hi / lo) < 1:
        # less than a decade: evenly spaced round numbers (the decades would be off-axis)
        target.set_major_locator(MaxNLocator(nbins=6))
    target.set_minor_formatter(NullFormatter())
