"""The converter from MyST chapters to learner's notebooks
(book/_ext/learner_notebooks.py), on small hand-made cells."""

from pathlib import Path

import learner_notebooks as learner
import nbformat
import pytest

LISTED = '''\
"""A module to list."""


class Layer:
    """A layer."""

    def forward(self, x):
        return x + 1
'''


@pytest.fixture
def context(tmp_path: Path) -> learner.Context:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "layer.py").write_text(LISTED)
    return learner.Context(
        folder=tmp_path,
        glued={"points": "100", "rate": "0.05"},
        titles={"one": "1. One", "intro": "The course"},
        sections={"run-it": "Running it"},
        notebooks=frozenset({"one"}),
    )


@pytest.mark.parametrize(
    "source, expected",
    [
        ("It has {glue:text}`points` points.", "It has 100 points."),
        ("Rate {glue:text}`rate`, {glue:text}`points`.", "Rate 0.05, 100."),
        ("See {doc}`one`.", "See [1. One](one.ipynb)."),
        ("See {doc}`intro`.", "See *The course*."),
        ("See {ref}`run-it`.", "See *Running it* (in the book)."),
        ("Get {download}`the zip </_build/x.zip>`.", "Get the zip."),
        ("Inline {math}`x^2` math.", "Inline $x^2$ math."),
        ("(run-it)=\n## Running it", "## Running it"),
        ("Plain `code` and $x$ stay.", "Plain `code` and $x$ stay."),
    ],
)
def test_roles_and_targets_become_plain_markdown(context, source, expected):
    assert learner.markdown(source, context) == expected


def test_a_listing_is_code_with_its_file_and_object_named(context):
    source = (
        "```{literalinclude} pkg/layer.py\n"
        ":pyobject: Layer.forward\n"
        ":dedent:\n"
        ":caption: pkg/layer.py\n"
        "```"
    )
    assert learner.markdown(source, context) == (
        "`Layer.forward` in `pkg/layer.py`:\n\n"
        "```python\ndef forward(self, x):\n    return x + 1\n```"
    )


def test_both_halves_of_a_tab_set_are_shown_each_labelled(context):
    source = (
        "::::{tab-set}\n:sync-group: impl\n\n"
        ":::{tab-item} NumPy (chapter 1)\n:sync: numpy\n\nThe NumPy half.\n:::\n\n"
        ":::{tab-item} PyTorch\n:sync: pytorch\n\nThe PyTorch half.\n:::\n"
        "::::"
    )
    assert learner.markdown(source, context) == (
        "**NumPy (chapter 1)**\n\nThe NumPy half.\n\n"
        "**PyTorch**\n\nThe PyTorch half."
    )


@pytest.mark.parametrize("name", ["admonition", "dropdown"])
def test_admonitions_and_dropdowns_are_quoted_under_their_title(context, name):
    source = f":::{{{name}}} What it shows\n:class: tip\n\nLine one\nline {{glue:text}}`points`\n:::"
    assert learner.markdown(source, context) == (
        "> **What it shows**\n>\n> Line one\n> line 100"
    )


def test_plain_code_fences_are_copied_untouched(context):
    source = "```bash\nmake lab  # {glue:text}`points` stays\n```"
    assert learner.markdown(source, context) == source


@pytest.mark.parametrize(
    "source, named",
    [
        ("{unknown}`x`", "the role {unknown}"),
        ("```{figure} a.png\n```", "the directive {figure}"),
        ("{glue:text}`missing`", "no glued value named 'missing'"),
        ("{doc}`nowhere`", "unknown page: 'nowhere'"),
        (":::{note}\nnever closed", "never closed"),
    ],
)
def test_unknown_markup_stops_the_converter_naming_it(context, source, named):
    with pytest.raises(learner.UnknownMarkup, match=named):
        learner.markdown(source, context)


def executed(cells: list) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3"}
    return notebook


