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


def test_a_real_cv_report_goes_into_the_card(tmp_path, capsys):
    from training.cv import run_cv

    config = _config(tmp_path, 'cv_report = "cv/cv_report.json"')
    run_cv(config, tmp_path / "cv", cv="1x3", command="notecheck train --cv 1x3", progress=False, n_boot=20)
    out = tmp_path / "out"
    run_training(config, out, ablation=False, progress=False)
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert card["cross_validation"]["command"] == "notecheck train --cv 1x3"
    assert "cross_validation_omitted" not in card and "note:" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "why"),
    [
        # C = 3 where the report measured the file's C: a retrain of another config stated the shipped figures
        (("C = 4.0", "C = 3.0"), "another config, other data or another version of the code"),
        # a report written before reports recorded their key
        (None, "a config it does not name"),
    ],
)
def test_a_cv_report_of_another_config_is_not_stated_as_the_models(tmp_path, capsys, change, why):
    from training.cv import run_cv

    config = _config(tmp_path, 'cv_report = "cv/cv_report.json"')
    run_cv(config, tmp_path / "cv", cv="1x3", command="x", progress=False, n_boot=20)
    if change is None:
        report = json.loads((tmp_path / "cv" / "cv_report.json").read_text(encoding="utf-8"))
        del report["protocol_key"]
        (tmp_path / "cv" / "cv_report.json").write_text(json.dumps(report), encoding="utf-8")
    else:
        text = config.read_text(encoding="utf-8")
        assert change[0] in text
        config.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    out = tmp_path / "out"
    run_training(config, out, ablation=False, progress=False)  # trains: the card says it states no figures
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert "cross_validation" not in card and why in card["cross_validation_omitted"]
    assert f"None stated: cv_report.json is a report of {why}" in (out / "model_card.md").read_text(encoding="utf-8")
    assert "the model card states no cross-validation" in capsys.readouterr().err


def test_a_target_fpr_override_trains_and_says_how_to_measure_it(tmp_path, capsys):
    """`--target-fpr` with a config naming its own report stopped the run; then the note's command left the option
    out, so following it measured the file's rate again."""
    from training.cv import run_cv

    config = _config(tmp_path, 'cv_report = "cv/cv_report.json"')
    run_cv(config, tmp_path / "cv", cv="1x3", command="x", progress=False, n_boot=20)
    run_training(config, tmp_path / "out", ablation=False, progress=False, target_fpr=0.1)
    err = capsys.readouterr().err
    assert "it measured target_source 'sample' at target_fpr 0.05" in err and "--target-fpr 0.1 --cv 5x5" in err
    card = (tmp_path / "out" / "model_card.md").read_text(encoding="utf-8")
    assert "the cross-validation section gives their intervals" not in card
