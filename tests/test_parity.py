"""The scratch MLP and the PyTorch MLP are the same network, and the checks would notice otherwise."""

import dataclasses
import inspect
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from paths import BOOK
from torch.optim.optimizer import register_optimizer_step_post_hook
from twin_checks import (
    GRADCHECK_TOLERANCE,
    autograd_gap,
    finite_difference_error,
    forward_gap,
    training_gap,
)

from mlpcourse import parity, scratch, settings, torch_mlp
from mlpcourse.pages import claims, film
from mlpcourse.training import Recorder

TOLERANCE = parity.PARITY_TOLERANCE
LINEAR = settings.LINEAR
EXPERIMENTS = pytest.mark.parametrize(
    "experiment", [settings.LINEAR, settings.CIRCLE], ids=["linear", "circle"]
)


@pytest.fixture(autouse=True)
def strict_claims(monkeypatch):
    """A broken claim raises, as in the book's build, not just a note."""
    monkeypatch.setenv(claims.STRICT, "1")


shapes = st.tuples(st.integers(1, 4), st.integers(1, 6), st.integers(1, 3))
activation_names = st.sampled_from(sorted(scratch.ACTIVATIONS))


def random_problem(sizes, seed, n_points=12):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=(n_points, sizes[0])), rng.uniform(
        -1, 1, size=(n_points, sizes[2])
    )


def twins(weight_shift: float = 0.0, loss_shift: float = 0.0):
    """Untrained twins, optionally pushed apart in one weight or one loss."""
    model = settings.LINEAR.make_scratch_model()
    copy = torch_mlp.TorchMLP.copy_of(model)
    with torch.no_grad():
        copy.output.weight[0, 0] -= weight_shift
    losses = np.linspace(1.0, 0.5, 4)
    shifted = losses.copy()
    shifted[2] -= loss_shift
    return parity.TwinRuns(model, losses, copy, shifted)


def test_largest_difference_is_the_largest_absolute_gap():
    first = {"a": np.array([0.0, 2.0]), "b": np.array([[1.0]])}
    second = {"a": np.array([0.0, 5.0]), "b": np.array([[-1.0]])}
    assert parity.largest_difference(first, second) == 3.0
    assert parity.largest_difference(second, first) == 3.0
    with pytest.raises(ValueError, match="must name the same arrays"):
        parity.largest_difference(first, {"a": first["a"]})


@pytest.mark.parametrize(
    "weight_shift, loss_shift, agree",
    [(0.0, 0.0, True), (1e-6, 0.0, False), (0.0, 1e-6, False)],
)
def test_the_report_says_agree_only_when_both_gaps_are_tiny(
    weight_shift, loss_shift, agree
):
    runs = twins(weight_shift, loss_shift)
    gap = parity.gaps(runs)
    assert gap.agree is agree
    assert gap.parameters == pytest.approx(weight_shift, abs=1e-15)
    assert gap.losses == pytest.approx(loss_shift, abs=1e-15)
    text = parity.report(runs)
    assert f"final parameters: {weight_shift:.1e}" in text
    assert f"over 4 epochs: {loss_shift:.1e}" in text


def test_one_step_agrees_to_rounding_for_any_setting():
    circle = settings.CIRCLE.make_dataset()
    for width, rate, batch in [(3, 0.01, 1), (128, 5.0, 7), (16, 30.0, 500)]:
        gap = parity.one_step_gap(width, rate, batch, circle)
        assert gap < 1e-12, (width, rate, batch, gap)


def test_a_broken_claim_names_claim_measurement_and_setting():
    runs = parity.TwinRuns(
        LINEAR.make_scratch_model(),
        np.array([1.0, 0.5]),
        torch_mlp.TorchMLP.copy_of(LINEAR.make_scratch_model()),
        np.array([1.0, 0.4]),
    )
    with pytest.raises(claims.ClaimBroken) as broken:
        parity.require_agreement(runs, "settings.LINEAR.learning_rate")
    message = str(broken.value)
    assert "agree within 1e-09 at every epoch" in message
    assert "loss gap 1.0e-01 (largest at epoch 2)" in message
    assert "Setting involved: settings.LINEAR.learning_rate" in message


