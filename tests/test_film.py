"""Training films: the hook that records them, their frames, their player,
their small multiples and what the chapters measure on them."""

import dataclasses
import re

import numpy as np
import pytest

from mlpcourse import (
    claims,
    data,
    film,
    parity,
    plots,
    scratch,
    settings,
    torch_mlp,
    training,
)
from mlpcourse.metrics import accuracy

LINEAR, CIRCLE = settings.LINEAR, settings.CIRCLE


@pytest.mark.parametrize("loop", [scratch.train, torch_mlp.train])
def test_the_recorder_records_exactly_the_requested_epochs(loop):
    dataset = LINEAR.make_dataset()
    model = LINEAR.make_scratch_model()
    if loop is torch_mlp.train:
        model = torch_mlp.TorchMLP.copy_of(model)
    first = model.predict(dataset.points[:1])[0, 0]
    some = training.Recorder(
        lambda: model.predict(dataset.points[:1])[0, 0], at=[0, 2, 5, 9]
    )
    every = training.Recorder(lambda: 1.0)
    options = LINEAR.training_options() | {"epochs": 6}
    loop(
        model,
        dataset.points,
        dataset.targets,
        **options,
        on_epoch=training.each(some, every),
    )
    assert some.epochs == [0, 2, 5]  # 9 never comes
    assert some.values[0] == first
    assert len(set(some.values)) == 3, "recorded before the epoch's updates"
    assert every.epochs == list(range(7))


@pytest.mark.parametrize("at", [[-1], [1.5], [True], ["3"]])
def test_the_recorder_names_epochs_it_cannot_use(at):
    with pytest.raises(ValueError, match="at must hold epoch numbers"):
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


@pytest.mark.parametrize("epochs, count", [(500, 41), (60, 41), (40, 41)])
def test_film_epochs_are_dense_early_and_end_at_the_last(epochs, count):
    chosen = film.film_epochs(epochs, count)
    assert len(chosen) == count
    assert chosen[0] == 0 and chosen[-1] == epochs
    gaps = np.diff(chosen)
    assert np.all(gaps >= 1), "epochs repeat or go back"
    assert gaps[0] == 1 and gaps[-1] == gaps.max(), "not dense early"


def test_film_epochs_refuse_more_frames_than_epochs():
    assert film.film_epochs(5, 6) == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match=r"count must be from 2 to epochs"):
        film.film_epochs(5, 7)


def short_film(name: str = "circle-test", epochs: int = 12) -> film.Film:
    """A circle run of a few epochs, recorded as the chapters record it."""
    dataset = CIRCLE.make_dataset()
    model = CIRCLE.make_scratch_model()
    record = training.Recorder(
        lambda: accuracy(
            data.circle_labels(model.predict(dataset.points)), dataset.labels
        )
    )
    frames = film.snapshots(model.predict, epochs, count=5)
    options = CIRCLE.training_options() | {"epochs": epochs}
    losses = scratch.train(
        model,
        dataset.points,
        dataset.targets,
        **options,
        on_epoch=training.each(record, frames),
    )
    return film.Film(
        name, "A test film", dataset, frames, losses, record.values
    )


def test_a_frame_is_the_network_output_over_the_grid_at_its_epoch():
    dataset = CIRCLE.make_dataset()
    model = CIRCLE.make_scratch_model()
    before = plots.grid_scores(model.predict)
    frames = film.snapshots(model.predict, 4, count=3)
    options = CIRCLE.training_options() | {"epochs": 4}
    scratch.train(
        model, dataset.points, dataset.targets, **options, on_epoch=frames
    )
    assert frames.epochs == [0, 1, 4]  # dense early
    np.testing.assert_array_equal(frames.values[0], before)
    np.testing.assert_array_equal(
        frames.values[-1], plots.grid_scores(model.predict)
    )


def test_the_player_is_the_same_bytes_for_the_same_run():
    first, second = short_film()._repr_html_(), short_film()._repr_html_()
    assert first == second


def test_the_player_works_offline_and_names_its_controls():
    page = short_film("circle-test")._repr_html_()
    frames = re.findall(r"frames\[\d+\] = \"data:image/png;base64,", page)
    assert len(frames) == 5
    assert "http" not in page, "the player fetches something"
    assert "<i class" not in page, "an icon font is still needed"
    assert page.count("<svg") == 9  # one icon per button
    assert not re.search(r"[0-9a-f]{32}", page), "a random id"
    assert 'id="_anim_imgcircle_test"' in page
    assert 'alt="A test film: the decision boundary' in page
    assert 'aria-label="Frame: the epoch shown"' in page
    assert page.startswith('<div class="film">')


