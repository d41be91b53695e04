"""Test-run hooks for the whole repository.

nbval runs the notebooks of the course bundle, unpacked afresh: the zip a
learner downloads, whose notebooks are the chapters' references
(book/*.ipynb) as `make book` packed them.
"""

import os
import shutil
import zipfile

import pytest
from course_bundle import BUNDLE, FOLDER

# One thread per process. pytest-xdist runs a worker per core, and nbval a
# kernel per notebook; OpenMP's extra threads would spin waiting for work
# and slow every process down (PyTorch's steps by 2-3x). The numbers do not
# change: the build runs with all threads and prints what nbval checks.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# nbval runs the learner's notebooks as a learner does: a sentence that no
# longer holds shows a note there, and the build's glue is not written. The
# build's strictness (MLPCOURSE_STRICT_CLAIMS) must not leak in from a
# caller, such as make bench, that executed the chapters first.
os.environ.pop("MLPCOURSE_STRICT_CLAIMS", None)

STALE = (
    "\n\nThis cell no longer prints what its reference notebook holds. If "
    "the change is intended (a setting, the helper package, the chapter, "
    "or book/data after `make bench`), refresh the references with "
    "`make notebooks` and commit book/*.ipynb; `make test` packs them into "
    "the course bundle, whose copies nbval runs. If not, the change broke it."
)
UNPACKED = BUNDLE.parent / FOLDER


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Say what to do when nbval finds a stale reference notebook."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and type(item).__name__ == "IPyNbCell":
        report.longrepr = f"{report.longrepr}{STALE}"


# Files whose tests go to one worker together: the build tests share two
# builds (module fixtures), which each worker would otherwise make again.
KEPT_TOGETHER = ("tests/test_build.py",)


class NotebooksWhole:
    """Spread tests over the cores one by one, except a notebook's cells:
    those share one kernel and each needs the ones before it, so a notebook
    goes to one worker whole, in order (pytest-xdist's hook). The files in
    KEPT_TOGETHER go whole too."""

    @staticmethod
    def pytest_xdist_make_scheduler(config, log):
        from xdist.scheduler import LoadScopeScheduling

        class NotebookScheduling(LoadScopeScheduling):
            def _split_scope(self, nodeid: str) -> str:
                path = nodeid.split("::", 1)[0]
                whole = path.endswith(".ipynb") or path in KEPT_TOGETHER
                return path if whole else nodeid

        return NotebookScheduling(config, log)


def unpack_bundle() -> None:
    """Unpack the built bundle into an empty folder, as a learner would."""
    if not BUNDLE.exists():
        raise pytest.UsageError(
            f"No course bundle at {BUNDLE}: run `make book` (or `make test`)"
            " first. nbval runs the notebooks it holds."
        )
    shutil.rmtree(UNPACKED, ignore_errors=True)
    with zipfile.ZipFile(BUNDLE) as bundle:
        bundle.extractall(BUNDLE.parent)


def pytest_ignore_collect(collection_path, config):
    """nbval compares each cell with the output its notebook holds; a
    workbook holds none, for the learner writes its code (its runs:
    tests/test_workbooks.py)."""
    if collection_path.name.endswith("_workbook.ipynb"):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    """The tests that run a whole notebook (marked ``notebook_run``) go
    first, right after nbval's notebooks: started early, they run beside
    the many short tests instead of after them, on a core of their own."""

    def runs_long(item) -> bool:
        return type(item).__name__ == "IPyNbCell" or bool(
            item.get_closest_marker("notebook_run")
        )

    items.sort(key=lambda item: not runs_long(item))  # stable: in order


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "notebook_run: runs a whole notebook (a minute or less)"
    )
    if config.pluginmanager.hasplugin("xdist"):  # absent with -p no:xdist
        config.pluginmanager.register(NotebooksWhole())
    # A whole run (no paths named) starts with the bundle's notebooks, so
    # that their long runs start at once. The main process unpacks them,
    # before xdist starts its workers; each worker collects them too.
    if config.args_source is pytest.Config.ArgsSource.TESTPATHS:
        if not hasattr(config, "workerinput"):
            unpack_bundle()
        config.args.insert(0, str(UNPACKED.relative_to(config.rootpath)))
