"""The workbook generator (book/_ext/workbooks.py), on small hand-made
chapters and on the course's own code."""

import __future__

import ast
import copy
import importlib
import re
import textwrap
import zipfile

import learner_notebooks as learner
import nbformat
import numpy as np
import pytest
import workbooks
from course_bundle import BUNDLE, FOLDER
from nbval_rules import sanitize
from paths import ROOT
from test_learner_copy import change, run_as_learner, unpacked

from mlpcourse import scratch
from mlpcourse.workbook.verdict import Piece, stub_message

DENSE = Piece(
    "scratch.Dense",
    ("scratch.Dense",),
    ("Dense.forward", "Dense.backward"),
    "Dense = check.dense_layer(Dense)",
)
TRAIN = Piece(
    "scratch.train",
    ("scratch.train",),
    ("train",),
    "train = check.training_loop(train)",
    write_from="for epoch",
)


def run(source: str, namespace: dict | None = None) -> dict:
    """Run a cell's source as IPython does, whose ``from __future__``
    imports hold for the cells after them."""
    namespace = {} if namespace is None else namespace
    flags = __future__.annotations.compiler_flag
    exec(compile(source, "<cell>", "exec", flags=flags), namespace)
    return namespace


def test_a_stub_keeps_the_signature_and_docstring_and_raises_naming_it():
    source = workbooks.piece_source(DENSE)
    assert "def forward(self, inputs: Array) -> Array:" in source
    assert (
        '"""Add dL/dW and dL/db to the stored gradients; return dL/dx."""'
        in source
    )
    assert (
        f'raise NotImplementedError("{stub_message("Dense.forward")}")'
        in source
    )
    assert (
        f'raise NotImplementedError("{stub_message("Dense.backward")}")'
        in source
    )
    # What the learner writes is gone; the rest of the class stays.
    assert "self.inputs.T @ grad_z" not in source
    assert "inputs @ self.weights + self.bias" not in source
    assert "def zero_grad(self) -> None:" in source
    assert "self.weights -= learning_rate * self.weights_grad" in source


def test_a_stub_from_a_statement_keeps_the_set_up_before_it():
    source = workbooks.piece_source(TRAIN)
    assert "check_training_args(" in source
    assert "losses = np.empty(epochs)" in source
    assert "for epoch in range(epochs):" not in source
    assert "model.zero_grad()" not in source
    assert workbooks.REST_NOTE in source


def test_filled_is_the_course_source_itself():
    import inspect

    filled = workbooks.piece_source(DENSE, filled=True)
    assert filled == textwrap.dedent(inspect.getsource(scratch.Dense)).rstrip()


def setup_and(piece: Piece, *, filled: bool) -> dict:
    """A namespace after the workbook's set-up cell and the piece's cell."""
    setup = workbooks.setup_source([piece], "mlpcourse.workbook.verdict")
    namespace = run(setup.replace(" as check", " as check  # stand-in"))
    return run(workbooks.piece_source(piece, filled=filled), namespace)


def test_the_set_up_imports_what_the_pieces_use_and_nothing_they_define():
    setup = workbooks.setup_source(
        [DENSE, TRAIN], "mlpcourse.workbook.chapter1"
    )
    assert setup.startswith("from __future__ import annotations")
    assert "from mlpcourse.workbook import chapter1 as check" in setup
    assert "epoch_batches" in setup and "check_training_args" in setup
    assert "import numpy as np" in setup
    assert "import Dense" not in setup and " train," not in setup


