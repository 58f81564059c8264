"""notecheck training: data loading and validation, fitting, evaluation, reports and plots.

The names below are imported when first used, not with the package: ``python -m training.threshold`` (or any
tool module that ``training.train`` imports) would otherwise find its own module already imported by the package
and run it a second time, with a RuntimeWarning from runpy on every call."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from training.config import TrainConfig, load_config
    from training.evaluate import evaluate, expected_calibration_error
    from training.train import run_training

_WHERE = {
    "TrainConfig": "training.config",
    "load_config": "training.config",
    "evaluate": "training.evaluate",
    "expected_calibration_error": "training.evaluate",
    "run_training": "training.train",
}

__all__ = ["TrainConfig", "evaluate", "expected_calibration_error", "load_config", "run_training"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'training' has no attribute {name!r}")
