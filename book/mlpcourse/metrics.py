"""Measuring how well a network classifies."""

from __future__ import annotations

import numpy as np

from .checks import as_float_array, same_length


def accuracy(predicted: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of points whose predicted label equals the true label."""
    predicted = as_float_array(predicted, "predicted", ndim=1)
    labels = as_float_array(labels, "labels", ndim=1)
    same_length(predicted, labels, ("predicted", "labels"))
    return float(np.mean(predicted == labels))


LAST_EPOCHS = 50
"""How many final epochs the accuracy summary looks at."""


def accuracy_summary(per_epoch: np.ndarray, last: int = LAST_EPOCHS) -> str:
    """The final accuracy, with the median and range of the last epochs.

    A minibatch step can move the boundary across points near it, so one
    epoch's accuracy is a sample; the median of the last ``last`` epochs
    does not depend on which epoch the run happens to stop at. A shorter
    run (a learner's, say) is summarised over all its epochs.
    """
    per_epoch = as_float_array(per_epoch, "per_epoch", ndim=1)  # not empty
    last = min(last, len(per_epoch))
    window = per_epoch[-last:]
    return (
        f"final {per_epoch[-1]:.3f}\n"
        f"  last {last} epochs: median {np.median(window):.3f}, "
        f"from {window.min():.3f} to {window.max():.3f}"
    )
