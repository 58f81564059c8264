"""The data as training sees it, for notebook 01's "The data" section: the split, the datasets read, the class
balance per source and on each side of the split, and the check that a model was trained on this split."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError
from training.config import TrainConfig
from training.data import DatasetInfo, Example, deduplicate, load_all, source_counts
from training.folds import split_train_test


@dataclass
class DataSplits:
    """The data exactly as :func:`training.train.run_training` splits it (same functions, same seed)."""

    examples: list[Example]  # after de-duplication
    infos: list[DatasetInfo]
    n_duplicates: int
    n_conflicts: int
    train: list[Example]
    test: list[Example]  # held-out rows of training datasets (role "train")
    eval_only: list[Example]  # rows of evaluation-only datasets (role "eval")
    #: how the split was drawn (``seed``, ``test_size``, ``dedup`` of the config), as the model card records it
    settings: dict[str, Any] = field(default_factory=dict)


def load_splits(config: TrainConfig, *, skip_bad_rows: bool = False) -> DataSplits:
    """Load, de-duplicate and split the configured data the way training does."""
    examples, infos = load_all(config, skip_bad_rows=skip_bad_rows)
    examples, n_dup, n_conflict = deduplicate(examples, config.dedup, config.feedback_datasets)
    train_idx, test_idx = split_train_test(examples, test_size=config.test_size, seed=config.seed)
    test = [examples[i] for i in test_idx]
    return DataSplits(
        examples=examples,
        infos=infos,
        n_duplicates=n_dup,
        n_conflicts=n_conflict,
        train=[examples[i] for i in train_idx],
        test=[e for e in test if e.role == "train"],
        eval_only=[e for e in test if e.role == "eval"],
        settings={"seed": config.seed, "test_size": config.test_size, "dedup": config.dedup},
    )


def check_split_matches_card(splits: DataSplits, card: Mapping[str, Any]) -> None:
    """Raise if a model card's recorded split differs from ``splits`` (so the notebook never evaluates a model
    on rows it was trained on): the sizes of each side per source, the seed, test size and dedup policy it was
    drawn with, and the data files (by sha256). Sizes alone let a model trained with another seed through: same
    counts, other rows (most of its "test" rows were its training rows)."""
    split = card.get("split", {})
    expected: dict[str, Any] = {
        "train": len(splits.train),
        "test": len(splits.test) + len(splits.eval_only),
        "train_by_source": source_counts(splits.train),
        "test_by_source": source_counts(splits.test + splits.eval_only),
        **splits.settings,
    }
    got = {k: split.get(k) for k in expected}
    if "data" in card:
        expected["data files"] = sorted(f["sha256"] for i in splits.infos for f in i.files)
        got["data files"] = sorted(f.get("sha256") for d in card["data"] for f in d.get("files", []))
    differ = sorted(k for k in expected if got[k] != expected[k])
    if differ:
        shown = "; ".join(f"{k}: card {got[k]!r}, config {expected[k]!r}" for k in differ)
        raise InvalidParameterError(
            f"The 'split' of the model card must match the data split recomputed from the config. Got other "
            f"{', '.join(differ)} ({shown[:600]}): the model was trained on other data or with another config."
        )


def dataset_summary(infos: Iterable[DatasetInfo]) -> list[dict[str, Any]]:
    """One row per configured dataset: files, rows read, rows used, rows skipped (with the first reason)."""
    return [
        {
            "dataset": i.name,
            "files": [Path(f["path"]).name for f in i.files],
            "rows": i.rows,
            "used": i.used,
            "skipped": len(i.skipped),
            "first skipped": i.skipped[0] if i.skipped else None,
            "labels": ", ".join(f"{k} {v}" for k, v in sorted(i.labels.items())),
        }
        for i in infos
    ]


def class_balance(examples: Iterable[Example]) -> list[dict[str, Any]]:
    """One row per (dataset, source) in order of appearance, plus a total: rows, ads, genuine, ad share."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for e in examples:
        r = rows.setdefault(
            (e.dataset, e.source),
            {"dataset": e.dataset, "source": e.source, "role": e.role, "weight": e.weight, "n": 0, "ad": 0},
        )
        r["n"] += 1
        r["ad"] += int(e.label == 1)
    out = list(rows.values())
    total = {"dataset": "all", "source": "", "role": "", "weight": None, "n": 0, "ad": 0}
    for r in out:
        total["n"] += r["n"]
        total["ad"] += r["ad"]
    for r in [*out, total]:
        r["genuine"] = r["n"] - r["ad"]
        r["ad_share"] = r["ad"] / r["n"] if r["n"] else None
    return [*out, total]


def split_balance(splits: DataSplits) -> list[dict[str, Any]]:
    """Ads and genuine notes per source on each side of the split."""
    sides = {
        "train": source_counts(splits.train),
        "test": source_counts(splits.test),
        "eval_only": source_counts(splits.eval_only),
    }
    sources = sorted({s for counts in sides.values() for s in counts})
    rows = []
    for s in sources:
        row: dict[str, Any] = {"source": s}
        for side, counts in sides.items():
            c = counts.get(s, {"ad": 0, "genuine": 0})
            row[f"{side}_ad"] = c["ad"]
            row[f"{side}_genuine"] = c["genuine"]
        rows.append(row)
    return rows
