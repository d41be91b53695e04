"""The workbooks: each chapter with the network's pieces left to write.

A workbook is made from an executed chapter, as its learner's notebook is
(``learner_notebooks``), up to the chapter's exercises. Each piece that
the chapter's workbook module lists (``mlpcourse.workbook.chapter1``'s
``PIECES``, say) changes it:

- where the chapter shows the piece's code, the workbook has a code cell
  with the course's source and the learner's part replaced by a stub,
  followed by the piece's check;
- any other listing that would show the solution says where to write it;
- the code cells below call the learner's piece (``train``) where the
  chapter calls the course's (``scratch.train``).

The stubs come from the package's own source, so a change to the
reference changes the workbook with it. ``filled=True`` makes the same
workbook with the course's code in the stubs' place: the tests run it.
"""

from __future__ import annotations

import ast
import builtins
import copy
import importlib
import inspect
import re
import textwrap
import types
from collections.abc import Iterable
from pathlib import Path

import learner_notebooks as learner
import nbformat

from mlpcourse.workbook.verdict import Piece, stub_message

WORKBOOKS = {
    "scratch_mlp": "mlpcourse.workbook.chapter1",
    "pytorch_mlp": "mlpcourse.workbook.chapter2",
}
"""Each chapter that has a workbook, and the module of its checks."""

SUFFIX = "_workbook"
"""A workbook's name: its chapter's, then this (scratch_mlp_workbook)."""

ROLE = "workbook"
"""Cell metadata naming a workbook cell's part: setup, piece or check."""

END = "## Exercises"
"""The heading where a workbook stops: the exercises stay in the chapter."""

SHOW_SOURCE = re.compile(r"^show_source\(([\w.]+)\)\s*$")
INCLUDE = re.compile(
    r"^(?P<fence>`{3,})\{literalinclude\}\s*mlpcourse/(?P<module>\w+)\.py\s*$"
)
SELF_REFERENCE = re.compile(r" ?To write [^.]*?\{ref\}`write-yourself`\.")
"""The chapter's sentence that sends a reader to its workbook."""
STUB_NOTE = "# Write this yourself; the check below says what it finds."
REST_NOTE = "# Write the rest yourself, from here on."
CHECK_NOTE = "# Check it: a pass says what was verified; else, the mistake."


def _object(path: str) -> object:
    """``scratch.Dense.forward`` as the object it names."""
    module, *attributes = path.split(".")
    found: object = importlib.import_module(f"mlpcourse.{module}")
    for attribute in attributes:
        found = getattr(found, attribute)
    return found


def reveals(listing: str, piece: Piece) -> bool:
    """Whether a listing of ``listing`` shows code the learner writes."""
    return bool(_shown_names(listing, [piece]))


