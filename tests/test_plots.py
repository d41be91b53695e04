"""The figures: what they draw, and their errors for bad input."""

import re

import matplotlib.colors
import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
import pytest
from figure_text import covered
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlpcourse import data, settings
from mlpcourse.pages import plots, stepbench


@pytest.fixture(scope="module")
def circle():
    return data.make_circle(200, seed=0)


def inside_circle(points):
    return 0.4 - np.linalg.norm(points - 0.5, axis=1)


def test_grid_scores_makes_one_batched_call():
    calls = []

    def predict(points):
        calls.append(points.shape)
        return points[:, 0] + points[:, 1]

    scores = plots.grid_scores(predict, resolution=100)
    assert calls == [(10_000, 2)]
    assert scores.shape == (100, 100)
    assert scores[0, 0] == 0.0 and scores[-1, -1] == 2.0
    assert scores[0, -1] == 1.0  # rows follow x1, columns follow x0


def test_grid_scores_take_the_decision_score_of_any_array_like():
    """Two outputs, returned as a list: the score is y0 - y1 = 2 x1."""
    scores = plots.grid_scores(
        lambda points: np.column_stack([points[:, 1], -points[:, 1]]).tolist(),
        5,
    )
    np.testing.assert_allclose(scores[:, 0], np.linspace(0, 2, 5))


@pytest.mark.parametrize(
    "predict, message",
    [
        (
            lambda p: p[:10],
            r"one or two outputs per point, shape \(100,\), \(100, 1\) or "
            r"\(100, 2\), got shape \(10, 2\)",
        ),
        (lambda p: p[:, :, None], r"got shape \(100, 2, 1\)"),
        (
            lambda p: np.full(len(p), np.nan),
            "the output of predict must contain only finite values",
        ),
        (
            lambda p: np.array(["x"] * len(p)),
            "the output of predict must hold real numbers",
        ),
    ],
)
def test_grid_scores_rejects_a_bad_predict(predict, message):
    with pytest.raises((ValueError, TypeError), match=message):
        plots.grid_scores(predict, resolution=10)


def test_grid_scores_rejects_non_callables_and_bad_resolution():
    with pytest.raises(TypeError, match="predict must be callable"):
        plots.grid_scores(np.ones(4))
    with pytest.raises(ValueError, match="resolution"):
        plots.grid_scores(inside_circle, resolution=0)


def test_decision_boundary_draws_the_zero_contour_and_labels(circle):
    ax = plots.plot_decision_boundary(inside_circle, circle, title="Boundary")
    assert ax.get_title() == "Boundary"
    assert ax.get_xlabel() == "$x_0$" and ax.get_ylabel() == "$x_1$"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == [
        "class +1",
        "class -1",
        "true boundary",
        "learnt boundary: y = 0",
    ]
    contour_sets = [c for c in ax.collections if hasattr(c, "levels")]
    assert any(list(c.levels) == [0.0] for c in contour_sets)


def test_loss_figure_is_titled_labelled_and_plain_numbered():
    losses = {
        "NumPy MLP": np.geomspace(1, 0.01, 50),
        "PyTorch MLP": np.geomspace(1, 0.01, 50),
    }
    ax = plots.plot_losses(losses, title="Run")
    assert ax.get_title() == "Run"
    assert ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "mean squared error"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(losses)
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert {"0.01", "0.1", "1"} <= set(ticks), ticks  # no 10^-2 exponents


def smallest_glyph_points(text) -> float:
    """A text's size, or its subscripts' (70%) where mathtext draws them."""
    scripts = "$" in text.get_text() and any(
        mark in text.get_text() for mark in "_^"
    )
    return text.get_fontsize() * (0.7 if scripts else 1.0)


def rising_gap(start: int, epochs: int) -> np.ndarray:
    """A gap at rounding level that climbs to 1e-2 from epoch ``start``, as
    the course's two runs at twice its learning rate do."""
    rounding = np.resize([0.0, 2e-16, 1e-15, 4e-16], epochs)
    rise = np.clip(np.geomspace(1e-15, 1e12, epochs), None, 1e-2)
    return np.where(np.arange(epochs) < start, rounding, rise)


# Each kind of figure the book draws, from data shaped like the book's:
# the step figures from the committed measurements themselves.
FIGURES = {
    "data": lambda circle: plots.plot_data(circle, title="Data"),
    "losses": lambda _: plots.plot_losses(
        {
            "linear": np.geomspace(0.25, 0.01, 500),
            "circle": np.geomspace(0.25, 0.05, 500),
        },
        title="Loss",
    ),
    "accuracy": lambda _: plots.plot_accuracy(
        {
            "linear": np.linspace(0.5, 1, 501),
            "circle": np.linspace(0.4, 0.95, 501),
        },
        title="Accuracy",
    ),
    "boundary": lambda circle: plots.plot_decision_boundary(
        inside_circle, circle, title="Boundary"
    ),
    "gaps": lambda _: plots.plot_gaps(
        {
            "rate 0.05, NumPy vs PyTorch": rising_gap(500, 500),
            "rate 0.1, NumPy vs PyTorch": rising_gap(120, 300),
            "rate 0.1, NumPy vs nudged NumPy": rising_gap(100, 300),
        },
        title="Circle: the two runs' loss gap",
        tolerance=1e-9,
    ),
    "step times": lambda _: plots.plot_step_times(stepbench.load(), batch=10),
    "step times, large batch": lambda _: plots.plot_step_times(
        stepbench.load(), batch=4000
    ),
    "step speed": lambda _: plots.plot_step_throughput(
        stepbench.load(), batch=4000
    ),
}


