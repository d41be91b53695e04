"""Figures of the data, the loss curves and the decision boundaries.

Colours come from the Okabe-Ito palette, which stays distinguishable with the
common forms of colour blindness; the two classes also differ in marker shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from matplotlib.transforms import offset_copy

from ..checks import as_float_array, positive_int, same_length
from ..data import Dataset, decision_scores
from ..metrics import LAST_EPOCHS
from . import stepbench

BLUE, ORANGE, VERMILLION, BLACK = "#0072B2", "#E69F00", "#D55E00", "#000000"
CLASS_STYLES = [(BLUE, "o"), (ORANGE, "s")]
CURVE_STYLES = [(BLUE, "-"), (VERMILLION, "--"), (BLACK, ":"), (ORANGE, "-.")]
OUTPUT_COLOURS = LinearSegmentedColormap.from_list(
    "orange_white_blue", ["#F5C26B", "#FFFFFF", "#6BAED6"]
)
GRID_RESOLUTION = 100

# Sizes chosen for a phone: a figure 5 inches wide, drawn across a 390 px
# screen, still shows its smallest text (TEXT_POINTS) at about 10 CSS px.
FIGURE_DPI = 150
TEXT_POINTS = 11  # ticks and legends: the smallest text in any figure
LABEL_POINTS = 12
TITLE_POINTS = 13
# Mathtext draws subscripts at 70% size: the 0 of x_0 is then 11 points too.
SYMBOL_POINTS = 16
SQUARE_FIGURE = (5.0, 5.3)
WIDE_FIGURE = (5.0, 3.6)

Predict = Callable[[np.ndarray], np.ndarray]


def _axes(ax: Axes | None, size: tuple[float, float] = SQUARE_FIGURE) -> Axes:
    """The given axes, or one new figure of ``size`` inches with one panel."""
    if ax is None:
        _, ax = plt.subplots(
            figsize=size, dpi=FIGURE_DPI, layout="constrained"
        )
    ax.tick_params(which="both", labelsize=TEXT_POINTS)
    return ax


def _titles(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=TITLE_POINTS)
    ax.set_xlabel(xlabel, fontsize=LABEL_POINTS)
    ax.set_ylabel(ylabel, fontsize=LABEL_POINTS)


def _square_titles(ax: Axes, title: str) -> None:
    ax.set_title(title, fontsize=TITLE_POINTS)
    ax.set_xlabel("$x_0$", fontsize=SYMBOL_POINTS)
    ax.set_ylabel("$x_1$", fontsize=SYMBOL_POINTS)


def _check_dataset(
    dataset: Dataset,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(dataset, Dataset):
        raise TypeError(
            "dataset must be a Dataset from mlpcourse.data, "
            f"got {type(dataset).__name__}"
        )
    points = as_float_array(
        dataset.points, "dataset.points", ndim=2, columns=2
    )
    labels = as_float_array(dataset.labels, "dataset.labels", ndim=1)
    same_length(points, labels, ("dataset.points", "dataset.labels"))
    boundary = as_float_array(
        dataset.true_boundary, "dataset.true_boundary", ndim=2, columns=2
    )
    return points, labels, boundary


def draw_points(ax: Axes, dataset: Dataset) -> None:
    """Scatter the points of each class, and draw the true boundary."""
    points, labels, boundary = _check_dataset(dataset)
    classes = sorted(np.unique(labels), reverse=True)
    if len(classes) > 2:
        raise ValueError(
            f"dataset.labels must hold at most two classes, got {len(classes)}"
        )
    signed = min(classes) < 0
    styles = zip(classes, CLASS_STYLES, strict=False)
    for value, (colour, marker) in styles:
        chosen = points[labels == value]
        ax.scatter(
            chosen[:, 0],
            chosen[:, 1],
            s=22,
            c=colour,
            marker=marker,
            edgecolors=BLACK,
            linewidths=0.5,
            label=f"class {value:+.0f}" if signed else f"class {value:.0f}",
        )
    ax.plot(
        boundary[:, 0],
        boundary[:, 1],
        color=BLACK,
        linestyle="--",
        linewidth=1.2,
        label="true boundary",
    )
    ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal")


def _legend_below(
    ax: Axes, handles: list, labels: list[str], columns: int = 2
) -> None:
    ax.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=columns,
        fontsize=TEXT_POINTS,
        frameon=False,
    )


def plot_data(dataset: Dataset, *, title: str, ax: Axes | None = None) -> Axes:
    """Scatter a dataset's points by class, with its true boundary."""
    ax = _axes(ax)
    draw_points(ax, dataset)
    _square_titles(ax, title)
    _legend_below(ax, *ax.get_legend_handles_labels())
    return ax


