"""What `make book` guarantees, proven on small books and without reruns.

The mechanisms (a failing cell, a Sphinx warning, the cache, the Makefile's
stamps, a broken claim) work the same for one short chapter as for the two
real ones, so those tests build a tiny book: this checkout's configuration,
site files, Makefile and helper package, with one chapter of two cells.
The real chapters are never executed again here: their build outputs are
compared with the reference notebooks, which `make notebooks` executed
separately (and nbval executes once more).
"""

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import types
from copy import deepcopy
from pathlib import Path

import jupytext
import learner_notebooks
import nbformat
import pytest
from course_site import (
    FILM_FRAMES,
    drop_icon_script,
    film_frames_as_files,
    merge_streams,
)
from matplotlib import animation
from myst_nb.core.utils import coalesce_streams
from nbval_rules import sanitize
from paths import BOOK, BUILD, CHAPTERS, HTML, ROOT
from PIL import Image

from mlpcourse.pages import claims

ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
SITE_FILES = ("_config.yml", "_toc.yml", "Makefile")
LOCKS = ROOT / "requirements"
NOT_COPIED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")

TINY_TOC = (
    "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/tiny\n"
)
TINY_CHAPTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# A tiny chapter

```{code-cell} ipython3
from mlpcourse import settings
from mlpcourse.pages import claims
```

```{code-cell} ipython3
rate = settings.CIRCLE.learning_rate
claims.require(
    "the circle is trained at a learning rate of at most 0.05",
    rate <= 0.05,
    measured=f"learning rate {rate:g}",
    setting="settings.CIRCLE.learning_rate",
)
print(f"circle learning rate: {rate:g}")
```
"""


def copy_checkout(tmp_path: Path, *, chapters: bool) -> Path:
    """This checkout's book beside its .venv, mtimes preserved.

    With ``chapters`` False, the book is the tiny one: the same site and
    helper package, one short chapter.
    """
    copy = tmp_path / "book-copy"
    copy.mkdir()
    for name in SITE_FILES:
        shutil.copy2(ROOT / name, copy / name)
    shutil.copytree(LOCKS, copy / "requirements")
    (copy / ".venv").symlink_to(ROOT / ".venv")
    if chapters:
        shutil.copytree(ROOT / "book", copy / "book", ignore=NOT_COPIED)
        return copy
    for folder in ("_ext", "_static", "_templates", "data", "mlpcourse"):
        shutil.copytree(
            ROOT / "book" / folder, copy / "book" / folder, ignore=NOT_COPIED
        )
    (copy / "_toc.yml").write_text(TINY_TOC)
    (copy / "book" / "intro.md").write_text("# A tiny book\n\nOne chapter.\n")
    (copy / "book" / "tiny.md").write_text(TINY_CHAPTER)
    return copy


def with_cache_of(copy: Path, build: Path) -> None:
    """Give ``copy`` the executed-notebook cache of ``build``."""
    assert (build / ".helpers-stamp").exists(), f"no build in {build}"
    (copy / "_build").mkdir(exist_ok=True)
    shutil.copy2(build / ".helpers-stamp", copy / "_build" / ".helpers-stamp")
    shutil.copytree(
        build / ".jupyter_cache", copy / "_build" / ".jupyter_cache"
    )


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


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory) -> Path:
    """The tiny book, built once: its _build folder (with the cache)."""
    copy = copy_checkout(tmp_path_factory.mktemp("tiny"), chapters=False)
    result = make_book(copy)
    assert result.returncode == 0, result.log[-3000:]
    assert result.log.count("Executed notebook in") == 1
    assert (copy / "_build" / "html" / "book" / "tiny.html").exists()
    return copy / "_build"


@pytest.fixture
def tiny(tmp_path, tiny_build) -> Path:
    """A fresh copy of the tiny book holding the built book's cache."""
    copy = copy_checkout(tmp_path, chapters=False)
    with_cache_of(copy, tiny_build)
    return copy


def insert_cell(chapter: Path, source: str) -> None:
    """Add a code cell right after the chapter's first one (its imports)."""
    text = chapter.read_text()
    position = text.index("```\n", text.index("{code-cell}")) + len("```\n")
    chapter.write_text(
        text[:position]
        + f"\n```{{code-cell}} ipython3\n{source}\n```\n"
        + text[position:]
    )


