"""Training the NumPy and the PyTorch networks side by side."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import torch

from . import scratch, torch_mlp
from .data import Dataset
from .settings import Experiment

PARITY_TOLERANCE = 1e-9
"""In float64 the two runs may differ by rounding alone: at most this much."""


class TwinRuns(NamedTuple):
    """Both networks after training, with their loss per epoch."""

    scratch_model: scratch.MLP
    scratch_losses: np.ndarray
    torch_model: torch_mlp.TorchMLP
    torch_losses: np.ndarray


def train_both(
    experiment: Experiment,
    dataset: Dataset,
    dtype: torch.dtype = torch.float64,
) -> TwinRuns:
    """Train a scratch MLP and a PyTorch copy of its initial weights alike."""
    scratch_model = experiment.make_scratch_model()
    torch_model = torch_mlp.TorchMLP.copy_of(scratch_model, dtype=dtype)
    options = experiment.training_options()
    scratch_losses = scratch.train(
        scratch_model, dataset.points, dataset.targets, **options
    )
    torch_losses = torch_mlp.train(
        torch_model, dataset.points, dataset.targets, **options
    )
    return TwinRuns(scratch_model, scratch_losses, torch_model, torch_losses)


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


def report(runs: TwinRuns) -> str:
    """How far apart the two runs ended: loss curves and final parameters."""
    loss_gap = largest_difference(
        {"loss": runs.scratch_losses}, {"loss": runs.torch_losses}
    )
    weight_gap = largest_difference(
        runs.scratch_model.parameters(), runs.torch_model.scratch_arrays()
    )
    return (
        f"largest loss difference over {len(runs.scratch_losses)} epochs: "
        f"{loss_gap:.1e}\n"
        f"largest difference between the final parameters: {weight_gap:.1e}\n"
        f"both within {PARITY_TOLERANCE:.0e}: "
        f"{max(loss_gap, weight_gap) <= PARITY_TOLERANCE}"
    )
