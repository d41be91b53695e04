"""What chapter 1's text says about its runs, checked against them.

Each function checks the sentences of one place in the chapter, with the
values the chapter computed, through ``claims.require``: in the book's
build a sentence that no longer holds stops it, and in a learner's run it
shows a note. Where the text quotes a measured value, the function also
hands it to the page (``glue_prose``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import settings
from ..data import Dataset
from ..metrics import LAST_EPOCHS
from ..settings import CIRCLE, LINEAR
from ..training import Recorder
from . import claims, film
from .listing import glue_prose
from .plots import GRID_RESOLUTION

PAGE = "scratch_mlp"
"""The page whose text these functions check."""


def settings_in_text() -> None:
    """The settings the text quotes, and the size of the boundaries' grid."""
    grid = f"{GRID_RESOLUTION} × {GRID_RESOLUTION}"
    glue_prose(settings.facts() | {"grid": grid}, page=PAGE)


def gradients_pass(linear_errors: Mapping[str, float]) -> None:
    """Checking the gradients: every error is under 1e-8."""
    claims.require(
        "every gradient-check error of the linear network is under 1e-8",
        max(linear_errors.values()) < 1e-8,
        measured=f"largest relative error {max(linear_errors.values()):.1e}",
        setting="settings.LINEAR",
    )


def linear_boundary_is_close(linear_accuracy: float) -> None:
    """The linear boundary figure: the learnt line is close to the true one."""
    claims.require(
        "the learnt linear boundary lies close to the true one",
        linear_accuracy >= 0.95,
        measured=f"training accuracy {linear_accuracy:.3f} "
        "(0.95 or more wanted)",
        setting="settings.LINEAR",
    )


def linear_film_story(
    linear_film: film.Film, linear: Dataset, linear_record: Recorder
) -> None:
    """Watch it learn: no boundary until it enters the square, then one in
    every frame."""
    linear_from = film.boundary_from(linear_film)  # None: no boundary yet
    linear_majority = float(np.mean(linear.labels == 1))
    epochs = linear_film.epochs
    start = len(epochs) if linear_from is None else epochs.index(linear_from)
    before, before_frames = epochs[:start], linear_film.frames[:start]
    smallest = before_frames.min(axis=(1, 2))  # the smallest y0 - y1 per frame
    surest = int(np.argmax(smallest)) if start else 0
    claims.require(
        "until the boundary enters the square, the network puts the whole "
        "square in class 1 and its accuracy is the share of class 1; the "
        "smallest y0 - y1 on the grid first grows; from then on every frame "
        "has a boundary",
        linear_from is not None
        and start > 0
        and before_frames.min() > 0
        and all(linear_record.values[e] == linear_majority for e in before)
        and surest > 0
        and film.boundary_epochs(linear_film) == epochs[start:],
        measured=_boundary_story(
            linear_from, before, smallest, linear_record, linear_majority
        ),
        setting="settings.LINEAR",
    )
    glue_prose(
        {
            "film_frames": f"{film.FILM_FRAMES}",
            "linear_from": _epoch(linear_from),
            "linear_majority": f"{linear_majority:.2f}",
            "linear_margin_start": _margin(smallest, 0),
            "linear_margin_peak": _margin(smallest, surest),
            "linear_margin_epoch": f"{before[surest]}" if start else NONE,
            "linear_levels_off": f"{film.loss_levels_off(linear_film)}",
        },
        page=PAGE,
    )


NONE = "none"
"""A value the run did not produce (no boundary, say), as a note shows it."""


def _epoch(epoch: int | None) -> str:
    return NONE if epoch is None else f"{epoch}"


def _margin(smallest: np.ndarray, index: int) -> str:
    return f"{smallest[index]:.2f}" if len(smallest) else NONE


def _boundary_story(
    linear_from: int | None,
    before: list[int],
    smallest: np.ndarray,
    linear_record: Recorder,
    linear_majority: float,
) -> str:
    """What the linear film showed, for a note: where its boundary came
    in, and what came before it."""
    if linear_from is None:
        return "no boundary in the film's last frame"
    if not before:
        return f"a boundary from the first frame, epoch {linear_from}"
    return (
        f"boundary from epoch {linear_from}; smallest y0 - y1 before it "
        f"{smallest.min():.3f}; accuracies before it "
        f"{sorted({linear_record.values[e] for e in before})}, share of "
        f"class 1 {linear_majority}; smallest y0 - y1 largest at epoch "
        f"{before[int(np.argmax(smallest))]}"
    )


def circle_boundary_is_close(circle_record: Recorder) -> None:
    """The circle's boundary figure: a rounded polygon close to the circle."""
    circle_median = float(np.median(circle_record.values[-LAST_EPOCHS:]))
    claims.require(
        "the circle network's boundary is a rounded polygon close to the "
        "circle",
        circle_median >= 0.95,
        measured=f"median accuracy of the last {LAST_EPOCHS} epochs "
        f"{circle_median:.3f} "
        "(0.95 or more wanted)",
        setting="settings.CIRCLE",
    )


