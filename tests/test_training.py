"""What both training loops share: the epoch hook and its recorders, the
batch order and the divergence check (mlpcourse.training)."""

import re
import warnings

import numpy as np
import pytest

from mlpcourse import scratch, settings, torch_mlp, training

LINEAR = settings.LINEAR


@pytest.mark.parametrize("loop", [scratch.train, torch_mlp.train])
def test_both_loops_call_the_hook_after_every_epoch(loop):
    data = LINEAR.make_dataset()
    model = fresh(loop)
    seen = []
    options = LINEAR.training_options() | {"epochs": 7}

    def hook(epoch):  # sees the network as each epoch left it
        seen.append((epoch, model.predict(data.points[:1])[0, 0]))

    losses = loop(model, data.points, data.targets, **options, on_epoch=hook)
    assert [epoch for epoch, _ in seen] == list(range(1, 8))
    outputs = [output for _, output in seen]
    assert len(set(outputs)) == 7, "the hook ran before the epoch's updates"
    assert outputs[-1] == model.predict(data.points[:1])[0, 0]
    plain = loop(fresh(loop), data.points, data.targets, **options)
    np.testing.assert_array_equal(losses, plain)  # the hook changes nothing


def test_recorder_measures_before_training_and_after_each_epoch():
    counter = iter(range(100))
    record = training.Recorder(lambda: next(counter))
    for epoch in (1, 2, 3):
        record(epoch)
    assert record.epochs == [0, 1, 2, 3]
    assert record.values == [0, 1, 2, 3]
    with pytest.raises(TypeError, match="measure must be callable"):
        training.Recorder(0.5)


def test_a_recorder_records_exactly_the_epochs_it_is_given():
    counter = iter(range(100))
    some = training.Recorder(lambda: next(counter), at=[9, 0, 2, 5, 2])
    for epoch in range(1, 7):
        some(epoch)
    assert some.epochs == [0, 2, 5]  # 9 never comes; 2 only once
    assert some.values == [0, 1, 2]  # measured only then


def test_a_recorder_given_no_epochs_records_none_not_even_epoch_0():
    calls = []
    none = training.Recorder(lambda: calls.append(1), at=[])
    for epoch in range(1, 4):
        none(epoch)
    assert (none.epochs, none.values, calls) == ([], [], [])


def test_a_recorder_takes_numpy_epoch_numbers_as_epochs():
    record = training.Recorder(lambda: 1.0, at=np.array([0, 3]))
    for epoch in range(1, 5):
        record(epoch)
    assert record.epochs == [0, 3]
    assert all(type(epoch) is int for epoch in record.epochs)
    later = training.Recorder(lambda: 1.0, at=[np.int64(2)])
    assert later.epochs == []  # epoch 0 not asked for
    later(2)
    assert later.epochs == [2]


@pytest.mark.parametrize(
    "at", [[-1], [1.5], [2.0], [True], [False], ["3"], [0, 2, -1]]
)
def test_the_recorder_names_epochs_it_cannot_use(at):
    with pytest.raises(
        ValueError,
        match=r"at must hold epoch numbers, whole and 0 or more, "
        rf"got {re.escape(str(at))}$",
    ):
        training.Recorder(lambda: 0.0, at=at)


def test_each_calls_every_hook_in_order():
    calls = []
    hook = training.each(
        lambda e: calls.append(("a", e)), lambda e: calls.append(("b", e))
    )
    hook(3)
    assert calls == [("a", 3), ("b", 3)]
    with pytest.raises(TypeError, match="each hook must be callable"):
        training.each(print, "not a hook")


def fresh(loop):
    model = LINEAR.make_scratch_model()
    return (
        model if loop is scratch.train else torch_mlp.TorchMLP.copy_of(model)
    )


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


def test_epoch_batches_cut_one_shuffle_of_the_points_in_order():
    batches = list(training.epoch_batches(23, 5, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 3]  # the last: the rest
    order = np.random.default_rng(0).permutation(23)
    np.testing.assert_array_equal(np.concatenate(batches), order)
    (whole,) = training.epoch_batches(23, 100, np.random.default_rng(0))
    np.testing.assert_array_equal(whole, order)


@pytest.mark.parametrize("loss", [np.nan, np.inf, -np.inf])
def test_a_loss_that_is_not_a_number_stops_training_naming_the_epoch(loss):
    with pytest.raises(
        training.TrainingDiverged,
        match=rf"diverged at epoch 8: the loss became {loss}\. "
        r"Try a smaller learning rate than 0\.5\.",
    ):
        training.check_loss(loss, 7, 0.5)
    assert training.check_loss(0.25, 7, 0.5) == 0.25
    assert training.check_loss(0.0, 0, 0.5) == 0.0


def test_the_divergence_message_names_the_learning_rate_as_written():
    with pytest.raises(
        training.TrainingDiverged,
        match=r"at epoch 1: .* smaller learning rate than 0\.3\.$",
    ):
        training.check_loss(np.inf, 0, 0.1 + 0.2)  # not 0.30000000000000004


def training_args(**changes):
    """check_training_args on a good 2-2 run of 4 points, with changes."""
    args = {
        "points": np.zeros((4, 2)),
        "targets": np.ones((4, 2)),
        "shape": (2, 2),
        "learning_rate": 0.5,
        "epochs": 3,
        "batch_size": 2,
    } | changes
    return training.check_training_args(**args)


def test_check_training_args_returns_the_points_and_targets_as_floats():
    points, targets = training_args(points=[[0, 1]] * 4, targets=[[1, 0]] * 4)
    assert points.dtype == targets.dtype == np.float64
    np.testing.assert_array_equal(points, [[0.0, 1.0]] * 4)
    np.testing.assert_array_equal(targets, [[1.0, 0.0]] * 4)


@pytest.mark.parametrize(
    "changes, error",
    [
        (
            {"points": np.zeros((4, 3))},
            r"points must be a 2-D array of shape \(n, 2\)",
        ),
        (
            {"targets": np.zeros((4, 1))},
            r"targets must be a 2-D array of shape \(n, 2\)",
        ),
        ({"shape": (2, 1)}, r"targets must be a 2-D array of shape \(n, 1\)"),
        (
            {"targets": np.zeros((3, 2))},
            r"points and targets must have the same number of rows, got 4 and 3",
        ),
        ({"learning_rate": 0.0}, "learning_rate must be a finite number"),
        ({"epochs": 0}, "epochs must be a positive integer"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
    ],
)
def test_check_training_args_names_the_argument_that_is_wrong(changes, error):
    with pytest.raises(ValueError, match=error):
        training_args(**changes)
