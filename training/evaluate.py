"""Evaluation metrics; the implementation lives in :mod:`model.evaluation` so that ``notecheck evaluate``
runs without importing training code. :func:`evaluate_examples` scores training examples with a model first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from model.evaluation import binary_metrics, evaluate, expected_calibration_error, metrics_table

if TYPE_CHECKING:
    from model.classifier import AdModel
    from training.data import Example

__all__ = ["binary_metrics", "evaluate", "evaluate_examples", "expected_calibration_error", "metrics_table"]


def evaluate_examples(
    model: AdModel, examples: Sequence[Example], *, groups: dict[str, list[str]] | None = None
) -> tuple[np.ndarray, dict[str, Any]]:
    """The model's ad probabilities of ``examples`` and their :func:`evaluate` metrics at the model's thresholds."""
    p = model.predict_proba([e.note for e in examples]) if examples else np.zeros(0)
    y = np.array([e.label for e in examples])
    return p, evaluate(y, p, [e.source for e in examples], model.threshold, model.review_threshold, groups=groups)
