import json

import numpy as np
import pytest
from conftest import ROOT, SAMPLES

from model import InvalidParameterError, load_model
from model.evaluation import expected_calibration_error
from training.config import load_config
from training.data import deduplicate, load_all, near_duplicate_groups, split_train_test
from training.fit import threshold_at_fpr
from training.train import run_training


def test_sample_training_writes_full_artifact(sample_model_dir):
    names = {p.name for p in sample_model_dir.iterdir()}
    assert {"model.npz", "pipeline.json", "model_card.json", "model_card.md", "metrics.json", "report.md"} <= names
    assert {"roc.png", "precision_recall.png", "reliability.png", "confusion_matrix.png", "fpr_by_source.png"} <= names
    card = json.loads((sample_model_dir / "model_card.json").read_text())
    assert card["data"][0]["files"][0]["sha256"] and card["data"][0]["rows"] == 120
    assert card["tokenizer"]["backend"] == "rjieba" and card["library_versions"]["scikit-learn"]
    metrics = json.loads((sample_model_dir / "metrics.json").read_text())
    assert metrics["test"]["n"] + card["split"]["train"] == card["data"][0]["used"] - card["split"]["duplicates"]
    assert metrics["ablation"][0]["variant"] == "full model"
    assert "Feature-group ablation" in (sample_model_dir / "report.md").read_text()


def test_retraining_is_reproducible(sample_model_dir, tmp_path):
    again = run_training(SAMPLES / "train_sample.toml", tmp_path, progress=False, ablation=False)
    first = json.loads((sample_model_dir / "metrics.json").read_text())
    assert again["test"] == first["test"] and again["validation"] == first["validation"]
    a = json.loads((sample_model_dir / "model_card.json").read_text())["files"]
    b = json.loads((tmp_path / "model_card.json").read_text())["files"]
    assert a == b  # byte-identical model files


def test_threshold_at_fpr():
    p = np.linspace(0, 1, 101)
    t = threshold_at_fpr(p, 0.02)
    assert np.mean(p >= t) <= 0.02 and np.mean(p >= np.nextafter(t, 0) - 0.01) > 0.02


def test_ece_is_zero_when_calibrated_and_large_when_not():
    y = np.array([0] * 50 + [1] * 50)
    assert expected_calibration_error(y, np.where(y == 1, 1.0, 0.0)) == 0
    assert expected_calibration_error(y, np.full(100, 0.9)) == pytest.approx(0.4)


def test_split_is_grouped_stratified_and_seeded():
    cfg = load_config(SAMPLES / "train_sample.toml")
    ex, _ = load_all(cfg)
    ex, _, _ = deduplicate(ex, "normalized")
    tr1, te1 = split_train_test(ex, test_size=0.25, seed=1)
    _, te2 = split_train_test(ex, test_size=0.25, seed=1)
    assert np.array_equal(te1, te2) and len(set(tr1) & set(te1)) == 0 and len(tr1) + len(te1) == len(ex)
    labels = np.array([e.label for e in ex])
    assert 0.2 < labels[te1].mean() / labels.mean() < 2.0
    groups = near_duplicate_groups([e.note for e in ex])
    assert not set(groups[tr1]) & set(groups[te1])


def test_near_duplicates_grouped():
    from model import Note

    notes = [Note(text="完全一样的开头用来测试近似重复的笔记内容，而且这一段也完全相同，后面不一样A"),
             Note(text="完全一样的开头用来测试近似重复的笔记内容，而且这一段也完全相同，后面不同B"),
             Note(text="另一条完全无关的笔记内容，没有任何重复的地方哦")]  # fmt: skip
    g = near_duplicate_groups(notes)
    assert g[0] == g[1] != g[2]


@pytest.mark.parametrize(
    ("snippet", "match"),
    [
        ("target_fpr = 2\n", "'target_fpr' parameter of the training config must be a float in \\(0, 1\\). Got 2"),
        ("[model]\nC = 0\n", "'model.C' parameter .* must be a float > 0. Got 0"),
        ("[model]\nbogus = 1\n", "'model' parameter .* Got \\['bogus'\\]"),
    ],
)
def test_config_errors(tmp_path, snippet, match):
    (tmp_path / "n.jsonl").write_text('{"text": "x", "label": 1}\n')
    (tmp_path / "c.toml").write_text(snippet + '[[dataset]]\npath = "n.jsonl"\n'
                                     if not snippet.startswith("[model]") else
                                     '[[dataset]]\npath = "n.jsonl"\n' + snippet)  # fmt: skip
    with pytest.raises(InvalidParameterError, match=match):
        load_config(tmp_path / "c.toml")


def test_config_missing_data(tmp_path):
    (tmp_path / "c.toml").write_text('[[dataset]]\npath = "nothing-*.jsonl"\n')
    with pytest.raises(InvalidParameterError, match="no file matches 'nothing-\\*.jsonl'"):
        load_config(tmp_path / "c.toml")


@pytest.mark.slow
def test_training_on_shared_data(shared_data, tmp_path):
    """The shipped config trains end to end on the real data and reaches sane quality on held-out rows."""
    metrics = run_training(ROOT / "model" / "default" / "train.toml", tmp_path, progress=False, ablation=False)
    xhs = metrics["test"]["per_source"]["xhs"]
    assert xhs["roc_auc"] > 0.75
    assert metrics["test"]["per_source"]["sms_promo"]["recall"] > 0.9
    shipped = json.loads((ROOT / "model" / "default" / "metrics.json").read_text())
    assert metrics["test"] == shipped["test"], "retraining from the same data and config reproduces the shipped metrics"
    assert load_model(tmp_path).predict_proba(["加vx领券"]).shape == (1,)
