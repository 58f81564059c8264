"""``notecheck evaluate`` on files that give it no labelled row names each file and why, and says what it expected.
Before, an empty file ended in "error: no labelled notes to evaluate", naming no file; with --skip-bad-rows every
row skipped as bad was not even listed (the ad task). A file with no rows among others is said too."""

import json
import re

import pytest
from conftest import SAMPLES

from serve.cli import main

BAD_LABELS = {"ad": '{"text": "好看", "label": "perhaps"}\n', "sentiment": '{"text": "好看", "label": "great"}\n'}
EXPECTED = {"ad": "rows of labelled notes", "sentiment": "rows of sentiment-labelled texts"}
WHAT = {"ad": "notes", "sentiment": "texts"}


def _evaluate(task, model_dirs, *args):
    ad, sentiment = model_dirs
    model = ad if task == "ad" else sentiment
    return main(["evaluate", "--task", task, "--model", str(model), *map(str, args)])


@pytest.fixture
def model_dirs(sample_model_dir, sample_sentiment_dir):
    return sample_model_dir, sample_sentiment_dir


@pytest.mark.parametrize("task", ["ad", "sentiment"])
@pytest.mark.parametrize(
    ("content", "name"),
    [
        pytest.param("", "empty.jsonl", id="empty-jsonl"),
        pytest.param("\n\n", "blank.jsonl", id="blank-lines-jsonl"),  # a blank line is not a row
        pytest.param("text,label\n", "header.csv", id="header-only-csv"),
    ],
)
def test_a_file_without_rows_is_named(tmp_path, capsys, model_dirs, task, content, name):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert _evaluate(task, model_dirs, path) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(
        f"error: no labelled {WHAT[task]} to evaluate: {path} holds no rows. Expected {EXPECTED[task]} (JSON Lines, "
        "CSV or Parquet; each a 'text' and a 'label'"
    )


@pytest.mark.parametrize("task", ["ad", "sentiment"])
def test_every_row_skipped_names_the_file_and_lists_the_rows(tmp_path, capsys, model_dirs, task):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(BAD_LABELS[task] * 2, encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert _evaluate(task, model_dirs, bad, empty, "--skip-bad-rows") == 2
    err = capsys.readouterr().err
    assert err.count(f"skipped: {bad}, line ") == 2
    assert re.search(
        rf"error: no labelled {WHAT[task]} to evaluate: all 2 row\(s\) of {re.escape(str(bad))} were skipped as bad "
        rf"\(listed above\); {re.escape(str(empty))} holds no rows\. Expected ",
        err,
    )


@pytest.mark.parametrize("task", ["ad", "sentiment"])
def test_an_empty_file_beside_others_is_noted(tmp_path, capsys, model_dirs, task):
    """It adds nothing to the figures; they are still given (status 0), with a note on stderr saying so."""
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    data = tmp_path / "labelled.jsonl"
    rows = [{"text": "这家店太好吃了，下次还来", "label": 1}, {"text": "难吃，服务也差", "label": 0}]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert _evaluate(task, model_dirs, data, empty, "--json") == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["n"] == 2
    assert f"note: {empty} holds no rows; the figures are those of the other files" in err


def test_many_empty_files_are_counted_past_three(tmp_path, capsys, model_dirs):
    paths = [tmp_path / f"e{i}.jsonl" for i in range(5)]
    for p in paths:
        p.write_text("", encoding="utf-8")
    assert _evaluate("ad", model_dirs, *paths) == 2
    err = capsys.readouterr().err
    assert f"{paths[2]} holds no rows; and 2 more file(s) alike. Expected" in err and str(paths[3]) not in err


def test_sample_notes_still_evaluate(capsys, model_dirs):
    assert _evaluate("ad", model_dirs, SAMPLES / "notes.jsonl", "--json") == 0
    assert "holds no rows" not in capsys.readouterr().err
