"""The course bundle: one zip that runs the chapters away from the repository.

nbval runs its notebooks, unpacked afresh (conftest.py); these tests check
what it holds, that it is current and repeatable, and that its notebooks
import the helper package it carries, with the versions it pins.
"""

import importlib.metadata
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from browser import Visit
from course_bundle import BUNDLE, FOLDER, bundle_files, zip_bytes
from packaging.requirements import Requirement
from paths import BOOK, CHAPTERS, ROOT

TITLE = "The multilayer perceptron, twice"


@pytest.fixture(scope="module")
def bundle() -> zipfile.ZipFile:
    assert BUNDLE.exists(), f"no {BUNDLE}: run `make book`"
    with zipfile.ZipFile(BUNDLE) as archive:
        yield archive


def test_the_built_bundle_is_current_and_repeatable():
    """What the build wrote is what the sources make now, every time."""
    assert BUNDLE.read_bytes() == zip_bytes(bundle_files(TITLE))
    assert zip_bytes(bundle_files(TITLE)) == zip_bytes(bundle_files(TITLE))


def test_it_holds_the_chapters_their_package_and_the_learners_lock(bundle):
    sources = {
        "requirements.txt": ROOT / "requirements" / "learner.txt",
        "requirements.in": ROOT / "requirements" / "learner.in",
        "data/step.json": BOOK / "data" / "step.json",
    }
    sources |= {f"{c}.ipynb": BOOK / f"{c}.ipynb" for c in CHAPTERS}
    for module in (BOOK / "mlpcourse").glob("*.py"):
        sources[f"mlpcourse/{module.name}"] = module
    names = {name.removeprefix(f"{FOLDER}/") for name in bundle.namelist()}
    assert names == set(sources) | {"README.md"}
    for name, source in sources.items():
        assert bundle.read(f"{FOLDER}/{name}") == source.read_bytes(), name


def test_its_readme_names_each_chapter_and_the_commands(bundle):
    readme = bundle.read(f"{FOLDER}/README.md").decode()
    assert (
        "- `scratch_mlp.ipynb`: 1. The MLP from scratch with NumPy" in readme
    )
    assert "- `pytorch_mlp.ipynb`: 2. The same network in PyTorch" in readme
    assert "- `going_further.ipynb`: Going further" in readme
    listed = re.findall(r"^- `(\w+)\.ipynb`", readme, re.M)
    assert listed == CHAPTERS, "the README lists them in the book's order"
    commands = re.findall(r"^    (\S.*)$", readme, re.M)
    assert commands == [
        "python3 -m venv .venv",
        ".venv/bin/pip install -r requirements.txt",
        ".venv/bin/jupyter lab",
    ]


def test_unpacked_its_notebooks_import_the_package_it_carries(
    bundle, tmp_path
):
    """In an empty folder, a fresh interpreter (a kernel's), no book/."""
    bundle.extractall(tmp_path)
    folder = tmp_path / FOLDER
    result = subprocess.run(
        [sys.executable, "-c", "import mlpcourse; print(mlpcourse.__file__)"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(folder / "mlpcourse" / "__init__.py")


def test_nbval_runs_it_with_the_versions_it_pins(bundle):
    """The test venv is the bundle's own requirements, nothing other."""
    text = bundle.read(f"{FOLDER}/requirements.txt").decode()
    lines = re.findall(
        r"^([A-Za-z0-9][^\s\\]*(?: ; [^\\]+?)?) \\$", text, re.M
    )
    assert len(lines) > 100
    for line in lines:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate():
            continue
        (pin,) = requirement.specifier
        installed = importlib.metadata.version(requirement.name)
        assert installed == pin.version, requirement.name


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_page_downloads_it(site, browser, chapter):
    """A reader follows the chapter's "run this page yourself" link to the
    introduction's section, and clicks the zip there."""
    with Visit(browser, f"{site}/book/{chapter}.html") as visit:
        visit.page.get_by_role(
            "link", name="Running the notebooks yourself"
        ).click()
        visit.page.wait_for_url("**/intro.html#run-yourself")
        # The label's anchor sits inside its section.
        section = visit.page.locator("#run-yourself").locator("xpath=..")
        link = section.get_by_role("link", name="mlp-course.zip")
        with visit.page.expect_download() as download:
            link.click()
        saved = Path(download.value.path())
        assert download.value.suggested_filename == "mlp-course.zip"
        assert saved.read_bytes() == BUNDLE.read_bytes()
