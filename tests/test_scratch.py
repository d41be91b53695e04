"""The NumPy MLP of chapter 1: activations, loss, layers, gradients and training."""

import dataclasses
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlpcourse import gradcheck, scratch, settings, training

finite_floats = st.floats(-50, 50, allow_nan=False)


def test_sigmoid_is_stable_at_extremes():
    z = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = scratch.sigmoid(z)
        slopes = scratch.sigmoid_derivative(values)
    np.testing.assert_allclose(
        values,
        [0.0, 0.2689414213699951, 0.5, 0.7310585786300049, 1.0],
        rtol=1e-15,
    )
    np.testing.assert_allclose(
        slopes,
        [0.0, 0.19661193324148185, 0.25, 0.19661193324148185, 0.0],
        atol=1e-15,
    )


@pytest.mark.parametrize("name", sorted(scratch.ACTIVATIONS))
@given(z=arrays(np.float64, st.integers(1, 20), elements=finite_floats))
def test_derivative_matches_central_difference(name, z):
    act = scratch.activation(name)
    z = z[np.abs(z) > 1e-3] if name == "relu" else z  # relu has a kink at 0
    eps = 1e-6
    numerical = (act(z + eps) - act(z - eps)) / (2 * eps)
    # The slope at z, computed from the output a = f(z).
    np.testing.assert_allclose(act.derivative(act(z)), numerical, atol=1e-7)


def test_unknown_activation_names_the_choices():
    with pytest.raises(
        ValueError,
        match=r"activation must be one of \['identity', 'relu', 'sigmoid', 'tanh'\]",
    ):
        scratch.activation("softmax")


def test_mse_and_its_gradient():
    outputs, targets = (
        np.array([[1.0, 2.0], [3.0, 4.0]]),
        np.array([[0.0, 2.0], [1.0, 4.0]]),
    )
    assert scratch.mse(outputs, targets) == pytest.approx((1 + 4) / 4)
    np.testing.assert_allclose(
        scratch.mse_gradient(outputs, targets), [[0.5, 0.0], [1.0, 0.0]]
    )


def test_dense_layer_forward_backward_and_accumulation():
    layer = scratch.Dense(3, 2, np.random.default_rng(0))
    assert np.all(np.abs(layer.weights) <= 1 / np.sqrt(3)) and np.all(
        np.abs(layer.bias) <= 1 / np.sqrt(3)
    )
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(
        layer.forward(x), x @ layer.weights + layer.bias
    )
    grad_z = np.array([[1.0, -1.0], [0.5, 2.0]])
    grad_x = layer.backward(grad_z)
    np.testing.assert_allclose(grad_x, grad_z @ layer.weights.T)
    np.testing.assert_allclose(layer.weights_grad, x.T @ grad_z)
    np.testing.assert_allclose(layer.bias_grad, grad_z.sum(axis=0))
    layer.forward(x)
    layer.backward(grad_z)
    np.testing.assert_allclose(
        layer.weights_grad, 2 * x.T @ grad_z
    )  # gradients accumulate
    layer.zero_grad()
    assert not layer.weights_grad.any() and not layer.bias_grad.any()


def test_step_moves_against_the_gradient():
    layer = scratch.Dense(2, 2, np.random.default_rng(0))
    before = layer.weights.copy()
    layer.weights_grad[...] = 1.0
    layer.step(0.1)
    np.testing.assert_allclose(layer.weights, before - 0.1)


def test_training_is_deterministic():
    runs = []
    for _ in range(2):
        dataset, model = (
            settings.CIRCLE.make_dataset(),
            settings.CIRCLE.make_scratch_model(),
        )
        options = settings.CIRCLE.training_options() | {"epochs": 5}
        runs.append(
            scratch.train(model, dataset.points, dataset.targets, **options)
        )
    np.testing.assert_array_equal(*runs)


