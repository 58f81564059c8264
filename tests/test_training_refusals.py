"""Training configs that trained something else than they said, or failed without naming the cause, found by a
new user's pass: each is refused now, naming the key and what came in, before any model is written."""

import json

import pytest
from conftest import SAMPLES

from serve.cli import main
from training import source_oof
from training import threshold as threshold_tool

NOTES = (SAMPLES / "notes.jsonl").as_posix()
HEAD = 'seed = 7\ntest_size = 0.25\ntarget_source = "sample"\ntarget_fpr = 0.05\nreview_fpr = 0.15\n[model]\nmin_df = 1\ncv_folds = 3\n'


def _config(tmp_path, body: str, top: str = "") -> str:
    path = tmp_path / "c.toml"
    path.write_text(top + HEAD + body, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("top", "body", "says"),
    [
        # feedback rows carry a person's label; with label = "genuine" every row was left out as "no label yet"
        ("", f'[[dataset]]\npath = "{NOTES}"\n[[dataset]]\nname = "fb"\npath = "{NOTES}"\nlabel = "genuine"\n'
         "feedback = true\n", "'dataset[1].label' parameter of the training config must be \"from_file\" for a feedback"),
        # every ad at weight 0: a model with test F1 0.000 was written, exit 0
        ("", f'[[dataset]]\nname = "g"\npath = "{NOTES}"\nkeep_label = "genuine"\n[[dataset]]\nname = "a"\n'
         f'path = "{NOTES}"\nkeep_label = "ad"\nweight = 0\n', "Got weight 0 for every one of the"),
        # a group with a misspelt member was computed on the rest; one of unknown ones was empty
        ("", f'[[dataset]]\npath = "{NOTES}"\n[groups]\nwechat = ["sample", "nosuch"]\n',
         "'groups.wechat' parameter of the training config must name sources of the data. Got 'nosuch'"),
        # every dataset role = "eval": "the training notes' sources are ."
        ("", f'[[dataset]]\npath = "{NOTES}"\nrole = "eval"\n', 'has no training notes: every dataset is role = "eval"'),
    ],
)  # fmt: skip
def test_a_config_that_would_train_something_else_is_refused(tmp_path, capsys, top, body, says):
    out = tmp_path / "out"
    assert main(["train", "--config", _config(tmp_path, body, top), "-o", str(out), "--quiet", "--no-ablation"]) == 2
    assert says in capsys.readouterr().err
    assert not (out / "model.npz").exists()


def test_a_cv_report_of_another_config_is_not_stated(tmp_path, capsys):
    """A model of target source "sample" at FPR 0.05 got a card stating the shipped model's figures on `xhs`; then
    such a report stopped the run, so `--target-fpr` could not be used with a config naming its report. Now the
    model is trained and its card states no cross-validation, saying why."""
    report = tmp_path / "cv_report.json"
    report.write_text(json.dumps({"cv": {}, "target_source": "xhs", "target_fpr": 0.02, "summary": {}, "command": "x"}))
    config = _config(tmp_path, f'[[dataset]]\npath = "{NOTES}"\n', f'cv_report = "{report.as_posix()}"\n')
    out = tmp_path / "out"
    assert main(["train", "--config", config, "-o", str(out), "--quiet", "--no-ablation"]) == 0
    assert "a report of another config: it measured target_source 'xhs' at target_fpr 0.02" in capsys.readouterr().err
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert "cross_validation" not in card and "target_source 'xhs'" in card["cross_validation_omitted"]


def test_a_directory_as_a_dataset_path_is_named(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    config = _config(tmp_path, '[[dataset]]\nname = "d"\npath = "data"\n')
    assert main(["train", "--config", config, "-o", str(tmp_path / "out"), "--quiet"]) == 2
    assert "dataset 'd': path 'data' names a directory" in capsys.readouterr().err


@pytest.mark.parametrize(("fpr", "says"), [("1.5", "--target-fpr must be a float in (0, 1). Got 1.5."),
                                           ("0.2", "(target_fpr is 0.2, from --target-fpr)")])  # fmt: skip
def test_target_fpr_errors_name_the_option(tmp_path, capsys, fpr, says):
    config = _config(tmp_path, f'[[dataset]]\npath = "{NOTES}"\n')
    assert main(["train", "--config", config, "-o", str(tmp_path / "out"), "--target-fpr", fpr, "--quiet"]) == 2
    assert says in capsys.readouterr().err


def test_cross_validation_of_one_class_is_refused(tmp_path, capsys):
    """--cv on a target source of genuine notes only gave nan for every figure, exit 0."""
    config = _config(tmp_path, f'[[dataset]]\npath = "{NOTES}"\nkeep_label = "genuine"\n[[dataset]]\nname = "a"\n'
                     f'path = "{NOTES}"\nkeep_label = "ad"\nsource = "other"\n')  # fmt: skip
    assert main(["train", "--config", config, "-o", str(tmp_path / "cv"), "--cv", "1x3", "--quiet"]) == 2
    assert "needs both ads and genuine notes of target source 'sample'" in capsys.readouterr().err


def test_source_oof_refuses_more_folds_than_target_notes(tmp_path, capsys):
    config = _config(tmp_path, f'[[dataset]]\npath = "{NOTES}"\n')
    assert source_oof.main(["--config", config, "-o", str(tmp_path / "o"), "--folds", "200"]) == 2
    assert "--folds 200 needs at least 200 notes of target source 'sample'" in capsys.readouterr().err


def test_the_threshold_tool_reads_a_cv_run_with_its_own_folds(tmp_path, capsys):
    """`--oof cv_oof.npz` listed the file's arrays as "variants"; with --variant scores it re-dealt 5 folds of its
    own and reported the point rule at F1 0.949 where the run's report said 0.867."""
    config = _config(tmp_path, f'[[dataset]]\npath = "{NOTES}"\n')
    assert main(["train", "--config", config, "-o", str(tmp_path / "cv"), "--cv", "1x3", "--quiet"]) == 0
    capsys.readouterr()
    assert threshold_tool.main(["--config", config, "--oof", str(tmp_path / "cv" / "cv_oof.npz")]) == 0
    rows = json.loads((tmp_path / "cv" / "cv_oof.npz.rules.json").read_text())
    report = json.loads((tmp_path / "cv" / "cv_report.json").read_text())["summary"]["overall"]
    point = next(r for r in rows if r["rule"] == "point")
    assert point["overall"]["fpr"] == pytest.approx(report["fpr"]["mean"])  # the config's rule is point
    assert point["overall"]["f1"] == pytest.approx(report["f1"]["mean"])


@pytest.mark.parametrize(("key", "value"), [("stack_folds", "5"), ("part_C", "[1.0, 2.0, 3.0]"), ("cue_part", "true")])
def test_a_stacking_key_without_stacking_is_refused(tmp_path, key, value):
    """With model_kind = "lr" these keys gave a byte-identical model.npz, exit 0."""
    from model.errors import InvalidParameterError
    from training.config import load_config

    path = _config(tmp_path, f'[[dataset]]\npath = "{NOTES}"\n')
    text = (
        (tmp_path / "c.toml").read_text(encoding="utf-8").replace("cv_folds = 3\n", f"cv_folds = 3\n{key} = {value}\n")
    )
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=rf"'model\.{key}' parameter .* unless model_kind = \"stack\""):
        load_config(path)
    (tmp_path / "c.toml").write_text(text.replace("[model]\n", '[model]\nmodel_kind = "stack"\n'), encoding="utf-8")
    assert load_config(path).model.model_kind == "stack"
