"""Showing the course's own code inside a notebook."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

from IPython.display import Markdown

PACKAGE_ROOT = Path(__file__).resolve().parent


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
    """Hand measured values to the page's prose (MyST-NB's ``glue``).

    The book's build has MyST-NB; a notebook opened in plain Jupyter does
    not, and there the prose shows the names of the values instead. Text
    is glued as text: MyST-NB strips the quotes of its ``repr``.
    """
    try:
        from myst_nb import glue
    except ImportError:
        return
    for name, text in values.items():
        glue(name, str(text), display=False)