@pytest.mark.parametrize(
    "change, error, name",
    [
        ({"points": np.ones((10, 3))}, ValueError, "points"),
        ({"points": np.full((10, 2), np.nan)}, ValueError, "points"),
        ({"points": np.array([["a", "b"]] * 10)}, TypeError, "points"),
        ({"targets": np.ones((10, 1))}, ValueError, "targets"),
        ({"targets": np.ones((9, 2))}, ValueError, "same number of rows"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"learning_rate": float("inf")}, ValueError, "learning_rate"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 1.5}, TypeError, "epochs"),
        ({"batch_size": -1}, ValueError, "batch_size"),
    ],
)
def test_train_rejects_bad_arguments(change, error, name):
    model = scratch.MLP(2, 3, 2, "relu", "sigmoid", seed=0)
    arguments = {
        "points": np.ones((10, 2)),
        "targets": np.ones((10, 2)),
        "learning_rate": 0.1,
        "epochs": 1,
        "batch_size": 5,
        "shuffle_seed": 0,
    } | change
    with pytest.raises(error, match=name):
        scratch.train(model, **arguments)


@pytest.mark.parametrize(
    "sizes, name",
    [
        ((0, 3, 1), "n_inputs"),
        ((2, -1, 1), "n_hidden"),
        ((2, 3, 0), "n_outputs"),
    ],
)
def test_mlp_rejects_bad_sizes(sizes, name):
    with pytest.raises(ValueError, match=name):
        scratch.MLP(*sizes, "relu", "tanh", seed=0)


def test_predict_rejects_points_of_the_wrong_width():
    with pytest.raises(
        ValueError,
        match=r"points must be a 2-D array of shape \(n, 2\), got shape \(4, 3\)",
    ):
        scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0).predict(np.ones((4, 3)))


def test_mse_refuses_to_broadcast_mismatched_shapes():
    outputs, targets = np.zeros((4, 1)), np.zeros(4)
    message = r"outputs and targets must have the same shape, got \(4, 1\) and \(4,\)"
    with pytest.raises(ValueError, match=message):
        scratch.mse(outputs, targets)
    with pytest.raises(ValueError, match=message):
        scratch.mse_gradient(outputs, targets)


def test_backward_needs_a_forward_pass_and_the_right_shape():
    model = scratch.MLP(2, 3, 2, "relu", "sigmoid", seed=0)
    with pytest.raises(RuntimeError, match="forward pass first"):
        model.backward(np.ones((4, 2)))
    with pytest.raises(RuntimeError, match="forward pass first"):
        scratch.Dense(2, 3, np.random.default_rng(0)).backward(np.ones((4, 3)))
    model.forward(np.ones((4, 2)))
    with pytest.raises(
        ValueError, match=r"grad_outputs and outputs must have the same shape"
    ):
        model.backward(np.ones((4, 1)))


def test_initial_weights_fill_the_range_nn_linear_draws_from():
    """Uniform on [-1/sqrt(n_inputs), 1/sqrt(n_inputs)]: bounded on both
    sides, and reaching both ends, for the weights and the bias alike."""
    layer = scratch.Dense(4, 2000, np.random.default_rng(0))
    for name, values in (("weights", layer.weights), ("bias", layer.bias)):
        assert values.min() >= -0.5 and values.max() <= 0.5, name
        assert values.min() < -0.49 and values.max() > 0.49, name
        assert abs(values.mean()) < 0.02, name
    assert layer.weights.shape == (4, 2000) and layer.bias.shape == (2000,)


def test_initial_weights_follow_the_seed():
    first, again, other = (
        scratch.MLP(2, 3, 1, "tanh", "tanh", seed=seed).parameters()
        for seed in (0, 0, 1)
    )
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
        assert not np.array_equal(first[name], other[name]), name
    # The two layers draw different numbers from the one generator.
    assert not np.allclose(first["hidden.bias"][:1], first["output.bias"])


def test_bias_gradients_accumulate_across_backward_calls():
    layer = scratch.Dense(3, 2, np.random.default_rng(0))
    x, grad_z = np.ones((4, 3)), np.arange(8.0).reshape(4, 2)
    layer.forward(x)
    layer.backward(grad_z)
    layer.backward(grad_z)
    np.testing.assert_allclose(layer.bias_grad, 2 * grad_z.sum(axis=0))


