"""What a note file as a whole suggests (CSV named .jsonl, an empty file, a CSV without a text column) is said in
the same words by every command that reads note files: the shared reader finds it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from model.notes import (
    EMPTY_CSV_HINT,
    EMPTY_FILE_HINT,
    HEADER_ONLY_HINT,
    JSON_HEADER_HINT,
    NOT_JSONL_HINT,
    iter_records,
)
from serve.cli import main

#: file name -> (content, what the reader says of it); None: nothing to say
FILES = {
    "csv_as.jsonl": ("id,text\n1,好用\n", NOT_JSONL_HINT),
    "empty.jsonl": ("", EMPTY_FILE_HINT),
    "blank_lines.jsonl": ("\n\n", EMPTY_FILE_HINT),
    "fine.jsonl": ('{"id": "a", "text": "好用"}\n', None),
    "deep.jsonl": ('{"text": ' + "[" * 100_000 + "\n", None),  # JSON the reader declines, not another format
    "empty.csv": ("", EMPTY_CSV_HINT),
    "header_only.csv": ("id,text\n", HEADER_ONLY_HINT),
    "jsonl_as.csv": ('{"id": "a", "text": "好用"}\n{"id": "b", "text": "好看"}\n', JSON_HEADER_HINT),
    "no_text.csv": ("id,body\n1,好用\n", "no 'text' (or 'description') column; the columns are: id, body"),
}


@pytest.mark.parametrize("name", FILES)
def test_the_reader_says_what_a_file_suggests(tmp_path, name):
    content, said = FILES[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    hints: list[str] = []
    rows = list(iter_records(path, hints=hints))
    if said is None:
        assert hints == [] and rows
    else:
        assert len(hints) == 1 and hints[0].startswith(said)
    assert list(iter_records(path)) == rows  # hints are an addition: the rows are the same without them


def test_a_first_row_skipped_for_its_size_leaves_the_question_to_the_next(tmp_path):
    """A first row over the size limit is skipped unread; whether the file is JSON Lines is read off the next row,
    as score's planner reads it."""
    path = tmp_path / "big_then_csv.jsonl"
    path.write_text("x" * 200 + "\nid,text\n1,好用\n", encoding="utf-8")
    hints: list[str] = []
    rows = list(iter_records(path, hints=hints, max_row_bytes=100))
    assert rows[0].error.endswith("it was skipped unread") and hints == [NOT_JSONL_HINT]


def test_an_empty_parquet_file_and_one_without_text_are_said(tmp_path):
    path = tmp_path / "notes.parquet"
    pq.write_table(pa.table({"id": pa.array([], pa.string()), "body": pa.array([], pa.string())}), path)
    hints: list[str] = []
    assert list(iter_records(path, hints=hints)) == []
    assert hints[0].startswith("no 'text' (or 'description') column") and hints[1] == EMPTY_FILE_HINT


def _argv(command: str, path: Path, tmp_path: Path, model: Path) -> list[str]:
    return {
        "score": ["score", str(path), "-o", str(tmp_path / "out.jsonl"), "--model", str(model), "--no-progress"],
        "comments": ["comments", str(path), "--ad-model", str(model)],
        "creators": ["creators", str(path), "-o", str(tmp_path / "creators"), "--ad-model", str(model)],
        "evaluate": ["evaluate", str(path), "--model", str(model), "--skip-bad-rows"],
        "review": ["review", str(path), "-o", str(tmp_path / "queue.csv"), "--model", str(model)],
    }[command]


@pytest.mark.parametrize("command", ["score", "comments", "creators", "evaluate", "review"])
@pytest.mark.parametrize("name", ["csv_as.jsonl", "empty.jsonl"])
def test_every_command_reading_notes_says_it_in_the_same_words(tmp_path, capsys, sample_model_dir, command, name):
    """`score` said "is this really JSON Lines?" of a CSV named .jsonl and "the file is empty" of an empty file;
    `comments`, `creators` and `review` said nothing of either (an empty table, or only each row's error)."""
    content, said = FILES[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    main(_argv(command, path, tmp_path, sample_model_dir))
    err = capsys.readouterr().err
    if command == "evaluate" and said == EMPTY_FILE_HINT:
        assert f"{path} holds no rows" in err or "no labelled notes" in err  # evaluate's own words, of its figures
    else:
        assert f"{path}: {said}" in err, err