def test_a_film_refuses_parts_that_do_not_fit():
    good = short_film()
    with pytest.raises(ValueError, match="name must be a-z"):
        film.Film(
            "Circle film",
            "t",
            good.dataset,
            good.snapshots,
            good.losses,
            good.accuracies,
        )
    with pytest.raises(ValueError, match="accuracies must hold epoch 0"):
        film.Film(
            "c",
            "t",
            good.dataset,
            good.snapshots,
            good.losses,
            good.accuracies[1:],
        )
    with pytest.raises(ValueError, match="must end at the last epoch"):
        film.Film(
            "c",
            "t",
            good.dataset,
            good.snapshots,
            good.losses[:-1],
            good.accuracies[:-1],
        )


def test_small_multiples_title_each_panel_with_its_epoch_loss_and_accuracy():
    shown = short_film()  # frames at epochs 0, 1, 2, 5, 12
    figure = film.small_multiples(shown, count=3)
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert titles == [
        f"epoch 0: before training\naccuracy {shown.accuracies[0]:.2f}",
        f"epoch 2: loss {shown.losses[1]:.3g}\n"
        f"accuracy {shown.accuracies[2]:.2f}",
        f"epoch 12: loss {shown.losses[11]:.3g}\n"
        f"accuracy {shown.accuracies[12]:.2f}",
    ]
    with pytest.raises(ValueError, match="count must be at most"):
        film.small_multiples(shown, count=6)


class Frames:
    """A stand-in for the snapshots: given frames at given epochs."""

    def __init__(self, epochs, values):
        self.epochs, self.values = list(epochs), list(values)


def synthetic(frames, epochs, losses=None, accuracies=None) -> film.Film:
    dataset = LINEAR.make_dataset()  # threshold 0.5
    losses = np.linspace(1.0, 0.1, epochs[-1]) if losses is None else losses
    if accuracies is None:
        accuracies = np.full(epochs[-1] + 1, 0.5)
    return film.Film(
        "s", "s", dataset, Frames(epochs, frames), losses, accuracies
    )


def test_the_boundary_shows_from_the_frame_after_the_last_without_one():
    crossing = np.array([[0.2, 0.8], [0.2, 0.8]])
    above = np.full((2, 2), 0.9)
    shown = synthetic(
        [crossing, above, above, crossing, crossing], [0, 1, 2, 4, 8]
    )
    assert film.boundary_epochs(shown) == [0, 4, 8]
    assert film.boundary_from(shown) == 4
    always = synthetic([crossing, crossing], [0, 8])
    assert film.boundary_from(always) == 0


def test_the_loss_levels_off_where_it_has_made_most_of_its_fall():
    losses = np.array([1.0, 0.5, 0.2, 0.12, 0.1] + [0.1] * 60)
    shown = synthetic([np.zeros((2, 2))] * 2, [0, len(losses)], losses)
    # the level: 0.1 + 0.1 * (1.0 - 0.1) = 0.19, first reached at epoch 4
    assert film.loss_levels_off(shown) == 4


def test_side_changes_and_accuracy_jumps_are_measured_late_in_the_run():
    a = np.array([[0.2, 0.2], [0.2, 0.2]])
    b = np.array([[0.8, 0.2], [0.2, 0.2]])  # one cell in four changes side
    c = np.array([[0.8, 0.8], [0.8, 0.2]])  # two more
    shown = synthetic([a, c, b, a], [0, 2, 6, 10])
    assert film.side_changes(shown, after=0) == pytest.approx((3 + 2 + 1) / 12)
    assert film.side_changes(shown, after=5) == pytest.approx((2 + 1) / 8)
    accuracies = np.array([0.5] * 10 + [0.9, 0.8, 0.95, 0.9] + [0.9] * 60)
    shown = synthetic([a, a], [0, len(accuracies) - 1], None, accuracies)
    assert film.largest_accuracy_change(shown, last=63) == pytest.approx(0.15)
    assert film.largest_accuracy_change(shown, last=64) == pytest.approx(0.4)
    assert film.largest_accuracy_change(shown, last=30) == 0


def test_parity_covers_the_frames():
    dataset = LINEAR.make_dataset()
    short = dataclasses.replace(LINEAR, epochs=6)
    runs = parity.train_both(short, dataset, snapshots=True)
    assert runs.scratch_snapshots.epochs == film.film_epochs(6, 7)
    assert parity.frame_gap(runs) <= parity.PARITY_TOLERANCE
    parity.require_agreement(runs, "settings.LINEAR")
    runs.torch_snapshots.values[3] = runs.torch_snapshots.values[3] + 1e-8
    with pytest.raises(claims.ClaimBroken, match="film frame gap 1.0e-08"):
        parity.require_agreement(runs, "settings.LINEAR")
