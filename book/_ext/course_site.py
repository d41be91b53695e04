"""Small fixes to the generated pages, as a local Sphinx extension."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import os
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from docutils import nodes
from myst_nb.core import render as myst_nb_render
from myst_nb.core.utils import coalesce_streams
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from PIL import Image, ImageDraw
from sphinx.application import Sphinx

STATIC = Path(__file__).resolve().parents[1] / "_static"
SVG = "{http://www.w3.org/2000/svg}"
ENDS = ("x1", "y1", "x2", "y2")


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


def merge_streams(outputs: list) -> list:
    """A cell's outputs with its stream messages merged, one per stream,
    written back into the cell's own list.

    How a kernel splits one cell's printing into messages depends on timing.
    MyST-NB's ``nb_merge_streams`` merges them for the page, but it edits the
    first message in place and leaves the later ones in the notebook it then
    writes out (the download button's copy), which so printed lines twice.
    Merging into the cell's list makes the page and that copy the same,
    whatever the timing.
    """
    outputs[:] = coalesce_streams(outputs)
    return outputs


def use_merge_streams() -> None:
    """Make MyST-NB's renderer merge streams with ``merge_streams``."""
    if myst_nb_render.coalesce_streams is not coalesce_streams:
        raise RuntimeError(
            "MyST-NB's renderer no longer calls coalesce_streams: check "
            "that the written notebooks print each line once"
        )
    myst_nb_render.coalesce_streams = merge_streams


def link_figures_to_full_size(app: Sphinx, doctree: nodes.document) -> None:
    """Let a reader open every figure at full size.

    Sphinx wraps an image in a link to its file when the image has a width
    (``html_scaled_image_link``); 100% is also what the page draws, capped by
    course.css, so marking each notebook figure that way changes nothing else.
    """
    for output in doctree.findall(nodes.container):
        if "cell_output" in output["classes"]:
            for image in output.findall(nodes.image):
                image.setdefault("width", "100%")


def visit_folded_cell(translator: Any, node: HideCodeCellNode) -> None:
    """MyST-NB's folded cell (the exercise solutions), named by its prompt.

    MyST-NB labels every such toggle "Toggle hidden content", which hides
    the prompt a reader sees ("Show the solution") from screen readers and
    contradicts it (axe's label-content-name-mismatch).
    """
    classes = " ".join(node["classes"])
    translator.body.append(
        f'<details class="admonition hide {classes}">\n<summary>\n'
        '<p class="collapsed admonition-title">'
        f"{html.escape(node['prompt_show'])}</p>\n"
        '<p class="expanded admonition-title">'
        f"{html.escape(node['prompt_hide'])}</p>\n</summary>\n"
    )


# A film frame embedded in a page (matplotlib's player, as
# mlpcourse.pages.film writes it): base64, its lines ended by backslashes.
EMBEDDED_FRAME = re.compile(
    r'(frames\[\d+\] = )"data:image/png;base64,((?:[A-Za-z0-9+/=]|\\\n)+)"'
)
FILM_FRAMES = "_images/films"


def film_frames_as_files(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Move each film's embedded frames out of the page, into image files.

    A notebook keeps its films whole, to play offline; on the site they
    were most of a chapter's weight (1.4 MB of 2 MB), fetched before the
    first paint. As files, named by their contents, a film's frames are
    fetched only when the player starts, as the reader comes near it.
    """
    body = context.get("body", "")
    if "frames[0] = " not in body:
        return
    folder = Path(app.outdir, FILM_FRAMES)
    folder.mkdir(parents=True, exist_ok=True)

    def as_file(match: re.Match) -> str:
        png = base64.b64decode(match[2].replace("\\\n", ""))
        name = f"{hashlib.sha256(png).hexdigest()[:32]}.png"
        path = folder / name
        if not path.exists():
            path.write_bytes(png)
        url = context["pathto"](f"{FILM_FRAMES}/{name}", 1)
        return f'{match[1]}"{url}"'

    context["body"] = EMBEDDED_FRAME.sub(as_file, body)


# pydata-sphinx-theme's icon script: 1.5 MB (0.54 MB gzipped), the most a
# page loaded after its films. It redraws as SVG the icons that the theme's
# stylesheet already draws from the Font Awesome web fonts, which every
# page loads anyway; the theme ships it for custom icon links, and this
# site has none.
ICON_SCRIPT = re.compile(
    r'<script defer src="[./]*_static/scripts/fontawesome\.js\?digest=\w+">'
    r"</script>\n?"
)


def drop_icon_script(app: Sphinx, exception: Exception | None) -> None:
    """Take the theme's icon script out of every page (a page Sphinx did
    not write again this time has lost it already)."""
    if exception is not None or app.builder.format != "html":
        return
    for path in Path(app.outdir).rglob("*.html"):
        page, found = ICON_SCRIPT.subn("", path.read_text(encoding="utf-8"))
        if found:
            path.write_text(page, encoding="utf-8")


def write_redirect_page(app: Sphinx, exception: Exception | None) -> None:
    """The site's index.html: a redirect to the first page, with a title.

    sphinx-external-toc writes a bare ``<meta>`` redirect here unless the file
    exists, so this runs first and writes a complete page instead.
    """
    if exception is not None or app.builder.format != "html":
        return
    target = f"{app.config.root_doc}.html"
    title = html.escape(app.config.html_title or app.config.project)
    language = app.config.language or "en"
    (Path(app.outdir) / "index.html").write_text(
        f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0; url={target}">
<title>{title}</title>
<link rel="canonical" href="{target}">
<link rel="icon" href="_static/favicon.svg" type="image/svg+xml">
</head>
<body>
<main><p><a href="{target}">{title}</a></p></main>
</body>
</html>
""",
        encoding="utf-8",
    )


