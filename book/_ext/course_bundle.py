"""The course bundle: one zip that runs the chapters anywhere.

It holds every chapter's reference notebook, the helper package they
import, the data it reads, the learner's locked requirements and a README,
laid out as in book/ so that the notebooks find ``mlpcourse`` beside them.
Each chapter links to it with ``{download}``; the tests unpack it and run
nbval on its notebooks. It is written when the build starts, the same bytes
for the same sources, and left untouched when those are unchanged (so
Sphinx does not re-read the chapters that link to it).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
BUNDLE = ROOT / "_build" / "bundle" / "mlp-course.zip"
FOLDER = "mlp-course"
WORKBOOK = "_workbook"  # a chapter's workbook: scratch_mlp_workbook.ipynb

README = """\
# {title}: the chapters as notebooks

{chapters}

To write the network yourself, open a chapter's workbook, the first one
first. It is the chapter with the network's pieces left for you to write,
each followed by a check that says what it verified or names the likely
mistake; until a piece passes, the cells below use the course's:

{workbooks}

`mlpcourse/` is the helper package the notebooks import (start reading it
at `mlpcourse/scratch.py`, the network chapter 1 builds), and `data/` holds
what it reads. Each notebook comes with the outputs the book printed. Every
random draw is seeded and `requirements.txt` pins every package, so a run
prints the same numbers.

## Run them

You need Python 3.11, and no other version: `requirements.txt` pins and
hashes every package for Python 3.11 on Linux x86_64, as the book was built
and tested. In this folder:

    python3.11 -m venv .venv
    .venv/bin/pip install --retries 0 -r requirements.txt
    .venv/bin/jupyter lab

Then open a notebook and choose Run > Run All Cells. As root, JupyterLab
also needs `--allow-root`.

`--retries 0` makes pip give up at once on an index it cannot reach,
instead of retrying it for minutes. `requirements.txt` names PyTorch's CPU
index (download.pytorch.org), the home of torch's CPU build; where a
network blocks it, the install goes on from any other source pip is set up
with, or stops in seconds rather than a quarter of an hour. On a flaky
connection a failed download then stops the install: run it again.

With another Python, or on another system, pip stops at once, before it
downloads anything, with an error naming the file "This lock is for Python
3.11 on Linux x86_64 only - see README.md".

## Another Python or system

`requirements.in` holds the same top-level versions, without hashes: pip
chooses the packages below them. On Linux, PyPI's torch is a CUDA build (its
wheel alone is 527 MB) and nothing in the course needs a GPU, so name
PyTorch's CPU index as well:

    python3 -m venv .venv
    .venv/bin/pip install --retries 0 -r requirements.in \\
        --extra-index-url https://download.pytorch.org/whl/cpu

On Windows or macOS, PyPI's torch is a CPU build: leave out the index (and
on Windows the commands live in `.venv\\Scripts`). The course is not tested
this way: the packages below the top level may differ from the book's, and
so may the last digit of a printed number.
"""


def chapter_title(notebook: Path) -> str:
    """The first heading of a notebook's first Markdown cell."""
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line.removeprefix("# ").strip()
    raise ValueError(f"{notebook} has no '# ' title in a Markdown cell")


def book_order(notebook: Path) -> tuple[int, str]:
    """Where a notebook comes in the table of contents (_toc.yml), a
    workbook with its chapter; one that is not there comes last."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    pages = re.findall(r"^\s*(?:root|- file):\s*book/(\S+?)\s*$", toc, re.M)
    page = notebook.stem.removesuffix(WORKBOOK)
    position = pages.index(page) if page in pages else None
    return (len(pages) if position is None else position, notebook.name)


def _listed(notebooks: list[Path]) -> str:
    return "\n".join(
        f"- `{notebook.name}`: {chapter_title(notebook)}"
        for notebook in notebooks
    )


def bundle_files(title: str) -> dict[str, bytes]:
    """Each file of the bundle, by its path inside it; the README lists the
    notebooks in the book's order."""
    notebooks = sorted(BOOK.glob("*.ipynb"), key=book_order)
    workbooks = [n for n in notebooks if n.stem.endswith(WORKBOOK)]
    readme = README.format(
        title=title,
        chapters=_listed([n for n in notebooks if n not in workbooks]),
        workbooks=_listed(workbooks),
    )
    sources = {
        "requirements.txt": ROOT / "requirements" / "learner.txt",
        "requirements.in": ROOT / "requirements" / "learner.in",
    }
    for notebook in notebooks:
        sources[notebook.name] = notebook
    package = BOOK / "mlpcourse"
    for source in sorted([*package.rglob("*.py"), *package.rglob("*.json")]):
        sources[f"mlpcourse/{source.relative_to(package)}"] = source
    for source in sorted((BOOK / "data").iterdir()):
        sources[f"data/{source.name}"] = source
    files = {f"{FOLDER}/README.md": readme.encode()}
    for name, source in sources.items():
        files[f"{FOLDER}/{name}"] = source.read_bytes()
    return files


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` that depends on nothing else: no dates, no owner."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, content)
    return buffer.getvalue()


def write_bundle(app: Sphinx) -> None:
    content = zip_bytes(bundle_files(app.config.html_title or "The course"))
    if BUNDLE.exists() and BUNDLE.read_bytes() == content:
        return
    BUNDLE.parent.mkdir(parents=True, exist_ok=True)
    BUNDLE.write_bytes(content)
    # The served copy is replaced as the pages that link to it are written
    # again; removing it now spares the log Sphinx's "will overwrite" note.
    for served in Path(app.outdir).glob(f"_downloads/*/{BUNDLE.name}"):
        served.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", write_bundle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
