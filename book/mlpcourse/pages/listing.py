"""Showing the course's own code inside a notebook."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

from IPython.display import Markdown

from .claims import strict

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


def glue_prose(values: dict[str, str]) -> None:
    """Hand measured values to the page's prose (MyST-NB's ``glue``), in
    the book's build only (``claims.strict``).

    A learner's notebook has the values written into its text already, so
    there this does nothing. Text is glued as text: MyST-NB strips the
    quotes of its ``repr``.
    """
    if not strict():
        return
    from myst_nb import glue  # the build's, not the learner's, package

    for name, text in values.items():
        glue(name, str(text), display=False)
