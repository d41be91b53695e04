"""The book's claims about its results, checked when the chapters run.

A sentence such as "the two runs agree at every epoch" is only true for
the settings the book was written with. Each chapter checks its claims
right after computing what they are about.

- In the book's build (``STRICT`` set to 1, as the build and
  ``make notebooks`` do), a broken claim stops ``make book`` with a message
  saying which sentence, what was measured instead, and which setting is
  involved.
- Anywhere else, a learner who changed a setting and ran the notebook
  again sees a short note beside the sentence instead, and the notebook
  runs on: experimenting is not breaking the book.
"""

from __future__ import annotations

import os

from IPython import get_ipython
from IPython.display import Markdown, display

STRICT = "MLPCOURSE_STRICT_CLAIMS"
"""The environment variable that makes a broken claim an error (value 1)."""


class ClaimBroken(AssertionError):
    """A sentence of the book no longer matches what the code measured."""


def strict() -> bool:
    """Whether a broken claim stops the run: only in the book's build."""
    return os.environ.get(STRICT) == "1"


def note(claim: str, measured: str, setting: str) -> str:
    """What a learner reads beside a sentence their run no longer fits."""
    return (
        "**Note: your run differs from the text above.** The text says: "
        f"{claim}. Your run measured: {measured}. The text was written for "
        f"the course's own settings ({setting}); after you change a "
        "setting, a seed or a size, such a difference is expected."
    )


def require(claim: str, holds: bool, *, measured: str, setting: str) -> None:
    """Check a sentence of the prose against what the code measured.

    In the build a broken claim fails the chapter, naming the claim, the
    measurement and the setting; in a learner's run it shows a note.
    """
    if holds:
        return
    if strict():
        raise ClaimBroken(
            f"The book claims: {claim}. Measured: {measured}. "
            f"Setting involved: {setting}. Change the setting back, or "
            "rewrite the claim to match the measurement."
        )
    text = note(claim, measured, setting)
    if get_ipython() is None:  # plain Python: no notebook to display in
        print(text)
    else:
        display(Markdown(text))
