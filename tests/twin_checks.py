"""The checks that prove the scratch MLP and the PyTorch MLP are the same network.

Each returns the size of a disagreement, so a test can assert that it is tiny
for the real code and large for a deliberately broken copy.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from mlpcourse import gradcheck, scratch, torch_mlp
from mlpcourse.parity import largest_difference

GRADCHECK_TOLERANCE = gradcheck.TOLERANCE


def forward_gap(model: scratch.MLP, points: np.ndarray) -> float:
    """Largest difference between the outputs of a scratch model and its PyTorch copy."""
    copy = torch_mlp.TorchMLP.copy_of(model)
    return largest_difference(
        {"y": model.forward(points)}, {"y": copy.predict(points)}
    )


def autograd_gap(
    model: scratch.MLP, points: np.ndarray, targets: np.ndarray
) -> float:
    """Largest difference between hand-written and autograd gradients of the MSE."""
    copy = torch_mlp.TorchMLP.copy_of(model)
    by_hand = gradcheck.analytic_gradients(model, points, targets)
    nn.MSELoss()(
        copy(torch.from_numpy(points)), torch.from_numpy(targets)
    ).backward()
    return largest_difference(by_hand, copy.scratch_arrays(gradients=True))


def finite_difference_error(
    model: scratch.MLP, points: np.ndarray, targets: np.ndarray
) -> float:
    """The largest relative error of any parameter array in the gradient check."""
    return max(gradcheck.relative_errors(model, points, targets).values())


def training_gap(
    model: scratch.MLP, points: np.ndarray, targets: np.ndarray, **options
) -> float:
    """Train a scratch model and its PyTorch copy alike; the largest gap in losses or weights."""
    copy = torch_mlp.TorchMLP.copy_of(model)
    scratch_losses = scratch.train(model, points, targets, **options)
    torch_losses = torch_mlp.train(copy, points, targets, **options)
    return max(
        largest_difference({"loss": scratch_losses}, {"loss": torch_losses}),
        largest_difference(model.parameters(), copy.scratch_arrays()),
    )
