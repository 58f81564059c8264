"""``--skip-bad-rows`` in training: every row left out is listed on stderr with a count, and the cross-validation
report records them. Before, ``notecheck train --skip-bad-rows`` said nothing on stderr (the rows were only in
model_card.json) and ``notecheck train --cv ... --skip-bad-rows`` dropped them without a trace anywhere."""

import json

import pytest
from conftest import SAMPLES

from serve.cli import main

BAD = ['{"text": "坏行", "label": 2}', "not json", '{"label": 1}']


@pytest.fixture
def config(tmp_path):
    lines = (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()
    lines[3:3] = BAD  # lines 4, 5 and 6 of the file
    (tmp_path / "notes.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = (SAMPLES / "train_sample.toml").read_text(encoding="utf-8")
    (tmp_path / "train.toml").write_text(text, encoding="utf-8")
    return tmp_path / "train.toml"


def _check_stderr(err: str, path) -> None:
    assert f"skipped: {path}, line 4: field 'label' must be 1/0" in err
    assert f"skipped: {path}, line 5: invalid JSON" in err
    assert f"skipped: {path}, line 6: field 'text' is required" in err
    assert "warning: dataset 'sample': 3 bad rows of 123 skipped (--skip-bad-rows)" in err


def test_training_lists_skipped_rows_on_stderr(config, tmp_path, capsys):
    out = tmp_path / "model"
    assert main(["train", "--config", str(config), "-o", str(out), "--quiet", "--no-ablation", "--skip-bad-rows"]) == 0
    _check_stderr(capsys.readouterr().err, tmp_path / "notes.jsonl")
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert len(card["data"][0]["skipped"]) == 3


def test_cross_validation_lists_and_records_skipped_rows(config, tmp_path, capsys):
    out = tmp_path / "cv"
    args = ["train", "--config", str(config), "-o", str(out), "--quiet", "--cv", "1x3", "--skip-bad-rows"]
    assert main(args) == 0
    _check_stderr(capsys.readouterr().err, tmp_path / "notes.jsonl")
    report = json.loads((out / "cv_report.json").read_text(encoding="utf-8"))
    assert [line.split(": ", 1)[0] for line in report["skipped_rows"]] == [
        f"{tmp_path / 'notes.jsonl'}, line {n}" for n in (4, 5, 6)
    ]
    assert "3 bad rows were skipped (--skip-bad-rows" in (out / "cv_report.md").read_text(encoding="utf-8")


def test_without_the_option_the_first_bad_row_stops_training(config, tmp_path, capsys):
    assert main(["train", "--config", str(config), "-o", str(tmp_path / "m"), "--quiet", "--no-ablation"]) == 2
    assert "line 4: field 'label' must be 1/0" in capsys.readouterr().err
