"""Training films: the hook that records them, their frames, their player,
their small multiples and what the chapters measure on them."""

import base64
import dataclasses
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from figure_text import covered
from matplotlib.contour import ContourSet
from matplotlib.text import Text
from PIL import Image

from mlpcourse import parity, scratch, settings
from mlpcourse.metrics import LAST_EPOCHS
from mlpcourse.pages import claims, film, plots

LINEAR, CIRCLE = settings.LINEAR, settings.CIRCLE


@pytest.mark.parametrize("epochs, count", [(500, 41), (60, 41), (40, 41)])
def test_film_epochs_are_dense_early_and_end_at_the_last(epochs, count):
    chosen = film.film_epochs(epochs, count)
    assert len(chosen) == count
    assert chosen[0] == 0 and chosen[-1] == epochs
    gaps = np.diff(chosen)
    assert np.all(gaps >= 1), "epochs repeat or go back"
    assert gaps[0] == 1 and gaps[-1] == gaps.max(), "not dense early"


@pytest.mark.parametrize(
    "epochs, count, chosen",
    [
        (100, 6, [0, 1, 3, 10, 32, 100]),  # 10 ** 0, 10 ** 0.5, ... 10 ** 2
        (10, 5, [0, 1, 2, 5, 10]),
        (12, 8, [0, 1, 2, 3, 4, 6, 8, 12]),  # 1.5 and 2.3 round to 2: 1 more
        (10, 2, [0, 10]),
        (1, 2, [0, 1]),
        (5, 6, [0, 1, 2, 3, 4, 5]),  # every epoch
    ],
)
def test_film_epochs_of_short_runs_are_evenly_spaced_on_a_log_scale(
    epochs, count, chosen
):
    assert film.film_epochs(epochs, count) == chosen


def test_a_chapters_run_of_500_epochs_is_filmed_in_41_frames():
    """As the chapters print: "41 frames, epochs 0 to 500"."""
    assert len(film.film_epochs(500)) == 41
    frames = film.snapshots(lambda points: points[:, :1], 500)
    for epoch in range(1, 501):
        frames(epoch)
    assert frames.epochs == film.film_epochs(500)


@pytest.mark.parametrize("count", [1, 7])
def test_film_epochs_refuse_fewer_than_two_or_more_frames_than_epochs(count):
    with pytest.raises(
        ValueError,
        match=rf"count must be from 2 to epochs \+ 1 \(6\), got {count}$",
    ):
        film.film_epochs(5, count)


def test_snapshots_of_a_run_shorter_than_the_frames_record_every_epoch():
    def predict(points):  # one output, x0: a frame's rows are equal
        return points[:, :1]

    frames = film.snapshots(predict, 3)  # 41 frames asked for, 4 epochs
    assert frames.epochs == [0]  # recorded when made, before training
    for epoch in (1, 2, 3, 4):
        frames(epoch)
    assert frames.epochs == [0, 1, 2, 3]
    assert len(frames.values) == 4
    np.testing.assert_array_equal(frames.values[0], plots.grid_scores(predict))


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


class Frames:
    """A stand-in for the snapshots: given frames at given epochs."""

    def __init__(self, epochs, values):
        self.epochs, self.values = list(epochs), list(values)


def synthetic(
    frames, epochs, losses=None, accuracies=None, title="s", name="s"
) -> film.Film:
    """A film of hand-made frames of decision scores over the linear
    dataset: the learnt boundary is where a frame crosses 0."""
    dataset = LINEAR.make_dataset()
    losses = np.linspace(1.0, 0.1, epochs[-1]) if losses is None else losses
    if accuracies is None:
        accuracies = np.full(epochs[-1] + 1, 0.5)
    return film.Film(
        name, title, dataset, Frames(epochs, frames), losses, accuracies
    )


def ramp(low: float, high: float) -> np.ndarray:
    """A 3 x 3 frame rising from ``low`` to ``high``."""
    return np.linspace(low, high, 9).reshape(3, 3)


# Four frames over 9 epochs: below 0, crossing it, above it, crossing it;
# distinct losses and accuracies, the lowest accuracy 0.3.
EPOCHS = [0, 2, 5, 9]
FRAMES = [ramp(-0.4, -0.2), ramp(-0.3, 0.3), ramp(0.1, 0.4), ramp(-0.4, 0.4)]
LOSSES = np.array([0.9, 0.6, 0.4, 0.3, 0.25, 0.2, 0.17, 0.15, 0.125])
ACCURACIES = [0.45, 0.3, 0.6, 0.55, 0.7, 0.8, 0.85, 0.9, 0.92, 0.95]


