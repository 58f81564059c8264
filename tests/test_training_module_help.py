"""Every ``python -m training.*`` tool the README names starts cleanly: ``--help`` exits 0 with nothing on
stderr. Before, ``python -m training.threshold`` (and ``training.feedback``) printed runpy's RuntimeWarning
"'training.threshold' found in sys.modules after import of package 'training'" on every call, because the
package imported ``training.train`` (and with it those modules) eagerly."""

import os
import subprocess
import sys

import pytest
from conftest import ROOT

TOOLS = ["threshold", "ablation", "sentiment", "faithfulness", "paired", "cue_counts", "bracket_counts", "stability",
         "declared_counts", "source_oof"]  # fmt: skip


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


def _help(tool: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    run = subprocess.run([sys.executable, "-m", f"training.{tool}", "--help"], capture_output=True, text=True,
                         cwd=ROOT, env=env, check=True)  # fmt: skip
    return run.stdout


@pytest.mark.parametrize("tool", TOOLS)
def test_help_describes_the_tool_and_every_argument(tool):
    """Before, ``training.ablation``'s and ``training.paired``'s descriptions stopped mid-sentence ("each scored
    on", "e.g. before and after a cue": the first line of a docstring) and most of their options, and all of
    ``training.sentiment``'s, had no help."""
    text = _help(tool)
    description = text.split("\n\n")[1]
    assert description.rstrip()[-1] in ".?)", description
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line in ("options:", "positional arguments:"))
    for i, line in enumerate(lines[start:], start):
        if not line.startswith("  ") or line.startswith("   "):
            continue  # a heading or a wrapped help line
        has_text = "  " in line.strip()
        continued = i + 1 < len(lines) and lines[i + 1].startswith(" " * 10) and not lines[i + 1].strip()[0] == "-"
        assert has_text or continued, f"{tool}: no help for {line.strip()!r}"
