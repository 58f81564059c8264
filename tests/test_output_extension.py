"""An output whose extension picks its format (score -o, review -o, appeals export -o) with any other extension is
refused before any work, naming the option, every extension accepted and the path that came in. Before, score said
"The output's extension must be one of .jsonl, .csv, .parquet" (no option, and .ndjson, which it writes, left
out) and appeals export looked for the database first."""

import json

import pytest
from conftest import SAMPLES

from serve.batch.config import OUTPUT_FORMATS
from serve.cli import main

SCORE = "The -o/--output option (output) must end in .jsonl, .ndjson, .csv or .parquet (the extension picks the format)"
REVIEW = "-o/--output must end in .csv or .jsonl (the extension picks the format)"
EXPORT = "-o/--output must end in .jsonl or .csv (the extension picks the format)"


def _argv(command, out, model_dir, tmp_path):
    if command == "score":
        return ["score", str(SAMPLES / "notes.jsonl"), "-o", str(out), "--model", str(model_dir)]
    if command == "review":
        return ["review", str(SAMPLES / "notes.jsonl"), "-o", str(out), "--model", str(model_dir)]
    # a database that does not exist: the extension is said first, not the missing database
    return ["appeals", "export", "-o", str(out), "--database-url", f"sqlite:///{tmp_path / 'none.db'}"]


@pytest.mark.parametrize(("command", "message"), [("score", SCORE), ("review", REVIEW), ("appeals", EXPORT)])
@pytest.mark.parametrize(
    ("name", "got"),
    [("out.txt", "extension '.txt'"), ("out", "no extension"), ("out.json", "extension '.json'"),
     ("out.csv.gz", "extension '.gz'")],
)  # fmt: skip
def test_a_bad_output_extension_names_the_option_the_extensions_and_the_path(
    tmp_path, capsys, sample_model_dir, command, message, name, got
):
    out = tmp_path / name
    assert main(_argv(command, out, sample_model_dir, tmp_path)) == 2
    stdout, stderr = capsys.readouterr()
    assert stdout == "" and stderr == f"error: {message}. Got {str(out)!r} ({got}).\n"
    assert not out.exists() and not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("extension", [*OUTPUT_FORMATS, ".CSV", ".NDJSON"])
def test_every_extension_score_lists_is_written(tmp_path, capsys, sample_model_dir, extension):
    out = tmp_path / f"scored{extension}"
    assert main(["score", str(SAMPLES / "notes.jsonl"), "-o", str(out), "--model", str(sample_model_dir)]) == 0
    assert out.stat().st_size > 0
    if extension.lower() in (".jsonl", ".ndjson"):
        assert len([json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]) == 120
