"""The ablation tables name the target FPR the F1 figures were measured at. Before, ``ablation.md`` and the
model card's protocol-ablation section always said "F1 @ 2% FPR", also for a config with another ``target_fpr``
(the sample config's 5%), whose F1 figures ``python -m training.ablation`` measured at 5%."""

import json

import pytest
from conftest import SAMPLES

from training import ablation
from training.report import protocol_lines


def test_the_ablation_report_states_the_configs_target_fpr(tmp_path, capsys):
    out = tmp_path / "abl"
    config = str(SAMPLES / "train_sample.toml")  # target_fpr = 0.05
    assert ablation.main(["--config", config, "-o", str(out), "--cv", "1x3", "--variants", "config", "C1"]) == 0
    assert json.loads((out / "ablation.json").read_text(encoding="utf-8"))["target_fpr"] == 0.05
    table = (out / "ablation.md").read_text(encoding="utf-8")
    assert "| F1 @ 5% FPR (all) |" in table and "| ΔF1 @ 5% FPR (a: 2) |" in table
    assert "2% FPR" not in table and "2% FPR" not in capsys.readouterr().out


def _report(path, fpr):
    row = {"key": "config", "variant": "the config as written", "summary": {}, "delta": {}}
    data = {"config": "c.toml", "command": "x", "cv": "1x3", "reference": "config", "rows": [row]}
    if fpr is not None:
        data["target_fpr"] = fpr
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_merging_reports_at_different_target_fprs_is_refused(tmp_path, capsys):
    a, b = _report(tmp_path / "a.json", 0.05), _report(tmp_path / "b.json", None)  # None: older report, 2%
    assert ablation.main(["--config", "x", "-o", str(tmp_path / "m"), "--merge", a, b]) == 2
    assert "measured at different target FPRs (0.05, None)" in capsys.readouterr().err
    _report(tmp_path / "c.json", 0.05)
    assert ablation.merge_reports([tmp_path / "a.json", tmp_path / "c.json"])["target_fpr"] == 0.05


@pytest.mark.parametrize(("fpr", "label"), [(0.05, "5% FPR"), (None, "2% FPR")])
def test_the_model_cards_ablation_section_names_the_target_fpr(fpr, label):
    delta = {p: {k: {"mean": 0.0, "low": 0.0, "high": 0.0} for k in ("average_precision", "f1_at_fpr")}
             for p in ("overall", "annotators_2")}  # fmt: skip
    abl = {"file": "ablation.json", "command": "x", "cv": "1x3", "reference": "config",
           "rows": [{"variant": "v", "delta": delta}]}  # fmt: skip
    if fpr is not None:
        abl["target_fpr"] = fpr
    header = next(line for line in protocol_lines({"protocol_ablation": abl}) if line.startswith("| change"))
    assert f"ΔF1 @ {label} (all)" in header
