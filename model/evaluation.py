"""Metrics for the ad task (used by ``notecheck evaluate`` and by training): ROC AUC, precision, recall, F1
and false-positive rate at the stored threshold, expected calibration error, and the same per source."""

from __future__ import annotations

from typing import Any

import numpy as np


def expected_calibration_error(y: np.ndarray, p: np.ndarray, *, bins: int = 10) -> float:
    """Equal-width-bin ECE: sum over bins of |observed ad share - mean probability| weighted by bin size."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    if len(y) == 0:
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            ece += mask.mean() * abs(y[mask].mean() - p[mask].mean())
    return float(ece)


def _r(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, Any]:
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=np.float64)
    pred = p >= threshold
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    tn = int(np.sum(~pred & (y == 0)))
    both = tp + fn > 0 and fp + tn > 0
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (2 * tp / (2 * tp + fp + fn)) if tp + fn else None
    from sklearn.metrics import average_precision_score, roc_auc_score  # evaluation only: scoring never loads it

    return {
        "n": len(y),
        "n_ad": tp + fn,
        "n_genuine": fp + tn,
        "roc_auc": _r(roc_auc_score(y, p)) if both else None,
        "average_precision": _r(average_precision_score(y, p)) if both else None,
        "precision": _r(precision),
        "recall": _r(recall),
        "f1": _r(f1),
        "false_positive_rate": _r(fp / (fp + tn)) if fp + tn else None,
        "accuracy": _r((tp + tn) / len(y)) if len(y) else None,
        "ece": _r(expected_calibration_error(y, p)),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }


def evaluate(
    y: np.ndarray,
    p: np.ndarray,
    sources: np.ndarray | list[str],
    threshold: float,
    review_threshold: float,
    *,
    groups: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Overall metrics plus the same per source, at ``threshold``; review-band counts too.

    ``groups`` names sets of sources to evaluate together (e.g. ``{"wechat": ["whu_ad", "whu_news"]}`` for the
    ROC AUC of a corpus whose two classes carry different sources); they appear under ``per_group``."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=np.float64)
    sources = np.asarray(sources, dtype=object)
    out = binary_metrics(y, p, threshold)
    out["threshold"] = round(float(threshold), 6)
    out["review_threshold"] = round(float(review_threshold), 6)
    out["decisions"] = {
        "ad": int(np.sum(p >= threshold)),
        "review": int(np.sum((p >= review_threshold) & (p < threshold))),
        "genuine": int(np.sum(p < review_threshold)),
    }
    out["per_source"] = {
        str(s): binary_metrics(y[sources == s], p[sources == s], threshold) for s in sorted(set(sources.tolist()))
    }
    if groups:
        out["per_group"] = {}
        for name, members in groups.items():
            mask = np.isin(sources, list(members))
            if mask.any():
                out["per_group"][name] = binary_metrics(y[mask], p[mask], threshold)
    return out


def format_value(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def metrics_table(per_source: dict[str, dict[str, Any]], overall: dict[str, Any] | None = None) -> str:
    cols = ["n", "n_ad", "roc_auc", "precision", "recall", "f1", "false_positive_rate", "ece"]
    lines = ["| source | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    if overall is not None:
        lines.append("| **all** | " + " | ".join(format_value(overall.get(c)) for c in cols) + " |")
    for s, m in per_source.items():
        lines.append(f"| {s} | " + " | ".join(format_value(m.get(c)) for c in cols) + " |")
    return "\n".join(lines)