@pytest.mark.parametrize("kind", FIGURES)
def test_every_figure_stays_readable_on_a_phone(circle, kind):
    """The page tests convert TEXT_POINTS and FIGURE_DPI into CSS px."""
    ax = FIGURES[kind](circle)
    figure = ax.figure
    figure.canvas.draw()
    assert figure.dpi == plots.FIGURE_DPI
    assert figure.get_figwidth() <= 5.2, "too wide to read on a phone"
    texts = [
        text
        for text in figure.findobj(matplotlib.text.Text)
        if text.get_visible() and text.get_text().strip()
    ]
    assert len(texts) > 10
    smallest = min(texts, key=smallest_glyph_points)
    assert smallest_glyph_points(smallest) >= plots.TEXT_POINTS, (
        f"{smallest.get_text()!r} is drawn at "
        f"{smallest_glyph_points(smallest):.1f} pt"
    )


@pytest.mark.parametrize("kind", FIGURES)
def test_no_text_or_legend_covers_another_or_the_data(circle, kind):
    assert covered(FIGURES[kind](circle).figure) == []


def test_the_cover_check_sees_a_legend_on_the_data_and_a_label_on_a_label():
    """The check itself, on a figure that breaks both rules."""
    figure, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="the diagonal")
    ax.legend(loc="center")
    ax.set_xlabel("epoch")
    ax.annotate("over the label", (0.5, 0), xycoords=ax.xaxis.label)
    found = covered(figure)
    assert "'the legend' covers" in " ".join(found)
    assert "'over the label' covers 'epoch'" in found or (
        "'epoch' covers 'over the label'" in found
    )
    plt.close(figure)


def test_data_figure_is_titled_and_keys_linear_classes_unsigned():
    ax = plots.plot_data(settings.LINEAR.make_dataset(), title="Data")
    assert ax.get_title() == "Data"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_0$", "$x_1$")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "class 1",
        "class 0",
        "true boundary",
    ]


@given(
    points=arrays(
        np.float64,
        st.tuples(st.integers(1, 30), st.integers(1, 4)),
        elements=st.floats(-1e3, 1e3),
    )
)
def test_plot_data_accepts_only_two_columns(points):
    labels = np.ones(len(points))
    dataset = data.Dataset(
        "made up", points, labels, labels[:, None], np.zeros((2, 2))
    )
    if points.shape[1] == 2:
        plots.plot_data(dataset, title="ok")
    else:
        with pytest.raises(
            ValueError,
            match=r"dataset.points must be a 2-D array of shape \(n, 2\)",
        ):
            plots.plot_data(dataset, title="bad")
    plt.close("all")


def test_plot_data_rejects_a_mismatch_and_a_non_dataset():
    points = np.zeros((3, 2))
    with pytest.raises(ValueError, match="dataset.points and dataset.labels"):
        plots.plot_data(
            data.Dataset("x", points, np.ones(4), np.ones((3, 1)), points),
            title="t",
        )
    with pytest.raises(TypeError, match="dataset must be a Dataset"):
        plots.plot_data((points, np.ones(3)), title="t")


@pytest.mark.parametrize(
    "curves, error, message",
    [
        ({}, TypeError, "non-empty mapping"),
        ([1, 2], TypeError, "non-empty mapping"),
        (
            {"run": np.ones((2, 2))},
            ValueError,
            r"curves\['run'\] must be a 1-D array",
        ),
        ({"run": np.array([1.0, 0.0])}, ValueError, "positive"),
        ({"run": np.array([1.0, np.inf])}, ValueError, "finite"),
        ({str(i): np.ones(3) for i in range(5)}, ValueError, "at most 4 runs"),
    ],
)
def test_plot_losses_rejects_bad_curves(curves, error, message):
    with pytest.raises(error, match=message):
        plots.plot_losses(curves, title="t")


@given(
    shape=st.lists(
        st.one_of(st.just(25), st.integers(0, 40)), min_size=0, max_size=3
    ).map(tuple)
)
def test_grid_scores_accepts_exactly_one_row_per_point(shape):
    """One row per point, of one or two outputs: a decision score needs
    one (the circle network) or two (the linear network)."""

    def predict(points):
        return np.zeros(shape)

    rows_ok = len(shape) in (1, 2) and shape[0] == 25
    if rows_ok and (len(shape) == 1 or shape[1] in (1, 2)):
        assert plots.grid_scores(predict, resolution=5).shape == (5, 5)
    else:
        with pytest.raises(
            ValueError, match="predict must return one or two outputs"
        ):
            plots.grid_scores(predict, resolution=5)


# What each figure draws: the data behind its points, lines and contours.


def scatter_points(ax, label: str) -> np.ndarray:
    (points,) = [c for c in ax.collections if c.get_label() == label]
    return points.get_offsets().data


def line_data(ax, label: str) -> np.ndarray:
    (line,) = [li for li in ax.get_lines() if li.get_label() == label]
    return np.column_stack([line.get_xdata(), line.get_ydata()])


def boundary_vertices(ax) -> np.ndarray:
    """The vertices of the learnt-boundary contour (the single level)."""
    (contour,) = [
        c
        for c in ax.collections
        if hasattr(c, "levels") and len(c.levels) == 1
    ]
    return np.concatenate([path.vertices for path in contour.get_paths()])


@pytest.mark.parametrize("make", [data.make_linear, data.make_circle])
def test_data_figure_draws_each_class_where_it_is_and_the_true_boundary(make):
    dataset = make(200, seed=3)
    ax = plots.plot_data(dataset, title="Data")
    signed = dataset.name == "circle"
    for value in np.unique(dataset.labels):
        label = f"class {value:+d}" if signed else f"class {value:d}"
        np.testing.assert_array_equal(
            scatter_points(ax, label), dataset.points[dataset.labels == value]
        )
    np.testing.assert_array_equal(
        line_data(ax, "true boundary"), dataset.true_boundary
    )
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)