def four_frames(accuracies=ACCURACIES, name="test-film") -> film.Film:
    return synthetic(FRAMES, EPOCHS, LOSSES, accuracies, "A test film", name)


def test_a_film_refuses_parts_that_do_not_fit():
    good = four_frames()
    parts = good.dataset, good.snapshots, good.losses, good.accuracies
    with pytest.raises(
        ValueError,
        match=r"name must be a-z, 0-9 and dashes, got 'Circle film'",
    ):
        film.Film("Circle film", "t", *parts)
    with pytest.raises(
        ValueError,
        match=r"accuracies must hold epoch 0 and one per loss: "
        r"10 values, got 9",
    ):
        film.Film("c", "t", *parts[:3], good.accuracies[1:])
    with pytest.raises(
        ValueError,
        match=r"must end at the last epoch, 8, got epochs \[0, 2, 5, 9\]",
    ):
        film.Film("c", "t", *parts[:2], LOSSES[:-1], ACCURACIES[:-1])
    early = Frames([0, 2, 5], FRAMES[:3])  # the run went on after the last
    with pytest.raises(ValueError, match="must end at the last epoch, 9"):
        film.Film("c", "t", good.dataset, early, *parts[2:])
    with pytest.raises(ValueError, match="losses must be a 1-D array"):
        film.Film("c", "t", *parts[:2], LOSSES[None, :], ACCURACIES)
    with pytest.raises(ValueError, match="accuracies must be a 1-D array"):
        film.Film("c", "t", *parts[:3], [ACCURACIES])


def test_a_film_cannot_be_changed_once_checked():
    shown = four_frames()
    with pytest.raises(dataclasses.FrozenInstanceError):
        shown.losses = LOSSES[:-1]


def test_a_film_gives_the_loss_and_accuracy_of_each_of_its_epochs():
    shown = four_frames()
    assert shown.epochs == EPOCHS
    assert shown.frames.shape == (4, 3, 3)
    np.testing.assert_array_equal(shown.frames[1], FRAMES[1])
    assert shown.loss_at(0) is None  # before training: no loss yet
    assert shown.loss_at(1) == 0.9
    assert shown.loss_at(2) == 0.6
    assert shown.loss_at(9) == 0.125
    assert shown.caption(0) == "epoch 0: before training\naccuracy 0.45"
    assert shown.caption(2) == "epoch 2: loss 0.6\naccuracy 0.60"
    assert shown.caption(9) == "epoch 9: loss 0.125\naccuracy 0.95"
    assert repr(shown) == "Film('A test film': 4 frames, epochs 0 to 9)"


CROSSING = np.array([[-0.3, 0.3], [-0.3, 0.3]])
ABOVE = np.full((2, 2), 0.4)
BELOW = np.full((2, 2), -0.4)
FROM_ZERO = np.array([[0.0, 0.3], [0.1, 0.2]])  # its min is 0
TO_ZERO = np.array([[-0.3, 0.0], [-0.2, -0.1]])  # its max is 0


def test_a_boundary_shows_where_the_score_is_strictly_on_both_sides():
    shown = synthetic(
        [CROSSING, FROM_ZERO, TO_ZERO, ABOVE, BELOW, CROSSING],
        [0, 1, 2, 3, 4, 5],
    )
    assert film.boundary_epochs(shown) == [0, 5]


@pytest.mark.parametrize(
    "frames, expected",
    [
        ([CROSSING, ABOVE, BELOW, CROSSING, CROSSING], 4),  # gap inside
        ([ABOVE, CROSSING, ABOVE, BELOW, CROSSING], 8),  # three gaps
        ([BELOW, ABOVE, CROSSING, CROSSING, CROSSING], 2),  # none at first
        ([CROSSING] * 5, 0),  # one in every frame
    ],
)
def test_the_boundary_shows_from_the_frame_after_the_last_without_one(
    frames, expected
):
    shown = synthetic(frames, [0, 1, 2, 4, 8])
    assert film.boundary_from(shown) == expected


