"""Training films: the decision boundary forming, epoch by epoch.

A film's frames are snapshots of the network's output over the plotting
grid, recorded by an epoch hook (``snapshots``) during the one training run
a chapter already does. ``Film`` plays them with matplotlib's JavaScript
player (the HTML writer behind ``to_jshtml``), beside the loss and the
accuracy per epoch;
``small_multiples`` draws six of them side by side, for print.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import HTMLWriter
from matplotlib.figure import Figure
from PIL import Image

from ..checks import as_float_array, positive_int
from ..data import Dataset
from ..metrics import LAST_EPOCHS
from ..training import Recorder
from .plots import (
    BLACK,
    BLUE,
    FIGURE_DPI,
    LABEL_POINTS,
    SYMBOL_POINTS,
    TEXT_POINTS,
    TITLE_POINTS,
    VERMILLION,
    Predict,
    boundary_legend,
    draw_output,
    draw_points,
    draw_scores,
    grid_scores,
    plain_log_yaxis,
    score_names,
)

FILM_FRAMES = 41
# Frames are drawn at a lower resolution than the figures, to keep a film's
# weight down; at this size the smallest text still reads on a phone.
FILM_DPI = 100
FILM_SIZE = (5.0, 3.0)
FRAMES_PER_SECOND = 8
PALETTE = 64  # colours per frame: the shading's bands, points, lines, text
SMALL_MULTIPLES = 6


def film_epochs(epochs: int, count: int = FILM_FRAMES) -> list[int]:
    """``count`` epochs from 0 to ``epochs``, dense early, where most of the
    change happens: evenly spaced on a log scale, then rounded."""
    epochs = positive_int(epochs, "epochs")
    count = positive_int(count, "count")
    if not 2 <= count <= epochs + 1:
        raise ValueError(
            f"count must be from 2 to epochs + 1 ({epochs + 1}), got {count}"
        )
    chosen: list[int] = []
    spacing = count - 1
    while len(chosen) < count - 1:  # rounding merges some early epochs
        chosen = sorted({round(e) for e in np.geomspace(1, epochs, spacing)})
        spacing += 1
    return [0, *chosen[: count - 2], epochs]


def snapshots(
    predict: Predict, epochs: int, count: int = FILM_FRAMES
) -> Recorder:
    """An epoch hook recording ``predict``'s decision scores over the
    plotting grid (``plots.grid_scores``) at the epochs ``film_epochs``
    chooses (at every epoch, for a run shorter than ``count``)."""
    count = min(count, positive_int(epochs, "epochs") + 1)
    return Recorder(
        lambda: grid_scores(predict), at=film_epochs(epochs, count)
    )


@dataclass(frozen=True)
class Film:
    """One training run's film: its snapshots with the loss and the
    accuracy per epoch. In a notebook it shows as a player."""

    name: str  # the page's id for the player: a-z, 0-9 and dashes
    title: str
    dataset: Dataset
    snapshots: Recorder
    losses: np.ndarray  # per epoch, from 1
    accuracies: Sequence[float]  # per epoch, from 0 (before training)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9-]+", self.name):
            raise ValueError(
                f"name must be a-z, 0-9 and dashes, got {self.name!r}"
            )
        losses = as_float_array(self.losses, "losses", ndim=1)
        accuracies = as_float_array(self.accuracies, "accuracies", ndim=1)
        if len(accuracies) != len(losses) + 1:
            raise ValueError(
                "accuracies must hold epoch 0 and one per loss: "
                f"{len(losses) + 1} values, got {len(accuracies)}"
            )
        if self.snapshots.epochs[-1:] != [len(losses)]:
            raise ValueError(
                f"the snapshots must end at the last epoch, {len(losses)}, "
                f"got epochs {self.snapshots.epochs}"
            )

    @property
    def epochs(self) -> list[int]:
        return self.snapshots.epochs

    @property
    def frames(self) -> np.ndarray:
        """The snapshots, shape (frames, r, r)."""
        return np.array(self.snapshots.values)

    def loss_at(self, epoch: int) -> float | None:
        return None if epoch == 0 else float(self.losses[epoch - 1])

    def caption(self, epoch: int) -> str:
        """Epoch, loss and accuracy, on two lines: a small panel's title."""
        loss = self.loss_at(epoch)
        shown = "before training" if loss is None else f"loss {loss:.3g}"
        return f"epoch {epoch}: {shown}\naccuracy {self.accuracies[epoch]:.2f}"

    def __repr__(self) -> str:
        return (
            f"Film({self.title!r}: {len(self.epochs)} frames, "
            f"epochs 0 to {self.epochs[-1]})"
        )

    def _repr_html_(self) -> str:
        return player(self)