def test_mlp_backward_fills_every_gradient_and_zero_grad_clears_them():
    model = scratch.MLP(2, 3, 2, "tanh", "sigmoid", seed=0)
    points, targets = np.ones((4, 2)), np.zeros((4, 2))
    model.backward(scratch.mse_gradient(model.forward(points), targets))
    assert all(grad.any() for grad in model.gradients().values())
    model.zero_grad()
    assert not any(grad.any() for grad in model.gradients().values())


def test_mlp_step_moves_both_layers():
    model = scratch.MLP(2, 3, 2, "tanh", "sigmoid", seed=0)
    before = {name: p.copy() for name, p in model.parameters().items()}
    for grad in model.gradients().values():
        grad[...] = 1.0
    model.step(0.25)
    for name, parameter in model.parameters().items():
        np.testing.assert_allclose(parameter, before[name] - 0.25)


def test_epoch_order_follows_the_seed_and_changes_every_epoch():
    def orders(seed: int, epochs: int = 3) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        return [
            np.concatenate(list(training.epoch_batches(50, 7, rng)))
            for _ in range(epochs)
        ]

    first, again, other = orders(0), orders(0), orders(1)
    for epoch in range(3):
        np.testing.assert_array_equal(first[epoch], again[epoch])
        assert not np.array_equal(first[epoch], other[epoch])
        np.testing.assert_array_equal(np.sort(first[epoch]), np.arange(50))
    assert not np.array_equal(first[0], first[1])
    assert not np.array_equal(first[0], np.arange(50)), "never shuffled"


def test_training_reports_the_mean_loss_over_every_point():
    """The epoch's loss is the average over points, whatever the batch."""
    model = scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)
    points = np.random.default_rng(0).uniform(size=(10, 2))
    targets = np.zeros((10, 1))
    expected = scratch.mse(model.forward(points), targets)
    (loss,) = scratch.train(
        model,
        points,
        targets,
        learning_rate=1e-12,  # a step too small to change the loss
        epochs=1,
        batch_size=3,  # batches of 3, 3, 3 and 1
        shuffle_seed=0,
    )
    assert loss == pytest.approx(expected, rel=1e-9)


def test_relu_keeps_positives_and_zeroes_the_rest():
    z = np.array([-2.0, -0.0, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(scratch.relu(z), [0.0, 0.0, 0.0, 0.5, 3.0])


def test_relu_has_slope_0_at_0_and_1_above():
    """At the kink, z = 0, the slope is taken as 0 (as PyTorch does)."""
    z = np.array([-1.0, 0.0, 1e-9, 2.0])
    slopes = scratch.relu_derivative(scratch.relu(z))
    np.testing.assert_array_equal(slopes, [0.0, 0.0, 1.0, 1.0])
    assert slopes.dtype == np.float64


def test_tanh_and_identity_slopes_at_known_points():
    z = np.array([0.0, 1.0])
    np.testing.assert_allclose(
        scratch.tanh_derivative(np.tanh(z)), [1.0, 1.0 - np.tanh(1.0) ** 2]
    )
    np.testing.assert_array_equal(scratch.identity_derivative(z), [1.0, 1.0])
    np.testing.assert_array_equal(scratch.identity(z), z)


def test_every_activation_is_found_by_its_name():
    for name in ("relu", "sigmoid", "tanh", "identity"):
        found = scratch.activation(name)
        assert found.name == name and repr(found) == f"Activation({name!r})"
    np.testing.assert_array_equal(
        scratch.activation("relu")(np.array([-1.0, 2.0])), [0.0, 2.0]
    )


def test_the_mlp_prints_its_shape_and_activations():
    model = scratch.MLP(2, 5, 3, "relu", "sigmoid", seed=0)
    assert repr(model) == "MLP(2 -> 5 relu -> 3 sigmoid)"


def test_the_forward_pass_applies_each_layer_then_its_activation():
    model = scratch.MLP(2, 3, 2, "relu", "sigmoid", seed=0)
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    hidden = np.maximum(x @ model.hidden.weights + model.hidden.bias, 0.0)
    expected = scratch.sigmoid(
        hidden @ model.output.weights + model.output.bias
    )
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-15)


def test_train_calls_the_epoch_hook_after_each_epoch_counting_from_1():
    model = scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)
    seen = []
    losses = scratch.train(
        model,
        np.random.default_rng(0).uniform(size=(8, 2)),
        np.ones((8, 1)),
        learning_rate=0.5,
        epochs=3,
        batch_size=3,
        shuffle_seed=0,
        on_epoch=seen.append,
    )
    assert seen == [1, 2, 3]
    assert losses.shape == (3,) and losses[-1] < losses[0]