def test_a_film_whose_last_frame_has_no_boundary_has_no_boundary_epoch():
    shown = synthetic([CROSSING, CROSSING, ABOVE], [0, 1, 8])
    assert film.boundary_from(shown) is None


def loss_film(losses) -> film.Film:
    return synthetic([BELOW, BELOW], [0, len(losses)], np.array(losses))


def test_the_loss_levels_off_by_its_median_over_the_last_epochs():
    """The final level is the median of exactly the last LAST_EPOCHS
    losses: a few late spikes do not move it."""
    half = LAST_EPOCHS // 2
    tail = [2.0] * 5 + [0.3] * (half - 5) + [0.1] * half  # median 0.2
    losses = [1.0, 0.5, 0.36, 0.27, 0.3, 0.3, 0.3, *tail]
    # the level: 0.2 + (1 - 0.9) * (1.0 - 0.2) = 0.28, reached at epoch 4;
    # the mean of the tail (0.37), or its median over one epoch more or
    # less (0.3 or 0.1), would give another epoch.
    assert film.loss_levels_off(loss_film(losses)) == 4


def test_the_loss_levels_off_at_the_first_epoch_reaching_the_level():
    # final 0.25; share 0.75 of the fall of 4: the level is 1.25, exactly
    losses = [4.25, 1.3, 1.25, 0.5] + [0.25] * 50
    assert film.loss_levels_off(loss_film(losses), share=0.75) == 3
    assert film.loss_levels_off(loss_film(losses), share=0.5) == 2
    assert film.loss_levels_off(loss_film(losses), share=0.99) == 5


def test_side_changes_count_the_cells_changing_side_after_an_epoch():
    """A score of exactly 0 is class 1, as argmax's tie is: on the side of
    the positive scores."""
    a = np.array([[-0.3, -0.3], [-0.3, -0.3]])
    b = np.array([[0.0, -0.3], [-0.3, -0.3]])  # one cell in four changes side
    c = np.array([[0.3, 0.0], [0.3, -0.3]])  # two more
    shown = synthetic([a, c, b, a], [0, 2, 6, 10])
    # from a to c (epoch 2): 3 cells; from c to b (6): 2; from b to a: 1
    assert film.side_changes(shown, after=0) == pytest.approx(6 / 12)
    assert film.side_changes(shown, after=2) == pytest.approx(3 / 8)
    assert film.side_changes(shown, after=6) == pytest.approx(1 / 4)


def test_the_largest_accuracy_change_is_over_exactly_the_last_epochs():
    # The last LAST_EPOCHS changes start from the 0.9: the jump to it, 0.4,
    # is just outside; the drop after it, 0.2, just inside.
    accuracies = [0.5] * 9 + [0.9, 0.7] + [0.75] * (LAST_EPOCHS - 1)
    shown = synthetic(
        [BELOW, BELOW], [0, len(accuracies) - 1], None, accuracies
    )
    assert film.largest_accuracy_change(shown) == pytest.approx(0.2)
    wider, narrower = LAST_EPOCHS + 1, LAST_EPOCHS - 1
    assert film.largest_accuracy_change(shown, last=wider) == pytest.approx(
        0.4
    )
    assert film.largest_accuracy_change(shown, last=narrower) == pytest.approx(
        0.05
    )
    assert film.largest_accuracy_change(shown, last=LAST_EPOCHS - 10) == 0


def curve_axes(figure):
    """The film figure's three panels: boundary, loss, accuracy."""
    (boundary,) = figure.subfigs[0].axes
    ax_loss, ax_accuracy = figure.subfigs[1].axes
    return boundary, ax_loss, ax_accuracy


def test_the_film_figure_draws_the_loss_from_epoch_1_and_accuracy_from_0():
    figure, _ = film.film_figure(four_frames())
    _, ax_loss, ax_accuracy = curve_axes(figure)
    loss_curve = ax_loss.lines[0]
    np.testing.assert_array_equal(loss_curve.get_xdata(), np.arange(1, 10))
    np.testing.assert_array_equal(loss_curve.get_ydata(), LOSSES)
    assert ax_loss.get_yscale() == "log"
    accuracy_curve = ax_accuracy.lines[0]
    np.testing.assert_array_equal(accuracy_curve.get_xdata(), np.arange(10))
    np.testing.assert_array_equal(accuracy_curve.get_ydata(), ACCURACIES)
    assert ax_loss.get_ylabel() == "loss"
    assert ax_accuracy.get_ylabel() == "accuracy"
    assert ax_accuracy.get_xlabel() == "epoch"
    assert figure.get_suptitle() == "A test film"
    assert ax_loss.get_shared_x_axes().joined(ax_loss, ax_accuracy)
    for ax in (ax_loss, ax_accuracy):
        assert all(line.get_visible() for line in ax.get_xgridlines())


