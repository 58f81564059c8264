"""A small training config for the threshold-rule tests: the sample archive (a third of its notes marked
``annotators: 2``) and 36 news leads as a second corpus, so that the other-corpora perturbation has rows to drop."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SAMPLES

from training.config import TrainConfig, load_config
from training.data import Example, deduplicate, load_all
from training.folds import split_train_test

OTHER = [
    f"本市今日召开{topic}会议，讨论{what}。"
    for topic in ("春季", "夏季", "秋季", "冬季", "年度", "季度", "专项", "紧急", "常务", "扩大", "联席", "工作")
    for what in ("道路建设与公共交通规划", "学校招生与教育经费", "医院建设与医保政策")
]


def write_config(d: Path) -> TrainConfig:
    """The config (bootstrap rule, 100 resamples) and its data, written to ``d``."""
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    for i, r in enumerate(rows):
        r["annotators"] = 2 if i % 3 == 0 else 1
    (d / "notes.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    news = [{"id": f"n{i}", "text": t, "label": 0} for i, t in enumerate(OTHER)]
    (d / "news.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in news), encoding="utf-8")
    text = (SAMPLES / "train_sample.toml").read_text(encoding="utf-8")
    text = text.replace("notes.jsonl", (d / "notes.jsonl").as_posix()).replace(
        "review_fpr = 0.15\n", 'review_fpr = 0.15\nthreshold_rule = "bootstrap"\nhard_pool_share = 0.75\n'
        "threshold_quantile = 0.75\nthreshold_boot = 100\n"
    )  # fmt: skip
    text += f"\n[[dataset]]\nname = 'news'\npath = '{(d / 'news.jsonl').as_posix()}'\nsource = 'news'\nweight = 0.5\n"
    (d / "train.toml").write_text(text, encoding="utf-8")
    return load_config(d / "train.toml")


def training_split(cfg: TrainConfig) -> list[Example]:
    """The training rows of ``cfg``, split as ``notecheck train`` splits them."""
    examples, _ = load_all(cfg)
    examples, _, _ = deduplicate(examples, cfg.dedup)
    train_idx, _ = split_train_test(examples, test_size=cfg.test_size, seed=cfg.seed)
    return [examples[i] for i in train_idx]
