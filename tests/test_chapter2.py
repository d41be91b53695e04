"""Chapter 2's checks of its own text (mlpcourse.pages.chapter2)."""

import inspect
import re
from types import SimpleNamespace

import numpy as np
import pytest
from paths import BOOK

from mlpcourse.pages import chapter2, claims
from mlpcourse.pages.claims import ClaimBroken


@pytest.fixture(autouse=True)
def in_the_build(monkeypatch):
    monkeypatch.setenv(claims.STRICT, "1")


def test_the_chapter_calls_each_check_once():
    page = (BOOK / "pytorch_mlp.md").read_text()
    for name, function in inspect.getmembers(chapter2, inspect.isfunction):
        if function.__module__ == chapter2.__name__:
            assert len(re.findall(rf"\bchapter2\.{name}\(", page)) == 1, name


def test_the_cross_entropy_runs_must_agree_in_loss_and_accuracy():
    same = {"NumPy": 0.94, "PyTorch": 0.94}
    chapter2.cross_entropy_agrees(2e-16, same)
    with pytest.raises(ClaimBroken, match="to rounding"):
        chapter2.cross_entropy_agrees(1e-6, same)
    with pytest.raises(ClaimBroken, match="to rounding"):
        chapter2.cross_entropy_agrees(0.0, {"NumPy": 0.94, "PyTorch": 0.93})


def test_the_half_sum_trap_needs_class_1_everywhere_then_a_match():
    linear = SimpleNamespace(labels=np.array([1, 1, 1, 0]))
    runs = SimpleNamespace(scratch_losses=np.array([0.3, 0.0137]))
    results = {"trap": (0.5, 0.75), "divided": (0.0139, 1.0)}
    chapter2.half_sum_stays_put(results, linear, runs)
    with pytest.raises(ClaimBroken, match="class 1 everywhere"):
        chapter2.half_sum_stays_put(
            {"trap": (0.5, 0.8), "divided": (0.0139, 1.0)}, linear, runs
        )
    with pytest.raises(ClaimBroken, match="lands where chapter 1 did"):
        chapter2.half_sum_stays_put(
            {"trap": (0.5, 0.75), "divided": (0.02, 1.0)}, linear, runs
        )
