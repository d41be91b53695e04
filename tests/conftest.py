"""Shared test set-up: a non-interactive plotting backend and reproducible Hypothesis runs."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

# derandomize: the same examples on every run, so a failure reproduces.
settings.register_profile(
    "course", max_examples=40, deadline=None, derandomize=True
)
settings.load_profile("course")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def site():
    """The built book, served over HTTP on localhost; yields its base URL."""
    from browser import HTML, serve

    assert (HTML / "index.html").exists(), "run `make book` first"
    with serve(HTML) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    from browser import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the page tests need Debian's Chromium "
            "(apt-get install -y chromium, as .ci/run does, or set CHROMIUM)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