def test_the_true_boundaries_are_the_rules_that_set_the_labels():
    linear = data.make_linear(50, seed=0).true_boundary
    np.testing.assert_allclose(linear[:, 0] - linear[:, 1], data.LINEAR_OFFSET)
    circle = data.make_circle(50, seed=0).true_boundary
    np.testing.assert_allclose(
        np.hypot(*(circle - data.CIRCLE_CENTRE).T), data.CIRCLE_RADIUS
    )
    assert np.ptp(circle[:, 0]) == pytest.approx(2 * data.CIRCLE_RADIUS)


def two_outputs(points):
    """y0 = x0 and y1 = x1 + 0.2: they are equal on x0 - x1 = 0.2, while
    y0 alone crosses 0.5 on another line, x0 = 0.5."""
    return np.column_stack([points[:, 0], points[:, 1] + 0.2])


def one_output(points):
    return points[:, 0] - points[:, 1] - 0.2


@pytest.mark.parametrize(
    "predict, score",
    [
        (two_outputs, lambda y: y[:, 0] - y[:, 1]),
        (one_output, lambda y: y),
    ],
    ids=["two outputs", "one output"],
)
def test_learnt_boundary_runs_where_the_predicted_class_changes(
    predict, score
):
    """A predict that is linear in the point: the contour must lie exactly
    on the line where the decision score is 0, y0 = y1 or y = 0."""
    dataset = data.make_linear(100, seed=0)
    ax = plots.plot_decision_boundary(predict, dataset, title="Boundary")
    vertices = boundary_vertices(ax)
    assert len(vertices) >= 2
    np.testing.assert_allclose(score(predict(vertices)), 0.0, atol=1e-9)
    # The line crosses the square from (0.2, 0) to (1, 0.8).
    assert vertices[:, 0].min() == pytest.approx(0.2, abs=0.02)
    assert vertices[:, 1].max() == pytest.approx(0.8, abs=0.02)
    np.testing.assert_array_equal(
        scatter_points(ax, "class 1"), dataset.points[dataset.labels == 1]
    )


def test_boundary_shading_follows_the_score():
    """Colour maps the decision score: blue where it is high (class +1),
    orange where low, and the colour range is centred on 0."""
    dataset = data.make_circle(100, seed=0)
    ax = plots.plot_decision_boundary(
        lambda p: 1.0 - 3.0 * p[:, 0], dataset, title="Shading"
    )
    (shading,) = [
        c for c in ax.collections if hasattr(c, "levels") and len(c.levels) > 2
    ]
    assert shading.get_clim() == pytest.approx((-2.0, 2.0))  # |-2| the most
    assert shading.levels.min() <= -2.0 and shading.levels.max() >= 1.0
    low, high = (shading.to_rgba(score) for score in (-1.5, 0.8))
    assert low[0] > low[2] and high[2] > high[0]  # red, blue: orange, blue


def test_no_boundary_is_drawn_where_the_output_never_crosses():
    dataset = data.make_circle(100, seed=0)
    ax = plots.plot_decision_boundary(
        lambda p: 1.0 + p[:, 0], dataset, title="No crossing"
    )
    assert not [
        c
        for c in ax.collections
        if hasattr(c, "levels") and len(c.levels) == 1
    ]


def test_loss_figure_draws_each_run_against_its_epochs():
    first, second = np.geomspace(1, 0.01, 30), np.geomspace(2, 0.5, 30)
    ax = plots.plot_losses({"a": first, "b": second}, title="Loss")
    np.testing.assert_array_equal(
        line_data(ax, "a"), np.column_stack([np.arange(1, 31), first])
    )
    np.testing.assert_array_equal(line_data(ax, "b")[:, 1], second)
    assert ax.get_yscale() == "log"


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


def test_gap_figure_is_log_scaled_labelled_and_keyed_in_one_column():
    gaps = {
        "rate 0.05, NumPy vs PyTorch": np.resize([0.0, 1e-15], 30),
        "rate 0.1, NumPy vs PyTorch": np.geomspace(1e-15, 1e-2, 30),
        "rate 0.1, NumPy vs nudged NumPy": np.geomspace(1e-14, 1e-2, 30),
    }
    ax = plots.plot_gaps(gaps, title="Gaps", tolerance=1e-9)
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
        "Gaps",
        "epoch",
        "loss gap",
    )
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        *gaps,
        "tolerance, 1e-09",
    ]
    figure = ax.figure
    figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert 0 <= legend.x0 and legend.x1 <= figure.bbox.x1, "legend cut off"
    assert legend.y0 >= 0, "legend cut off at the bottom"
    label = ax.xaxis.label.get_window_extent()
    assert legend.y1 <= label.y0, "the legend covers the axis label"
    ticks = [t.get_window_extent() for t in ax.get_xticklabels()]
    assert legend.y1 <= min(t.y0 for t in ticks), "the legend covers a tick"
    major = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert major and all(re.fullmatch(r"1e[-+]\d\d", t) for t in major), major
    assert not [
        t.get_text() for t in ax.get_yticklabels(minor=True) if t.get_text()
    ]
    assert any(line.get_visible() for line in ax.get_ygridlines())
    # From the floor of exact zeros up: a labelled tick every two decades.
    low, high = ax.get_ylim()
    ticks = [t for t in ax.yaxis.get_majorticklocs() if low <= t <= high]
    assert len(ticks) >= 8, ticks
    steps = np.diff(np.log10(ticks))
    np.testing.assert_allclose(steps, steps[0])  # evenly, in decades


def test_gap_figure_labels_no_minor_ticks_within_one_decade():
    ax = plots.plot_gaps(
        {"run": np.array([2e-12, 4e-12, 7e-12])}, title="t", tolerance=5e-12
    )
    ax.figure.canvas.draw()
    assert ax.get_ylim()[1] / ax.get_ylim()[0] < 10
    assert not [
        t.get_text() for t in ax.get_yticklabels(minor=True) if t.get_text()
    ]


