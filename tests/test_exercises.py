"""Every exercise solution in the chapters runs and prints what the page says."""

import contextlib
import io
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = re.compile(r":::\{dropdown\} Solution\n(.*?)\n:::", re.S)
CODE_AND_OUTPUT = re.compile(
    r"```python\n(.*?)```\n\nIt prints:\n\n```text\n(.*?)```", re.S
)


def solutions(chapter: str) -> list[tuple[str, str]]:
    text = (ROOT / "book" / f"{chapter}.md").read_text()
    found = [
        pair
        for block in SOLUTION.findall(text)
        for pair in CODE_AND_OUTPUT.findall(block)
    ]
    assert found, f"no solutions found in {chapter}.md"
    return found


CASES = [
    pytest.param(code, output, id=f"{chapter}-{number}")
    for chapter in ("scratch_mlp", "pytorch_mlp")
    for number, (code, output) in enumerate(solutions(chapter), start=1)
]


def test_each_chapter_has_exercises():
    assert len(solutions("scratch_mlp")) == 5
    assert len(solutions("pytorch_mlp")) == 3


@pytest.mark.parametrize("code, expected", CASES)
def test_solution_prints_what_the_page_promises(code, expected):
    """Exact: rounding-level numbers print as bounds (mlpcourse.rounding)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "<solution>", "exec"), {"__name__": "__solution__"})
    got = printed.getvalue().strip()
    assert got == expected.strip(), (
        "The solution no longer prints what its page says. If the course "
        "changed on purpose, paste this output under its 'It prints:' in "
        f"the chapter's .md:\n\n{got}"
    )


def test_colab_cells_fetch_this_repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    for chapter in ("scratch_mlp", "pytorch_mlp"):
        text = (ROOT / "book" / f"{chapter}.md").read_text()
        assert f'COURSE_REPOSITORY = "{url}"' in text, chapter
