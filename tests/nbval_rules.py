"""nbval's sanitizer rules (tests/rounding_level.cfg), applied as nbval
applies them: for the tests that compare printed outputs themselves."""

import re

from paths import ROOT

RULES = ROOT / "tests" / "rounding_level.cfg"


def rules() -> list[tuple[str, str]]:
    """The (regex, replacement) pairs, in order, parsed as nbval does."""
    return re.findall(
        "^regex: (.*)$\n^replace: (.*)$", RULES.read_text(), flags=re.MULTILINE
    )


def sanitize(text: str) -> str:
    """What nbval does with the rule file before it compares."""
    for regex, replace in rules():
        text = re.sub(regex, replace, text)
    return text