@pytest.mark.parametrize(
    "curves, error, message",
    [
        ({}, TypeError, "non-empty mapping from run names to gaps"),
        ([1e-9], TypeError, "non-empty mapping from run names to gaps"),
        ({str(i): np.ones(3) for i in range(5)}, ValueError, "at most 4 runs"),
        (
            {"run": np.ones((2, 2))},
            ValueError,
            r"curves\['run'\] must be a 1-D",
        ),
        ({"run": np.array([0.0, -1e-30])}, ValueError, "gaps, not signs"),
    ],
)
def test_gap_figure_rejects_bad_curves(curves, error, message):
    with pytest.raises(error, match=message):
        plots.plot_gaps(curves, title="t", tolerance=1e-9)


def test_gap_figure_accepts_all_zero_gaps():
    ax = plots.plot_gaps({"same": np.zeros(3)}, title="t", tolerance=1e-9)
    np.testing.assert_array_equal(
        line_data(ax, "same")[:, 1], [plots.GAP_FLOOR] * 3
    )


# Accuracy: every epoch from 0, the summary's window, limits over all curves.


def accuracy_window(ax, last: int) -> tuple[float, float]:
    (window,) = [
        p for p in ax.patches if p.get_label() == f"last {last} epochs"
    ]
    return window.get_x(), window.get_x() + window.get_width()


def test_accuracy_figure_draws_every_epoch_and_shades_the_window():
    values = np.linspace(0.5, 1.0, 101)
    ax = plots.plot_accuracy({"run": values}, title="Accuracy", last=20)
    np.testing.assert_array_equal(
        line_data(ax, "run"), np.column_stack([np.arange(101), values])
    )
    # Epochs 81 to 100: exactly the last 20, ending at the last epoch.
    assert accuracy_window(ax, 20) == (81, 100)
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
        "Accuracy",
        "epoch",
        "training accuracy",
    )
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "run",
        "last 20 epochs",
    ]
    assert any(line.get_visible() for line in ax.get_ygridlines())


@pytest.mark.parametrize(
    "lowest, bottom", [(0.55, 0.4), (0.4, 0.4), (0.25, 0.25)]
)
def test_accuracy_axis_shows_from_04_or_the_lowest_value_to_just_above_1(
    lowest, bottom
):
    values = np.linspace(lowest, 1.0, 11)
    ax = plots.plot_accuracy({"run": values}, title="t", last=3)
    assert ax.get_ylim() == pytest.approx((bottom, 1.02))


def test_accuracy_limits_and_window_cover_every_curve_not_only_the_last():
    """The longer, lower curve first: the window ends at its last epoch and
    the axis reaches down to its lowest value."""
    longer = np.linspace(0.2, 1.0, 31)
    shorter = np.linspace(0.6, 1.0, 21)
    ax = plots.plot_accuracy(
        {"long": longer, "short": shorter}, title="t", last=5
    )
    assert accuracy_window(ax, 5) == (26, 30)
    assert ax.get_ylim() == pytest.approx((0.2, 1.02))
    np.testing.assert_array_equal(line_data(ax, "short")[:, 0], np.arange(21))


@pytest.mark.parametrize(
    "curves, message",
    [
        ({}, "non-empty mapping"),
        ([0.5, 1.0], "non-empty mapping"),
        ({"run": np.ones((3, 1))}, r"curves\['run'\] must be a 1-D"),
        ({str(i): np.ones(3) for i in range(5)}, "at most 4 runs, got 5"),
    ],
)
def test_accuracy_figure_rejects_bad_curves(curves, message):
    with pytest.raises((TypeError, ValueError), match=message):
        plots.plot_accuracy(curves, title="t")


# Losses: the log axis and its plain-number labels.


def test_plain_log_axis_labels_only_1_2_and_5_as_plain_numbers():
    _, ax = plt.subplots()
    ax.plot([1, 2], [0.015, 0.09])  # under one decade: minor ticks are many
    plots.plain_log_yaxis(ax)
    ax.figure.canvas.draw()
    assert ax.get_yscale() == "log"
    major = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert {"0.02", "0.05"} <= set(major), major
    assert all(re.fullmatch(r"0\.0[125]", t) for t in major), major
    assert not [
        t.get_text() for t in ax.get_yticklabels(minor=True) if t.get_text()
    ]


def test_loss_figure_keys_and_grids_every_run():
    ax = plots.plot_losses(
        {"a": np.geomspace(1, 0.01, 5), "b": np.ones(5)}, title="t"
    )
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert [line.get_linestyle() for line in ax.get_lines()] == ["-", "--"]
    assert any(line.get_visible() for line in ax.get_ygridlines())
    assert any(t.gridline.get_visible() for t in ax.yaxis.get_minor_ticks())


def test_loss_figure_takes_four_runs():
    curves = {str(i): np.full(3, i + 1.0) for i in range(4)}
    ax = plots.plot_losses(curves, title="t")
    assert [line.get_label() for line in ax.get_lines()] == list(curves)


# The grid: rows follow x1, columns follow x0, over the whole unit square.


def test_grid_points_run_along_x0_first_over_the_unit_square():
    points = plots.grid_points(3)
    np.testing.assert_array_equal(
        points[:4], [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [0.0, 0.5]]
    )
    assert points.shape == (9, 2)
    np.testing.assert_array_equal(points[-1], [1.0, 1.0])


def test_grid_scores_put_x0_along_columns_and_x1_along_rows():
    scores = plots.grid_scores(lambda p: p[:, 0] + 10 * p[:, 1], resolution=3)
    np.testing.assert_allclose(
        scores, [[0.0, 0.5, 1.0], [5.0, 5.5, 6.0], [10.0, 10.5, 11.0]]
    )


def test_grid_scores_of_two_outputs_are_the_first_minus_the_second():
    """y0 - y1, not y0: 0 where the two are equal, as argmax decides."""
    scores = plots.grid_scores(
        lambda p: np.column_stack([p[:, 0], 3.0 * p[:, 1] - 1.0]),
        resolution=3,
    )
    np.testing.assert_allclose(
        scores, [[1.0, 1.5, 2.0], [-0.5, 0.0, 0.5], [-2.0, -1.5, -1.0]]
    )