def twin_losses(scratch_losses, torch_losses):
    """Untrained, identical twins with the given loss curves."""
    model = LINEAR.make_scratch_model()
    return parity.TwinRuns(
        model,
        np.array(scratch_losses, dtype=float),
        torch_mlp.TorchMLP.copy_of(model),
        np.array(torch_losses, dtype=float),
    )


def films(frame_gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Two one-frame films whose frames differ by ``frame_gap`` in one place."""
    return np.zeros((1, 4)), np.array([[0.0, frame_gap, 0, 0]])


def test_largest_difference_names_both_sets_of_names_sorted():
    first = {"b": np.zeros(1), "a": np.zeros(1)}
    second = {"c": np.zeros(1), "a": np.zeros(1)}
    with pytest.raises(ValueError, match=r"got \['a', 'b'\] and \['a', 'c'\]"):
        parity.largest_difference(first, second)


@pytest.mark.parametrize(
    "loss_gap, text",
    [(5e-13, "5.0e-13"), (1.5e-12, "1.5e-12"), (2e-9, "2.0e-09")],
)
def test_the_report_prints_the_measured_loss_gap(loss_gap, text):
    report = parity.report(twin_losses([0.5, 0.5], [0.5, 0.5 - loss_gap]))
    assert f"over 2 epochs: {text}\n" in report


@pytest.mark.parametrize(
    "loss_gap, agree", [(1e-9, True), (1.5e-9, False), (0.0, True)]
)
def test_runs_agree_up_to_the_tolerance_inclusive(loss_gap, agree):
    runs = twin_losses([0.0, 0.0], [0.0, loss_gap])
    assert parity.gaps(runs).agree is agree


def test_agreeing_runs_pass_the_claim_with_or_without_films():
    runs = twin_losses([1.0, 0.5], [1.0, 0.5])
    parity.require_agreement(runs, "x")
    assert parity.frame_gap(*films(1e-9)) == 1e-9
    parity.require_agreement(runs, "x", films(1e-9))  # at the tolerance


def test_a_frame_gap_above_the_tolerance_alone_breaks_the_claim():
    runs = twin_losses([1.0, 0.5], [1.0, 0.5])
    with pytest.raises(claims.ClaimBroken, match="film frame gap 2.0e-09"):
        parity.require_agreement(runs, "settings.CIRCLE.epochs", films(2e-9))


def test_a_loss_gap_breaks_the_claim_even_when_the_films_agree():
    runs = twin_losses([1.0, 0.5], [1.0, 0.4])
    with pytest.raises(claims.ClaimBroken, match="film frame gap 0.0e"):
        parity.require_agreement(runs, "settings.CIRCLE.epochs", films(0.0))


def test_the_broken_claim_names_the_worst_epoch_counting_from_1():
    """The gap is largest at the third of four epochs (not the first, where
    the losses themselves are largest, nor the second or fourth)."""
    runs = twin_losses([0.9, 0.5, 0.2, 0.1], [0.9, 0.5, 0.5, 0.1])
    with pytest.raises(claims.ClaimBroken, match=r"\(largest at epoch 3\)"):
        parity.require_agreement(runs, "settings.LINEAR.epochs")


@pytest.mark.parametrize("frames", [0, 1, 2])
def test_the_frame_gap_needs_the_same_frames_of_both_films(frames):
    """A film short of a frame (or with none) is not compared with a
    whole one, even where every frame it has agrees."""
    whole = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"same shape, got \(3, 4\) and"):
        parity.frame_gap(whole, whole[:frames])
    with pytest.raises(ValueError, match="scratch_frames and torch_frames"):
        parity.frame_gap(whole[:frames], whole)


def test_recorded_names_what_there_is_to_read():
    runs = twin_losses([1.0], [1.0])
    with pytest.raises(KeyError, match=r"recorded \[\], got 'frames'"):
        runs.recorded("frames")
    hooks = {"epochs": print, "sum": Recorder(lambda: 1.0)}
    runs = runs._replace(scratch_watched=hooks, torch_watched=hooks)
    with pytest.raises(KeyError, match=r"\['epochs', 'sum'\], got 'frame'"):
        runs.recorded("frame")
    with pytest.raises(TypeError, match="'epochs' must be a training.Rec"):
        runs.recorded("epochs")
    assert [list(values) for values in runs.recorded("sum")] == [[1.0], [1.0]]


def test_one_step_gap_takes_exactly_one_step_of_each_network(monkeypatch):
    """One step each on the first ``batch_size`` points: two steps, or a
    step on the whole dataset, would show in the count."""
    steps = {"scratch": 0, "torch": 0}
    scratch_step = scratch.MLP.step

    def counted_step(model, learning_rate):
        steps["scratch"] += 1
        return scratch_step(model, learning_rate)

    def count_torch_step(optimizer, args, kwargs):
        steps["torch"] += 1

    monkeypatch.setattr(scratch.MLP, "step", counted_step)
    handle = register_optimizer_step_post_hook(count_torch_step)
    try:
        gap = parity.one_step_gap(4, 0.5, 7, settings.CIRCLE.make_dataset())
    finally:
        handle.remove()
    assert steps == {"scratch": 1, "torch": 1}
    assert gap < 1e-12


def test_one_step_moves_both_networks_alike_not_one_alone(monkeypatch):
    """Were one network left untrained, the gap would be a whole step."""
    monkeypatch.setattr(torch_mlp, "train", lambda *args, **kwargs: None)
    gap = parity.one_step_gap(4, 0.5, 7, settings.CIRCLE.make_dataset())
    assert gap > 1e-6


def test_train_both_records_films_and_measures_of_each_network():
    short = dataclasses.replace(LINEAR, epochs=3)
    dataset = short.make_dataset()

    def total(model) -> float:
        return float(model.predict(dataset.points).sum())

    def watch(model) -> dict:
        return {
            "total": Recorder(lambda: total(model)),
            "frames": film.snapshots(model.predict, short.epochs),
        }

    runs = parity.train_both(short, dataset, watch=watch)
    models = (runs.scratch_model, runs.torch_model)
    for measured, model in zip(runs.recorded("total"), models, strict=True):
        assert len(measured) == 4  # before training and after each epoch
        assert measured[-1] == total(model)  # its own network, at the end
        assert measured[0] != measured[-1]
    films = (runs.scratch_watched["frames"], runs.torch_watched["frames"])
    assert films[0].epochs == films[1].epochs == [0, 1, 2, 3]
    frames = runs.recorded("frames")
    assert parity.frame_gap(*frames) <= TOLERANCE
    assert np.max(np.abs(frames[0][-1] - frames[0][0])) > 1e-3  # training
    parity.require_agreement(runs, "settings.LINEAR", frames)


def test_train_both_records_nothing_extra_unless_asked():
    short = dataclasses.replace(LINEAR, epochs=2)
    runs = parity.train_both(short, short.make_dataset())
    assert runs.scratch_watched == {} and runs.torch_watched == {}
    assert len(runs.scratch_losses) == len(runs.torch_losses) == 2


def test_watch_is_asked_once_for_each_network_and_its_hooks_see_it():
    """Each network's hooks are called after its every epoch; a Recorder's
    first value is taken when watch makes it, before any training."""
    short = dataclasses.replace(LINEAR, epochs=3)
    dataset = short.make_dataset()
    watched, calls = [], []

    def first_weight(model) -> float:
        if isinstance(model, torch_mlp.TorchMLP):
            return float(model.scratch_arrays()["output.weights"][0, 0])
        return float(model.parameters()["output.weights"][0, 0])

    def watch(model) -> dict:
        watched.append(model)
        return {
            "calls": lambda epoch: calls.append((model, epoch)),
            "weight": Recorder(lambda: first_weight(model)),
        }

    runs = parity.train_both(short, dataset, watch=watch)
    models = [runs.scratch_model, runs.torch_model]
    assert [id(model) for model in watched] == [id(model) for model in models]
    assert [(id(model), epoch) for model, epoch in calls] == [
        (id(model), epoch) for model in models for epoch in (1, 2, 3)
    ]
    start = first_weight(short.make_scratch_model())
    for weights, model in zip(runs.recorded("weight"), models, strict=True):
        assert weights[0] == pytest.approx(start, abs=1e-15)  # before training
        assert weights[-1] == first_weight(model)  # after the last epoch
        assert len(set(weights)) == 4  # a new value after every epoch
    assert runs.scratch_watched["weight"].epochs == [0, 1, 2, 3]


def test_watch_must_make_hooks_by_name():
    short = dataclasses.replace(LINEAR, epochs=1)
    with pytest.raises(TypeError, match="watch must return a dict.*got list"):
        parity.train_both(
            short, short.make_dataset(), watch=lambda model: [print]
        )


def test_parity_does_not_load_the_books_film_machinery():
    """Recording is passed in: parity itself needs no film."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, mlpcourse.parity; "
            "print('mlpcourse.pages.film' in sys.modules)",
        ],
        cwd=BOOK,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "False"


