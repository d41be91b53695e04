"""What the NumPy and the PyTorch training loops share.

Both loops visit the data in the same order and stop the same way when the
loss stops being a number, so any difference between their runs comes from
the networks alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from .checks import as_float_array, positive_float, positive_int, same_length

EpochHook = Callable[[int], None]
"""Called by both training loops after each epoch, with its number (from 1).

It sees the network as that epoch left it: a way to record how training
went (accuracy per epoch, snapshots) without adding to the loop itself.
"""


class Recorder:
    """An epoch hook that records ``measure()`` before and after epochs.

    ``values[i]`` was measured at epoch ``epochs[i]``: epoch 0 is when the
    recorder is made, before training, and epoch k is after the k-th. With
    ``at``, only those epochs are recorded (the frames of a film, say);
    without, every one.
    """

    def __init__(
        self, measure: Callable[[], object], at: Iterable[int] | None = None
    ) -> None:
        if not callable(measure):
            raise TypeError(
                f"measure must be callable, got {type(measure).__name__}"
            )
        self.measure = measure
        self.at = None if at is None else _epoch_set(at)
        self.values: list = []
        self.epochs: list[int] = []
        self(0)

    def __call__(self, epoch: int) -> None:
        if self.at is None or epoch in self.at:
            self.values.append(self.measure())
            self.epochs.append(epoch)


def _epoch_set(at: Iterable[int]) -> frozenset[int]:
    epochs = list(at)
    if not all(
        isinstance(e, (int, np.integer)) and not isinstance(e, bool) and e >= 0
        for e in epochs
    ):
        raise ValueError(
            f"at must hold epoch numbers, whole and 0 or more, got {epochs}"
        )
    return frozenset(int(e) for e in epochs)


def each(*hooks: EpochHook) -> EpochHook:
    """One epoch hook that calls every one of ``hooks``, in order."""
    for hook in hooks:
        if not callable(hook):
            raise TypeError(
                f"each hook must be callable, got {type(hook).__name__}"
            )

    def call_each(epoch: int) -> None:
        for hook in hooks:
            hook(epoch)

    return call_each


class TrainingDiverged(FloatingPointError):
    """Raised when the loss of an epoch is NaN or infinite."""


def epoch_batches(
    n_points: int, batch_size: int, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """Yield the row indices of each minibatch of one shuffled epoch."""
    order = rng.permutation(n_points)
    for start in range(0, n_points, batch_size):
        yield order[start : start + batch_size]


def check_loss(loss: float, epoch: int, learning_rate: float) -> float:
    """Return ``loss`` if finite, else raise ``TrainingDiverged``.

    ``epoch`` counts from 0, as loops do; the message counts from 1.
    """
    if not math.isfinite(loss):
        raise TrainingDiverged(
            f"training diverged at epoch {epoch + 1}: the loss became {loss}. "
            f"Try a smaller learning rate than {learning_rate:g}."
        )
    return loss


def check_training_args(
    points: object,
    targets: object,
    shape: tuple[int, int],
    learning_rate: float,
    epochs: int,
    batch_size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a training run's arguments; return points and targets."""
    n_inputs, n_outputs = shape
    points = as_float_array(points, "points", ndim=2, columns=n_inputs)
    targets = as_float_array(targets, "targets", ndim=2, columns=n_outputs)
    same_length(points, targets, ("points", "targets"))
    positive_float(learning_rate, "learning_rate")
    positive_int(epochs, "epochs")
    positive_int(batch_size, "batch_size")
    return points, targets
