"""``notecheck review``: the notes nearest the threshold, diverse, as a queue with an empty label column."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from serve.cli import main
from tests.conftest import SAMPLES


def unlabelled_archive(path: Path, extra: list[dict] = ()) -> list[dict]:
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines() if line]
    for r in rows:
        r.pop("label", None)
    rows += list(extra)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return rows


def margins(model, rows: list[dict]) -> np.ndarray:
    p = np.clip(model.predict_proba(rows), 1e-6, 1 - 1e-6)
    t = model.threshold
    return np.abs(np.log(p / (1 - p)) - np.log(t / (1 - t)))


def read_queue(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def review(archive: Path, out: Path, model_dir: Path, *args: str) -> int:
    return main(["review", str(archive), "-o", str(out), "--model", str(model_dir), *args])


def test_without_diversity_the_queue_is_the_notes_nearest_the_threshold(tmp_path, sample_model_dir, sample_model):
    archive = tmp_path / "archive.jsonl"
    rows = unlabelled_archive(archive)
    out = tmp_path / "queue.csv"
    assert review(archive, out, sample_model_dir, "-n", "7", "--diversity", "0") == 0
    queue = read_queue(out)
    expected = [rows[i]["id"] for i in np.argsort(margins(sample_model, rows), kind="stable")[:7]]
    assert [r["id"] for r in queue] == expected
    assert {r["label"] for r in queue} == {""}
    assert [int(r["rank"]) for r in queue] == list(range(1, 8))
    assert [float(r["margin"]) for r in queue] == sorted(float(r["margin"]) for r in queue)
    assert all(r["file"] == str(archive) and int(r["line"]) >= 1 for r in queue)


def test_diversity_spends_one_label_on_copies_of_a_note(tmp_path, sample_model_dir, sample_model):
    archive = tmp_path / "archive.jsonl"
    rows = unlabelled_archive(archive)
    nearest = rows[int(np.argmin(margins(sample_model, rows)))]
    copies = [{**nearest, "id": f"copy-{i}"} for i in range(8)]
    unlabelled_archive(archive, copies)
    plain, varied = tmp_path / "plain.csv", tmp_path / "varied.csv"
    assert review(archive, plain, sample_model_dir, "-n", "5", "--diversity", "0") == 0
    assert review(archive, varied, sample_model_dir, "-n", "5", "--diversity", "0.5") == 0
    texts = [r["text"] for r in read_queue(plain)]
    assert texts.count(nearest["text"]) == 5
    varied_texts = [r["text"] for r in read_queue(varied)]
    assert varied_texts.count(nearest["text"]) == 1
    assert varied_texts[0] == nearest["text"]  # the most uncertain note still comes first


@pytest.mark.parametrize("copies", [20, 60])
def test_copies_do_not_crowd_the_candidate_pool(tmp_path, sample_model_dir, sample_model, copies, capsys):
    """Twenty copies of the nearest note filled the pool of 25 candidates (-n 5): with four other notes left
    there, three copies were queued. Copies take one place in the pool; the queue holds one of them."""
    archive = tmp_path / "archive.jsonl"
    rows = unlabelled_archive(archive)
    nearest = rows[int(np.argmin(margins(sample_model, rows)))]
    unlabelled_archive(archive, [{**nearest, "id": f"copy-{i}"} for i in range(copies)])
    out = tmp_path / "queue.csv"
    assert review(archive, out, sample_model_dir, "-n", "5") == 0
    queue = read_queue(out)
    assert len(queue) == 5
    assert [r["text"] for r in queue].count(nearest["text"]) == 1
    assert len({(r["title"], r["text"]) for r in queue}) == 5
    assert f"{copies} copies of a candidate left out" in capsys.readouterr().out
    plain = tmp_path / "plain.csv"
    assert review(archive, plain, sample_model_dir, "-n", "5", "--diversity", "0") == 0  # nearest only, copies too
    assert [r["text"] for r in read_queue(plain)].count(nearest["text"]) == 5


@pytest.mark.parametrize("copies", [20, 60])
def test_reposts_the_model_reads_alike_are_copies(tmp_path, sample_model_dir, sample_model, copies, capsys):
    """Reposts of one note numbered "第1次", "第2次", ... are one document to the model (digits read as 0), so one
    label: byte-for-byte copies alone were taken as copies, and 400 such reposts filled a queue of 20."""
    rows = unlabelled_archive(tmp_path / "plain.jsonl")
    reposted = margins(sample_model, [{**r, "text": r["text"] + " 第1次"} for r in rows])
    base = rows[int(np.argmin(reposted))]
    reposts = [{**base, "id": f"repost-{i}", "text": base["text"] + f" 第{i + 1}次"} for i in range(copies)]
    assert len({r["text"] for r in reposts}) == copies  # no two alike byte for byte
    # The reposts nearest the threshold, so that the queue's first pick is theirs: the archive keeps the notes
    # further from it (which notes those are depends on the sample model, trained afresh by the tests).
    further = [r for r, m in zip(rows, margins(sample_model, rows), strict=True) if m > reposted.min()]
    archive = tmp_path / "archive.jsonl"
    archive.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*further, *reposts]), "utf-8")
    assert len(further) >= 5
    out = tmp_path / "queue.csv"
    assert review(archive, out, sample_model_dir, "-n", "5") == 0
    queue = read_queue(out)
    assert len(queue) == 5
    assert [r["id"].startswith("repost-") for r in queue].count(True) == 1
    assert f"{copies - 1} copies of a candidate left out" in capsys.readouterr().out
    plain = tmp_path / "plain.csv"
    assert review(archive, plain, sample_model_dir, "-n", "5", "--diversity", "0") == 0
    assert all(r["id"].startswith("repost-") for r in read_queue(plain))  # nearest only: the reposts, as many as fit


def test_labelled_and_bad_rows_are_counted_not_queued(tmp_path, sample_model_dir, capsys):
    archive = tmp_path / "archive.jsonl"
    archive.write_text(
        '{"id": "a", "text": "加vx领券", "label": "ad"}\n{"id": "b", "text": 5}\nnot json\n{"id": "c", "text": "周末爬山"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "queue.jsonl"
    assert review(archive, out, sample_model_dir, "-n", "10") == 0
    captured = capsys.readouterr()
    assert "from 1 scored of 4 rows; 1 already labelled left out, 2 bad rows skipped" in captured.out
    assert "line 2" in captured.err and "line 3" in captured.err
    queued = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [q["id"] for q in queued] == ["c"] and queued[0]["label"] is None


def test_an_unreadable_file_is_skipped_like_a_bad_row(tmp_path, sample_model_dir, capsys):
    """One corrupt file of an archive stopped `review` with exit 2 and no queue; as in score, comments and
    creators, it is one bad row at line 0 (skipped and named, as review skips bad rows) and the rest is read."""
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "notes.jsonl").write_text('{"id": "c", "text": "周末爬山"}\n', encoding="utf-8")
    (archive / "broken.parquet").write_bytes(b"not parquet at all")
    out = tmp_path / "queue.jsonl"
    assert review(archive, out, sample_model_dir, "-n", "10") == 0
    captured = capsys.readouterr()
    assert "from 1 scored of 2 rows; 0 already labelled left out, 1 bad rows skipped" in captured.out
    assert f"skipped: {archive / 'broken.parquet'}, line 0: not a readable Parquet file" in captured.err
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["c"]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["-n", "0"], "-n must be at least 1"), (["--diversity", "2"], "--diversity must be between 0 and 1")],
)
def test_bad_arguments(tmp_path, sample_model_dir, capsys, args, message):
    archive = tmp_path / "a.jsonl"
    unlabelled_archive(archive)
    assert review(archive, tmp_path / "q.csv", sample_model_dir, *args) == 2
    assert message in capsys.readouterr().err
    assert review(archive, tmp_path / "q.txt", sample_model_dir) == 2
    assert "must end in .csv or .jsonl" in capsys.readouterr().err


def test_a_queue_that_cannot_be_written_is_named(tmp_path, sample_model_dir, capsys):
    archive = tmp_path / "a.jsonl"
    unlabelled_archive(archive)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir.csv").mkdir()
    assert review(archive, tmp_path / "afile" / "q.csv", sample_model_dir, "-n", "2") == 2
    assert (
        capsys.readouterr().err == f"error: cannot write {tmp_path}/afile/q.csv: {tmp_path}/afile is not a directory\n"
    )
    assert review(archive, tmp_path / "adir.csv", sample_model_dir, "-n", "2") == 2
    assert capsys.readouterr().err == f"error: cannot write {tmp_path}/adir.csv: it is a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "adir.csv", "afile"]


def test_a_directory_leaves_out_json_documents_and_says_so(tmp_path, sample_model_dir, capsys):
    """A keyword file next to the notes is not read as notes (no "invalid JSON" skips); one stderr line names it."""
    archive = tmp_path / "archive"
    archive.mkdir()
    rows = unlabelled_archive(archive / "notes.jsonl")
    (archive / "keywords.json").write_text((SAMPLES / "keywords.json").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "queue.csv"
    assert review(archive, out, sample_model_dir, "-n", "5") == 0
    captured = capsys.readouterr()
    assert f"of {len(rows)} rows; 0 already labelled left out, 0 bad rows skipped" in captured.out
    assert "invalid JSON" not in captured.err
    skipped = [line for line in captured.err.splitlines() if "keywords.json" in line]
    assert len(skipped) == 1 and "skipped 1 .json file" in skipped[0]
    named = tmp_path / "named.json"
    named.write_text((archive / "notes.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    assert review(named, tmp_path / "q2.csv", sample_model_dir, "-n", "5") == 0
    assert f"of {len(rows)} rows" in capsys.readouterr().out


def test_an_all_labelled_archive_says_why_the_queue_is_empty(tmp_path, sample_model_dir, capsys):
    """`review samples/` wrote an empty queue with exit 0 and no hint: every sample note has a label."""
    out = tmp_path / "q.csv"
    assert (
        main(["review", str(SAMPLES / "notes.jsonl"), "-n", "5", "-o", str(out), "--model", str(sample_model_dir)]) == 0
    )
    assert "none was picked; --include-labelled picks among them too" in capsys.readouterr().err
    argv = ["review", str(SAMPLES / "notes.jsonl"), "-n", "5", "-o", str(out), "--include-labelled"]
    assert main([*argv, "--model", str(sample_model_dir)]) == 0
    assert "none was picked" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("include", "said"),
    [
        pytest.param([], "from 0 scored of 120 rows; 120 already labelled left out,", id="left-out"),
        pytest.param(["--include-labelled"], "from 120 scored of 120 rows; 120 already labelled included,", id="in"),
    ],
)
def test_the_summary_says_what_became_of_the_labelled_notes(tmp_path, sample_model_dir, capsys, include, said):
    """With --include-labelled the summary said "0 already labelled" of an archive whose every note has a label:
    the number meant notes left out. It now counts labelled notes in both modes and says what was done with them."""
    out = tmp_path / "q.csv"
    argv = ["review", str(SAMPLES / "notes.jsonl"), "-n", "3", "-o", str(out), "--model", str(sample_model_dir)]
    assert main([*argv, *include]) == 0
    assert said in capsys.readouterr().out


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_the_queue_keeps_the_author_and_each_comments_author_and_time(tmp_path, sample_model_dir, suffix):
    """The queue is the note schema, to be labelled and read again (training, `comments`, `creators`): it dropped
    the note's `author` and each comment's `author` and `time`, so the labelled queue lost who wrote what."""
    from model.notes import iter_records, parse_note

    note = {"id": "n1", "author": "阿梨", "title": "周末", "text": "加vx领券，今天去爬山",
            "comments": [{"text": "求链接", "likes": 3, "author": "路人甲", "time": 1700000000}, "好美"]}  # fmt: skip
    archive = tmp_path / "archive.jsonl"
    archive.write_text(json.dumps(note, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / f"queue{suffix}"
    assert review(archive, out, sample_model_dir, "-n", "1") == 0
    (rec,) = list(iter_records(out))
    got = parse_note(rec.data)
    want = parse_note(note)
    assert (got.author, got.comments, got.title, got.text) == (want.author, want.comments, want.title, want.text)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_relabelled_note_keeps_its_label_before_beside_the_blank_label(tmp_path, sample_model_dir, suffix):
    """--include-labelled picks notes that have a label, to re-check it: the queue dropped that label, so nobody
    could compare. It stands in `label_before`; `label` stays blank for the moderator (a label is never fed back
    without being given again)."""
    from model.notes import iter_records, parse_note

    rows = [{"id": "a", "text": "加vx领券，原价199现价99", "label": "ad"}, {"id": "g", "text": "周末去爬山，风景很好", "label": 0},
            {"id": "u", "text": "这家店的面包还行"}]  # fmt: skip
    archive = tmp_path / "archive.jsonl"
    archive.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / f"queue{suffix}"
    assert review(archive, out, sample_model_dir, "-n", "3", "--include-labelled", "--diversity", "0") == 0
    got = {rec.data["id"]: rec.data for rec in iter_records(out)}
    assert {k: got[k]["label_before"] or None for k in got} == {"a": "ad", "g": "genuine", "u": None}
    assert all(parse_note(rec).label is None for rec in got.values())


# Archives none of whose rows can be read: (file name, bytes) of each file, and the first bad row's reason.
ALL_BAD = [
    pytest.param([("a.jsonl", b'not json\n{"id": "b", "text": 5}\n')], "a.jsonl, line 1: invalid JSON", id="jsonl"),
    pytest.param([("a.csv", b"id,title\nx,\n")], "a.csv, line 2: field 'text' is required", id="csv-no-text"),
    pytest.param(
        [("a.parquet", b"not parquet at all")], "a.parquet, line 0: not a readable Parquet file", id="parquet"
    ),
    pytest.param([("a.jsonl", b"not json\n"), ("b.jsonl", b"[1]\n")], "a.jsonl, line 1: invalid JSON", id="two-files"),
]


@pytest.mark.parametrize(("files", "first"), ALL_BAD)
def test_an_archive_of_only_bad_rows_exits_2_naming_the_first(tmp_path, sample_model_dir, capsys, files, first):
    """Every row bad wrote an empty queue with exit 0, which a script reads as "nothing near the threshold" (and
    which replaced the queue being labelled): now one error line names the files and the first bad row, exit 2,
    and the output is left as it was."""
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, data in files:
        (archive / name).write_bytes(data)
    out = tmp_path / "queue.csv"
    out.write_text("the queue a moderator is labelling\n", encoding="utf-8")
    assert review(archive, out, sample_model_dir, "-n", "5") == 2
    captured = capsys.readouterr()
    rows = captured.err.count("skipped: ")
    (error,) = [line for line in captured.err.splitlines() if line.startswith("error:")]
    shown = ", ".join(str(archive / name) for name, _ in sorted(files))
    assert error.startswith(f"error: none of the {rows} row(s) of {shown} could be read (each is named above)")
    assert f"{out} was not written; the first: {archive / first}" in error
    assert captured.out == ""
    assert out.read_text(encoding="utf-8") == "the queue a moderator is labelling\n"


@pytest.mark.parametrize(
    ("content", "name"),
    [pytest.param(b"", "a.jsonl", id="empty"), pytest.param(b"\n\n", "a.jsonl", id="blank-lines"),
     pytest.param(b"id,title,text\n", "a.csv", id="csv-header-only")],
)  # fmt: skip
def test_an_archive_with_no_rows_still_writes_an_empty_queue(tmp_path, sample_model_dir, capsys, content, name):
    """No rows is not bad rows: there is nothing to review, so the queue is empty and the status 0, as before."""
    archive = tmp_path / name
    archive.write_bytes(content)
    out = tmp_path / "queue.csv"
    assert review(archive, out, sample_model_dir, "-n", "5") == 0
    captured = capsys.readouterr()
    assert "wrote 0 note(s) to label" in captured.out and "from 0 scored of 0 rows" in captured.out
    assert "error:" not in captured.err
    assert read_queue(out) == []


def test_bad_rows_beside_labelled_ones_are_skipped_not_an_error(tmp_path, sample_model_dir, capsys):
    """A readable row, even one left out as already labelled, means the archive was read: exit 0, as before."""
    archive = tmp_path / "archive.jsonl"
    archive.write_text('not json\n{"id": "a", "text": "加vx领券", "label": "ad"}\n', encoding="utf-8")
    out = tmp_path / "queue.csv"
    assert review(archive, out, sample_model_dir, "-n", "5") == 0
    err = capsys.readouterr().err
    assert "error:" not in err and "all 1 readable note(s) already have a label" in err
    assert read_queue(out) == []