def test_the_filled_training_loop_runs_alone_and_trains_as_the_course():
    """The set-up cell gives everything the piece's code needs: the filled
    loop, run in a fresh namespace, trains exactly as scratch.train."""
    namespace = setup_and(TRAIN, filled=True)
    rng = np.random.default_rng(0)
    points, targets = rng.uniform(size=(9, 2)), rng.uniform(size=(9, 1))
    options = dict(learning_rate=0.5, epochs=3, batch_size=4, shuffle_seed=2)
    ours = namespace["train"](
        scratch.MLP(2, 3, 1, "tanh", "sigmoid", seed=1),
        points,
        targets,
        **options,
    )
    course = scratch.train(
        scratch.MLP(2, 3, 1, "tanh", "sigmoid", seed=1),
        points,
        targets,
        **options,
    )
    assert np.array_equal(ours, course)


def test_a_stubbed_method_raises_what_the_checks_recognise():
    namespace = setup_and(DENSE, filled=False)
    layer = namespace["Dense"](2, 3, np.random.default_rng(0))
    with pytest.raises(NotImplementedError, match="Dense.forward is still"):
        layer.forward(np.zeros((1, 2)))
    layer.zero_grad()  # not the learner's: given


def markdown(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)


def code(source: str, tags=(), outputs=()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.outputs = list(outputs)
    cell.execution_count = 1
    return cell


LISTING = nbformat.v4.new_output(
    "display_data", data={"text/markdown": "```python\nclass Dense: ...\n```"}
)


@pytest.fixture
def chapter() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(
        cells=[
            markdown("# 1. A chapter\n\nIt teaches."),
            code("import numpy as np", outputs=[]),
            code("layer = scratch.Dense(2, 3, rng)  # the course's"),
            code("show_source(scratch.Dense)", ["remove-input"], [LISTING]),
            code("show_source(scratch.relu)", ["remove-input"], [LISTING]),
            markdown(
                "Its forward pass:\n\n```{literalinclude} mlpcourse/scratch.py"
                "\n:pyobject: Dense.forward\n```\n\nAnd its step:\n\n"
                "```{literalinclude} mlpcourse/scratch.py\n:pyobject: "
                "Dense.step\n```"
            ),
            code("layer = scratch.Dense(2, 3, rng)\nscratch.Dense_like = 1"),
            markdown("## Exercises\n\nExercise 1."),
            code("print('an exercise')"),
        ]
    )
    notebook.metadata["kernelspec"] = {"name": "python3"}
    return notebook


@pytest.fixture
def context(tmp_path) -> learner.Context:
    return learner.Context(ROOT / "book", {}, {}, {}, frozenset())


def test_the_piece_stands_where_the_chapter_shows_its_code(chapter, context):
    book = workbooks.workbook(
        chapter, context, "one", (DENSE,), "mlpcourse.workbook.chapter1"
    )
    kinds = [
        (cell.cell_type, cell.metadata.get(workbooks.ROLE, ""))
        for cell in book.cells
    ]
    assert kinds == [
        ("markdown", ""),
        ("code", ""),
        ("code", "setup"),
        ("code", ""),
        ("markdown", ""),  # the class's listing: a pointer to the piece
        ("markdown", ""),  # the relu listing: nothing of the piece
        ("markdown", ""),  # forward's listing hidden, step's shown
        ("code", "piece"),
        ("code", "check"),
        ("code", ""),
    ]
    title = book.cells[0].source
    assert title.startswith("# Workbook: 1. A chapter")
    assert "[one.ipynb](one.ipynb)" in title
    assert (
        book.cells[3].source
        == "layer = scratch.Dense(2, 3, rng)  # the course's"
    )
    assert "`Dense.forward` and `Dense.backward`" in book.cells[4].source
    assert book.cells[5].source == LISTING.data["text/markdown"]
    # Said once why; after that, only whose it is.
    assert "*(Yours to write: `Dense.forward`, in its code cell.)*" in (
        book.cells[6].source
    )
    assert "inputs @ self.weights" not in book.cells[6].source
    assert "def step(self, learning_rate: float)" in book.cells[6].source
    assert book.cells[8].source.endswith("Dense = check.dense_layer(Dense)")
    # Below the check, the chapter's code calls the learner's Dense.
    assert book.cells[9].source.startswith("layer = Dense(2, 3, rng)\n")
    assert "scratch.Dense_like" in book.cells[9].source
    assert all(
        not cell.get("outputs") and cell.get("execution_count") is None
        for cell in book.cells
        if cell.cell_type == "code"
    )
    text = "\n".join(cell.source for cell in book.cells)
    assert "Exercise 1" not in text and "an exercise" not in text


def test_a_piece_the_chapter_never_shows_stops_the_generator(chapter, context):
    never = Piece(
        "scratch.mse", ("scratch.mse",), ("mse",), "mse = check.m(mse)"
    )
    with pytest.raises(learner.UnknownMarkup, match="scratch.mse"):
        workbooks.workbook(chapter, context, "one", (never,), "x.y")


@pytest.mark.parametrize(
    "listing, shows",
    [
        ("scratch.Dense", True),
        ("scratch.Dense.forward", True),
        ("scratch.Dense.step", False),
        ("scratch.MLP", False),
        ("torch_mlp.Dense", False),
    ],
)
def test_a_listing_reveals_a_piece_when_it_shows_code_to_write(listing, shows):
    assert workbooks.reveals(listing, DENSE) is shows


# The course's workbooks, as the zip gives them, run as a learner runs them.


def zipped(chapter: str) -> nbformat.NotebookNode:
    with zipfile.ZipFile(BUNDLE) as bundle:
        name = f"{FOLDER}/{chapter}{workbooks.SUFFIX}.ipynb"
        return nbformat.reads(bundle.read(name), as_version=4)


def pieces_of(chapter: str) -> tuple[Piece, ...]:
    return importlib.import_module(workbooks.WORKBOOKS[chapter]).PIECES


def filled(
    notebook: nbformat.NotebookNode, chapter: str
) -> nbformat.NotebookNode:
    """The workbook with the course's code written into every stub: a
    learner who got every piece right."""
    notebook = copy.deepcopy(notebook)
    blank = {workbooks.piece_source(p): p for p in pieces_of(chapter)}
    for cell in notebook.cells:
        if cell.metadata.get(workbooks.ROLE) == "piece":
            cell.source = workbooks.piece_source(
                blank[cell.source], filled=True
            )
    return notebook


@pytest.mark.parametrize("chapter", sorted(workbooks.WORKBOOKS))
def test_the_workbook_is_made_from_the_chapter_by_the_build(chapter):
    built = workbooks.chapter_workbook(
        learner.executed_by_the_build(ROOT / "book" / f"{chapter}.md"),
        learner.book_context(),
        chapter,
    )
    committed = nbformat.read(
        ROOT / "book" / f"{chapter}{workbooks.SUFFIX}.ipynb", as_version=4
    )
    assert [c.source for c in built.cells] == [
        c.source for c in committed.cells
    ], f"book/{chapter}{workbooks.SUFFIX}.ipynb is stale: run `make notebooks`"
    assert zipped(chapter).cells == committed.cells


@pytest.mark.parametrize("chapter", sorted(workbooks.WORKBOOKS))
def test_the_workbook_never_shows_the_code_it_asks_for(chapter):
    """No line of a piece the learner writes appears in the workbook's
    code: not in a listing, not in a cell (the prose names the calls, as
    the chapter does). A line that the package writes in two places (an
    argument check, say) is no piece's own."""
    code = [
        cell.source if cell.cell_type == "code" else block
        for cell in zipped(chapter).cells
        for block in (
            [cell.source]
            if cell.cell_type == "code"
            else re.findall(r"^```python\n(.*?)^```", cell.source, re.M | re.S)
        )
    ]
    shown = {line.strip() for block in code for line in block.split("\n")}
    package = (ROOT / "book" / "mlpcourse").glob("*.py")
    taught = [
        line.strip()
        for module in package
        for line in module.read_text().split("\n")
    ]
    for piece in pieces_of(chapter):
        filled = workbooks.piece_source(piece, filled=True).split("\n")
        blank = workbooks.piece_source(piece).split("\n")
        lines = [
            line.strip()
            for line in set(filled) - set(blank)
            if len(line.strip()) > 12 and taught.count(line.strip()) == 1
        ]
        assert lines, piece
        for line in lines:
            assert line not in shown, f"{chapter} shows {line!r}"


def printed(cell: nbformat.NotebookNode) -> str:
    return "".join(
        output.get("text", "")
        for output in cell.outputs
        if output.output_type == "stream"
    )


def errors(notebook: nbformat.NotebookNode) -> list:
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]


