"""A training config value of the wrong type stops ``load_config`` with an error naming the key, what it must be
and what came: before, a string, a boolean or a float where a number or a whole number belongs was either read as
something else (``seed = 1.7`` trained with seed 1, ``test_size = "0.3"`` passed, ``weight = true`` weighed 1) or
ended in a traceback from scikit-learn or numpy after the data was read."""

import pytest

from model import InvalidParameterError
from training.config import load_config

DATASET = '[[dataset]]\npath = "n.jsonl"\n'


@pytest.mark.parametrize(
    ("toml", "match"),
    [
        ('seed = "abc"\n' + DATASET, r"'seed' parameter .* must be an int in \[0, 2\*\*32 - 1\]. Got 'abc'"),
        ("seed = 1.7\n" + DATASET, r"'seed' parameter .* Got 1.7"),
        ("seed = -1\n" + DATASET, r"'seed' parameter .* Got -1"),
        ('test_size = "0.3"\n' + DATASET, r"'test_size' parameter .* must be a float in \(0, 0.5\]. Got '0.3'"),
        ('target_fpr = "0.05"\n' + DATASET, r"'target_fpr' parameter .* Got '0.05'"),
        ("threshold_boot = 50.5\n" + DATASET, r"'threshold_boot' parameter .* must be an int >= 10. Got 50.5"),
        ("target_source = 3\n" + DATASET, r"'target_source' parameter .* must be a non-empty string. Got 3"),
        ("model = 5\n" + DATASET, r"'model' parameter .* must be a table \(\[model\]\). Got 5"),
        (DATASET + '[model]\nC = "10"\n', r"'model.C' parameter .* must be a float > 0. Got '10'"),
        (DATASET + "[model]\nchar_ngrams = 3\n", r"'model.char_ngrams' parameter .* \[low, high\].* Got 3"),
        (DATASET + "[model]\nchar_ngrams = [3, 1]\n", r"'model.char_ngrams' parameter .* Got \[3, 1\]"),
        (DATASET + "[model]\nmin_df = 2.5\n", r"'model.min_df' parameter .* must be an int >= 1. Got 2.5"),
        (DATASET + '[model]\nmax_features = "5000"\n', r"'model.max_features' parameter .* Got '5000'"),
        (DATASET + "[model]\nword_ngram_max = 0\n", r"'model.word_ngram_max' parameter .* an int >= 1. Got 0"),
        (DATASET + "[model]\nmax_df = 1\n", r"'model.max_df' parameter .* \(1.0, not 1: .*\). Got 1"),
        (DATASET + '[model]\nsublinear_tf = "no"\n', r"'model.sublinear_tf' parameter .* true or false. Got 'no'"),
        (DATASET + "[model]\nbinary = 1\n", r"'model.binary' parameter .* true or false. Got 1"),
        (DATASET + "[model]\nclass_weight = true\n", r"'model.class_weight' parameter .* Got True"),
        (DATASET + '[model]\nuser_dict = "nope.txt"\n', r"'model.user_dict' parameter .* existing file .*nope.txt"),
        ('dataset = "n.jsonl"\n', r"'dataset' parameter .* \[\[dataset\]\] \(two brackets\). Got 'n.jsonl'"),
        ('[dataset]\npath = "n.jsonl"\n', r"'dataset' parameter .* \[\[dataset\]\] \(two brackets\)"),
        ("[[dataset]]\npath = 5\n", r"'dataset\[0\].path' parameter .* Got 5"),
        ("[[dataset]]\npath = []\n", r"'dataset\[0\].path' parameter .* Got \[\]"),
        ('[[dataset]]\npath = "n.jsonl"\nweight = true\n', r"'dataset\[0\].weight' .* a number >= 0. Got True"),
        ('[[dataset]]\npath = "n.jsonl"\nmax_rows = true\n', r"'dataset\[0\].max_rows' .* Got True"),
        ('[[dataset]]\npath = "n.jsonl"\nname = 3\n', r"'dataset\[0\].name' .* a non-empty string. Got 3"),
        ('[[dataset]]\npath = "n.jsonl"\ndigit_mask = "xy"\n', r"'dataset\[0\].digit_mask' .* Got 'xy'"),
        (DATASET + DATASET, r"'dataset\[1\].name' parameter .* unique among the datasets .* Got 'n'"),
        ("[groups]\nwechat = [1, 2]\n" + DATASET, r"'groups' parameter .* Got \{'wechat': \[1, 2\]\}"),
    ],
)
def test_a_value_of_the_wrong_type_is_named(tmp_path, toml, match):
    (tmp_path / "n.jsonl").write_text('{"text": "x", "label": 1}\n')
    (tmp_path / "c.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=match):
        load_config(tmp_path / "c.toml")


def test_well_typed_values_still_load(tmp_path):
    (tmp_path / "n.jsonl").write_text('{"text": "x", "label": 1}\n')
    (tmp_path / "words.txt").write_text("小红书\n", encoding="utf-8")
    (tmp_path / "c.toml").write_text(
        "seed = 3\ntest_size = 0.25\ntarget_fpr = 0.05\nthreshold_boot = 20\n"
        '[model]\nC = 2\nchar_ngrams = [1, 3]\nmin_df = 1\nmax_df = 0.5\nclass_weight = 2\nuser_dict = "words.txt"\n'
        '[[dataset]]\nname = "a"\npath = "n.jsonl"\nweight = 0\nmax_rows = 10\ndigit_mask = "x"\n'
        '[[dataset]]\nname = "b"\npath = ["n.jsonl"]\n',
        encoding="utf-8",
    )
    cfg = load_config(tmp_path / "c.toml")
    assert (cfg.seed, cfg.test_size, cfg.threshold_boot) == (3, 0.25, 20)
    assert (cfg.model.C, cfg.model.char_ngrams, cfg.model.max_df, cfg.model.class_weight) == (2, (1, 3), 0.5, 2)
    assert [(d.name, d.weight, d.max_rows, d.digit_mask) for d in cfg.datasets] == [
        ("a", 0.0, 10, "x"),
        ("b", 1.0, 0, ""),
    ]
