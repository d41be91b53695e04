"""Small fixes to the generated pages, as a local Sphinx extension."""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def drop_repeated_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Write each script once.

    sphinx-thebe and sphinx-togglebutton add inline scripts once the HTML
    builder exists; Sphinx 7.4 then holds each twice, once with the file name
    ``None`` and once with ``""``, so its own duplicate check misses them. The
    second ``const THEBE_JS_URL`` throws a SyntaxError in every page's console.
    """
    unique = {}
    for script in context.get("script_files", []):
        attributes = tuple(sorted(script.attributes.items()))  # body included
        unique.setdefault((script.filename or "", attributes), script)
    context["script_files"] = list(unique.values())


def setup(app: Sphinx) -> dict[str, Any]:
    # Late, after every other extension has added its scripts to the page.
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
