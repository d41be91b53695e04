"""Every drawn learnt boundary is the one the network classifies by.

For the course's two runs (settings.LINEAR and settings.CIRCLE, trained as
chapter 1 trains them), every film frame, every small multiple and the final
figure must draw its red line across exactly the grid edges whose two ends
the label function (``data.linear_labels``, ``data.circle_labels``) puts in
different classes, and shade each grid point blue exactly where it gives
class 1 or +1. Both are read back from the drawn contour sets, so a figure
that draws any other line (the first output's 0.5 contour, say) fails.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.contour import ContourSet
from matplotlib.path import Path

from mlpcourse import data, scratch, settings, training
from mlpcourse.metrics import accuracy
from mlpcourse.pages import film, plots

AXIS = np.linspace(0.0, 1.0, plots.GRID_RESOLUTION)  # x0 by column, x1 by row
# Row by row: point i * r + j is (AXIS[j], AXIS[i]), as grid_scores reshapes.
POINTS = plots.grid_points()
SHAPE = (len(AXIS), len(AXIS))
# A hair inside the square: contains_points is not asked about points on a
# band's outer edge. No band's edge passes this near a grid point here.
NUDGED = 0.5 + (POINTS - 0.5) * (1 - 1e-9)
ON_GRID_LINE = 1e-9  # a contour vertex this near a row's x1 lies on that row
LABELS = {"linear": data.linear_labels, "circle": data.circle_labels}

Edge = tuple[str, int, int]


@dataclass(frozen=True)
class Run:
    """One of the course's runs: its trained model, its film, and the
    network's outputs over the grid at each of the film's epochs."""

    model: scratch.MLP
    film: film.Film
    outputs: dict[int, np.ndarray]
    labels: Callable[[np.ndarray], np.ndarray]  # data.linear_labels, say

    def class_1(self, epoch: int) -> np.ndarray:
        """Where the label function puts class 1 (or +1) at ``epoch``, by
        grid row and column."""
        return (self.labels(self.outputs[epoch]) == 1).reshape(SHAPE)


def train(experiment: settings.Experiment) -> Run:
    """Train as chapter 1 does, with one more hook: the raw outputs over
    the grid, at the film's epochs."""
    dataset = experiment.make_dataset()
    model = experiment.make_scratch_model()
    labels = LABELS[experiment.dataset]
    accuracies = training.Recorder(
        lambda: accuracy(labels(model.predict(dataset.points)), dataset.labels)
    )
    frames = film.snapshots(model.predict, experiment.epochs)
    outputs = training.Recorder(
        lambda: np.array(model.predict(POINTS)),
        at=film.film_epochs(experiment.epochs),
    )
    losses = scratch.train(
        model,
        dataset.points,
        dataset.targets,
        **experiment.training_options(),
        on_epoch=training.each(accuracies, frames, outputs),
    )
    shown = film.Film(
        experiment.dataset,
        experiment.label,
        dataset,
        frames,
        losses,
        accuracies.values,
    )
    assert outputs.epochs == shown.epochs
    return Run(
        model,
        shown,
        dict(zip(outputs.epochs, outputs.values, strict=True)),
        labels,
    )


@pytest.fixture(scope="module")
def linear_run() -> Run:
    return train(settings.LINEAR)


@pytest.fixture(scope="module")
def circle_run() -> Run:
    return train(settings.CIRCLE)  # about 2 s: 50,000 minibatch steps


@pytest.fixture(params=["linear_run", "circle_run"], ids=["linear", "circle"])
def run(request) -> Run:
    return request.getfixturevalue(request.param)


def class_changes(class_1: np.ndarray) -> set[Edge]:
    """The grid edges whose two ends are in different classes: ("row", i,
    j) joins points (i, j) and (i, j + 1), ("column", i, j) joins (i, j)
    and (i + 1, j)."""
    along_rows = np.argwhere(class_1[:, 1:] != class_1[:, :-1])
    along_columns = np.argwhere(class_1[1:] != class_1[:-1])
    return {("row", int(i), int(j)) for i, j in along_rows} | {
        ("column", int(i), int(j)) for i, j in along_columns
    }


def crossed_edges(line: ContourSet) -> set[Edge]:
    """The grid edges a drawn line crosses. Marching squares puts each of
    its vertices on one: on a row (y is that row's x1), between two columns,
    or on a column (x is its x0), between two rows."""
    vertices = np.concatenate(
        [
            path.vertices
            if path.codes is None
            else path.vertices[path.codes != Path.CLOSEPOLY]
            for path in line.get_paths()
        ]
    )
    x, y = vertices.T
    row = np.abs(y[:, None] - AXIS).argmin(axis=1)
    column = np.abs(x[:, None] - AXIS).argmin(axis=1)
    on_row = np.abs(y - AXIS[row]) < ON_GRID_LINE
    on_column = np.abs(x - AXIS[column]) < ON_GRID_LINE
    assert np.all(on_row != on_column), "a vertex off the edges, or on a point"
    left = np.searchsorted(AXIS, x) - 1  # AXIS[left] < x < AXIS[left + 1]
    below = np.searchsorted(AXIS, y) - 1
    return {
        ("row", int(i), int(j))
        for i, j in zip(row[on_row], left[on_row], strict=True)
    } | {
        ("column", int(i), int(j))
        for i, j in zip(below[on_column], column[on_column], strict=True)
    }


