"""The finite-difference check of the hand-written gradients
(mlpcourse.gradcheck)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from twin_checks import GRADCHECK_TOLERANCE, finite_difference_error

from mlpcourse import gradcheck, scratch, settings


@pytest.mark.parametrize(
    "experiment", [settings.LINEAR, settings.CIRCLE], ids=["linear", "circle"]
)
def test_backprop_passes_the_gradient_check(experiment):
    dataset = experiment.make_dataset()
    model = experiment.make_scratch_model()
    assert (
        finite_difference_error(
            model, dataset.points[:50], dataset.targets[:50]
        )
        < GRADCHECK_TOLERANCE
    )


@given(
    sizes=st.tuples(st.integers(1, 4), st.integers(1, 6), st.integers(1, 3)),
    activations=st.tuples(
        st.sampled_from(["sigmoid", "tanh", "identity"]),
        st.sampled_from(sorted(scratch.ACTIVATIONS)),
    ),
    seed=st.integers(0, 2**16),
)
def test_gradient_check_on_other_shapes(sizes, activations, seed):
    rng = np.random.default_rng(seed)
    model = scratch.MLP(*sizes, *activations, seed=seed)
    points, targets = (
        rng.normal(size=(7, sizes[0])),
        rng.normal(size=(7, sizes[2])),
    )
    assert (
        finite_difference_error(model, points, targets) < GRADCHECK_TOLERANCE
    )


def test_the_gradient_check_ignores_gradients_already_held():
    model = scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)
    points, targets = np.ones((5, 2)), np.zeros((5, 1))
    fresh = gradcheck.analytic_gradients(model, points, targets)
    for grad in model.gradients().values():
        grad[...] = 7.0  # left over from an earlier backward pass
    again = gradcheck.analytic_gradients(model, points, targets)
    for name in fresh:
        np.testing.assert_array_equal(again[name], fresh[name])
    errors = gradcheck.relative_errors(model, points, targets)
    assert max(errors.values()) < gradcheck.TOLERANCE


def test_the_gradient_check_notices_a_wrong_gradient():
    """A backward pass that drops one derivative lands far above the
    tolerance, for the array it spoils."""
    model = scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)
    points = np.random.default_rng(0).uniform(size=(6, 2))
    targets = np.ones((6, 1))
    model.hidden_activation = scratch.Activation("tanh", np.tanh, np.ones_like)
    errors = gradcheck.relative_errors(model, points, targets)
    assert errors["hidden.weights"] > 0.01 and errors["hidden.bias"] > 0.01
    assert errors["output.weights"] < gradcheck.TOLERANCE


def doubled_slope_model() -> scratch.MLP:
    """An identity hidden layer whose backward pass doubles the true slope."""
    model = scratch.MLP(2, 3, 1, "identity", "tanh", seed=0)
    model.hidden_activation = scratch.Activation(
        "identity", scratch.identity, lambda z: 2.0 * np.ones_like(z)
    )
    return model


def test_the_relative_error_of_a_doubled_gradient_is_one_third():
    """|2g - g| / (|2g| + |g|) = 1/3 for the arrays behind the wrong slope."""
    points = np.random.default_rng(1).uniform(-1, 1, size=(6, 2))
    targets = np.full((6, 1), 0.5)
    errors = gradcheck.relative_errors(doubled_slope_model(), points, targets)
    assert errors["hidden.weights"] == pytest.approx(1 / 3, rel=1e-6)
    assert errors["hidden.bias"] == pytest.approx(1 / 3, rel=1e-6)
    assert errors["output.weights"] < gradcheck.TOLERANCE
    assert errors["output.bias"] < gradcheck.TOLERANCE


def test_numerical_gradients_are_central_differences_of_the_mse():
    model = scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)
    points = np.random.default_rng(2).uniform(size=(5, 2))
    targets = np.zeros((5, 1))
    numerical = gradcheck.numerical_gradients(model, points, targets, 1e-3)
    bias = model.output.bias
    loss = lambda: scratch.mse(model.forward(points), targets)  # noqa: E731
    bias[0] += 1e-3
    plus = loss()
    bias[0] -= 2e-3
    minus = loss()
    bias[0] += 1e-3
    assert numerical["output.bias"][0] == pytest.approx(
        (plus - minus) / 2e-3, rel=1e-6
    )


def test_the_check_leaves_the_parameters_as_they_were():
    model = scratch.MLP(2, 3, 2, "tanh", "sigmoid", seed=0)
    before = {name: p.copy() for name, p in model.parameters().items()}
    gradcheck.relative_errors(model, np.ones((4, 2)), np.zeros((4, 2)))
    for name, parameter in model.parameters().items():
        np.testing.assert_array_equal(parameter, before[name])


def test_analytic_gradients_are_copies_not_the_models_arrays():
    model = scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)
    gradients = gradcheck.analytic_gradients(
        model, np.ones((4, 2)), np.zeros((4, 1))
    )
    model.zero_grad()
    assert all(gradient.any() for gradient in gradients.values())


def test_an_array_without_any_gradient_has_error_zero():
    """A ReLU layer that is off for every point: both gradients are 0."""
    model = scratch.MLP(2, 3, 1, "relu", "tanh", seed=0)
    model.hidden.bias[...] = -10.0
    errors = gradcheck.relative_errors(
        model, np.ones((4, 2)), np.full((4, 1), 0.5)
    )
    assert errors["hidden.weights"] == 0.0 and errors["hidden.bias"] == 0.0
    assert 0 < errors["output.bias"] < gradcheck.TOLERANCE


@pytest.mark.parametrize(
    "points, targets, epsilon, name",
    [
        (np.ones((4, 3)), np.zeros((4, 1)), 1e-6, "points"),
        (np.ones((4, 2)), np.zeros((4, 2)), 1e-6, "targets"),
        (np.ones((4, 2)), np.zeros((4, 1)), 0.0, "epsilon"),
    ],
)
def test_the_check_rejects_bad_arguments_by_name(
    points, targets, epsilon, name
):
    model = scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)
    with pytest.raises(ValueError, match=name):
        gradcheck.relative_errors(model, points, targets, epsilon)


def test_the_check_and_the_numerical_gradients_share_one_default_step():
    """Without an ``epsilon``, ``relative_errors`` compares against what
    ``numerical_gradients`` gives without one, to the last digit."""
    model = scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)
    points = np.random.default_rng(3).uniform(size=(5, 2))
    targets = np.zeros((5, 1))
    analytic = gradcheck.analytic_gradients(model, points, targets)
    numerical = gradcheck.numerical_gradients(model, points, targets)
    errors = gradcheck.relative_errors(model, points, targets)
    for name, error in errors.items():
        difference = np.linalg.norm(analytic[name] - numerical[name])
        scale = np.linalg.norm(analytic[name]) + np.linalg.norm(
            numerical[name]
        )
        assert error == difference / scale, name


@pytest.mark.parametrize(
    "factor, error", [(0.5, 1 / 3), (2.0, 1 / 3), (1.0, 0.0), (-1.0, 1.0)]
)
def test_relative_error_of_a_scaled_gradient(factor, error):
    """A gradient off by a factor of 2 either way lands at 1/3, a sign
    error at 1: what chapter 1 plants and prints."""
    numerical = np.array([[0.3, -1.2], [2.0, 0.1]])
    assert gradcheck.relative_error(factor * numerical, numerical) == (
        pytest.approx(error)
    )


def test_relative_error_of_two_zero_gradients_is_zero():
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