@pytest.mark.parametrize(
    "lowest, limits", [(0.3, (0.3, 1.02)), (0.5, (0.4, 1.02))]
)
def test_the_accuracy_axis_runs_from_the_lowest_or_0_4_to_just_above_1(
    lowest, limits
):
    accuracies = np.array(ACCURACIES)
    accuracies = accuracies + (lowest - accuracies.min())
    accuracies[-1] = 0.9  # the highest stays below 1
    figure, _ = film.film_figure(four_frames(accuracies))
    _, _, ax_accuracy = curve_axes(figure)
    assert ax_accuracy.get_ylim() == pytest.approx(limits)


def test_drawing_a_frame_moves_the_markers_to_its_epoch():
    shown = four_frames()
    figure, draw_frame = film.film_figure(shown)
    boundary, ax_loss, ax_accuracy = curve_axes(figure)
    for index, epoch in [(0, 0), (2, 5), (3, 9), (1, 2)]:
        if index:
            draw_frame(index)
        assert boundary.get_title() == f"epoch {epoch}"
        assert list(ax_loss.lines[1].get_xdata()) == [epoch, epoch]
        assert list(ax_accuracy.lines[1].get_xdata()) == [epoch, epoch]
        dot = ax_accuracy.lines[2]
        assert list(dot.get_xdata()) == [epoch]
        assert list(dot.get_ydata()) == [ACCURACIES[epoch]]


def shading_and_boundary(ax):
    """The (filled, line) contour sets drawn on ``ax``."""
    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    return [c for c in contours if c.filled], [
        c for c in contours if not c.filled
    ]


def test_a_frame_replaces_the_shading_and_boundary_of_the_one_before():
    figure, draw_frame = film.film_figure(four_frames())
    boundary, _, _ = curve_axes(figure)
    # frame by frame: its range of scores, and whether it crosses 0
    for index, (low, high, crosses) in [
        (0, (-0.4, -0.2, False)),
        (1, (-0.3, 0.3, True)),
        (3, (-0.4, 0.4, True)),
        (2, (0.1, 0.4, False)),
        (1, (-0.3, 0.3, True)),
    ]:
        if index:
            draw_frame(index)
        (shading,), lines = shading_and_boundary(boundary)
        assert (shading.zmin, shading.zmax) == pytest.approx((low, high))
        assert len(lines) == crosses
        if crosses:
            assert list(lines[0].levels) == [0.0]


def test_the_boundary_panel_shows_the_points_on_the_unit_square():
    shown = four_frames()
    figure, _ = film.film_figure(shown)
    boundary, _, _ = curve_axes(figure)
    classes = [
        c for c in boundary.collections if not isinstance(c, ContourSet)
    ]
    points = np.concatenate([c.get_offsets() for c in classes])
    assert len(points) == len(shown.dataset.points)
    (true_boundary,) = boundary.lines
    assert true_boundary.get_linestyle() == "--"
    unit_ticks_only(boundary)
    assert boundary.get_xlabel() == "$x_0$"
    assert boundary.get_ylabel() == "$x_1$"


def unit_ticks_only(ax) -> None:
    for axis in (ax.xaxis, ax.yaxis):
        assert list(axis.get_ticklocs()) == [0, 0.5, 1]
        labels = [label.get_text() for label in axis.get_ticklabels()]
        assert labels == ["0", "0.5", "1"]


def readable_text(figure) -> list:
    shown = [text for text in figure.findobj(Text) if text.get_text()]
    return [text for text in shown if text.get_visible()]


def test_no_text_of_the_film_is_smaller_than_the_smallest_of_the_book():
    figure, _ = film.film_figure(four_frames())
    figure.canvas.draw()
    sizes = {text.get_fontsize() for text in readable_text(figure)}
    assert min(sizes) == plots.TEXT_POINTS


