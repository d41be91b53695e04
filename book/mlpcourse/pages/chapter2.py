"""What chapter 2's text says about its runs, checked against them.

As in ``chapter1``: in the book's build a sentence that no longer holds
stops it, and in a learner's run it shows a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .. import settings
from ..data import Dataset
from . import claims
from .listing import glue_prose

if TYPE_CHECKING:  # the page that runs these has PyTorch; this file needs none
    from ..parity import TwinRuns

PAGE = "pytorch_mlp"
"""The page whose text these functions check."""


def settings_in_text() -> None:
    """The settings the text quotes."""
    glue_prose(settings.facts(), page=PAGE)


def half_sum_stays_put(
    half_sum_results: Mapping[str, tuple[float, float]],
    linear: Dataset,
    linear_runs: TwinRuns,
) -> None:
    """Exercise 1: the half-sum loss at the course's rate says class 1
    everywhere; with the rate divided by the factor it lands where
    chapter 1 did."""
    (_, too_fast), (divided_mse, _) = half_sum_results.values()
    class_1_share = float(np.mean(linear.labels == 1))
    claims.require(
        "with the half-sum loss and the course's rate the network predicts "
        "class 1 everywhere",
        too_fast == class_1_share,
        measured=f"accuracy {too_fast:.3f}, class 1 share {class_1_share:.3f}",
        setting="settings.LINEAR",
    )
    final = linear_runs.scratch_losses[-1]
    claims.require(
        "with the rate divided by the factor, the run lands where chapter 1 "
        "did",
        abs(divided_mse - final) < 1e-3,
        measured=f"{divided_mse:.6f} against {final:.6f}",
        setting="settings.LINEAR",
    )


def cross_entropy_agrees(
    entropy_gap: float, entropy_scores: Mapping[str, float]
) -> None:
    """Exercise 4: PyTorch's cross-entropy run agrees with chapter 1's."""
    from ..parity import PARITY_TOLERANCE

    claims.require(
        "PyTorch's cross-entropy run agrees with chapter 1's to rounding",
        entropy_gap <= PARITY_TOLERANCE
        and entropy_scores["NumPy"] == entropy_scores["PyTorch"],
        measured=f"loss gap {entropy_gap:.1e}, accuracies {entropy_scores}",
        setting="settings.LINEAR",
    )
