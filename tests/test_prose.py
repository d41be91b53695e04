"""The chapters' prose: a main path short enough to read in one sitting.

A chapter's main path is everything before its "## Exercises" heading. Its
prose is the text of its Markdown cells, without the displayed and inline
mathematics, the directive and role markup, and the code in fences.
"""

import re

import jupytext
import pytest
from paths import BOOK, CHAPTERS

MAIN_PATH_WORDS = 2500
"""The most words of prose a chapter's main path may hold."""

MARKUP = [
    re.compile(r"```.*?```", re.S),  # fenced code and directives
    re.compile(r"\$\$.*?\$\$", re.S),  # displayed mathematics
    re.compile(r"^:::+", re.M),  # colon fences (a title still counts)
    re.compile(r"^:\w+:.*$", re.M),  # directive options
    re.compile(r"\{[\w:-]+\}"),  # a role's name; its text still counts
    re.compile(r"\$[^$\n]+\$"),  # inline mathematics counts as one word
    re.compile(r"^\(.*\)=$", re.M),  # targets
]


def prose_words(markdown: str) -> int:
    """The words of prose in Markdown: see the module's docstring."""
    for pattern in MARKUP:
        replacement = " x " if pattern.pattern.startswith(r"\$[") else " "
        markdown = pattern.sub(replacement, markdown)
    return len(re.findall(r"[\w'’-]+", markdown))


def main_path(chapter: str) -> str:
    notebook = jupytext.read(BOOK / f"{chapter}.md")
    text = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        if re.search(r"^## Exercises", cell.source, re.M):
            text.append(cell.source.split("## Exercises")[0])
            break
        text.append(cell.source)
    return "\n".join(text)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_chapters_main_path_stays_under_its_word_budget(chapter):
    words = prose_words(main_path(chapter))
    print(f"{chapter}: {words} words of prose before its exercises")
    assert words < MAIN_PATH_WORDS, (
        f"{chapter}'s main path holds {words} words of prose, "
        f"{MAIN_PATH_WORDS} or more: move depth to an optional page"
    )


@pytest.mark.parametrize(
    "markdown, words",
    [
        ("Two words.", 2),
        ("The loss $L = \\frac{1}{n}$ falls.", 4),
        ("Before\n\n$$\nZ = XW + b\n$$\n\nafter", 2),
        ("has {glue:text}`linear_points` points", 3),
        (":::{dropdown} What it shows\nThree more words\n:::", 6),
        ("```{code-cell} ipython3\nprint('no words here')\n```\nOne", 1),
    ],
)
def test_prose_words_counts_text_not_markup(markdown, words):
    assert prose_words(markdown) == words
