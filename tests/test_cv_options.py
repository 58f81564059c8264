"""Options of ``notecheck train --cv``: ``--target-fpr`` overrides the config's target false-positive rate there
too. Before, it was read by plain training only; with ``--cv`` the config's rate was used without a word."""

import json

from conftest import SAMPLES

from serve.cli import main


def test_target_fpr_option_sets_the_cross_validation_rate(tmp_path, capsys):
    out = tmp_path / "cv"
    config = str(SAMPLES / "train_sample.toml")  # target_fpr = 0.05, review_fpr = 0.15
    assert main(["train", "--config", config, "-o", str(out), "--quiet", "--cv", "1x3", "--target-fpr", "0.1"]) == 0
    assert json.loads((out / "cv_report.json").read_text(encoding="utf-8"))["target_fpr"] == 0.1
    assert "| recall at 10% FPR |" in (out / "cv_report.md").read_text(encoding="utf-8")
    assert "| recall at 10% FPR |" in capsys.readouterr().out


def test_an_out_of_range_target_fpr_option_is_refused_with_cv(tmp_path, capsys):
    config = str(SAMPLES / "train_sample.toml")
    assert main(["train", "--config", config, "-o", str(tmp_path / "cv"), "--cv", "1x3", "--target-fpr", "2"]) == 2
    # the option the user typed, not a config key the config never held at 2.0
    assert "error: --target-fpr must be a float in (0, 1). Got 2.0." in capsys.readouterr().err


def test_a_target_fpr_above_the_review_fpr_says_what_target_fpr_is(tmp_path, capsys):
    config = str(SAMPLES / "train_sample.toml")
    assert main(["train", "--config", config, "-o", str(tmp_path / "cv"), "--cv", "1x3", "--target-fpr", "0.2"]) == 2
    err = capsys.readouterr().err
    assert (
        "'review_fpr' parameter of the training config must be a float in [target_fpr, 1) (target_fpr is 0.2, from "
        "--target-fpr)" in err
    )