@EXPERIMENTS
def test_course_networks_agree_forward_and_backward(experiment):
    dataset = experiment.make_dataset()
    model = experiment.make_scratch_model()
    assert forward_gap(model, dataset.points) <= TOLERANCE
    assert autograd_gap(model, dataset.points, dataset.targets) <= TOLERANCE


@EXPERIMENTS
def test_course_training_runs_are_identical(experiment):
    """The course's settings, for the first 20 epochs. The chapters train
    the full runs once and check agreement at every epoch themselves
    (``parity.require_agreement``), so that is not repeated here."""
    short = dataclasses.replace(experiment, epochs=20)
    dataset = experiment.make_dataset()
    runs = parity.train_both(
        short,
        dataset,
        watch=lambda model: {
            "total": Recorder(
                lambda: float(model.predict(dataset.points).sum())
            )
        },
    )
    assert len(runs.scratch_losses) == len(runs.torch_losses) == 20
    assert np.max(np.abs(runs.scratch_losses - runs.torch_losses)) <= TOLERANCE
    assert runs.scratch_losses[-1] < runs.scratch_losses[0]  # it trained
    assert (
        parity.largest_difference(
            runs.scratch_model.parameters(), runs.torch_model.scratch_arrays()
        )
        <= TOLERANCE
    )
    scratch_totals, torch_totals = runs.recorded("total")
    assert len(scratch_totals) == len(torch_totals) == 21
    assert np.max(np.abs(scratch_totals - torch_totals)) < 1e-6
    assert len(set(scratch_totals)) > 1  # measured as it trained
    assert parity.gaps(runs).agree


