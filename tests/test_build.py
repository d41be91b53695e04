"""What `make book` guarantees, proven on temporary copies of the book.

Each test copies the book (with the jupyter cache, so unchanged chapters need
not run again), breaks or changes one thing, and runs `make book` in the copy
against this checkout's .venv.
"""

import base64
import hashlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
CHAPTERS = ["scratch_mlp", "pytorch_mlp"]
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def book_copy(tmp_path: Path, *, with_cache: bool) -> Path:
    """A copy of the book beside this checkout's .venv, mtimes preserved."""
    copy = tmp_path / "book-copy"
    copy.mkdir()
    for name in ("_config.yml", "_toc.yml", "requirements.txt", "Makefile"):
        shutil.copy2(ROOT / name, copy / name)
    skip = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    shutil.copytree(ROOT / "book", copy / "book", ignore=skip)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    if with_cache:
        assert (BUILD / ".helpers-stamp").exists(), "run `make book` first"
        (copy / "_build").mkdir()
        shutil.copy2(
            BUILD / ".helpers-stamp", copy / "_build" / ".helpers-stamp"
        )
        shutil.copytree(
            BUILD / ".jupyter_cache", copy / "_build" / ".jupyter_cache"
        )
    return copy


def make_book(copy: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["make", "--no-print-directory", "book"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=900,
    )
    result.log = ANSI_COLOUR.sub("", result.stdout + result.stderr)
    return result


def insert_cell(chapter: Path, source: str) -> None:
    """Add a code cell right after the chapter's imports."""
    text = chapter.read_text()
    anchor = "from mlpcourse.listing import"
    position = text.index("```\n", text.index(anchor)) + len("```\n")
    chapter.write_text(
        text[:position]
        + f"\n```{{code-cell}} ipython3\n{source}\n```\n"
        + text[position:]
    )


def test_a_failing_cell_fails_the_build_and_names_it(tmp_path):
    copy = book_copy(tmp_path, with_cache=True)
    insert_cell(
        copy / "book" / "scratch_mlp.md",
        'raise RuntimeError("a deliberate failure")',
    )
    result = make_book(copy)
    assert result.returncode != 0
    assert "scratch_mlp.md" in result.log
    assert "Executing notebook failed" in result.log
    assert (
        'raise RuntimeError("a deliberate failure")' in result.log
    )  # the cell
    assert "Cell In[3], line 1" in result.log  # where it is
    assert "RuntimeError: a deliberate failure" in result.log  # its error


def test_a_sphinx_warning_fails_the_build(tmp_path):
    copy = book_copy(tmp_path, with_cache=True)
    intro = copy / "book" / "intro.md"
    intro.write_text(intro.read_text() + "\nSee {doc}`no_such_page`.\n")
    result = make_book(copy)
    assert result.returncode != 0
    assert re.search(
        r"intro\.md:\d+: WARNING: unknown document: 'no_such_page'", result.log
    )
    assert "build finished with problems" in result.log


def test_the_copy_builds_cleanly_from_the_cache(tmp_path):
    copy = book_copy(tmp_path, with_cache=True)
    result = make_book(copy)
    assert result.returncode == 0, result.log[-3000:]
    assert result.log.count("Using cached notebook") == 2
    assert "Executing notebook" not in result.log


def test_changing_the_helper_package_runs_the_chapters_again(tmp_path):
    copy = book_copy(tmp_path, with_cache=True)
    helper = copy / "book" / "mlpcourse" / "metrics.py"
    later = time.time() + 5
    os.utime(helper, (later, later))  # as an edit or a git checkout would
    result = make_book(copy)
    assert result.returncode == 0, result.log[-3000:]
    assert "Using cached notebook" not in result.log
    assert result.log.count("Executed notebook in") == 2


def test_a_setting_that_breaks_a_claim_fails_the_build_naming_it(tmp_path):
    """The author's change from the issue: the circle's rate 0.05 -> 0.1."""
    copy = book_copy(tmp_path, with_cache=True)
    settings = copy / "book" / "mlpcourse" / "settings.py"
    source = settings.read_text()
    assert source.count("learning_rate=0.05,") == 1
    settings.write_text(
        source.replace("learning_rate=0.05,", "learning_rate=0.1,")
    )
    result = make_book(copy)
    assert result.returncode != 0, result.log[-3000:]
    assert (
        "ClaimBroken: The book claims: the NumPy and PyTorch runs agree "
        "within 1e-09 at every epoch. Measured: loss gap" in result.log
    )
    assert "Setting involved: settings.CIRCLE." in result.log
    assert "pytorch_mlp.md" in result.log


@pytest.mark.parametrize(
    "changed", ["mlpcourse/stepbench.py", "data/step.json"]
)
def test_make_plans_a_rerun_for_every_input_of_the_chapters(tmp_path, changed):
    """Both the package and the data it reads clear the cache (dry run)."""
    copy = book_copy(tmp_path, with_cache=True)
    later = time.time() + 5
    os.utime(copy / "book" / changed, (later, later))
    plan = subprocess.run(
        ["make", "--no-print-directory", "-n", "book"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "rm -rf _build/.jupyter_cache" in plan, plan


# Sphinx appends ?v=<checksum> to asset links only for files that existed
# when the page was written: build state, not output.
ASSET_VERSION = re.compile(r"\?v=[0-9a-f]+")
FIGURE = re.compile(r'<img[^>]+src="([^"]*_images/[^"]+\.png)"')


def rendered(html: Path, chapter: str) -> str:
    """The chapter's page: every printed output, and its figures' names."""
    return ASSET_VERSION.sub(
        "", (html / "book" / f"{chapter}.html").read_text()
    )


def figures(html: Path, chapter: str) -> list[str]:
    """The SHA-256 of each of the chapter's figures, in page order.

    Digests, not bytes: a failure then lists which figure differs instead
    of printing PNG data.
    """
    page = rendered(html, chapter)
    return [
        hashlib.sha256((html / "book" / source).read_bytes()).hexdigest()
        for source in FIGURE.findall(page)
    ]


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory):
    copy = book_copy(tmp_path_factory.mktemp("clean"), with_cache=False)
    result = make_book(copy)
    assert result.returncode == 0, result.log[-3000:]
    return copy / "_build" / "html"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_two_builds_print_the_same_and_draw_the_same_bytes(
    clean_build, chapter
):
    html = BUILD / "html"
    assert rendered(html, chapter) == rendered(clean_build, chapter)
    first = figures(html, chapter)
    assert len(first) >= 2
    assert first == figures(clean_build, chapter)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_reference_notebook_draws_the_same_bytes_as_the_build(chapter):
    notebook = nbformat.read(ROOT / "book" / f"{chapter}.ipynb", as_version=4)
    reference = [
        hashlib.sha256(
            base64.b64decode(output["data"]["image/png"])
        ).hexdigest()
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert reference == figures(BUILD / "html", chapter), (
        f"book/{chapter}.ipynb draws other figures than the build: "
        "run `make notebooks` and commit it"
    )
