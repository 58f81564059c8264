"""An output directory that exists as a file is refused before any work, naming -o. Before, ``notecheck train``
said only 'error: FILE: File exists', and ``notecheck train --cv`` and ``python -m training.ablation`` ran the
whole protocol first (they write at the end) and then failed the same way. (main's serve/cli.py now checks it for
``notecheck train`` too, 4ce0e73; these checks cover the library and the python -m tools.)"""

import pytest
from conftest import SAMPLES

from serve.cli import main as notecheck
from training import ablation, sentiment

CONFIG = str(SAMPLES / "train_sample.toml")
SAY = "-o/--output {out}: exists and is not a directory; name a directory"  # (main's CLI check ends "for the model")


@pytest.mark.parametrize(
    ("run", "args"),
    [
        (notecheck, ["train", "--config", CONFIG, "--quiet", "--no-ablation", "-o"]),
        (notecheck, ["train", "--config", CONFIG, "--quiet", "--cv", "1x3", "-o"]),
        (ablation.main, ["--config", CONFIG, "--cv", "1x3", "--variants", "config", "-o"]),
    ],
)
def test_a_file_as_output_directory_is_refused_first(tmp_path, capsys, run, args):
    out = tmp_path / "out"
    out.write_text("a file", encoding="utf-8")
    assert run([*args, str(out)]) == 2
    err = capsys.readouterr().err
    assert f"error: {SAY.format(out=out)}" in err
    assert "variant config" not in err and "cv 1x3" not in err  # refused before the protocol started


def test_the_sentiment_trainer_refuses_it_too(tmp_path, capsys):
    (tmp_path / "c.toml").write_text(
        '[sentiment]\nneutral_band = [0.4, 0.6]\n[[dataset]]\npath = "r.jsonl"\n', encoding="utf-8"
    )
    (tmp_path / "r.jsonl").write_text('{"text": "好吃", "label": 1}\n', encoding="utf-8")
    (tmp_path / "out").write_text("a file", encoding="utf-8")
    assert sentiment.main(["--config", str(tmp_path / "c.toml"), "-o", str(tmp_path / "out"), "--quiet"]) == 2
    assert capsys.readouterr().err.startswith(f"error: {SAY.format(out=tmp_path / 'out')}")


@pytest.mark.parametrize("command", ["creators", "overlap"])
def test_an_output_directory_that_cannot_be_made_is_named_as_an_output(tmp_path, capsys, command):
    """`creators -o afile/x` (a file in the way) and `-o /proc/nope/x` said "error: /proc/nope: no such file",
    which reads as a missing input; `score` says "cannot write" for the same failure."""
    (tmp_path / "afile").write_text("a file", encoding="utf-8")
    (tmp_path / "a.txt").write_text("u1\nu2\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("u1\n", encoding="utf-8")
    inputs = (
        [str(SAMPLES / "notes.jsonl")] if command == "creators" else [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    )
    out = tmp_path / "afile" / "x"
    quiet = ["--quiet"] if command == "overlap" else []
    assert notecheck([command, *inputs, "-o", str(out), *quiet]) == 2
    err = capsys.readouterr().err
    assert f"error: cannot write {out}: {tmp_path / 'afile'} is not a directory" in err, err
