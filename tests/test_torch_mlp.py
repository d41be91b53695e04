"""The PyTorch MLP: its copy of the scratch weights, its seeding and its
checks (mlpcourse.torch_mlp)."""

import numpy as np
import pytest
import torch

from mlpcourse import scratch, torch_mlp


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


def test_torch_initialisation_is_seeded_and_leaves_the_global_generator_alone():
    state = torch.random.get_rng_state()
    first, again = (
        torch_mlp.TorchMLP(2, 3, 1, "tanh", "tanh", seed=5) for _ in range(2)
    )
    other = torch_mlp.TorchMLP(2, 3, 1, "tanh", "tanh", seed=6)
    assert torch.equal(first.hidden.weight, again.hidden.weight)
    assert not torch.equal(first.hidden.weight, other.hidden.weight)
    assert torch.equal(torch.random.get_rng_state(), state)


def small_problem(n_points: int = 10):
    rng = np.random.default_rng(0)
    return rng.uniform(size=(n_points, 3)), rng.uniform(-1, 1, (n_points, 2))


@pytest.mark.parametrize(
    "hidden, output", [("relu", "sigmoid"), ("tanh", "identity")]
)
def test_a_copy_predicts_what_the_scratch_network_predicts(hidden, output):
    model = scratch.MLP(3, 4, 2, hidden, output, seed=1)
    copy = torch_mlp.TorchMLP.copy_of(model)
    points, _ = small_problem()
    predicted = copy.predict(points)
    assert isinstance(predicted, np.ndarray) and predicted.dtype == np.float64
    np.testing.assert_allclose(predicted, model.predict(points), rtol=1e-13)


def test_scratch_arrays_give_back_the_copied_parameters():
    model = scratch.MLP(3, 4, 2, "tanh", "tanh", seed=2)
    arrays = torch_mlp.TorchMLP.copy_of(model).scratch_arrays()
    assert list(arrays) == list(model.parameters())
    for name, parameter in model.parameters().items():
        np.testing.assert_array_equal(arrays[name], parameter)


def test_scratch_arrays_of_gradients_match_backprop():
    model = scratch.MLP(3, 4, 2, "tanh", "sigmoid", seed=3)
    copy = torch_mlp.TorchMLP.copy_of(model)
    points, targets = small_problem()
    model.backward(scratch.mse_gradient(model.forward(points), targets))
    loss = torch.nn.functional.mse_loss(
        copy(torch.from_numpy(points)), torch.from_numpy(targets)
    )
    loss.backward()
    gradients = copy.scratch_arrays(gradients=True)
    for name, gradient in model.gradients().items():
        np.testing.assert_allclose(gradients[name], gradient, atol=1e-15)


def test_a_float32_copy_computes_in_float32_and_answers_in_float64():
    model = scratch.MLP(3, 4, 2, "tanh", "tanh", seed=0)
    copy = torch_mlp.TorchMLP.copy_of(model, dtype=torch.float32)
    assert copy.output.weight.dtype == torch.float32
    points, _ = small_problem()
    predicted = copy.predict(points)
    assert predicted.dtype == np.float64
    gap = np.max(np.abs(predicted - model.predict(points)))
    assert 0 < gap < 1e-5  # float32 rounding, not float64's


def test_torch_training_follows_the_scratch_loop_epoch_by_epoch():
    """Minibatches of 4, 4 and 2, three epochs: the same losses as chapter 1,
    and the hook sees epochs 1, 2, 3."""
    model = scratch.MLP(3, 4, 2, "tanh", "tanh", seed=4)
    copy = torch_mlp.TorchMLP.copy_of(model)
    points, targets = small_problem()
    options = {
        "learning_rate": 0.5,
        "epochs": 3,
        "batch_size": 4,
        "shuffle_seed": 7,
    }
    seen = []
    torch_losses = torch_mlp.train(
        copy, points, targets, **options, on_epoch=seen.append
    )
    scratch_losses = scratch.train(model, points, targets, **options)
    assert seen == [1, 2, 3]
    np.testing.assert_allclose(torch_losses, scratch_losses, rtol=1e-12)
    assert torch_losses[-1] < torch_losses[0]
    for name, array in copy.scratch_arrays().items():
        np.testing.assert_allclose(array, model.parameters()[name], atol=1e-12)


@pytest.mark.parametrize(
    "hidden, output", [("softplus", "tanh"), ("tanh", "softplus")]
)
def test_an_unknown_activation_is_refused_for_either_layer(hidden, output):
    with pytest.raises(ValueError, match="got 'softplus'"):
        torch_mlp.TorchMLP(2, 3, 1, hidden, output)


def test_gradients_missing_for_part_of_a_layer_are_refused():
    model = torch_mlp.TorchMLP(2, 3, 1, "tanh", "tanh")
    model(torch.ones(4, 2, dtype=torch.float64)).sum().backward()
    model.output.bias.grad = None  # only the weight's gradient is left
    with pytest.raises(RuntimeError, match="no gradients yet"):
        model.scratch_arrays(gradients=True)
