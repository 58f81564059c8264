"""Evaluation metrics; the implementation lives in :mod:`model.evaluation` so that ``notecheck evaluate``
runs without importing training code."""

from model.evaluation import binary_metrics, evaluate, expected_calibration_error, metrics_table

__all__ = ["binary_metrics", "evaluate", "expected_calibration_error", "metrics_table"]