@pytest.mark.parametrize("columns", [(), (1,)], ids=["1-D", "one column"])
def test_grid_scores_of_one_output_are_the_output_itself(columns):
    scores = plots.grid_scores(
        lambda p: (p[:, 0] - 2.0 * p[:, 1]).reshape(-1, *columns),
        resolution=3,
    )
    np.testing.assert_allclose(
        scores, [[0.0, 0.5, 1.0], [-1.0, -0.5, 0.0], [-2.0, -1.5, -1.0]]
    )


def test_grid_scores_refuse_three_outputs():
    with pytest.raises(
        ValueError, match=r"one or two outputs per point.*got shape \(9, 3\)"
    ):
        plots.grid_scores(lambda p: np.zeros((len(p), 3)), resolution=3)


def test_boundary_figures_shade_the_grid_whose_timing_the_book_quotes(circle):
    """The optional page quotes the time for shading the grid points in
    one call: the figures' own grid must be that size."""
    sizes = []

    def predict(points):
        sizes.append(len(points))
        return points[:, 0] - 0.5

    plots.plot_decision_boundary(predict, circle, title="t")
    (cpu,) = [r for r in stepbench.load()["runs"] if r["device"] == "cpu"]
    assert sizes == [cpu["boundary"]["grid_points"]]


# The shading and the learnt boundary, read back from the contour sets.


def skewed(x0, x1):
    """An output that weighs x0 and x1 differently: a transposed grid would
    put every value somewhere else."""
    return 2.0 * x0 - 0.5 * x1 - 0.6


def skewed_grid(resolution: int = 21) -> np.ndarray:
    axis = np.linspace(0.0, 1.0, resolution)
    return skewed(*np.meshgrid(axis, axis))


def test_shading_puts_each_score_at_its_point_of_the_square():
    _, ax = plt.subplots()
    shading, boundary = plots.draw_output(ax, skewed_grid())
    assert shading.filled
    bands = 0
    for low, high, path in zip(
        shading.levels[:-1],
        shading.levels[1:],
        shading.get_paths(),
        strict=True,
    ):
        if len(path.vertices) == 0:
            continue
        values = skewed(*path.vertices.T)
        assert low - 1e-9 <= values.min() and values.max() <= high + 1e-9
        bands += 1
    assert bands >= 10
    corners = np.concatenate([path.vertices for path in shading.get_paths()])
    np.testing.assert_allclose(corners.min(axis=0), [0.0, 0.0])
    np.testing.assert_allclose(corners.max(axis=0), [1.0, 1.0])
    vertices = np.concatenate([path.vertices for path in boundary.get_paths()])
    np.testing.assert_allclose(skewed(*vertices.T), 0.0, atol=1e-9)
    # 2 x0 - 0.5 x1 = 0.6: from (0.3, 0) to (0.55, 1).
    assert vertices[:, 0].min() == pytest.approx(0.3)
    assert vertices[:, 0].max() == pytest.approx(0.55)


@pytest.mark.parametrize("shift", [-0.35, 0.25])
def test_boundary_is_one_contour_at_exactly_0(shift):
    _, ax = plt.subplots()
    _, boundary = plots.draw_output(ax, skewed_grid() + shift)
    assert not boundary.filled
    assert list(boundary.levels) == [0.0]


@pytest.mark.parametrize(
    "scores",
    [
        [[-1.0, 0.0], [-0.5, 0.0]],  # the largest score is 0
        [[0.0, 1.0], [0.5, 2.0]],  # the smallest is
    ],
)
def test_no_boundary_where_the_score_only_touches_0(scores):
    _, ax = plt.subplots()
    shading, boundary = plots.draw_output(ax, np.array(scores))
    assert boundary is None
    assert [c for c in ax.collections if hasattr(c, "levels")] == [shading]


@pytest.mark.parametrize(
    "low, high, clim",
    [
        (-0.2, 0.9, (-0.9, 0.9)),  # farthest above 0
        (-1.5, 0.7, (-1.5, 1.5)),  # farthest below it
        (1.0, 2.0, (-2.0, 2.0)),  # all above it
        (-3.0, -1.0, (-3.0, 3.0)),  # all below it
    ],
)
def test_colour_scale_is_centred_on_0(low, high, clim):
    """0 is white, the middle of the colour map, and the farther side of
    the scores reaches the end of the scale."""
    _, ax = plt.subplots()
    scores = np.array([[low, high], [high, high]])
    shading, _ = plots.draw_output(ax, scores)
    assert shading.get_clim() == pytest.approx(clim)
    np.testing.assert_allclose(
        shading.cmap(shading.norm(0.0)), [1.0, 1.0, 1.0, 1.0], atol=0.01
    )


@pytest.mark.parametrize(
    "low, high",
    [
        (-0.2, 0.5),
        (-3.0, 1.0),
        (-0.9, 0.3),  # np.linspace(-0.9, 0.9, 21)[10] is -1.1e-16
    ],
)
def test_shading_bands_are_even_symmetric_and_edged_at_exactly_0(low, high):
    """SHADING_BANDS bands of one width on each side of 0, from -span to
    span: so no band holds scores of both classes."""
    _, ax = plt.subplots()
    shading, _ = plots.draw_output(ax, np.array([[low, high], [high, 0.1]]))
    levels = shading.levels
    span = max(-low, high)
    assert len(levels) == 2 * plots.SHADING_BANDS + 1
    assert (levels[0], levels[-1]) == (-span, span)
    np.testing.assert_allclose(np.diff(levels), span / plots.SHADING_BANDS)
    assert levels[plots.SHADING_BANDS] == 0.0


def test_constant_score_of_0_is_still_shaded():
    _, ax = plt.subplots()
    shading, boundary = plots.draw_output(ax, np.zeros((3, 3)))
    low, high = shading.get_clim()
    assert low < 0.0 < high and boundary is None


