"""Measuring how well a network classifies."""

from __future__ import annotations

import numpy as np

from .checks import as_float_array, same_length


def accuracy(predicted: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of points whose predicted label equals the true label."""
    predicted = as_float_array(predicted, "predicted", ndim=1)
    labels = as_float_array(labels, "labels", ndim=1)
    same_length(predicted, labels, ("predicted", "labels"))
    return float(np.mean(predicted == labels))
