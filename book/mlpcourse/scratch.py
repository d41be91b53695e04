"""A two-layer perceptron written with NumPy alone: chapter 1 of the course.

Every piece here is shown and explained in the chapter, and the PyTorch
chapter and the tests compare against this very code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .checks import as_float_array, positive_ints, same_shape, valid_seed
from .training import (
    EpochHook,
    check_loss,
    check_training_args,
    epoch_batches,
)

Array = np.ndarray


@dataclass(frozen=True, repr=False)
class Activation:
    """An activation function ``a = f(z)`` and its slope ``f'(z)``, which
    ``derivative`` computes from the output ``a``: the backward pass reuses
    what the forward pass computed."""

    name: str
    function: Callable[[Array], Array]
    derivative: Callable[[Array], Array]

    def __call__(self, z: Array) -> Array:
        return self.function(z)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def relu_derivative(a: Array) -> Array:
    return (a > 0).astype(a.dtype)  # a > 0 exactly where z > 0


def sigmoid(z: Array) -> Array:
    # 1 / (1 + exp(-z)) as exp(-log(1 + exp(-z))): no overflow for any z.
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_derivative(a: Array) -> Array:
    return a * (1.0 - a)


def tanh_derivative(a: Array) -> Array:
    return 1.0 - a**2


def identity(z: Array) -> Array:
    return z


def identity_derivative(a: Array) -> Array:
    return np.ones_like(a)


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", relu, relu_derivative),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative),
    "tanh": Activation("tanh", np.tanh, tanh_derivative),
    "identity": Activation("identity", identity, identity_derivative),
}


def activation(name: str) -> Activation:
    """Look up an activation by name: relu, sigmoid, tanh or identity."""
    if name not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}"
        )
    return ACTIVATIONS[name]


def mse(outputs: Array, targets: Array) -> float:
    """Mean squared error: the mean of (y - t)^2 over every output entry."""
    same_shape(outputs, targets, ("outputs", "targets"))
    return float(np.mean((outputs - targets) ** 2))


def mse_gradient(outputs: Array, targets: Array) -> Array:
    """Gradient of ``mse`` with respect to the outputs."""
    same_shape(outputs, targets, ("outputs", "targets"))
    return 2.0 * (outputs - targets) / outputs.size


def cross_entropy(outputs: Array, targets: Array) -> float:
    """Binary cross-entropy of sigmoid outputs in (0, 1) against 0/1 targets:
    the mean of -(t log y + (1 - t) log(1 - y)) over every output entry."""
    same_shape(outputs, targets, ("outputs", "targets"))
    if not np.all((outputs > 0) & (outputs < 1)):
        raise ValueError(
            "outputs must lie strictly between 0 and 1 (sigmoid outputs); "
            "an output of exactly 0 or 1 is a sigmoid saturated in float64"
        )
    per_entry = targets * np.log(outputs) + (1 - targets) * np.log1p(-outputs)
    return float(-np.mean(per_entry))


class Dense:
    """A fully connected layer ``z = x W + b``: parameters and gradients."""

    def __init__(
        self, n_inputs: int, n_outputs: int, rng: np.random.Generator
    ) -> None:
        bound = 1.0 / np.sqrt(n_inputs)  # the same range nn.Linear draws from
        self.weights = rng.uniform(-bound, bound, size=(n_inputs, n_outputs))
        self.bias = rng.uniform(-bound, bound, size=n_outputs)
        self.weights_grad = np.zeros_like(self.weights)
        self.bias_grad = np.zeros_like(self.bias)
        self.inputs: Array | None = None

    def forward(self, inputs: Array) -> Array:
        self.inputs = inputs  # kept for the backward pass
        return inputs @ self.weights + self.bias

    def backward(self, grad_z: Array) -> Array:
        """Add dL/dW and dL/db to the stored gradients; return dL/dx."""
        if self.inputs is None:
            raise RuntimeError("backward needs a forward pass first")
        self.weights_grad += self.inputs.T @ grad_z
        self.bias_grad += grad_z.sum(axis=0)
        return grad_z @ self.weights.T

    def zero_grad(self) -> None:
        self.weights_grad[...] = 0.0
        self.bias_grad[...] = 0.0

    def step(self, learning_rate: float) -> None:
        """Gradient descent: move each parameter against its gradient."""
        self.weights -= learning_rate * self.weights_grad
        self.bias -= learning_rate * self.bias_grad


class MLP:
    """Two dense layers, each followed by an activation function."""

    def __init__(
        self,
        n_inputs: int,
        n_hidden: int,
        n_outputs: int,
        hidden_activation: str,
        output_activation: str,
        *,
        seed: int,
    ) -> None:
        positive_ints(
            n_inputs=n_inputs, n_hidden=n_hidden, n_outputs=n_outputs
        )
        rng = np.random.default_rng(valid_seed(seed, "seed"))
        self.hidden = Dense(n_inputs, n_hidden, rng)
        self.output = Dense(n_hidden, n_outputs, rng)
        self.hidden_activation = activation(hidden_activation)
        self.output_activation = activation(output_activation)
        self.hidden_a: Array | None = None  # set by forward, used by backward
        self.outputs: Array | None = None

    def forward(self, inputs: Array) -> Array:
        hidden_z = self.hidden.forward(inputs)
        self.hidden_a = self.hidden_activation(hidden_z)
        output_z = self.output.forward(self.hidden_a)
        self.outputs = self.output_activation(output_z)
        return self.outputs

    def backward(self, grad_outputs: Array) -> None:
        """Backpropagate dL/dy through both layers, filling every gradient."""
        if self.outputs is None:
            raise RuntimeError("backward needs a forward pass first")
        same_shape(grad_outputs, self.outputs, ("grad_outputs", "outputs"))
        output_slope = self.output_activation.derivative(self.outputs)
        grad_output_z = grad_outputs * output_slope
        grad_hidden_a = self.output.backward(grad_output_z)
        hidden_slope = self.hidden_activation.derivative(self.hidden_a)
        grad_hidden_z = grad_hidden_a * hidden_slope
        self.hidden.backward(grad_hidden_z)

    def zero_grad(self) -> None:
        self.hidden.zero_grad()
        self.output.zero_grad()

    def step(self, learning_rate: float) -> None:
        self.hidden.step(learning_rate)
        self.output.step(learning_rate)

    def predict(self, points: Array) -> Array:
        """Outputs for a batch of points, after checking their shape."""
        points = as_float_array(
            points, "points", ndim=2, columns=self.hidden.weights.shape[0]
        )
        return self.forward(points)

    def parameters(self) -> dict[str, Array]:
        """The parameter arrays by name (the arrays themselves, not copies)."""
        return {
            "hidden.weights": self.hidden.weights,
            "hidden.bias": self.hidden.bias,
            "output.weights": self.output.weights,
            "output.bias": self.output.bias,
        }

    def gradients(self) -> dict[str, Array]:
        """The gradient arrays, by the same names as ``parameters``."""
        return {
            "hidden.weights": self.hidden.weights_grad,
            "hidden.bias": self.hidden.bias_grad,
            "output.weights": self.output.weights_grad,
            "output.bias": self.output.bias_grad,
        }

    def __repr__(self) -> str:
        n_inputs, n_hidden = self.hidden.weights.shape
        n_outputs = self.output.weights.shape[1]
        return (
            f"MLP({n_inputs} -> {n_hidden} {self.hidden_activation.name} "
            f"-> {n_outputs} {self.output_activation.name})"
        )


def train(
    model: MLP,
    points: Array,
    targets: Array,
    *,
    learning_rate: float,
    epochs: int,
    batch_size: int,
    shuffle_seed: int,
    on_epoch: EpochHook | None = None,
) -> Array:
    """Minibatch gradient descent on the MSE; returns each epoch's loss."""
    shape = (model.hidden.weights.shape[0], model.output.weights.shape[1])
    points, targets = check_training_args(
        points, targets, shape, learning_rate, epochs, batch_size
    )
    rng = np.random.default_rng(valid_seed(shuffle_seed, "shuffle_seed"))
    losses = np.empty(epochs)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            model.zero_grad()
            outputs = model.forward(points[batch])
            loss = mse(outputs, targets[batch])
            model.backward(mse_gradient(outputs, targets[batch]))
            model.step(learning_rate)
            epoch_loss += loss * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:  # a recorder, for instance (optional)
            on_epoch(epoch + 1)
    return losses


def train_cross_entropy(
    model: MLP,
    points: Array,
    targets: Array,
    *,
    learning_rate: float,
    epochs: int,
) -> Array:
    """Full-batch gradient descent on the cross-entropy of a sigmoid output
    layer (chapter 1, Exercise 6); returns each epoch's loss."""
    if model.output_activation.name != "sigmoid":
        raise ValueError(
            "model must have a sigmoid output layer for the cross-entropy, "
            f"got {model.output_activation.name}"
        )
    shape = (model.hidden.weights.shape[0], model.output.weights.shape[1])
    points, targets = check_training_args(  # full batch: batch size unused
        points, targets, shape, learning_rate, epochs, batch_size=1
    )
    losses = np.empty(epochs)
    for epoch in range(epochs):
        model.zero_grad()
        outputs = model.forward(points)
        losses[epoch] = check_loss(
            cross_entropy(outputs, targets), epoch, learning_rate
        )
        delta2 = (outputs - targets) / outputs.size  # the slope has cancelled
        grad_hidden_a = model.output.backward(delta2)
        hidden_slope = model.hidden_activation.derivative(model.hidden_a)
        model.hidden.backward(grad_hidden_a * hidden_slope)
        model.step(learning_rate)
    return losses