def boundary_epochs(film: Film) -> list[int]:
    """The epochs whose frame shows a learnt boundary: the network puts
    some of the grid in each class."""
    return [
        epoch
        for epoch, frame in zip(film.epochs, film.frames, strict=True)
        if frame.min() < 0 < frame.max()
    ]


def boundary_from(film: Film) -> int | None:
    """The first epoch from which every frame shows a learnt boundary;
    None when the last frame shows none (a network that has not learnt)."""
    shown = boundary_epochs(film)
    missing = [epoch for epoch in film.epochs if epoch not in shown]
    if missing and missing[-1] == film.epochs[-1]:
        return None
    return film.epochs[film.epochs.index(missing[-1]) + 1] if missing else 0


def loss_levels_off(film: Film, share: float = 0.9) -> int:
    """The first epoch by which the loss has made ``share`` of its fall,
    from epoch 1 to its median over the last LAST_EPOCHS epochs."""
    losses = np.asarray(film.losses)
    final = float(np.median(losses[-LAST_EPOCHS:]))
    level = final + (1 - share) * (losses[0] - final)
    return int(np.argmax(losses <= level)) + 1


def side_changes(film: Film, after: int) -> float:
    """The mean share of the grid that changes class from one frame to
    the next, over the frames after epoch ``after``."""
    sides = film.frames >= 0
    changes = (sides[1:] != sides[:-1]).mean(axis=(1, 2))
    later = np.array(film.epochs[1:]) > after
    return float(changes[later].mean())


def largest_accuracy_change(film: Film, last: int = LAST_EPOCHS) -> float:
    """The largest change of the accuracy from one epoch to the next, over
    the last ``last`` epochs."""
    return float(np.abs(np.diff(film.accuracies[-last - 1 :])).max())


def draw_curves(ax_loss, ax_accuracy, film: Film) -> list:
    """The loss and the accuracy per epoch; returns the markers that show
    the current epoch, for ``move_markers``."""
    epochs = np.arange(len(film.accuracies))
    ax_loss.plot(epochs[1:], film.losses, color=BLUE, linewidth=1.4)
    plain_log_yaxis(ax_loss)
    ax_loss.set_ylabel("loss", fontsize=LABEL_POINTS)
    ax_accuracy.plot(epochs, film.accuracies, color=BLUE, linewidth=1.4)
    ax_accuracy.set_ylim(min(0.4, float(np.min(film.accuracies))), 1.02)
    ax_accuracy.set_ylabel("accuracy", fontsize=LABEL_POINTS)
    ax_accuracy.set_xlabel("epoch", fontsize=LABEL_POINTS)
    markers = []
    for ax in (ax_loss, ax_accuracy):
        ax.tick_params(which="both", labelsize=TEXT_POINTS)
        ax.grid(True, alpha=0.3)
        markers.append(ax.axvline(0, color=VERMILLION, linewidth=1.6))
    (dot,) = ax_accuracy.plot([0], [film.accuracies[0]], "o", color=BLACK)
    return [*markers, dot]


def move_markers(markers: list, film: Film, epoch: int) -> None:
    loss_line, accuracy_line, dot = markers
    loss_line.set_xdata([epoch, epoch])
    accuracy_line.set_xdata([epoch, epoch])
    dot.set_data([epoch], [film.accuracies[epoch]])


def film_figure(film: Film) -> tuple[Figure, Callable[[int], None]]:
    """The film's figure and a function that draws its frame ``index``.

    The points and the curves are drawn once; a frame replaces only the
    shading and the learnt boundary, and moves the epoch markers.
    """
    figure = plt.figure(figsize=FILM_SIZE, dpi=FILM_DPI, layout="constrained")
    left, right = figure.subfigures(1, 2, width_ratios=[1.1, 1])
    boundary = left.subplots()
    ax_loss, ax_accuracy = right.subplots(2, 1, sharex=True)
    markers = draw_curves(ax_loss, ax_accuracy, film)
    draw_points(boundary, film.dataset)
    unit_ticks(boundary)
    boundary.set_xlabel("$x_0$", fontsize=SYMBOL_POINTS)
    boundary.set_ylabel("$x_1$", fontsize=SYMBOL_POINTS)
    figure.suptitle(film.title, fontsize=TITLE_POINTS)
    frames = film.frames
    drawn: list = []

    def draw_frame(index: int) -> None:
        for artist in drawn:
            artist.remove()
        drawn[:] = [
            artist
            for artist in draw_output(boundary, frames[index])
            if artist is not None
        ]
        boundary.set_title(
            f"epoch {film.epochs[index]}", fontsize=TITLE_POINTS
        )
        move_markers(markers, film, film.epochs[index])

    draw_frame(0)
    figure.canvas.draw()
    figure.set_layout_engine("none")  # every frame keeps the first layout
    return figure, draw_frame


