"""Opening the built site as a reader does: served locally, in Chromium.

Shared by the page tests. The fixtures ``site`` and ``browser`` that use
these live in conftest.py.
"""

import contextlib
import functools
import http.server
import os
import threading
from pathlib import Path

from paths import HTML, ROOT

SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = sorted(
    str(path.relative_to(HTML))
    for path in HTML.rglob("*.html")
    if "_static" not in path.parts
)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def end_headers(self) -> None:
        # Lets LinkChecker exceed 10 requests per second (tests/linkcheckerrc).
        self.send_header("LinkChecker", "local test server")
        super().end_headers()


@contextlib.contextmanager
def serve(directory: Path, handler_class=QuietHandler):
    """Serve a folder over HTTP on a free local port; yield its base URL."""
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


# One browser context per kind of browser (mobile, touch), shared by the
# visits that ask for the same: like a reader's browser, it keeps its cache,
# so each page does not fetch and compile the theme's and MathJax's scripts
# again (that cost two thirds of the page tests' time). The width and the
# colour scheme are set on each tab.
_CONTEXTS: dict[tuple, object] = {}


def shared_context(browser, **options):
    key = (id(browser), repr(sorted(options.items())))
    if key not in _CONTEXTS:
        # Every shared context lets the copy buttons use the clipboard.
        _CONTEXTS[key] = browser.new_context(
            permissions=["clipboard-read", "clipboard-write"], **options
        )
    return _CONTEXTS[key]


class Visit:
    """A page opened in a new tab, with its console errors and requests.

    It is ready once loaded and typeset. ``settle="networkidle"`` also
    waits until nothing more is fetched. The tab opens in a shared context:
    cache warm, storage cleared after each visit.
    """

    def __init__(
        self,
        browser,
        url: str,
        settle: str = "load",
        viewport: dict | None = None,
        color_scheme: str | None = None,
        **context,
    ) -> None:
        self.context = shared_context(browser, **context)
        self.page = self.context.new_page()
        self.page.set_viewport_size(viewport or {"width": 1280, "height": 720})
        if color_scheme:
            self.page.emulate_media(color_scheme=color_scheme)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.errors.append(m.text),
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        if 'http-equiv="refresh"' in self.context.request.get(url).text():
            self.page.goto(url, wait_until="commit")  # a redirect: follow it
            self.page.wait_for_url(lambda now: now != url, wait_until=settle)
        else:
            self.page.goto(url, wait_until=settle)
        if self.page.evaluate("typeof MathJax !== 'undefined'"):
            self.page.evaluate("MathJax.startup.promise")

    def __enter__(self) -> "Visit":
        return self

    def __exit__(self, *exc) -> None:
        try:  # what a visit chose (the colour mode) must not carry over
            self.page.evaluate("localStorage.clear(); sessionStorage.clear()")
            self.page.close()
        except Exception:  # a page gone or mid-navigation: drop its context
            for key, context in list(_CONTEXTS.items()):
                if context is self.context:
                    del _CONTEXTS[key]
            self.context.close()


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under _build/screenshots for a person.

    Only under `make screenshots` (SCREENSHOTS=1): a person looks at them,
    no test does, and encoding tall pages costs a third of the page tests.
    """
    if not os.environ.get("SCREENSHOTS"):
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
