"""The repeated cross-validation protocol (training/cv.py) and the operating-threshold rules, on the sample data."""

import json

import numpy as np
import pytest
from conftest import SAMPLES, sample_config_with_news

from model import InvalidParameterError
from serve.cli import main
from training.config import load_config
from training.cv import average_precision, parse_cv, protocol_folds, roc_auc, run_protocol
from training.folds import near_duplicate_groups
from training.models import make_scorer
from training.threshold import bootstrap_threshold, threshold_rule, weighted_threshold

OTHER = [
    f"本市今日召开{topic}会议，讨论道路建设与公共交通规划。"
    for topic in ("春季", "夏季", "秋季", "冬季", "年度", "季度", "专项", "紧急", "常务", "扩大", "联席", "工作")
]


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    """The sample archive plus near-duplicates of one note (same title) and a second corpus of other notes."""
    d = tmp_path_factory.mktemp("cvdata")
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    base = rows[0]
    for i, word in enumerate("甲乙丙"):
        rows.append({**base, "id": f"dup{i}", "text": f"{base['text']} 补充{word}：第二天又做了一次，更好吃"})
    for i, r in enumerate(rows):
        r["annotators"] = 2 if i % 3 == 0 else 1
    (d / "notes.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return load_config(sample_config_with_news(d, d / "notes.jsonl", OTHER, weight=0.5))


@pytest.fixture(scope="module")
def examples(config):
    from training.cv import load_protocol_data

    return load_protocol_data(config)


def test_folds_keep_groups_together_and_other_corpora_out_of_validation(examples):
    groups = near_duplicate_groups([e.note for e in examples])
    dup_rows = [i for i, e in enumerate(examples) if (e.note.id or "").startswith("dup")]
    assert len(dup_rows) == 3 and len({groups[i] for i in dup_rows}) == 1
    target = {i for i, e in enumerate(examples) if e.source == "sample"}
    others = set(range(len(examples))) - target
    assert len(others) == len(OTHER)
    folds = protocol_folds(examples, target_source="sample", n_splits=3, seed=1)
    validated = np.concatenate([va for _, va in folds])
    assert sorted(validated.tolist()) == sorted(target)  # every target note validated exactly once
    for tr, va in folds:
        assert not set(va.tolist()) & others and others <= set(tr.tolist())
        assert not set(tr.tolist()) & set(va.tolist())
        val_groups = {groups[i] for i in va}
        assert not any(groups[i] in val_groups for i in tr)  # a near-duplicate group never straddles a fold


def test_protocol_is_deterministic_and_repeats_differ(config, examples):
    scorer = make_scorer(examples, config.model, seed=config.seed, target_source="sample")
    kw = dict(target_source="sample", repeats=2, n_splits=3, seed=config.seed, choose_threshold=threshold_rule(config))
    a = run_protocol(examples, scorer, **kw)
    b = run_protocol(examples, scorer, **kw)
    assert np.array_equal(a.scores, b.scores) and np.array_equal(a.flagged, b.flagged)
    assert not np.array_equal(a.fold_of[0], a.fold_of[1])  # each repeat is a fresh split
    assert a.hard.sum() == sum(1 for e in examples if e.source == "sample" and e.note.extra.get("annotators") == 2)


def test_protocol_pools_repeats_for_the_threshold_as_training_does(config, examples):
    """With threshold_repeats R, fold k of repeat r is thresholded on the scores of repeats r .. r+R-1 (wrapping) of
    the notes outside fold k of repeat r: the shipped rule, never the fold's own notes."""
    scorer = make_scorer(examples, config.model, seed=config.seed, target_source="sample")
    seen: list[np.ndarray] = []
    rule = threshold_rule(config)

    def recording(scores, y, hard):
        seen.append(np.array(scores))
        return rule(scores, y, hard)

    kw = dict(target_source="sample", repeats=3, n_splits=3, seed=config.seed, choose_threshold=recording)
    run = run_protocol(examples, scorer, threshold_repeats=2, **kw)
    assert len(seen) == 9 and all(s.ndim == 2 and s.shape[0] == 2 for s in seen)
    for r in range(3):
        for k in range(3):
            rest = run.fold_of[r] != k
            s = seen[3 * r + k]
            assert np.array_equal(s[0], run.scores[r, rest]) and np.array_equal(s[1], run.scores[(r + 1) % 3, rest])
            assert run.thresholds[r, k] == rule(s, run.y[rest], run.hard[rest])
            mine = ~rest
            assert np.array_equal(run.flagged[r, mine], run.scores[r, mine] >= run.thresholds[r, k])
    seen.clear()
    one = run_protocol(examples, scorer, **kw)  # one repeat's scores, 1-D, as before
    assert all(s.ndim == 1 for s in seen) and np.array_equal(one.scores, run.scores)
    seen.clear()
    run_protocol(examples, scorer, threshold_repeats=5, **kw)  # more than the run has: all of its repeats
    assert all(s.shape[0] == 3 for s in seen)


def test_cv_command_writes_reports(config, tmp_path, capsys):
    assert main(["train", "--config", str(config.path), "-o", str(tmp_path), "--cv", "2x3", "--quiet"]) == 0
    result = json.loads((tmp_path / "cv_report.json").read_text())
    assert result["cv"] == {"repeats": 2, "folds": 3, "seed": config.seed}
    assert result["threshold_repeats"] == min(config.threshold_repeats, 2)
    for pool in ("overall", "annotators_2"):
        auc = result["summary"][pool]["roc_auc"]
        assert 0.5 < auc["mean"] <= 1 and auc["low"] <= auc["mean"] <= auc["high"]
    assert "annotators: 2" in (tmp_path / "cv_report.md").read_text() and "ROC AUC" in capsys.readouterr().out
    from training.cv import cv_markdown

    assert "2 repeats x 3 grouped" in (tmp_path / "cv_report.md").read_text()
    assert "1 repeat x 3 grouped" in cv_markdown({**result, "cv": {**result["cv"], "repeats": 1}})  # not "1 repeats"
    assert "of 2 repeats pooled" in cv_markdown({**result, "threshold_repeats": 2})
    assert "pooled" not in cv_markdown({**result, "threshold_repeats": 1})
    # the notes naming a brand or product are a pool of their own, counted as the cues read them
    from training.cv import load_protocol_data, names_brand

    target = [e for e in load_protocol_data(config) if e.source == "sample"]
    named = [e for e in target if names_brand(e.note)]
    brand = result["summary"]["names_brand"]
    assert 0 < brand["n"] == len(named) < len(target) and brand["ads"] == sum(e.label for e in named)
    assert "naming a brand or product" in (tmp_path / "cv_report.md").read_text()
    oof = np.load(tmp_path / "cv_oof.npz")
    assert int(oof["brand"].sum()) == len(named)


@pytest.mark.parametrize(
    ("title", "text", "named"),
    [
        ("", "用了雅诗兰黛的小棕瓶", True),
        ("新买的tt350闪光灯", "", True),
        ("", "#完美日记二周年[话题]# 好看", True),
        ("周末爬山", "#周末去哪儿[话题]# 山顶风景很好", False),
        ("", "今天和朋友去爬山，下山吃了碗面", False),
    ],
)
def test_names_brand_reads_the_brand_cues(title, text, named):
    from model.notes import parse_note
    from training.cv import names_brand

    assert names_brand(parse_note({"title": title, "text": text})) is named


@pytest.mark.parametrize("spec", ["5", "0x5", "5x1", "ax5"])
def test_parse_cv_rejects_bad_specs(spec):
    with pytest.raises(InvalidParameterError, match="REPEATSxFOLDS"):
        parse_cv(spec)


def test_metrics_match_scikit_learn():
    from sklearn.metrics import average_precision_score, roc_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.normal(y, 1.0), 1)  # with ties
    assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s))
    assert average_precision(y, s) == pytest.approx(average_precision_score(y, s))


