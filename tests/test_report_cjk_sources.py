"""The training report's per-source chart never draws Chinese source names as empty boxes. Before, a config whose
sources are Chinese (``source = "小红书"``) gave an fpr_by_source.png whose labels were rows of boxes on a machine
without a CJK font (matplotlib warning "Glyph ... missing from font(s)")."""

import warnings

import numpy as np
import pytest

import serve.charts
from training.report import plot_all

Y = np.array([0, 0, 1, 0, 0, 1, 0, 0])
P = np.array([0.1, 0.9, 0.8, 0.2, 0.3, 0.7, 0.6, 0.1])
S = np.array(["小红书", "小红书", "小红书", "news", "news", "news", "微信", "微信"], dtype=object)


def _draw(tmp_path):
    legend: list[tuple[str, str]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = plot_all(Y, P, S, 0.5, tmp_path, "test split", legend=legend)
    glyphs = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    return files, legend, glyphs


def test_without_a_cjk_font_chinese_sources_are_drawn_as_ids(tmp_path, monkeypatch):
    monkeypatch.setattr(serve.charts, "cjk_font", lambda: None)
    files, legend, glyphs = _draw(tmp_path)
    assert "fpr_by_source.png" in files
    assert glyphs == []
    assert legend == [("S1", "小红书"), ("S2", "微信")]  # sorted by name, as the bars are; "news" is ASCII


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the stand-in font has no CJK glyphs
def test_with_a_cjk_font_the_names_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(serve.charts, "cjk_font", lambda: "DejaVu Sans")
    _, legend, _ = _draw(tmp_path)
    assert legend == []


def test_the_report_names_the_ids(tmp_path):
    from training.report import write_report

    m = {"n": 1, "n_ad": 0, "threshold": 0.5, "review_threshold": 0.4, "per_source": {}}
    metrics = {"validation": m, "test": m, "target_fpr": 0.02, "target_source": "小红书"}
    write_report(tmp_path, metrics, ["fpr_by_source.png"], "cmd", chart_legend=[("S1", "小红书")])
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "fpr_by_source.png names non-ASCII sources by id: S1 = 小红书 (install one" in text