def plot_losses(
    curves: Mapping[str, np.ndarray], *, title: str, ax: Axes | None = None
) -> Axes:
    """Loss per epoch for one or more runs, on a logarithmic axis."""
    _check_curves(curves, "run names to losses")
    ax = _axes(ax, WIDE_FIGURE)
    for (name, losses), (colour, style) in zip(
        curves.items(), CURVE_STYLES, strict=False
    ):
        losses = as_float_array(losses, f"curves[{name!r}]", ndim=1)
        if np.any(losses <= 0):
            raise ValueError(
                f"curves[{name!r}] must be positive to draw on a log scale"
            )
        ax.plot(
            np.arange(1, len(losses) + 1),
            losses,
            color=colour,
            linestyle=style,
            linewidth=1.8,
            label=name,
        )
    plain_log_yaxis(ax)
    _titles(ax, title, "epoch", "mean squared error")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=TEXT_POINTS)
    return ax


def _check_curves(curves: Mapping, holding: str) -> None:
    """A figure of curves draws one to len(CURVE_STYLES) named curves."""
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError(f"curves must be a non-empty mapping from {holding}")
    if len(curves) > len(CURVE_STYLES):
        raise ValueError(
            f"curves can hold at most {len(CURVE_STYLES)} runs, "
            f"got {len(curves)}"
        )


def plain_log_yaxis(ax: Axes) -> None:
    """A logarithmic y axis labelled with plain numbers (0.02, 0.05, 0.1)
    rather than small exponents."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def grid_points(resolution: int = GRID_RESOLUTION) -> np.ndarray:
    """The points of an r x r grid over the unit square, shape (r * r, 2)."""
    resolution = positive_int(resolution, "resolution")
    axis = np.linspace(0.0, 1.0, resolution)
    first, second = np.meshgrid(axis, axis)
    return np.column_stack([first.ravel(), second.ravel()])


def grid_scores(
    predict: Predict, resolution: int = GRID_RESOLUTION
) -> np.ndarray:
    """The decision score (``data.decision_scores``) of ``predict``'s
    outputs over the grid, in one batched call: at least 0 where the
    network predicts the first class.

    Returns shape (r, r): rows follow x1, columns follow x0.
    """
    if not callable(predict):
        raise TypeError(
            f"predict must be callable, got {type(predict).__name__}"
        )
    points = grid_points(resolution)
    outputs = np.asarray(predict(points))
    n_points = len(points)
    if (
        outputs.ndim not in (1, 2)
        or outputs.shape[0] != n_points
        or outputs.size == 0
        or outputs.size > 2 * n_points
    ):
        raise ValueError(
            "predict must return one or two outputs per point, "
            f"shape ({n_points},), ({n_points}, 1) or ({n_points}, 2), "
            f"got shape {outputs.shape}"
        )
    outputs = outputs.reshape(n_points, -1)
    scores = decision_scores(
        as_float_array(outputs, "the output of predict", ndim=2)
    )
    return scores.reshape(resolution, resolution)


def score_names(dataset: Dataset) -> tuple[str, str]:
    """What the shading shows, and where the learnt boundary runs, in
    words: for the dataset's one or two outputs."""
    if dataset.targets.shape[1] == 2:
        return "y₀ − y₁, first output minus second", "y₀ = y₁"
    return "network output y", "y = 0"


def plot_decision_boundary(
    predict: Predict,
    dataset: Dataset,
    *,
    title: str,
    ax: Axes | None = None,
    resolution: int = GRID_RESOLUTION,
) -> Axes:
    """Shade the decision score over the unit square and draw the learnt
    boundary, where the predicted class changes."""
    scores = grid_scores(predict, resolution)
    ax = _axes(ax)
    draw_scores(ax, scores, dataset)
    _square_titles(ax, title)
    return ax


