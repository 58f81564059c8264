"""The ``python -m training.*`` tools end on bad input with one ``error:`` line on stderr and exit status 2. Before,
``python -m training.ablation --config missing.toml`` (and sentiment, faithfulness, threshold; or a bad ``--cv``,
an ``--oof`` without the variant) printed a Python traceback."""

import numpy as np
import pytest
from conftest import SAMPLES

from training import ablation, faithfulness, sentiment, threshold


@pytest.mark.parametrize(
    ("main", "args"),
    [
        (ablation.main, ["--config", "{missing}", "-o", "{tmp}/out"]),
        (sentiment.main, ["--config", "{missing}", "-o", "{tmp}/out"]),
        (faithfulness.main, ["--config", "{missing}"]),
        (threshold.main, ["--config", "{missing}", "--oof", "{tmp}/oof.npz"]),
    ],
)
def test_a_missing_config_is_one_error_line(tmp_path, capsys, main, args):
    missing = tmp_path / "missing.toml"
    argv = [a.format(missing=missing, tmp=tmp_path) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == f"error: training config {missing} does not exist.\n"


def test_a_bad_cv_option_of_the_ablation_is_one_error_line(tmp_path, capsys):
    config = str(SAMPLES / "train_sample.toml")
    assert ablation.main(["--config", config, "-o", str(tmp_path / "out"), "--cv", "5"]) == 2
    assert capsys.readouterr().err.startswith("error: The '--cv' option must be REPEATSxFOLDS")


def test_a_missing_ablation_report_to_merge_is_named(tmp_path, capsys):
    assert ablation.main(["--config", "x", "-o", str(tmp_path / "o"), "--merge", str(tmp_path / "a.json")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'a.json'}: no such file\n"


def test_threshold_names_the_variants_an_oof_file_has(tmp_path, capsys):
    oof = tmp_path / "oof_scores.npz"
    np.savez(oof, config=np.zeros((1, 3)), **{"config.fold_of": np.zeros((1, 3), dtype=int)}, y=np.zeros(3),
             hard=np.zeros(3, dtype=bool))  # fmt: skip
    config = str(SAMPLES / "train_sample.toml")
    assert threshold.main(["--config", config, "--oof", str(oof), "--variant", "nb"]) == 2
    assert "with the variant 'nb' (--variant). Got the variants 'config'." in capsys.readouterr().err
    (tmp_path / "not.npz").write_text("not an archive", encoding="utf-8")
    assert threshold.main(["--config", config, "--oof", str(tmp_path / "not.npz")]) == 2
    assert f"error: --oof {tmp_path / 'not.npz'}: expected an oof_scores.npz" in capsys.readouterr().err