def test_boundary_panel_has_a_colour_bar_as_tall_as_the_square_beside_it():
    ax = plots.plot_decision_boundary(
        lambda p: p[:, 0] - 0.5, data.make_circle(50, seed=0), title="t"
    )
    ax.figure.canvas.draw()
    (bar,) = ax.child_axes
    panel, beside = ax.get_position(), bar.get_position()
    assert panel.x1 < beside.x0 < beside.x1 < 1.0  # inside the figure
    assert (beside.y0, beside.y1) == pytest.approx((panel.y0, panel.y1))
    assert ax.get_aspect() == 1.0 and ax.get_xlim() == (0, 1)


def test_scores_without_a_key_draw_no_colour_bar_and_no_legend(circle):
    _, ax = plt.subplots()
    plots.draw_scores(ax, skewed_grid(), circle, key=False)
    assert not ax.child_axes and ax.get_legend() is None
    np.testing.assert_array_equal(
        scatter_points(ax, "class +1"), circle.points[circle.labels == 1]
    )
    assert len(boundary_vertices(ax)) >= 2


# What the colour bar and the legend call the shading and the line, by the
# number of outputs.
NAMES = {
    2: ("y₀ − y₁, first output minus second", "y₀ = y₁"),
    1: ("network output y", "y = 0"),
}
EXPERIMENTS = pytest.mark.parametrize(
    "experiment", [settings.LINEAR, settings.CIRCLE], ids=["linear", "circle"]
)


@pytest.mark.parametrize("outputs", [1, 2])
def test_score_names_follow_the_number_of_outputs(outputs):
    """By the number of outputs the targets have, not the dataset's name."""
    for dataset in (
        data.make_linear(10, seed=0),
        data.make_circle(10, seed=0),
    ):
        made_up = dataset._replace(targets=np.zeros((10, outputs)))
        assert plots.score_names(made_up) == NAMES[outputs]


@EXPERIMENTS
def test_boundary_figure_keys_its_shading_and_line_by_the_outputs(experiment):
    predict = two_outputs if experiment.n_outputs == 2 else one_output
    ax = plots.plot_decision_boundary(
        predict, experiment.make_dataset(), title="t"
    )
    (bar,) = ax.child_axes
    shading, boundary = NAMES[experiment.n_outputs]
    assert bar.get_ylabel() == shading
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend[-1] == f"learnt boundary: {boundary}"


@EXPERIMENTS
def test_boundary_legend_names_where_the_boundary_runs(experiment):
    _, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="true boundary")
    handles, labels = plots.boundary_legend(ax, experiment.make_dataset())
    boundary = NAMES[experiment.n_outputs][1]
    assert labels == ["true boundary", f"learnt boundary: {boundary}"]
    assert handles[-1].get_color() == plots.VERMILLION


def test_a_figure_is_drawn_on_the_axes_it_is_given(circle):
    _, ax = plt.subplots()
    assert plots.plot_data(circle, title="t", ax=ax) is ax
    assert (
        plots.plot_losses({"a": np.ones(3)}, title="t").figure is not ax.figure
    )


def test_wide_figures_are_wider_than_tall_and_square_ones_about_square(circle):
    wide = plots.plot_losses({"a": np.ones(3)}, title="t").figure
    square = plots.plot_data(circle, title="t").figure
    assert wide.get_figheight() < 0.8 * wide.get_figwidth()
    assert 1.0 <= square.get_figheight() / square.get_figwidth() <= 1.2


def test_titles_are_larger_than_axis_labels_larger_than_ticks():
    ax = plots.plot_losses({"a": np.geomspace(1, 0.1, 3)}, title="t")
    ax.figure.canvas.draw()
    tick = ax.get_xticklabels()[0].get_fontsize()
    assert ax.title.get_fontsize() > ax.xaxis.label.get_fontsize() > tick


def test_the_subscripts_of_x0_and_x1_match_the_tick_labels(circle):
    """Mathtext draws subscripts at 70%: the 0 of x_0 is as large as the
    tick labels beside it, to half a point."""
    ax = plots.plot_data(circle, title="t")
    tick = ax.get_xticklabels()[0].get_fontsize()
    for label in (ax.xaxis.label, ax.yaxis.label):
        assert label.get_fontsize() * 0.7 == pytest.approx(tick, abs=0.5)


# The data: each class in its colour, signed or unsigned labels.


def dataset_with(labels, points=None) -> data.Dataset:
    labels = np.asarray(labels, dtype=float)
    if points is None:
        points = np.random.default_rng(0).uniform(size=(len(labels), 2))
    return data.Dataset(
        "made up", points, labels, labels[:, None], np.zeros((2, 2))
    )


def test_data_figure_colours_the_higher_class_blue_and_the_other_orange():
    ax = plots.plot_data(dataset_with([0, 1, 1, 0, 1]), title="t")
    colours = {
        c.get_label(): matplotlib.colors.to_hex(c.get_facecolor()[0])
        for c in ax.collections
    }
    assert colours == {
        "class 1": plots.BLUE.lower(),
        "class 0": plots.ORANGE.lower(),
    }


def test_data_figure_refuses_three_classes():
    with pytest.raises(ValueError, match="at most two classes, got 3"):
        plots.plot_data(dataset_with([-1, 0, 1]), title="t")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("labels", np.ones((4, 1)), r"dataset.labels must be a 1-D array"),
        (
            "true_boundary",
            np.zeros(4),
            r"dataset.true_boundary must be a 2-D array of shape \(n, 2\)",
        ),
        (
            "true_boundary",
            np.zeros((4, 3)),
            r"dataset.true_boundary must be a 2-D array of shape \(n, 2\)",
        ),
        (
            "points",
            np.full((4, 2), np.nan),
            "dataset.points must contain only finite",
        ),
    ],
)
def test_data_figure_names_the_bad_field(field, value, message):
    dataset = dataset_with([0, 1, 0, 1])._replace(**{field: value})
    with pytest.raises(ValueError, match=message):
        plots.plot_data(dataset, title="t")


