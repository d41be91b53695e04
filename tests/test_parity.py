"""The scratch MLP and the PyTorch MLP are the same network, and the checks would notice otherwise."""

import dataclasses
import inspect
import textwrap
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from twin_checks import (
    GRADCHECK_TOLERANCE,
    autograd_gap,
    finite_difference_error,
    forward_gap,
    training_gap,
)

from mlpcourse import parity, rounding, scratch, settings, torch_mlp, training

TOLERANCE = parity.PARITY_TOLERANCE
EXPERIMENTS = pytest.mark.parametrize(
    "experiment", [settings.LINEAR, settings.CIRCLE], ids=["linear", "circle"]
)

shapes = st.tuples(st.integers(1, 4), st.integers(1, 6), st.integers(1, 3))
activation_names = st.sampled_from(sorted(scratch.ACTIVATIONS))


def random_problem(sizes, seed, n_points=12):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=(n_points, sizes[0])), rng.uniform(
        -1, 1, size=(n_points, sizes[2])
    )


@EXPERIMENTS
def test_course_networks_agree_forward_and_backward(experiment):
    dataset = experiment.make_dataset()
    model = experiment.make_scratch_model()
    assert forward_gap(model, dataset.points) <= TOLERANCE
    assert autograd_gap(model, dataset.points, dataset.targets) <= TOLERANCE


@EXPERIMENTS
def test_course_training_runs_are_identical(experiment):
    """The course's settings, for the first 20 epochs. The chapters train
    the full runs once and check agreement at every epoch themselves
    (``parity.require_agreement``), so that is not repeated here."""
    short = dataclasses.replace(experiment, epochs=20)
    dataset = experiment.make_dataset()
    runs = parity.train_both(
        short,
        dataset,
        measure=lambda model: float(model.predict(dataset.points).sum()),
    )
    assert len(runs.scratch_losses) == len(runs.torch_losses) == 20
    assert np.max(np.abs(runs.scratch_losses - runs.torch_losses)) <= TOLERANCE
    assert runs.scratch_losses[-1] < runs.scratch_losses[0]  # it trained
    assert (
        parity.largest_difference(
            runs.scratch_model.parameters(), runs.torch_model.scratch_arrays()
        )
        <= TOLERANCE
    )
    assert len(runs.scratch_measured) == len(runs.torch_measured) == 21
    assert np.max(np.abs(runs.scratch_measured - runs.torch_measured)) < 1e-6
    assert len(set(runs.scratch_measured)) > 1  # measured as it trained
    assert "within 1e-09: True" in parity.report(runs)


@given(
    sizes=shapes,
    hidden=activation_names,
    output=activation_names,
    seed=st.integers(0, 2**16),
)
def test_other_shapes_agree_forward_and_backward(sizes, hidden, output, seed):
    model = scratch.MLP(*sizes, hidden, output, seed=seed)
    points, targets = random_problem(sizes, seed)
    assert forward_gap(model, points) <= TOLERANCE
    assert autograd_gap(model, points, targets) <= TOLERANCE


@given(
    sizes=shapes,
    hidden=activation_names,
    output=st.sampled_from(["sigmoid", "tanh"]),
    batch_size=st.integers(1, 12),
    seed=st.integers(0, 2**16),
)
def test_other_training_runs_are_identical(
    sizes, hidden, output, batch_size, seed
):
    model = scratch.MLP(*sizes, hidden, output, seed=seed)
    points, targets = random_problem(sizes, seed)
    gap = training_gap(
        model,
        points,
        targets,
        learning_rate=0.5,
        epochs=20,
        batch_size=batch_size,
        shuffle_seed=seed,
    )
    assert gap <= TOLERANCE


def test_copy_of_transposes_the_weights():
    model = scratch.MLP(3, 4, 2, "relu", "tanh", seed=0)
    copy = torch_mlp.TorchMLP.copy_of(model)
    assert tuple(copy.hidden.weight.shape) == (4, 3)
    np.testing.assert_array_equal(
        copy.hidden.weight.detach().numpy(), model.hidden.weights.T
    )
    assert "activations: relu, tanh" in repr(copy)