def test_weighted_threshold_and_bootstrap_bound():
    s = np.linspace(0, 1, 101)
    t = weighted_threshold(s, np.ones(101), 0.05)
    assert np.mean(s >= t) <= 0.05 and np.mean(s >= s[s < t].max()) > 0.05
    hard = np.arange(101) % 2 == 0
    # All the weight on the hard pool: only its scores count.
    w = np.where(hard, 1.0, 0.0)
    t_hard = weighted_threshold(s, w, 0.1)
    assert np.sum(w * (s >= t_hard)) / w.sum() <= 0.1
    point = weighted_threshold(s, np.ones(101), 0.05)
    upper = bootstrap_threshold(s, hard, fpr=0.05, share=0.5, quantile=0.9, n_boot=200, seed=0)
    assert upper > point  # an upper confidence bound on the FPR is a stricter threshold than the point estimate


def test_training_states_the_threshold_rule_and_expected_fpr(config, tmp_path):
    """Asking the bootstrap rule for more confidence makes the threshold stricter, and the card says which rule
    and which confidence chose it. (Against the point rule no order is certain on a small sample: the weighting
    moves the threshold either way, depending on how the notes marked hard score.)"""
    from dataclasses import replace

    from training.train import run_training

    median = replace(config, threshold_rule="bootstrap", hard_pool_share=0.75, threshold_quantile=0.5)
    strict = replace(config, threshold_rule="bootstrap", hard_pool_share=0.75, threshold_quantile=0.9)
    run_training(median, tmp_path / "point", progress=False, ablation=False)
    run_training(strict, tmp_path / "strict", progress=False, ablation=False)
    a = json.loads((tmp_path / "point" / "model_card.json").read_text())
    b = json.loads((tmp_path / "strict" / "model_card.json").read_text())
    assert b["threshold"] >= a["threshold"]
    assert b["threshold_rule"] == {
        "rule": "bootstrap",
        "hard_pool_share": 0.75,
        "quantile": 0.9,
        "bootstrap_resamples": 500,
    }
    exp = b["expected_fpr"]
    assert (
        exp["genuine_notes"]["annotators_2"] > 0
        and exp["weighted"]["low"] <= exp["weighted"]["fpr"] <= exp["weighted"]["high"]
    )
    assert "Expected FPR on new genuine notes" in (tmp_path / "strict" / "model_card.md").read_text()
