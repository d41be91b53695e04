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
