"""What every workbook check shares: findings, stubs and the verdict.

A check tries the learner's piece on small fixed inputs, compares it with
the course's, and collects ``Finding``s: each one a likely mistake, in the
learner's words. ``verdict`` prints them, or a pass, and picks what the
cells below use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

STUB_MARK = "still to write"
"""In the message of the ``NotImplementedError`` a workbook's stub raises."""

T = TypeVar("T")


@dataclass(frozen=True)
class Piece:
    """One piece a workbook leaves to the learner, where the chapter shows
    its listing (``shown_by``).

    The workbook's cell holds the source of each object in ``code``, with
    the body of each function or method named in ``write`` replaced by a
    stub (from its first statement starting with ``write_from``, if given:
    the statements before it stay, as set-up); the cell after it runs
    ``check``, which rebinds the piece's name to what the cells below use.
    """

    shown_by: str  # "scratch.Dense": the listing's object, as named
    code: tuple[str, ...]  # ("scratch.Dense",)
    write: tuple[str, ...]  # ("Dense.forward", "Dense.backward")
    check: str  # "Dense = check.dense_layer(Dense)"
    write_from: str = ""


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a piece: ``mistake`` names it for the tests,
    ``message`` says it to the learner."""

    piece: str  # "Dense.backward"
    mistake: str  # "transposed weight gradient"
    message: str


class Stub(Exception):
    """Raised inside a check when the piece is still the workbook's stub."""


def stub_message(piece: str) -> str:
    """What a workbook's stub raises: ``raise NotImplementedError(...)``."""
    return f"{piece} is {STUB_MARK}"


def call(
    piece: str, function: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """``function(*args, **kwargs)``; a stub raises ``Stub``, and any other
    error comes back as a ``Finding`` (``Crashed``)."""
    try:
        return function(*args, **kwargs)
    except NotImplementedError as error:
        if STUB_MARK in str(error):
            raise Stub(piece) from None
        raise Crashed(
            Finding(piece, "raised", _raised(piece, error))
        ) from None
    except Exception as error:  # the learner's code: anything can happen
        raise Crashed(
            Finding(piece, "raised", _raised(piece, error))
        ) from None


class Crashed(Exception):
    """The learner's piece raised an error; ``finding`` says which."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _raised(piece: str, error: Exception) -> str:
    return f"{piece} raised {type(error).__name__}: {error}"


def verdict(
    piece: str,
    findings: list[Finding],
    verified: str,
    *,
    needed_by: str,
    stubbed: bool = False,
) -> bool:
    """Print the check's result; return whether the piece passed.

    ``verified`` says what a pass means ("gives the course's values on 4
    points"); ``needed_by`` which later cells use the piece.
    """
    if stubbed:
        print(
            f"{piece} is still a stub: write it in the cell above, then run "
            f"this check again. {needed_by}; until yours passes, they use "
            "the course's."
        )
        return False
    if not findings:
        print(f"{piece} passes: {verified}.")
        return True
    print(f"{piece} does not pass yet:")
    for finding in findings:
        print(f"- {finding.message}")
    print(f"{needed_by}; until yours passes, they use the course's.")
    return False
