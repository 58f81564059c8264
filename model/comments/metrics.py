"""Sentiment evaluation metrics (accuracy, macro-F1, neutral share, per source) and their Markdown table, and the
three-class (positive / neutral / negative) development-set reader and metrics shared by training and the CLI."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model.errors import InvalidParameterError


def _f1_score() -> Any:
    from sklearn.metrics import f1_score  # only evaluation needs scikit-learn

    return f1_score


def sentiment_metrics(
    y: Sequence[int], p: Sequence[float], sources: Sequence[str], neutral_band: Sequence[float] = (0.5, 0.5)
) -> dict[str, Any]:
    """Accuracy and macro-F1 at 0.5, per source too; plus the share of texts in the neutral band and the
    accuracy on the rest (``polar_accuracy``)."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=np.float64)
    sources = np.asarray(sources, dtype=object)
    low, high = neutral_band

    def block(mask: np.ndarray) -> dict[str, Any]:
        yy, pp = y[mask], p[mask]
        pred = (pp >= 0.5).astype(int)
        polar = (pp >= high) | (pp < low)
        return {
            "n": int(mask.sum()),
            "n_positive": int(yy.sum()),
            "accuracy": _round(float(np.mean(pred == yy))) if len(yy) else None,
            "macro_f1": _round(float(_f1_score()(yy, pred, average="macro", labels=[0, 1], zero_division=0)))
            if len(yy)
            else None,
            "neutral_share": _round(float(np.mean(~polar))) if len(yy) else None,
            "polar_accuracy": _round(float(np.mean(pred[polar] == yy[polar]))) if polar.any() else None,
        }

    out = block(np.ones(len(y), dtype=bool))
    out["neutral_band"] = [float(low), float(high)]
    out["per_source"] = {str(s): block(sources == s) for s in sorted(set(sources.tolist()))}
    return out


def _round(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 4)


def sentiment_table(result: dict[str, Any]) -> str:
    cols = ["n", "n_positive", "accuracy", "macro_f1", "neutral_share", "polar_accuracy"]

    def fmt(v: Any) -> str:
        return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    lines = ["| source | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    lines.append("| **all** | " + " | ".join(fmt(result.get(c)) for c in cols) + " |")
    for s, m in result["per_source"].items():
        lines.append(f"| {s} | " + " | ".join(fmt(m.get(c)) for c in cols) + " |")
    return "\n".join(lines)


def three_class_metrics(truth: Sequence[str], predicted: Sequence[str], notes: Sequence[str | None]) -> dict[str, Any]:
    """Accuracy per class (positive / neutral / negative) of three-class labels, overall accuracy, and the
    per-note positive-share error: the mean over notes with at least one polar annotated comment of
    |predicted − annotated positive share|, where a share is positive / (positive + negative) and a note whose
    predictions hold no polar comment counts as 0.5. A comment whose note is None belongs to no note: it counts
    for accuracy only."""
    truth = [str(t) for t in truth]
    predicted = [str(p) for p in predicted]
    if not len(truth) == len(predicted) == len(notes):
        raise ValueError("truth, predicted and notes must have the same length.")
    per_class: dict[str, float | None] = {}
    for label in ("positive", "neutral", "negative"):
        idx = [i for i, t in enumerate(truth) if t == label]
        per_class[label] = _round(float(np.mean([predicted[i] == label for i in idx]))) if idx else None
    counts: dict[str, list[int]] = {}
    for t, p, n in zip(truth, predicted, notes, strict=True):
        if n is None:
            continue
        c = counts.setdefault(str(n), [0, 0, 0, 0])
        if t != "neutral":
            c[0 if t == "positive" else 1] += 1
        if p != "neutral":
            c[2 if p == "positive" else 3] += 1
    errors = []
    for tp, tn, pp, pn in counts.values():
        if tp + tn:
            predicted_share = pp / (pp + pn) if pp + pn else 0.5
            errors.append(abs(tp / (tp + tn) - predicted_share))
    return {
        "n": len(truth),
        "accuracy": _round(float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)]))) if truth else None,
        "accuracy_per_class": per_class,
        "notes": len(counts),
        "positive_share_error": _round(float(np.mean(errors))) if errors else None,
    }


def read_dev_set(path: str | Path) -> list[dict[str, Any]]:
    """A three-class comment development set: JSON Lines with ``text``, ``label`` (positive / neutral /
    negative) and ``note`` (comments of one note share it)."""
    rows = []
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidParameterError(f"sentiment development set {path} cannot be read: {exc}") from None
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidParameterError(f"{path}, line {i}: invalid JSON ({exc.msg}).") from None
        for key in ("text", "label", "note"):
            if not isinstance(row.get(key), str):
                raise InvalidParameterError(f"{path}, line {i}: field '{key}' must be a string. Got {row.get(key)!r}.")
        if row["label"] not in ("positive", "neutral", "negative"):
            raise InvalidParameterError(
                f"{path}, line {i}: field 'label' must be positive, neutral or negative. Got {row['label']!r}."
            )
        rows.append(row)
    return rows


def evaluate_dev(model: Any, path: str | Path) -> dict[str, Any]:
    """Accuracy per class and per-note positive-share error of sentiment ``model`` on a three-class dev set."""
    rows = read_dev_set(path)
    predicted = model.predict([r["text"] for r in rows])
    return three_class_metrics([r["label"] for r in rows], predicted, [r["note"] for r in rows])


def dev_table(dev: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| development set | n | accuracy | positive | neutral | negative | per-note positive-share error |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, m in dev.items():
        c = m["accuracy_per_class"]
        lines.append(
            f"| {name} | {m['n']} | {_cell(m['accuracy'])} | {_cell(c['positive'])} | {_cell(c['neutral'])} | "
            f"{_cell(c['negative'])} | {_cell(m['positive_share_error'])} ({m['notes']} notes) |"
        )
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    """A figure of the development-set table; "–" where there is none (no comment of that class, no note)."""
    return "–" if value is None else f"{value:.3f}"