def favicon_ico(svg: Path, size: int = 32) -> bytes:
    """Rasterise the favicon's lines and circles into an ICO file.

    Browsers that ignore ``<link rel="icon">`` ask for /favicon.ico; drawing
    it from favicon.svg keeps one source for both.
    """
    root = ElementTree.parse(svg).getroot()
    scale = 8 * size / float(root.get("viewBox").split()[2])
    image = Image.new("RGBA", (8 * size, 8 * size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    for group in root.iter(f"{SVG}g"):
        stroke = group.get("stroke")
        width = round(float(group.get("stroke-width", "1")) * scale)
        for line in group.iter(f"{SVG}line"):
            ends = [float(line.get(k)) * scale for k in ENDS]
            draw.line(ends, fill=stroke, width=width)
        for circle in group.iter(f"{SVG}circle"):
            x, y, r = (float(circle.get(k)) * scale for k in ("cx", "cy", "r"))
            draw.ellipse(
                (x - r, y - r, x + r, y + r),
                fill=group.get("fill"),
                outline=stroke,
                width=width,
            )
    buffer = io.BytesIO()
    image.resize((size, size), Image.LANCZOS).save(buffer, format="ICO")
    return buffer.getvalue()


def write_favicon_ico(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        ico = favicon_ico(STATIC / "favicon.svg")
        (Path(app.outdir) / "favicon.ico").write_bytes(ico)


# The chapters' kernels inherit this: in the build, a sentence that no
# longer matches its measurement stops the build (mlpcourse.pages.claims);
# a learner's own run shows a note instead.
STRICT_CLAIMS = "MLPCOURSE_STRICT_CLAIMS"


def setup(app: Sphinx) -> dict[str, Any]:
    os.environ[STRICT_CLAIMS] = "1"
    use_merge_streams()
    # Late, after every other extension has added its scripts to the page.
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    app.connect("html-page-context", film_frames_as_files)
    app.connect("build-finished", drop_icon_script)
    app.connect("doctree-read", link_figures_to_full_size)
    # Before sphinx-external-toc's own redirect (priority 500).
    app.connect("build-finished", write_redirect_page, priority=400)
    app.connect("build-finished", write_favicon_ico)
    app.add_node(
        HideCodeCellNode,
        override=True,
        html=(visit_folded_cell, depart_HideCellInput),
    )
    app.add_css_file("course.css")
    app.add_js_file("course.js", loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
