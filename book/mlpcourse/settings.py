"""The two experiments of the course: architecture, hyperparameters and seeds.

Both chapters and the tests read their settings from here, so a change made
in this file changes every run in the book at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import data, scratch


@dataclass(frozen=True)
class Experiment:
    """Everything needed to reproduce one training run."""

    dataset: str
    n_points: int
    n_inputs: int
    n_hidden: int
    n_outputs: int
    hidden_activation: str
    output_activation: str
    learning_rate: float
    epochs: int
    batch_size: int
    data_seed: int
    init_seed: int
    shuffle_seed: int

    def __str__(self) -> str:
        network = (
            f"{self.n_inputs} -> {self.n_hidden} {self.hidden_activation} "
            f"-> {self.n_outputs} {self.output_activation}"
        )
        return (
            f"{self.dataset} dataset: {self.n_points} points, "
            f"seed {self.data_seed}\n"
            f"network: {network}, initial weights seed {self.init_seed}\n"
            f"training: learning rate {self.learning_rate:g}, "
            f"{self.epochs} epochs, minibatches of {self.batch_size}, "
            f"order seed {self.shuffle_seed}"
        )

    def make_dataset(self) -> data.Dataset:
        """The experiment's dataset, drawn with its seed."""
        generators = {"linear": data.make_linear, "circle": data.make_circle}
        return generators[self.dataset](self.n_points, seed=self.data_seed)

    def make_scratch_model(self) -> scratch.MLP:
        """A freshly initialised NumPy MLP with this architecture and seed."""
        return scratch.MLP(
            self.n_inputs,
            self.n_hidden,
            self.n_outputs,
            self.hidden_activation,
            self.output_activation,
            seed=self.init_seed,
        )

    @property
    def label(self) -> str:
        """The network in a few words, for figure titles: 2-4-1 MLP, tanh."""
        return (
            f"{self.n_inputs}-{self.n_hidden}-{self.n_outputs} MLP, "
            f"{self.hidden_activation} then {self.output_activation}"
        )

    def training_options(self) -> dict[str, Any]:
        """Keyword arguments for ``scratch.train`` and ``torch_mlp.train``."""
        return {
            "learning_rate": self.learning_rate,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "shuffle_seed": self.shuffle_seed,
        }


LINEAR = Experiment(
    dataset="linear",
    n_points=100,
    n_inputs=2,
    n_hidden=5,
    n_outputs=2,
    hidden_activation="relu",
    output_activation="sigmoid",
    learning_rate=1.0,
    epochs=500,
    batch_size=100,
    data_seed=0,
    init_seed=1,
    shuffle_seed=2,
)

CIRCLE = Experiment(
    dataset="circle",
    n_points=1000,
    n_inputs=2,
    n_hidden=4,
    n_outputs=1,
    hidden_activation="tanh",
    output_activation="tanh",
    learning_rate=0.05,
    epochs=500,
    batch_size=10,
    data_seed=0,
    init_seed=1,
    shuffle_seed=2,
)

ACTIVATION_NAMES = {
    "relu": "ReLU",
    "sigmoid": "a sigmoid",
    "tanh": "tanh",
    "identity": "no activation",
}


def facts() -> dict[str, str]:
    """The settings as the chapters' prose states them (MyST-NB's glue).

    Change a setting above and every sentence quoting it changes with it.
    """
    text = {}
    for prefix, experiment in (("linear", LINEAR), ("circle", CIRCLE)):
        steps = -(-experiment.n_points // experiment.batch_size)  # ceil
        whole = experiment.batch_size >= experiment.n_points
        batch = min(experiment.batch_size, experiment.n_points)
        factor = batch * experiment.n_outputs / 2
        entries = experiment.n_points * experiment.n_outputs
        text |= {
            f"{prefix}_points": f"{experiment.n_points:,}",
            f"{prefix}_inputs": str(experiment.n_inputs),
            f"{prefix}_hidden": str(experiment.n_hidden),
            f"{prefix}_outputs": str(experiment.n_outputs),
            f"{prefix}_shape": f"{experiment.n_inputs}-{experiment.n_hidden}"
            f"-{experiment.n_outputs}",
            f"{prefix}_hidden_activation": ACTIVATION_NAMES[
                experiment.hidden_activation
            ],
            f"{prefix}_output_activation": ACTIVATION_NAMES[
                experiment.output_activation
            ],
            f"{prefix}_rate": f"{experiment.learning_rate:g}",
            f"{prefix}_epochs": f"{experiment.epochs:,}",
            f"{prefix}_batches": "the whole dataset as one batch"
            if whole
            else f"minibatches of {experiment.batch_size} points",
            f"{prefix}_batch": str(experiment.batch_size),
            f"{prefix}_init_seed": str(experiment.init_seed),
            # The mean squared error averages over every output entry.
            f"{prefix}_entries": f"{entries:,}",
            f"{prefix}_steps_per_epoch": f"{steps:,}",
            f"{prefix}_steps": f"{steps * experiment.epochs:,}",
            # The half-sum loss's gradient over the mean's: n k / 2 per batch.
            f"{prefix}_half_sum_factor": f"{factor:g}",
        }
    return text
