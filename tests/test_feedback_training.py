"""The appeal flow end to end: writers' appeals resolved by moderators and a labelled review queue become
feedback datasets of a training config; the report compares the model with and without them."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import pytest

from model.errors import InvalidNoteError, InvalidParameterError
from serve.cli import main
from serve.db import appeals as store
from serve.db.database import Database
from tests.conftest import SAMPLES

PRODUCTS = ["面霜", "精华液", "洗面奶", "防晒霜", "口红", "粉底液", "蓝牙耳机", "保温杯", "空气炸锅", "瑜伽垫"]
PLACES = ["西湖", "黄山", "鼓浪屿", "洱海", "长白山", "婺源", "喀纳斯", "青海湖", "峨眉山", "乌镇"]


def ad_notes() -> list[dict]:
    return [
        {
            "title": f"{p}闭眼入",
            "text": f"{p}限时优惠，原价{200 + i}现价{99 + i}，加vx{1000 + i}领券，链接在主页",
            "label": 1,
        }
        for i, p in enumerate(PRODUCTS)
    ]


def genuine_notes() -> list[dict]:
    moods = ["累但开心", "风景很美", "人有点多", "下次还来", "拍了好多照片"]
    return [
        {
            "title": f"{place}游记",
            "text": f"周末和家人去了{place}，走了一整天，{mood}，晚上吃了当地的小吃。",
            "label": 0,
        }
        for place, mood in zip(PLACES, itertools.cycle(moods), strict=False)
    ]


def config(tmp_path: Path, *datasets: str) -> Path:
    path = tmp_path / "train.toml"
    path.write_text(
        (SAMPLES / "train_sample.toml").read_text(encoding="utf-8").replace('path = "notes.jsonl"',
                                                                           f'path = "{(SAMPLES / "notes.jsonl").as_posix()}"')
        + "".join(datasets),
        encoding="utf-8",
    )  # fmt: skip
    return path


def test_appeals_and_reviews_retrain_the_model(tmp_path, sample_model_dir, capsys):
    from training.train import run_training

    ads, genuine = ad_notes(), genuine_notes()
    # writers appeal, moderators resolve, the resolved appeals are exported
    db = Database(f"sqlite:///{tmp_path / 'appeals.db'}")
    assert db.migrate()
    view = store.ModelView("m", "ad", 0.9, 0.5, 0.3, [])
    with db.session() as session:
        for note in ads[:5] + genuine[:5]:
            a = store.create_appeal(session, note=note, view=view, claimed_label="genuine", statement="我的笔记")
            store.resolve_appeal(session, a.id, label="ad" if note["label"] else "genuine", note="", moderator="m")
    db.close()
    assert main(["appeals", "export", "-o", str(tmp_path / "appeals.jsonl"), "--database-url", db.url]) == 0
    # a review queue from an unlabelled archive, labelled by a moderator except for two rows
    archive = tmp_path / "archive.jsonl"
    truth = {}
    with open(archive, "w", encoding="utf-8") as handle:
        for i, note in enumerate(ads[5:] + genuine[5:]):
            truth[f"r{i}"] = note["label"]
            handle.write(
                json.dumps({"id": f"r{i}", "title": note["title"], "text": note["text"]}, ensure_ascii=False) + "\n"
            )
    queue = tmp_path / "queue.csv"
    assert main(["review", str(archive), "-n", "10", "-o", str(queue), "--model", str(sample_model_dir)]) == 0
    with open(queue, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 10 and {r["label"] for r in rows} == {""}
    for r in rows[:8]:
        r["label"] = "ad" if truth[r["id"]] else "genuine"
    with open(queue, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    cfg = config(
        tmp_path,
        '\n[[dataset]]\nname = "appeals"\npath = "appeals.jsonl"\nfeedback = true\nweight = 2.0\n',
        '\n[[dataset]]\nname = "reviewed"\npath = "queue.csv"\nfeedback = true\n',
    )
    out = tmp_path / "model"
    metrics = run_training(cfg, out, progress=False, ablation=False, command="pytest")
    feedback = metrics["feedback"]
    assert feedback["datasets"] == ["appeals", "reviewed"]
    assert feedback["train_rows"] + feedback["test_rows"] == 18  # 10 appeals + 8 labelled queue rows
    assert feedback["with"]["all"]["n"] == feedback["without"]["all"]["n"] == metrics["test"]["n"]
    assert feedback["with"]["all"]["roc_auc"] == metrics["test"]["roc_auc"]
    assert (
        set(feedback["with"]["per_source"])
        == set(feedback["without"]["per_source"])
        == set(metrics["test"]["per_source"])
    )
    assert "sample" in feedback["with"]["per_source"]
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    data = {d["name"]: d for d in card["data"]}
    assert data["reviewed"]["unlabelled"] == 2 and data["reviewed"]["used"] == 8
    assert data["appeals"]["used"] == 10 and data["appeals"]["weight"] == 2.0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## With and without feedback data" in report
    assert "| with | **all** |" in report and "| without | **all** |" in report


def test_without_feedback_datasets_the_report_has_no_comparison(tmp_path):
    from training.train import run_training

    metrics = run_training(config(tmp_path), tmp_path / "m", progress=False, ablation=False, command="pytest")
    assert "feedback" not in metrics
    assert "With and without feedback" not in (tmp_path / "m" / "report.md").read_text(encoding="utf-8")


def test_blank_labels_outside_feedback_datasets_are_still_errors(tmp_path):
    from training.config import load_config
    from training.data import load_all

    (tmp_path / "q.csv").write_text("id,text,label\na,周末爬山,\n", encoding="utf-8")
    cfg = config(tmp_path, '\n[[dataset]]\nname = "q"\npath = "q.csv"\n')
    with pytest.raises(InvalidNoteError, match="label"):
        load_all(load_config(cfg))
    bad = config(tmp_path, '\n[[dataset]]\nname = "q"\npath = "q.csv"\nfeedback = "yes"\n')
    with pytest.raises(InvalidParameterError, match=r"dataset\[1\].feedback"):
        load_config(bad)


def _example(text: str, label: int, dataset: str):
    from model.schema import parse_note
    from training.data import Example

    return Example(parse_note({"text": text}), label, 1.0, dataset, dataset)


@pytest.mark.parametrize(
    ("rows", "kept", "dup", "conflict"),
    [
        # a moderator overturns the corpus label: the decision is the note's label (it and the old row were dropped)
        ([("笔记A", 1, "corpus"), ("笔记A", 0, "appeals")], [("笔记A", 0, "appeals")], 0, 1),
        ([("笔记A", 0, "appeals"), ("笔记A", 1, "corpus")], [("笔记A", 0, "appeals")], 0, 1),
        # the decision agrees with the corpus: one row, the feedback's (its weight is the point of the dataset)
        ([("笔记A", 1, "corpus"), ("笔记A", 1, "appeals")], [("笔记A", 1, "appeals")], 1, 0),
        # two feedback rows that disagree decide nothing: all rows of the text go, as any conflict
        ([("笔记A", 1, "corpus"), ("笔记A", 0, "appeals"), ("笔记A", 1, "reviewed")], [], 0, 3),
        # without feedback rows nothing changes: a conflict drops both, a repeat keeps the first
        ([("笔记A", 1, "corpus"), ("笔记A", 0, "other")], [], 0, 2),
        ([("笔记A", 1, "corpus"), ("笔记A", 1, "other")], [("笔记A", 1, "corpus")], 1, 0),
    ],
)
def test_a_feedback_label_stands_for_its_note(rows, kept, dup, conflict):
    from training.data import deduplicate

    examples = [_example(*r) for r in rows]
    out, n_dup, n_conflict = deduplicate(examples, "normalized", {"appeals", "reviewed"})
    assert [(e.note.text, e.label, e.dataset) for e in out] == kept
    assert (n_dup, n_conflict) == (dup, conflict)


def test_an_overturned_appeal_of_a_corpus_note_is_trained_on(tmp_path):
    """Three ads of the sample corpus appealed and overturned to genuine: the report said "Feedback datasets
    `appeals`: 0 training rows, 0 test rows" and the card counted 6 conflicting rows; the moderators' labels
    never reached the model, and the corrected rows were gone too."""
    from training.train import run_training

    ads = [r for r in map(json.loads, (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines())
           if r["label"] in (1, "ad")][:3]  # fmt: skip
    with open(tmp_path / "appeals.jsonl", "w", encoding="utf-8") as handle:
        for r in ads:
            row = {"id": f"appeal-{r['id']}", "title": r.get("title", ""), "text": r["text"], "label": "genuine",
                   "source": "appeal"}  # fmt: skip
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    cfg = config(tmp_path, '\n[[dataset]]\nname = "appeals"\npath = "appeals.jsonl"\nfeedback = true\n')
    metrics = run_training(cfg, tmp_path / "model", progress=False, ablation=False, command="pytest")
    assert metrics["feedback"]["train_rows"] + metrics["feedback"]["test_rows"] == 3
    split = json.loads((tmp_path / "model" / "model_card.json").read_text(encoding="utf-8"))["split"]
    assert split["conflicts"] == 3  # the three corpus rows the decisions overturned
    appeal_rows = sum(sum(split[f"{part}_by_source"].get("appeal", {}).values()) for part in ("train", "test"))
    assert appeal_rows == 3
