"""Odd inputs to the notebook helpers are refused with an error naming them, not turned into plausible figures."""

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from conftest import SAMPLES

from model import InvalidParameterError
from training.config import load_config
from training.notebook_helpers import (
    check_split_matches_card,
    load_splits,
    markdown_table,
    plot_creator_shares,
    plot_threshold_tradeoff,
    rank_creators,
    threshold_tradeoff,
)

Y = [0, 0, 0, 0, 1, 1]
P = [0.1, 0.2, 0.3, 0.4, 0.8, 0.9]
S = ["xhs"] * 6


@pytest.mark.parametrize(
    ("y", "p", "kwargs", "match"),
    [
        # Before: a NaN probability was never flagged, and the table said so at every rate without a word.
        (Y, [0.1, math.nan, 0.3, 0.4, 0.8, 0.9], {}, r"'p' must hold probabilities in \[0, 1\]. Got nan at index 1"),
        (Y, [0.1, 0.2, 0.3, 0.4, 0.8, 1.5], {}, r"'p' .* Got 1.5 at index 5"),
        # Before: a label 2 counted as neither an ad nor a genuine note.
        ([0, 2, 0, 0, 1, 1], P, {}, r"'y' must hold labels 1 \(ad\) and 0 \(genuine\). Got 2 at index 1"),
        # Before: a TypeError from comparing a string with 0.
        (Y, P, {"target_fprs": ["0.1"]}, r"Each of 'target_fprs' must be a float in \(0, 1\). Got '0.1'"),
    ],
)
def test_threshold_tradeoff_refuses_values_it_cannot_count(y, p, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        threshold_tradeoff(y, p, S, target_source="xhs", **kwargs)
    with pytest.raises(InvalidParameterError, match=match):
        plot_threshold_tradeoff(y, p, S, target_source="xhs", chosen_threshold=0.5, **kwargs)


def test_threshold_tradeoff_takes_labels_as_numpy_or_floats():
    expected = threshold_tradeoff(Y, P, S, target_source="xhs")
    assert threshold_tradeoff(np.array(Y), np.array(P), S, target_source="xhs") == expected
    assert threshold_tradeoff([float(v) for v in Y], P, S, target_source="xhs") == expected


CREATORS = [
    {"author": "nan_creator", "ad_share": math.nan},
    {"author": "b", "ad_share": 0.5},
    {"author": "a", "ad_share": np.float32(0.75)},
    {"author": "none_creator", "ad_share": None},
]


def test_rank_creators_ranks_nan_as_no_value():
    """Before, a NaN share (pandas' empty cell) was ranked #1, above every real share."""
    ranked = rank_creators(CREATORS, value="ad_share")
    assert [(r["rank"], r["author"]) for r in ranked] == [
        (1, "a"),
        (2, "b"),
        (None, "nan_creator"),
        (None, "none_creator"),
    ]
    assert [r["author"] for r in rank_creators(CREATORS, value="ad_share", positive_only=True)] == ["a", "b"]
    fig = plot_creator_shares(CREATORS, value="ad_share", label="ad share")
    assert "2 without a value" in fig.axes[0].get_title()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][::-1] == ["#1 a", "#2 b"]


def test_rank_creators_names_a_value_that_is_not_a_number():
    """Before, a ValueError from float('high')."""
    with pytest.raises(
        InvalidParameterError, match=r"rows\[1\]\['ad_share'\] must be a number, None or NaN. Got str 'high'"
    ):
        rank_creators([{"author": "a", "ad_share": 0.1}, {"author": "b", "ad_share": "high"}], value="ad_share")


def test_markdown_table_escapes_column_names_and_rounds_numpy_floats():
    """Before, a column named 'kw: a|b' (keyword set names come from the user's keyword file) split the header
    into one column more than the rows, and an np.float32 value printed all its digits."""
    rows = [{"kw: a|b": np.float32(0.123456), "n": np.int64(3), "x": np.float64("nan"), "flag": np.bool_(True)}]
    lines = markdown_table(rows).splitlines()
    assert lines[0] == "| kw: a\\|b | n | x | flag |"
    assert lines[2] == "| 0.123 | 3 | – | True |"
    assert lines[0].count(" | ") == lines[2].count(" | ")


def test_check_split_matches_card_refuses_a_model_split_with_another_seed(sample_model):
    """Before, only the sizes of the two sides were compared: a model trained with another seed has the same sizes
    and other rows, so the notebook evaluated it on notes it was trained on without a word."""
    cfg = load_config(SAMPLES / "train_sample.toml")  # seed 7, as sample_model was trained
    check_split_matches_card(load_splits(cfg), sample_model.card)
    other = load_splits(replace(cfg, seed=8))
    assert (len(other.train), len(other.test)) == (
        sample_model.card["split"]["train"],
        sample_model.card["split"]["test"],
    )
    with pytest.raises(InvalidParameterError, match=r"Got other seed.*\(seed: card 7, config 8"):
        check_split_matches_card(other, sample_model.card)


def test_check_split_matches_card_refuses_a_model_trained_on_other_files(sample_model):
    card = json.loads(json.dumps(sample_model.card))
    card["data"][0]["files"][0]["sha256"] = "0" * 64
    with pytest.raises(InvalidParameterError, match=r"Got other data files \(data files: card \['0000"):
        check_split_matches_card(load_splits(load_config(SAMPLES / "train_sample.toml")), card)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the stand-in CJK font has no CJK glyphs
def test_threshold_chart_of_a_chinese_target_source_draws_no_boxes(monkeypatch):
    """Before, a target source named 小红书 was drawn in the x label and the legend as empty boxes on a machine
    without a CJK font (12 "Glyph ... missing from font" warnings)."""
    import io
    import warnings

    import training.notebook_helpers.thresholds as thresholds

    monkeypatch.setattr(thresholds, "cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plot_threshold_tradeoff(Y, P, ["小红书"] * 6, target_source="小红书", chosen_threshold=0.5)
        fig.savefig(io.BytesIO())
    assert not [w for w in caught if "missing from font" in str(w.message)]
    ax = fig.axes[0]
    assert ax.get_xlabel() == "false-positive rate on genuine target-source notes (log)"
    assert ax.get_legend().get_texts()[0].get_text() == "recall on target-source ads"
    monkeypatch.setattr(thresholds, "cjk_font", lambda: "DejaVu Sans")
    fig = plot_threshold_tradeoff(Y, P, ["小红书"] * 6, target_source="小红书", chosen_threshold=0.5)
    assert fig.axes[0].get_xlabel() == "false-positive rate on genuine 小红书 notes (log)"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": -1}, r"'n' parameter of misclassified must be an int >= 0. Got -1"),
        ({"n": 2.5}, r"'n' parameter .* Got 2.5"),
        ({"top": -2}, r"'top' parameter .* Got -2"),
        ({"text_chars": 1}, r"'text_chars' parameter .* an int >= 2. Got 1"),
    ],
)
def test_misclassified_refuses_counts_it_cannot_show(sample_model, kwargs, match):
    """Before, n = -1 sliced off the last error of each kind ([:-1]) instead of an error."""
    from training.notebook_helpers import misclassified

    splits = load_splits(load_config(SAMPLES / "train_sample.toml"))
    p = [0.5] * len(splits.test)
    with pytest.raises(InvalidParameterError, match=match):
        misclassified(sample_model, splits.test, p, decisions=["ad"] * len(p), **kwargs)
