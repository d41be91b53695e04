"""Execute each MyST chapter and save its learner's notebook beside it.

The .ipynb beside a chapter is what a learner opens (Colab, Binder, the
course zip) and nbval's reference: the chapter executed as the build does,
then written as plain Markdown and code (book/_ext/learner_notebooks.py).
Run through `make notebooks` after changing a chapter or the helpers.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import jupytext
import nbformat
from myst_nb.core.utils import coalesce_streams
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parents[1] / "book"
sys.path[:0] = [str(BOOK / "_ext"), str(BOOK)]
import learner_notebooks  # noqa: E402
import workbooks  # noqa: E402

# As in the build (book/_ext/course_site.py): a broken claim is an error.
STRICT_CLAIMS = "MLPCOURSE_STRICT_CLAIMS"


def execute(markdown: Path) -> nbformat.NotebookNode:
    """Run every cell of a MyST notebook in its folder, as the book does,
    with the book's claims strict.

    Returns the executed notebook, each cell's streams merged.
    """
    notebook = jupytext.read(markdown)
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"  # not random: a refresh rewrites no id
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        # No execution timestamps: an unchanged chapter refreshes to the
        # same bytes, and a diff shows only what its outputs changed.
        record_timing=False,
        resources={"metadata": {"path": str(markdown.parent)}},
    )
    # The kernel inherits the variable; this process gets its own back, so
    # a learner's run started from it later (nbval, say) is not strict.
    saved = os.environ.get(STRICT_CLAIMS)
    os.environ[STRICT_CLAIMS] = "1"
    try:
        client.execute()
    finally:
        if saved is None:
            del os.environ[STRICT_CLAIMS]
        else:
            os.environ[STRICT_CLAIMS] = saved
    # One message per stream, as the book's page shows it: how the kernel
    # split a cell's printing depends on timing, the text does not.
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    return notebook


AS_WRITTEN = BOOK / "mlpcourse" / "pages" / "as_written.json"
"""What each page's text quotes of its run (mlpcourse.pages.claims)."""


def refresh(markdown: Path) -> tuple[Path, dict]:
    """Execute ``markdown``; write its learner's notebook beside it, and
    its workbook if it has one.

    Returns the notebook's path and what its text quotes of the run.
    """
    target = markdown.with_suffix(".ipynb")
    executed = execute(markdown)
    context = learner_notebooks.book_context()
    learner = learner_notebooks.learner_notebook(executed, context)
    learner_notebooks.write(learner, target)
    if markdown.stem in workbooks.WORKBOOKS:
        learner_notebooks.write(
            workbooks.chapter_workbook(executed, context, markdown.stem),
            workbooks.path_of(markdown),
        )
    return target, learner_notebooks.as_written(executed, context)


def write_as_written(pages: dict[str, dict]) -> None:
    """Record what the refreshed pages quote, keeping the other pages'."""
    record = {}
    if AS_WRITTEN.exists():
        record = json.loads(AS_WRITTEN.read_text(encoding="utf-8"))
    record |= pages
    text = json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False)
    AS_WRITTEN.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    quoted = {}
    for path in sys.argv[1:]:
        target, quoted[Path(path).stem] = refresh(Path(path))
        print(f"executed {target}")
    write_as_written(quoted)
