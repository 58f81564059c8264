"""The trained model on held-out notes, for notebook 01's evaluation sections: its probabilities, the plots the
training run wrote, the terms it weighs most and the notes it gets wrong, with its reasons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.classifier import AdModel
from model.errors import InvalidParameterError
from model.feature_labels import feature_label
from training.data import Example


@dataclass
class Scored:
    """Labels, calibrated probabilities, sources and the model's decisions of scored examples, aligned."""

    y: np.ndarray
    p: np.ndarray
    sources: np.ndarray
    decisions: list[str]


def score_examples(model: AdModel, examples: Sequence[Example]) -> Scored:
    """Calibrated ad probabilities of ``examples`` with their labels, sources and decisions (those of
    :meth:`AdModel.score`: a note at or above the threshold that no phrase explains is ``review``)."""
    scored = model.score([e.note for e in examples], top=0) if examples else None
    return Scored(
        y=np.array([e.label for e in examples], dtype=int),
        p=np.asarray(scored.probabilities if scored else np.zeros(0), dtype=np.float64),
        sources=np.array([e.source for e in examples], dtype=object),
        decisions=scored.decisions if scored else [],
    )


REPORT_PLOTS: tuple[str, ...] = (
    "roc.png",
    "precision_recall.png",
    "reliability.png",
    "confusion_matrix.png",
    "fpr_by_source.png",
)


def report_plots(out_dir: str | Path) -> list[Path]:
    """The evaluation plots a training run wrote to ``out_dir``, in reading order (missing ones skipped: the
    curves need both classes in the test split)."""
    out = Path(out_dir)
    if not out.is_dir():
        raise InvalidParameterError(f"The 'out_dir' parameter must be a training output directory. Got {str(out)!r}.")
    return [out / name for name in REPORT_PLOTS if (out / name).is_file()]


def top_terms(model: AdModel, *, n: int = 15) -> dict[str, list[dict[str, Any]]]:
    """The ``n`` features with the largest positive ("ad") and negative ("genuine") coefficients, with their
    readable names."""
    if n < 1:
        raise InvalidParameterError(f"The 'n' parameter of top_terms must be an int >= 1. Got {n!r} instead.")
    coef = np.asarray(model.pipeline[-1].coef_[0], dtype=np.float64)
    names = model.feature_names()
    order = np.argsort(-coef, kind="stable")

    def rows(idx: Iterable[int]) -> list[dict[str, Any]]:
        out = []
        for i in idx:
            label, kind = feature_label(str(names[i]))
            out.append({"feature": str(names[i]), "label": label, "kind": kind, "coefficient": float(coef[i])})
        return out

    return {
        "ad": rows(i for i in order[:n] if coef[i] > 0),
        "genuine": rows(i for i in order[::-1][:n] if coef[i] < 0),
    }


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def misclassified(
    model: AdModel,
    examples: Sequence[Example],
    probabilities: Sequence[float],
    *,
    decisions: Sequence[str] | None = None,
    n: int = 3,
    top: int = 4,
    text_chars: int = 140,
    source: str | None = None,
) -> list[dict[str, Any]]:
    """Up to ``n`` false positives (genuine notes decided "ad", most confident first) and ``n`` false negatives
    (ads not decided "ad", lowest probability first), each with the reasons the model gives. The decisions are the
    model's own (:meth:`AdModel.score`, as ``check`` and ``notecheck evaluate`` decide): ``decisions`` when given
    (:func:`score_examples` keeps them), else scored here. With ``source``, only that source's examples (the
    target's: the most confident errors over all sources were WeChat copy, not the notes the model is for)."""
    for name, value, low in (("n", n, 0), ("top", top, 0), ("text_chars", text_chars, 2)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            # n = -1 sliced off the last error ([:-1]) instead of showing none or all
            raise InvalidParameterError(
                f"The '{name}' parameter of misclassified must be an int >= {low}. Got {value!r}."
            )
    p = np.asarray(probabilities, dtype=np.float64)
    if len(p) != len(examples):
        raise InvalidParameterError(
            f"'probabilities' must have one value per example ({len(examples)}). Got {len(p)} instead."
        )
    if decisions is None:
        decisions = model.score([e.note for e in examples], top=0).decisions if examples else []
    if len(decisions) != len(examples):
        raise InvalidParameterError(
            f"'decisions' must have one value per example ({len(examples)}). Got {len(decisions)} instead."
        )
    y = np.array([e.label for e in examples], dtype=int)
    flagged = np.array([d == "ad" for d in decisions], dtype=bool)
    mine = np.array([source is None or e.source == source for e in examples], dtype=bool)
    fps = np.flatnonzero(flagged & (y == 0) & mine)
    fns = np.flatnonzero(~flagged & (y == 1) & mine)
    picks = [("false positive", i) for i in fps[np.argsort(-p[fps], kind="stable")][:n]]
    picks += [("false negative", i) for i in fns[np.argsort(p[fns], kind="stable")][:n]]
    out = []
    for kind, i in picks:
        e = examples[i]
        ex = model.explain(e.note, top=top)
        out.append(
            {
                "error": kind,
                "id": e.note.id,
                "source": e.source,
                "label": "ad" if e.label else "genuine",
                "probability": float(p[i]),
                "decision": decisions[i],
                "text": _short(f"{e.note.title} | {e.note.text}" if e.note.title else e.note.text, text_chars),
                "towards ad": [f"{r.label} ({r.contribution:+.2f})" for r in ex.towards_ad],
                "towards genuine": [f"{r.label} ({r.contribution:+.2f})" for r in ex.towards_genuine],
            }
        )
    return out