def draw_scores(
    ax: Axes, scores: np.ndarray, dataset: Dataset, *, key: bool = True
) -> None:
    """Draw a grid of decision scores (``grid_scores``) over the data: the
    shading, the learnt boundary, the points and the true boundary. With
    ``key``, a colour bar and a legend too."""
    shading, _ = draw_output(ax, scores)
    draw_points(ax, dataset)
    if not key:
        return
    # The colour bar sits beside the square panel and is exactly as tall.
    colorbar = ax.figure.colorbar(
        shading, cax=ax.inset_axes([1.04, 0.0, 0.045, 1.0])
    )
    colorbar.set_label(score_names(dataset)[0], fontsize=LABEL_POINTS)
    colorbar.ax.tick_params(labelsize=TEXT_POINTS)
    _legend_below(ax, *boundary_legend(ax, dataset))


SHADING_BANDS = 10
"""Colour bands on each side of the boundary: 0 is always a band's edge."""


def draw_output(ax: Axes, scores: np.ndarray) -> tuple:
    """Shade a grid of decision scores, white at 0, and draw the learnt
    boundary where they cross 0 (None if they never do). Returns both
    artists."""
    scores = as_float_array(scores, "scores", ndim=2)
    axis = np.linspace(0.0, 1.0, scores.shape[0])
    span = max(float(np.abs(scores).max()), 1e-12)
    half = np.linspace(0.0, span, SHADING_BANDS + 1)  # 0 and span exactly
    shading = ax.contourf(
        axis,
        axis,
        scores,
        levels=np.concatenate([-half[:0:-1], half]),
        cmap=OUTPUT_COLOURS,
        zorder=0.5,  # under the points
    )
    boundary = None
    if scores.min() < 0 < scores.max():
        boundary = ax.contour(
            axis,
            axis,
            scores,
            levels=[0.0],
            colors=VERMILLION,
            linewidths=2.2,
        )
    return shading, boundary


def boundary_legend(ax: Axes, dataset: Dataset) -> tuple[list, list[str]]:
    """The legend entries of a boundary panel: the classes, the true
    boundary (both from ``ax``) and the learnt one."""
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color=VERMILLION, linewidth=2.2))
    labels.append(f"learnt boundary: {score_names(dataset)[1]}")
    return handles, labels


# The network's computation, top to bottom: each box, and the gradient that
# the backward pass hands up the arrow below it (none from X: no parameter
# needs dL/dX).
GRAPH_BOXES = [
    ("$X$", None),
    (
        "$Z_1 = X W_1 + b_1$",
        r"$\delta_1 = \partial L/\partial A_1 \odot g'(Z_1)$",
    ),
    ("$A_1 = g(Z_1)$", r"$\partial L/\partial A_1 = \delta_2 W_2^\top$"),
    (
        "$Z_2 = A_1 W_2 + b_2$",
        r"$\delta_2 = \partial L/\partial Y \odot h'(Z_2)$",
    ),
    ("$Y = h(Z_2)$", r"$\partial L/\partial Y = 2\,(Y - T)\,/\,(nk)$"),
    (r"$L = \mathrm{mean}\,((Y - T)^2)$", None),
]
GRAPH_PARAMETERS = {  # box index: the parameter gradients computed there
    1: (
        r"$\partial L/\partial W_1 = X^\top \delta_1$",
        r"$\partial L/\partial b_1 = \Sigma_p\, \delta_{1,p}$",
    ),
    3: (
        r"$\partial L/\partial W_2 = A_1^\top \delta_2$",
        r"$\partial L/\partial b_2 = \Sigma_p\, \delta_{2,p}$",
    ),
}


def _arrow(ax: Axes, x: float, start: float, end: float, colour: str) -> None:
    ax.annotate(
        "",
        xy=(x, end),
        xytext=(x, start),
        arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.4},
    )