def films_compared(
    circle_film: film.Film, linear_film: film.Film, circle: Dataset
) -> None:
    """The circle's film, and how much more its boundary moves than the
    linear one's."""
    circle_crossing = film.boundary_epochs(circle_film)
    circle_first = circle_crossing[0] if circle_crossing else None
    claims.require(
        "the circle network's output starts on one side of zero everywhere",
        circle_first is not None and circle_first > 0,
        measured=f"first epoch with a boundary: {_epoch(circle_first)}",
        setting="settings.CIRCLE",
    )
    second_half = {"after": CIRCLE.epochs // 2}
    linear_moves = film.side_changes(linear_film, after=LINEAR.epochs // 2)
    circle_moves = film.side_changes(circle_film, **second_half)
    circle_jump = film.largest_accuracy_change(circle_film)
    linear_jump = film.largest_accuracy_change(linear_film)
    claims.require(
        "in the second half of training the circle's boundary moves at least "
        "ten times as much as the linear one's, and its accuracy jumps while "
        "the linear one's stays put",
        circle_moves >= 10 * linear_moves and circle_jump > 0 == linear_jump,
        measured=f"share of the grid changing side between frames: circle "
        f"{circle_moves:.4f}, linear {linear_moves:.4f}; largest change of "
        f"accuracy in the last {LAST_EPOCHS} epochs: "
        f"circle {circle_jump:.3f}, "
        f"linear {linear_jump:.3f}",
        setting="settings.LINEAR and settings.CIRCLE",
    )
    glue_prose(
        {
            "circle_first": _epoch(circle_first),
            "circle_from": _epoch(film.boundary_from(circle_film)),
            "circle_levels_off": f"{film.loss_levels_off(circle_film)}",
            "circle_jump": f"{circle_jump:.2f}",
            "circle_jump_points": f"{round(circle_jump * len(circle.labels))}",
            "circle_moves": f"{circle_moves:.1%}",
            "linear_moves": f"{linear_moves:.1%}",
            "last_epochs": f"{LAST_EPOCHS}",
        },
        page=PAGE,
    )


def slow_rate_stays_put(
    rate_scores: Mapping[float, float], linear: Dataset
) -> None:
    """Exercise 1: at learning rate 0.1 it still says class 1 everywhere."""
    class_1_share = float(np.mean(linear.labels == 1))
    claims.require(
        "with learning rate 0.1 the network predicts class 1 everywhere",
        rate_scores[0.1] == class_1_share,
        measured=f"accuracy {rate_scores[0.1]:.3f}, class 1 share "
        f"{class_1_share:.3f}",
        setting="settings.LINEAR",
    )


def wider_is_better(width_scores: Mapping[int, float]) -> None:
    """Exercise 2: more hidden units give a higher accuracy."""
    claims.require(
        "more hidden units give the circle network a higher accuracy",
        width_scores[1] < width_scores[2] < width_scores[8],
        measured=f"accuracies {width_scores}",
        setting="settings.CIRCLE",
    )


def identity_draws_one_class(
    linear_only: float,
    circle: Dataset,
    predicted: np.ndarray,
    outputs: np.ndarray,
) -> None:
    """Exercise 3: without a hidden activation, one class for every point."""
    inside_share = float(np.mean(circle.labels == 1))
    claims.require(
        "without a hidden activation the network predicts inside for every "
        "point, and its accuracy is the share of points inside",
        np.all(predicted == 1)
        and linear_only == inside_share
        and outputs.max() - outputs.min() < 0.2,
        measured=f"accuracy {linear_only:.3f}, predicted inside "
        f"{np.mean(predicted == 1):.3f}, share inside {inside_share:.3f}",
        setting="settings.CIRCLE",
    )


def course_seed_is_best(seed_scores: dict[int, float]) -> None:
    """Exercise 5: the course's seed is the best of seeds 0 to 3."""
    claims.require(
        "the course's seed gives the best accuracy of seeds 0 to 3",
        max(seed_scores, key=seed_scores.get) == CIRCLE.init_seed,
        measured=f"accuracies {seed_scores}",
        setting="settings.CIRCLE.init_seed",
    )


def cross_entropy_gets_further(
    entropy_score: float,
    mse_score: float,
    first_slopes: np.ndarray,
    linear: Dataset,
) -> None:
    """Exercise 6: the cross-entropy gets further than the MSE at rate 0.1."""
    claims.require(
        "before training the sigmoid's slope is close to 1/4; at learning "
        "rate 0.1 the cross-entropy run gets much further than the MSE run, "
        "which still predicts class 1 everywhere",
        first_slopes.mean() > 0.2
        and entropy_score >= 0.9
        and mse_score == float(np.mean(linear.labels == 1)),
        measured=f"mean slope {first_slopes.mean():.3f}, "
        f"cross-entropy accuracy {entropy_score:.3f}, "
        f"MSE accuracy {mse_score:.3f}",
        setting="settings.LINEAR",
    )


def fresh_points(fresh_scores: Mapping[str, tuple[float, float]]) -> None:
    """Exercise 7: the linear network loses more accuracy on fresh points."""
    linear_drop = fresh_scores["linear"][0] - fresh_scores["linear"][1]
    circle_drop = fresh_scores["circle"][0] - fresh_scores["circle"][1]
    claims.require(
        "the linear network gets all its training points right and loses more "
        "accuracy on fresh points than the circle network, which keeps nearly "
        "all of it",
        fresh_scores["linear"][0] == 1.0
        and linear_drop > 2 * abs(circle_drop)
        and abs(circle_drop) < 0.01,
        measured=f"drop on fresh points: linear {linear_drop:.3f}, circle "
        f"{circle_drop:.3f}",
        setting="settings.LINEAR and settings.CIRCLE",
    )
