"""python -m training.paired on odd input. Before: --target-fpr 2 was taken (F1 "at 200% FPR"), and a file that is
not an npz archive gave numpy's 'This file contains pickled (object) data ...' without naming the file, and a
single .npy array an AttributeError traceback."""

import numpy as np
import pytest

from training.paired import main


@pytest.mark.parametrize("fpr", ["2", "0", "x"])
def test_a_target_fpr_outside_0_1_is_refused(tmp_path, capsys, fpr):
    with pytest.raises(SystemExit) as exit_:
        main(["--before", "a.npz", "--after", "b.npz", "--target-fpr", fpr])
    assert exit_.value.code == 2
    assert "argument --target-fpr: must be a number in (0, 1), e.g. 0.02." in capsys.readouterr().err


def test_a_file_that_is_not_an_npz_archive_is_named(tmp_path, capsys):
    text, array = tmp_path / "train.toml", tmp_path / "rows.npy"
    text.write_text("seed = 1\n", encoding="utf-8")
    np.save(array, np.zeros(3))
    assert main(["--before", str(text), "--after", str(text)]) == 1
    assert capsys.readouterr().err.startswith(f"error: {text}: not an oof_scores.npz of python -m training.ablation")
    assert main(["--before", str(array), "--after", str(array)]) == 1
    assert f"error: {array}: not an oof_scores.npz" in capsys.readouterr().err
