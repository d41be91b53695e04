"""The exercises: solutions that run with the chapter, and the Colab cell."""

from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "chapter, count", [("scratch_mlp", 5), ("pytorch_mlp", 3)]
)
def test_each_exercise_solution_is_an_executed_cell(chapter, count):
    """Solutions are folded cells of the chapter, so the build runs them and
    the page shows their real output (nbval compares it too)."""
    notebook = jupytext.read(ROOT / "book" / f"{chapter}.md")
    solutions = [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code"
        and "hide-cell" in cell.metadata.get("tags", [])
        and cell.metadata.get("mystnb", {}).get("code_prompt_show")
        == "Show the solution"
    ]
    assert len(solutions) == count
    text = (ROOT / "book" / f"{chapter}.md").read_text()
    assert "It prints:" not in text, "an output typed by hand"


def test_colab_cells_fetch_this_repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    for chapter in ("scratch_mlp", "pytorch_mlp"):
        text = (ROOT / "book" / f"{chapter}.md").read_text()
        assert f'COURSE_REPOSITORY = "{url}"' in text, chapter
