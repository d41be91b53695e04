"""The chapters: their reference notebooks, and the pages the build renders from them."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import learner_notebooks
import nbformat
import pytest
from paths import CHAPTERS, HTML, ROOT

# What must never reach a reader: object reprs with memory addresses, stray
# matplotlib return values, warnings and tracebacks.
UNCLEAN = re.compile(
    r"0x[0-9a-fA-F]{6,}|\[<matplotlib|<matplotlib\.|Warning:|Traceback \(most recent"
)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_learners_notebook_holds_the_chapters_code(chapter):
    """Each code cell a learner gets is the chapter's own, in order: the
    learner's notebook is made from the chapter, not kept beside it (its
    text and outputs: tests/test_build.py, against the build's run)."""
    source = jupytext.read(ROOT / "book" / f"{chapter}.md")
    kept = [
        cell.source
        for cell in source.cells
        if cell.cell_type == "code" and learner_notebooks.kept_as_code(cell)
    ]
    learner = nbformat.read(ROOT / "book" / f"{chapter}.ipynb", as_version=4)
    code = [cell.source for cell in learner.cells if cell.cell_type == "code"]
    assert code == kept, f"book/{chapter}.ipynb is stale: run `make notebooks`"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_reference_notebook_is_executed_and_clean(chapter):
    reference = nbformat.read(ROOT / "book" / f"{chapter}.ipynb", as_version=4)
    code_cells = [cell for cell in reference.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code_cells), (
        "every code cell must have run"
    )
    for cell in code_cells:
        for output in cell.outputs:
            assert output.output_type != "error", cell.source
            assert output.get("name") != "stderr", (
                f"stderr output in: {cell.source}"
            )
            text = json.dumps(output.get("text", "")) + json.dumps(
                output.get("data", {}).get("text/plain", "")
            )
            assert not UNCLEAN.search(text), (
                f"unclean output in: {cell.source}"
            )


def printed_accuracies(chapter: str) -> list[float]:
    """Each run's accuracy as the chapter prints it.

    A minibatch run prints a summary (``metrics.accuracy_summary``): its
    median over the last epochs is taken, which does not depend on the
    epoch the run stops at. A full-batch run prints its one value.
    """
    reference = nbformat.read(ROOT / "book" / f"{chapter}.ipynb", as_version=4)
    text = "".join(
        o.get("text", "")
        for c in reference.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    medians = re.findall(r"last \d+ epochs: median ([0-9.]+)", text)
    single = re.findall(r"training accuracy[^:\n]*:\s+([0-9.]+)", text)
    return [float(value) for value in medians + single]


@pytest.mark.parametrize(
    "chapter, count",
    [("scratch_mlp", 2), ("pytorch_mlp", 4), ("going_further", 1)],
)
def test_every_run_in_the_book_reaches_95_percent(chapter, count):
    accuracies = printed_accuracies(chapter)
    assert len(accuracies) == count
    assert min(accuracies) >= 0.95, accuracies


def test_nbval_fails_when_a_printed_number_changes(tmp_path):
    """nbval compares printed text, and the failure says what to do.

    A one-cell notebook proves it as well as a chapter would, without
    training anything again.
    """
    cell = nbformat.v4.new_code_cell(
        "from mlpcourse import settings\n"
        'print(f"rate {settings.LINEAR.learning_rate:g}")',
        execution_count=1,
        outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="rate 0.99\n")
        ],
    )
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, tmp_path / "tampered.ipynb")
    shutil.copy(ROOT / "conftest.py", tmp_path)  # the "what to do" hook
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "-c",
            "/dev/null",
            "--rootdir",
            str(tmp_path),
            "tampered.ipynb",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT / "book"), str(ROOT / "book" / "_ext")]
            ),
            "PATH": str(Path(sys.executable).parent),
        },
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout
    assert "rate 0.99" in result.stdout and "rate 1" in result.stdout
    assert "`make notebooks`" in result.stdout


def built_page(name: str) -> str:
    page = HTML / "book" / f"{name}.html"
    assert page.exists(), f"{page} is missing: run `make book` first"
    return page.read_text(encoding="utf-8")


def test_landing_page_leads_to_both_chapters():
    assert (HTML / "index.html").exists(), "run `make book` first"
    intro = built_page("intro")
    for chapter in CHAPTERS:
        assert f'href="{chapter}.html"' in intro


@pytest.mark.parametrize(
    "chapter, figures",
    [("scratch_mlp", 10), ("pytorch_mlp", 2), ("going_further", 4)],
)
def test_rendered_chapter_shows_its_figures_and_nothing_unclean(
    chapter, figures
):
    page = built_page(chapter)
    images = re.findall(r'<img[^>]+src="([^"]*_images/[^"]+\.png)"', page)
    assert len(images) == figures
    for source in images:
        assert (HTML / "book" / source).resolve().stat().st_size > 10_000
    body = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    assert not UNCLEAN.search(body), UNCLEAN.search(body)
    assert "stderr" not in body


def test_the_chapters_are_not_paired_with_their_notebooks():
    """jupytext must not sync a chapter with its learner's notebook: the
    notebook is generated from the chapter (`make notebooks`), and a sync
    would write the learner's plain Markdown back over the chapter."""
    for chapter in CHAPTERS:
        header = (ROOT / "book" / f"{chapter}.md").read_text().split("---")[1]
        assert "formats:" not in header, chapter


def test_jupytext_executes_a_chapter_in_the_venv(tmp_path):
    """`jupytext --execute` needs nbconvert; a one-cell MyST notebook shows
    it is there and runs (the chapters themselves run in the build)."""
    chapter = (ROOT / "book" / "scratch_mlp.md").read_text()
    header = chapter[: chapter.index("\n---\n", 4) + 5]  # the front matter
    source = tmp_path / "tiny.md"
    source.write_text(
        header + "\n```{code-cell} ipython3\nprint(6 * 7)\n```\n"
    )
    jupytext_cli = Path(sys.executable).parent / "jupytext"
    result = subprocess.run(
        [str(jupytext_cli), "--to", "ipynb", "--execute", str(source)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    executed = nbformat.read(tmp_path / "tiny.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"] == "42\n"