def test_the_film_figure_is_laid_out_once_for_every_frame():
    """The panels, their ticks and labels neither overlap nor leave the
    figure, and stay in place from the first frame to the last."""
    figure, draw_frame = film.film_figure(four_frames())
    renderer = figure.canvas.get_renderer()
    boxes = [ax.get_tightbbox(renderer) for ax in figure.axes]
    for box in boxes:
        assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1
        assert figure.bbox.y0 <= box.y0 and box.y1 <= figure.bbox.y1
    for i, first in enumerate(boxes):
        assert not any(first.overlaps(other) for other in boxes[i + 1 :])
    first = [ax.get_position().bounds for ax in figure.axes]
    draw_frame(3)
    figure.canvas.draw()
    assert [ax.get_position().bounds for ax in figure.axes] == first


def seven_frames() -> film.Film:
    epochs = [0, 1, 2, 4, 8, 16, 32]
    frames = [ramp(-0.4, 0.1 * (i - 3)) for i in range(7)]  # cross from 4
    accuracies = np.linspace(0.3, 0.93, 33)
    return synthetic(frames, epochs, None, accuracies, "Seven frames")


@pytest.mark.parametrize(
    "count, epochs",
    [
        (4, [0, 2, 8, 32]),  # frames 0, 2, 4, 6 of 7
        (3, [0, 4, 32]),
        (5, [0, 2, 4, 8, 32]),  # 0, 1.5, 3, 4.5, 6 rounded: 0, 2, 3, 4, 6
        (7, [0, 1, 2, 4, 8, 16, 32]),
    ],
)
def test_small_multiples_show_frames_evenly_spaced_along_the_film(
    count, epochs
):
    shown = seven_frames()
    figure = film.small_multiples(shown, count=count)
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert titles == [shown.caption(epoch) for epoch in epochs]


def test_small_multiples_are_two_a_row_six_by_default():
    shown = seven_frames()
    figure = film.small_multiples(shown)
    assert [ax.get_visible() for ax in figure.axes] == [True] * 6
    assert figure.axes[0].get_subplotspec().get_geometry()[:2] == (3, 2)
    three = film.small_multiples(shown, count=3)  # the fourth cell is empty
    assert [ax.get_visible() for ax in three.axes] == [True] * 3 + [False]
    assert three.axes[0].get_subplotspec().get_geometry()[:2] == (2, 2)


def test_small_multiples_label_only_the_outer_axes_of_shared_ones():
    figure = film.small_multiples(seven_frames(), count=4)
    top_left, top_right, bottom_left, bottom_right = figure.axes
    assert [ax.get_xlabel() for ax in figure.axes] == ["", "", "$x_0$"] * 1 + [
        "$x_0$"
    ]
    assert [ax.get_ylabel() for ax in figure.axes] == ["$x_1$", ""] * 2
    assert top_left.get_shared_x_axes().joined(top_left, bottom_right)
    assert top_left.get_shared_y_axes().joined(top_left, bottom_right)
    unit_ticks_only(bottom_left)


def test_each_small_multiple_shades_its_own_frame_under_one_legend():
    shown = seven_frames()
    figure = film.small_multiples(shown, count=4)
    for ax, index in zip(figure.axes, [0, 2, 4, 6], strict=True):
        (shading,), _ = shading_and_boundary(ax)
        assert shading.zmax == pytest.approx(shown.frames[index].max())
        assert len(ax.collections) == 3 + (index > 3)  # points, shading, line
        assert ax.get_legend() is None and not ax.child_axes  # no key each
    assert figure.get_suptitle() == "Seven frames"
    sizes = {text.get_fontsize() for text in readable_text(figure)}
    assert min(sizes) == plots.TEXT_POINTS


def test_even_a_single_small_multiple_has_the_whole_legend_in_the_figure():
    figure = film.small_multiples(seven_frames(), count=1)
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "class 1",
        "class 0",
        "true boundary",
        "learnt boundary: y₀ = y₁",
    ]
    figure.canvas.draw()
    box = legend.get_window_extent()
    assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1, "cut off"


def test_small_multiples_refuse_more_panels_than_frames():
    with pytest.raises(
        ValueError, match="count must be at most the film's 7 frames, got 8"
    ):
        film.small_multiples(seven_frames(), count=8)
    assert len(film.small_multiples(seven_frames(), count=7).axes) == 8


