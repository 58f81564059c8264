"""`notecheck evaluate` warns when the evaluated notes overlap the model's training data (model/training_rows.py)."""

import json

import numpy as np
import pytest
from conftest import SAMPLES

from model import ModelLoadError
from model.training_rows import TRAINING_ROWS_FILE, load_training_rows, overlap_mask, row_hashes
from serve.cli import main

FRESH = [
    {"title": "周末去爬山", "text": "山顶的风好大，带的面包被吹跑了，下次记得带个背包。", "label": 0},
    {"title": "加v领券", "text": "全场五折，加vx：abc12345 领取优惠券，库存不多", "label": 1},
]


def test_keys_ignore_punctuation_digits_and_width():
    a = row_hashes([("标题", "今天去了公园！2次")])
    assert np.isin(row_hashes([("标题", "今天去了公园!!  3次")]), a).all()
    assert not overlap_mask(a, [("标题", "今天去了商场")]).any()


def test_evaluate_warns_with_the_overlap_count(sample_model_dir, tmp_path, capsys):
    card = json.loads((sample_model_dir / "model_card.json").read_text())
    assert card["training_rows"]["rows"] == card["split"]["train"]  # the sample notes are all distinct
    assert main(["evaluate", str(SAMPLES / "notes.jsonl"), "--model", str(sample_model_dir), "--json"]) == 0
    out, err = capsys.readouterr()
    overlap = json.loads(out)["training_overlap"]
    assert overlap == card["split"]["train"]
    assert f"warning: {overlap} of 120 evaluated notes were in this model's training data (notes.jsonl)" in err

    fresh = tmp_path / "fresh.jsonl"
    fresh.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in FRESH), encoding="utf-8")
    assert main(["evaluate", str(fresh), "--model", str(sample_model_dir)]) == 0
    out, err = capsys.readouterr()
    assert "overlap with the training data: 0 of 2 notes" in out and "warning" not in err


def test_held_out_only_measures_the_notes_training_never_saw(sample_model_dir, tmp_path, capsys):
    """An auditor's evaluate on the labelled file warned that 1,912 of 2,390 notes were training rows and then gave
    figures on them all, with no way to measure the others. --held-out-only measures the others alone: the same
    figures as evaluating a file of only those notes."""
    card = json.loads((sample_model_dir / "model_card.json").read_text())
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    hashes = load_training_rows(sample_model_dir, card)
    seen = overlap_mask(hashes, [(r.get("title"), r["text"]) for r in rows])
    unseen = [r for r, s in zip(rows, seen, strict=True) if not s]
    assert 0 < len(unseen) < len(rows)
    only = tmp_path / "unseen.jsonl"
    only.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in unseen), encoding="utf-8")
    assert main(["evaluate", str(only), "--model", str(sample_model_dir), "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)

    args = ["evaluate", str(SAMPLES / "notes.jsonl"), "--model", str(sample_model_dir), "--held-out-only"]
    assert main([*args, "--json"]) == 0
    out, err = capsys.readouterr()
    held = json.loads(out)
    assert held["held_out_only"] and held["training_overlap"] == len(rows) - len(unseen) == card["split"]["train"]
    assert {k: held[k] for k in ("n", "n_ad", "roc_auc", "f1", "false_positive_rate")} == {
        k: alone[k] for k in ("n", "n_ad", "roc_auc", "f1", "false_positive_rate")
    }
    assert "warning" not in err and f"left out {held['training_overlap']} of {len(rows)} notes" in err
    assert main(args) == 0
    assert f"held out: {len(unseen)} of {len(rows)} notes" in capsys.readouterr().out


def test_held_out_only_with_nothing_held_out_says_so(sample_model_dir, tmp_path, capsys):
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    card = json.loads((sample_model_dir / "model_card.json").read_text())
    seen = overlap_mask(load_training_rows(sample_model_dir, card), [(r.get("title"), r["text"]) for r in rows])
    trained = tmp_path / "trained.jsonl"
    trained.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r, s in zip(rows, seen, strict=True) if s),
        encoding="utf-8",
    )
    assert main(["evaluate", str(trained), "--model", str(sample_model_dir), "--held-out-only"]) == 2
    assert "none is held out to evaluate" in capsys.readouterr().err


def test_held_out_only_is_refused_for_the_sentiment_model(capsys):
    """The sentiment model keeps no training rows: the flag was ignored, its in-sample figures passing as held out."""
    dev = SAMPLES.parent / "benchmarks" / "data" / "xhs_comments_dev.jsonl"
    assert main(["evaluate", "--task", "sentiment", str(dev), "--held-out-only"]) == 2
    assert "sentiment model keeps none" in capsys.readouterr().err


def test_tampered_hashes_are_refused(sample_model_dir, tmp_path):
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(sample_model_dir, copy)
    np.save(copy / TRAINING_ROWS_FILE, np.zeros(3, dtype=np.uint64))
    card = json.loads((copy / "model_card.json").read_text())
    with pytest.raises(ModelLoadError, match="sha256 differs"):
        load_training_rows(copy, card)


def test_a_masked_corpus_evaluated_as_written_is_found(tmp_path, capsys):
    """The SMS corpus writes digits as x and training reads them un-masked: the model's hashes hold both forms, so
    evaluating the file as it is on disk warns about every training row of it, as for any other file."""
    from training.train import run_training

    masked = [f"满{'x' * (2 + i % 3)}减{'x' * (1 + i % 2)}，第{i}号店 {chr(0x4E00 + 40 * i)}{chr(0x4E10 + 40 * i)}"
              f"促销，电话xxxxxxxxxxx" for i in range(24)]  # fmt: skip
    sms = tmp_path / "sms.jsonl"
    sms.write_text(
        "".join(json.dumps({"text": t, "label": 1}, ensure_ascii=False) + "\n" for t in masked), encoding="utf-8"
    )
    config = (SAMPLES / "train_sample.toml").read_text(encoding="utf-8")
    config = config.replace('path = "notes.jsonl"', f"path = '{(SAMPLES / 'notes.jsonl').as_posix()}'")
    config += f'\n[[dataset]]\nname = "sms"\npath = \'{sms.as_posix()}\'\nlabel = "ad"\ndigit_mask = "x"\n'
    (tmp_path / "c.toml").write_text(config, encoding="utf-8")
    run_training(tmp_path / "c.toml", tmp_path / "m", progress=False, ablation=False)
    card = json.loads((tmp_path / "m" / "model_card.json").read_text())
    in_training = card["split"]["train_by_source"]["sms"]["ad"]
    assert 0 < in_training < len(masked)  # some rows went to the test split: the count must tell them apart
    assert card["training_rows"]["rows"] == card["split"]["train"]
    assert card["training_rows"]["hashes"] == card["split"]["train"] + in_training
    assert main(["evaluate", str(sms), "--model", str(tmp_path / "m"), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["training_overlap"] == in_training
    assert f"warning: {in_training} of {len(masked)} evaluated notes were in this model's training data" in err
