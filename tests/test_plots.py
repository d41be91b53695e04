"""The figures: what they draw, and their errors for bad input."""

import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlpcourse import data, plots, settings, stepbench


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


def test_grid_scores_takes_the_first_column_and_any_array_like():
    scores = plots.grid_scores(
        lambda points: np.column_stack([points[:, 1], -points[:, 1]]).tolist(),
        5,
    )
    np.testing.assert_allclose(scores[:, 0], np.linspace(0, 1, 5))


@pytest.mark.parametrize(
    "predict, message",
    [
        (
            lambda p: p[:10],
            r"one row per point, shape \(100,\) or \(100, k\), got shape \(10, 2\)",
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


def test_decision_boundary_draws_the_threshold_contour_and_labels(circle):
    ax = plots.plot_decision_boundary(inside_circle, circle, title="Boundary")
    assert ax.get_title() == "Boundary"
    assert ax.get_xlabel() == "$x_0$" and ax.get_ylabel() == "$x_1$"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == [
        "class +1",
        "class -1",
        "true boundary",
        "learnt boundary (output = 0)",
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


@pytest.mark.parametrize(
    "kind",
    ["data", "losses", "accuracy", "boundary", "step times", "step speed"],
)
def test_every_figure_stays_readable_on_a_phone(circle, kind):
    """The page tests convert TEXT_POINTS and FIGURE_DPI into CSS px."""
    ax = {
        "data": lambda: plots.plot_data(circle, title="Data"),
        "losses": lambda: plots.plot_losses(
            {"run": np.geomspace(1, 0.01, 500)}, title="Loss"
        ),
        "accuracy": lambda: plots.plot_accuracy(
            {"run": np.linspace(0.5, 1, 501)}, title="Accuracy"
        ),
        "boundary": lambda: plots.plot_decision_boundary(
            inside_circle, circle, title="Boundary"
        ),
        "step times": lambda: plots.plot_step_times(
            stepbench.load(), batch=10
        ),
        "step speed": lambda: plots.plot_step_throughput(
            stepbench.load(), batch=4000
        ),
    }[kind]()
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


def test_plot_data_labels_linear_classes():
    ax = plots.plot_data(settings.LINEAR.make_dataset(), title="Data")
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
        "made up", points, labels, labels[:, None], np.zeros((2, 2)), 0.0
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
            data.Dataset(
                "x", points, np.ones(4), np.ones((3, 1)), points, 0.0
            ),
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
    def predict(points):
        return np.zeros(shape)

    rows_ok = len(shape) in (1, 2) and shape[0] == 25
    if rows_ok and (len(shape) == 1 or shape[1] > 0):
        assert plots.grid_scores(predict, resolution=5).shape == (5, 5)
    else:
        with pytest.raises(
            ValueError, match="predict must return one row per point"
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


@pytest.mark.parametrize("threshold", [0.0, 0.5])
def test_learnt_boundary_runs_where_the_output_crosses_the_threshold(
    threshold,
):
    """A predict that is linear in the point: the contour must lie exactly
    on the line where it equals the dataset's threshold."""
    dataset = data.make_linear(100, seed=0)._replace(threshold=threshold)

    def predict(points):
        return threshold + points[:, 0] - points[:, 1] - 0.2

    ax = plots.plot_decision_boundary(predict, dataset, title="Boundary")
    vertices = boundary_vertices(ax)
    assert len(vertices) >= 2
    np.testing.assert_allclose(predict(vertices), threshold, atol=1e-9)
    # The line crosses the square from (0.2, 0) to (1, 0.8).
    assert vertices[:, 0].min() == pytest.approx(0.2, abs=0.02)
    assert vertices[:, 1].max() == pytest.approx(0.8, abs=0.02)
    np.testing.assert_array_equal(
        scatter_points(ax, "class 1"), dataset.points[dataset.labels == 1]
    )


def test_boundary_shading_follows_the_output():
    """Colour maps the first output: high where it is high, and the colour
    range is centred on the threshold."""
    dataset = data.make_circle(100, seed=0)
    ax = plots.plot_decision_boundary(
        lambda p: 1.0 - 3.0 * p[:, 0], dataset, title="Shading"
    )
    (shading,) = [
        c for c in ax.collections if hasattr(c, "levels") and len(c.levels) > 2
    ]
    low, high = shading.get_clim()
    assert (low + high) / 2 == pytest.approx(dataset.threshold)
    assert high == pytest.approx(2.0)  # the largest distance from 0: -2
    assert shading.levels.min() <= -2.0 and shading.levels.max() >= 1.0


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


@pytest.mark.parametrize("batch", [10, 4000])
def test_step_figures_draw_the_benchmark_file(batch):
    """Each series' median time and GFLOP/s at each width, the quartile
    band around it, and a star at the crossover the prose quotes."""
    document = stepbench.load()
    times = plots.plot_step_times(document, batch=batch)
    speeds = plots.plot_step_throughput(document, batch=batch)
    drawn = 0
    for key, (_, _, _, label) in plots.STEP_SERIES.items():
        points = stepbench.series(document, *key)
        if points is None:
            continue
        chosen = stepbench.batch_points(points, batch)
        widths = [p["width"] for p in chosen]
        medians = np.array([p["median_s"] for p in chosen])
        np.testing.assert_allclose(
            line_data(times, label), np.column_stack([widths, medians * 1e3])
        )
        flops = np.array([p["flops"] for p in chosen])
        np.testing.assert_allclose(
            line_data(speeds, label)[:, 1], flops / medians / 1e9
        )
        drawn += 1
        if key[1] != "torch":
            continue
        width = stepbench.crossover(document, batch, key[0], key[2])
        colour = plots.STEP_SERIES[key][0]
        stars = [
            line.get_xydata()[0]
            for line in times.get_lines()
            if line.get_marker() == "*" and line.get_color() == colour
        ]
        expected = (
            []
            if width is None
            else [[width, medians[widths.index(width)] * 1e3]]
        )
        np.testing.assert_allclose(
            np.reshape(stars, (-1, 2)), np.reshape(expected, (-1, 2))
        )
    assert drawn >= 3
    bands = [c for c in times.collections if c.get_array() is None]
    assert len(bands) == drawn
    peaks = sorted(
        line.get_ydata()[0]
        for line in speeds.get_lines()
        if line.get_label().startswith("_")  # unlabelled: a peak line
    )
    assert peaks == sorted(
        run["matmul_peak_gflops"]["float64"] for run in document["runs"]
    )
