"""How a value of a training config is checked: one error format naming the key, what it must be and what came in,
shared by the top-level keys, ``[model]`` (:mod:`training.config`) and each ``[[dataset]]``
(:mod:`training.dataset_config`)."""

from __future__ import annotations

import math
from typing import Any

from model.errors import InvalidParameterError


def check(cond: bool, name: str, expected: str, got: Any) -> None:
    """Raise :class:`InvalidParameterError` naming ``name``, ``expected`` and ``got`` unless ``cond``."""
    if not cond:
        raise InvalidParameterError(f"The '{name}' parameter of the training config must be {expected}. Got {got!r}.")


def is_number(value: Any) -> bool:
    """A finite int or float from the TOML file (not a boolean, not a string that looks like a number)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_int(value: Any) -> bool:
    """An int from the TOML file (a boolean is an int to Python, not to a config)."""
    return isinstance(value, int) and not isinstance(value, bool)
