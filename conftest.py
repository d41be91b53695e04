"""Test-run hooks for the whole repository: nbval's cells live in book/."""

import pytest

STALE = (
    "\n\nThis cell no longer prints what its reference notebook holds. If "
    "the change is intended (a setting, the helper package, the chapter, "
    "or book/data after `make bench`), refresh the references with "
    "`make notebooks` and commit book/*.ipynb; if not, the change broke it."
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Say what to do when nbval finds a stale reference notebook."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and type(item).__name__ == "IPyNbCell":
        report.longrepr = f"{report.longrepr}{STALE}"
