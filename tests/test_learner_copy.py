"""The learner's copy: the course zip's notebooks, as a learner opens them.

They hold plain Markdown and code, nothing of the build's machinery; and a
learner who changes a setting and runs a notebook again gets to its end,
with a note where the text no longer holds.
"""

import os
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from course_bundle import BUNDLE, FOLDER
from nbclient import NotebookClient
from paths import CHAPTERS

# MyST markup that only the book renders: a role, a directive fence (with
# backticks or colons), a target. Plain code fences are fine anywhere.
MYST = re.compile(
    r"\{[a-z][\w:-]*\}`|^(`{3,}|:{3,})\{|^:::|^\([\w-]+\)=\s*$", re.M
)
# What only the build needs: gluing values into the page.
BUILD_ONLY = re.compile(r"glue_prose|claims\.require|\bmyst_nb\b")
LEARNER_CHECK = re.compile(
    r"^# Does the text still match your run\? If not, a note says where\.\n"
    r"\w+\.\w+\((?:.|\n)*\)$"
)
NOTE = "your run differs from the text above"


def zipped_notebooks() -> dict[str, nbformat.NotebookNode]:
    with zipfile.ZipFile(BUNDLE) as bundle:
        return {
            Path(name).stem: nbformat.reads(bundle.read(name), as_version=4)
            for name in bundle.namelist()
            if name.endswith(".ipynb")
        }


def test_the_zip_holds_a_learners_notebook_for_each_page():
    assert sorted(zipped_notebooks()) == sorted(CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_its_markdown_holds_no_myst(chapter):
    notebook = zipped_notebooks()[chapter]
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            found = MYST.search(cell.source)
            assert found is None, f"MyST in {chapter}: {found.group(0)!r}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_it_holds_no_build_time_cell(chapter):
    """No cell the learner must skip: no glue; the checks of the text a
    learner sees are one call each; no cell keeps the build's tags."""
    for cell in zipped_notebooks()[chapter].cells:
        if cell.cell_type != "code":
            continue
        assert not BUILD_ONLY.search(cell.source), cell.source[:80]
        assert "tags" not in cell.metadata, cell.source[:80]
        if "Does the text" in cell.source:
            assert LEARNER_CHECK.match(cell.source), cell.source[:120]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_book_values_are_written_into_its_text(chapter):
    text = "\n".join(
        cell.source
        for cell in zipped_notebooks()[chapter].cells
        if cell.cell_type == "markdown"
    )
    assert "glue:text" not in text
    if chapter == "scratch_mlp":
        assert "The first problem has 100 points" in text


# A learner's experiment with chapter 1: the three changes issue 19 names,
# all at once, in the zip's own copy, with PyTorch made unimportable.
EXPERIMENT = {"init_seed": "2", "n_hidden": "2", "learning_rate": "0.1"}
NO_TORCH = (
    "import sys\n"
    "sys.modules['torch'] = None  # any import of torch now fails\n"
)


def change_circle(settings: Path, changes: dict[str, str]) -> None:
    """Edit the circle experiment in settings.py as a learner would."""
    text = settings.read_text()
    start = text.index("CIRCLE = Experiment(")
    head, circle = text[:start], text[start:]
    for key, value in changes.items():
        circle, count = re.subn(
            rf"\n    {key}=[^,]+,", f"\n    {key}={value},", circle, count=1
        )
        assert count == 1, key
    settings.write_text(head + circle)


@pytest.fixture(scope="module")
def experimented(tmp_path_factory) -> nbformat.NotebookNode:
    """Chapter 1 from the zip, run after the learner's changes."""
    folder = tmp_path_factory.mktemp("learner")
    with zipfile.ZipFile(BUNDLE) as bundle:
        bundle.extractall(folder)
    course = folder / FOLDER
    change_circle(course / "mlpcourse" / "settings.py", EXPERIMENT)
    notebook = nbformat.read(course / "scratch_mlp.ipynb", as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(NO_TORCH))
    environment = {k: v for k, v in os.environ.items() if "MLPCOURSE" not in k}
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(course)}},
    )
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)  # the kernel inherits a learner's
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    shutil.rmtree(folder)
    return notebook


def test_a_learners_changes_run_to_the_end(experimented):
    errors = [
        output
        for cell in experimented.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []
    assert all(
        cell.execution_count
        for cell in experimented.cells
        if cell.cell_type == "code"
    )


def test_where_the_text_no_longer_holds_a_note_says_so(experimented):
    notes = [
        output["data"]["text/markdown"]
        for cell in experimented.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if NOTE in output.get("data", {}).get("text/markdown", "")
    ]
    assert notes, "no note, though the circle's settings changed"
    assert any("seeds 0 to 3" in note for note in notes)  # Exercise 5


def test_chapter_1_runs_without_pytorch(experimented):
    """The first cell made torch unimportable; the chapter still ran."""
    assert "sys.modules['torch'] = None" in experimented.cells[0].source
    printed = "".join(
        output.get("text", "")
        for cell in experimented.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "torch" not in printed.lower()
