"""Recording a run as it trains: the epoch hook, accuracy and its summary."""

import numpy as np
import pytest

from mlpcourse import (
    claims,
    parity,
    plots,
    scratch,
    settings,
    torch_mlp,
    training,
)
from mlpcourse.metrics import accuracy_summary

LINEAR = settings.LINEAR


def fresh(loop):
    model = LINEAR.make_scratch_model()
    return (
        model if loop is scratch.train else torch_mlp.TorchMLP.copy_of(model)
    )


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


def test_the_summary_does_not_depend_on_the_last_epoch():
    steady = np.full(60, 0.97)
    dipped = steady.copy()
    dipped[-1] = 0.5  # the run happens to stop on a bad epoch
    assert "median 0.970" in accuracy_summary(steady)
    summary = accuracy_summary(dipped)
    assert summary.startswith("final 0.500\n")
    assert "last 50 epochs: median 0.970, from 0.500 to 0.970" in summary
    with pytest.raises(ValueError, match="at least 50 epochs, got 49"):
        accuracy_summary(np.ones(49))


def test_accuracy_figure_draws_every_epoch_and_shades_the_window():
    values = np.linspace(0.5, 1.0, 101)
    ax = plots.plot_accuracy({"run": values}, title="Accuracy", last=20)
    (line,) = [li for li in ax.get_lines() if li.get_label() == "run"]
    np.testing.assert_array_equal(line.get_xdata(), np.arange(101))
    np.testing.assert_array_equal(line.get_ydata(), values)
    (window,) = [p for p in ax.patches if p.get_label() == "last 20 epochs"]
    start, end = window.get_x(), window.get_x() + window.get_width()
    assert (start, end) == (81, 100)
    assert ax.get_ylabel() == "training accuracy"


def test_gap_figure_draws_each_gap_with_zero_at_the_floor():
    gap = np.array([0.0, 1e-16, 1e-12, 1e-3])
    ax = plots.plot_gaps({"runs": gap}, title="Gap", tolerance=1e-9)
    (line,) = [li for li in ax.get_lines() if li.get_label() == "runs"]
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(
        line.get_ydata(), [plots.GAP_FLOOR, 1e-16, 1e-12, 1e-3]
    )
    (tolerance,) = [
        li for li in ax.get_lines() if li.get_label() == "tolerance, 1e-09"
    ]
    assert tolerance.get_ydata()[0] == 1e-9
    with pytest.raises(ValueError, match="must hold gaps, not signs"):
        plots.plot_gaps({"runs": -gap}, title="Gap", tolerance=1e-9)


def test_one_step_agrees_to_rounding_for_any_setting():
    circle = settings.CIRCLE.make_dataset()
    for width, rate, batch in [(3, 0.01, 1), (128, 5.0, 7), (16, 30.0, 500)]:
        gap = parity.one_step_gap(width, rate, batch, circle)
        assert gap < 1e-12, (width, rate, batch, gap)


def test_a_broken_claim_names_claim_measurement_and_setting():
    runs = parity.TwinRuns(
        LINEAR.make_scratch_model(),
        np.array([1.0, 0.5]),
        torch_mlp.TorchMLP.copy_of(LINEAR.make_scratch_model()),
        np.array([1.0, 0.4]),
    )
    with pytest.raises(claims.ClaimBroken) as broken:
        parity.require_agreement(runs, "settings.LINEAR.learning_rate")
    message = str(broken.value)
    assert "agree within 1e-09 at every epoch" in message
    assert "loss gap 1.0e-01 (largest at epoch 2)" in message
    assert "Setting involved: settings.LINEAR.learning_rate" in message
