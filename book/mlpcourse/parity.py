"""Training the NumPy and the PyTorch networks side by side."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np
import torch

from . import film, scratch, torch_mlp
from .claims import require
from .data import Dataset
from .rounding import shown
from .settings import Experiment
from .training import Recorder, each

Predictor = scratch.MLP | torch_mlp.TorchMLP

PARITY_TOLERANCE = 1e-9
"""In float64 the two runs may differ by rounding alone: at most this much."""


class TwinRuns(NamedTuple):
    """Both networks after training, with their loss per epoch.

    With a ``measure``, also what it measured before training and after
    every epoch (the accuracy, say), for each network; with snapshots, the
    frames of each network's training film (``film.snapshots``).
    """

    scratch_model: scratch.MLP
    scratch_losses: np.ndarray
    torch_model: torch_mlp.TorchMLP
    torch_losses: np.ndarray
    scratch_measured: np.ndarray | None = None
    torch_measured: np.ndarray | None = None
    scratch_snapshots: Recorder | None = None
    torch_snapshots: Recorder | None = None


def train_both(
    experiment: Experiment,
    dataset: Dataset,
    dtype: torch.dtype = torch.float64,
    measure: Callable[[Predictor], float] | None = None,
    snapshots: bool = False,
) -> TwinRuns:
    """Train a scratch MLP and a PyTorch copy of its initial weights alike.

    ``measure(model)``, if given, is recorded before and after every epoch;
    with ``snapshots``, so are the frames of a training film.
    """
    scratch_model = experiment.make_scratch_model()
    torch_model = torch_mlp.TorchMLP.copy_of(scratch_model, dtype=dtype)
    options = experiment.training_options()
    models = (scratch_model, torch_model)
    records = [
        Recorder(lambda model=model: measure(model)) if measure else None
        for model in models
    ]
    frames = [
        film.snapshots(model.predict, experiment.epochs) if snapshots else None
        for model in models
    ]
    hooks = [
        each(*[hook for hook in pair if hook is not None])
        for pair in zip(records, frames, strict=True)
    ]
    scratch_losses = scratch.train(
        scratch_model,
        dataset.points,
        dataset.targets,
        **options,
        on_epoch=hooks[0],
    )
    torch_losses = torch_mlp.train(
        torch_model,
        dataset.points,
        dataset.targets,
        **options,
        on_epoch=hooks[1],
    )
    measured = [None if r is None else np.array(r.values) for r in records]
    return TwinRuns(
        scratch_model,
        scratch_losses,
        torch_model,
        torch_losses,
        *measured,
        *frames,
    )


def frame_gap(runs: TwinRuns) -> float:
    """The largest difference between the two runs' film frames."""
    if runs.scratch_snapshots is None or runs.torch_snapshots is None:
        raise ValueError("runs has no snapshots: train_both(snapshots=True)")
    return largest_difference(
        {"frames": np.array(runs.scratch_snapshots.values)},
        {"frames": np.array(runs.torch_snapshots.values)},
    )


def largest_difference(
    first: Mapping[str, np.ndarray], second: Mapping[str, np.ndarray]
) -> float:
    """The largest absolute difference between same-named arrays."""
    if set(first) != set(second):
        raise ValueError(
            "first and second must name the same arrays, "
            f"got {sorted(first)} and {sorted(second)}"
        )
    return max(
        float(
            np.max(np.abs(np.asarray(first[name]) - np.asarray(second[name])))
        )
        for name in first
    )


class Gaps(NamedTuple):
    """How far apart two runs ended: loss curves and final parameters."""

    epochs: int
    losses: float
    parameters: float

    @property
    def agree(self) -> bool:
        """Both within the tolerance: the runs are the same up to rounding."""
        return max(self.losses, self.parameters) <= PARITY_TOLERANCE


def gaps(runs: TwinRuns) -> Gaps:
    """The largest loss gap over all epochs, and the final parameter gap."""
    return Gaps(
        len(runs.scratch_losses),
        largest_difference(
            {"loss": runs.scratch_losses}, {"loss": runs.torch_losses}
        ),
        largest_difference(
            runs.scratch_model.parameters(), runs.torch_model.scratch_arrays()
        ),
    )


def report(runs: TwinRuns) -> str:
    """How far apart the two runs ended, as measured."""
    gap = gaps(runs)
    return (
        f"largest loss difference over {gap.epochs} epochs: "
        f"{shown(gap.losses)}\n"
        "largest difference between the final parameters: "
        f"{shown(gap.parameters)}"
    )


def require_agreement(runs: TwinRuns, setting: str) -> None:
    """Claim: the two runs agree within the tolerance at every epoch, and
    so do their films' frames where they were recorded."""
    gap = gaps(runs)
    worst = int(np.argmax(np.abs(runs.scratch_losses - runs.torch_losses)))
    measured = (
        f"loss gap {gap.losses:.1e} (largest at epoch {worst + 1}), "
        f"final parameter gap {gap.parameters:.1e}"
    )
    agree = gap.agree
    if runs.scratch_snapshots is not None:
        frames = frame_gap(runs)
        agree = agree and frames <= PARITY_TOLERANCE
        measured += f", film frame gap {frames:.1e}"
    require(
        "the NumPy and PyTorch runs agree within "
        f"{PARITY_TOLERANCE:.0e} at every epoch",
        agree,
        measured=measured,
        setting=setting,
    )


def one_step_gap(
    n_hidden: int, learning_rate: float, batch_size: int, dataset: Dataset
) -> float:
    """Largest parameter difference after one step of each network.

    Both start from the same weights and take one gradient-descent step on
    the first ``batch_size`` points of the dataset, with tanh layers.
    """
    model = scratch.MLP(
        dataset.points.shape[1],
        n_hidden,
        dataset.targets.shape[1],
        "tanh",
        "tanh",
        seed=0,
    )
    copy = torch_mlp.TorchMLP.copy_of(model)
    options = {
        "learning_rate": learning_rate,
        "epochs": 1,
        "batch_size": batch_size,
        "shuffle_seed": 0,
    }
    points = dataset.points[:batch_size]
    targets = dataset.targets[:batch_size]
    scratch.train(model, points, targets, **options)
    torch_mlp.train(copy, points, targets, **options)
    return largest_difference(model.parameters(), copy.scratch_arrays())
