"""The course shows its own code and glues measured values (mlpcourse.pages.listing)."""

import sys
import types

import pytest

from mlpcourse import metrics
from mlpcourse.pages import claims, listing


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


@pytest.fixture
def fake_glue(monkeypatch) -> list:
    glued = []
    fake = types.ModuleType("myst_nb")
    fake.glue = lambda name, value, display=True: glued.append(
        (name, value, display)
    )
    monkeypatch.setitem(sys.modules, "myst_nb", fake)
    return glued


def test_in_the_build_values_are_glued_as_text_without_display(
    monkeypatch, fake_glue
):
    monkeypatch.setenv(claims.STRICT, "1")
    listing.glue_prose({"epochs": 500, "gap": "below 1e-12"}, page="p")
    assert fake_glue == [
        ("epochs", "500", False),
        ("gap", "below 1e-12", False),
    ]


def test_in_a_learners_run_gluing_does_nothing(monkeypatch, fake_glue, capsys):
    """The learner's notebook has the values in its text; its run, with or
    without MyST-NB installed, glues nothing, and with the book's own
    values says nothing either."""
    monkeypatch.delenv(claims.STRICT, raising=False)
    book = claims.json.loads(claims.AS_WRITTEN.read_text())["scratch_mlp"]
    assert listing.glue_prose(book["values"], page="scratch_mlp") is None
    assert fake_glue == []
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # not installed
    assert listing.glue_prose({"epochs": 500}, page="scratch_mlp") is None
    assert capsys.readouterr().out == ""