def test_a_failing_cell_fails_the_build_and_names_it(tiny):
    insert_cell(
        tiny / "book" / "tiny.md", 'raise RuntimeError("a deliberate failure")'
    )
    result = make_book(tiny)
    assert result.returncode != 0
    assert "tiny.md" in result.log
    assert "Executing notebook failed" in result.log
    assert 'raise RuntimeError("a deliberate failure")' in result.log
    assert "Cell In[2], line 1" in result.log  # where it is
    assert "RuntimeError: a deliberate failure" in result.log  # its error


def test_output_on_stderr_fails_the_build(tiny):
    insert_cell(
        tiny / "book" / "tiny.md",
        'import sys\nprint("a stray warning", file=sys.stderr)',
    )
    result = make_book(tiny)
    assert result.returncode != 0
    assert re.search(
        r"tiny\.md:\d+: ERROR: stderr was found in the cell outputs of cell 3",
        result.log,
    )


def test_a_sphinx_warning_fails_the_build(tiny):
    intro = tiny / "book" / "intro.md"
    intro.write_text(intro.read_text() + "\nSee {doc}`no_such_page`.\n")
    result = make_book(tiny)
    assert result.returncode != 0
    assert re.search(
        r"intro\.md:\d+: WARNING: unknown document: 'no_such_page'", result.log
    )
    assert "build finished with problems" in result.log


def test_changing_the_helper_package_runs_the_chapter_again(tiny):
    helper = tiny / "book" / "mlpcourse" / "metrics.py"
    later = time.time() + 5
    os.utime(helper, (later, later))  # as an edit or a git checkout would
    result = make_book(tiny)
    assert result.returncode == 0, result.log[-3000:]
    assert "Using cached notebook" not in result.log
    assert result.log.count("Executed notebook in") == 1


def test_a_setting_that_breaks_a_claim_fails_the_build_naming_it(tiny):
    """The author's change from issue 9: the circle's rate 0.05 -> 0.1.

    The tiny chapter's claim stands in for the real ones. That the real
    agreement claim breaks at that rate is what the PyTorch chapter itself
    shows and checks (the runs at twice the rate part), and
    ``parity.require_agreement`` raising for runs that part is a unit test.
    """
    settings = tiny / "book" / "mlpcourse" / "settings.py"
    source = settings.read_text()
    assert source.count("learning_rate=0.05,") == 1
    settings.write_text(
        source.replace("learning_rate=0.05,", "learning_rate=0.1,")
    )
    result = make_book(tiny)
    assert result.returncode != 0, result.log[-3000:]
    assert (
        "ClaimBroken: The book claims: the circle is trained at a learning "
        "rate of at most 0.05. Measured: learning rate 0.1" in result.log
    )
    assert "Setting involved: settings.CIRCLE.learning_rate." in result.log
    assert "tiny.md" in result.log


