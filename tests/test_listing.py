"""The course shows its own code and glues measured values (mlpcourse.listing)."""

import sys
import types

import pytest

from mlpcourse import listing, metrics


def test_the_source_is_shown_with_its_name_and_file():
    text = listing.show_source(metrics.accuracy).data
    assert text.startswith(
        "`accuracy` in `mlpcourse/metrics.py`:\n\n```python\n"
    )
    assert "def accuracy(predicted" in text
    assert text.endswith("```")


def test_a_method_is_shown_dedented_under_its_qualified_name():
    from mlpcourse.scratch import MLP

    text = listing.show_source(MLP.forward).data
    assert text.startswith("`MLP.forward` in `mlpcourse/scratch.py`:")
    assert "```python\ndef forward(" in text


def test_showing_something_without_source_names_the_argument():
    with pytest.raises(TypeError, match="obj must be a function.*got int"):
        listing.show_source(3)


def test_values_are_glued_as_text_without_display(monkeypatch):
    glued = []
    fake = types.ModuleType("myst_nb")
    fake.glue = lambda name, value, display=True: glued.append(
        (name, value, display)
    )
    monkeypatch.setitem(sys.modules, "myst_nb", fake)
    listing.glue_prose({"epochs": 500, "gap": "below 1e-12"})
    assert glued == [("epochs", "500", False), ("gap", "below 1e-12", False)]


def test_without_myst_nb_gluing_does_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import fails
    assert listing.glue_prose({"epochs": 500}) is None