# The step benchmark's figures, from the committed file and a made-up one.

SPREAD = (0.9, 1.25)  # q1 and q3 of the made-up timings, over the median


def made_up_series(library: str, dtype: str, ms: dict[int, list[float]]):
    """A series at widths 4, 16 and 64: median milliseconds per batch."""
    points = [
        {
            "width": width,
            "batch": batch,
            "median_s": median / 1e3,
            "q1_s": median * SPREAD[0] / 1e3,
            "q3_s": median * SPREAD[1] / 1e3,
            "runs": 7,
            "flops": stepbench.step_flops(batch, width),
        }
        for batch, medians in ms.items()
        for width, median in zip((4, 16, 64), medians, strict=True)
    ]
    return {"library": library, "dtype": dtype, "points": points}


# PyTorch on the CPU in float64 wins clearly from width 16 at batch 10 and
# from 64 at batch 100; in float32 it never does at batch 10; the GPU's
# float64 wins from 64 at batch 10 only; there is no GPU float32 series.
MADE_UP = {
    "schema": 1,
    "runs": [
        {
            "device": "cpu",
            "matmul_peak_gflops": {"float64": 50.0, "float32": 100.0},
            "series": [
                made_up_series(
                    "numpy",
                    "float64",
                    {10: [2.0, 3.0, 6.0], 100: [4.0, 5.0, 6.0]},
                ),
                made_up_series(
                    "torch",
                    "float64",
                    {10: [3.0, 2.5, 4.0], 100: [5.0, 5.0, 5.0]},
                ),
                made_up_series(
                    "torch",
                    "float32",
                    {10: [2.5, 3.5, 5.8], 100: [4.0, 4.0, 4.0]},
                ),
            ],
        },
        {
            "device": "cuda",
            "matmul_peak_gflops": {"float64": 2000.0, "float32": 30000.0},
            "series": [
                made_up_series(
                    "torch",
                    "float64",
                    {10: [5.0, 4.0, 2.0], 100: [6.0, 6.0, 6.0]},
                ),
            ],
        },
    ],
}
MADE_UP_STARS = {
    10: {"PyTorch float64, CPU": (16, 2.5), "PyTorch float64, GPU": (64, 2.0)},
    100: {
        "PyTorch float64, CPU": (64, 5.0),
        "PyTorch float32, CPU": (16, 4.0),
    },
}


def expected_series(document, batch: int) -> dict[str, dict]:
    """Per drawn label: widths, quartiles in ms, GFLOP/s and colour."""
    expected = {}
    for key, (colour, _, _, label) in plots.STEP_SERIES.items():
        points = stepbench.series(document, *key)
        if points is None:
            continue
        chosen = sorted(
            (p for p in points if p["batch"] == batch),
            key=lambda p: p["width"],
        )
        expected[label] = {
            "widths": np.array([p["width"] for p in chosen], dtype=float),
            "ms": np.array(
                [
                    [p[q] * 1e3 for q in ("q1_s", "median_s", "q3_s")]
                    for p in chosen
                ]
            ),
            "gflops": np.array(
                [p["flops"] / p["median_s"] / 1e9 for p in chosen]
            ),
            "colour": colour,
            "torch": key[1] == "torch",
        }
    return expected


def committed_stars(document, batch: int) -> dict[str, tuple[int, float]]:
    stars = {}
    for key, (_, _, _, label) in plots.STEP_SERIES.items():
        points = stepbench.series(document, *key)
        if points is None or key[1] != "torch":
            continue
        width = stepbench.crossover(document, batch, key[0], key[2])
        if width is not None:
            widths, medians = stepbench.at_batch(points, batch)
            stars[label] = (width, medians[widths.index(width)] * 1e3)
    return stars


STEP_CASES = [
    pytest.param("committed", 10, id="committed-batch-10"),
    pytest.param("committed", 4000, id="committed-batch-4000"),
    pytest.param("made up", 10, id="made-up-batch-10"),
    pytest.param("made up", 100, id="made-up-batch-100"),
]


def step_case(which: str, batch: int):
    if which == "made up":
        return MADE_UP, MADE_UP_STARS[batch]
    document = stepbench.load()
    return document, committed_stars(document, batch)


def same_colour(artist_colour, colour: str) -> bool:
    return matplotlib.colors.to_hex(artist_colour) == matplotlib.colors.to_hex(
        colour
    )


