"""A configured dataset that gives no row stops training naming it and why. Before, an empty file, a file whose
rows were all skipped as bad, or a keep_label no row has (label = "ad" with keep_label = "genuine" among them)
trained on the other datasets without a word: the dataset had vanished, the card said 'used 0'."""

import io

import pytest

from model import InvalidParameterError
from training.config import load_config
from training.data import load_all

GOOD = '{"text": "周末爬山", "label": 0}\n{"text": "加vx领券", "label": 1}\n'


def _load(tmp_path, rows: str, extra: str = "", skip: bool = False):
    (tmp_path / "good.jsonl").write_text(GOOD, encoding="utf-8")
    (tmp_path / "other.jsonl").write_text(rows, encoding="utf-8")
    (tmp_path / "c.toml").write_text(
        '[[dataset]]\nname = "good"\npath = "good.jsonl"\n[[dataset]]\nname = "other"\npath = "other.jsonl"\n' + extra,
        encoding="utf-8",
    )
    return load_all(load_config(tmp_path / "c.toml"), skip_bad_rows=skip, stderr=io.StringIO())


@pytest.mark.parametrize(
    ("rows", "extra", "skip", "match"),
    [
        ("", "", False, r"dataset 'other' of the training config .*c.toml gives no rows: its file \(.*other.jsonl\) "
         r"holds no rows"),
        ("not json\n[1]\n", "", True, r"gives no rows: all 2 rows of .*other.jsonl were skipped as bad"),
        (GOOD.replace('"label": 0', '"label": 1'), 'keep_label = "genuine"\n', False,
         r"gives no rows: none of the 2 rows of .*other.jsonl has the label keep_label = 'genuine' keeps"),
    ],
)  # fmt: skip
def test_a_dataset_without_rows_is_named(tmp_path, rows, extra, skip, match):
    with pytest.raises(InvalidParameterError, match=match):
        _load(tmp_path, rows, extra, skip)


def test_a_label_that_contradicts_keep_label_is_a_config_error(tmp_path):
    with pytest.raises(InvalidParameterError, match=r"'dataset\[1\].keep_label' .* label = 'ad' makes every row ad"):
        _load(tmp_path, GOOD, 'label = "ad"\nkeep_label = "genuine"\n')


def test_a_feedback_queue_nobody_labelled_yet_is_not_an_error(tmp_path):
    examples, infos = _load(tmp_path, '{"text": "待标注", "label": ""}\n', "feedback = true\n")
    assert (len(examples), infos[1].unlabelled) == (2, 1)