def check_cells(notebook: nbformat.NotebookNode) -> list:
    return [
        c for c in notebook.cells if c.metadata.get(workbooks.ROLE) == "check"
    ]


def printed_by_the_chapters_cells(notebook: nbformat.NotebookNode) -> dict:
    """What each cell the workbook keeps from its chapter printed."""
    return {
        index: sanitize(printed(cell))
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and workbooks.ROLE not in cell.metadata
    }


def check_blank_run(ran: nbformat.NotebookNode, chapter: str) -> None:
    """The blank workbook ran to its end, and every check named its stubs."""
    assert errors(ran) == []
    checks = check_cells(ran)
    assert len(checks) == len(pieces_of(chapter))
    reported = "\n".join(printed(cell) for cell in checks)
    for piece in pieces_of(chapter):
        for name in piece.write:
            assert f"{name} is still a stub" in reported, name
    assert " passes:" not in reported


def check_written_run(ran: nbformat.NotebookNode, chapter: str) -> None:
    """The workbook written in full ran to its end, and every check passed."""
    assert errors(ran) == []
    reported = "\n".join(printed(cell) for cell in check_cells(ran))
    assert "does not pass" not in reported and "stub" not in reported
    assert reported.count(" passes") >= len(pieces_of(chapter))
    if chapter == "pytorch_mlp":
        assert "chapter 1's workbook is not here" not in reported


