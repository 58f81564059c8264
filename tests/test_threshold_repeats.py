"""The threshold rule on several out-of-fold splits (``threshold_repeats``): its option, that one split is the old
rule bit for bit, that R splits are deterministic for a fixed seed, and what the card says (tests/threshold_support.py
has the data)."""

import json
from dataclasses import replace

import numpy as np
import pytest

from model import InvalidParameterError
from model.engine import sigmoid
from tests.threshold_support import training_split, write_config
from training.config import load_config
from training.fit import featurize, fit_platt, fit_with_config
from training.threshold import bootstrap_threshold, choose_threshold, expected_fpr

DATASET = '[[dataset]]\npath = "n.jsonl"\n'


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return write_config(tmp_path_factory.mktemp("repeats"))


@pytest.fixture(scope="module")
def train(config):
    return training_split(config)


@pytest.mark.parametrize(
    ("value", "got"), [("0", "0"), ("21", "21"), ("2.5", "2.5"), ('"3"', "'3'"), ("true", "True")]
)  # fmt: skip
def test_a_bad_number_of_repeats_is_named(tmp_path, value, got):
    (tmp_path / "n.jsonl").write_text('{"text": "x", "label": 1}\n')
    (tmp_path / "c.toml").write_text(f"threshold_repeats = {value}\n" + DATASET, encoding="utf-8")
    match = rf"The 'threshold_repeats' parameter of the training config must be an int in \[1, 20\] .*Got {got}\."
    with pytest.raises(InvalidParameterError, match=match):
        load_config(tmp_path / "c.toml")


def test_repeats_default_to_one_split(tmp_path):
    (tmp_path / "n.jsonl").write_text('{"text": "x", "label": 1}\n')
    (tmp_path / "c.toml").write_text(DATASET, encoding="utf-8")
    assert load_config(tmp_path / "c.toml").threshold_repeats == 1
    (tmp_path / "c.toml").write_text("threshold_repeats = 5\n" + DATASET, encoding="utf-8")
    assert load_config(tmp_path / "c.toml").threshold_repeats == 5


def test_one_repeat_is_the_one_split_rule_bit_for_bit(config, train):
    """The old rule written out from its parts (one set of folds at the config's seed, Platt on the target notes'
    out-of-fold decisions, the bootstrap on 1-D scores) gives the very threshold of threshold_repeats = 1."""
    fit = fit_with_config(
        train, config, choose_threshold=lambda p, y, hard, fpr: choose_threshold(p, y, hard, config, fpr)
    )
    featured = featurize(train, config.model)
    z = featured.oof(seed=config.seed, fold_seed=config.seed, target_source="sample")
    target = np.array([e.source == "sample" for e in train])
    hard = np.array([e.note.extra.get("annotators") == 2 for e in train])[target]
    cal = fit_platt(z[target], featured.y[target])
    p = sigmoid(z[target], cal["a"], cal["b"])
    g = featured.y[target] == 0
    old = bootstrap_threshold(p[g], hard[g], fpr=config.target_fpr, share=0.75, quantile=0.75, n_boot=100, seed=7)
    assert fit.model.threshold == old
    assert fit.model.calibration == cal
    assert fit.oof_probability_repeats.shape == (1, len(train))
    assert np.array_equal(fit.oof_probability_repeats[0], fit.oof_probability)


def test_pooled_scores_of_one_split_are_the_one_split_scores():
    rng = np.random.default_rng(0)
    s, hard, y = rng.random(300), rng.random(300) < 0.3, (rng.random(300) < 0.2).astype(int)
    kw = dict(fpr=0.05, share=0.75, quantile=0.75, n_boot=200, seed=3)
    assert bootstrap_threshold(s[None, :], hard, **kw) == bootstrap_threshold(s, hard, **kw)
    one, pooled = expected_fpr(s, y, hard, 0.8, share=0.75), expected_fpr(s[None, :], y, hard, 0.8, share=0.75)
    assert one == pooled
    # R copies of one split: the same scores, each weighing 1 / R, so the same threshold
    assert bootstrap_threshold(np.tile(s, (3, 1)), hard, **kw) == bootstrap_threshold(s, hard, **kw)


def test_pooled_expected_fpr_counts_a_note_by_the_share_of_repeats_flagging_it():
    p = np.array([[0.9, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.9]])
    exp = expected_fpr(p, np.zeros(4, dtype=int), np.zeros(4, dtype=bool), 0.5, share=0.0, n_boot=20)
    assert exp["annotators_1"]["fpr"] == 0.25  # two notes each flagged in one of two repeats: half a note each


def test_repeats_are_deterministic_and_pool_distinct_splits(config, train):
    cfg = replace(config, threshold_repeats=3)
    rule = {"choose_threshold": lambda p, y, hard, fpr: choose_threshold(p, y, hard, cfg, fpr)}
    a, b = fit_with_config(train, cfg, **rule), fit_with_config(train, cfg, **rule)
    assert a.model.threshold == b.model.threshold and a.model.calibration == b.model.calibration
    assert np.array_equal(a.oof_probability_repeats, b.oof_probability_repeats)
    assert a.oof_probability_repeats.shape == (3, len(train))
    one = fit_with_config(train, config, choose_threshold=rule["choose_threshold"])
    assert np.array_equal(a.oof_decision, one.oof_decision)  # repeat 0 deals the folds as one split does
    assert not np.allclose(a.oof_probability_repeats[1], a.oof_probability_repeats[0])


def test_the_card_and_report_state_the_repeats(config, tmp_path):
    from training.train import run_training

    run_training(replace(config, threshold_repeats=2), tmp_path / "r2", progress=False, ablation=False)
    run_training(config, tmp_path / "r1", progress=False, ablation=False)
    r2 = json.loads((tmp_path / "r2" / "model_card.json").read_text())
    r1 = json.loads((tmp_path / "r1" / "model_card.json").read_text())
    assert r2["threshold_rule"]["out_of_fold_repeats"] == 2
    assert "out_of_fold_repeats" not in r1["threshold_rule"]  # one-split cards read as before
    assert "on the out-of-fold scores of 2 splits into folds" in (tmp_path / "r2" / "model_card.md").read_text()
    assert "splits into folds" not in (tmp_path / "r1" / "model_card.md").read_text()


def test_protocol_comparison_pools_the_other_repeats(config):
    """``python -m training.threshold`` reads a --cv run's scores: with repeats R the other folds' notes bring their
    scores of R repeats. Two identical repeats pooled are one repeat; a rule needing more repeats than the run has
    is left out."""
    from training.threshold import compare_rules

    rng = np.random.default_rng(1)
    n = 200
    y, hard = (rng.random(n) < 0.2).astype(int), rng.random(n) < 0.4
    s = rng.random(n) + y
    fold_of = np.tile(np.arange(n) % 4, (2, 1))
    cfg = replace(config, target_fpr=0.05)
    rules = [("bootstrap", 0.75, 0.75, 1), ("bootstrap", 0.75, 0.75, 2), ("bootstrap", 0.75, 0.75, 3)]
    same = compare_rules(np.tile(s, (2, 1)), fold_of, y, hard, cfg, rules)
    assert [r["repeats"] for r in same] == [1, 2]
    assert same[0]["annotators_2"] == same[1]["annotators_2"] and same[0]["overall"] == same[1]["overall"]
    other = np.stack([s, s + rng.normal(0, 0.2, n)])
    one, pooled = compare_rules(other, fold_of, y, hard, cfg, rules[:2])
    assert one["overall"] != pooled["overall"]  # the second repeat's scores now count