@pytest.mark.parametrize(
    "changed", ["mlpcourse/pages/stepbench.py", "data/step.json"]
)
def test_make_plans_a_rerun_for_every_input_of_the_chapters(tiny, changed):
    """Both the package and the data it reads clear the cache (dry run)."""
    later = time.time() + 5
    os.utime(tiny / "book" / changed, (later, later))
    plan = subprocess.run(
        ["make", "--no-print-directory", "-n", "book"],
        cwd=tiny,
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


# A figure of rounding-level values (the NumPy-PyTorch gaps) draws numbers
# whose last bits depend on the processor's BLAS kernels (OpenBLAS picks its
# kernels by processor, or by OPENBLAS_CORETYPE): its cell is tagged so, and
# only that it drew is compared, never its bytes.
ROUNDING_LEVEL = "rounding-level"


def rounding_level_cells(chapter: str) -> set[int]:
    """The code cells (by index in the learner's notebook) that the chapter
    tags ROUNDING_LEVEL."""
    tagged = {
        cell.source
        for cell in jupytext.read(BOOK / f"{chapter}.md").cells
        if ROUNDING_LEVEL in cell.metadata.get("tags", [])
    }
    reference = nbformat.read(BOOK / f"{chapter}.ipynb", as_version=4)
    code = [cell for cell in reference.cells if cell.cell_type == "code"]
    return {index for index, cell in enumerate(code) if cell.source in tagged}


def printed(notebook, varies: set[int] = frozenset()) -> list[list[dict]]:
    """Each code cell's outputs: what each stream printed, images as digests
    (or only that they were drawn, in the code cells ``varies`` names),
    everything else (glued values included) as it is.

    A stream's messages are merged first, as nbval and the page merge them:
    how a kernel splits a cell's printing into messages depends on timing.
    Text passes nbval's sanitizer, as nbval compares it: the digits of a
    rounding-level value depend on the machine.
    """
    cells = []
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for index, cell in enumerate(code):
        outputs = []
        for output in coalesce_streams(deepcopy(cell.outputs)):
            data = dict(output.get("data", {}))
            for kind in ("image/png", "image/jpeg"):
                if kind in data:
                    data[kind] = (
                        "drawn, at rounding level"
                        if index in varies
                        else hashlib.sha256(
                            base64.b64decode(data[kind])
                        ).hexdigest()
                    )
            data = {
                kind: sanitize(value) if isinstance(value, str) else value
                for kind, value in data.items()
            }
            outputs.append(
                {"stream": output.name, "text": sanitize(output.text)}
                if output.output_type == "stream"
                else {output.output_type: data}
            )
        cells.append(outputs)
    return cells


def learner_of_the_build(chapter: str) -> nbformat.NotebookNode:
    """The learner's notebook made from the build's own run (its cache)."""
    return learner_notebooks.learner_notebook(
        learner_notebooks.executed_by_the_build(BOOK / f"{chapter}.md"),
        learner_notebooks.book_context(),
    )


def cells(notebook) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_build_prints_and_draws_what_the_reference_holds(chapter):
    """The learner's notebook beside the chapter is what the converter
    makes of the build's own run: the same text and code, and, though the
    two executions differ (`make notebooks`' perhaps on another machine),
    the same printing, the same glued values and the same figures (but for
    figures of rounding-level values). The page shows the figures the
    build drew."""
    varies = rounding_level_cells(chapter)
    reference = nbformat.read(BOOK / f"{chapter}.ipynb", as_version=4)
    built = learner_of_the_build(chapter)
    stale = f"book/{chapter}.ipynb is stale: run `make notebooks`"
    assert cells(built) == cells(reference), stale
    assert printed(built, varies) == printed(reference, varies), stale
    drawn = [
        output["display_data"]["image/png"]
        for cell in printed(built)
        for output in cell
        if "image/png" in output.get("display_data", {})
    ]
    assert len(drawn) >= 2
    assert drawn == figures(BUILD / "html", chapter)


def test_the_record_of_what_the_text_quotes_is_the_builds():
    """What a learner's run compares its values with (``claims.values_hold``)
    is what the build's own runs glued into each page's text, up to the
    digits that vary by machine."""
    record = json.loads(claims.AS_WRITTEN.read_text(encoding="utf-8"))
    context = learner_notebooks.book_context()
    for chapter in CHAPTERS:
        built = learner_notebooks.as_written(
            learner_notebooks.executed_by_the_build(BOOK / f"{chapter}.md"),
            context,
        )
        as_text = json.dumps(built, sort_keys=True, ensure_ascii=False)
        recorded = json.dumps(
            record[chapter], sort_keys=True, ensure_ascii=False
        )
        assert sanitize(as_text) == sanitize(recorded), (
            f"{claims.AS_WRITTEN.name} is stale for {chapter}: run `make notebooks`"
        )


def test_only_a_figure_of_rounding_level_values_is_compared_by_kind():
    """The one figure whose bytes may vary by processor: the loss gaps, on
    the optional page."""
    assert rounding_level_cells("scratch_mlp") == set()
    assert rounding_level_cells("pytorch_mlp") == set()
    (index,) = rounding_level_cells("going_further")
    reference = nbformat.read(BOOK / "going_further.ipynb", as_version=4)
    code = [cell for cell in reference.cells if cell.cell_type == "code"]
    assert code[index].source.startswith("plot_gaps(")


# MyST-NB's own copy in _build/jupyter_execute is served nowhere, and holds
# outputs only when the build executed the chapter: on a hit, its cache
# client merges them into a copy of the notebook, not into the one written.
SERVED = {
    "the download button's copy, a learner's notebook": (
        HTML / "_sources" / "book"
    ),
    # The bundle holds the references byte for byte (test_bundle.py).
    "the reference, as the course bundle holds it": BOOK,
}


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("served", SERVED)
def test_a_served_notebook_prints_each_line_once(chapter, served):
    """Whatever the timing of the build's run, each cell holds one message
    per stream, and it prints what the reference prints."""
    notebook = nbformat.read(SERVED[served] / f"{chapter}.ipynb", as_version=4)
    reference = nbformat.read(BOOK / f"{chapter}.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for index, cell in enumerate(code):
        names = [o.name for o in cell.outputs if o.output_type == "stream"]
        assert len(names) == len(set(names)), (
            f"{served}: code cell {index} holds {len(names)} stream messages "
            f"({names}); a downloaded notebook would print lines twice"
        )
    # The written copies leave out glued values (the page holds them).
    assert streams(notebook) == streams(reference), served


def streams(notebook) -> list[list[dict]]:
    """What each code cell printed, stream by stream."""
    return [
        [output for output in cell if "stream" in output]
        for cell in printed(notebook)
    ]


def test_merging_streams_rewrites_the_cells_own_outputs():
    """What the page shows is what the written notebook holds: the merge
    replaces the cell's list, and leaves other outputs where they were."""
    stream = nbformat.v4.new_output
    outputs = [
        stream("stream", name="stdout", text="one\n"),
        stream("display_data", data={"text/plain": "a figure"}),
        stream("stream", name="stdout", text="two\n"),
        stream("stream", name="stderr", text="careful\n"),
    ]
    same_list = outputs
    merged = merge_streams(outputs)
    assert merged is same_list
    assert [(o.output_type, o.get("name")) for o in outputs] == [
        ("stream", "stdout"),
        ("display_data", None),
        ("stream", "stderr"),
    ]
    assert outputs[0].text == "one\ntwo\n"


def png_bytes(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), colour).save(buffer, format="png")
    return buffer.getvalue()


def test_film_frames_leave_the_page_as_files_named_by_their_contents(
    tmp_path,
):
    """As matplotlib's player embeds them: base64 split by backslashed
    newlines. Two equal frames share one file; the page keeps the rest."""
    red, blue = png_bytes((255, 0, 0)), png_bytes((0, 0, 255))
    embedded = animation._embedded_frames(
        [base64.encodebytes(png).decode() for png in (red, blue, red)], "png"
    )
    assert "\\\n" in embedded  # the frames' lines are split, as in a page
    body = f"<p>before</p><script>{embedded}</script><p>after</p>"
    context = {"body": body, "pathto": lambda uri, resource: f"../{uri}"}
    app = types.SimpleNamespace(outdir=str(tmp_path))
    film_frames_as_files(app, "book/page", "page.html", context, None)
    urls = re.findall(r'frames\[(\d)\] = "([^"]+)"', context["body"])
    assert [index for index, _ in urls] == ["0", "1", "2"]
    assert "data:image" not in context["body"]
    assert context["body"].startswith("<p>before</p><script>")
    assert context["body"].endswith("</script><p>after</p>")
    files = sorted((tmp_path / FILM_FRAMES).iterdir())
    assert len(files) == 2
    for (_, url), png in zip(urls, (red, blue, red), strict=True):
        assert url.startswith(f"../{FILM_FRAMES}/")
        assert (tmp_path / url.removeprefix("../")).read_bytes() == png
    assert urls[0][1] == urls[2][1] != urls[1][1]
    untouched = {"body": "<p>frames[0] is prose</p>", "pathto": None}
    film_frames_as_files(app, "book/other", "page.html", untouched, None)
    assert untouched["body"] == "<p>frames[0] is prose</p>"


ICON_SCRIPT = (
    '<script defer src="../_static/scripts/fontawesome.js?digest=55c26e">'
    "</script>\n"
)


def test_the_icon_script_leaves_every_page_and_nothing_else(tmp_path):
    """Wherever a page sits, the theme's tag goes, and only that tag; the
    build's failure or another builder leaves the pages alone."""
    page = f"<head>\n{ICON_SCRIPT}<script src='../_static/course.js'>\n</head>"
    (tmp_path / "book").mkdir()
    chapter, index = (
        tmp_path / "book" / "chapter.html",
        tmp_path / "index.html",
    )
    chapter.write_text(page)
    index.write_text(page.replace("../", ""))
    html = types.SimpleNamespace(format="html")
    failed = types.SimpleNamespace(outdir=str(tmp_path), builder=html)
    drop_icon_script(failed, RuntimeError("the build failed"))
    latex = types.SimpleNamespace(format="latex")
    other = types.SimpleNamespace(outdir=str(tmp_path), builder=latex)
    drop_icon_script(other, None)
    assert chapter.read_text() == page
    built = types.SimpleNamespace(outdir=str(tmp_path), builder=html)
    drop_icon_script(built, None)
    assert chapter.read_text() == page.replace(ICON_SCRIPT, "")
    assert "fontawesome" not in index.read_text()
    assert "_static/course.js" in index.read_text()


@pytest.fixture(scope="module")
def rebuilt_from_cache(tmp_path_factory) -> subprocess.CompletedProcess:
    """The real book, rendered again in a copy from this build's cache."""
    stale = subprocess.run(
        ["make", "--question", "_build/.helpers-stamp", "_build/.site-stamp"],
        cwd=ROOT,
    )
    assert stale.returncode == 0, "the build is out of date: run `make book`"
    copy = copy_checkout(tmp_path_factory.mktemp("real"), chapters=True)
    with_cache_of(copy, BUILD)
    result = make_book(copy)
    result.html = copy / "_build" / "html"
    return result


def test_an_unchanged_book_renders_from_the_cache(rebuilt_from_cache):
    result = rebuilt_from_cache
    assert result.returncode == 0, result.log[-3000:]
    assert result.log.count("Using cached notebook") == len(CHAPTERS)
    assert "Executing notebook" not in result.log


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_two_renderings_are_the_same_bytes(rebuilt_from_cache, chapter):
    """No random ids or build state in a page: render twice, compare."""
    again = rebuilt_from_cache.html
    assert rendered(BUILD / "html", chapter) == rendered(again, chapter)
    assert figures(BUILD / "html", chapter) == figures(again, chapter)


def test_make_refuses_a_python_older_than_the_course_needs(tmp_path):
    """A machine whose python3 is 3.10: `make book` says what it needs and
    makes no .venv. The stand-in is this Python, reporting itself as 3.10."""
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copytree(LOCKS, tmp_path / "requirements")
    old_python = tmp_path / "python3"
    old_python.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then echo "Python 3.10.12"; exit 0; fi\n'
        'if [ "$1" = "-c" ]; then\n'
        f'  exec "{sys.executable}" -c '
        "\"import sys; sys.version_info = (3, 10, 12, 'final', 0); $2\"\n"
        "fi\n"
        f'exec "{sys.executable}" "$@"\n'
    )
    old_python.chmod(0o755)
    result = subprocess.run(
        ["make", "--no-print-directory", "book", f"PYTHON={old_python}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert (
        "The course needs Python 3.11 exactly (requirements/*.txt are "
        f"locked for 3.11 alone), but {old_python} is Python 3.10.12. "
        "Install python3.11, or name one: make book "
        "PYTHON=/path/to/python3.11" in result.stdout + result.stderr
    ), result.stdout + result.stderr
    assert not (tmp_path / ".venv").exists()


def test_binder_runs_the_python_that_make_and_ci_use():
    """Binder reads binder/runtime.txt; make (and so .ci/run) reads
    PYTHON_VERSION; the CI workflow names its container's Python."""
    makefile = (ROOT / "Makefile").read_text()
    (version,) = re.findall(r"^PYTHON_VERSION := (\S+)$", makefile, re.M)
    binder = ROOT / "binder"
    assert (binder / "runtime.txt").read_text() == f"python-{version}\n"
    assert not (ROOT / "runtime.txt").exists(), "Binder ignores it: binder/"
    workflow = (ROOT / ".github" / "workflows" / "book.yml").read_text()
    assert re.findall(r"container: python:(\S+?)-", workflow) == [version]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_binder_installs_the_learners_lock_only():
    requirements = (ROOT / "binder" / "requirements.txt").read_text()
    lines = [
        line for line in requirements.splitlines() if not line.startswith("#")
    ]
    assert lines == ["-r ../requirements/learner.txt"]
