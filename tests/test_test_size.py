"""test_size above 0.5 is refused: a model trained on less than half its data is not the model the card
describes. When the test side was one of round(1 / test_size) grouped folds, test_size = 0.7 or 0.9 drew a test
split of half the data without a word, and the card said 0.9."""

import pytest

from model import InvalidParameterError
from training.config import load_config
from training.folds import split_train_test
from training.notebook_helpers import load_splits


@pytest.mark.parametrize("size", [0.6, 0.9])
def test_a_test_size_above_one_half_is_refused(tmp_path, size):
    (tmp_path / "c.toml").write_text(f'test_size = {size}\n[[dataset]]\npath = "n.jsonl"\n', encoding="utf-8")
    (tmp_path / "n.jsonl").write_text('{"text": "x", "label": 1}\n', encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=rf"'test_size' parameter .* \(0, 0.5\] .*Got {size}"):
        load_config(tmp_path / "c.toml")


def test_one_half_is_the_largest_share_the_split_draws(tmp_path):
    from conftest import SAMPLES

    splits = load_splits(load_config(SAMPLES / "train_sample.toml", test_size=0.5))
    share = len(splits.test) / (len(splits.train) + len(splits.test))
    assert 0.4 < share < 0.6


@pytest.mark.parametrize("size", [0.1, 0.25, 0.5])
def test_the_split_draws_the_share_asked_for(size):
    from conftest import SAMPLES

    splits = load_splits(load_config(SAMPLES / "train_sample.toml"))
    train, test = split_train_test(splits.examples, test_size=size, seed=7)
    assert abs(len(test) / (len(train) + len(test)) - size) < 0.05
