"""README's "How good it is" paragraph states the shipped model's cross-validated figures: they must be the ones in
``model/default/cv_report.json``, so that a retrain that moves them cannot leave the README promising old ones."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = json.loads((ROOT / "model" / "default" / "cv_report.json").read_text(encoding="utf-8"))["summary"]


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## How good it is, and is not")
    return re.sub(r"\s+", " ", text[start : text.index("\n## ", start + 1)])


def _pct(figure: dict, digits: int) -> str:
    return f"{figure['mean']:.{digits}%} [{figure['low']:.{digits}%}, {figure['high']:.{digits}%}]"


@pytest.mark.parametrize(
    "expected",
    [
        f"flags {_pct(SUMMARY['overall']['fpr'], 1)} of genuine notes",
        f"catches {_pct(SUMMARY['overall']['recall'], 0)} of the ads",
        f"{SUMMARY['overall']['precision']['mean']:.0%} of its flags being ads",
        f"it catches {_pct(SUMMARY['annotators_2']['recall'], 0)} of the ads",
        f"at {_pct(SUMMARY['annotators_2']['fpr'], 1)} false flags",
        "F1 {mean:.2f} [{low:.2f}, {high:.2f}]".format(**SUMMARY["annotators_2"]["f1"]),
        f"honest notes that name a brand are flagged {_pct(SUMMARY['names_brand']['fpr'], 1)}",
        f"the {SUMMARY['overall']['n']:,} hand-labelled Xiaohongshu notes",
    ],
)
def test_readme_states_the_shipped_cv_figures(expected):
    assert expected in _section()
