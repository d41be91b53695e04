"""A chapter's weight on a phone: what it transfers and when it first paints.

The built site is served as a static host serves it (text gzipped, images
as they are) and opened in Chromium as a phone on a slow connection: 150 ms
latency, 1.6 Mbit/s each way and a CPU four times slower than this one's. A
fresh browser context per page, so nothing comes from a cache.

`make bench` reports these rows; `python scripts/phone_load.py` prints them
alone for the built site in _build/html.
"""

from __future__ import annotations

import dataclasses
import gzip
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "book" / "_ext"), str(ROOT / "tests")]

from browser import (  # noqa: E402  the page tests' server and browser
    CHROMIUM,
    CHROMIUM_ARGS,
    HTML,
    QuietHandler,
    serve,
)
from course_site import FILM_FRAMES  # noqa: E402  where the site keeps them

CHAPTERS = ["book/scratch_mlp.html", "book/pytorch_mlp.html"]
# What static hosts (GitHub Pages, Netlify, nginx's gzip_static) compress:
# text. PNG and WOFF2 are compressed already.
GZIPPED = {".html", ".css", ".js", ".json", ".svg", ".txt", ".xml", ".map"}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
SLOW_NETWORK = {  # Chromium's DevTools protocol: bytes per second
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 1_600_000 / 8,
}
SLOWER_CPU = 4


class GzipHandler(QuietHandler):
    """Serves text files gzipped to a client that accepts it, as a static
    host does; everything else as it is."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in GZIPPED and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)


class _Body:
    """A response body already in memory, read as send_head's file is."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *args) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def serve_gzipped(directory: Path):
    """Serve ``directory`` as a static host does; yield its base URL."""
    return serve(directory, GzipHandler)


@dataclass
class Load:
    """One page's load on the slow phone."""

    first_paint_s: float  # first contentful paint, from navigation start
    load_s: float  # the load event
    requests: int  # until the load event
    transferred: int  # bytes over the wire until the load event
    html: int  # of those, the page's own HTML
    frames: int  # film-frame requests until the load event
    films_transferred: int  # bytes more once the reader reaches each film


def measure(
    browser,
    url: str,
    network: dict | None = SLOW_NETWORK,
    cpu: int = SLOWER_CPU,
) -> Load:
    """Open ``url`` on a phone in a fresh context, on ``network`` (None: as
    fast as it goes) with the CPU ``cpu`` times slower, then scroll to each
    film (if any) and let it load."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if network:
        cdp.send("Network.emulateNetworkConditions", network)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.requestWillBeSent",
        lambda event: urls.__setitem__(
            event["requestId"], event["request"]["url"]
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda event: sizes.__setitem__(
            event["requestId"], int(event["encodedDataLength"])
        ),
    )
    page.goto(url, wait_until="load", timeout=180_000)
    # A small page may load before its first paint.
    page.wait_for_function(
        "performance.getEntriesByName('first-contentful-paint').length"
    )
    timing = page.evaluate(
        """() => [performance.getEntriesByName("first-contentful-paint")[0]
                    .startTime,
                  performance.getEntriesByType("navigation")[0]
                    .loadEventStart]"""
    )
    at_load = dict(sizes)
    ids = [request for request in urls if request in at_load]
    html = next(at_load[i] for i in ids if urls[i].split("#")[0] == url)
    frames = sum(f"/{FILM_FRAMES}/" in urls[i] for i in ids)
    films = page.locator(".film")
    for index in range(films.count()):
        films.nth(index).scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle", timeout=180_000)
    context.close()
    return Load(
        first_paint_s=timing[0] / 1000,
        load_s=timing[1] / 1000,
        requests=len(at_load),
        transferred=sum(at_load.values()),
        html=html,
        frames=frames,
        films_transferred=sum(sizes.values()) - sum(at_load.values()),
    )


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def median_load(measured: list[Load]) -> Load:
    """Each field's median over several loads of one page."""
    return Load(
        *(
            statistics.median(getattr(load, field.name) for load in measured)
            for field in dataclasses.fields(Load)
        )
    )


def loads(directory: Path = HTML, runs: int = 3) -> dict[str, Load]:
    """Each chapter's load on the slow phone, from the built ``directory``:
    the median of ``runs`` loads."""
    with serve_gzipped(directory) as site, chromium() as browser:
        return {
            path: median_load(
                [measure(browser, f"{site}/{path}") for _ in range(runs)]
            )
            for path in CHAPTERS
        }


def main() -> int:
    for path, load in loads(runs=1).items():
        print(path, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
