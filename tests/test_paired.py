"""training.paired: two ablation runs of different checkouts compared note by note."""

import numpy as np
import pytest

from training.paired import compare, load_run, main


def _write(path, scores, *, fold_of=None):
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 20)
    hard = np.arange(80) % 3 == 0
    folds = rng.integers(0, 5, size=(1, 80)) if fold_of is None else fold_of
    np.savez_compressed(path, config=scores[None, :], **{"config.fold_of": folds}, y=y, hard=hard)
    return y


def test_a_run_that_ranks_the_ads_higher_has_a_positive_paired_difference(tmp_path):
    rng = np.random.default_rng(1)
    noise = rng.normal(size=80)
    _write(tmp_path / "before.npz", noise)
    _write(tmp_path / "after.npz", noise + 1.5 * np.array([0] * 60 + [1] * 20))
    table = compare(load_run(tmp_path / "before.npz", "config"), load_run(tmp_path / "after.npz", "config"))
    ap_row = next(line for line in table.splitlines() if line.startswith("| overall | average_precision"))
    before, after, delta = ap_row.split("|")[3:6]
    assert float(after) > float(before) and float(delta.split()[0]) > 0
    same = compare(load_run(tmp_path / "before.npz", "config"), load_run(tmp_path / "before.npz", "config"))
    assert "+0.000 [+0.000, +0.000]" in same


def test_runs_on_other_folds_are_refused(tmp_path):
    _write(tmp_path / "a.npz", np.zeros(80), fold_of=np.zeros((1, 80), dtype=int))
    _write(tmp_path / "b.npz", np.zeros(80), fold_of=np.ones((1, 80), dtype=int))
    with pytest.raises(ValueError, match="notes or folds"):
        compare(load_run(tmp_path / "a.npz", "config"), load_run(tmp_path / "b.npz", "config"))


def test_an_unknown_variant_is_named_with_the_ones_there(tmp_path, capsys):
    _write(tmp_path / "a.npz", np.zeros(80))
    assert main(["--before", str(tmp_path / "a.npz"), "--after", str(tmp_path / "a.npz"), "--variant", "nb"]) == 1
    err = capsys.readouterr().err
    assert "no variant 'nb'" in err and "config" in err


def test_a_file_without_the_run_arrays_is_named(tmp_path, capsys):
    np.savez_compressed(tmp_path / "a.npz", config=np.zeros((1, 80)))
    assert main(["--before", str(tmp_path / "a.npz"), "--after", str(tmp_path / "a.npz")]) == 1
    err = capsys.readouterr().err
    assert "a.npz: expected an ablation run" in err and "missing y, hard, config.fold_of" in err