@pytest.mark.notebook_run
@pytest.mark.parametrize("chapter", sorted(workbooks.WORKBOOKS))
def test_a_blank_workbook_names_each_stub_and_a_written_one_trains_the_same(
    tmp_path, chapter
):
    """The workbook runs twice, on the zip's copy with both runs shortened
    to 20 epochs: as handed out, and written in full (chapter 2's beside a
    chapter-1 workbook written in full).

    Blank, every check names its stub and the course's pieces carry the
    cells below to the end. Written, every check passes, and each cell of
    the chapter prints what it printed with the course's pieces standing
    in: the learner's network trains as the course's, epoch for epoch.
    At the course's settings the course's network prints the book's
    numbers, which nbval checks in the chapter's own notebook.
    """
    course = unpacked(tmp_path)
    for name in ("LINEAR", "CIRCLE"):
        change(course / "mlpcourse" / "settings.py", {"epochs": "20"}, name)
    blank = run_as_learner(course, zipped(chapter))
    check_blank_run(blank, chapter)
    first = "scratch_mlp"
    nbformat.write(
        filled(zipped(first), first),
        course / f"{first}{workbooks.SUFFIX}.ipynb",
    )
    written = run_as_learner(course, filled(zipped(chapter), chapter))
    check_written_run(written, chapter)
    expected = printed_by_the_chapters_cells(blank)
    assert printed_by_the_chapters_cells(written) == expected
    assert sum(bool(text) for text in expected.values()) >= 5


@pytest.mark.parametrize("chapter", sorted(workbooks.WORKBOOKS))
def test_the_workbook_holds_no_myst_and_none_of_the_builds_cells(chapter):
    """As the learner's notebooks (tests/test_learner_copy.py): it reads
    the same in JupyterLab, VS Code, Colab and GitHub."""
    from test_learner_copy import BUILD_ONLY, MYST

    for cell in zipped(chapter).cells:
        if cell.cell_type == "markdown":
            assert "open its workbook" not in cell.source  # it is open
            found = MYST.search(cell.source)
            assert found is None, f"MyST in {chapter}: {found.group(0)!r}"
        else:
            assert not BUILD_ONLY.search(cell.source), cell.source[:80]
            assert "tags" not in cell.metadata, cell.source[:80]


