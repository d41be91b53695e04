"""Rounding-level numbers: printed as measured, sanitized for nbval alone
(mlpcourse.pages.rounding, tests/rounding_level.cfg)."""

import json

import jupytext
import pytest
from nbval_rules import sanitize
from paths import ROOT

from mlpcourse.pages import rounding


@pytest.mark.parametrize(
    "value, text",
    [
        (0.0, "0.0e+00"),
        (4.44e-14, "4.4e-14"),
        (2e-12, "2.0e-12"),
        (0.31, "3.1e-01"),
    ],
)
def test_a_measured_value_prints_with_two_significant_digits(value, text):
    assert rounding.shown(value) == text


@pytest.mark.parametrize("value", [-1e-15, float("nan"), float("inf")])
def test_a_gap_is_never_negative_or_nan(value):
    with pytest.raises(ValueError, match="finite, non-negative number"):
        rounding.shown(value)


def test_nbvals_rule_is_the_packages_pattern():
    rules = (ROOT / "tests" / "rounding_level.cfg").read_text()
    assert f"regex: {rounding.ROUNDING_LEVEL}\n" in rules


@pytest.mark.parametrize(
    "reference, rerun",
    [
        ("largest gap 2.6e-15 at epoch 3", "largest gap 2.4e-16 at epoch 3"),
        ("error 3.1e-11 ok", "error 9.9e-08 ok"),
        ("gap 0.0e+00", "gap 1.1e-17"),
    ],
)
def test_rounding_level_values_compare_equal_whatever_their_digits(
    reference, rerun
):
    assert sanitize(reference) == sanitize(rerun)


@pytest.mark.parametrize(
    "reference, rerun",
    [
        ("largest gap 2.6e-15", "largest gap 3.1e-04"),  # a real change
        ("largest gap 2.6e-15", "largest gap 1.0e-07"),  # not rounding level
        ("gap 2.6e-15 at epoch 3", "gap 2.6e-15 at epoch 4"),  # other words
        ("loss 0.012345", "loss 0.012346"),  # a plain number
        ("accuracy 1.0e+00", "accuracy 0.0e+00"),
    ],
)
def test_anything_else_still_differs(reference, rerun):
    assert sanitize(reference) != sanitize(rerun)


def test_only_the_number_is_replaced():
    assert sanitize("error 3.1e-11 ok") == "error (a rounding-level value) ok"


# The second rule: a value that a page marks "(varies by machine)".
MARK = f" {rounding.VARIES_MARK}"


@pytest.mark.parametrize(
    "reference, rerun",
    [
        (
            "tanh(x) 21.3% (varies by machine), by",
            "tanh(x) 0.0% (varies by machine), by",
        ),
        (
            "largest gap 3.8e-02 (varies by machine)",
            "largest gap 4.1e-02 (varies by machine)",
        ),
        # Rounding level on one machine, above it on another: still equal.
        (
            "epochs 1-10: 1.1e-08 (varies by machine)",
            "epochs 1-10: 1.2e-07 (varies by machine)",
        ),
    ],
)
def test_a_marked_value_compares_equal_whatever_its_digits(reference, rerun):
    assert sanitize(reference) == sanitize(rerun)


@pytest.mark.parametrize(
    "reference, rerun",
    [
        ("largest gap 3.8e-02", "largest gap 4.1e-02"),  # not marked
        ("largest gap 3.8e-02 (varies by machine)", "largest gap 3.8e-02"),
        (
            "gap 3.8e-02 (varies by machine)",
            "step 3.8e-02 (varies by machine)",
        ),
        # The mark must follow the number itself.
        (
            "3.8e-02 at epoch 4 (varies by machine)",
            "4.1e-02 at epoch 4 (varies by machine)",
        ),
        ("gap 3.8e-02 (varies by run)", "gap 4.1e-02 (varies by run)"),
        (
            "epoch 191 parts, 3.8e-02 (varies by machine)",
            "epoch 192 parts, 3.8e-02 (varies by machine)",
        ),
    ],
)
def test_anything_but_the_marked_value_still_differs(reference, rerun):
    assert sanitize(reference) != sanitize(rerun)


def test_only_the_marked_number_is_replaced():
    assert sanitize(f"gap 3.8e-02{MARK}, loss 0.15") == (
        f"gap (a value that varies by machine){MARK}, loss 0.15"
    )


def test_every_value_the_pages_mark_is_one_the_rule_replaces():
    """Each mark printed in a reference notebook follows a number that the
    rule replaces; and the pages print a mark only through
    ``rounding.varies``."""
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        text = "".join(
            "".join(output.get("text", ""))
            for cell in cells
            if cell["cell_type"] == "code"
            for output in cell["outputs"]
        )
        marks = text.count(MARK)
        replaced = sanitize(text).count(
            f"(a value that varies by machine){MARK}"
        )
        assert replaced == marks, notebook.name
    for page in sorted((ROOT / "book").glob("*.md")):
        code = [
            cell.source
            for cell in jupytext.read(page).cells
            if cell.cell_type == "code"
        ]
        assert not any("varies by machine" in source for source in code)


def test_a_marked_value_carries_the_mark_the_rule_looks_for():
    marked = rounding.varies("3.8e-02")
    assert marked == "3.8e-02 (varies by machine)"
    assert sanitize(f"gap {marked}") == sanitize(
        f"gap {rounding.varies('4.1e-02')}"
    )
