"""Sentiment evaluation metrics (accuracy, macro-F1, neutral share, per source) and their Markdown table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


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