@pytest.fixture(scope="module")
def page() -> str:
    """The player of the four-frame film."""
    return four_frames()._repr_html_()


def test_the_player_is_the_same_bytes_for_the_same_frames(page):
    assert film.player(four_frames()) == page
    assert not plt.get_fignums(), "the player left its figure open"


def test_the_player_works_offline_and_names_its_controls(page):
    assert "http" not in page, "the player fetches something"
    assert "<i class" not in page, "an icon font is still needed"
    assert page.count("<svg") == 9  # one icon per button
    assert not re.search(r"[0-9a-f]{32}", page), "a random id"
    assert 'id="_anim_imgtest_film"' in page
    assert 'alt="A test film: the decision boundary' in page
    assert 'aria-label="Frame: the epoch shown"' in page
    assert page.startswith('<div class="film">')


def test_the_player_starts_near_the_reader_and_keeps_its_place(page):
    """It asks for its frames as the reader comes within a screen of it,
    not as the page parses it; its frame's size holds the place before."""
    assert "setTimeout(function() {" not in page, "starts at once"
    start = page.index("filmWhenNear(img_id, function() {")
    assert "new Animation(frames" in page[start:]
    assert 'rootMargin: "100% 0px"' in film.START_WHEN_NEAR
    width, height = (round(i * film.FILM_DPI) for i in film.FILM_SIZE)
    assert f'width="{width}" height="{height}" id="_anim_img' in page


def test_the_players_key_says_what_the_shading_and_the_line_show(page):
    """The linear film's: the first output minus the second, and the line
    where the two are equal."""
    (key,) = re.findall(r'<p class="film-key">(.*?)</p>', page)
    assert key.startswith(
        "Shading: y₀ − y₁, first output minus second, blue where the "
        "network predicts the blue circles&#x27; class"
    )
    assert "red line: the learnt boundary, y₀ = y₁;" in key


def test_the_player_shows_8_frames_a_second(page):
    """As the page tests assume: their check that Pause stops the film
    waits 300 ms, more than two frames."""
    (interval,) = re.findall(
        r"new Animation\(frames, img_id, slider_id, (\d+),", page
    )
    assert int(interval) == 1000 / 8


def test_the_players_frames_are_small_palette_pngs_as_wide_as_its_slider(
    page,
):
    encoded = re.findall(
        r'frames\[\d+\] = "data:image/png;base64,([^"]*)"', page
    )
    images = [
        Image.open(io.BytesIO(base64.b64decode(frame))) for frame in encoded
    ]
    assert len(images) == len(EPOCHS)
    (slider,) = re.findall(r"max-width: (\d+)px", film.PLAYER_STYLE)
    for image in images:
        assert image.width == int(slider)
        assert len(image.getcolors()) <= film.PALETTE
    pixels = [np.asarray(image.convert("RGB")) for image in images]
    for i, first in enumerate(pixels):
        assert not any(
            np.array_equal(first, other) for other in pixels[i + 1 :]
        )


def test_parity_covers_the_frames(monkeypatch):
    monkeypatch.setenv(claims.STRICT, "1")  # a broken claim raises
    dataset = LINEAR.make_dataset()
    short = dataclasses.replace(LINEAR, epochs=6)
    runs = parity.train_both(
        short,
        dataset,
        watch=lambda model: {"frames": film.snapshots(model.predict, 6)},
    )
    assert runs.scratch_watched["frames"].epochs == film.film_epochs(6, 7)
    assert runs.torch_watched["frames"].epochs == film.film_epochs(6, 7)
    frames = runs.recorded("frames")
    assert parity.frame_gap(*frames) <= parity.PARITY_TOLERANCE
    parity.require_agreement(runs, "settings.LINEAR", frames)
    frames[1][3] += 1e-8
    with pytest.raises(claims.ClaimBroken, match="film frame gap 1.0e-08"):
        parity.require_agreement(runs, "settings.LINEAR", frames)


@pytest.mark.parametrize("index", [0, -1])
def test_no_text_in_a_frame_covers_another_or_the_curves(index):
    figure, draw_frame = film.film_figure(four_frames())
    draw_frame(index % len(EPOCHS))
    assert covered(figure) == []
    plt.close(figure)


def test_no_text_in_the_small_multiples_covers_another_or_the_points():
    figure = film.small_multiples(four_frames(), count=4)
    assert covered(figure) == []
    plt.close(figure)
