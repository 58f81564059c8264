"""python -m training.cue_counts on odd input. Before: a PATTERN that is not a regular expression was reported as
'error: missing ), unterminated subpattern at position 0' without naming it; a pattern matching no note was given
'ratio 0.0', as if it were commoner in genuine notes; --examples -1 was taken."""

import json

import pytest

from training.cue_counts import main

ROWS = [{"text": "礼盒预定", "label": 1}, {"text": "今天散步", "label": 0}]


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    return str(path)


def test_a_bad_pattern_is_named(data, capsys):
    assert main(["--data", data, "礼盒", "("]) == 1
    assert "error: PATTERN '(' is not a regular expression: missing ), unterminated" in capsys.readouterr().err


def test_a_pattern_matching_nothing_has_no_ratio(data, capsys):
    assert main(["--data", data, "没有的词"]) == 0
    assert "ads 0 of 1 (0.0%), genuine 0 of 1 (0.0%), ratio –;" in capsys.readouterr().out


def test_negative_examples_are_refused(data, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--data", data, "--examples", "-1", "礼盒"])
    assert exit_.value.code == 2
    assert "argument --examples: must be a whole number >= 0. Got -1." in capsys.readouterr().err
