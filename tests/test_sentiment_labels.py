"""Sentiment training reads "positive"/"negative" labels, as ``notecheck evaluate --task sentiment`` does, and
its errors say what a sentiment label must be. Before, a review file labelled "positive"/"negative" stopped
``python -m training.sentiment`` with 'field 'label' must be 1/0 or "ad"/"genuine"', and a row labelled "ad" was
trained as positive."""

import json

import pytest

from model import InvalidNoteError
from training import sentiment
from training.config import load_config
from training.data import load_all

ROWS = [("好吃，还会再点", 1), ("太难吃了", 0), ("送得很快", 1), ("凉了，差评", 0)]


def _config(tmp_path, labels):
    rows = [{"id": f"r{i}", "text": t, "label": lab} for i, ((t, _), lab) in enumerate(zip(ROWS, labels, strict=True))]
    (tmp_path / "r.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    (tmp_path / "c.toml").write_text('[[dataset]]\nname = "r"\npath = "r.jsonl"\n', encoding="utf-8")
    return load_config(tmp_path / "c.toml")


def test_positive_and_negative_read_as_1_and_0(tmp_path):
    words = ["positive", "negative", " Positive ", "NEGATIVE"]
    examples, _ = load_all(_config(tmp_path, words), task="sentiment")
    assert [e.label for e in examples] == [lab for _, lab in ROWS]
    numbers, _ = load_all(_config(tmp_path, [1, 0, "1", 0.0]), task="sentiment")
    assert [e.label for e in numbers] == [lab for _, lab in ROWS]


@pytest.mark.parametrize(
    ("label", "match"),
    [
        ("ad", r"line 2: field 'label' of a sentiment training row must be 1/0 or \"positive\"/\"negative\" "
         r"\(1 = positive\). Got str 'ad'"),
        ("neutral", r"must be .*\(three-class rows are for notecheck evaluate --task sentiment; training needs polar"),
        (2, r"must be 1/0 or \"positive\"/\"negative\" \(1 = positive\). Got int 2"),
        (None, r"field 'label' of a sentiment training row is required \(1/0 or \"positive\"/\"negative\""),
    ],
)  # fmt: skip
def test_other_labels_are_refused_naming_sentiment_labels(tmp_path, label, match):
    cfg = _config(tmp_path, ["positive", label, "positive", "negative"])
    with pytest.raises(InvalidNoteError, match=match):
        load_all(cfg, task="sentiment")


def test_the_ad_task_still_reads_its_own_words(tmp_path):
    examples, _ = load_all(_config(tmp_path, ["ad", "genuine", 1, 0]))
    assert [e.label for e in examples] == [1, 0, 1, 0]
    with pytest.raises(InvalidNoteError, match="'label' must be 1/0 or \"ad\"/\"genuine\". Got str 'positive'"):
        load_all(_config(tmp_path, ["positive", 0, 1, 0]))


def test_the_sentiment_trainer_names_the_bad_label(tmp_path, capsys):
    _config(tmp_path, ["positive", "ad", "positive", "negative"])
    assert sentiment.main(["--config", str(tmp_path / "c.toml"), "-o", str(tmp_path / "out"), "--quiet"]) == 2
    assert "line 2: field 'label' of a sentiment training row must be" in capsys.readouterr().err