def unit_ticks(ax) -> None:
    """Ticks at 0, 0.5 and 1, short enough for a small panel."""
    for set_ticks in (ax.set_xticks, ax.set_yticks):
        set_ticks([0, 0.5, 1], ["0", "0.5", "1"])
    ax.tick_params(labelsize=TEXT_POINTS)


def small_multiples(film: Film, count: int = SMALL_MULTIPLES) -> Figure:
    """``count`` of the film's snapshots, evenly spaced along it (so dense
    early, as its frames are), each titled with its epoch, loss and
    accuracy; one legend for all."""
    count = positive_int(count, "count")
    if count > len(film.epochs):
        raise ValueError(
            f"count must be at most the film's {len(film.epochs)} frames, "
            f"got {count}"
        )
    indices = np.round(np.linspace(0, len(film.epochs) - 1, count))
    columns = 2
    rows = -(-count // columns)
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(5.0, 2.7 * rows + 0.9),
        dpi=FIGURE_DPI,
        sharex=True,
        sharey=True,
        layout="constrained",
    )
    frames = film.frames
    for ax, index in zip(axes.flat, indices.astype(int), strict=False):
        draw_scores(ax, frames[index], film.dataset, key=False)
        unit_ticks(ax)
        ax.set_title(film.caption(film.epochs[index]), fontsize=TEXT_POINTS)
        ax.set_xlabel("$x_0$", fontsize=SYMBOL_POINTS)
        ax.set_ylabel("$x_1$", fontsize=SYMBOL_POINTS)
        ax.label_outer()
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    figure.suptitle(film.title, fontsize=TITLE_POINTS)
    handles, labels = boundary_legend(axes.flat[0], film.dataset)
    figure.legend(
        handles,
        labels,
        loc="outside lower center",
        ncol=2,
        fontsize=TEXT_POINTS,
        frameon=False,
    )
    return figure


# matplotlib's player fetches its button icons from a CDN, draws a slider
# 374 px wide and names neither the slider nor the image. These
# replacements make it work offline, fit a phone and read aloud; each must
# match the template of the pinned matplotlib (player() checks).
ICONS = {  # 16 x 16 SVG paths, for Font Awesome 4's icon names
    "fa-minus": "M2 7h12v2H2z",
    "fa-fast-backward": "M2 2h2v12H2zM10 2 4 8l6 6zM16 2l-6 6 6 6z",
    "fa-step-backward": "M3 2h2v12H3zM14 2 6 8l8 6z",
    "fa-play fa-flip-horizontal": "M13 2 3 8l10 6z",
    "fa-pause": "M3 2h4v12H3zM9 2h4v12H9z",
    "fa-play": "M3 2l10 6-10 6z",
    "fa-step-forward": "M11 2h2v12h-2zM2 2l8 6-8 6z",
    "fa-fast-forward": "M12 2h2v12h-2zM0 2l6 6-6 6zM6 2l6 6-6 6z",
    "fa-plus": "M7 2h2v5h5v2H9v5H7V9H2V7h5z",
}
FONT_AWESOME = re.compile(
    r'<link rel="stylesheet"\s+href="https://maxcdn[^"]+font-awesome[^"]+">'
)
# The player sits on a light panel in both of the site's modes, so its
# native controls are drawn for a light page (dark mode drew the radios
# inverted). Each control is a 44 px target, the usual touch guideline; a
# radio's target is its label. Focus rings are near-black: 3:1 or more on
# the panel in either mode. On paper the small multiples stand in for the
# film (a frame not yet loaded would print empty).
PLAYER_STYLE = """<style>
.film { color-scheme: light; }
.film .animation { display: block; }
.film .animation img { max-width: 100%; height: auto; }
.film input[type=range].anim-slider { width: 100%; max-width: 500px; }
.film .anim-buttons { display: flex; flex-wrap: wrap; justify-content: center;
  gap: 2px; }
.film .anim-buttons button { width: 44px; min-height: 44px; }
.film .anim-buttons svg { width: 16px; height: 16px; fill: currentColor; }
.film .anim-state label { display: inline-flex; align-items: center;
  min-height: 44px; padding: 0 10px 0 4px; margin: 0; }
.film .anim-state input { width: 20px; height: 20px; }
html .film :is(button, input):focus-visible { outline: 3px solid #1f2328;
  outline-offset: 2px; }
@media print { .film { display: none; } }
</style>
"""


