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

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from IPython import get_ipython
from IPython.display import Markdown, display

from .rounding import ROUNDING_LEVEL, VARIES_MARK

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
    show(note(claim, measured, setting))


def show(text: str) -> None:
    """A note in the notebook, as Markdown; printed outside one."""
    if get_ipython() is None:  # plain Python: no notebook to display in
        print(text)
    else:
        display(Markdown(text))


AS_WRITTEN = Path(__file__).with_name("as_written.json")
"""Page by page, the values its text quotes, as the book was built, and
the sentences quoting each: ``{page: {"values": {name: value},
"sentences": {name: [sentence, ...]}}}``. ``make notebooks`` writes it
with the learner's notebooks, whose text holds these very values."""

SHOWN_SENTENCES = 6
"""A note lists at most this many sentences, then counts the others."""


def _machine_dependent(text: str) -> bool:
    return VARIES_MARK in text or re.search(ROUNDING_LEVEL, text) is not None


def changed_values(
    values: Mapping[str, object], written: Mapping
) -> dict[str, tuple[str, str]]:
    """The values that a page's text quotes (``written``: its record) and
    this run changed: (as written, as now) by name. Values whose digits
    depend on the machine are left out: a difference there is no
    experiment's."""
    changed = {}
    for name, value in values.items():
        before, now = written["values"].get(name), str(value)
        if before is None or before == now or _machine_dependent(before):
            continue
        changed[name] = (before, now)
    return changed


def values_note(changed: Mapping, written: Mapping) -> str:
    """What a learner reads when their run changed values the text quotes:
    each sentence quoting one, with the value as written and as now."""
    sentences: dict[str, list[str]] = {}
    for name, (before, now) in changed.items():
        for sentence in written["sentences"][name]:
            sentences.setdefault(sentence, []).append(f"{before} is now {now}")
    lines = [
        "**Note: your run differs from the text.** These sentences of this "
        "page quote values that your run changed; they were written for the "
        "course's own settings:",
        "",
    ]
    for sentence, changes in list(sentences.items())[:SHOWN_SENTENCES]:
        lines.append(f"- {sentence} ({'; '.join(changes)})")
    others = len(sentences) - SHOWN_SENTENCES
    if others > 0:
        noun = "sentence" if others == 1 else "sentences"
        lines.append(f"- and {others} more {noun} of this page.")
    return "\n".join(lines)


def values_hold(page: str, values: Mapping[str, object]) -> None:
    """A learner's run: a note where the text of ``page`` quotes one of
    ``values`` as it was when the book was built, and this run changed it."""
    if not AS_WRITTEN.exists():  # a copy without the book's record
        return
    record = json.loads(AS_WRITTEN.read_text(encoding="utf-8"))
    if page not in record:
        return
    changed = changed_values(values, record[page])
    if changed:
        show(values_note(changed, record[page]))
