"""Whether a figure's texts and legends keep clear of each other and of
its data, from the boxes matplotlib draws them in. Shared by the figure
tests (test_plots.py, test_film.py)."""

import matplotlib.collections
import matplotlib.text
import numpy as np
from matplotlib.transforms import Bbox


def undrawn_tick_labels(figure) -> set[int]:
    """The ids of tick labels an axis keeps but does not draw: those of
    ticks outside its view (their positions are stale)."""
    undrawn = set()
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                location = tick.get_loc()
                if location is None or not low <= location <= high:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    return undrawn


def drawn_texts(figure) -> list[tuple[str, Bbox]]:
    """Every text the figure draws, with its box in pixels."""
    renderer = figure.canvas.get_renderer()
    undrawn = undrawn_tick_labels(figure)
    return [
        (text.get_text(), text.get_window_extent(renderer))
        for text in figure.findobj(matplotlib.text.Text)
        if text.get_visible()
        and text.get_text().strip()
        and id(text) not in undrawn
        and (text.axes is None or text.axes.get_visible())
    ]


def drawn_data(ax) -> np.ndarray:
    """The pixels the axes' data lines and points pass through: each line
    sampled every pixel along its segments, markers as their corners,
    points as theirs; only what falls inside the axes, where it is drawn.
    Reference lines (a peak, a tolerance) are not data."""
    points = []
    for line in ax.lines:
        if line.get_transform() != ax.transData or not line.get_visible():
            continue
        xy = line.get_transform().transform(np.column_stack(line.get_data()))
        for start, end in zip(xy[:-1], xy[1:], strict=True):
            if line.get_linestyle() not in ("None", "none", " ", ""):
                steps = max(2, int(np.hypot(*(end - start))) + 1)
                points.append(np.linspace(start, end, steps))
        if line.get_marker() not in ("None", "none", None, ""):
            half = line.get_markersize() * ax.figure.dpi / 72 / 2
            for dx in (-half, 0, half):
                for dy in (-half, 0, half):
                    points.append(xy + [dx, dy])
    for collection in ax.collections:
        if isinstance(collection, matplotlib.collections.PathCollection):
            offsets = collection.get_offset_transform().transform(
                collection.get_offsets()
            )
            points.append(offsets)
    if not points:
        return np.empty((0, 2))
    points = np.concatenate(points)
    box = ax.bbox
    inside = (
        (points[:, 0] >= box.x0)
        & (points[:, 0] <= box.x1)
        & (points[:, 1] >= box.y0)
        & (points[:, 1] <= box.y1)
    )
    return points[inside]


def covered(figure) -> list[str]:
    """What a text or a legend covers: another text, or the drawn data."""
    figure.canvas.draw()
    texts = drawn_texts(figure)
    found = [
        f"{first!r} covers {second!r}"
        for i, (first, box) in enumerate(texts)
        for second, other in texts[i + 1 :]
        if box.overlaps(other)
    ]
    renderer = figure.canvas.get_renderer()
    for ax in figure.axes:
        data = drawn_data(ax)
        keys = [(name, box) for name, box in texts]
        if ax.get_legend():
            keys.append(
                ("the legend", ax.get_legend().get_window_extent(renderer))
            )
        for name, box in keys:
            inside = box.padded(-0.5).count_contains(data)
            if inside:
                found.append(f"{name!r} covers {inside} pixels of data")
    return found
