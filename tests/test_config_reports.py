"""The files a training config names for the model card (cv_report, ablation_report, findings) are checked before
any work. Before, a missing findings file was found after the model was fitted ('error: .../nope.md: no such
file', the artifact directory half written, no report.md); a missing cv_report was named 'the cross_validation
report' (not the key) after fitting too; a cv_report that was not one ended in "KeyError: 'cv'" (exit 70)."""

import json

import pytest
from conftest import SAMPLES

from model import InvalidParameterError
from training.train import run_training


def _config(tmp_path, line: str):
    text = (SAMPLES / "train_sample.toml").read_text(encoding="utf-8")
    text = text.replace('path = "notes.jsonl"', f'path = "{(SAMPLES / "notes.jsonl").as_posix()}"')
    (tmp_path / "c.toml").write_text(line + "\n" + text, encoding="utf-8")
    return tmp_path / "c.toml"


@pytest.mark.parametrize(
    ("line", "content", "match"),
    [
        ('findings = "nope.md"', None, r"'findings' parameter of the training config .* names .*nope.md, which does "
         r"not exist"),
        ('cv_report = "nope.json"', None, r"'cv_report' parameter .*nope.json, which does not exist \(write it with "
         r"notecheck train --cv, or drop the key\)"),
        ('cv_report = "r.json"', '{"x": 1}', r"'cv_report' parameter .*r.json, which is not a report of notecheck "
         r"train --cv: no 'cv', 'target_source', 'target_fpr', 'summary', 'command'"),
        ('cv_report = "r.json"', "not json", r"'cv_report' parameter .*r.json, which is not JSON"),
        ('ablation_report = "r.json"', '{"cv": "1x5", "reference": "config", "command": "x", "rows": [{"key": "a"}]}',
         r"'ablation_report' parameter .* not a report of python -m training.ablation: its rows lack key"),
    ],
)  # fmt: skip
def test_a_missing_or_foreign_report_is_named_before_training(tmp_path, line, content, match):
    if content is not None:
        (tmp_path / "r.json").write_text(content, encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=match):
        run_training(_config(tmp_path, line), tmp_path / "out", ablation=False, progress=False)
    assert not (tmp_path / "out").exists()  # nothing written


def test_a_real_cv_report_goes_into_the_card(tmp_path):
    report = {"cv": {"repeats": 1, "folds": 3, "seed": 7}, "target_source": "sample", "target_fpr": 0.05,
              "summary": {}, "command": "notecheck train --cv 1x3"}  # fmt: skip
    (tmp_path / "r.json").write_text(json.dumps(report), encoding="utf-8")
    out = tmp_path / "out"
    run_training(_config(tmp_path, 'cv_report = "r.json"'), out, ablation=False, progress=False)
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert card["cross_validation"]["command"] == "notecheck train --cv 1x3"
