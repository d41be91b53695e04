"""Chapter 1's checks of its own text (mlpcourse.pages.chapter1): each is
called by the chapter, holds for the course's settings (the build runs
them), and fails when what it checks is broken."""

import inspect
import re

import numpy as np
import pytest
from paths import BOOK
from test_film import ABOVE, CROSSING, synthetic

from mlpcourse.pages import chapter1, claims
from mlpcourse.pages.claims import ClaimBroken
from mlpcourse.settings import CIRCLE, LINEAR

CHECKS = [
    name
    for name, function in inspect.getmembers(chapter1, inspect.isfunction)
    if function.__module__ == chapter1.__name__ and not name.startswith("_")
]


@pytest.fixture(autouse=True)
def in_the_build(monkeypatch):
    monkeypatch.setenv(claims.STRICT, "1")


def test_the_chapter_calls_each_check_once_in_a_learners_cell():
    page = (BOOK / "scratch_mlp.md").read_text()
    for name in CHECKS:
        assert len(re.findall(rf"\bchapter1\.{name}\(", page)) == 1, name
    cells = page.split("```{code-cell} ipython3\n")
    for cell in cells:
        if "chapter1." in cell and "import" not in cell:
            assert cell.startswith(":tags: [remove-cell, learner]"), cell


def test_the_gradient_check_claim_fails_above_1e_8():
    chapter1.gradients_pass({"a": 5e-9})
    with pytest.raises(ClaimBroken, match="under 1e-8"):
        chapter1.gradients_pass({"a": 5e-9, "b": 2e-8})


def test_the_seed_claim_names_the_best_seed():
    best = {seed: 0.9 for seed in range(4)} | {CIRCLE.init_seed: 0.95}
    chapter1.course_seed_is_best(best)
    with pytest.raises(ClaimBroken, match="seeds 0 to 3"):
        chapter1.course_seed_is_best(best | {3: 0.99})


def test_the_width_claim_needs_each_width_to_beat_the_last():
    chapter1.wider_is_better({1: 0.6, 2: 0.7, 8: 0.9})
    with pytest.raises(ClaimBroken, match="more hidden units"):
        chapter1.wider_is_better({1: 0.6, 2: 0.7, 8: 0.7})


def test_the_fresh_points_claim_needs_the_linear_drop_to_be_larger():
    chapter1.fresh_points({"linear": (1.0, 0.97), "circle": (0.97, 0.968)})
    with pytest.raises(ClaimBroken, match="fresh points"):
        chapter1.fresh_points({"linear": (1.0, 0.99), "circle": (0.97, 0.96)})
    with pytest.raises(ClaimBroken, match="all its training points"):
        chapter1.fresh_points({"linear": (0.99, 0.9), "circle": (0.97, 0.968)})


def test_the_identity_claim_needs_one_class_and_a_flat_output():
    class Circle:
        labels = np.array([1, -1, 1, -1])

    flat = np.array([[0.1], [0.12], [0.15], [0.11]])
    chapter1.identity_draws_one_class(0.5, Circle, np.ones(4), flat)
    with pytest.raises(ClaimBroken, match="inside for every point"):
        chapter1.identity_draws_one_class(
            0.5, Circle, np.ones(4), flat * np.array([[1], [1], [1], [3]])
        )
    with pytest.raises(ClaimBroken):
        chapter1.identity_draws_one_class(
            0.75, Circle, np.array([1, -1, 1, 1]), flat
        )


@pytest.mark.parametrize(
    "frames, measured",
    [
        ([ABOVE, ABOVE, ABOVE], "no boundary in the film's last frame"),
        ([CROSSING, CROSSING, CROSSING], "a boundary from the first frame"),
    ],
)
def test_a_linear_film_unlike_the_books_is_named_not_a_crash(frames, measured):
    """A learner's run (a short one, another seed) may learn no boundary,
    or have one from the start: the claim names it, in the build an error
    and in a learner's run a note, and never fails on its own arithmetic."""
    shown = synthetic(frames, [0, 1, 2])
    with pytest.raises(ClaimBroken, match=measured):
        chapter1.linear_film_story(shown, LINEAR.make_dataset(), None)


def test_a_circle_film_with_no_boundary_at_all_is_named_not_a_crash():
    never = synthetic([ABOVE, ABOVE], [0, 1])
    with pytest.raises(ClaimBroken, match="first epoch with a boundary: none"):
        chapter1.films_compared(never, never, CIRCLE.make_dataset())