def inside(band: Path) -> np.ndarray:
    """Which grid points a filled band holds: inside an odd number of its
    rings (its outer edges and its holes). Path.contains_points counts a
    point in a hole as inside, on these paths."""
    holds = np.zeros(len(NUDGED), dtype=bool)
    for ring in band.to_polygons(closed_only=False):
        box = np.all((ring.min(0) <= NUDGED) & (NUDGED <= ring.max(0)), 1)
        holds[box] ^= Path(ring).contains_points(NUDGED[box])
    return holds


def shaded_blue(shading: ContourSet) -> np.ndarray:
    """Whether the band that holds each grid point is drawn blue (more blue
    than red), by grid row and column. Each point is in exactly one band."""
    shading.update_scalarmappable()  # the colours as drawn
    colours = shading.get_facecolor()
    bands = shading.get_paths()
    assert len(colours) == len(bands)
    holds = np.array([inside(band) for band in bands])
    assert np.all(holds.sum(axis=0) == 1), "bands overlap or leave gaps"
    blue = colours[:, 2] > colours[:, 0]
    return blue[holds.argmax(axis=0)].reshape(SHAPE)


def check_panel(ax: Axes, class_1: np.ndarray, where: str) -> None:
    """The panel's line crosses exactly the edges where the class changes
    (no line where the grid is all one class), and it shades class 1 (+1)
    blue and the other class orange, point by point."""
    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    (shading,) = [c for c in contours if c.filled]
    lines = [c for c in contours if not c.filled]
    changes = class_changes(class_1)
    if not changes:
        assert not lines, f"{where}: a line drawn across one class"
    else:
        (line,) = lines
        assert len(line.levels) == 1
        crossed = crossed_edges(line)
        assert crossed == changes, (
            f"{where}: the line crosses {len(crossed - changes)} edges "
            f"within a class and misses {len(changes - crossed)} of the "
            f"{len(changes)} where the class changes"
        )
    wrong = shaded_blue(shading) != class_1
    assert not wrong.any(), (
        f"{where}: {wrong.mean():.1%} of the grid shaded as the other class"
    )


def epoch_in(title: str) -> int:
    """The epoch a panel's title names: "epoch 12" or "epoch 12: loss ..."."""
    return int(re.match(r"epoch (\d+)\b", title)[1])


def test_every_film_frame_draws_the_boundary_the_labels_give(run):
    figure, draw_frame = film.film_figure(run.film)
    (boundary,) = figure.subfigs[0].axes
    shown = []
    for index in range(len(run.film.epochs)):
        draw_frame(index)
        epoch = epoch_in(boundary.get_title())
        check_panel(boundary, run.class_1(epoch), f"frame of epoch {epoch}")
        shown.append(epoch)
    assert shown == run.film.epochs


def test_every_small_multiple_draws_the_boundary_the_labels_give(run):
    figure = film.small_multiples(run.film)
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert len(panels) == film.SMALL_MULTIPLES
    for ax in panels:
        epoch = epoch_in(ax.get_title())
        check_panel(ax, run.class_1(epoch), f"small multiple, epoch {epoch}")


def test_the_trained_networks_figure_draws_the_boundary_the_labels_give(run):
    ax = plots.plot_decision_boundary(
        run.model.predict, run.film.dataset, title="trained"
    )
    check_panel(ax, run.class_1(run.film.epochs[-1]), "final figure")


def test_before_training_the_linear_grid_is_all_class_1_and_has_no_line(
    linear_run,
):
    """Issue 18's case: at epoch 0 argmax puts the whole grid in class 1,
    while the first output alone crosses 0.5 on part of it."""
    outputs = linear_run.outputs[0]
    assert linear_run.class_1(0).all()
    assert 0 < np.mean(outputs[:, 0] > 0.5) < 1  # 42.5% of the grid
    ax = plots.plot_decision_boundary(
        lambda _: outputs, linear_run.film.dataset, title="epoch 0"
    )
    assert not [
        c for c in ax.collections if len(getattr(c, "levels", ())) == 1
    ]
    check_panel(ax, linear_run.class_1(0), "epoch 0")


def test_the_check_fails_on_the_first_outputs_line_and_on_y1_minus_y0(
    linear_run,
):
    """The bug of issue 18 drawn on purpose: the first output's 0.5
    contour at epoch 0, and the trained network shaded by y1 - y0."""
    _, first_output = plt.subplots()
    plots.draw_output(
        first_output, (linear_run.outputs[0][:, 0] - 0.5).reshape(SHAPE)
    )
    with pytest.raises(AssertionError, match="a line drawn across one class"):
        check_panel(first_output, linear_run.class_1(0), "first output")
    _, reversed_shading = plt.subplots()
    plots.draw_output(
        reversed_shading, -plots.grid_scores(linear_run.model.predict)
    )
    last = linear_run.film.epochs[-1]
    with pytest.raises(AssertionError, match="shaded as the other class"):
        check_panel(reversed_shading, linear_run.class_1(last), "y1 - y0")
