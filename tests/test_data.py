"""The seeded datasets, their targets and the decoding of outputs into labels."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpcourse import data, scratch, settings, torch_mlp
from mlpcourse.metrics import accuracy


@given(n_points=st.integers(1, 500), seed=st.integers(0, 2**32 - 1))
def test_linear_dataset_follows_its_rule(n_points, seed):
    dataset = data.make_linear(n_points, seed=seed)
    assert dataset.points.shape == (n_points, 2)
    assert np.all((dataset.points >= 0) & (dataset.points < 1))
    expected = dataset.points[:, 0] - dataset.points[:, 1] < 0.3
    np.testing.assert_array_equal(dataset.labels, expected.astype(int))
    np.testing.assert_array_equal(dataset.targets[:, 0], dataset.labels == 1)
    np.testing.assert_array_equal(dataset.targets[:, 1], dataset.labels == 0)
    assert dataset.threshold == 0.5


@given(
    n_points=st.integers(1, 500),
    radius=st.floats(0.01, 0.5),
    seed=st.integers(0, 2**32 - 1),
)
def test_circle_dataset_follows_its_rule(n_points, radius, seed):
    dataset = data.make_circle(n_points, radius=radius, seed=seed)
    distance = np.linalg.norm(dataset.points - 0.5, axis=1)
    np.testing.assert_array_equal(
        dataset.labels, np.where(distance < radius, 1, -1)
    )
    np.testing.assert_array_equal(dataset.targets[:, 0], dataset.labels)
    boundary_distance = np.linalg.norm(dataset.true_boundary - 0.5, axis=1)
    np.testing.assert_allclose(boundary_distance, radius)
    assert dataset.threshold == 0.0


@pytest.mark.parametrize("make", [data.make_linear, data.make_circle])
def test_same_seed_same_data_other_seed_other_data(make):
    first, again, other = make(50, seed=7), make(50, seed=7), make(50, seed=8)
    np.testing.assert_array_equal(first.points, again.points)
    assert not np.array_equal(first.points, other.points)


def test_course_datasets_have_both_classes():
    assert set(data.make_linear(100, seed=0).labels) == {0, 1}
    assert set(data.make_circle(1000, seed=0).labels) == {-1, 1}


@pytest.mark.parametrize("make", [data.make_linear, data.make_circle])
@pytest.mark.parametrize(
    "n_points, error",
    [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError)],
)
def test_bad_n_points_is_rejected_by_name(make, n_points, error):
    with pytest.raises(error, match="n_points"):
        make(n_points, seed=0)


@pytest.mark.parametrize(
    "radius, error",
    [
        (0.0, ValueError),
        (-0.1, ValueError),
        (0.51, ValueError),
        (float("nan"), ValueError),
        ("0.4", TypeError),
    ],
)
def test_radius_outside_the_square_is_rejected(radius, error):
    with pytest.raises(error, match="radius"):
        data.make_circle(10, radius=radius, seed=0)


def test_decoding_outputs_into_labels():
    np.testing.assert_array_equal(
        data.linear_labels(np.array([[0.9, 0.1], [0.2, 0.7]])), [1, 0]
    )
    np.testing.assert_array_equal(
        data.circle_labels(np.array([[0.3], [-0.2], [0.0]])), [1, -1, 1]
    )


@pytest.mark.parametrize(
    "decode, outputs",
    [
        (data.linear_labels, np.zeros((3, 3))),
        (data.linear_labels, np.zeros(3)),
        (data.circle_labels, np.zeros((3, 2))),
        (data.circle_labels, np.array([[np.nan]])),
    ],
)
def test_decoding_rejects_wrong_outputs(decode, outputs):
    with pytest.raises(ValueError, match="outputs"):
        decode(outputs)


@pytest.mark.parametrize(
    "encode, labels",
    [(data.linear_targets, [0, 2]), (data.circle_targets, [0, 1])],
)
def test_encoding_rejects_unknown_labels(encode, labels):
    with pytest.raises(ValueError, match="labels"):
        encode(np.array(labels))


def test_accuracy_counts_matches():
    assert accuracy(np.array([1, 0, 1, 1]), np.array([1, 1, 1, 0])) == 0.5


@pytest.mark.parametrize(
    "predicted, labels, error, name",
    [
        (np.ones(3), np.ones(4), ValueError, "same number of rows"),
        (np.ones((3, 1)), np.ones(3), ValueError, "predicted"),
        (np.array(["a", "b"]), np.ones(2), TypeError, "predicted"),
        (np.ones(2), np.array([1.0, np.inf]), ValueError, "labels"),
        (np.ones(0), np.ones(0), ValueError, "predicted"),
    ],
)
def test_accuracy_rejects_bad_input(predicted, labels, error, name):
    with pytest.raises(error, match=name):
        accuracy(predicted, labels)


@pytest.mark.parametrize(
    "seed, error", [(None, TypeError), (-1, ValueError), (1.5, TypeError)]
)
def test_every_random_draw_needs_a_real_seed(seed, error):
    with pytest.raises(error, match="seed must be an integer >= 0"):
        data.make_linear(10, seed=seed)
    with pytest.raises(error, match="seed must be an integer >= 0"):
        data.make_circle(10, seed=seed)
    with pytest.raises(error, match="seed must be an integer >= 0"):
        scratch.MLP(2, 3, 1, "tanh", "tanh", seed=seed)
    with pytest.raises(error, match="seed must be an integer >= 0"):
        torch_mlp.TorchMLP(2, 3, 1, "tanh", "tanh", seed=seed)
    for train, model in (
        (scratch.train, scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)),
        (torch_mlp.train, torch_mlp.TorchMLP(2, 3, 1, "tanh", "tanh")),
    ):
        with pytest.raises(
            error, match="shuffle_seed must be an integer >= 0"
        ):
            train(
                model,
                np.ones((4, 2)),
                np.ones((4, 1)),
                learning_rate=0.1,
                epochs=1,
                batch_size=2,
                shuffle_seed=seed,
            )


def test_course_settings_are_the_ones_the_book_was_written_with():
    """Every number the chapters print follows from these settings. A change
    is deliberate: make it here and in settings.py, then `make notebooks`."""
    shared = {"n_inputs": 2, "data_seed": 0, "init_seed": 1, "shuffle_seed": 2}
    assert settings.LINEAR == settings.Experiment(
        dataset="linear",
        n_points=100,
        n_hidden=5,
        n_outputs=2,
        hidden_activation="relu",
        output_activation="sigmoid",
        learning_rate=1.0,
        epochs=500,
        batch_size=100,
        **shared,
    )
    assert settings.CIRCLE == settings.Experiment(
        dataset="circle",
        n_points=1000,
        n_hidden=4,
        n_outputs=1,
        hidden_activation="tanh",
        output_activation="tanh",
        learning_rate=0.05,
        epochs=500,
        batch_size=10,
        **shared,
    )
    assert (data.LINEAR_OFFSET, data.CIRCLE_CENTRE, data.CIRCLE_RADIUS) == (
        0.3,
        (0.5, 0.5),
        0.4,
    )


def test_an_experiment_builds_its_data_model_and_options():
    circle = settings.CIRCLE
    dataset = circle.make_dataset()
    np.testing.assert_array_equal(
        dataset.points, data.make_circle(1000, seed=0).points
    )
    model = circle.make_scratch_model()
    assert repr(model) == "MLP(2 -> 4 tanh -> 1 tanh)"
    np.testing.assert_array_equal(
        model.hidden.weights,
        scratch.MLP(2, 4, 1, "tanh", "tanh", seed=1).hidden.weights,
    )
    assert circle.training_options() == {
        "learning_rate": 0.05,
        "epochs": 500,
        "batch_size": 10,
        "shuffle_seed": 2,
    }
    assert circle.label == "2-4-1 MLP, tanh then tanh"
    assert str(circle).splitlines() == [
        "circle dataset: 1000 points, seed 0",
        "network: 2 -> 4 tanh -> 1 tanh, initial weights seed 1",
        "training: learning rate 0.05, 500 epochs, minibatches of 10, "
        "order seed 2",
    ]


def test_the_prose_quotes_the_settings():
    facts = settings.facts()
    assert facts["circle_steps_per_epoch"] == "100"
    assert facts["circle_steps"] == "50,000"
    assert facts["circle_batches"] == "minibatches of 10 points"
    assert facts["linear_batches"] == "the whole dataset as one batch"
    assert facts["linear_steps"] == "500"
    assert facts["circle_points"] == "1,000"
    assert facts["linear_entries"] == "200"
    assert facts["linear_half_sum_factor"] == "100"
    assert facts["circle_half_sum_factor"] == "5"
    assert facts["linear_hidden_activation"] == "ReLU"
    assert facts["linear_output_activation"] == "a sigmoid"
    assert facts["circle_rate"] == "0.05" and facts["linear_rate"] == "1"
