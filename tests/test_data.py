"""The seeded datasets, their targets and the decoding of outputs into labels."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpcourse import data, scratch, settings, torch_mlp


@given(n_points=st.integers(1, 500), seed=st.integers(0, 2**32 - 1))
def test_linear_dataset_follows_its_rule(n_points, seed):
    dataset = data.make_linear(n_points, seed=seed)
    assert dataset.points.shape == (n_points, 2)
    assert np.all((dataset.points >= 0) & (dataset.points < 1))
    expected = dataset.points[:, 0] - dataset.points[:, 1] < 0.3
    np.testing.assert_array_equal(dataset.labels, expected.astype(int))
    np.testing.assert_array_equal(dataset.targets[:, 0], dataset.labels == 1)
    np.testing.assert_array_equal(dataset.targets[:, 1], dataset.labels == 0)


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
    "encode, labels, allowed",
    [
        (data.linear_targets, [0, 2], "0 or 1"),
        (data.circle_targets, [0, 1], "-1 or 1"),
    ],
)
def test_encoding_rejects_unknown_labels(encode, labels, allowed):
    with pytest.raises(ValueError, match=f"labels must each be {allowed}$"):
        encode(np.array(labels))


def test_encoding_labels_into_targets():
    np.testing.assert_array_equal(
        data.circle_targets(np.array([1, -1, 1])), [[1.0], [-1.0], [1.0]]
    )
    np.testing.assert_array_equal(
        data.linear_targets(np.array([1, 0, 0])),
        [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]],
    )


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


@pytest.mark.parametrize(
    "make, experiment",
    [
        (data.make_linear, settings.LINEAR),
        (data.make_circle, settings.CIRCLE),
    ],
    ids=["linear", "circle"],
)
def test_the_default_size_is_the_course_size(make, experiment):
    default = make(seed=experiment.data_seed)
    np.testing.assert_array_equal(
        default.points, experiment.make_dataset().points
    )


def test_circle_points_lie_in_the_unit_square():
    points = data.make_circle(2000, seed=3).points
    assert np.all((points >= 0) & (points < 1))
    assert points.max() > 0.99  # spread over the whole square


def test_the_largest_circle_that_fits_is_accepted():
    dataset = data.make_circle(10, radius=0.5, seed=0)
    assert dataset.true_boundary.min() == pytest.approx(0.0)
    assert dataset.true_boundary.max() == pytest.approx(1.0)


def test_a_point_on_the_circle_is_outside():
    """+1 lies strictly inside: at a radius equal to a point's distance,
    that point is labelled -1 and a point nearer the centre +1."""
    points = data.make_circle(20, seed=5).points
    distance = np.hypot(*(points - data.CIRCLE_CENTRE).T)
    order = np.argsort(distance)
    on, nearer = order[len(order) // 2], order[0]
    radius = float(distance[on])
    assert radius <= 0.5
    labels = data.make_circle(20, radius=radius, seed=5).labels
    assert labels[on] == -1 and labels[nearer] == 1


def test_the_true_circle_is_a_closed_loop_starting_at_angle_0():
    boundary = data.make_circle(10, radius=0.25, seed=0).true_boundary
    np.testing.assert_allclose(boundary[0], [0.75, 0.5])
    np.testing.assert_allclose(boundary[-1], boundary[0], atol=1e-12)
    quarter = boundary[len(boundary) // 4]  # a quarter turn on: the top
    np.testing.assert_allclose(quarter, [0.5, 0.75], atol=1e-12)


def test_a_point_on_the_line_is_class_0(monkeypatch):
    """Class 1 is strictly ``x0 - x1 < offset``: with the offset set to one
    point's ``x0 - x1``, that point is class 0, one further left class 1."""
    points = data.make_linear(20, seed=5).points
    difference = points[:, 0] - points[:, 1]
    order = np.argsort(difference)
    on, left = order[len(order) // 2], order[0]
    monkeypatch.setattr(data, "LINEAR_OFFSET", float(difference[on]))
    labels = data.make_linear(20, seed=5).labels
    assert labels[on] == 0 and labels[left] == 1


def test_the_true_line_crosses_the_square_from_bottom_to_right_edge():
    boundary = data.make_linear(10, seed=0).true_boundary
    np.testing.assert_allclose(boundary[:, 0] - boundary[:, 1], 0.3)
    np.testing.assert_allclose(boundary, [[0.3, 0.0], [1.0, 0.7]])


@given(
    outputs=st.lists(
        st.tuples(st.floats(-2, 2), st.floats(-2, 2)), min_size=1, max_size=30
    )
)
def test_a_decision_score_is_at_least_0_exactly_where_class_1_wins(outputs):
    """Ties included: argmax picks the first unit, so does the score."""
    outputs = np.array(outputs).reshape(-1, 2)
    outputs[::3, 1] = outputs[::3, 0]  # a tie on every third point
    scores = data.decision_scores(outputs)
    np.testing.assert_array_equal(
        np.where(scores >= 0, 1, 0), data.linear_labels(outputs)
    )
    np.testing.assert_allclose(scores, outputs[:, 0] - outputs[:, 1])


@given(outputs=st.lists(st.floats(-1, 1), min_size=1, max_size=30))
def test_one_outputs_score_is_itself_and_its_sign_the_circle_class(outputs):
    outputs = np.array(outputs).reshape(-1, 1)
    scores = data.decision_scores(outputs)
    np.testing.assert_array_equal(scores, outputs[:, 0])
    np.testing.assert_array_equal(
        np.where(scores >= 0, 1, -1), data.circle_labels(outputs)
    )


@pytest.mark.parametrize("shape", [(4, 3), (4,), (4, 0)])
def test_a_decision_score_needs_one_or_two_outputs(shape):
    with pytest.raises(ValueError, match="outputs must"):
        data.decision_scores(np.zeros(shape))
