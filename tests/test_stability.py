"""``python -m training.stability``: how far each threshold rule moves between refits, measured by refitting as
``notecheck train`` does (tests/threshold_support.py has the data)."""

import json

import pytest
from conftest import SAMPLES

from tests.threshold_support import training_split, write_config
from training.fit import fit_with_config
from training.stability import main as stability_main
from training.stability import measure, perturbed, training_rows
from training.threshold import choose_threshold


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return write_config(tmp_path_factory.mktemp("stability"))


@pytest.fixture(scope="module")
def train(config):
    return training_rows(config)[0]


def test_the_tool_splits_as_training_does(config, train):
    assert [e.note.id for e in training_split(config)] == [e.note.id for e in train]


def test_perturbation_drops_only_other_corpora_rows(config, train):
    assert perturbed(train, config, 0, 0.1) is train  # run 0 is the shipped rows
    kept = perturbed(train, config, 1, 0.1)
    gone = [e for e in train if e not in kept]
    assert len(gone) == round(0.1 * sum(e.source == "news" for e in train)) > 0
    assert all(e.source == "news" for e in gone)
    assert [e.note.id for e in perturbed(train, config, 1, 0.1)] == [e.note.id for e in kept]  # seeded


@pytest.mark.parametrize("vary", ["folds", "drop"])
def test_stability_run_zero_is_what_training_chooses(config, train, vary):
    """Run 0 of the old rule refits as notecheck train does: the same threshold, so the spread is of that rule."""
    result = measure(config, vary=vary, runs=2, repeats=[1, 2], drop_share=0.1)
    fit = fit_with_config(
        train, config, choose_threshold=lambda p, y, hard, fpr: choose_threshold(p, y, hard, config, fpr)
    )
    first = [r for r in result["records"] if r["run"] == 0 and r["rule"] == "one split (old rule)"]
    assert first[0]["threshold"] == fit.model.threshold
    names = [s["rule"] for s in result["summary"]]
    assert names == ["one split (old rule)", "one split, 2000 resamples", "2 splits pooled", "2 splits averaged"]
    old = result["summary"][0]
    assert old["time_ratio"] == 1.0 and result["summary"][2]["time_ratio"] > 1.0  # a second split costs fits
    assert old["threshold"]["min"] <= old["threshold"]["mean"] <= old["threshold"]["max"]


def test_stability_command_writes_reports_and_refuses_bad_options(config, tmp_path, capsys):
    probe = SAMPLES / "notes.jsonl"
    args = ["--config", str(config.path), "-o", str(tmp_path / "s"), "--runs", "2", "--repeats", "1", "2"]
    assert stability_main([*args, "--notes", str(probe)]) == 0
    result = json.loads((tmp_path / "s" / "stability.json").read_text())
    assert {"vary", "runs", "summary", "records", "command"} <= set(result)
    assert "notes flagged ads / genuine" in (tmp_path / "s" / "stability.md").read_text()
    capsys.readouterr()
    assert stability_main([*args[:4], "--runs", "1"]) == 2
    assert "'--runs' option must be an int >= 2" in capsys.readouterr().err
    assert stability_main([*args[:4], "--repeats", "0"]) == 2
    assert "'--repeats' option must be ints in [1, 20]" in capsys.readouterr().err
