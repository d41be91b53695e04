"""The built site, read as a learner reads it: in headless Chromium, offline.

Every page is served from a local HTTP server and opened in Debian's
Chromium, driven by Playwright (tests/browser.py). The checks of each page
at phone, tablet and desktop width, with their screenshots, are in
test_devices.py: the desktop visit also checks that the page rendered
whole and offline.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from browser import HTML, PAGES, Visit, screenshot, serve
from paths import ROOT
from PIL import Image


def test_every_built_page_is_checked():
    assert {"book/intro.html", "book/scratch_mlp.html"} <= set(PAGES)
    assert "book/pytorch_mlp.html" in PAGES and len(PAGES) >= 6
    assert "book/going_further.html" in PAGES


def test_next_links_walk_through_every_chapter(site, browser):
    with Visit(browser, f"{site}/index.html") as visit:
        seen = [urlparse(visit.page.url).path]
        while visit.page.locator("a.right-next").count():
            visit.page.locator("a.right-next").first.click()
            visit.page.wait_for_load_state()
            seen.append(urlparse(visit.page.url).path)
        assert seen == [
            "/book/intro.html",
            "/book/scratch_mlp.html",
            "/book/pytorch_mlp.html",
            "/book/going_further.html",
        ]
        for _ in seen[1:]:
            visit.page.locator("a.left-prev").first.click()
            visit.page.wait_for_load_state()
        assert urlparse(visit.page.url).path == "/book/intro.html"


def test_launch_and_download_buttons():
    """The links behind the header's menus (test_devices opens the menus)."""
    page = (HTML / "book" / "scratch_mlp.html").read_text(encoding="utf-8")
    links = re.findall(r'<a[^>]+href="([^"]+)"', page)
    repository = "github.com/mlp-course/mlp-twice"
    assert any(
        "colab.research.google.com/github/mlp-course/mlp-twice/blob/main/"
        "book/scratch_mlp.ipynb" in link
        for link in links
    )
    assert any(
        "mybinder.org/v2/gh/mlp-course/mlp-twice/main" in link
        for link in links
    )
    assert any(link.endswith(f"{repository}") for link in links)
    assert any(f"{repository}/issues" in link for link in links)
    downloads = [link for link in links if "/_sources/" in link]
    assert {Path(d).suffix for d in downloads} >= {".ipynb", ".md"}


def test_dark_mode_keeps_figures_on_a_light_background(site, browser):
    url = f"{site}/book/pytorch_mlp.html"
    with Visit(browser, url, color_scheme="dark") as visit:
        theme = visit.page.evaluate("document.documentElement.dataset.theme")
        assert theme == "dark"
        figure = visit.page.locator("img[src*='_images/']").first
        assert "invert" not in figure.evaluate(
            "i => getComputedStyle(i).filter"
        )
        source = figure.get_attribute("src")
        with Image.open(HTML / "book" / source) as png:
            assert png.convert("RGBA").getpixel((0, 0)) == (255, 255, 255, 255)
        screenshot(visit.page, "pytorch_mlp-dark")


def check_links(start: str, *options: str) -> subprocess.CompletedProcess:
    """LinkChecker from ``start``: every link on the same host, none outside.

    The site is checked over HTTP: as root, LinkChecker drops to the user
    nobody, who may not be allowed to read the build folder directly.
    """
    linkchecker = shutil.which(
        "linkchecker", path=str(Path(sys.executable).parent)
    )
    assert linkchecker, "linkchecker is not installed in this environment"
    return subprocess.run(
        [
            linkchecker,
            "--config",
            str(ROOT / "tests" / "linkcheckerrc"),
            "--no-status",
            "--no-warnings",
            *options,
            start,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_internal_links_resolve(site):
    result = check_links(f"{site}/index.html")
    assert result.returncode == 0, result.stdout[-3000:]
    checked = re.search(r"(\d+) links? in (\d+) URLs? checked", result.stdout)
    assert checked and int(checked.group(2)) > 50, result.stdout[-1000:]


def test_link_check_notices_a_missing_page(tmp_path):
    """The same check, on a copy of the site that lacks a chapter (from the
    page that links to it: the whole site was checked above)."""
    copy = tmp_path / "html"
    shutil.copytree(HTML, copy)
    (copy / "book" / "pytorch_mlp.html").unlink()
    with serve(copy) as url:
        result = check_links(
            f"{url}/book/scratch_mlp.html", "--recursion-level=1"
        )
    assert result.returncode == 1
    assert "pytorch_mlp.html" in result.stdout
