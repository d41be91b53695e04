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
NOTE = "your run differs from the text"


def zipped_notebooks() -> dict[str, nbformat.NotebookNode]:
    """The notebooks of the zip, by name: each page's, and the workbooks
    (tests/test_workbooks.py)."""
    with zipfile.ZipFile(BUNDLE) as bundle:
        return {
            Path(name).stem: nbformat.reads(bundle.read(name), as_version=4)
            for name in bundle.namelist()
            if name.endswith(".ipynb")
        }


def test_the_zip_holds_a_learners_notebook_for_each_page():
    pages = [name for name in zipped_notebooks() if "workbook" not in name]
    assert sorted(pages) == sorted(CHAPTERS)


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


# A learner's experiment: the three changes issue 19 names, all at once,
# in the zip's own copy; chapter 1 with PyTorch made unimportable. Every
# page also shortens the circle's runs, the costly ones, to 50 epochs: a
# fourth setting whose sentences a note must name. The cells still run on
# settings not the course's (the seed claim breaks as it does at 500),
# the circle's runs at a tenth of their epochs; nbval runs each page at
# the course's settings.
EXPERIMENT = {"init_seed": "2", "n_hidden": "2", "learning_rate": "0.1"}
SHORTER = {"epochs": "50"}
NO_TORCH = (
    "import sys\n"
    "sys.modules['torch'] = None  # any import of torch now fails\n"
)
# Per page, a sentence that the experiment makes untrue, which its notes
# must name: a claim of the text, and a setting the text quotes.
NOTED = {
    "scratch_mlp": (
        "seeds 0 to 3",
        "with learning rate 0.05 for 500 epochs. (0.05 is now 0.1; 500 is now 50)",
    ),
    # Of the circle's settings, chapter 2 quotes only its epochs, and its
    # claims (the two runs agree) hold for any.
    "pytorch_mlp": ("(500 is now 50)",),
    "going_further": ("(500 is now 50)", "The text was written for"),
}


def change(settings: Path, changes: dict[str, str], name="CIRCLE") -> None:
    """Edit one experiment in settings.py, as a learner would."""
    text = settings.read_text()
    start = text.index(f"{name} = Experiment(")
    end = text.index("\n)\n", start)
    head, experiment, tail = text[:start], text[start:end], text[end:]
    for key, value in changes.items():
        experiment, count = re.subn(
            rf"\n    {key}=[^,]+,", f"\n    {key}={value},", experiment
        )
        assert count == 1, key
    settings.write_text(head + experiment + tail)


def unpacked(tmp_path: Path) -> Path:
    """The zip unpacked into ``tmp_path``, as a learner does: its folder."""
    with zipfile.ZipFile(BUNDLE) as bundle:
        bundle.extractall(tmp_path)
    return tmp_path / FOLDER


def run_as_learner(
    folder: Path, notebook: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """Run ``notebook`` in ``folder`` as a learner's kernel does: without
    the build's strict claims."""
    environment = {k: v for k, v in os.environ.items() if "MLPCOURSE" not in k}
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)  # the kernel inherits a learner's
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return notebook


def run_experiment(tmp_path: Path, page: str) -> nbformat.NotebookNode:
    """A page of the zip, run after the learner's changes."""
    course = unpacked(tmp_path)
    change(course / "mlpcourse" / "settings.py", EXPERIMENT | SHORTER)
    notebook = nbformat.read(course / f"{page}.ipynb", as_version=4)
    if page == "scratch_mlp":
        notebook.cells.insert(0, nbformat.v4.new_code_cell(NO_TORCH))
    run_as_learner(course, notebook)
    shutil.rmtree(course)
    return notebook


def notes(notebook: nbformat.NotebookNode) -> list[str]:
    return [
        output["data"]["text/markdown"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if NOTE in output.get("data", {}).get("text/markdown", "")
    ]


@pytest.mark.notebook_run
@pytest.mark.parametrize("page", CHAPTERS)
def test_a_learners_experiment_runs_to_the_end_with_notes(tmp_path, page):
    """Every cell runs, none fails, and notes name the sentences that no
    longer hold: one test per page, so that each page runs once."""
    experimented = run_experiment(tmp_path, page)
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
    found = "\n".join(notes(experimented))
    for sentence in NOTED[page]:
        assert sentence in found, f"no note in {page} says: {sentence}"
    if page == "scratch_mlp":  # the first cell made torch unimportable
        assert "sys.modules['torch'] = None" in experimented.cells[0].source
        printed = "".join(
            output.get("text", "")
            for cell in experimented.cells
            if cell.cell_type == "code"
            for output in cell.outputs
        )
        assert "torch" not in printed.lower()
