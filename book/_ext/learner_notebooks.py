"""The learner's notebooks: each chapter as plain Markdown and code.

The book's chapters are MyST notebooks: their Markdown holds roles
(``{glue:text}``, ``{doc}``), directives (``literalinclude``, ``tab-set``,
admonitions, dropdowns) and cells that only the build needs. JupyterLab,
VS Code, Colab and GitHub render none of that. ``learner_notebook`` turns
an executed chapter into a notebook that reads the same everywhere:

- each glued value is written into the text;
- each listing becomes a fenced block of code, its file named;
- both halves of a tab set are shown, each under its label;
- admonitions and dropdowns become quoted paragraphs under a bold title;
- cells tagged ``remove-cell`` are left out, unless also tagged ``learner``
  (the setup cell, which fetches the package on Colab);
- a hidden-input cell that shows a listing becomes that listing;
- a solution (``hide-cell``) starts folded in JupyterLab.

Anything else the converter does not know stops it, naming the markup, so
that no MyST ever reaches a learner.
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import nbformat
from myst_nb.core.utils import coalesce_streams
from sphinx.directives.code import LiteralIncludeReader

KEEP = "learner"
"""Tag of a ``remove-cell`` cell that the learner's notebook keeps."""

ROLE = re.compile(r"\{([a-z][\w:-]*)\}`([^`]*)`")
TARGET = re.compile(r"^\(([\w-]+)\)=\s*$")
FENCE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$"
)
PLAIN_FENCE = re.compile(r"^(?P<fence>`{3,})(?P<lang>[\w+-]*)\s*$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
GLUE_PREFIX = "application/papermill.record/"


class UnknownMarkup(ValueError):
    """The chapter uses MyST markup the converter cannot write as Markdown."""


@dataclass(frozen=True)
class Context:
    """What the Markdown needs from outside itself."""

    folder: Path  # the chapter's folder: listings are read relative to it
    glued: Mapping[str, str]  # glued values, by name
    titles: Mapping[str, str]  # a page's title, by its name ({doc})
    sections: Mapping[str, str]  # a section's title, by its label ({ref})
    notebooks: frozenset[str]  # the pages that are learner notebooks too


def glued_values(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """The values a notebook glues (MyST-NB's ``glue``), as the page shows
    them: text without the quotes of its repr."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            text = output["data"][f"{GLUE_PREFIX}text/plain"]
            if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
                text = text[1:-1]
            values[name] = text
    return values


def _role(name: str, text: str, context: Context) -> str:
    if name in ("glue:text", "glue"):
        if text not in context.glued:
            raise UnknownMarkup(f"no glued value named {text!r}")
        return context.glued[text]
    if name == "doc":
        title = context.titles.get(text)
        if title is None:
            raise UnknownMarkup(f"{{doc}} of an unknown page: {text!r}")
        if text in context.notebooks:
            return f"[{title}]({text}.ipynb)"
        return f"*{title}*"
    if name == "ref":
        title = context.sections.get(text)
        if title is None:
            raise UnknownMarkup(f"{{ref}} of an unknown label: {text!r}")
        return f"*{title}* (in the book)"
    if name == "download":
        return text.split("<")[0].strip()
    if name == "math":
        return f"${text}$"
    raise UnknownMarkup(f"the role {{{name}}}")


def inline(text: str, context: Context) -> str:
    """Roles replaced by plain Markdown."""
    return ROLE.sub(lambda m: _role(m.group(1), m.group(2), context), text)


def _listing(argument: str, options: dict, context: Context) -> list[str]:
    path = context.folder / argument
    reader_options = {
        key: (None if value == "" else value)
        for key, value in options.items()
        if key in ("pyobject", "dedent", "lines", "start-after", "end-before")
    }
    if "dedent" in reader_options and reader_options["dedent"] is not None:
        reader_options["dedent"] = int(reader_options["dedent"])
    config = SimpleNamespace(source_encoding="utf-8")
    code, _ = LiteralIncludeReader(str(path), reader_options, config).read()
    named = f"`{argument}`"
    if "pyobject" in options:
        named = f"`{options['pyobject']}` in `{argument}`"
    return [
        f"{named}:",
        "",
        "```python",
        *code.rstrip("\n").split("\n"),
        "```",
    ]


def _quoted(title: str, body: list[str]) -> list[str]:
    lines = [f"**{title}**", ""] if title else []
    lines += body
    return [f"> {line}".rstrip() for line in lines]


DIRECTIVE_TITLES = {
    "note": "Note",
    "tip": "Tip",
    "important": "Important",
    "warning": "Warning",
    "hint": "Hint",
}


def _directive(
    name: str, argument: str, options: dict, body: list[str], context: Context
) -> list[str]:
    if name == "literalinclude":
        return _listing(argument, options, context)
    if name in ("code-block", "code"):
        return [f"```{argument}", *body, "```"]
    if name == "math":
        return ["$$", *body, "$$"]
    if name == "tab-set":
        return markdown_lines(body, context)
    if name == "tab-item":
        return [
            f"**{inline(argument, context)}**",
            "",
            *markdown_lines(body, context),
        ]
    if name in ("admonition", "dropdown"):
        return _quoted(
            inline(argument, context), markdown_lines(body, context)
        )
    if name in DIRECTIVE_TITLES:
        title = inline(argument, context) or DIRECTIVE_TITLES[name]
        return _quoted(title, markdown_lines(body, context))
    if name == "tableofcontents":
        return []
    raise UnknownMarkup(f"the directive {{{name}}}")


def markdown_lines(lines: list[str], context: Context) -> list[str]:
    """MyST Markdown lines as plain Markdown lines."""
    written: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        plain = PLAIN_FENCE.match(line)
        directive = FENCE.match(line)
        if plain:  # code: copied as it stands
            end = _closing(lines, index, plain.group("fence"))
            written += lines[index : end + 1]
            index = end + 1
        elif directive:
            end = _closing(lines, index, directive.group("fence"))
            body = lines[index + 1 : end]
            options = {}
            while body and OPTION.match(body[0]):
                option = OPTION.match(body[0])
                options[option.group("key")] = option.group("value").strip()
                body = body[1:]
            while body and not body[0].strip():
                body = body[1:]
            written += _directive(
                directive.group("name"),
                directive.group("arg").strip(),
                options,
                body,
                context,
            )
            index = end + 1
        elif TARGET.match(line):
            index += 1
        else:
            written.append(inline(line, context))
            index += 1
    return written


def _closing(lines: list[str], start: int, fence: str) -> int:
    for index in range(start + 1, len(lines)):
        if lines[index].strip() == fence:
            return index
    raise UnknownMarkup(f"a fence {fence!r} that is never closed")


def markdown(source: str, context: Context) -> str:
    """A Markdown cell's MyST source as plain Markdown."""
    text = "\n".join(markdown_lines(source.split("\n"), context))
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _listing_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A hidden-input cell that shows a listing, as the listing itself."""
    shown = [
        output["data"]["text/markdown"]
        for output in cell.outputs
        if "text/markdown" in output.get("data", {})
    ]
    if len(shown) != 1:
        raise UnknownMarkup(
            "a remove-input cell that shows no single listing: "
            f"{cell.source.splitlines()[0]!r}"
        )
    return nbformat.v4.new_markdown_cell(shown[0])


def _code_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    kept = copy.deepcopy(cell)
    kept.outputs = coalesce_streams(  # one message per stream, as the page
        [
            output
            for output in kept.outputs
            if "scrapbook" not in output.get("metadata", {})
        ]
    )
    if "hide-cell" in kept.metadata.get("tags", []):  # a solution: folded
        kept.metadata["jupyter"] = {
            "source_hidden": True,
            "outputs_hidden": True,
        }
    kept.metadata.pop("tags", None)  # the build's, not the learner's
    kept.metadata.pop("mystnb", None)
    return kept


def kept_as_code(cell: nbformat.NotebookNode) -> bool:
    """Whether a code cell stays a code cell in the learner's notebook."""
    tags = cell.metadata.get("tags", [])
    if "remove-cell" in tags:
        return KEEP in tags
    return "remove-input" not in tags


def learner_notebook(
    notebook: nbformat.NotebookNode, context: Context
) -> nbformat.NotebookNode:
    """The executed chapter ``notebook`` as its learner's notebook."""
    context = Context(
        context.folder,
        {**context.glued, **glued_values(notebook)},
        context.titles,
        context.sections,
        context.notebooks,
    )
    cells = []
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown":
            text = markdown(cell.source, context)
            if text:
                cells.append(nbformat.v4.new_markdown_cell(text))
        elif kept_as_code(cell):
            cells.append(_code_cell(cell))
        elif "remove-input" in tags:
            cells.append(_listing_cell(cell))
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index}"
    learner = nbformat.v4.new_notebook(cells=cells, metadata={})
    learner.metadata["kernelspec"] = notebook.metadata.get("kernelspec", {})
    learner.metadata["language_info"] = {"name": "python"}
    return learner


MARK = "\x00"  # around a glued value's name while its sentences are found
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _units(text: str) -> list[str]:
    """The sentences of plain Markdown, and each table row as one."""
    units = []
    text = re.sub(r"^(> ?)+", "", text, flags=re.M)  # quotes: their text
    for block in re.split(r"\n\s*\n", text):
        lines = block.split("\n")
        if lines[0].startswith("```"):
            continue
        if lines[0].startswith("|"):
            units += lines
            continue
        paragraph = " ".join(line.strip() for line in lines).strip()
        units += SENTENCE_END.split(re.sub(r"^[-*] ", "", paragraph))
    return units


def as_written(
    notebook: nbformat.NotebookNode, context: Context
) -> dict[str, dict]:
    """What the learner's notebook of the executed chapter ``notebook``
    quotes of its run: each glued value its text shows, and the sentences
    (or table rows) showing it, as the learner reads them."""
    glued = {**context.glued, **glued_values(notebook)}
    marked = Context(
        context.folder,
        {name: f"{MARK}{name}{MARK}" for name in glued},
        context.titles,
        context.sections,
        context.notebooks,
    )
    sentences: dict[str, list[str]] = {}
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for unit in _units(markdown(cell.source, marked)):
            names = re.findall(f"{MARK}(.*?){MARK}", unit)
            text = re.sub(
                f"{MARK}(.*?){MARK}", lambda m: glued[m.group(1)], unit
            )
            for name in names:
                quoting = sentences.setdefault(name, [])
                if text not in quoting:
                    quoting.append(text)
    return {
        "values": {name: glued[name] for name in sorted(sentences)},
        "sentences": dict(sorted(sentences.items())),
    }


def section_titles(pages: list[Path]) -> dict[str, str]:
    """Each ``(label)=`` target of the pages, with the heading it names."""
    titles = {}
    for page in pages:
        lines = page.read_text().splitlines()
        for index, line in enumerate(lines[:-1]):
            target = TARGET.match(line)
            if target and lines[index + 1].startswith("#"):
                titles[target.group(1)] = lines[index + 1].lstrip("#").strip()
    return titles


def page_titles(pages: list[Path]) -> dict[str, str]:
    """Each page's first ``# `` heading, by the page's name."""
    titles = {}
    for page in pages:
        for line in page.read_text().splitlines():
            if line.startswith("# "):
                titles[page.stem] = line.removeprefix("# ").strip()
                break
    return titles


# In the book: its pages, the build's cache of executed chapters, and where
# the download button's copies are served from.
ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
CACHE = ROOT / "_build" / ".jupyter_cache"


def is_notebook(page: Path) -> bool:
    """A page of the book that runs as a notebook: it names a kernel."""
    text = page.read_text()
    return (
        text.startswith("---\n")
        and "\nkernelspec:" in text.split("\n---", 2)[0]
    )


def book_context() -> Context:
    """The book's titles and labels, for the chapters' links."""
    pages = sorted(BOOK.glob("*.md"))
    return Context(
        folder=BOOK,
        glued={},
        titles=page_titles(pages),
        sections=section_titles(pages),
        notebooks=frozenset(p.stem for p in pages if is_notebook(p)),
    )


def executed_by_the_build(markdown: Path) -> nbformat.NotebookNode:
    """The chapter as the build last executed it, from its jupyter cache."""
    import jupytext
    from jupyter_cache import get_cache

    _, merged = get_cache(CACHE).merge_match_into_notebook(
        jupytext.read(markdown)
    )
    return merged


def write(notebook: nbformat.NotebookNode, target: Path) -> None:
    """Write a learner's notebook, as nbformat writes it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)


def serve_learner_notebooks(app, exception) -> None:
    """The download button's copy of each chapter: its learner's notebook,
    made from this build's own run; and beside it the chapter's workbook."""
    if exception is not None:
        return
    if str(BOOK) not in sys.path:  # the package, as the chapters import it
        sys.path.insert(0, str(BOOK))
    import workbooks

    context = book_context()
    served = Path(app.outdir) / "_sources" / "book"
    for page in sorted(BOOK.glob("*.md")):
        if page.stem in context.notebooks:
            executed = executed_by_the_build(page)
            learner = learner_notebook(executed, context)
            write(learner, served / f"{page.stem}.ipynb")
            if page.stem in workbooks.WORKBOOKS:
                write(
                    workbooks.chapter_workbook(executed, context, page.stem),
                    workbooks.path_of(served / page.name),
                )


def setup(app) -> dict:
    app.connect("build-finished", serve_learner_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
