"""Every ``python -m training.*`` tool the README names starts cleanly: ``--help`` exits 0 with nothing on
stderr. Before, ``python -m training.threshold`` (and ``training.feedback``) printed runpy's RuntimeWarning
"'training.threshold' found in sys.modules after import of package 'training'" on every call, because the
package imported ``training.train`` (and with it those modules) eagerly."""

import os
import subprocess
import sys

import pytest
from conftest import ROOT

TOOLS = ["threshold", "ablation", "sentiment", "faithfulness", "paired", "cue_counts", "bracket_counts"]


@pytest.mark.parametrize("tool", TOOLS)
def test_help_starts_cleanly(tool):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", f"training.{tool}", "--help"], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.startswith(f"usage: python -m training.{tool}")


def test_the_package_still_offers_its_names():
    import training

    assert training.run_training.__module__ == "training.train"
    assert training.load_config.__module__ == "training.config"
    assert {"TrainConfig", "evaluate", "expected_calibration_error"} <= set(training.__all__)
    with pytest.raises(AttributeError, match="module 'training' has no attribute 'nope'"):
        training.nope  # noqa: B018
