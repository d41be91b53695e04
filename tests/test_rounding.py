"""Rounding-level numbers printed as bounds (mlpcourse.rounding)."""

import pytest

from mlpcourse import parity, rounding

THREE_BOUNDS = (1e-12, 1e-9, 1e-6)


@pytest.mark.parametrize(
    "value, text",
    [
        (0.0, "below 1e-12"),
        (4.4e-14, "below 1e-12"),
        (2e-12, "below 1e-09"),
        (1e-9, "1.0e-09, above 1e-09"),
    ],
)
def test_rounding_level_numbers_print_as_bounds(value, text):
    assert rounding.below(value, parity.REPORT_BOUNDS) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (1e-12, "below 1e-09"),  # at a bound is not below it
        (5e-10, "below 1e-09"),
        (1e-7, "below 1e-06"),
        (2e-6, "2.0e-06, above 1e-06"),  # above the last bound: itself
    ],
)
def test_a_value_is_placed_under_the_smallest_bound_above_it(value, text):
    assert rounding.below(value, THREE_BOUNDS) == text


@pytest.mark.parametrize("value", [-1e-15, float("nan")])
def test_a_gap_is_never_negative_or_nan(value):
    with pytest.raises(ValueError, match="non-negative number"):
        rounding.below(value, parity.REPORT_BOUNDS)


@pytest.mark.parametrize("bounds", [(1e-9, 1e-12), (1e-12, 1e-6, 1e-9), ()])
def test_bounds_that_do_not_ascend_or_are_empty_are_refused(bounds):
    with pytest.raises(ValueError, match="bounds must ascend"):
        rounding.below(1e-10, bounds)