def plot_computation_graph() -> Axes:
    """The two-layer network's forward pass (black, down) and backward pass
    (red, up), with the gradient each backward arrow carries."""
    _, ax = plt.subplots(figsize=(5.0, 6.6), dpi=FIGURE_DPI)
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.axis("off")
    rows = np.linspace(0.94, 0.04, len(GRAPH_BOXES))
    gap = 0.035  # between an arrow's end and a box's centre line
    for index, (box, y) in enumerate(zip(GRAPH_BOXES, rows, strict=True)):
        label, carried = box
        ax.text(
            0.02,
            y,
            label,
            fontsize=LABEL_POINTS,
            va="center",
            bbox={"boxstyle": "round", "facecolor": "#F0F0F0"},
        )
        for line, text in enumerate(GRAPH_PARAMETERS.get(index, ())):
            ax.text(
                0.15,
                y - 0.06 - 0.05 * line,
                text,
                fontsize=TEXT_POINTS,
                color=VERMILLION,
                va="center",
            )
        if index + 1 == len(rows):
            continue
        below = rows[index + 1]
        _arrow(ax, 0.08, y - gap, below + gap, BLACK)
        if carried is not None:
            _arrow(ax, 0.56, below + gap, y - gap, VERMILLION)
            ax.text(
                0.58,
                (y + below) / 2,
                carried,
                fontsize=TEXT_POINTS,
                color=VERMILLION,
                va="center",
            )
    ax.set_title(
        "Forward (black) and backward (red) passes",
        fontsize=TITLE_POINTS,
    )
    return ax


# The step benchmark's series: (device, library, dtype) -> colour, line,
# marker, label. Okabe-Ito colours, each also told apart by its marker.
STEP_SERIES = {
    ("cpu", "numpy", "float64"): (BLUE, "-", "o", "NumPy float64, CPU"),
    ("cpu", "torch", "float64"): (
        VERMILLION,
        "--",
        "s",
        "PyTorch float64, CPU",
    ),
    ("cpu", "torch", "float32"): (ORANGE, "-.", "^", "PyTorch float32, CPU"),
    ("cuda", "torch", "float64"): (BLACK, ":", "D", "PyTorch float64, GPU"),
    ("cuda", "torch", "float32"): (
        "#009E73",
        ":",
        "v",
        "PyTorch float32, GPU",
    ),
}


def _step_series(
    document: Mapping, batch: int
) -> list[tuple[tuple[str, str, str], list[dict]]]:
    """Each series in the file, with its points at one batch size."""
    return [
        (key, stepbench.batch_points(points, batch))
        for key in STEP_SERIES
        if (points := stepbench.series(document, *key)) is not None
    ]


def _draw_step_series(
    ax: Axes, key: tuple[str, str, str], widths: list, values: list
) -> None:
    colour, style, marker, label = STEP_SERIES[key]
    ax.plot(
        widths,
        values,
        color=colour,
        linestyle=style,
        marker=marker,
        linewidth=1.8,
        label=label,
    )


def _step_axes(ax: Axes | None, title: str, ylabel: str) -> Axes:
    ax = _axes(ax, SQUARE_FIGURE)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    _titles(ax, title, "hidden units (width)", ylabel)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_step_times(
    document: Mapping, *, batch: int, ax: Axes | None = None
) -> Axes:
    """Milliseconds per training step against width, one line per series.

    Each line is the median, its shaded band the middle half of the timings.
    A star marks where a PyTorch series becomes faster than NumPy for good
    (``stepbench.crossover``).
    """
    ax = _step_axes(
        ax, f"One training step, batch of {batch}", "time per step (ms)"
    )
    for key, points in _step_series(document, batch):
        widths = [p["width"] for p in points]
        times = [p["median_s"] * 1e3 for p in points]
        _draw_step_series(ax, key, widths, times)
        # The spread of the timings: from the first to the third quartile.
        ax.fill_between(
            widths,
            [p["q1_s"] * 1e3 for p in points],
            [p["q3_s"] * 1e3 for p in points],
            color=STEP_SERIES[key][0],
            alpha=0.25,
            linewidth=0,
        )
        if key[1] == "torch":
            width = stepbench.crossover(document, batch, key[0], key[2])
            if width is not None:
                ax.plot(
                    [width],
                    [times[widths.index(width)]],
                    marker="*",
                    markersize=18,
                    color=STEP_SERIES[key][0],
                    markeredgecolor=BLACK,
                    linestyle="none",
                )
    handles, labels = ax.get_legend_handles_labels()
    handles.append(
        Line2D(
            [],
            [],
            marker="*",
            markersize=14,
            color="white",
            markeredgecolor=BLACK,
            linestyle="none",
        )
    )
    labels.append("PyTorch faster from here on")
    _legend_below(ax, handles, labels)
    return ax