def _dotted(node: ast.expr) -> str | None:
    """``torch.random.fork_rng`` for that attribute chain; None otherwise."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def hints(statements: list[ast.stmt], module: types.ModuleType) -> list[str]:
    """What the code the learner writes calls from the course (its helpers,
    ``epoch_batches``) and from PyTorch (``nn.Linear``): NumPy they know."""
    found: list[str] = []
    for statement in statements:
        for node in ast.walk(statement):
            name = None
            if isinstance(node, ast.Attribute):
                name = _dotted(node)
                root = name and getattr(module, name.split(".")[0], None)
                if not isinstance(root, types.ModuleType) or name.startswith(
                    "np."
                ):
                    name = None
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                value = getattr(module, node.id, None)
                if value is not None and not isinstance(
                    value, types.ModuleType
                ):
                    name = node.id
            if name and name not in found:
                found.append(name)
    # A chain's own head (torch.random) says less than the chain.
    return [
        name
        for name in found
        if not any(other.startswith(f"{name}.") for other in found)
    ]


def _stubbed(source: str, piece: Piece, module: types.ModuleType) -> list[str]:
    """The lines of ``source`` with the bodies it defines that the learner
    writes replaced by stubs, each naming what the course's code calls."""
    lines = source.split("\n")
    tree = ast.parse(source)
    outer = tree.body[0]
    prefix = outer.name
    if isinstance(outer, ast.ClassDef):
        targets = {
            f"{prefix}.{node.name}": node
            for node in outer.body
            if isinstance(node, ast.FunctionDef)
        }
    else:
        targets = {prefix: outer}
    # Last first, so that earlier line numbers stay right.
    chosen = [(name, targets[name]) for name in piece.write if name in targets]
    for name, node in sorted(chosen, key=lambda pair: -pair[1].lineno):
        body = node.body
        start = body[0]
        if (
            isinstance(start, ast.Expr)
            and isinstance(start.value, ast.Constant)
            and isinstance(start.value.value, str)
        ):
            body = body[1:]  # the docstring stays
        note = STUB_NOTE
        if piece.write_from:
            kept = 0
            while kept < len(body) and not ast.get_source_segment(
                source, body[kept]
            ).startswith(piece.write_from):
                kept += 1
            body = body[kept:]
            note = REST_NOTE
        indent = " " * body[0].col_offset
        first = body[0].lineno - 1
        last = node.end_lineno
        stub = [f"{indent}{note}"]
        used = hints(body, module)
        if used:
            stub += textwrap.wrap(
                f"It can use: {', '.join(f'`{n}`' for n in used)}.",
                width=79,
                initial_indent=f"{indent}# ",
                subsequent_indent=f"{indent}# ",
            )
        stub.append(
            f'{indent}raise NotImplementedError("{stub_message(name)}")'
        )
        lines[first:last] = stub
    return lines


def piece_source(piece: Piece, *, filled: bool = False) -> str:
    """The code cell of ``piece``: the course's source of each object it
    holds, stubbed where the learner writes (not, with ``filled``)."""
    parts = []
    for path in piece.code:
        source = textwrap.dedent(inspect.getsource(_object(path))).rstrip()
        if not filled:
            module = importlib.import_module(f"mlpcourse.{path.split('.')[0]}")
            source = "\n".join(_stubbed(source, piece, module))
        parts.append(source)
    return "\n\n\n".join(parts)


def bound_names(piece: Piece) -> list[str]:
    """The names the piece's check cell binds: Dense, activation."""
    tree = ast.parse(piece.check)
    return [
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    ]


def defined_names(piece: Piece) -> list[str]:
    """The names the piece's code cell defines: Dense; relu_derivative."""
    return [path.split(".")[-1] for path in piece.code]


