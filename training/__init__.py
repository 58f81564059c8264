"""notecheck training: data loading and validation, fitting, evaluation, reports and plots."""

from training.config import TrainConfig, load_config
from training.evaluate import evaluate, expected_calibration_error
from training.train import run_training

__all__ = ["TrainConfig", "evaluate", "expected_calibration_error", "load_config", "run_training"]
