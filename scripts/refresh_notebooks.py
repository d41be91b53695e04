"""Execute each MyST chapter and save it as the executed .ipynb beside it.

The .ipynb files are nbval's reference outputs and the notebooks that Colab
opens. Run through `make notebooks` after changing a chapter or the helpers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
from myst_nb.core.utils import coalesce_streams
from nbclient import NotebookClient


def execute(markdown: Path) -> nbformat.NotebookNode:
    """Run every cell of a MyST notebook in its folder, as the book does.

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
    client.execute()
    # One message per stream, as the book's page shows it: how the kernel
    # split a cell's printing depends on timing, the text does not.
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    return notebook


def refresh(markdown: Path) -> Path:
    """Execute ``markdown``; write the result as ``<name>.ipynb`` beside it."""
    target = markdown.with_suffix(".ipynb")
    jupytext.write(execute(markdown), target, fmt="ipynb")
    return target


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(f"executed {refresh(Path(path))}")
