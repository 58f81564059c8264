"""``python notebooks/render.py`` on bad input: one error line, not papermill's page of traceback. Before, a
missing or invalid ``--config`` started a kernel and ended in a 40-line PapermillExecutionError traceback (exit
1), ``--config`` with ``--small-data`` was ignored without a word, and a failing cell printed the same page."""

import json

from conftest import SAMPLES

from training.notebooks import main


def test_a_missing_config_is_named_before_any_notebook_runs(tmp_path, capsys):
    assert main(["01-train-ad-classifier.ipynb", "--config", str(tmp_path / "nope.toml"), "-o", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: training config {tmp_path / 'nope.toml'} does not exist.\n"
    assert not list(tmp_path.iterdir())  # no notebook was executed


def test_an_invalid_config_is_named(tmp_path, capsys):
    (tmp_path / "c.toml").write_text('seed = "abc"\n[[dataset]]\npath = "n.jsonl"\n', encoding="utf-8")
    (tmp_path / "n.jsonl").write_text('{"text": "x", "label": 1}\n', encoding="utf-8")
    assert main(["01-train-ad-classifier.ipynb", "--config", str(tmp_path / "c.toml"), "-o", str(tmp_path / "o")]) == 2
    assert "error: The 'seed' parameter of the training config must be an int" in capsys.readouterr().err


def test_config_with_small_data_is_refused(tmp_path, capsys):
    args = ["01-train-ad-classifier.ipynb", "--small-data", "--config", str(SAMPLES / "train_sample.toml")]
    assert main([*args, "-o", str(tmp_path)]) == 2
    assert (
        "--config and --small-data: --small-data trains on the sample archive's own config" in capsys.readouterr().err
    )


def test_a_failing_cell_is_one_error_line(tmp_path, capsys):
    rows = (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()
    rows[2] = json.dumps({"text": "坏行", "label": 2})
    (tmp_path / "notes.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "c.toml").write_text((SAMPLES / "train_sample.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["01-train-ad-classifier.ipynb", "--config", str(tmp_path / "c.toml"), "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: 01-train-ad-classifier.ipynb stopped at cell ")
    assert f": InvalidNoteError: {tmp_path / 'notes.jsonl'}, line 3: field 'label' must be 1/0" in err
    assert f"({tmp_path / 'o' / '01-train-ad-classifier.ipynb'} shows the cell and its traceback)" in err
    assert "Traceback" not in err
