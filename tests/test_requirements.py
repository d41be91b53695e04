"""The locks: every package pinned and hashed, the learner's within the
build's, and .venv holding exactly what the build's lock names; and the one
Python they are for, which the Makefile and the README name too, and which
any other Python is told of at once."""

import importlib.metadata
import re
import shlex
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from packaging.requirements import Requirement
from paths import ROOT

REQUIREMENTS = ROOT / "requirements"
TORCH_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"
# One locked package: its requirement line, then one or more hashes.
ENTRY = re.compile(
    r"^(?P<requirement>[A-Za-z0-9][^\s\\]*(?: ; [^\\]+?)?) \\\n"
    r"(?P<hashes>(?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)",
    re.M,
)
BUILD_ONLY = {"jupyter-book", "sphinx", "pytest", "playwright", "ruff"}
# A lock's first lines: PyTorch's CPU index, a comment, the Python guard.
HEADER = 3
LOCKS = ["learner.txt", "build.txt"]
# The system the locks are for; the guard's marker must be false here alone.
LOCKED_FOR = {
    "python_version": "3.11",
    "sys_platform": "linux",
    "platform_machine": "x86_64",
}


def locked(name: str) -> dict[str, Requirement]:
    """The packages a lock pins, by name; each must carry a hash."""
    text = (REQUIREMENTS / name).read_text()
    entries = [Requirement(m["requirement"]) for m in ENTRY.finditer(text)]
    body = text.splitlines()[HEADER:]
    named = [line for line in body if re.match(r"^\w", line)]
    assert len(entries) == len(named), f"{name}: a package without a hash"
    return {entry.name.lower(): entry for entry in entries}