@given(
    sizes=shapes,
    hidden=activation_names,
    output=activation_names,
    seed=st.integers(0, 2**16),
)
def test_other_shapes_agree_forward_and_backward(sizes, hidden, output, seed):
    model = scratch.MLP(*sizes, hidden, output, seed=seed)
    points, targets = random_problem(sizes, seed)
    assert forward_gap(model, points) <= TOLERANCE
    assert autograd_gap(model, points, targets) <= TOLERANCE


@given(
    sizes=shapes,
    hidden=activation_names,
    output=st.sampled_from(["sigmoid", "tanh"]),
    batch_size=st.integers(1, 12),
    seed=st.integers(0, 2**16),
)
def test_other_training_runs_are_identical(
    sizes, hidden, output, batch_size, seed
):
    model = scratch.MLP(*sizes, hidden, output, seed=seed)
    points, targets = random_problem(sizes, seed)
    gap = training_gap(
        model,
        points,
        targets,
        learning_rate=0.5,
        epochs=20,
        batch_size=batch_size,
        shuffle_seed=seed,
    )
    assert gap <= TOLERANCE


# --- The checks catch a broken network ------------------------------------------------
# Each mutation edits the source of the real chapter-1 code, recompiles it and
# patches it in; the checks that must notice are listed beside it.


