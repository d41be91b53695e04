"""The book's claims about its results, checked when the chapters run.

A sentence such as "the two runs agree at every epoch" is only true for
the settings the book was written with. Each chapter checks its claims
right after computing what they are about, so that a change of settings
that makes a sentence false stops ``make book`` with a message saying
which sentence, what was measured instead, and which setting is involved.
"""

from __future__ import annotations


class ClaimBroken(AssertionError):
    """A sentence of the book no longer matches what the code measured."""


def require(claim: str, holds: bool, *, measured: str, setting: str) -> None:
    """Fail the chapter, naming the claim, the measurement and the setting.

    Chapters call this right after computing what their prose states, so a
    change of settings that breaks a sentence fails ``make book`` instead
    of leaving the sentence wrong.
    """
    if not holds:
        raise ClaimBroken(
            f"The book claims: {claim}. Measured: {measured}. "
            f"Setting involved: {setting}. Change the setting back, or "
            "rewrite the claim to match the measurement."
        )