# matplotlib's player loads every frame as soon as the page has parsed it.
# This one starts, and so asks for its frames, when the reader comes within
# a screen of it (at once where IntersectionObserver is missing). In a
# notebook the frames are in the page anyway; on the site they are files
# (book/_ext/course_site.py), so a chapter costs no frame until then.
START_WHEN_NEAR = """<script>
function filmWhenNear(imgId, start) {
  var img = document.getElementById(imgId);
  if (!("IntersectionObserver" in window)) { setTimeout(start, 0); return; }
  var watch = new IntersectionObserver(function (entries) {
    if (entries.some(function (entry) { return entry.isIntersecting; })) {
      watch.disconnect();
      start();
    }
  }, { rootMargin: "100% 0px" });
  watch.observe(img);
}
</script>
"""


class PaletteFrames(HTMLWriter):
    """matplotlib's HTML writer, with each frame stored as a PNG of at most
    PALETTE colours: about a quarter of the bytes of a full-colour one."""

    def grab_frame(self, **savefig_kwargs) -> None:
        rendered = io.BytesIO()
        self.fig.savefig(rendered, format="png", dpi=self.dpi)
        image = Image.open(rendered).convert("RGB")
        image = image.quantize(colors=PALETTE, dither=Image.Dither.NONE)
        reduced = io.BytesIO()
        image.save(reduced, format="png")
        frame = base64.encodebytes(reduced.getvalue()).decode("ascii")
        self._saved_frames.append(frame)


def player(film: Film) -> str:
    """The film as matplotlib's JavaScript player, offline and named; the
    same bytes for the same frames (its element ids come from the name)."""
    figure, draw_frame = film_figure(film)
    writer = PaletteFrames(
        fps=FRAMES_PER_SECOND, embed_frames=True, default_mode="once"
    )
    with TemporaryDirectory() as folder:  # as Animation.to_jshtml does
        path = Path(folder, "film.html")
        with writer.saving(figure, str(path), dpi=FILM_DPI):
            for index in range(len(film.epochs)):
                draw_frame(index)
                writer.grab_frame()
        page = path.read_text()
    plt.close(figure)
    (anim_id,) = set(re.findall(r'id="_anim_img(\w+)"', page))
    page = page.replace(anim_id, film.name.replace("-", "_"))
    page, links = FONT_AWESOME.subn("", page)
    # The frame's size, so the page keeps its place before the frames load.
    width, height = (round(inches * FILM_DPI) for inches in FILM_SIZE)
    replacements = {
        '<img id="_anim_img': (
            f'<img alt="{html.escape(film.title)}: the decision boundary '
            f'at the epoch the slider shows" width="{width}" '
            f'height="{height}" id="_anim_img'
        ),
        "    setTimeout(function() {\n": (
            "    filmWhenNear(img_id, function() {\n"
        ),
        "    }, 0);\n  })()": "    });\n  })()",
        'class="anim-slider"': (
            'class="anim-slider" aria-label="Frame: the epoch shown"'
        ),
        # A labelled form is a landmark: each must have its own name.
        'aria-label="Repetition mode"': (
            f'aria-label="{html.escape(film.title)}: repetition mode"'
        ),
    }
    for icon, shape in ICONS.items():
        svg = (
            '<svg viewBox="0 0 16 16" aria-hidden="true">'
            f'<path d="{shape}"/></svg>'
        )
        replacements[f'<i class="fa {icon}"></i>'] = svg
    for old, new in replacements.items():
        if old not in page:
            raise RuntimeError(f"matplotlib's player changed: no {old!r}")
        page = page.replace(old, new)
    if links != 1:
        raise RuntimeError("matplotlib's player changed: no Font Awesome link")
    shading, boundary = score_names(film.dataset)
    key = html.escape(
        f"Shading: {shading}, blue where the network predicts the blue "
        "circles' class, orange where it predicts the orange squares'; red "
        f"line: the learnt boundary, {boundary}; dashed line: the true "
        "boundary; circles and squares: the points of the two "
        "classes. Right: loss and accuracy per epoch, the red line "
        "at the epoch shown. Play, step or drag the slider."
    )
    return (
        f'<div class="film">{PLAYER_STYLE}{START_WHEN_NEAR}{page}'
        f'<p class="film-key">{key}</p></div>'
    )
