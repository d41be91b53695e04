"""What the "Going further" page says about its runs, checked against
them. As in ``chapter1``: in the book's build a sentence that no longer
holds stops it, and in a learner's run it shows a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .. import settings
from ..metrics import LAST_EPOCHS
from ..training import Recorder
from . import claims
from .listing import glue_prose
from .rounding import shown

if TYPE_CHECKING:  # the page that runs these has PyTorch; this file needs none
    from ..parity import TwinRuns

PAGE = "going_further"
"""The page whose text these functions check."""


def settings_in_text() -> None:
    """The settings the text quotes."""
    glue_prose(settings.facts(), page=PAGE)


def exact_operations_agree(shares: Mapping[str, float]) -> None:
    """Where identical ends: +, * and / agree exactly between the two."""
    exact = ["x + y", "x * y", "x / y"]
    claims.require(
        "NumPy and PyTorch give the same float64 for +, * and /",
        all(shares[name] == 0 for name in exact),
        measured=", ".join(f"{n}: {shares[n]:.1%} differ" for n in exact),
        setting="a million inputs drawn with seed 0",
    )


def one_step_agrees(step_gaps: list[float]) -> None:
    """Where identical ends: one step of each network agrees to rounding,
    for every width, learning rate and batch measured."""
    claims.require(
        "one step of each network agrees to rounding for every setting",
        max(step_gaps) < 1e-12,
        measured=f"largest parameter difference {shown(max(step_gaps))}",
        setting="the widths, learning rates and batches above",
    )


def fast_runs_part(
    circle_runs: TwinRuns,
    gap_curves: Mapping[str, np.ndarray],
    rate: float,
    epochs: int,
) -> None:
    """Where identical ends: at the course's rate the two runs agree; at
    twice that rate, over ``epochs`` epochs, both pairs of runs part."""
    from ..parity import PARITY_TOLERANCE, require_agreement

    require_agreement(circle_runs, "settings.CIRCLE")
    for name in list(gap_curves)[1:]:
        claims.require(
            f"with learning rate {2 * rate:g}, {name} part within "
            f"{epochs} epochs",
            gap_curves[name].max() > PARITY_TOLERANCE,
            measured=f"largest gap {shown(gap_curves[name].max())}",
            setting=f"settings.CIRCLE.learning_rate, doubled, and {epochs} "
            "epochs",
        )


def float32_learns_alike(
    circle_runs: TwinRuns, float32_record: Recorder, drift: np.ndarray
) -> None:
    """What float32 would do: it learns as well, and its gap grows."""
    float32_median = np.median(float32_record.values[-LAST_EPOCHS:])
    float64_accuracy, _ = circle_runs.recorded("accuracy")
    float64_median = np.median(float64_accuracy[-LAST_EPOCHS:])
    claims.require(
        "in float32 the network learns the circle just as well",
        abs(float32_median - float64_median) <= 0.01,
        measured=f"median accuracy {float32_median:.3f} (float32) against "
        f"{float64_median:.3f} (float64) over the last {LAST_EPOCHS} epochs",
        setting="settings.CIRCLE",
    )
    claims.require(
        "the float32 run's gap grows by two orders of magnitude or more "
        "from the first ten epochs to the end",
        drift.max() >= 100 * drift[:10].max(),
        measured=f"{shown(drift[:10].max())} in epochs 1-10, "
        f"{shown(drift.max())} in all",
        setting="settings.CIRCLE, in float32",
    )