def _read_names(source: str) -> set[str]:
    """The names a source reads, its type hints' included: an editor
    checks those too."""
    return {
        node.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def _import_line(name: str, value: object, home: str) -> str:
    if isinstance(value, types.ModuleType):
        full = value.__name__
        if full == name:
            return f"import {name}"
        parent, _, last = full.rpartition(".")
        if last == name:
            return f"from {parent} import {name}"
        return f"import {full} as {name}"
    module = getattr(value, "__module__", None)
    if not (module and getattr(importlib.import_module(module), name, None)):
        module = home  # a constant: from the module that holds it
    return f"from {module} import {name}"


def setup_source(pieces: Iterable[Piece], checks: str) -> str:
    """The workbook's own imports: what the pieces' code uses, and the
    checks."""
    pieces = list(pieces)
    own = {n for p in pieces for n in [*bound_names(p), *defined_names(p)]}
    imports: dict[str, list[str]] = {}
    for piece in pieces:
        for path in piece.code:
            module = importlib.import_module(f"mlpcourse.{path.split('.')[0]}")
            source = textwrap.dedent(inspect.getsource(_object(path)))
            for name in sorted(_read_names(source) - own):
                if hasattr(builtins, name) or not hasattr(module, name):
                    continue
                line = _import_line(
                    name, getattr(module, name), module.__name__
                )
                head, _, imported = line.rpartition(" import ")
                if head.startswith("from "):
                    imports.setdefault(head, [])
                    if imported not in imports[head]:
                        imports[head].append(imported)
                else:
                    imports.setdefault(line, [])
    lines = [
        "from __future__ import annotations  # hints name what comes later",
        "",
        "# What the code you write uses, and the checks that follow it.",
    ]
    checks_module, _, checks_name = checks.rpartition(".")
    imports.setdefault(f"from {checks_module}", []).append(
        f"{checks_name} as check"
    )
    # As isort orders them: other packages, then the course's own.
    for course in (False, True):
        heads = [h for h in imports if ("mlpcourse" in h) == course]
        if course and lines[-1] != lines[2]:
            lines.append("")
        for head in sorted(heads, key=lambda h: (h.startswith("from"), h)):
            lines += _import_lines(head, imports[head])
    return "\n".join(lines)


def _import_lines(head: str, names: list[str]) -> list[str]:
    if not names:
        return [head]
    joined = f"{head} import {', '.join(sorted(names))}"
    if len(joined) <= 79:
        return [joined]
    return [f"{head} import (", *[f"    {n}," for n in sorted(names)], ")"]


def _code(source: str, role: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata[ROLE] = role
    return cell


def calls_yours(source: str, pieces: Iterable[Piece]) -> str:
    """A chapter's code with ``scratch.train`` written as ``train``, for
    each piece checked above it."""
    for piece in pieces:
        module = piece.code[0].split(".")[0]
        for name in bound_names(piece):
            source = re.sub(rf"\b{module}\.{name}\b", name, source)
    return source


def _pointer(names: list[str], pointed: set[str]) -> str:
    """What stands where a listing would show code the learner writes:
    the first time, why; after that, only whose it is."""
    shown = " and ".join(f"`{name}`" for name in names)
    if set(names) <= pointed:
        return f"*(Yours to write: {shown}, in its code cell.)*"
    pointed.update(names)
    return (
        f"*This workbook leaves {shown} for you to write: in the code cell "
        "that follows below, not in a listing.*"
    )


def _hide_revealing_includes(
    source: str, pieces: list[Piece], pointed: set[str]
) -> tuple[str, list[Piece]]:
    """A Markdown cell's source with each listing that shows a written
    piece replaced by a pointer; and the pieces it showed."""
    lines = source.split("\n")
    written, shown = [], []
    index = 0
    while index < len(lines):
        include = INCLUDE.match(lines[index])
        if not include:
            written.append(lines[index])
            index += 1
            continue
        end = index + 1
        while lines[end].strip() != include.group("fence"):
            end += 1
        options = dict(
            learner.OPTION.match(line).group("key", "value")
            for line in lines[index + 1 : end]
            if learner.OPTION.match(line)
        )
        listing = f"{include.group('module')}.{options.get('pyobject', '')}"
        revealing = [piece for piece in pieces if reveals(listing, piece)]
        if revealing:
            written.append(_pointer(_shown_names(listing, revealing), pointed))
            shown += [p for p in revealing if p not in shown]
        else:
            written += lines[index : end + 1]
        index = end + 1
    return "\n".join(written), shown


def _shown_names(listing: str, pieces: list[Piece]) -> list[str]:
    """The written names a listing of ``listing`` shows."""
    names = []
    for piece in pieces:
        module = piece.code[0].split(".")[0]
        for name in piece.write:
            full = f"{module}.{name}"
            if (
                listing == full
                or full.startswith(f"{listing}.")
                or listing.startswith(f"{full}.")
            ):
                names.append(name)
    return names


def _listed(cell: nbformat.NotebookNode) -> str | None:
    """What a hidden-input listing cell shows: ``scratch.Dense``."""
    if "remove-input" not in cell.metadata.get("tags", []):
        return None
    found = SHOW_SOURCE.match(cell.source.strip())
    return found.group(1) if found else None


def _title_cell(title_cell: str, chapter: str) -> str:
    lines = title_cell.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("# "):
            lines[index] = f"# Workbook: {line.removeprefix('# ')}"
            lines.insert(
                index + 1,
                "\n"
                f"This is the chapter with the network's pieces left for you "
                f"to write. Where the chapter shows the course's code for a "
                f"piece, this workbook has a code cell for yours: write it, "
                f"run it, then run the check below it. The check says what "
                f"it verified, or names the likely mistake. Until your piece "
                f"passes, the cells below use the course's, so the notebook "
                f"always runs to the end. Run the cells in order, from the "
                f"top. The chapter itself, with the course's code and the "
                f"exercises, is [{chapter}.ipynb]({chapter}.ipynb).\n",
            )
            break
    return "\n".join(lines)


def workbook(
    notebook: nbformat.NotebookNode,
    context: learner.Context,
    chapter: str,
    pieces: tuple[Piece, ...],
    checks: str,
    *,
    filled: bool = False,
) -> nbformat.NotebookNode:
    """The workbook of the executed chapter ``notebook``."""
    context = learner.Context(
        context.folder,
        {**context.glued, **learner.glued_values(notebook)},
        context.titles,
        context.sections,
        context.notebooks,
    )
    chapter_cells = []
    for cell in notebook.cells:
        end = re.search(rf"^{END}\s*$", cell.source, re.M)
        if cell.cell_type == "markdown" and end:
            if cell.source[: end.start()].strip():  # the text before it
                before = copy.deepcopy(cell)
                before.source = cell.source[: end.start()].rstrip()
                chapter_cells.append(before)
            break
        chapter_cells.append(cell)
    # Where each piece's cells go: after the last cell that shows it.
    last_shown: dict[int, int] = {}
    for index, cell in enumerate(chapter_cells):
        listing = _listed(cell) if cell.cell_type == "code" else None
        for number, piece in enumerate(pieces):
            if listing is not None and reveals(listing, piece):
                last_shown[number] = index
            if cell.cell_type == "markdown":
                _, shown = _hide_revealing_includes(
                    cell.source, [piece], set()
                )
                if shown:
                    last_shown[number] = index
    missing = [p.shown_by for n, p in enumerate(pieces) if n not in last_shown]
    if missing:
        raise learner.UnknownMarkup(
            f"the chapter shows no listing of {', '.join(missing)}"
        )
    cells: list[nbformat.NotebookNode] = []
    checked: list[Piece] = []
    pointed: set[str] = set()  # the names a pointer has explained
    setup_done = False
    for index, cell in enumerate(chapter_cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown":
            source, _ = _hide_revealing_includes(
                cell.source, list(pieces), pointed
            )
            source = re.sub(SELF_REFERENCE, "", source)
            if not cells:
                source = _title_cell(source, chapter)
            text = learner.markdown(source, context)
            if text:
                cells.append(nbformat.v4.new_markdown_cell(text))
        elif _listed(cell) is not None and any(
            reveals(_listed(cell), piece) for piece in pieces
        ):
            shown = [p for p in pieces if reveals(_listed(cell), p)]
            if not any(last_shown[pieces.index(p)] == index for p in shown):
                names = _shown_names(_listed(cell), shown)
                pointer = _pointer(names, pointed)
                cells.append(nbformat.v4.new_markdown_cell(pointer))
        elif learner.kept_as_code(cell):
            kept = learner._code_cell(cell)
            kept.source = calls_yours(kept.source, checked)
            cells.append(kept)
            if not setup_done and "remove-cell" not in tags:
                cells.append(_code(setup_source(pieces, checks), "setup"))
                setup_done = True
        elif "remove-input" in tags:
            cells.append(learner._listing_cell(cell))
        for number, piece in enumerate(pieces):
            if last_shown[number] == index:
                cells.append(
                    _code(piece_source(piece, filled=filled), "piece")
                )
                cells.append(_code(f"{CHECK_NOTE}\n{piece.check}", "check"))
                checked.append(piece)
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    book = nbformat.v4.new_notebook(cells=cells, metadata={})
    book.metadata["kernelspec"] = notebook.metadata.get("kernelspec", {})
    book.metadata["language_info"] = {"name": "python"}
    return book


def path_of(chapter: Path) -> Path:
    """Where the workbook of a chapter's file goes: beside it."""
    return chapter.with_name(f"{chapter.stem}{SUFFIX}.ipynb")


def chapter_workbook(
    notebook: nbformat.NotebookNode,
    context: learner.Context,
    chapter: str,
    *,
    filled: bool = False,
) -> nbformat.NotebookNode:
    """The workbook of ``chapter``, from its executed ``notebook``."""
    checks = WORKBOOKS[chapter]
    pieces = importlib.import_module(checks).PIECES
    return workbook(notebook, context, chapter, pieces, checks, filled=filled)