def glue_output(name: str, text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output(
        "display_data",
        data={f"{learner.GLUE_PREFIX}text/plain": repr(text)},
        metadata={
            "scrapbook": {"name": name, "mime_prefix": learner.GLUE_PREFIX}
        },
    )


def code(source, tags=(), outputs=(), **metadata):
    cell = nbformat.v4.new_code_cell(source, metadata=dict(metadata))
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.outputs = list(outputs)
    cell.execution_count = 1
    return cell


def test_a_chapter_becomes_plain_cells_without_its_build_machinery(context):
    listing = nbformat.v4.new_output(
        "display_data",
        data={"text/markdown": "`f` in `m.py`:\n\n```python\nf()\n```"},
    )
    printed = nbformat.v4.new_output("stream", name="stdout", text="42\n")
    notebook = executed(
        [
            code("fetch_on_colab()", tags=["remove-cell", "learner"]),
            code(
                "glue_prose({'points': '7'})",
                ["remove-cell"],
                [glue_output("points", "7")],
            ),
            nbformat.v4.new_markdown_cell(
                "It has {glue:text}`points` points."
            ),
            code("show_source(f)", ["remove-input"], [listing]),
            code("print(6 * 7)", outputs=[printed, glue_output("rate", "1")]),
            code(
                "solve()", ["hide-cell"], mystnb={"code_prompt_show": "Show"}
            ),
        ]
    )
    cells = learner.learner_notebook(notebook, context).cells
    assert [(c.cell_type, c.source) for c in cells] == [
        ("code", "fetch_on_colab()"),
        ("markdown", "It has 7 points."),  # the notebook's own glue wins
        ("markdown", "`f` in `m.py`:\n\n```python\nf()\n```"),
        ("code", "print(6 * 7)"),
        ("code", "solve()"),
    ]
    assert "tags" not in cells[0].metadata
    assert cells[3].outputs == [printed]  # the glue output is gone
    assert cells[4].metadata["jupyter"] == {
        "source_hidden": True,
        "outputs_hidden": True,
    }
    assert "mystnb" not in cells[4].metadata
    assert [c.id for c in cells] == [f"cell-{i}" for i in range(5)]


def test_a_hidden_input_cell_must_show_one_listing(context):
    notebook = executed([code("x = 1", ["remove-input"])])
    with pytest.raises(learner.UnknownMarkup, match="no single listing"):
        learner.learner_notebook(notebook, context)


def test_glued_values_lose_the_quotes_of_their_repr():
    notebook = executed(
        [
            code(
                "g()",
                outputs=[glue_output("a", "1,000"), glue_output("b", "it's")],
            )
        ]
    )
    assert learner.glued_values(notebook) == {"a": "1,000", "b": "it's"}


def test_titles_and_labels_are_read_from_the_pages(tmp_path):
    page = tmp_path / "intro.md"
    page.write_text("# The course\n\ntext\n\n(run-it)=\n## Running it\n")
    assert learner.page_titles([page]) == {"intro": "The course"}
    assert learner.section_titles([page]) == {"run-it": "Running it"}


def test_what_the_text_quotes_is_recorded_with_each_sentence(context):
    """The record a learner's run compares with: each glued value the
    Markdown shows, and each sentence (or table row) showing it, written
    as the learner reads it."""
    chapter = executed(
        [
            code("glue", outputs=[glue_output("epochs", "500")]),
            nbformat.v4.new_markdown_cell(
                "It has {glue:text}`points` points. Its rate is\n"
                "{glue:text}`rate`, for {glue:text}`epochs` epochs. No value."
                "\n\n| rate | {glue:text}`rate` |\n|---|---|\n\n"
                ":::{note}\nA quoted {glue:text}`points`.\n:::"
            ),
            nbformat.v4.new_markdown_cell("Again {glue:text}`points` points."),
        ]
    )
    record = learner.as_written(chapter, context)
    assert record["values"] == {
        "epochs": "500",
        "points": "100",
        "rate": "0.05",
    }
    assert record["sentences"] == {
        "epochs": ["Its rate is 0.05, for 500 epochs."],
        "points": ["It has 100 points.", "A quoted 100.", "Again 100 points."],
        "rate": ["Its rate is 0.05, for 500 epochs.", "| rate | 0.05 |"],
    }
