"""A broken claim stops the build and says why, and only shows a note to a
learner (mlpcourse.pages.claims)."""

import os
import subprocess
import sys

import pytest
from paths import BOOK

from mlpcourse.pages import claims
from mlpcourse.pages.claims import ClaimBroken, require


@pytest.fixture
def in_the_build(monkeypatch):
    monkeypatch.setenv(claims.STRICT, "1")


@pytest.fixture
def a_learners_run(monkeypatch):
    monkeypatch.delenv(claims.STRICT, raising=False)


@pytest.mark.parametrize("mode", ["in_the_build", "a_learners_run"])
def test_a_claim_that_holds_passes_silently(mode, request, capsys):
    request.getfixturevalue(mode)
    assert require("x", True, measured="1", setting="s") is None
    assert capsys.readouterr().out == ""


def test_in_the_build_a_broken_claim_names_claim_measurement_and_setting(
    in_the_build,
):
    with pytest.raises(ClaimBroken) as broken:
        require(
            "accuracy reaches 0.95",
            False,
            measured="accuracy 0.81",
            setting="settings.CIRCLE.epochs",
        )
    message = str(broken.value)
    assert message.startswith(
        "The book claims: accuracy reaches 0.95. Measured: accuracy 0.81. "
        "Setting involved: settings.CIRCLE.epochs."
    )
    assert isinstance(broken.value, AssertionError)


@pytest.mark.parametrize("value", ["0", "", "yes", "true"])
def test_only_the_value_1_makes_claims_strict(monkeypatch, value):
    monkeypatch.setenv(claims.STRICT, value)
    assert not claims.strict()
    monkeypatch.setenv(claims.STRICT, "1")
    assert claims.strict()


def test_a_learner_who_broke_a_claim_reads_a_note_and_runs_on(
    a_learners_run, capsys
):
    require(
        "accuracy reaches 0.95",
        False,
        measured="accuracy 0.81",
        setting="settings.CIRCLE.epochs",
    )
    assert capsys.readouterr().out == (
        claims.note(
            "accuracy reaches 0.95", "accuracy 0.81", "settings.CIRCLE.epochs"
        )
        + "\n"
    )


def test_the_note_says_which_sentence_what_was_measured_and_why():
    text = claims.note("the runs agree", "gap 0.3", "settings.LINEAR")
    assert text.startswith("**Note: your run differs from the text above.**")
    assert "The text says: the runs agree." in text
    assert "Your run measured: gap 0.3." in text
    assert "the course's own settings (settings.LINEAR)" in text


