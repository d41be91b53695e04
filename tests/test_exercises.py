"""The exercises: solutions that run with the chapter, and the Colab cell."""

import os
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml
from paths import BOOK, CHAPTERS, HTML, ROOT

SOLUTION = "Show the solution"
NOT_RUN_OR_SHOWN = {"skip-execution", "remove-output", "remove-cell"}


def is_solution(cell) -> bool:
    return (
        cell.cell_type == "code"
        and "hide-cell" in cell.metadata.get("tags", [])
        and cell.metadata.get("mystnb", {}).get("code_prompt_show") == SOLUTION
    )


@pytest.mark.parametrize(
    "chapter, count", [("scratch_mlp", 7), ("pytorch_mlp", 4)]
)
def test_each_exercise_solution_is_an_executed_cell(chapter, count):
    """Solutions are folded cells of the chapter, so the build runs them and
    the page shows their real output (nbval compares it too): each was
    executed in the reference, printed or drew something, and the page shows
    that output inside its fold."""
    chapter_cells = jupytext.read(BOOK / f"{chapter}.md").cells
    marked = [cell for cell in chapter_cells if is_solution(cell)]
    assert len(marked) == count
    for cell in marked:
        first_line = cell.source.splitlines()[0]
        assert not NOT_RUN_OR_SHOWN & set(cell.metadata["tags"]), first_line
    # The learner's notebook holds them folded, executed, with output.
    reference = nbformat.read(BOOK / f"{chapter}.ipynb", as_version=4)
    solutions = [
        cell
        for cell in reference.cells
        if cell.metadata.get("jupyter", {}).get("source_hidden")
    ]
    assert [cell.source for cell in solutions] == [c.source for c in marked]
    for cell in solutions:
        first_line = cell.source.splitlines()[0]
        assert cell.metadata["jupyter"]["outputs_hidden"], first_line
        assert isinstance(cell.execution_count, int), first_line
        assert cell.outputs, f"{first_line}: the solution shows no output"
    page = (HTML / "book" / f"{chapter}.html").read_text()
    folds = page.split(f'<p class="collapsed admonition-title">{SOLUTION}')
    shown = [fold.split("</details>")[0] for fold in folds[1:]]
    assert len(shown) == count
    assert all('class="cell_output' in fold for fold in shown)
    text = (BOOK / f"{chapter}.md").read_text()
    assert "It prints:" not in text, "an output typed by hand"


def test_colab_cells_fetch_this_repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    for chapter in CHAPTERS:
        text = (ROOT / "book" / f"{chapter}.md").read_text()
        assert f'COURSE_REPOSITORY = "{url}"' in text, chapter


def setup_cell(chapter: str) -> str:
    """The chapter's first cell: it finds or fetches the helper package."""
    notebook = jupytext.read(ROOT / "book" / f"{chapter}.md")
    first = next(c for c in notebook.cells if c.cell_type == "code")
    assert "COURSE_REPOSITORY" in first.source
    return first.source


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """A fresh interpreter, as a notebook's kernel is: no book/ on its path."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ["PATH"], "HOME": str(cwd)},
    )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_notebook_alone_says_what_it_misses_and_clones_nothing(
    chapter, tmp_path
):
    result = run_python(setup_cell(chapter), tmp_path)
    assert result.returncode == 1
    assert (
        "ModuleNotFoundError: This notebook needs the course's helper "
        "package, mlpcourse, beside it. Download the course as a zip (the "
        "link is in the book's 'Running the notebooks yourself' "
        "section), or clone https://github.com/mlp-course/mlp-twice and open "
        "the notebook in its book/ folder."
    ) in result.stderr
    assert list(tmp_path.iterdir()) == [], "it fetched something"


def test_on_colab_the_cell_fetches_the_package_and_can_run_again(tmp_path):
    """Colab simulated: google.colab imported, the repository a local clone
    of this one. Run twice in one kernel, then again after a restart."""
    source = setup_cell("scratch_mlp")
    url = re.search(r'COURSE_REPOSITORY = "([^"]+)"', source).group(1)
    source = source.replace(url, str(ROOT))
    colab = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"
    check = "\nimport mlpcourse\nprint(mlpcourse.__file__)\n"
    first = run_python(colab + source + source + check, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith("course/book/mlpcourse/__init__.py")
    restarted = run_python(colab + source + check, tmp_path)
    assert restarted.returncode == 0, restarted.stderr
