"""The locks: every package pinned and hashed, the learner's within the
build's, and .venv holding exactly what the build's lock names."""

import importlib.metadata
import re

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


def locked(name: str) -> dict[str, Requirement]:
    """The packages a lock pins, by name; each must carry a hash."""
    text = (REQUIREMENTS / name).read_text()
    entries = [Requirement(m["requirement"]) for m in ENTRY.finditer(text)]
    named = [line for line in text.splitlines() if re.match(r"^\w", line)]
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