def test_in_a_notebook_the_note_is_shown_as_markdown(a_learners_run):
    """In a kernel, the note is displayed (rendered Markdown), not printed."""
    code = (
        "from IPython.testing.globalipapp import start_ipython\n"
        "shell = start_ipython()\n"
        "shown = []\n"
        "import IPython.display\n"
        "from mlpcourse.pages import claims\n"
        "claims.display = lambda obj: shown.append(obj)\n"
        "claims.require('c', False, measured='m', setting='s')\n"
        "assert [type(o).__name__ for o in shown] == ['Markdown'], shown\n"
        "assert shown[0].data == claims.note('c', 'm', 's')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BOOK,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


def test_refreshing_the_references_stops_at_a_broken_claim(
    tmp_path, monkeypatch
):
    """``make notebooks`` executes as the build does: strict. (The build's
    own case is tests/test_build.py's claim test.)"""
    sys.path.insert(0, str(BOOK.parent / "scripts"))
    import refresh_notebooks
    from nbclient.exceptions import CellExecutionError

    chapter = (BOOK / "scratch_mlp.md").read_text()
    header = chapter[: chapter.index("\n---\n", 4) + 5]
    page = tmp_path / "tiny.md"
    page.write_text(
        header
        + "\n```{code-cell} ipython3\n"
        + f"import sys; sys.path.insert(0, {str(BOOK)!r})\n"
        + "from mlpcourse.pages.claims import require\n"
        + "require('c', False, measured='m', setting='s')\n```\n"
    )
    monkeypatch.setenv(claims.STRICT, "0")  # restored after the test
    with pytest.raises(CellExecutionError, match="ClaimBroken"):
        refresh_notebooks.execute(page)
    assert os.environ[claims.STRICT] == "0", "the caller's value is lost"


# What a page's text quotes of its run, as the book was built.
RECORD = {
    "values": {"rate": "0.05", "hidden": "4", "gap": "2.2e-16", "cpu": "x"},
    "sentences": {
        "rate": ["It learns at rate 0.05.", "Rate 0.05 and 4 units."],
        "hidden": ["Rate 0.05 and 4 units.", "It has 4 hidden units."],
        "gap": ["They differ by 2.2e-16."],
        "cpu": ["The step takes 3.1 µs (varies by machine)."],
    },
}


def test_a_run_with_the_books_values_changes_none():
    assert claims.changed_values(RECORD["values"], RECORD) == {}


def test_a_changed_value_is_found_with_its_value_as_written_and_now():
    changed = claims.changed_values(
        {"rate": 0.1, "hidden": "4", "unquoted": "7"}, RECORD
    )
    assert changed == {"rate": ("0.05", "0.1")}


def test_values_that_vary_by_machine_are_never_a_change():
    """Rounding-level numbers and values marked as varying by machine
    differ on another processor without any experiment."""
    record = {
        **RECORD,
        "values": {**RECORD["values"], "cpu": "3.1 µs " + claims.VARIES_MARK},
    }
    assert claims.changed_values({"gap": "2.4e-16"}, RECORD) == {}
    assert claims.changed_values({"cpu": "2.0 µs"}, record) == {}


def test_the_note_quotes_each_sentence_once_with_every_change_in_it():
    changed = claims.changed_values({"rate": "0.1", "hidden": "2"}, RECORD)
    note = claims.values_note(changed, RECORD)
    assert note.startswith("**Note: your run differs from the text.**")
    assert note.count("Rate 0.05 and 4 units.") == 1
    assert "- Rate 0.05 and 4 units. (0.05 is now 0.1; 4 is now 2)" in note
    assert "- It learns at rate 0.05. (0.05 is now 0.1)" in note
    assert "- It has 4 hidden units. (4 is now 2)" in note


def test_a_long_note_lists_a_few_sentences_and_counts_the_rest():
    many = [f"Sentence {i} says 4." for i in range(claims.SHOWN_SENTENCES + 1)]
    record = {"values": {"hidden": "4"}, "sentences": {"hidden": many}}
    note = claims.values_note({"hidden": ("4", "2")}, record)
    assert note.count("says 4. (4 is now 2)") == claims.SHOWN_SENTENCES
    assert note.endswith("- and 1 more sentence of this page.")


def test_a_learners_changed_setting_shows_the_sentences_quoting_it(
    a_learners_run, monkeypatch, tmp_path, capsys
):
    record = tmp_path / "as_written.json"
    record.write_text(claims.json.dumps({"page": RECORD}))
    monkeypatch.setattr(claims, "AS_WRITTEN", record)
    claims.values_hold("page", {"rate": "0.1"})
    assert (
        "It learns at rate 0.05. (0.05 is now 0.1)" in capsys.readouterr().out
    )
    claims.values_hold("another page", {"rate": "0.1"})
    claims.values_hold("page", {"rate": "0.05"})
    monkeypatch.setattr(claims, "AS_WRITTEN", tmp_path / "missing.json")
    claims.values_hold("page", {"rate": "0.1"})  # a copy without the record
    assert capsys.readouterr().out == ""


def test_the_books_record_quotes_the_settings_where_the_text_does():
    record = claims.json.loads(claims.AS_WRITTEN.read_text())
    chapter_1 = record["scratch_mlp"]
    assert chapter_1["values"]["linear_points"] == "100"
    assert "The first problem has 100 points" in " ".join(
        chapter_1["sentences"]["linear_points"]
    )
    assert set(record) == {"scratch_mlp", "pytorch_mlp", "going_further"}
