"""Execute each MyST chapter and save it as the executed .ipynb beside it.

The .ipynb files are nbval's reference outputs and the notebooks that Colab
opens. Run through `make notebooks` after changing a chapter or the helpers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
from nbclient import NotebookClient


def refresh(markdown: Path) -> Path:
    """Execute ``markdown`` in its folder; write ``<name>.ipynb`` beside it."""
    notebook = jupytext.read(markdown)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(markdown.parent)}},
    ).execute()
    target = markdown.with_suffix(".ipynb")
    jupytext.write(notebook, target, fmt="ipynb")
    return target


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(f"executed {refresh(Path(path))}")