def test_the_shuffle_seed_decides_the_minibatches():
    def losses(shuffle_seed: int) -> np.ndarray:
        return scratch.train(
            scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0),
            np.random.default_rng(0).uniform(size=(12, 2)),
            np.random.default_rng(1).uniform(-1, 1, size=(12, 1)),
            learning_rate=0.5,
            epochs=3,
            batch_size=4,
            shuffle_seed=shuffle_seed,
        )

    np.testing.assert_array_equal(losses(3), losses(3))
    assert not np.array_equal(losses(3), losses(4))


def test_a_diverging_run_stops_naming_the_epoch():
    model = scratch.MLP(2, 3, 1, "identity", "identity", seed=0)
    with pytest.raises(training.TrainingDiverged, match="diverged at epoch"):
        with np.errstate(all="ignore"):
            scratch.train(
                model,
                np.full((4, 2), 10.0),
                np.zeros((4, 1)),
                learning_rate=1e3,
                epochs=50,
                batch_size=4,
                shuffle_seed=0,
            )


def test_the_shared_activations_cannot_be_altered():
    """Every network shares ``ACTIVATIONS``: an edit would change them all."""
    relu = scratch.activation("relu")
    with pytest.raises(dataclasses.FrozenInstanceError):
        relu.derivative = np.ones_like


def test_step_scales_each_gradient_by_the_learning_rate():
    model = scratch.MLP(2, 3, 2, "tanh", "sigmoid", seed=0)
    before = {name: p.copy() for name, p in model.parameters().items()}
    for grad in model.gradients().values():
        grad[...] = 4.0
    model.step(0.25)
    for name, parameter in model.parameters().items():
        np.testing.assert_allclose(parameter, before[name] - 1.0)


def test_backward_matches_central_differences_through_both_slopes():
    """tanh and sigmoid have slopes far from 1, so dropping or inverting
    either one shows."""
    model = scratch.MLP(2, 3, 2, "tanh", "sigmoid", seed=0)
    points = np.random.default_rng(0).uniform(-2, 2, size=(6, 2))
    targets = np.random.default_rng(1).uniform(size=(6, 2))
    errors = gradcheck.relative_errors(model, points, targets)
    assert max(errors.values()) < gradcheck.TOLERANCE, errors


def test_leftover_gradients_do_not_leak_into_training():
    def run(stale: float) -> np.ndarray:
        model = scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)
        for grad in model.gradients().values():
            grad[...] = stale  # left over from an earlier backward pass
        return scratch.train(
            model,
            np.random.default_rng(0).uniform(size=(8, 2)),
            np.ones((8, 1)),
            learning_rate=0.5,
            epochs=2,
            batch_size=4,
            shuffle_seed=0,
        )

    np.testing.assert_array_equal(run(7.0), run(0.0))


@pytest.mark.parametrize("name", sorted(scratch.ACTIVATIONS))
def test_backward_takes_each_slope_from_the_stored_output(name, monkeypatch):
    """The backward pass evaluates each derivative at the activation's
    output, which the forward pass stored, not at z."""
    model = scratch.MLP(2, 3, 1, name, name, seed=0)
    points = np.array([[0.2, -0.7], [1.5, 0.4]])
    outputs = model.forward(points)
    seen = []
    act = scratch.ACTIVATIONS[name]
    spy = dataclasses.replace(
        act, derivative=lambda a: seen.append(a.copy()) or act.derivative(a)
    )
    monkeypatch.setattr(model, "hidden_activation", spy)
    monkeypatch.setattr(model, "output_activation", spy)
    model.backward(np.ones_like(outputs))
    np.testing.assert_array_equal(seen[0], outputs)
    np.testing.assert_array_equal(seen[1], model.hidden_a)


