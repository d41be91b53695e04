"""Argument validation: name the argument, say what was expected."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def as_float_array(
    value: Any, name: str, *, ndim: int, columns: int | None = None
) -> np.ndarray:
    """Return ``value`` as a finite float64 array with ``ndim`` dimensions.

    ``columns`` additionally fixes the size of the last axis.
    Raises ``TypeError`` for non-numeric data and ``ValueError`` for a wrong
    shape, an empty array or non-finite entries.
    """
    array = np.asarray(value)
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number)
        or np.issubdtype(array.dtype, np.bool_)
    ):
        raise TypeError(
            f"{name} must hold real numbers, got dtype {array.dtype}"
        )
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(
            f"{name} must hold real numbers, got dtype {array.dtype}"
        )
    expected = _describe_shape(ndim, columns)
    if array.ndim != ndim or (
        columns is not None and array.shape[-1] != columns
    ):
        raise ValueError(f"{name} must be {expected}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    array = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"{name} must contain only finite values (no NaN or inf)"
        )
    return array


def _describe_shape(ndim: int, columns: int | None) -> str:
    if ndim == 1:
        return "a 1-D array of shape (n,)"
    if columns is None:
        return f"a {ndim}-D array"
    return f"a {ndim}-D array of shape (n, {columns})"


def positive_int(value: Any, name: str) -> int:
    """Return ``value`` if it is an integer greater than zero."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer, got {type(value).__name__}"
        )
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def valid_seed(value: Any, name: str) -> int:
    """Return ``value`` if it can seed a generator: an integer >= 0.

    ``None`` is refused on purpose: NumPy would then draw a fresh, unseeded
    state, and the numbers would change from one run to the next.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer >= 0, got {type(value).__name__}"
        )
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value}")
    return int(value)


def positive_ints(**values: Any) -> None:
    """Check that every keyword argument is an integer greater than zero."""
    for name, value in values.items():
        positive_int(value, name)


def positive_float(value: Any, name: str) -> float:
    """Return ``value`` as a float if it is finite and greater than zero."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__}"
        )
    if not np.isfinite(value) or value <= 0:
        raise ValueError(
            f"{name} must be a finite number greater than 0, got {value}"
        )
    return float(value)


def same_shape(
    first: np.ndarray, second: np.ndarray, names: tuple[str, str]
) -> None:
    """Raise ``ValueError`` unless both arrays have exactly the same shape.

    NumPy would broadcast (n, 1) against (n,) to (n, n) without a word.
    """
    if first.shape != second.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape, "
            f"got {first.shape} and {second.shape}"
        )


def same_length(
    first: np.ndarray, second: np.ndarray, names: tuple[str, str]
) -> None:
    """Raise ``ValueError`` unless both arrays have the same number of rows."""
    if len(first) != len(second):
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of rows, "
            f"got {len(first)} and {len(second)}"
        )
