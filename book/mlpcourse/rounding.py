"""Rounding-level numbers, printed so that every machine prints the same.

Two correct computations that add the same numbers in another order differ
in the last digits, and so do two processors or two library builds. A page
that printed 2.6e-15 would disagree with a reader's run that got 2.4e-15;
printing the bound the number stays under ("below 1e-12") does not.
"""

from __future__ import annotations

from collections.abc import Sequence


def below(value: float, bounds: Sequence[float]) -> str:
    """The smallest of the ascending ``bounds`` that ``value`` stays under.

    A value at or above the last bound prints itself, and says so.
    """
    value = float(value)
    if not value >= 0:  # NaN fails this too
        raise ValueError(f"value must be a non-negative number, got {value}")
    if list(bounds) != sorted(bounds) or not bounds:
        raise ValueError(f"bounds must ascend, got {list(bounds)}")
    for bound in bounds:
        if value < bound:
            return f"below {bound:.0e}"
    return f"{value:.1e}, above {bounds[-1]:.0e}"
