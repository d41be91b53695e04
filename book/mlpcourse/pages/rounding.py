"""Rounding-level numbers: printed as measured, compared as what they are.

Two correct computations that add the same numbers in another order differ
in their last digits, and so do two processors or two library builds. The
book prints such a number as it was measured (``shown``), in one format
kept for them alone. nbval, which compares every printed output with the
reference notebook, replaces just these numbers before comparing
(``ROUNDING_LEVEL``, the rule in tests/rounding_level.cfg), so a reader's
2.4e-15 matches the page's 2.6e-15, while a gap that grows to 3.1e-04
still fails.
"""

from __future__ import annotations

import math

ROUNDING_LEVEL = r"\b(?:[1-9]\.\de-(?:0[89]|[1-9]\d)|0\.0e\+00)\b"
"""What nbval replaces: ``shown`` numbers below 1e-7, and an exact 0."""

VARIES_MARK = "(varies by machine)"
"""Follows a value that depends on the machine in more than its last
digits; nbval replaces the number right before it (its first rule)."""


def shown(value: float) -> str:
    """A measured gap or error, two significant digits: 3.1e-11."""
    value = float(value)
    if not (value >= 0 and math.isfinite(value)):  # NaN fails this too
        raise ValueError(
            f"value must be a finite, non-negative number, got {value}"
        )
    return f"{value:.1e}"


def varies(value: str) -> str:
    """Mark a measured value whose digits depend on the machine."""
    return f"{value} {VARIES_MARK}"
