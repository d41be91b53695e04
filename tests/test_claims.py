"""A broken claim stops the chapter and says why (mlpcourse.claims)."""

import pytest

from mlpcourse.claims import ClaimBroken, require


def test_a_claim_that_holds_passes_silently():
    assert require("x", True, measured="1", setting="s") is None


def test_a_broken_claim_names_claim_measurement_and_setting():
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
