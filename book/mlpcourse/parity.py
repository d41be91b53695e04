"""Training the NumPy and the PyTorch networks side by side."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import torch

from . import scratch, torch_mlp
from .data import Dataset
from .pages.claims import require
from .pages.rounding import shown
from .settings import Experiment
from .training import EpochHook, each

Predictor = scratch.MLP | torch_mlp.TorchMLP
Watch = Callable[[Predictor], Mapping[str, EpochHook]]
"""What to record of a network: its epoch hooks by name, made for it."""

PARITY_TOLERANCE = 1e-9
"""In float64 the two runs may differ by rounding alone: at most this much."""

NOTHING_WATCHED: Mapping[str, EpochHook] = MappingProxyType({})

TrainingLoop = Callable[..., np.ndarray]
"""A training loop with ``torch_mlp.train``'s arguments: losses per epoch."""


class TwinRuns(NamedTuple):
    """Both networks after training, with their loss per epoch, and the
    epoch hooks ``watch`` made for each network, by name."""

    scratch_model: scratch.MLP
    scratch_losses: np.ndarray
    torch_model: torch_mlp.TorchMLP
    torch_losses: np.ndarray
    scratch_watched: Mapping[str, EpochHook] = NOTHING_WATCHED
    torch_watched: Mapping[str, EpochHook] = NOTHING_WATCHED

    def recorded(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """What the recorder ``name`` recorded of each network, as arrays:
        the NumPy network's, then the PyTorch network's."""
        return (
            _values(self.scratch_watched, name),
            _values(self.torch_watched, name),
        )


def _values(watched: Mapping[str, EpochHook], name: str) -> np.ndarray:
    if name not in watched:
        raise KeyError(
            f"name must be one of the recorded {sorted(watched)}, got {name!r}"
        )
    if not hasattr(watched[name], "values"):
        raise TypeError(
            f"{name!r} must be a training.Recorder to have values, "
            f"got {type(watched[name]).__name__}"
        )
    return np.array(watched[name].values)


def hooks_for(model: Predictor, watch: Watch | None) -> dict[str, EpochHook]:
    """The epoch hooks ``watch`` makes for ``model``; none without one."""
    if watch is None:
        return {}
    hooks = watch(model)
    if not isinstance(hooks, Mapping):
        raise TypeError(
            "watch must return a dict of epoch hooks by name, "
            f"got {type(hooks).__name__}"
        )
    return dict(hooks)


def train_both(
    experiment: Experiment,
    dataset: Dataset,
    dtype: torch.dtype = torch.float64,
    watch: Watch | None = None,
    *,
    torch_network: type[torch_mlp.TorchMLP] = torch_mlp.TorchMLP,
    torch_train: TrainingLoop = torch_mlp.train,
) -> TwinRuns:
    """Train a scratch MLP and a PyTorch copy of its initial weights alike.

    ``watch(model)``, if given, makes the epoch hooks that record that
    network (``training.Recorder``s, say): its loop calls them each epoch.
    The PyTorch side is ``torch_network`` trained by ``torch_train``:
    chapter 2's, or a learner's own in its workbook.
    """
    scratch_model = experiment.make_scratch_model()
    torch_model = torch_network.copy_of(scratch_model, dtype=dtype)
    scratch_watched = hooks_for(scratch_model, watch)
    torch_watched = hooks_for(torch_model, watch)
    options = experiment.training_options()
    scratch_losses = scratch.train(
        scratch_model,
        dataset.points,
        dataset.targets,
        **options,
        on_epoch=each(*scratch_watched.values()),
    )
    torch_losses = torch_train(
        torch_model,
        dataset.points,
        dataset.targets,
        **options,
        on_epoch=each(*torch_watched.values()),
    )
    return TwinRuns(
        scratch_model,
        scratch_losses,
        torch_model,
        torch_losses,
        scratch_watched,
        torch_watched,
    )


def frame_gap(scratch_frames: np.ndarray, torch_frames: np.ndarray) -> float:
    """The largest difference between the two networks' film frames."""
    if np.shape(scratch_frames) != np.shape(torch_frames):
        raise ValueError(
            "scratch_frames and torch_frames must have the same shape, got "
            f"{np.shape(scratch_frames)} and {np.shape(torch_frames)}"
        )
    return largest_difference(
        {"frames": scratch_frames}, {"frames": torch_frames}
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


def require_agreement(
    runs: TwinRuns,
    setting: str,
    frames: tuple[np.ndarray, np.ndarray] | None = None,
) -> None:
    """Claim: the two runs agree within the tolerance at every epoch, and
    so do both networks' film ``frames`` (``runs.recorded``), if given."""
    gap = gaps(runs)
    worst = int(np.argmax(np.abs(runs.scratch_losses - runs.torch_losses)))
    measured = (
        f"loss gap {gap.losses:.1e} (largest at epoch {worst + 1}), "
        f"final parameter gap {gap.parameters:.1e}"
    )
    agree = gap.agree
    if frames is not None:
        frames_gap = frame_gap(*frames)
        agree = agree and frames_gap <= PARITY_TOLERANCE
        measured += f", film frame gap {frames_gap:.1e}"
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
