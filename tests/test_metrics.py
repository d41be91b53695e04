"""Accuracy and its summary over the last epochs (mlpcourse.metrics)."""

import numpy as np
import pytest

from mlpcourse.metrics import LAST_EPOCHS, accuracy, accuracy_summary


def test_the_summary_does_not_depend_on_the_last_epoch():
    steady = np.full(60, 0.97)
    dipped = steady.copy()
    dipped[-1] = 0.5  # the run happens to stop on a bad epoch
    assert "median 0.970" in accuracy_summary(steady)
    summary = accuracy_summary(dipped)
    assert summary.startswith("final 0.500\n")
    assert "last 50 epochs: median 0.970, from 0.500 to 0.970" in summary
    # A shorter run, a learner's say, is summarised over all its epochs.
    assert "last 49 epochs: median 1.000" in accuracy_summary(np.ones(49))


def test_the_default_window_accepts_exactly_its_length():
    """A run of exactly ``LAST_EPOCHS`` epochs is summarised over all of them."""
    per_epoch = np.linspace(0.5, 0.9, LAST_EPOCHS)
    summary = accuracy_summary(per_epoch)
    assert f"last {LAST_EPOCHS} epochs" in summary
    assert "from 0.500 to 0.900" in summary


def test_a_run_shorter_than_the_window_is_summarised_whole_none_refused():
    assert accuracy_summary(np.array([0.1, 0.2, 0.3]), last=3).startswith(
        "final 0.300\n"
    )
    assert accuracy_summary(np.array([0.1, 0.2]), last=3) == (
        "final 0.200\n  last 2 epochs: median 0.150, from 0.100 to 0.200"
    )
    with pytest.raises(ValueError, match="per_epoch must not be empty"):
        accuracy_summary(np.array([]), last=3)


def test_the_summary_looks_at_the_last_epochs_only():
    """Early epochs outside the window change neither median nor range."""
    per_epoch = np.array([0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 0.9, 1.0, 0.7])
    summary = accuracy_summary(per_epoch, last=4)
    # the window is 0.8, 0.9, 1.0, 0.7; over all nine epochs the median
    # would be 0.6 and the range 0.1 to 1.0
    assert summary == (
        "final 0.700\n  last 4 epochs: median 0.850, from 0.700 to 1.000"
    )


def test_the_summary_prints_the_median_not_the_mean():
    per_epoch = np.array([0.0, 0.9, 0.9, 0.3])
    summary = accuracy_summary(per_epoch, last=3)
    assert "median 0.900, from 0.300 to 0.900" in summary  # the mean is 0.700


def test_accuracy_counts_matches():
    assert accuracy(np.array([1, 0, 1, 1]), np.array([1, 1, 1, 0])) == 0.5


def test_accuracy_is_the_fraction_of_matches():
    """Three matches of four: 0.75 (not the 0.25 of mismatches, not a median)."""
    predicted = np.array([1.0, 0.0, 1.0, 0.0])
    labels = np.array([1.0, 0.0, 1.0, 1.0])
    assert accuracy(predicted, labels) == 0.75
    assert accuracy(labels, labels) == 1.0


@pytest.mark.parametrize(
    "predicted, labels, error, name",
    [
        (np.ones(3), np.ones(4), ValueError, "same number of rows"),
        (np.ones((3, 1)), np.ones(3), ValueError, "predicted"),
        (np.ones(3), np.ones((3, 1)), ValueError, "labels"),
        (np.array(["a", "b"]), np.ones(2), TypeError, "predicted"),
        (np.ones(2), np.array([1.0, np.inf]), ValueError, "labels"),
        (np.ones(0), np.ones(0), ValueError, "predicted"),
    ],
)
def test_accuracy_rejects_bad_input(predicted, labels, error, name):
    with pytest.raises(error, match=name):
        accuracy(predicted, labels)


def test_the_summary_rejects_a_table_of_epochs():
    with pytest.raises(ValueError, match="per_epoch must be a 1-D array"):
        accuracy_summary(np.ones((60, 1)))