def plot_step_throughput(
    document: Mapping, *, batch: int, ax: Axes | None = None
) -> Axes:
    """Achieved GFLOP/s of each series, under each machine's matmul peak."""
    ax = _step_axes(
        ax, f"Arithmetic speed, batch of {batch}", "GFLOP/s achieved"
    )
    for key, points in _step_series(document, batch):
        widths = [p["width"] for p in points]
        speeds = [p["flops"] / p["median_s"] / 1e9 for p in points]
        _draw_step_series(ax, key, widths, speeds)
    for run in document["runs"]:
        peak = run["matmul_peak_gflops"]["float64"]
        name = "GPU" if run["device"] == "cuda" else "CPU"
        ax.axhline(peak, color=BLACK, linewidth=1.0, linestyle=(0, (1, 3)))
        # Under its line, at the left, where the widths are smallest and
        # every series is far below either peak: at the right, the GPU
        # lines crossed the CPU's label.
        ax.annotate(
            f"{name} float64 matmul peak",
            (0.0, peak),
            xycoords=("axes fraction", "data"),
            xytext=(4, -4),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=TEXT_POINTS,
        )
    _legend_below(ax, *ax.get_legend_handles_labels())
    return ax


def plot_accuracy(
    curves: Mapping[str, np.ndarray],
    *,
    title: str,
    last: int = LAST_EPOCHS,
    ax: Axes | None = None,
) -> Axes:
    """Training accuracy per epoch (epoch 0 is before training).

    The last ``last`` epochs are shaded: the window that the accuracy
    summary (``metrics.accuracy_summary``) takes its median and range from.
    """
    _check_curves(curves, "run names to accuracies")
    ax = _axes(ax, WIDE_FIGURE)
    drawn = []
    for (name, values), (colour, style) in zip(
        curves.items(), CURVE_STYLES, strict=False
    ):
        values = as_float_array(values, f"curves[{name!r}]", ndim=1)
        drawn.append(values)
        ax.plot(
            np.arange(len(values)),
            values,
            color=colour,
            linestyle=style,
            linewidth=1.4,
            label=name,
        )
    # The window and the limits cover every curve, not only the last one.
    epochs = max(len(values) for values in drawn) - 1
    ax.axvspan(
        epochs - last + 1,
        epochs,
        color=BLACK,
        alpha=0.08,
        label=f"last {last} epochs",
    )
    lowest = min(float(np.min(values)) for values in drawn)
    ax.set_ylim(min(0.4, lowest), 1.02)
    _titles(ax, title, "epoch", "training accuracy")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=TEXT_POINTS, loc="lower right")
    return ax


GAP_FLOOR = 1e-18
"""Gaps of exactly 0 are drawn here, below every rounding-level gap."""


def plot_gaps(
    curves: Mapping[str, np.ndarray],
    *,
    title: str,
    tolerance: float,
    ax: Axes | None = None,
) -> Axes:
    """Per-epoch gaps between two runs on a log scale, with a tolerance line.

    A gap of exactly 0 is drawn at ``GAP_FLOOR``.
    """
    _check_curves(curves, "run names to gaps")
    ax = _axes(ax, WIDE_FIGURE)
    for (name, gap), (colour, style) in zip(
        curves.items(), CURVE_STYLES, strict=False
    ):
        gap = as_float_array(gap, f"curves[{name!r}]", ndim=1)
        if np.any(gap < 0):
            raise ValueError(f"curves[{name!r}] must hold gaps, not signs")
        ax.plot(
            np.arange(1, len(gap) + 1),
            np.maximum(gap, GAP_FLOOR),
            color=colour,
            linestyle=style,
            linewidth=1.4,
            label=name,
        )
    ax.axhline(
        tolerance,
        color=BLACK,
        linewidth=1.0,
        linestyle=(0, (1, 3)),
        label=f"tolerance, {tolerance:.0e}",
    )
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(numticks=8))
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _: f"{value:.0e}")
    )
    ax.yaxis.set_minor_formatter(NullFormatter())
    _titles(ax, title, "epoch", "loss gap")
    ax.grid(True, which="major", alpha=0.3)
    # Below the axis label, however tall constrained layout makes the axes:
    # an offset in points, not in axes fractions.
    below_label = offset_copy(
        ax.transAxes, ax.figure, y=-3 * LABEL_POINTS, units="points"
    )
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=below_label,
        fontsize=TEXT_POINTS,
        frameon=False,
    )
    return ax