@pytest.mark.parametrize("chapter", sorted(workbooks.WORKBOOKS))
def test_below_each_check_the_chapters_code_calls_the_learners_piece(chapter):
    """Once a piece's check has run, no cell calls the course's version of
    it: the figures below are drawn from the learner's own code."""
    cells = zipped(chapter).cells
    for piece in pieces_of(chapter):
        module = piece.code[0].split(".")[0]
        check = next(
            index
            for index, cell in enumerate(cells)
            if cell.metadata.get(workbooks.ROLE) == "check"
            and cell.source.endswith(piece.check)
        )
        below = [c.source for c in cells[check + 1 :] if c.cell_type == "code"]
        for name in workbooks.bound_names(piece):
            assert not any(f"{module}.{name}" in s for s in below), name
    if chapter == "scratch_mlp":  # both runs, their figures and films
        calls = "\n".join(c.source for c in cells if c.cell_type == "code")
        assert calls.count("= train(") >= 2
        assert "model = MLP(" in calls


def test_a_stub_names_the_course_helpers_and_pytorch_calls_it_needs():
    assert (
        "# It can use: `epoch_batches`, `check_loss`, `mse`, `mse_gradient`."
        in workbooks.piece_source(TRAIN)
    )
    network = Piece(
        "torch_mlp.TorchMLP",
        ("torch_mlp.TorchMLP",),
        ("TorchMLP.__init__",),
        "TorchMLP = check.torch_network(TorchMLP)",
    )
    hint = " ".join(
        line.strip("# ")
        for line in workbooks.piece_source(network).split("\n")
        if line.strip().startswith("#")
    )
    for call in (
        "`torch.random.fork_rng`",
        "`torch.manual_seed`",
        "`nn.Linear`",
    ):
        assert call in hint
    assert "`torch.random`" not in hint  # a chain's head says less
    # NumPy they know: a stub whose code calls only NumPy names nothing.
    assert (
        workbooks.hints(
            ast.parse("y = np.maximum(np.exp(z), 0.0)").body, scratch
        )
        == []
    )
    assert "It can use" not in workbooks.piece_source(DENSE)


def test_the_workbook_stops_at_the_exercises_keeping_the_text_before(
    chapter, context
):
    chapter.cells[-2] = markdown(
        "The end of the lesson.\n\n## Exercises\n\nOne."
    )
    book = workbooks.workbook(chapter, context, "one", (DENSE,), "x.y")
    last = book.cells[-1]
    assert last.cell_type == "markdown"
    assert last.source == "The end of the lesson."


def test_the_set_up_imports_modules_as_the_course_names_them():
    network = Piece(
        "torch_mlp.TorchMLP",
        ("torch_mlp.TorchMLP",),
        ("TorchMLP.forward",),
        "TorchMLP = check.torch_network(TorchMLP)",
    )
    setup = workbooks.setup_source([network], "mlpcourse.workbook.chapter2")
    lines = setup.split("\n")
    for line in ("import numpy as np", "import torch", "from torch import nn"):
        assert line in lines
    assert "from mlpcourse.torch_mlp import ACTIVATIONS, DEVICE" in setup
    # As isort orders them, so that ruff passes the workbook as it is.
    assert lines.index("import torch") < lines.index("from torch import nn")
    assert lines[lines.index("from torch import nn") + 1] == ""


def test_a_workbook_lies_beside_its_chapter():
    chapter = ROOT / "book" / "scratch_mlp.md"
    assert (
        workbooks.path_of(chapter)
        == ROOT / "book" / "scratch_mlp_workbook.ipynb"
    )