def test_cross_entropy_is_the_mean_of_minus_log_of_the_right_probability():
    outputs = np.array([[0.9, 0.2], [0.5, 0.99]])
    targets = np.array([[1.0, 0.0], [0.0, 1.0]])
    expected = -np.mean(np.log([0.9, 0.8, 0.5, 0.99]))
    assert scratch.cross_entropy(outputs, targets) == pytest.approx(expected)


def test_cross_entropys_gradient_through_a_sigmoid_is_y_minus_t():
    """dL/dz = (y - t) / entries: the sigmoid's slope cancels (chapter 1,
    Exercise 6). Checked against central differences in z."""
    z = np.array([[-3.0, 0.4], [2.5, -0.1]])
    targets = np.array([[1.0, 0.0], [0.0, 1.0]])
    eps = 1e-6
    numerical = np.empty_like(z)
    for index in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[index] += eps
        down[index] -= eps
        numerical[index] = (
            scratch.cross_entropy(scratch.sigmoid(up), targets)
            - scratch.cross_entropy(scratch.sigmoid(down), targets)
        ) / (2 * eps)
    expected = (scratch.sigmoid(z) - targets) / z.size
    np.testing.assert_allclose(numerical, expected, atol=1e-9)


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5])
def test_cross_entropy_refuses_outputs_that_are_not_probabilities(bad):
    with pytest.raises(ValueError, match="outputs must lie strictly"):
        scratch.cross_entropy(np.array([[bad]]), np.array([[1.0]]))


def test_cross_entropy_needs_matching_shapes():
    with pytest.raises(ValueError, match="outputs"):
        scratch.cross_entropy(np.full((3, 1), 0.5), np.ones(3))


def test_cross_entropy_training_takes_the_gradient_of_its_loss():
    """One epoch of train_cross_entropy is one gradient step on the
    cross-entropy: its update matches central differences of that loss."""
    linear = settings.LINEAR.make_dataset()
    points, targets = linear.points[:20], linear.targets[:20]
    model = settings.LINEAR.make_scratch_model()
    before = {k: v.copy() for k, v in model.parameters().items()}
    eps, rate = 1e-6, 0.1
    numerical = {}
    for name, parameter in model.parameters().items():
        grad = np.empty_like(parameter)
        for index in np.ndindex(parameter.shape):
            saved = parameter[index]
            parameter[index] = saved + eps
            up = scratch.cross_entropy(model.forward(points), targets)
            parameter[index] = saved - eps
            down = scratch.cross_entropy(model.forward(points), targets)
            parameter[index] = saved
            grad[index] = (up - down) / (2 * eps)
        numerical[name] = grad
    losses = scratch.train_cross_entropy(
        model, points, targets, learning_rate=rate, epochs=1
    )
    assert losses[0] == pytest.approx(
        scratch.cross_entropy(
            settings.LINEAR.make_scratch_model().forward(points), targets
        )
    )
    for name, parameter in model.parameters().items():
        step = (before[name] - parameter) / rate
        np.testing.assert_allclose(step, numerical[name], atol=1e-8)


def test_cross_entropy_training_lowers_the_loss_and_needs_a_sigmoid():
    linear = settings.LINEAR.make_dataset()
    model = settings.LINEAR.make_scratch_model()
    losses = scratch.train_cross_entropy(
        model, linear.points, linear.targets, learning_rate=0.5, epochs=30
    )
    assert np.all(np.diff(losses) < 0)
    circle_model = settings.CIRCLE.make_scratch_model()
    with pytest.raises(ValueError, match="sigmoid output layer"):
        scratch.train_cross_entropy(
            circle_model,
            linear.points,
            linear.targets[:, :1],
            learning_rate=0.1,
            epochs=1,
        )
