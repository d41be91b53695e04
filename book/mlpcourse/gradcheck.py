"""Checking hand-written gradients against central finite differences."""

from __future__ import annotations

import numpy as np

from . import scratch
from .checks import as_float_array, positive_float
from .scratch import MLP

TOLERANCE = 1e-6
"""A correct backward pass stays far below this relative error in float64;
a gradient off by a factor of 2 lands at 1/3."""


def analytic_gradients(
    model: MLP, points: np.ndarray, targets: np.ndarray
) -> dict[str, np.ndarray]:
    """The gradients of the MSE that ``MLP.backward`` computes, as copies."""
    model.zero_grad()
    outputs = model.forward(points)
    model.backward(scratch.mse_gradient(outputs, targets))
    return {name: grad.copy() for name, grad in model.gradients().items()}


def numerical_gradients(
    model: MLP, points: np.ndarray, targets: np.ndarray, epsilon: float = 1e-6
) -> dict[str, np.ndarray]:
    """dL/dp ~ (L(p + eps) - L(p - eps)) / (2 eps), one entry at a time."""
    gradients = {}
    for name, parameter in model.parameters().items():
        gradient = np.empty_like(parameter)
        for index in np.ndindex(parameter.shape):
            saved = parameter[index]
            parameter[index] = saved + epsilon
            loss_plus = scratch.mse(model.forward(points), targets)
            parameter[index] = saved - epsilon
            loss_minus = scratch.mse(model.forward(points), targets)
            parameter[index] = saved
            gradient[index] = (loss_plus - loss_minus) / (2.0 * epsilon)
        gradients[name] = gradient
    return gradients


def relative_error(analytic: np.ndarray, numerical: np.ndarray) -> float:
    """|analytic - numerical| / (|analytic| + |numerical|), with Euclidean
    norms over the whole array; 0 when both are all zeros."""
    difference = np.linalg.norm(analytic - numerical)
    scale = np.linalg.norm(analytic) + np.linalg.norm(numerical)
    return float(difference / scale) if scale > 0 else 0.0


def relative_errors(
    model: MLP, points: np.ndarray, targets: np.ndarray, epsilon: float = 1e-6
) -> dict[str, float]:
    """Per parameter array, the ``relative_error`` of ``MLP.backward``'s
    gradient against the central differences."""
    n_inputs, n_outputs = (
        model.hidden.weights.shape[0],
        model.output.weights.shape[1],
    )
    points = as_float_array(points, "points", ndim=2, columns=n_inputs)
    targets = as_float_array(targets, "targets", ndim=2, columns=n_outputs)
    epsilon = positive_float(epsilon, "epsilon")
    analytic = analytic_gradients(model, points, targets)
    numerical = numerical_gradients(model, points, targets, epsilon)
    return {
        name: relative_error(analytic[name], numerical[name])
        for name in analytic
    }
