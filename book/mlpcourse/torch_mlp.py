"""The same two-layer perceptron, written with PyTorch: chapter 2."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from . import scratch
from .checks import as_float_array, positive_ints, valid_seed
from .training import (
    EpochHook,
    check_loss,
    check_training_args,
    epoch_batches,
)

# Where the course's PyTorch networks and tensors live: the CPU, also on a
# machine with a GPU. The course's networks are far too small to gain from
# one ("Going further" measures this), and on the CPU, in float64, the
# PyTorch runs agree with chapter 1's NumPy runs to rounding. This is the
# one place to change it.
DEVICE = torch.device("cpu")

# Activations hold no state, so they stay plain functions, as in chapter 1.
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "identity": scratch.identity,
}


class TorchMLP(nn.Module):
    """Two ``nn.Linear`` layers, each followed by an activation function."""

    def __init__(
        self,
        n_inputs: int,
        n_hidden: int,
        n_outputs: int,
        hidden_activation: str,
        output_activation: str,
        dtype: torch.dtype = torch.float64,
        *,
        seed: int = 0,
    ) -> None:
        super().__init__()
        positive_ints(
            n_inputs=n_inputs, n_hidden=n_hidden, n_outputs=n_outputs
        )
        # Same names as chapter 1, and the same error for an unknown one.
        scratch.activation(hidden_activation)
        scratch.activation(output_activation)
        with torch.random.fork_rng():  # seeded, global generator untouched
            torch.manual_seed(valid_seed(seed, "seed"))
            self.hidden = nn.Linear(
                n_inputs, n_hidden, dtype=dtype, device=DEVICE
            )
            self.output = nn.Linear(
                n_hidden, n_outputs, dtype=dtype, device=DEVICE
            )
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        hidden = ACTIVATIONS[self.hidden_activation](self.hidden(inputs))
        return ACTIVATIONS[self.output_activation](self.output(hidden))

    def extra_repr(self) -> str:
        return (
            f"activations: {self.hidden_activation}, {self.output_activation}"
        )

    @classmethod
    def copy_of(
        cls, model: scratch.MLP, dtype: torch.dtype = torch.float64
    ) -> TorchMLP:
        """A PyTorch network holding the same parameters as a scratch ``MLP``.

        ``nn.Linear`` computes ``x @ weight.T + bias``, so it stores the
        transpose of the scratch layer's ``weights``.
        """
        n_inputs, n_hidden = model.hidden.weights.shape
        n_outputs = model.output.weights.shape[1]
        copy = cls(
            n_inputs,
            n_hidden,
            n_outputs,
            model.hidden_activation.name,
            model.output_activation.name,
            dtype=dtype,
        )
        with torch.no_grad():
            for layer, source in (
                (copy.hidden, model.hidden),
                (copy.output, model.output),
            ):
                layer.weight.copy_(torch.from_numpy(source.weights.T))
                layer.bias.copy_(torch.from_numpy(source.bias))
        return copy

    def scratch_arrays(self, gradients: bool = False) -> dict[str, np.ndarray]:
        """Parameters, or their gradients, as NumPy arrays.

        The names and shapes are those of ``scratch.MLP.parameters()``.
        """
        arrays = {}
        for prefix, layer in (
            ("hidden", self.hidden),
            ("output", self.output),
        ):
            weight, bias = (
                (layer.weight.grad, layer.bias.grad)
                if gradients
                else (layer.weight, layer.bias)
            )
            if weight is None or bias is None:
                raise RuntimeError(
                    "no gradients yet: call loss.backward() first"
                )
            arrays[f"{prefix}.weights"] = (
                weight.detach().T.double().cpu().numpy()
            )
            arrays[f"{prefix}.bias"] = bias.detach().double().cpu().numpy()
        return arrays

    def predict(self, points: np.ndarray) -> np.ndarray:
        """NumPy in, NumPy out: the outputs for a batch, without autograd."""
        points = as_float_array(
            points, "points", ndim=2, columns=self.hidden.in_features
        )
        weight = self.hidden.weight
        with torch.no_grad():
            outputs = self(
                torch.from_numpy(points).to(weight.device, weight.dtype)
            )
        return outputs.double().cpu().numpy()


def train(
    model: TorchMLP,
    points: np.ndarray,
    targets: np.ndarray,
    *,
    learning_rate: float,
    epochs: int,
    batch_size: int,
    shuffle_seed: int,
    on_epoch: EpochHook | None = None,
) -> np.ndarray:
    """The loop of ``scratch.train``, with PyTorch doing the calculus."""
    shape = (model.hidden.in_features, model.output.out_features)
    points, targets = check_training_args(
        points, targets, shape, learning_rate, epochs, batch_size
    )
    weight = model.hidden.weight
    inputs = torch.from_numpy(points).to(weight.device, weight.dtype)
    wanted = torch.from_numpy(targets).to(weight.device, weight.dtype)
    rng = np.random.default_rng(valid_seed(shuffle_seed, "shuffle_seed"))
    losses = np.empty(epochs)
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:  # a recorder, for instance (optional)
            on_epoch(epoch + 1)
    return losses
