"""The course bundle: one zip that runs the chapters away from the repository.

nbval runs its notebooks, unpacked afresh (conftest.py); these tests check
what it holds, that it is current and repeatable, and that its notebooks
import the helper package it carries, with the versions it pins.
"""

import importlib.metadata
import os
import re
import shlex
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


WORKBOOKS = ["scratch_mlp_workbook", "pytorch_mlp_workbook"]


def test_it_holds_the_chapters_their_package_and_the_learners_lock(bundle):
    sources = {
        "requirements.txt": ROOT / "requirements" / "learner.txt",
        "requirements.in": ROOT / "requirements" / "learner.in",
        "data/step.json": BOOK / "data" / "step.json",
    }
    sources |= {f"{c}.ipynb": BOOK / f"{c}.ipynb" for c in CHAPTERS}
    sources |= {f"{c}.ipynb": BOOK / f"{c}.ipynb" for c in WORKBOOKS}
    package = BOOK / "mlpcourse"
    # The lesson, pages/ and workbook/; the record of what the text quotes.
    for module in [*package.rglob("*.py"), *package.rglob("*.json")]:
        sources[f"mlpcourse/{module.relative_to(package)}"] = module
    assert "mlpcourse/pages/plots.py" in sources
    assert "mlpcourse/pages/as_written.json" in sources
    assert "mlpcourse/workbook/chapter1.py" in sources
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
    assert listed == CHAPTERS + WORKBOOKS, (
        "in the book's order, then workbooks"
    )
    assert (
        "- `scratch_mlp_workbook.ipynb`: Workbook: 1. The MLP from scratch"
        in readme
    )
    assert readme_commands(readme) == [
        "python3.11 -m venv .venv",
        ".venv/bin/pip install --retries 0 -r requirements.txt",
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


# The zip's install, from its README, with another Python: pip must stop at
# the lock's guard line, naming the Python the lock is for.
SUPPORTED = "3.11"
GUARD = "This lock is for Python 3.11 on Linux x86_64 only - see README.md"
CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"


def readme_commands(readme: str) -> list[str]:
    """The commands of the README's "Run them": its indented lines."""
    section = readme.split("\n## Run them\n")[1].split("\n## ")[0]
    return re.findall(r"^    (\S.*)$", section, re.M)


def bundle_readme() -> str:
    """The zip's README as the sources make it (the built zip is the same
    bytes: test_the_built_bundle_is_current_and_repeatable)."""
    return bundle_files(TITLE)[f"{FOLDER}/README.md"].decode()


def test_its_readme_names_one_python_and_how_to_install_elsewhere():
    """The version the Makefile, the locks and Binder name, and no other;
    why `--retries 0`; and the unlocked install, with torch's CPU index."""
    makefile = (ROOT / "Makefile").read_text()
    assert f"\nPYTHON_VERSION := {SUPPORTED}\n" in makefile
    lock = (ROOT / "requirements" / "learner.txt").read_text()
    assert f'python_version != "{SUPPORTED}"' in lock.splitlines()[2]
    readme = bundle_readme()
    assert set(re.findall(r"Python (3\.\d+)", readme)) == {SUPPORTED}
    assert not re.search(r"or (newer|later)", readme)
    venv, install, _ = readme_commands(readme)
    assert venv == f"python{SUPPORTED} -m venv .venv"
    assert " --retries 0 " in f" {install} "
    assert re.search(r"`--retries 0` makes pip give up at once", readme)
    assert " ".join(GUARD.split()) in " ".join(readme.split())
    fallback = readme.split("\n## Another Python or system\n")[1]
    assert "-r requirements.in" in fallback
    assert CPU_INDEX in " ".join(fallback.split())
    assert "CUDA" in fallback


def pyenv_python(version: str) -> Path | None:
    """pyenv's interpreter for ``version`` (3.12, say), if it has one."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(root.glob(f"versions/{version}.*/bin/python{version}"))
    return found[-1] if found else None


def offline_pip() -> dict[str, str]:
    """A learner's pip, as bare as a new machine's: no configuration file
    and no PIP_ settings; and every proxy dead, so that any request to an
    index would fail, loudly, instead of reaching the network."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    dead = "http://127.0.0.1:9"
    return env | {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "http_proxy": dead,
        "https_proxy": dead,
        "HTTP_PROXY": dead,
        "HTTPS_PROXY": dead,
        "no_proxy": "",
        "NO_PROXY": "",
    }


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_another_python_stops_at_once_naming_python_3_11(version, tmp_path):
    """The README's install with Python 3.12 or 3.13 in the venv: pip
    stops on the lock's guard, before it asks any index or checks a hash
    (it used to fail after 13 minutes with a ResolutionImpossible)."""
    python = pyenv_python(version)
    if python is None:
        pytest.skip(f"no Python {version} here (pyenv's): CI has only 3.11")
    for name, content in bundle_files(TITLE).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    folder = tmp_path / FOLDER
    _, install, _ = readme_commands(bundle_readme())
    subprocess.run(
        [str(python), "-m", "venv", ".venv"],
        cwd=folder,
        check=True,
        timeout=120,
    )
    result = subprocess.run(
        shlex.split(install),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env=offline_pip(),
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"No such file or directory: '/{GUARD}/" in output, output
    for later in ["Collecting", "Downloading", "Proxy", "hash", "Retrying"]:
        assert later not in output, output
    installed = subprocess.run(
        [".venv/bin/python", "-m", "pip", "list", "--format=freeze"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env=offline_pip(),
    ).stdout
    assert "numpy" not in installed and "torch" not in installed
