"""`make bench` reports as it goes: each row when measured, and a failing
step by name with its output (scripts/bench.py). Nothing here is timed."""

import sys

import pytest
from paths import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import bench  # noqa: E402


def test_a_failing_command_is_named_with_its_exit_status_and_output():
    command = [sys.executable, "-c", "print('the last words'); exit(3)"]
    with pytest.raises(bench.StepFailed) as failure:
        bench.run_step("the chapters", command)
    message = str(failure.value)
    assert message.startswith("the chapters failed (exit 3): ")
    assert message.endswith("\nthe last words")


def test_a_passing_command_raises_nothing():
    bench.run_step("a quiet step", [sys.executable, "-c", "pass"])


def test_an_exception_in_process_is_named():
    def broken() -> None:
        raise RuntimeError("no kernel")

    with pytest.raises(bench.StepFailed, match="^execute x.md failed: "):
        bench.in_process("execute x.md", broken)
    assert bench.in_process("fine", lambda: 7) == 7


def test_rows_print_as_measured_and_a_failure_stops_the_table(
    monkeypatch, capsys
):
    def measure(row) -> None:
        row("cold build", "10.0 s")
        print("between rows")  # the first row was already out
        row("warm / cold", "0.04", "<= 0.05", True)
        raise bench.StepFailed("pytest failed (exit 1): pytest -q\nFAILED x")

    monkeypatch.setattr(bench, "measure", measure)
    assert bench.main() == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["benchmark", "median", "target"]
    assert lines[1].split() == ["cold", "build", "10.0", "s"]
    assert lines[2] == "between rows"
    assert lines[3].split() == [
        "warm",
        "/",
        "cold",
        "0.04",
        "<=",
        "0.05",
        "ok",
    ]
    assert lines[-2:] == [
        "Stopped: pytest failed (exit 1): pytest -q",
        "FAILED x",
    ]


@pytest.mark.parametrize("ok, status", [(True, 0), (False, 1)])
def test_a_missed_target_fails_the_run(monkeypatch, capsys, ok, status):
    monkeypatch.setattr(
        bench, "measure", lambda row: row("ratio", "3.0", "<= 2.0", ok)
    )
    assert bench.main() == status
    verdict = capsys.readouterr().out.splitlines()[1].split()[-1]
    assert verdict == ("ok" if ok else "MISSED")
