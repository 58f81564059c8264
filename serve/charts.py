"""Chart labels that never print "????": Chinese names with a CJK font when one is installed, else short ids.

matplotlib draws a missing glyph as an empty box (and warns once per glyph), so a chart of Chinese creator names
on a machine without a CJK font is unreadable. :func:`chart_names` picks an installed CJK font (Debian:
``apt-get install fonts-noto-cjk``) or, without one, replaces every non-ASCII name by an id (``C1``, ``C2`` ...)
and returns the legend that maps ids to names, so the report can print it next to the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

#: Fonts with CJK glyphs, most wanted first (Debian's fonts-noto-cjk provides the first).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "PingFang SC", "Microsoft YaHei")  # fmt: skip

NO_CJK_FONT = (
    "no CJK font is installed, so the chart names non-ASCII creators by id (legend in the Markdown report); "
    "install one (Debian: apt-get install fonts-noto-cjk) to see the names"
)


#: File names of CJK fonts, for fonts installed after matplotlib cached its font list.
_CJK_FILES = ("NotoSansCJK", "NotoSerifCJK", "SourceHanSans", "wqy-zenhei", "wqy-microhei", "simhei", "msyh")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed font with CJK glyphs, or None.

    matplotlib caches its font list the first time it runs, so a font installed later (``apt-get install
    fonts-noto-cjk``) is not in it: the system font directories are searched too, and a CJK font found there is
    added to matplotlib's font manager for this process."""
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in available), None)
    if found:
        return found
    for path in sorted(font_manager.findSystemFonts()):
        if any(key.lower() in path.lower() for key in _CJK_FILES):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # an unreadable font file: try the next one
                continue
    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in available), None)


@dataclass(frozen=True)
class ChartNames:
    """Labels to draw, the font to draw them with (None: the default), and ``legend`` rows ``(id, name)`` for
    the names replaced by ids (empty when none was)."""

    labels: list[str]
    font: str | None
    legend: list[tuple[str, str]]

    @property
    def note(self) -> str | None:
        return NO_CJK_FONT if self.legend else None


def chart_names(names: Sequence[str], *, font: str | bool | None = True, prefix: str = "C") -> ChartNames:
    """Labels for ``names``. ``font=True`` looks for an installed CJK font; pass a font name or None to force.
    Ids are ``prefix`` and a number (``C1``: creators; the training plots name sources ``S1``)."""
    chosen = cjk_font() if font is True else (font or None)
    if chosen or all(n.isascii() for n in names):
        return ChartNames(list(names), chosen, [])
    labels, legend = [], []
    for n in names:
        if n.isascii():
            labels.append(n)
        else:
            labels.append(f"{prefix}{len(legend) + 1}")
            legend.append((labels[-1], n))
    return ChartNames(labels, None, legend)