@pytest.mark.parametrize("which, batch", STEP_CASES)
def test_step_times_draw_each_series_median_in_milliseconds(which, batch):
    document, _ = step_case(which, batch)
    ax = plots.plot_step_times(document, batch=batch)
    expected = expected_series(document, batch)
    assert len(expected) >= 3
    for label, series in expected.items():
        np.testing.assert_allclose(
            line_data(ax, label),
            np.column_stack([series["widths"], series["ms"][:, 1]]),
        )
        (line,) = [li for li in ax.get_lines() if li.get_label() == label]
        assert same_colour(line.get_color(), series["colour"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        *expected,
        "PyTorch faster from here on",
    ]
    assert ax.get_title() == f"One training step, batch of {batch}"
    assert ax.get_xlabel() == "hidden units (width)"
    assert ax.get_ylabel() == "time per step (ms)"


@pytest.mark.parametrize("which, batch", STEP_CASES)
def test_step_times_band_spans_the_first_to_the_third_quartile(which, batch):
    """One band per series, in its colour: its corners are (width, q1) and
    (width, q3) at every width, in milliseconds."""
    document, _ = step_case(which, batch)
    ax = plots.plot_step_times(document, batch=batch)
    expected = expected_series(document, batch)
    bands = [c for c in ax.collections if c.get_array() is None]
    assert len(bands) == len(expected)
    for series in expected.values():
        (band,) = [
            b
            for b in bands
            if same_colour(b.get_facecolor()[0], series["colour"])
        ]
        widths, ms = series["widths"], series["ms"]
        corners = np.concatenate(
            [
                np.column_stack([widths, ms[:, 0]]),
                np.column_stack([widths, ms[:, 2]]),
            ]
        )
        (path,) = band.get_paths()
        np.testing.assert_allclose(
            np.unique(path.vertices, axis=0), np.unique(corners, axis=0)
        )


@pytest.mark.parametrize("which, batch", STEP_CASES)
def test_step_times_star_each_pytorch_crossover_at_its_median(which, batch):
    document, stars = step_case(which, batch)
    ax = plots.plot_step_times(document, batch=batch)
    drawn = {}
    for line in ax.get_lines():
        if line.get_marker() != "*":
            continue
        (label,) = [
            label
            for label, series in expected_series(document, batch).items()
            if same_colour(line.get_color(), series["colour"])
        ]
        drawn[label] = tuple(line.get_xydata()[0])
    assert drawn.keys() == stars.keys()
    for label, (width, ms) in stars.items():
        assert drawn[label] == pytest.approx((width, ms))


def test_made_up_stars_are_where_the_crossover_says():
    """The made-up file's stars, as stepbench.crossover finds them."""
    for batch, stars in MADE_UP_STARS.items():
        assert committed_stars(MADE_UP, batch) == stars


@pytest.mark.parametrize("which, batch", STEP_CASES)
def test_step_throughput_draws_gflops_under_each_runs_float64_peak(
    which, batch
):
    document, _ = step_case(which, batch)
    ax = plots.plot_step_throughput(document, batch=batch)
    expected = expected_series(document, batch)
    for label, series in expected.items():
        np.testing.assert_allclose(
            line_data(ax, label),
            np.column_stack([series["widths"], series["gflops"]]),
        )
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(
        expected
    )
    peaks = [
        line.get_ydata()
        for line in ax.get_lines()
        if line.get_label().startswith("_")  # unlabelled: a peak line
    ]
    runs = document["runs"]
    np.testing.assert_allclose(
        sorted(peaks, key=lambda y: y[0]),
        sorted(
            [[run["matmul_peak_gflops"]["float64"]] * 2 for run in runs],
            key=lambda y: y[0],
        ),
    )
    notes = sorted((note.xy[1], note.get_text()) for note in ax.texts)
    names = {"cpu": "CPU", "cuda": "GPU"}
    assert notes == sorted(
        (
            run["matmul_peak_gflops"]["float64"],
            f"{names[run['device']]} float64 matmul peak",
        )
        for run in runs
    )
    assert all(note.xy[0] == 0.0 for note in ax.texts)  # at the left edge
    assert ax.get_title() == f"Arithmetic speed, batch of {batch}"
    assert ax.get_ylabel() == "GFLOP/s achieved"


@pytest.mark.parametrize(
    "draw", [plots.plot_step_times, plots.plot_step_throughput]
)
def test_step_axes_are_log_in_base_2_widths_labelled_as_plain_numbers(draw):
    ax = draw(MADE_UP, batch=10)
    ax.figure.canvas.draw()
    assert ax.get_xscale() == "log" and ax.xaxis.get_transform().base == 2
    assert ax.get_yscale() == "log"
    widths = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert {"4", "16", "64"} <= set(widths), widths
    values = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert values and all(float(value) > 0 for value in values), values
    assert not [
        t.get_text() for t in ax.get_yticklabels(minor=True) if t.get_text()
    ]
    assert any(line.get_visible() for line in ax.get_xgridlines())


def test_grid_scores_of_a_single_point_grid_and_of_no_outputs():
    """A 1 x 1 grid is the point (0, 0); outputs with no column are refused."""
    scores = plots.grid_scores(lambda p: p[:, 0] + 3.0, resolution=1)
    np.testing.assert_array_equal(scores, [[3.0]])
    with pytest.raises(ValueError, match=r"got shape \(4, 0\)"):
        plots.grid_scores(lambda p: np.zeros((len(p), 0)), resolution=2)


def test_computation_graph_draws_every_array_and_every_gradient():
    """Chapter 1's picture of backpropagation: each box of the forward
    pass, a black arrow down between each pair, and a red arrow up with
    the gradient it carries wherever a parameter needs one."""
    ax = plots.plot_computation_graph()
    texts = [t for t in ax.texts if t.get_text()]
    shown = {t.get_text() for t in texts}
    boxes = [box for box, _ in plots.GRAPH_BOXES]
    carried = [c for _, c in plots.GRAPH_BOXES if c is not None]
    parameters = [t for pair in plots.GRAPH_PARAMETERS.values() for t in pair]
    assert shown == set(boxes) | set(carried) | set(parameters)
    for name in ("dL/dW1", "dL/db1", "dL/dW2", "dL/db2"):
        symbol = rf"\partial L/\partial {name[4]}_{name[5]}"
        assert any(symbol in text for text in parameters), name
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None)]
    colours = [a.arrow_patch.get_edgecolor() for a in arrows]
    black = [c for c in colours if c[0] < 0.1 and c[2] < 0.1]
    assert len(black) == len(boxes) - 1  # forward, between each pair
    assert len(colours) - len(black) == len(carried)  # backward
    assert ax.get_title()
    assert min(t.get_fontsize() for t in texts) >= plots.TEXT_POINTS


def test_computation_graph_texts_do_not_overlap():
    ax = plots.plot_computation_graph()
    figure = ax.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    boxes = [
        t.get_window_extent(renderer)
        for t in [*ax.texts, ax.title]
        if t.get_text()
    ]
    for i, first in enumerate(boxes):
        assert 0 <= first.x0 and first.x1 <= figure.bbox.width, i
        for second in boxes[i + 1 :]:
            assert not first.overlaps(second)
    plt.close(figure)
