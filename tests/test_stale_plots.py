"""Retraining into a directory removes the plots of the earlier run that this run does not draw. Before, a test
split with a single class (no ROC, precision-recall or reliability curve) left the earlier model's roc.png,
precision_recall.png and reliability.png in place, and the notebook (report_plots) showed them as this model's."""

import json

from conftest import SAMPLES

from training.notebook_helpers import report_plots
from training.train import run_training


def test_plots_the_run_does_not_draw_are_removed(tmp_path):
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    few_ads = [r for r in rows if r["label"] in (0, "genuine")] + [r for r in rows if r["label"] in (1, "ad")][:3]
    (tmp_path / "notes.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in few_ads), "utf-8")
    (tmp_path / "c.toml").write_text((SAMPLES / "train_sample.toml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "model"
    out.mkdir()
    for name in ("roc.png", "precision_recall.png", "reliability.png", "notes.txt"):
        (out / name).write_bytes(b"an earlier run's file")
    metrics = run_training(tmp_path / "c.toml", out, ablation=False, progress=False)
    assert metrics["test"]["n_ad"] == 0  # three ads are too few to split: all in training
    assert [p.name for p in report_plots(out)] == ["confusion_matrix.png", "fpr_by_source.png"]
    assert (out / "notes.txt").read_bytes() == b"an earlier run's file"  # not a plot: left alone
