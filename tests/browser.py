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

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
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
def serve(directory: Path):
    """Serve a folder over HTTP on a free local port; yield its base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


class Visit:
    """A page opened in a fresh tab, with its console errors and requests."""

    def __init__(self, browser, url: str, **context) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.errors.append(m.text),
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url, wait_until="networkidle")
        if self.page.evaluate("typeof MathJax !== 'undefined'"):
            self.page.evaluate("MathJax.startup.promise")

    def __enter__(self) -> "Visit":
        return self

    def __exit__(self, *exc) -> None:
        self.context.close()


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under _build/screenshots for a person."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
