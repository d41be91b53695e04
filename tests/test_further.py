"""The optional page's checks of its own text (mlpcourse.pages.further)."""

import inspect
import re
from types import SimpleNamespace

import numpy as np
import pytest
from paths import BOOK

from mlpcourse.pages import claims, further
from mlpcourse.pages.claims import ClaimBroken


@pytest.fixture(autouse=True)
def in_the_build(monkeypatch):
    monkeypatch.setenv(claims.STRICT, "1")


def test_the_page_calls_each_check_once():
    page = (BOOK / "going_further.md").read_text()
    for name, function in inspect.getmembers(further, inspect.isfunction):
        if function.__module__ == further.__name__:
            assert len(re.findall(rf"\bfurther\.{name}\(", page)) == 1, name


def test_exact_operations_must_never_differ():
    shares = {"x + y": 0.0, "x * y": 0.0, "x / y": 0.0, "tanh(x)": 0.2}
    further.exact_operations_agree(shares)
    with pytest.raises(ClaimBroken, match=r"x / y: 0\.1% differ"):
        further.exact_operations_agree(shares | {"x / y": 0.001})


class Runs:
    def __init__(self, accuracy):
        self.accuracy = np.array(accuracy)

    def recorded(self, name):
        assert name == "accuracy"
        return self.accuracy, self.accuracy


def test_float32_must_learn_as_well_and_drift_by_a_hundredfold():
    accuracy = [0.97] * 60
    record = SimpleNamespace(values=[0.97] * 60)
    drift = np.concatenate([np.full(10, 1e-8), np.full(50, 2e-6)])
    further.float32_learns_alike(Runs(accuracy), record, drift)
    worse = SimpleNamespace(values=[0.9] * 60)
    with pytest.raises(ClaimBroken, match="just as well"):
        further.float32_learns_alike(Runs(accuracy), worse, drift)
    flat = np.full(60, 1e-8)
    with pytest.raises(ClaimBroken, match="two orders of magnitude"):
        further.float32_learns_alike(Runs(accuracy), record, flat)


def test_one_step_must_agree_below_1e_12():
    further.one_step_agrees([1e-15, 3e-14])
    with pytest.raises(ClaimBroken, match="one step of each network"):
        further.one_step_agrees([1e-15, 2e-12])


def test_at_twice_the_rate_both_pairs_of_runs_must_part(monkeypatch):
    agreed = []
    monkeypatch.setattr(
        "mlpcourse.parity.require_agreement",
        lambda runs, setting: agreed.append(setting),
    )
    parted = {
        "course": np.full(3, 1e-15),
        "fast": np.array([1e-15, 1e-6]),
        "nudged": np.array([1e-15, 1e-3]),
    }
    further.fast_runs_part(None, parted, 0.05, 300)
    assert agreed == ["settings.CIRCLE"]
    with pytest.raises(
        ClaimBroken, match=r"rate 0\.1, nudged part within 50 epochs"
    ):
        further.fast_runs_part(
            None, parted | {"nudged": np.array([1e-15, 1e-12])}, 0.05, 50
        )
