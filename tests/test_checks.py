"""Argument validation names the argument and what was expected (mlpcourse.checks)."""

import numpy as np
import pytest

from mlpcourse.checks import (
    as_float_array,
    positive_float,
    positive_int,
    positive_ints,
    same_length,
    same_shape,
    valid_seed,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ([1, 2], np.array([1.0, 2.0])),
        (np.array([True, False]), np.array([1.0, 0.0])),
        ([7.5], np.array([7.5])),  # a single entry is not empty
    ],
)
def test_numbers_and_booleans_become_float64(value, expected):
    array = as_float_array(value, "x", ndim=1)
    assert array.dtype == np.float64
    np.testing.assert_array_equal(array, expected)


@pytest.mark.parametrize(
    "value",
    [np.array([1, "a"], dtype=object), np.array(["a", "b"]), np.ones(2) * 1j],
)
def test_non_real_data_is_refused_by_name(value):
    with pytest.raises(TypeError, match="points must hold real numbers"):
        as_float_array(value, "points", ndim=1)


@pytest.mark.parametrize(
    "value, ndim, columns, expected",
    [
        (np.ones((2, 2)), 1, None, r"a 1-D array of shape \(n,\), got shape"),
        (np.ones(3), 2, None, r"a 2-D array, got shape \(3,\)"),
        (np.ones((3, 3)), 2, 2, r"a 2-D array of shape \(n, 2\), got"),
        (np.ones((2, 3, 4)), 3, 3, r"a 3-D array of shape \(n, 3\)"),
    ],
)
def test_a_wrong_shape_is_refused_saying_what_was_expected(
    value, ndim, columns, expected
):
    with pytest.raises(ValueError, match="points must be " + expected):
        as_float_array(value, "points", ndim=ndim, columns=columns)


def test_columns_fix_the_last_axis():
    """Of a 3-D array, the last axis (4), not the second (3)."""
    array = as_float_array(np.ones((2, 3, 4)), "x", ndim=3, columns=4)
    assert array.shape == (2, 3, 4)
    assert as_float_array(np.ones((5, 2)), "x", ndim=2, columns=2).shape == (
        5,
        2,
    )


@pytest.mark.parametrize(
    "value, message",
    [
        (np.ones((0, 2)), "must not be empty"),
        ([1.0, np.nan], "must contain only finite values"),
        (
            [1.0, 2.0, np.inf],
            "must contain only finite values",
        ),  # one bad entry is enough
    ],
)
def test_empty_or_non_finite_arrays_are_refused(value, message):
    with pytest.raises(ValueError, match="targets " + message):
        as_float_array(value, "targets", ndim=np.ndim(value))


@pytest.mark.parametrize("value", [1, 3, np.int64(2)])
def test_positive_integers_are_accepted(value):
    assert positive_int(value, "epochs") == value


@pytest.mark.parametrize(
    "value, error, message",
    [
        (0, ValueError, "epochs must be a positive integer, got 0"),
        (-2, ValueError, "epochs must be a positive integer, got -2"),
        (True, TypeError, "epochs must be an integer, got bool"),
        (2.0, TypeError, "epochs must be an integer, got float"),
    ],
)
def test_positive_int_refuses_the_rest_by_name(value, error, message):
    with pytest.raises(error, match=message):
        positive_int(value, "epochs")


def test_positive_ints_checks_every_keyword():
    positive_ints(a=1, b=2)
    with pytest.raises(ValueError, match="batch_size must be a positive"):
        positive_ints(epochs=1, batch_size=0)


@pytest.mark.parametrize("value", [0, 1, 2**40])
def test_zero_and_up_can_seed(value):
    assert valid_seed(value, "seed") == value


@pytest.mark.parametrize(
    "value, error, message",
    [
        (-1, ValueError, "seed must be an integer >= 0, got -1"),
        (None, TypeError, "seed must be an integer >= 0, got NoneType"),
        (False, TypeError, "seed must be an integer >= 0, got bool"),
        (1.0, TypeError, "seed must be an integer >= 0, got float"),
    ],
)
def test_a_seed_that_cannot_seed_is_refused_by_name(value, error, message):
    with pytest.raises(error, match=message):
        valid_seed(value, "seed")


@pytest.mark.parametrize("value", [0.5, 2, 1e-300])
def test_positive_numbers_are_accepted_as_floats(value):
    result = positive_float(value, "learning_rate")
    assert result == value and type(result) is float


@pytest.mark.parametrize(
    "value, error, message",
    [
        (0.0, ValueError, "must be a finite number greater than 0, got 0.0"),
        (-0.5, ValueError, "must be a finite number greater than 0, got -0.5"),
        (
            float("inf"),
            ValueError,
            "must be a finite number greater than 0, got inf",
        ),
        (
            float("nan"),
            ValueError,
            "must be a finite number greater than 0, got nan",
        ),
        (True, TypeError, "must be a real number, got bool"),
        ("1", TypeError, "must be a real number, got str"),
    ],
)
def test_positive_float_refuses_the_rest_by_name(value, error, message):
    with pytest.raises(error, match="learning_rate " + message):
        positive_float(value, "learning_rate")


def test_same_shape_refuses_what_numpy_would_broadcast():
    same_shape(np.ones((3, 1)), np.zeros((3, 1)), ("outputs", "targets"))
    with pytest.raises(
        ValueError,
        match=r"outputs and targets must have the same shape, "
        r"got \(3, 1\) and \(3,\)",
    ):
        same_shape(np.ones((3, 1)), np.ones(3), ("outputs", "targets"))


def test_same_length_names_both_and_their_lengths():
    same_length(np.ones((3, 2)), np.ones(3), ("points", "labels"))
    with pytest.raises(
        ValueError,
        match="points and labels must have the same number of rows, "
        "got 3 and 2",
    ):
        same_length(np.ones((3, 2)), np.ones(2), ("points", "labels"))
