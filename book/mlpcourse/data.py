"""The two datasets of the course, drawn from seeded generators.

Both live on the unit square. ``make_linear`` splits it with a straight line,
``make_circle`` with a circle. Each returns a ``Dataset`` holding the points,
their class labels, the training targets the network is fitted to, and the
true boundary as a polyline for the figures.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .checks import as_float_array, positive_float, positive_int, valid_seed

LINEAR_OFFSET = 0.3
"""Class 1 holds the points with ``x0 - x1 < LINEAR_OFFSET``."""

CIRCLE_CENTRE = (0.5, 0.5)
CIRCLE_RADIUS = 0.4
"""Class +1 lies inside this circle around ``CIRCLE_CENTRE``, -1 outside."""


class Dataset(NamedTuple):
    """Points with their labels, training targets and true class boundary."""

    name: str
    points: np.ndarray
    """Shape (n, 2): coordinates in the unit square."""
    labels: np.ndarray
    """Shape (n,): the class of each point (0/1 or -1/+1)."""
    targets: np.ndarray
    """Shape (n, outputs): what the network's outputs are trained towards."""
    true_boundary: np.ndarray
    """Shape (k, 2): a polyline along the boundary that set the labels."""


def make_linear(n_points: int = 100, *, seed: int) -> Dataset:
    """Points split by the line ``x1 = x0 - 0.3``; targets ``[is_1, is_0]``."""
    n_points = positive_int(n_points, "n_points")
    rng = np.random.default_rng(valid_seed(seed, "seed"))
    points = rng.uniform(0.0, 1.0, size=(n_points, 2))
    labels = (points[:, 0] - points[:, 1] < LINEAR_OFFSET).astype(np.int64)
    line_x = np.array([LINEAR_OFFSET, 1.0])
    boundary = np.column_stack([line_x, line_x - LINEAR_OFFSET])
    return Dataset("linear", points, labels, linear_targets(labels), boundary)


def make_circle(
    n_points: int = 1000, *, radius: float = CIRCLE_RADIUS, seed: int
) -> Dataset:
    """Points labelled +1 inside a circle around (0.5, 0.5), -1 outside."""
    n_points = positive_int(n_points, "n_points")
    if positive_float(radius, "radius") > 0.5:
        raise ValueError(
            "radius must lie in (0, 0.5] so the circle fits the unit square, "
            f"got {radius}"
        )
    rng = np.random.default_rng(valid_seed(seed, "seed"))
    points = rng.uniform(0.0, 1.0, size=(n_points, 2))
    inside = np.hypot(*(points - CIRCLE_CENTRE).T) < radius
    labels = np.where(inside, 1, -1).astype(np.int64)
    angles = np.linspace(0.0, 2.0 * np.pi, 181)
    boundary = (
        np.column_stack([np.cos(angles), np.sin(angles)]) * radius
        + CIRCLE_CENTRE
    )
    return Dataset("circle", points, labels, circle_targets(labels), boundary)


def linear_targets(labels: np.ndarray) -> np.ndarray:
    """One-hot rows ``[is_class_1, is_class_0]`` for labels in {0, 1}."""
    labels = _labels_in(labels, (0, 1))
    return np.column_stack([labels == 1, labels == 0]).astype(np.float64)


def linear_labels(outputs: np.ndarray) -> np.ndarray:
    """Class 1 where the first output unit wins the argmax, else class 0."""
    outputs = as_float_array(outputs, "outputs", ndim=2, columns=2)
    return np.where(np.argmax(outputs, axis=1) == 0, 1, 0)


def circle_targets(labels: np.ndarray) -> np.ndarray:
    """Targets of shape (n, 1): the labels -1 and +1, as tanh can output."""
    labels = _labels_in(labels, (-1, 1))
    return labels.astype(np.float64).reshape(-1, 1)


def circle_labels(outputs: np.ndarray) -> np.ndarray:
    """The sign of the single output: +1 where it is at least 0, else -1."""
    outputs = as_float_array(outputs, "outputs", ndim=2, columns=1)
    return np.where(outputs[:, 0] >= 0.0, 1, -1)


def decision_scores(outputs: np.ndarray) -> np.ndarray:
    """One score per point whose sign is the class the network predicts.

    Two outputs (the linear network): the first minus the second, at least 0
    where ``linear_labels`` picks class 1. One output (the circle network):
    the output itself, at least 0 where ``circle_labels`` picks +1. The
    learnt boundary is where the score is 0.
    """
    outputs = as_float_array(outputs, "outputs", ndim=2)
    if outputs.shape[1] == 2:
        return outputs[:, 0] - outputs[:, 1]
    if outputs.shape[1] == 1:
        return outputs[:, 0]
    raise ValueError(
        f"outputs must have 1 or 2 columns, got shape {outputs.shape}"
    )


def _labels_in(labels: np.ndarray, allowed: tuple[int, int]) -> np.ndarray:
    labels = as_float_array(labels, "labels", ndim=1)
    if not np.all(np.isin(labels, allowed)):
        raise ValueError(f"labels must each be {allowed[0]} or {allowed[1]}")
    return labels.astype(np.int64)
