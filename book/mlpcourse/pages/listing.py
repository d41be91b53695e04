"""Showing the course's own code inside a notebook."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Mapping
from pathlib import Path

from IPython.display import Markdown

from .claims import strict, values_hold

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # mlpcourse


def show_source(obj: object) -> Markdown:
    """The source of a function, class or method, as a highlighted code block.

    The block is read from the package at run time, so the page always shows
    the code that actually ran.
    """
    try:
        source = inspect.getsource(obj)
        path = Path(inspect.getsourcefile(obj)).resolve()
    except TypeError as error:
        raise TypeError(
            "obj must be a function, class or method, "
            f"got {type(obj).__name__}"
        ) from error
    location = f"{PACKAGE_ROOT.name}/{path.relative_to(PACKAGE_ROOT)}"
    return Markdown(
        f"`{obj.__qualname__}` in `{location}`:\n\n"
        f"```python\n{textwrap.dedent(source)}```"
    )


def glue_prose(values: Mapping[str, object], *, page: str) -> None:
    """Hand values to the prose of ``page`` (MyST-NB's ``glue``).

    In the book's build (``claims.strict``) they are glued into the text.
    A learner's notebook has the build's values written into its text
    already: there, a note lists each sentence quoting a value that this
    run changed (``claims.values_hold``). Text is glued as text: MyST-NB
    strips the quotes of its ``repr``.
    """
    if not strict():
        values_hold(page, values)
        return
    from myst_nb import glue  # the build's, not the learner's, package

    for name, text in values.items():
        glue(name, str(text), display=False)
