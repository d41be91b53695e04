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
