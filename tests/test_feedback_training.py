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