def pinned(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", requirement
    return specifier.version


def top_level(name: str) -> dict[str, str]:
    """The pins a .in file states, following its ``-r`` includes."""
    pins = {}
    for line in (REQUIREMENTS / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins |= top_level(line.removeprefix("-r "))
        elif line:
            requirement = Requirement(line)
            pins[requirement.name.lower()] = pinned(requirement)
    return pins


@pytest.mark.parametrize("lock", ["learner", "build"])
def test_every_package_is_pinned_hashed_and_as_the_in_file_says(lock):
    packages = locked(f"{lock}.txt")
    text = (REQUIREMENTS / f"{lock}.txt").read_text()
    assert text.splitlines()[0] == TORCH_INDEX, "torch: the CPU index"
    for requirement in packages.values():
        pinned(requirement)
    for name, version in top_level(f"{lock}.in").items():
        assert name in packages, f"{name} is not in {lock}.txt: make lock"
        have = pinned(packages[name]).split("+")[0]  # torch's +cpu
        assert have == version, f"{name}: {lock}.in {version}, lock {have}"
    assert pinned(packages["torch"]).endswith("+cpu")


def test_a_learner_gets_what_the_book_was_built_with_and_no_more():
    learner, build = locked("learner.txt"), locked("build.txt")
    for name, requirement in learner.items():
        assert name in build, name
        assert pinned(requirement) == pinned(build[name]), name
    assert not BUILD_ONLY & set(learner)


def test_the_venv_holds_what_the_build_lock_names():
    """`make` installs the lock: a stale .venv would test other versions."""
    for name, requirement in locked("build.txt").items():
        if requirement.marker and not requirement.marker.evaluate():
            continue
        installed = importlib.metadata.version(name)
        assert installed == pinned(requirement), f"{name} {installed}"


def python_version() -> str:
    """The Makefile's PYTHON_VERSION: the one Python the course supports."""
    makefile = (ROOT / "Makefile").read_text()
    (version,) = re.findall(r"^PYTHON_VERSION := (\S+)$", makefile, re.M)
    return version


def guard(lock: str) -> Requirement:
    """The lock's third line: a requirement only another system sees."""
    lines = (REQUIREMENTS / lock).read_text().splitlines()
    assert lines[1].startswith("# "), f"{lock}: the guard's comment"
    return Requirement(lines[2])


def guard_message(requirement: Requirement) -> str:
    """What pip prints of the guard: the missing file's folder name."""
    path = unquote(urlsplit(requirement.url).path)
    return Path(path).parent.name


@pytest.mark.parametrize("lock", LOCKS)
def test_the_lock_stops_any_other_python_or_system_naming_its_own(lock):
    """The guard: a local file that cannot exist, whose name is the
    message, behind a marker true everywhere but Python 3.11 on Linux
    x86_64. pip reads it before any index or hash, and stops there."""
    version = python_version()
    assert version == LOCKED_FOR["python_version"]
    requirement = guard(lock)
    assert requirement.name == f"python-{version.replace('.', '-')}-required"
    assert requirement.url.startswith("file:///")
    # uv reads the locks too (make lock's -c build.txt): it needs a suffix.
    assert requirement.url.endswith(".tar.gz")
    assert guard_message(requirement) == (
        f"This lock is for Python {version} on Linux x86_64 only"
        " - see README.md"
    )
    assert not Path(unquote(urlsplit(requirement.url).path)).exists()
    marker = requirement.marker
    assert not marker.evaluate(LOCKED_FOR), "pip must skip it here"
    elsewhere = [
        {"python_version": "3.10"},
        {"python_version": "3.12"},
        {"python_version": "3.13"},
        {"sys_platform": "darwin"},
        {"sys_platform": "win32"},
        {"platform_machine": "aarch64"},
    ]
    for change in elsewhere:
        assert marker.evaluate(LOCKED_FOR | change), change


def test_make_lock_writes_the_header_the_locks_start_with():
    """`make lock` rewrites both locks: it must write the index and the
    guard again, or the next lock would lose them. Read from `make -n`,
    which prints the commands without running them."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "lock"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (sed,) = [line for line in result.stdout.splitlines() if "sed " in line]
    arguments = shlex.split(sed)
    inserted = [a.removeprefix("1i ") for a in arguments if a[:3] == "1i "]
    assert len(inserted) == HEADER
    for lock in LOCKS:
        assert f"requirements/{lock}" in arguments
        lines = (REQUIREMENTS / lock).read_text().splitlines()
        assert lines[:HEADER] == inserted, f"{lock}: run make lock"


def run_check(folder: Path, python: Path) -> subprocess.CompletedProcess:
    """`make check-python` with ``python`` in an empty folder."""
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-f",
            str(ROOT / "Makefile"),
            "check-python",
            f"PYTHON={python}",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def stand_in(path: Path, version: str) -> Path:
    """A "python" that reports itself as ``version``: the Makefile asks
    for its version and nothing else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {version}\n")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("found", ["3.10.12", "3.12.1", "3.13.0", "3.1.5"])
def test_make_stops_on_any_other_python_naming_what_it_found(tmp_path, found):
    python = stand_in(tmp_path / "bin" / "python3", found)
    result = run_check(tmp_path, python)
    assert result.returncode != 0
    version = python_version()
    assert result.stdout.strip() == (
        f"The course needs Python {version} exactly (requirements/*.txt are"
        f" locked for {version} alone), but {python} is Python {found}."
        f" Install python{version}, or name one: make book"
        f" PYTHON=/path/to/python{version}"
    )


def test_make_names_a_venv_made_by_another_python_and_how_to_redo_it(
    tmp_path,
):
    """A .venv left by a Makefile that took any Python 3.11 or newer."""
    stand_in(tmp_path / ".venv" / "bin" / "python", "3.12.1")
    good = stand_in(tmp_path / "bin" / "python3", f"{python_version()}.9")
    result = run_check(tmp_path, good)
    assert result.returncode != 0
    assert ".venv/bin/python is Python 3.12.1." in result.stdout
    assert "rm -rf .venv && make book" in result.stdout


def test_make_goes_on_with_the_courses_python(tmp_path):
    found = f"{python_version()}.9"
    result = run_check(tmp_path, stand_in(tmp_path / "python3", found))
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_the_readme_names_no_other_python():
    """README.md's commands make a venv with the course's Python, and no
    sentence offers a range of versions."""
    readme = (ROOT / "README.md").read_text()
    venvs = re.findall(r"python(3\.\d+) -m venv", readme)
    assert venvs and set(venvs) == {python_version()}
    ranges = re.findall(
        r"Python 3\.\d+(?:\+| (?:or|and) (?:newer|later))", readme
    )
    assert not ranges
