"""Odd inputs to the notebook helpers are refused with an error naming them, not turned into plausible figures."""

import math

import numpy as np
import pytest

from model import InvalidParameterError
from training.notebook_helpers import plot_threshold_tradeoff, threshold_tradeoff

Y = [0, 0, 0, 0, 1, 1]
P = [0.1, 0.2, 0.3, 0.4, 0.8, 0.9]
S = ["xhs"] * 6


@pytest.mark.parametrize(
    ("y", "p", "kwargs", "match"),
    [
        # Before: a NaN probability was never flagged, and the table said so at every rate without a word.
        (Y, [0.1, math.nan, 0.3, 0.4, 0.8, 0.9], {}, r"'p' must hold probabilities in \[0, 1\]. Got nan at index 1"),
        (Y, [0.1, 0.2, 0.3, 0.4, 0.8, 1.5], {}, r"'p' .* Got 1.5 at index 5"),
        # Before: a label 2 counted as neither an ad nor a genuine note.
        ([0, 2, 0, 0, 1, 1], P, {}, r"'y' must hold labels 1 \(ad\) and 0 \(genuine\). Got 2 at index 1"),
        # Before: a TypeError from comparing a string with 0.
        (Y, P, {"target_fprs": ["0.1"]}, r"Each of 'target_fprs' must be a float in \(0, 1\). Got '0.1'"),
    ],
)
def test_threshold_tradeoff_refuses_values_it_cannot_count(y, p, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        threshold_tradeoff(y, p, S, target_source="xhs", **kwargs)
    with pytest.raises(InvalidParameterError, match=match):
        plot_threshold_tradeoff(y, p, S, target_source="xhs", chosen_threshold=0.5, **kwargs)


def test_threshold_tradeoff_takes_labels_as_numpy_or_floats():
    expected = threshold_tradeoff(Y, P, S, target_source="xhs")
    assert threshold_tradeoff(np.array(Y), np.array(P), S, target_source="xhs") == expected
    assert threshold_tradeoff([float(v) for v in Y], P, S, target_source="xhs") == expected