def test_torch_model_rejects_bad_input():
    model = torch_mlp.TorchMLP(2, 3, 1, "tanh", "tanh")
    with pytest.raises(ValueError, match="activation must be one of"):
        torch_mlp.TorchMLP(2, 3, 1, "tanh", "softplus")
    with pytest.raises(
        ValueError, match=r"points must be a 2-D array of shape \(n, 2\)"
    ):
        model.predict(np.ones(2))
    with pytest.raises(ValueError, match="targets"):
        torch_mlp.train(
            model,
            np.ones((4, 2)),
            np.ones((4, 2)),
            learning_rate=0.1,
            epochs=1,
            batch_size=2,
            shuffle_seed=0,
        )
    with pytest.raises(ValueError, match="n_hidden"):
        torch_mlp.TorchMLP(2, 0, 1, "tanh", "tanh")
    with pytest.raises(RuntimeError, match="no gradients yet"):
        model.scratch_arrays(gradients=True)


@pytest.mark.parametrize("library", ["numpy", "pytorch"])
def test_divergence_stops_training_and_names_the_epoch(library):
    model, train = (
        scratch.MLP(2, 5, 2, "identity", "identity", seed=0),
        scratch.train,
    )
    if library == "pytorch":
        model, train = torch_mlp.TorchMLP.copy_of(model), torch_mlp.train
    dataset = settings.LINEAR.make_dataset()
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", RuntimeWarning
        )  # NumPy's overflow is the point
        with pytest.raises(
            training.TrainingDiverged,
            match=r"diverged at epoch \d+.*smaller learning rate than 1e\+06",
        ):
            train(
                model,
                dataset.points,
                dataset.targets,
                learning_rate=1e6,
                epochs=100,
                batch_size=100,
                shuffle_seed=0,
            )


# --- The checks catch a broken network ------------------------------------------------
# Each mutation edits the source of the real chapter-1 code, recompiles it and
# patches it in; the checks that must notice are listed beside it.


def mutated(function, old: str, new: str):
    """A copy of ``function`` with ``old`` replaced by ``new`` in its source."""
    source = textwrap.dedent(inspect.getsource(function))
    assert source.count(old) == 1, (
        f"{old!r} must occur once in {function.__qualname__}"
    )
    namespace: dict = {}
    exec(
        compile(
            source.replace(old, new), inspect.getsourcefile(function), "exec"
        ),
        function.__globals__ | {"__builtins__": __builtins__},
        namespace,
    )
    return namespace[function.__name__]


MUTATIONS = {
    "drop the hidden activation's derivative": (
        scratch.MLP,
        "backward",
        "grad_hidden_a * hidden_slope",
        "grad_hidden_a",
        {"finite differences", "autograd", "training"},
    ),
    "drop the output activation's derivative": (
        scratch.MLP,
        "backward",
        "grad_outputs * output_slope",
        "grad_outputs",
        {"finite differences", "autograd", "training"},
    ),
    "use the gradient of 1/2 (y - t)^2 with the mean's loss": (
        scratch,
        "mse_gradient",
        "2.0 * (outputs - targets)",
        "(outputs - targets)",
        {"finite differences", "autograd", "training"},
    ),
    "average the bias gradient instead of summing it": (
        scratch.Dense,
        "backward",
        "grad_z.sum(axis=0)",
        "grad_z.mean(axis=0)",
        {"finite differences", "autograd", "training"},
    ),
    "forget to reset the gradients between steps": (
        scratch,
        "train",
        "model.zero_grad()",
        "pass",
        {"training"},
    ),
}


def gaps(experiment) -> dict[str, float]:
    dataset = experiment.make_dataset()
    points, targets = dataset.points[:40], dataset.targets[:40]
    options = experiment.training_options() | {"epochs": 3}
    return {
        "finite differences": finite_difference_error(
            experiment.make_scratch_model(), points, targets
        )
        / GRADCHECK_TOLERANCE,
        "autograd": autograd_gap(
            experiment.make_scratch_model(), points, targets
        )
        / TOLERANCE,
        "training": training_gap(
            experiment.make_scratch_model(), points, targets, **options
        )
        / TOLERANCE,
    }


@EXPERIMENTS
def test_the_real_code_passes_every_check(experiment):
    assert all(ratio <= 1 for ratio in gaps(experiment).values()), gaps(
        experiment
    )


