"""Feedback datasets (exported appeals, reviewed queues) in training: what they change.

A ``[[dataset]]`` with ``feedback = true`` is trained on like any other, with its own ``weight``. Because these
rows are few, hard and chosen by the model's own mistakes, the report also shows a model trained on the same
split without them, evaluated on the same held-out notes: if the feedback helps, the numbers say where (on the
appeal source itself, on the target source), and if it hurts the target notes that shows too.
"""

from __future__ import annotations

from typing import Any

from model.evaluation import format_value
from training.config import TrainConfig
from training.data import Example
from training.evaluate import evaluate_examples
from training.fit import fit_with_config

COLUMNS = ("n", "n_ad", "roc_auc", "average_precision", "precision", "recall", "f1", "false_positive_rate")


def compare_without_feedback(
    cfg: TrainConfig, train: list[Example], held: list[Example], with_feedback: dict[str, Any]
) -> dict[str, Any] | None:
    """Metrics on ``held`` of the model trained with the feedback datasets (``with_feedback``, already computed)
    and of one trained on ``train`` without them; None when the config has no feedback dataset."""
    names = set(cfg.feedback_datasets)
    if not names:
        return None
    base = [e for e in train if e.dataset not in names]
    out: dict[str, Any] = {
        "datasets": sorted(names),
        "train_rows": len(train) - len(base),
        "test_rows": sum(e.dataset in names for e in held),
        "with": _brief(with_feedback),
        "without": None,
    }
    if len({e.label for e in base}) < 2 or not held:
        return out
    _, without = evaluate_examples(fit_with_config(base, cfg).model, held, groups=cfg.groups)
    out["without"] = _brief(without)
    return out


def _brief(m: dict[str, Any]) -> dict[str, Any]:
    keep = (*COLUMNS, "threshold")
    return {
        "all": {k: m.get(k) for k in keep},
        "per_source": {s: {k: d.get(k) for k in COLUMNS} for s, d in m.get("per_source", {}).items()},
    }


def feedback_section(feedback: dict[str, Any]) -> list[str]:
    """The report's markdown section comparing the two models."""
    lines = [
        "## With and without feedback data",
        "",
        f"Feedback datasets {', '.join(f'`{n}`' for n in feedback['datasets'])}: {feedback['train_rows']} training "
        f"rows, {feedback['test_rows']} test rows. Both models are evaluated on the same test split, each at its own "
        "threshold.",
        "",
    ]
    if feedback["without"] is None:
        return [*lines, "(No model without them: the remaining training rows have a single class.)", ""]
    lines += ["| model | source | " + " | ".join(COLUMNS) + " |", "|---|---|" + "---|" * len(COLUMNS)]
    sources = ["all", *sorted(feedback["with"]["per_source"])]
    for source in sources:
        for name in ("with", "without"):
            part = feedback[name]
            m = part["all"] if source == "all" else part["per_source"].get(source, {})
            label = f"**{source}**" if source == "all" else source
            lines.append(f"| {name} | {label} | " + " | ".join(format_value(m.get(c)) for c in COLUMNS) + " |")
    return [*lines, ""]
