"""Metrics for the ad task (used by ``notecheck evaluate`` and by training): ROC AUC, precision, recall, F1
and false-positive rate at the stored threshold, expected calibration error, and the same per source."""

from __future__ import annotations

from typing import Any

import numpy as np

from model.errors import InvalidParameterError


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


def binary_metrics(
    y: np.ndarray, p: np.ndarray, threshold: float, *, flagged: np.ndarray | None = None
) -> dict[str, Any]:
    """Ranking metrics of the probabilities ``p``; precision, recall, F1, false-positive rate and the confusion of
    the notes decided "ad": ``flagged`` when given (the model's decisions, see :func:`evaluate`), else
    ``p >= threshold``."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=np.float64)
    pred = p >= threshold if flagged is None else np.asarray(flagged, dtype=bool)
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
    decisions: np.ndarray | list[str] | None = None,
) -> dict[str, Any]:
    """Overall metrics plus the same per source, at ``threshold``; review-band counts too.

    ``decisions`` are the model's decisions of the notes (``ad``/``review``/``genuine``, as
    :meth:`model.classifier.AdModel.score` gives them): precision, recall and the confusion then count the notes
    decided "ad", which excludes notes at or above the threshold that no phrase explains (sent to review), and
    ``unexplained`` counts those. Without them a note is "ad" when ``p >= threshold``.

    ``groups`` names sets of sources to evaluate together (e.g. ``{"wechat": ["whu_ad", "whu_news"]}`` for the
    ROC AUC of a corpus whose two classes carry different sources); they appear under ``per_group``."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=np.float64)
    sources = np.asarray(sources, dtype=object)
    if decisions is None:
        decided = np.where(p >= threshold, "ad", np.where(p >= review_threshold, "review", "genuine"))
    else:
        decided = np.asarray(decisions, dtype=object)
        if decided.shape != p.shape:
            raise InvalidParameterError(
                f"'decisions' must have one value per note ({len(p)}). Got {len(decided)} instead."
            )
    flagged = decided == "ad"
    out = binary_metrics(y, p, threshold, flagged=flagged)
    out["threshold"] = round(float(threshold), 6)
    out["review_threshold"] = round(float(review_threshold), 6)
    out["decisions"] = {d: int(np.sum(decided == d)) for d in ("ad", "review", "genuine")}
    if decisions is not None:
        out["unexplained"] = int(np.sum((p >= threshold) & ~flagged))
    out["per_source"] = {
        str(s): binary_metrics(y[m], p[m], threshold, flagged=flagged[m])
        for s in sorted(set(sources.tolist()))
        for m in [sources == s]
    }
    if groups:
        out["per_group"] = {}
        for name, members in groups.items():
            mask = np.isin(sources, list(members))
            if mask.any():
                out["per_group"][name] = binary_metrics(y[mask], p[mask], threshold, flagged=flagged[mask])
    return out


def declared_counts(y: np.ndarray, declared: np.ndarray, decisions: np.ndarray | list[str]) -> dict[str, Any]:
    """What the rule for notes that declare themselves ads (:mod:`model.declared`) did on labelled notes: how many it
    decided ``ad``, how many of those are labelled ad and genuine (a genuine one is a false positive the rule adds),
    and what the model alone (``decisions``, its own) decided of them."""
    y = np.asarray(y, dtype=int)
    said = np.asarray(declared, dtype=bool)
    own = np.asarray(decisions, dtype=object)[said]
    return {
        "n": int(said.sum()),
        "labelled_ad": int(np.sum(said & (y == 1))),
        "labelled_genuine": int(np.sum(said & (y == 0))),
        "model_decisions": {d: int(np.sum(own == d)) for d in ("ad", "review", "genuine")},
    }


def format_value(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def metrics_table(
    per_source: dict[str, dict[str, Any]], overall: dict[str, Any] | None = None, *, target: str | None = None
) -> str:
    """One row per source (and ``overall`` as **all**). With ``target`` (the source the model is for), its row
    comes first, in bold, and the pooled row last as "all sources pooled": pooled over corpora that are easy by
    their style (WeChat copy, SMS, reviews), it reads far better than the target source and is not the task."""
    cols = ["n", "n_ad", "roc_auc", "precision", "recall", "f1", "false_positive_rate", "ece"]
    lines = ["| source | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]

    def row(name: str, m: dict[str, Any]) -> str:
        return f"| {name} | " + " | ".join(format_value(m.get(c)) for c in cols) + " |"

    if target is not None and target in per_source:
        lines.append(row(f"**{target}** (the target)", per_source[target]))
        lines += [row(s, m) for s, m in per_source.items() if s != target]
        if overall is not None:
            lines.append(row("all sources pooled", overall))
        return "\n".join(lines)
    if overall is not None:
        lines.append(row("**all**", overall))
    lines += [row(s, m) for s, m in per_source.items()]
    return "\n".join(lines)