@EXPERIMENTS
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_mutated_copy_fails_the_checks(mutation, experiment, monkeypatch):
    owner, name, old, new, must_fail = MUTATIONS[mutation]
    monkeypatch.setattr(owner, name, mutated(getattr(owner, name), old, new))
    failed = {check for check, ratio in gaps(experiment).items() if ratio > 1}
    assert must_fail <= failed, (
        f"{mutation}: only {failed or 'no check'} noticed"
    )


def test_float32_drifts_but_stays_close():
    experiment = settings.CIRCLE
    dataset = experiment.make_dataset()
    options = experiment.training_options() | {"epochs": 20}
    float64 = scratch.train(
        experiment.make_scratch_model(),
        dataset.points,
        dataset.targets,
        **options,
    )
    float32 = torch_mlp.train(
        torch_mlp.TorchMLP.copy_of(
            experiment.make_scratch_model(), dtype=torch.float32
        ),
        dataset.points,
        dataset.targets,
        **options,
    )
    drift = np.max(np.abs(float64 - float32))
    assert TOLERANCE < drift < 1e-4


def test_torch_initialisation_is_seeded_and_leaves_the_global_generator_alone():
    state = torch.random.get_rng_state()
    first, again = (
        torch_mlp.TorchMLP(2, 3, 1, "tanh", "tanh", seed=5) for _ in range(2)
    )
    other = torch_mlp.TorchMLP(2, 3, 1, "tanh", "tanh", seed=6)
    assert torch.equal(first.hidden.weight, again.hidden.weight)
    assert not torch.equal(first.hidden.weight, other.hidden.weight)
    assert torch.equal(torch.random.get_rng_state(), state)


def twins(weight_shift: float = 0.0, loss_shift: float = 0.0):
    """Untrained twins, optionally pushed apart in one weight or one loss."""
    model = settings.LINEAR.make_scratch_model()
    copy = torch_mlp.TorchMLP.copy_of(model)
    with torch.no_grad():
        copy.output.weight[0, 0] -= weight_shift
    losses = np.linspace(1.0, 0.5, 4)
    shifted = losses.copy()
    shifted[2] -= loss_shift
    return parity.TwinRuns(model, losses, copy, shifted)


def test_largest_difference_is_the_largest_absolute_gap():
    first = {"a": np.array([0.0, 2.0]), "b": np.array([[1.0]])}
    second = {"a": np.array([0.0, 5.0]), "b": np.array([[-1.0]])}
    assert parity.largest_difference(first, second) == 3.0
    assert parity.largest_difference(second, first) == 3.0
    with pytest.raises(ValueError, match="must name the same arrays"):
        parity.largest_difference(first, {"a": first["a"]})


@pytest.mark.parametrize(
    "weight_shift, loss_shift, agree",
    [(0.0, 0.0, True), (1e-6, 0.0, False), (0.0, 1e-6, False)],
)
def test_the_report_says_agree_only_when_both_gaps_are_tiny(
    weight_shift, loss_shift, agree
):
    runs = twins(weight_shift, loss_shift)
    gap = parity.gaps(runs)
    assert gap.agree is agree
    assert gap.parameters == pytest.approx(weight_shift, abs=1e-15)
    assert gap.losses == pytest.approx(loss_shift, abs=1e-15)
    text = parity.report(runs)
    assert text.endswith(f"both within 1e-09: {agree}")
    if weight_shift:
        assert "final parameters: 1.0e-06, above 1e-09" in text
    if loss_shift:
        assert "over 4 epochs: 1.0e-06, above 1e-09" in text


@pytest.mark.parametrize(
    "value, text",
    [
        (0.0, "below 1e-12"),
        (4.4e-14, "below 1e-12"),
        (2e-12, "below 1e-09"),
        (1e-9, "1.0e-09, above 1e-09"),
    ],
)
def test_rounding_level_numbers_print_as_bounds(value, text):
    assert rounding.below(value, parity.REPORT_BOUNDS) == text


@pytest.mark.parametrize("value", [-1e-15, float("nan")])
def test_a_gap_is_never_negative_or_nan(value):
    with pytest.raises(ValueError, match="non-negative number"):
        rounding.below(value, parity.REPORT_BOUNDS)