def mutated(function, old: str, new: str):
    """A copy of ``function`` with ``old`` replaced by ``new`` in its source."""
    source = textwrap.dedent(inspect.getsource(function))
    assert source.count(old) == 1, (
        f"{old!r} must occur once in {function.__qualname__}"
    )
    namespace: dict = {}
    exec(
        compile(
            source.replace(old, new), inspect.getsourcefile(function), "exec"
        ),
        function.__globals__ | {"__builtins__": __builtins__},
        namespace,
    )
    return namespace[function.__name__]


MUTATIONS = {
    "drop the hidden activation's derivative": (
        scratch.MLP,
        "backward",
        "grad_hidden_a * hidden_slope",
        "grad_hidden_a",
        {"finite differences", "autograd", "training"},
    ),
    "drop the output activation's derivative": (
        scratch.MLP,
        "backward",
        "grad_outputs * output_slope",
        "grad_outputs",
        {"finite differences", "autograd", "training"},
    ),
    "use the gradient of 1/2 (y - t)^2 with the mean's loss": (
        scratch,
        "mse_gradient",
        "2.0 * (outputs - targets)",
        "(outputs - targets)",
        {"finite differences", "autograd", "training"},
    ),
    "average the bias gradient instead of summing it": (
        scratch.Dense,
        "backward",
        "grad_z.sum(axis=0)",
        "grad_z.mean(axis=0)",
        {"finite differences", "autograd", "training"},
    ),
    "forget to reset the gradients between steps": (
        scratch,
        "train",
        "model.zero_grad()",
        "pass",
        {"training"},
    ),
}


def gaps(experiment) -> dict[str, float]:
    dataset = experiment.make_dataset()
    points, targets = dataset.points[:40], dataset.targets[:40]
    options = experiment.training_options() | {"epochs": 3}
    return {
        "finite differences": finite_difference_error(
            experiment.make_scratch_model(), points, targets
        )
        / GRADCHECK_TOLERANCE,
        "autograd": autograd_gap(
            experiment.make_scratch_model(), points, targets
        )
        / TOLERANCE,
        "training": training_gap(
            experiment.make_scratch_model(), points, targets, **options
        )
        / TOLERANCE,
    }


@EXPERIMENTS
def test_the_real_code_passes_every_check(experiment):
    assert all(ratio <= 1 for ratio in gaps(experiment).values()), gaps(
        experiment
    )


@EXPERIMENTS
@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_mutated_copy_fails_the_checks(mutation, experiment, monkeypatch):
    owner, name, old, new, must_fail = MUTATIONS[mutation]
    monkeypatch.setattr(owner, name, mutated(getattr(owner, name), old, new))
    failed = {check for check, ratio in gaps(experiment).items() if ratio > 1}
    assert must_fail <= failed, (
        f"{mutation}: only {failed or 'no check'} noticed"
    )


def test_float32_drifts_but_stays_close():
    experiment = settings.CIRCLE
    dataset = experiment.make_dataset()
    options = experiment.training_options() | {"epochs": 20}
    float64 = scratch.train(
        experiment.make_scratch_model(),
        dataset.points,
        dataset.targets,
        **options,
    )
    float32 = torch_mlp.train(
        torch_mlp.TorchMLP.copy_of(
            experiment.make_scratch_model(), dtype=torch.float32
        ),
        dataset.points,
        dataset.targets,
        **options,
    )
    drift = np.max(np.abs(float64 - float32))
    assert TOLERANCE < drift < 1e-4
