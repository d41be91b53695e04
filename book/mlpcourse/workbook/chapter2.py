"""The checks of chapter 2's workbook: the PyTorch network and its loop.

``torch_network`` builds the learner's ``TorchMLP`` and compares its layers,
their dtype and initial weights, and its forward pass with the course's.
``torch_training`` trains the learner's loop beside a NumPy network (the
learner's own, from chapter 1's workbook, when it is there) and says where
they part; it names the mistake by comparing the run with the runs of
loops that each make one known mistake.

Chapter 2 writes no derivative by hand (autograd does the calculus), so
there is no finite-difference check here: the loop's gradients are
measured by the steps they make, against the course's loop.
"""

from .verdict import Piece

PIECES = (
    Piece(
        "torch_mlp.TorchMLP.__init__",
        ("torch_mlp.TorchMLP",),
        ("TorchMLP.__init__", "TorchMLP.forward"),
        "TorchMLP = check.torch_network(TorchMLP)",
    ),
    Piece(
        "torch_mlp.train",
        ("torch_mlp.train",),
        ("train",),
        "train = check.torch_training(train)",
        write_from="loss_function",
    ),
)

# The generator reads PIECES, so it comes first; the imports follow it.
# ruff: noqa: E402

import __future__

import contextlib
import io
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import torch
from torch import nn

from .. import data, scratch, torch_mlp
from ..parity import PARITY_TOLERANCE
from ..training import epoch_batches
from .verdict import Crashed, Finding, Stub, call, verdict

Arrays = dict[str, np.ndarray]

# ---------------------------------------------------------------------------
# What a check found
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnosis:
    """What a check found: the likely mistakes, the methods still stubs,
    and lines that set the scene (printed before the verdict)."""

    findings: tuple[Finding, ...] = ()
    stubs: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    numpy_side_differs: bool = False
    """Training only: the course's own loop parts from the NumPy network."""
    beside: str = ""
    """Training only: whose NumPy network it trained beside: "your" or
    "the course's"."""

    @property
    def mistakes(self) -> tuple[str, ...]:
        """The ``mistake`` of each finding, in order."""
        return tuple(finding.mistake for finding in self.findings)

    def failing(self) -> set[str]:
        """The pieces that fall back to the course's: stubs or findings."""
        return set(self.stubs) | {finding.piece for finding in self.findings}


# ---------------------------------------------------------------------------
# The network: TorchMLP.__init__ and TorchMLP.forward
# ---------------------------------------------------------------------------

INIT = "TorchMLP.__init__"
FORWARD = "TorchMLP.forward"
SEED = 1
NETWORKS = ((2, 5, 2, "relu", "sigmoid"), (2, 4, 1, "tanh", "tanh"))
"""The networks each check builds, as ``TorchMLP(*network, seed=SEED)``."""
N_FORWARD_POINTS = 6
FORWARD_TOLERANCE = 1e-12
NETWORK_NEEDED_BY = "The cells below build and train the PyTorch network"


def _shown(network: tuple[Any, ...]) -> str:
    """``TorchMLP(2, 5, 2, "relu", "sigmoid", seed=1)``, as a learner types
    it."""
    n_inputs, n_hidden, n_outputs, hidden, output = network
    return (
        f'TorchMLP({n_inputs}, {n_hidden}, {n_outputs}, "{hidden}", '
        f'"{output}", seed={SEED})'
    )


def diagnose_torch_network(TorchMLP: Any) -> Diagnosis:
    """Build the learner's ``TorchMLP`` and compare it with the course's:
    ``__init__`` (layers, dtype, initial weights), then ``forward``."""
    if not (isinstance(TorchMLP, type) and issubclass(TorchMLP, nn.Module)):
        return Diagnosis(
            (
                Finding(
                    "TorchMLP",
                    "not a module",
                    "TorchMLP must be a class built on PyTorch's nn.Module: "
                    f"class TorchMLP(nn.Module); got {_kind(TorchMLP)}",
                ),
            )
        )
    stubs: list[str] = []
    init_findings, models = _init_findings(TorchMLP, stubs)
    forward_findings = _forward_findings(TorchMLP, models, stubs)
    return Diagnosis(
        tuple(init_findings + forward_findings), tuple(dict.fromkeys(stubs))
    )


def torch_network(TorchMLP: type) -> type:
    """Check the learner's ``TorchMLP``; return what the cells below use:
    theirs when it passes, else with the course's failing methods."""
    try:
        diagnosis = diagnose_torch_network(TorchMLP)
    except Exception as error:  # a bug of the check's: still never raise
        print(_check_failed("TorchMLP", error))
        return torch_mlp.TorchMLP
    if any(finding.piece == "TorchMLP" for finding in diagnosis.findings):
        verdict(
            "TorchMLP",
            list(diagnosis.findings),
            "",
            needed_by=NETWORK_NEEDED_BY,
        )
        return torch_mlp.TorchMLP
    failing = diagnosis.failing()
    if not failing:
        verdict(
            "TorchMLP",
            [],
            f"{_INIT_VERIFIED}; and forward {_FORWARD_VERIFIED}",
            needed_by=NETWORK_NEEDED_BY,
        )
        return TorchMLP
    for method, verified in ((INIT, _INIT_VERIFIED), (FORWARD, _FORWARD_PASS)):
        verdict(
            method,
            [f for f in diagnosis.findings if f.piece == method],
            verified,
            needed_by=NETWORK_NEEDED_BY,
            stubbed=method in diagnosis.stubs,
        )
    print(_fallback_line(failing))
    return _with_course_methods(TorchMLP, failing)


_INIT_VERIFIED = (
    f"built as {_shown(NETWORKS[0])} and {_shown(NETWORKS[1])}, its layers "
    "have the course's shapes, dtype (float64, or the dtype asked for) and "
    "initial weights, it stores the activations' names, and it leaves the "
    "global random generator as it was"
)
_FORWARD_VERIFIED = (
    f"gives the course's outputs on {N_FORWARD_POINTS} points, for both "
    "networks, to under 1e-12, keeping autograd's record"
)
_FORWARD_PASS = f"it {_FORWARD_VERIFIED}"


def _fallback_line(failing: set[str]) -> str:
    yours = [m for m in (INIT, FORWARD) if m not in failing]
    courses = [m for m in (INIT, FORWARD) if m in failing]
    line = "The cells below use the course's " + " and ".join(courses)
    if yours:
        line += " with your " + " and ".join(yours)
    return line + "."


def _with_course_methods(TorchMLP: type, failing: set[str]) -> type:
    methods: dict[str, Any] = {
        "__module__": TorchMLP.__module__,
        "__qualname__": TorchMLP.__qualname__,
    }
    if INIT in failing:
        methods["__init__"] = course_init
    if FORWARD in failing:
        methods["forward"] = torch_mlp.TorchMLP.forward
    return type(TorchMLP.__name__, (TorchMLP,), methods)


def course_init(self: nn.Module, *args: Any, **kwargs: Any) -> None:
    """The course's ``TorchMLP.__init__``, for the learner's class.

    The course's own calls ``super().__init__()``, which works only on the
    course's class; this one builds the course's network and takes over its
    layers and settings.
    """
    nn.Module.__init__(self)
    vars(self).update(vars(torch_mlp.TorchMLP(*args, **kwargs)))


def _kind(value: object) -> str:
    """What ``value`` is, without a repr (which may hold an address)."""
    if isinstance(value, type):
        return f"the class {value.__name__}"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"


# -- __init__ ---------------------------------------------------------------


def _init_findings(
    TorchMLP: type,
    stubs: list[str],
) -> tuple[list[Finding], list[nn.Module] | None]:
    """Findings on ``__init__``, and the learner's networks (one per entry
    of ``NETWORKS``) when it passes, for ``forward`` to run on."""
    findings: list[Finding] = []
    models: list[nn.Module] = []
    try:
        for network in NETWORKS:
            model, found = _built(TorchMLP, network, torch.float64)
            findings += found
            models.append(model)
        if not findings:
            _, found = _built(TorchMLP, NETWORKS[0], torch.float32)
            findings += found
    except Stub:
        stubs.append(INIT)
        return [], None
    except Crashed as crashed:
        return [_init_crash(crashed.finding)], None
    findings = _first_of_each(findings)
    return findings, (models if not findings else None)


def _first_of_each(findings: list[Finding]) -> list[Finding]:
    """One finding per mistake: the first."""
    seen: dict[str, Finding] = {}
    for finding in findings:
        seen.setdefault(finding.mistake, finding)
    return list(seen.values())


def _init_crash(finding: Finding) -> Finding:
    if "before Module.__init__() call" in finding.message:
        return Finding(
            INIT,
            "missing super().__init__()",
            'PyTorch refused your first layer ("cannot assign module '
            'before Module.__init__() call"): __init__ must start with '
            "super().__init__(), which sets up nn.Module's records of the "
            "layers and their parameters",
        )
    return finding


def _built(
    TorchMLP: type,
    network: tuple[Any, ...],
    dtype: torch.dtype,
) -> tuple[nn.Module, list[Finding]]:
    """The learner's network, built with the global generator watched, and
    what is wrong with it compared with the course's."""
    state = torch.random.get_rng_state()
    try:
        model = call(INIT, TorchMLP, *network, dtype=dtype, seed=SEED)
        generator_moved = not torch.equal(torch.random.get_rng_state(), state)
    finally:
        torch.random.set_rng_state(state)
    findings = _layer_findings(model, network)
    if not findings:
        findings = _dtype_findings(model, network, dtype)
    if not findings:
        findings = _weight_findings(model, network, dtype, generator_moved)
    if dtype == torch.float64:
        findings += _activation_name_findings(model, network)
    return model, findings


def _layer_findings(
    model: nn.Module, network: tuple[Any, ...]
) -> list[Finding]:
    n_inputs, n_hidden, n_outputs = network[:3]
    findings = []
    wanted = {"hidden": (n_inputs, n_hidden), "output": (n_hidden, n_outputs)}
    for name, (n_in, n_out) in wanted.items():
        layer = getattr(model, name, None)
        if not isinstance(layer, nn.Linear):
            findings.append(
                Finding(
                    INIT,
                    "missing layer",
                    f"{_shown(network)} has no nn.Linear layer "
                    f"self.{name} (it is {_kind(layer)}): name the layers "
                    "self.hidden and self.output, as copy_of, scratch_arrays "
                    "and predict below use them",
                )
            )
            continue
        sizes = (layer.in_features, layer.out_features)
        if sizes == (n_in, n_out):
            continue
        if sizes == (n_out, n_in):
            mistake, hint = (
                "layer sizes swapped",
                "nn.Linear takes the number of inputs first, then the "
                "number of outputs",
            )
        else:
            mistake, hint = "layer sizes wrong", _sizes_hint(name)
        findings.append(
            Finding(
                INIT,
                mistake,
                f"in {_shown(network)}, self.{name} is nn.Linear{sizes}; it "
                f"must be nn.Linear({n_in}, {n_out}): {hint}",
            )
        )
    return findings


def _sizes_hint(name: str) -> str:
    if name == "hidden":
        return "the hidden layer is nn.Linear(n_inputs, n_hidden)"
    return "the output layer is nn.Linear(n_hidden, n_outputs)"


def _dtype_findings(
    model: nn.Module, network: tuple[Any, ...], dtype: torch.dtype
) -> list[Finding]:
    got = model.hidden.weight.dtype, model.output.weight.dtype
    if got == (dtype, dtype):
        return []
    if dtype == torch.float64 and torch.float32 in got:
        return [
            Finding(
                INIT,
                "dtype not passed",
                f"the layers of {_shown(network)} hold {_dtype_name(got)} "
                "numbers, PyTorch's default: pass the network's dtype to "
                "each layer, nn.Linear(..., dtype=dtype), so that it "
                "computes in float64 like chapter 1",
            )
        ]
    return [
        Finding(
            INIT,
            "dtype ignored",
            f"asked for dtype=torch.float32, your layers hold "
            f"{_dtype_name(got)} numbers: pass the dtype argument itself, "
            "nn.Linear(..., dtype=dtype), not a fixed one",
        )
    ]


def _dtype_name(dtypes: tuple[torch.dtype, ...]) -> str:
    return " and ".join(
        dict.fromkeys(str(d).removeprefix("torch.") for d in dtypes)
    )


def _weight_findings(
    model: nn.Module,
    network: tuple[Any, ...],
    dtype: torch.dtype,
    generator_moved: bool,
) -> list[Finding]:
    course = torch_mlp.TorchMLP(*network, dtype=dtype, seed=SEED)
    if _same_parameters(model, course):
        if not generator_moved:
            return []
        return [
            Finding(
                INIT,
                "global generator changed",
                "your layers have the course's initial weights, but making "
                "them moved PyTorch's global random generator, which other "
                "cells draw from: seed and create them inside "
                "with torch.random.fork_rng():, which puts it back",
            )
        ]
    if _same_parameters(model, torch_mlp.TorchMLP(*network, dtype=dtype)):
        return [
            Finding(
                INIT,
                "seed ignored",
                f"{_shown(network)} has the initial weights of seed=0: use "
                "the seed argument, torch.manual_seed(seed)",
            )
        ]
    if _same_parameters(model, _made_output_first(network, dtype)):
        return [
            Finding(
                INIT,
                "layers made out of order",
                "your layers are seeded, but you create self.output before "
                "self.hidden, so they draw other numbers than the course's: "
                "create self.hidden first",
            )
        ]
    return [
        Finding(
            INIT,
            "layers not seeded",
            f"the initial weights of {_shown(network)} differ from the "
            "course's for the same seed: create the layers inside "
            "with torch.random.fork_rng(): after torch.manual_seed(seed)",
        )
    ]


def _made_output_first(
    network: tuple[Any, ...], dtype: torch.dtype
) -> nn.Module:
    n_inputs, n_hidden, n_outputs = network[:3]
    model = nn.Module()
    with torch.random.fork_rng():
        torch.manual_seed(SEED)
        model.output = nn.Linear(n_hidden, n_outputs, dtype=dtype)
        model.hidden = nn.Linear(n_inputs, n_hidden, dtype=dtype)
    return model


def _same_parameters(model: nn.Module, course: nn.Module) -> bool:
    for name in ("hidden", "output"):
        mine, theirs = getattr(model, name), getattr(course, name)
        for attribute in ("weight", "bias"):
            got = getattr(mine, attribute, None)
            if not (
                isinstance(got, torch.Tensor)
                and got.shape == getattr(theirs, attribute).shape
                and torch.equal(got.detach(), getattr(theirs, attribute))
            ):
                return False
    return True


def _activation_name_findings(
    model: nn.Module, network: tuple[Any, ...]
) -> list[Finding]:
    hidden, output = network[3:]
    got = (
        getattr(model, "hidden_activation", None),
        getattr(model, "output_activation", None),
    )
    if got == (hidden, output):
        return []
    if got == (output, hidden):
        return [
            Finding(
                INIT,
                "activation names swapped",
                f"{_shown(network)} stores hidden_activation={output!r} and "
                f"output_activation={hidden!r}: the other way round",
            )
        ]
    return [
        Finding(
            INIT,
            "activation names not stored",
            "store the activations' names as given, "
            "self.hidden_activation = hidden_activation and "
            "self.output_activation = output_activation: forward, "
            "extra_repr and copy_of read them",
        )
    ]


# -- forward ----------------------------------------------------------------


def _forward_findings(
    TorchMLP: type,
    models: list[nn.Module] | None,
    stubs: list[str],
) -> list[Finding]:
    """Run the learner's forward on the learner's networks, if their
    ``__init__`` passed, else on the course's, and compare the outputs."""
    findings: list[Finding] = []
    inputs = torch.from_numpy(
        np.random.default_rng(0).normal(size=(N_FORWARD_POINTS, 2))
    )
    for index, network in enumerate(NETWORKS):
        course = torch_mlp.TorchMLP(*network, seed=SEED)
        try:
            if models is not None:
                outputs = call(FORWARD, models[index], inputs)
            else:
                outputs = call(FORWARD, TorchMLP.forward, course, inputs)
        except Stub:
            stubs.append(FORWARD)
            return []
        except Crashed as crashed:
            return [crashed.finding]
        findings += _output_findings(outputs, course, inputs, network)
    return _first_of_each(findings)


def _output_findings(
    outputs: object,
    course: torch_mlp.TorchMLP,
    inputs: torch.Tensor,
    network: tuple[Any, ...],
) -> list[Finding]:
    expected = course(inputs)
    if not isinstance(outputs, torch.Tensor):
        return [
            Finding(
                FORWARD,
                "not a tensor",
                f"forward returned {_kind(outputs)}; it must return the "
                "output layer's tensor, ACTIVATIONS[...](self.output(...))",
            )
        ]
    if outputs.shape != expected.shape:
        return [
            Finding(
                FORWARD,
                "wrong shape",
                f"for {N_FORWARD_POINTS} points, forward of "
                f"{_shown(network)} returned shape {tuple(outputs.shape)}; "
                f"expected {tuple(expected.shape)}, one row per point and "
                "one column per output",
            )
        ]
    if outputs.grad_fn is None:
        return [
            Finding(
                FORWARD,
                "no autograd record",
                "forward's outputs carry no autograd record (grad_fn is "
                "None), so loss.backward() could not reach the weights: do "
                "not use torch.no_grad() or .detach() inside forward",
            )
        ]
    if _close(outputs, expected):
        return []
    return [_activation_finding(outputs, course, inputs, network)]


def _close(got: torch.Tensor, expected: torch.Tensor) -> bool:
    got = got.detach().to(expected.dtype)
    return bool(
        torch.all(torch.abs(got - expected.detach()) <= FORWARD_TOLERANCE)
    )


def _activation_finding(
    outputs: torch.Tensor,
    course: torch_mlp.TorchMLP,
    inputs: torch.Tensor,
    network: tuple[Any, ...],
) -> Finding:
    """Which activations the learner's outputs were computed with."""
    hidden, output = network[3:]
    for used in _activation_pairs():
        if _close(outputs, _forward_with(course, inputs, *used)):
            return _pair_finding(used, (hidden, output), network)
    worst = torch.abs(outputs.detach() - course(inputs).detach()).max()
    return Finding(
        FORWARD,
        "forward differs",
        f"forward of {_shown(network)} gives other outputs than the "
        f"course's (by up to {float(worst):.2g}): apply the hidden layer, "
        "then its activation, then the output layer, then its activation",
    )


def _activation_pairs() -> Iterator[tuple[str, str]]:
    # identity first: where every z is positive, relu(z) is z too
    names = sorted(torch_mlp.ACTIVATIONS, key=lambda name: name != "identity")
    for hidden in names:
        for output in names:
            yield hidden, output


def _forward_with(
    course: torch_mlp.TorchMLP, inputs: torch.Tensor, hidden: str, output: str
) -> torch.Tensor:
    functions = torch_mlp.ACTIVATIONS
    with torch.no_grad():
        return functions[output](
            course.output(functions[hidden](course.hidden(inputs)))
        )


def _pair_finding(
    used: tuple[str, str],
    wanted: tuple[str, str],
    network: tuple[Any, ...],
) -> Finding:
    (hidden, output), (want_hidden, want_output) = used, wanted
    if used == ("identity", "identity"):
        mistake, message = (
            "no activations",
            "your forward applies no activation at all: a = f(z) after "
            "each layer, ACTIVATIONS[self.hidden_activation](...) and "
            "ACTIVATIONS[self.output_activation](...)",
        )
    elif hidden == want_hidden and output == "identity":
        mistake, message = (
            "no output activation",
            "your forward returns the output layer's z, without its "
            f"activation ({want_output} here): apply "
            "ACTIVATIONS[self.output_activation] to self.output(...)",
        )
    elif hidden == "identity" and output == want_output:
        mistake, message = (
            "no hidden activation",
            "your forward feeds the hidden layer's z straight into the "
            f"output layer, without its activation ({want_hidden} here): "
            "apply ACTIVATIONS[self.hidden_activation] to self.hidden(...)",
        )
    elif used == (want_output, want_hidden):
        mistake, message = (
            "activations swapped",
            f"your forward applies {hidden} to the hidden layer and "
            f"{output} to the output layer: the other way round, "
            "self.hidden_activation after self.hidden, "
            "self.output_activation after self.output",
        )
    elif network is NETWORKS[1] and used == NETWORKS[0][3:]:
        mistake, message = (
            "activations hard-coded",
            f"for {_shown(network)} your forward still applies relu and "
            "sigmoid: look the functions up by the names the network "
            "stores, ACTIVATIONS[self.hidden_activation] and "
            "ACTIVATIONS[self.output_activation]",
        )
    else:
        mistake, message = (
            "wrong activations",
            f"for {_shown(network)} your forward applies {hidden} and "
            f"{output}; this network's are {want_hidden} and {want_output}",
        )
    return Finding(FORWARD, mistake, message)


# ---------------------------------------------------------------------------
# The training loop, trained beside a NumPy network
# ---------------------------------------------------------------------------

TRAIN = "train"
CHAPTER1_WORKBOOK = "scratch_mlp_workbook.ipynb"
WORKBOOK_CELLS = ("setup", "piece", "check")
"""The cells of chapter 1's workbook that hold the learner's network."""
TRAINING_NETWORK = (2, 5, 2, "relu", "sigmoid")
N_POINTS = 12
N_OUTPUTS = 2
OPTIONS: Mapping[str, Any] = {
    "learning_rate": 0.5,
    "epochs": 3,
    "batch_size": 5,
    "shuffle_seed": 2,
}
PROBLEM = (
    f"{N_POINTS} points of the linear dataset, batches of "
    f"{OPTIONS['batch_size']} (the last of {N_POINTS % OPTIONS['batch_size']})"
    f", {OPTIONS['epochs']} epochs, learning rate {OPTIONS['learning_rate']}"
)
TRAINING_NEEDED_BY = "The cells below train the PyTorch network with train"
_HALF_SUM_FACTOR = OPTIONS["batch_size"] * N_OUTPUTS // 2


def _problem() -> tuple[np.ndarray, np.ndarray]:
    dataset = data.make_linear(N_POINTS, seed=0)
    return dataset.points, dataset.targets


# -- The NumPy side -----------------------------------------------------------


@dataclass(frozen=True)
class NumpySide:
    """The NumPy network and loop the learner's loop trains beside."""

    network: Any
    loop: Any
    learners: bool
    """From the learner's chapter-1 workbook (else the course's)."""
    note: str = ""
    """Why it is the course's, when the learner's was wanted."""


def _course_side(why: str) -> NumpySide:
    return NumpySide(
        scratch.MLP,
        scratch.train,
        learners=False,
        note=f"{why}, so your loop trains beside the course's NumPy network.",
    )


def chapter1_side(folder: Path) -> NumpySide:
    """The learner's ``MLP`` and ``train`` from chapter 1's workbook in
    ``folder``, or the course's where it is missing or does not run."""
    path = Path(folder) / CHAPTER1_WORKBOOK
    if not path.is_file():
        return _course_side(
            f"chapter 1's workbook is not here ({CHAPTER1_WORKBOOK})"
        )
    try:
        notebook = nbformat.read(path, as_version=4)
        cells = [
            cell.source
            for cell in notebook.cells
            if cell.cell_type == "code"
            and cell.get("metadata", {}).get("workbook") in WORKBOOK_CELLS
        ]
    except Exception as error:  # a damaged file: anything can happen
        return _course_side(
            f"chapter 1's workbook ({CHAPTER1_WORKBOOK}) could not be read "
            f"({type(error).__name__})"
        )
    namespace: dict[str, Any] = {"__name__": "scratch_mlp_workbook"}
    captured = io.StringIO()
    try:
        with (
            contextlib.redirect_stdout(captured),
            contextlib.redirect_stderr(captured),
        ):
            for number, source in enumerate(cells, 1):
                exec(_compiled(source, number), namespace)
    except BaseException as error:  # even a SystemExit, or an exit()
        if isinstance(error, KeyboardInterrupt):
            raise
        return _course_side(
            f"chapter 1's workbook ({CHAPTER1_WORKBOOK}) stopped with "
            f"{type(error).__name__} when its cells ran here"
        )
    network, loop = namespace.get("MLP"), namespace.get("train")
    if not (isinstance(network, type) and callable(loop)):
        return _course_side(
            f"chapter 1's workbook ({CHAPTER1_WORKBOOK}) defines no MLP "
            "and train"
        )
    return NumpySide(network, loop, learners=True)


def _compiled(source: str, number: int) -> Any:
    """A cell's code as IPython runs it: the setup cell's
    ``from __future__ import annotations`` holds for every cell after it,
    so hints naming what the workbook does not import are not evaluated."""
    return compile(
        source,
        f"{CHAPTER1_WORKBOOK}, cell {number}",
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )


# -- Runs -----------------------------------------------------------------


@dataclass
class Run:
    """One training run, as its epoch hook and the network saw it."""

    calls: list[object] = field(default_factory=list)
    """What the loop passed to ``on_epoch``, call by call."""
    snapshots: list[Arrays] = field(default_factory=list)
    """The parameters at each call of ``on_epoch``."""
    final: Arrays = field(default_factory=dict)
    returned: object = None
    batch_losses: list[list[tuple[float, int]]] = field(default_factory=list)
    """Variants only: each epoch's (loss, batch size) per batch."""

    def per_epoch(self, epochs: int) -> list[Arrays] | None:
        """The parameters after each epoch, if the hook was called right."""
        if _as_ints(self.calls) == list(range(1, epochs + 1)):
            return self.snapshots
        return None


def _as_ints(values: list[object]) -> list[int] | None:
    if all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool)
        for v in values
    ):
        return [int(v) for v in values]  # type: ignore[arg-type]
    return None


def _copies(arrays: Mapping[str, Any]) -> Arrays:
    return {
        name: np.array(value, dtype=float) for name, value in arrays.items()
    }


def _numpy_training(side: NumpySide) -> tuple[Run, scratch.MLP, Run]:
    """The NumPy side's run, its network's start (untrained) and the
    course's PyTorch loop's run from that start."""
    start = side.network(*TRAINING_NETWORK, seed=SEED)
    course_run = _torch_run(torch_mlp.train, start, OPTIONS)
    return _numpy_run(side, OPTIONS), start, course_run


def _numpy_run(side: NumpySide, options: Mapping[str, Any]) -> Run:
    points, targets = _problem()
    model = side.network(*TRAINING_NETWORK, seed=SEED)
    run = Run()

    def record(epoch: object) -> None:
        run.calls.append(epoch)
        run.snapshots.append(_copies(model.parameters()))

    with contextlib.redirect_stdout(io.StringIO()):
        run.returned = side.loop(
            model, points, targets, **options, on_epoch=record
        )
    run.final = _copies(model.parameters())
    if set(run.final) != set(_TORCH_NAMES):
        raise ValueError(f"parameters() must name {sorted(_TORCH_NAMES)}")
    return run


def _torch_run(
    loop: Callable[..., object],
    start: scratch.MLP,
    options: Mapping[str, Any],
    *,
    hook: bool = True,
) -> Run:
    """Train a PyTorch copy of ``start`` with ``loop``."""
    points, targets = _problem()
    model = torch_mlp.TorchMLP.copy_of(start)
    run = Run()

    def record(epoch: object) -> None:
        run.calls.append(epoch)
        run.snapshots.append(_copies(model.scratch_arrays()))

    hooks = {"on_epoch": record} if hook else {}
    try:
        run.returned = loop(model, points, targets, **options, **hooks)
    finally:
        run.final = _parameters_of(model)
    return run


def _parameters_of(model: torch_mlp.TorchMLP) -> Arrays:
    """The network's parameters, as copies; none if a loop broke it."""
    try:
        return _copies(model.scratch_arrays())
    except Exception:  # layers replaced by the learner's loop, say
        return {}


def _learner_loop(train: Callable[..., object]) -> Callable[..., object]:
    def learners(*args: Any, **kwargs: Any) -> object:
        with contextlib.redirect_stdout(io.StringIO()):
            return call(TRAIN, train, *args, **kwargs)

    return learners


# -- Loops with one known mistake -------------------------------------------


@dataclass(frozen=True)
class LoopVariant:
    """The course's loop, or the course's with known mistakes."""

    loss: str = "mean"  # "mean", "half-sum" or "sum"
    zero_grad: bool = True
    step_after_backward: bool = True
    shuffled: bool = True
    learning_rate_factor: float = 1.0
    frozen: frozenset[str] = frozenset()
    """Parameters (scratch names) left out of the optimizer."""


def _half_sum(outputs: torch.Tensor, wanted: torch.Tensor) -> torch.Tensor:
    return ((outputs - wanted) ** 2).sum() / 2


_LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "mean": nn.MSELoss(),
    "half-sum": _half_sum,
    "sum": nn.MSELoss(reduction="sum"),
}
_TORCH_NAMES = {
    "hidden.weights": ("hidden", "weight"),
    "hidden.bias": ("hidden", "bias"),
    "output.weights": ("output", "weight"),
    "output.bias": ("output", "bias"),
}


def _in_order(n_points: int, batch_size: int) -> Iterator[np.ndarray]:
    for start in range(0, n_points, batch_size):
        yield np.arange(start, min(start + batch_size, n_points))


def variant_loop(variant: LoopVariant) -> Callable[..., list]:
    """A training loop like ``torch_mlp.train``, with ``variant``'s
    mistakes; it returns each epoch's (loss, batch size) per batch."""

    def loop(
        model: torch_mlp.TorchMLP,
        points: np.ndarray,
        targets: np.ndarray,
        *,
        learning_rate: float,
        epochs: int,
        batch_size: int,
        shuffle_seed: int,
        on_epoch: Callable[[int], None] | None = None,
    ) -> list[list[tuple[float, int]]]:
        inputs, wanted = torch.from_numpy(points), torch.from_numpy(targets)
        rng = np.random.default_rng(shuffle_seed)
        loss_function = _LOSSES[variant.loss]
        parameters = [
            getattr(getattr(model, layer), attribute)
            for name, (layer, attribute) in _TORCH_NAMES.items()
            if name not in variant.frozen
        ]
        optimizer = torch.optim.SGD(
            parameters, lr=learning_rate * variant.learning_rate_factor
        )
        batch_losses = []
        for epoch in range(epochs):
            batches = (
                epoch_batches(len(points), batch_size, rng)
                if variant.shuffled
                else _in_order(len(points), batch_size)
            )
            losses = []
            for batch in batches:
                index = torch.from_numpy(batch)
                if variant.zero_grad:
                    optimizer.zero_grad()
                loss = loss_function(model(inputs[index]), wanted[index])
                if variant.step_after_backward:
                    loss.backward()
                    optimizer.step()
                else:
                    optimizer.step()
                    loss.backward()
                losses.append((loss.item(), len(batch)))
            batch_losses.append(losses)
            if on_epoch is not None:
                on_epoch(epoch + 1)
        return batch_losses

    return loop


COURSE_LOOP = LoopVariant()
LOOP_MISTAKES: dict[str, LoopVariant] = {
    "zero_grad forgotten": LoopVariant(zero_grad=False),
    "half-sum loss": LoopVariant(loss="half-sum"),
    "sum reduction": LoopVariant(loss="sum"),
    "step before backward": LoopVariant(step_after_backward=False),
    "batches in fixed order": LoopVariant(shuffled=False),
}
"""Mistakes that change the parameters' path, each as a variant loop."""

LOOP_MESSAGES = {
    "zero_grad forgotten": (
        "your loop never resets the gradients, so they pile up from batch "
        "to batch (each loss.backward() adds to .grad): call "
        "optimizer.zero_grad() at the start of each batch"
    ),
    "half-sum loss": (
        "your loss is the half-sum ((y − t)²).sum() / 2, the chapter's "
        "loss-scale trap: its gradient is n·k/2 times the mean's, "
        f"{_HALF_SUM_FACTOR} times larger for these batches of "
        f"n = {OPTIONS['batch_size']} points with k = {N_OUTPUTS} outputs, "
        "so every step goes that much further. nn.MSELoss() is the mean of "
        "(y − t)² over every entry, chapter 1's L: "
        "loss_function = nn.MSELoss()"
    ),
    "sum reduction": (
        'nn.MSELoss(reduction="sum") adds up (y − t)² over the batch '
        "instead of averaging it: its gradient is n·k times the mean's, "
        f"{2 * _HALF_SUM_FACTOR} times larger for these batches of "
        f"n = {OPTIONS['batch_size']} points with k = {N_OUTPUTS} outputs. "
        "Use nn.MSELoss(), whose default is the mean, chapter 1's L"
    ),
    "step before backward": (
        "after training, your network still has its initial parameters: "
        "optimizer.step() runs before loss.backward() has stored any "
        "gradient (or one of them is missing). In each batch: "
        "optimizer.zero_grad(), the forward pass, the loss, "
        "loss.backward(), then optimizer.step()"
    ),
    "batches in fixed order": (
        "your loop takes the points in the same, stored order every epoch; "
        "the course's shuffles them, with the set-up's rng: "
        "for batch in epoch_batches(len(points), batch_size, rng), then "
        "index = torch.from_numpy(batch)"
    ),
}


def _variant_run(variant: LoopVariant, start: scratch.MLP) -> Run:
    run = _torch_run(variant_loop(variant), start, OPTIONS)
    run.batch_losses = run.returned  # type: ignore[assignment]
    return run


# -- Where two runs part -----------------------------------------------------


@dataclass(frozen=True)
class Parting:
    """Where two runs first differ by more than ``PARITY_TOLERANCE``."""

    epoch: int | None  # None: only the final parameters could be compared
    name: str
    difference: float

    def where(self) -> str:
        at = (
            "by the end of training"
            if self.epoch is None
            else f"at epoch {self.epoch}"
        )
        return f"{at}: {self.name} differs by {self.difference:.1e}"


def _differences(first: Arrays, second: Arrays) -> dict[str, float]:
    gaps = {}
    for name in _TORCH_NAMES:
        a, b = first.get(name), second.get(name)
        if a is None or b is None or np.shape(a) != np.shape(b):
            gaps[name] = math.inf
            continue
        gap = np.abs(np.asarray(a) - np.asarray(b))
        gaps[name] = (
            float(np.max(gap)) if np.all(np.isfinite(gap)) else math.inf
        )
    return gaps


def first_parting(first: Run, second: Run) -> Parting | None:
    """The first epoch and parameter where the runs part, or None."""
    epochs = OPTIONS["epochs"]
    mine, theirs = first.per_epoch(epochs), second.per_epoch(epochs)
    pairs: list[tuple[int | None, Arrays, Arrays]] = []
    if mine is not None and theirs is not None:
        pairs = [
            (e, a, b)
            for e, (a, b) in enumerate(zip(mine, theirs, strict=True), 1)
        ]
    for epoch, a, b in [*pairs, (None, first.final, second.final)]:
        gaps = _differences(a, b)
        name = max(gaps, key=gaps.__getitem__)
        if gaps[name] > PARITY_TOLERANCE:
            return Parting(epoch, name, gaps[name])
    return None


# -- The diagnosis ------------------------------------------------------------


def diagnose_torch_training(
    train: Any, *, folder: Path | None = None
) -> Diagnosis:
    """Train the learner's loop beside a NumPy network and beside the
    course's loop; name the likely mistakes. ``folder`` holds chapter 1's
    workbook (the current directory by default)."""
    if not callable(train):
        return Diagnosis(
            (
                Finding(
                    TRAIN,
                    "not a function",
                    f"train must be the training function; got {_kind(train)}",
                ),
            )
        )
    side = chapter1_side(Path.cwd() if folder is None else folder)
    try:
        numpy_run, start, course_run = _numpy_training(side)
    except Exception as error:  # the learner's chapter 1: anything goes
        if not side.learners:
            raise
        side = _course_side(
            "your NumPy network from chapter 1's workbook raised "
            f"{type(error).__name__} when trained here"
        )
        numpy_run, start, course_run = _numpy_training(side)
    notes = [side.note] if side.note else []
    beside = "your" if side.learners else "the course's"
    try:
        learner_run = _torch_run(_learner_loop(train), start, OPTIONS)
    except Stub:
        return Diagnosis(stubs=(TRAIN,), notes=tuple(notes), beside=beside)
    except Crashed as crashed:
        return Diagnosis(
            (_train_crash(crashed.finding),), notes=tuple(notes), beside=beside
        )
    findings = _loop_findings(train, learner_run, course_run, start)
    differs = first_parting(course_run, numpy_run)
    notes += _side_notes(
        beside,
        first_parting(learner_run, numpy_run),
        differs,
        not findings,
        learner_run.per_epoch(OPTIONS["epochs"]) is not None,
    )
    return Diagnosis(
        tuple(findings),
        notes=tuple(notes),
        numpy_side_differs=differs is not None,
        beside=beside,
    )


def torch_training(
    train: Callable[..., np.ndarray], *, folder: Path | None = None
) -> Callable[..., np.ndarray]:
    """Check the learner's PyTorch loop; return what the cells below use:
    theirs when it passes, else the course's ``torch_mlp.train``."""
    try:
        diagnosis = diagnose_torch_training(train, folder=folder)
    except Exception as error:  # a bug of the check's: still never raise
        print(_check_failed("train", error))
        return torch_mlp.train
    for note in diagnosis.notes:
        print(note)
    verified = (
        f"it trains exactly as the course's PyTorch loop ({PROBLEM}): the "
        "parameters equal to rounding (within 1e-9) after every epoch, the "
        "same losses returned, on_epoch called after each epoch, and it "
        "runs without one too"
        if diagnosis.numpy_side_differs
        else f"trained beside {diagnosis.beside} NumPy network ({PROBLEM}), "
        "its parameters equal that network's to rounding (within 1e-9) after "
        "every epoch; it returns the same loss for each epoch, calls "
        "on_epoch after each one, and runs without one too"
    )
    passed = verdict(
        TRAIN,
        list(diagnosis.findings),
        verified,
        needed_by=TRAINING_NEEDED_BY,
        stubbed=bool(diagnosis.stubs),
    )
    return train if passed else torch_mlp.train


def _check_failed(piece: str, error: Exception) -> str:
    return (
        f"The check of {piece} itself failed ({type(error).__name__}), "
        "through no fault of yours: the cells below use the course's."
    )


def _side_notes(
    owner: str,
    learner_parts: Parting | None,
    course_parts: Parting | None,
    loop_right: bool,
    every_epoch: bool,
) -> list[str]:
    """Where the learner's loop and the NumPy network part, and whether
    the course's loop parts from the NumPy network too."""
    notes = []
    if learner_parts is not None:
        notes.append(
            f"Trained side by side ({PROBLEM}), your loop and {owner} NumPy "
            f"network part {learner_parts.where()}."
        )
    elif not loop_right:
        when = "after every epoch" if every_epoch else "after training"
        notes.append(
            f"Trained side by side ({PROBLEM}), your loop's parameters equal "
            f"{owner} NumPy network's to rounding (within 1e-9) {when}."
        )
    if course_parts is None:
        return notes
    if loop_right:
        source = (
            "your NumPy network (chapter 1's workbook), not from this loop: "
            "go back to chapter 1's checks"
            if owner == "your"
            else "the NumPy side, not from this loop"
        )
        notes.append(
            "The course's PyTorch loop parts from it just the same, so the "
            f"difference comes from {source}."
        )
    else:
        notes.append(
            "The course's PyTorch loop parts from that NumPy network too "
            f"({course_parts.where()}), so part of the difference comes "
            "from the NumPy network (chapter 1's workbook)."
        )
    return notes


def _train_crash(finding: Finding) -> Finding:
    if "'NoneType' object is not callable" in finding.message:
        return _unguarded_hook()
    return finding


def _unguarded_hook() -> Finding:
    return Finding(
        TRAIN,
        "on_epoch not optional",
        "your loop calls on_epoch even when none is given (it is None by "
        "default): guard the call, if on_epoch is not None: "
        "on_epoch(epoch + 1)",
    )


def _loop_findings(
    train: Callable[..., object],
    learner: Run,
    course: Run,
    start: scratch.MLP,
) -> list[Finding]:
    findings = _hook_findings(learner.calls)
    probe = _probe(train, start)
    if probe is None:
        findings.append(_unguarded_hook())
    variant_run, path_findings = _path_findings(learner, course, start, probe)
    findings += path_findings
    findings += _return_findings(learner.returned, variant_run)
    return findings


def _hook_findings(calls: list[object]) -> list[Finding]:
    epochs = OPTIONS["epochs"]
    got = _as_ints(calls)
    if got == list(range(1, epochs + 1)):
        return []
    if not calls:
        return [
            Finding(
                TRAIN,
                "on_epoch not called",
                "your loop never calls on_epoch: after each epoch, call it "
                "with the epoch's number, counted from 1, "
                "if on_epoch is not None: on_epoch(epoch + 1) (the "
                "recorders and films use it)",
            )
        ]
    if got == list(range(epochs)):
        return [
            Finding(
                TRAIN,
                "on_epoch counts from 0",
                f"your loop calls on_epoch with {got}: the epochs count "
                "from 1 there, on_epoch(epoch + 1)",
            )
        ]
    shown = (
        got
        if got is not None
        else f"{len(calls)} values, not epoch numbers (the first is "
        f"{_kind(calls[0])})"
    )
    return [
        Finding(
            TRAIN,
            "on_epoch called wrongly",
            f"over {epochs} epochs your loop calls on_epoch with {shown}; "
            f"it must call it once after each epoch, with 1 to {epochs}: "
            "on_epoch(epoch + 1), after the loop over the batches",
        )
    ]


# -- The one-step probe: how far one full batch moves each parameter ---------


def _probe(train: Callable[..., object], start: scratch.MLP) -> Arrays | None:
    """The parameters after one step on all the points, without on_epoch;
    None when the loop needs an on_epoch."""
    options = {**OPTIONS, "epochs": 1, "batch_size": N_POINTS}
    try:
        return _torch_run(
            _learner_loop(train), start, options, hook=False
        ).final
    except Crashed as crashed:
        if _train_crash(crashed.finding).mistake == "on_epoch not optional":
            return None
        return {}
    except Stub:
        return {}


def _probe_guess(
    probe: Arrays | None, start: scratch.MLP
) -> tuple[LoopVariant | None, list[Finding]]:
    """A variant and findings from how far the learner's one step moved
    each parameter, compared with the course's step."""
    if not probe:
        return None, []
    options = {**OPTIONS, "epochs": 1, "batch_size": N_POINTS}
    course = _torch_run(torch_mlp.train, start, options, hook=False).final
    initial = _copies(start.parameters())
    ratios = {}
    for name in _TORCH_NAMES:
        moved = np.asarray(probe[name]) - initial[name]
        wanted = course[name] - initial[name]
        if not np.any(wanted):
            continue  # no step to compare with
        ratio = float(np.sum(moved * wanted) / np.sum(wanted * wanted))
        if not (
            math.isfinite(ratio)
            and np.max(np.abs(moved - ratio * wanted)) <= PARITY_TOLERANCE
        ):
            return None, []
        ratios[name] = ratio
    frozen = frozenset(n for n, r in ratios.items() if abs(r) <= 1e-9)
    moving = [r for n, r in ratios.items() if n not in frozen]
    if not moving or max(moving) - min(moving) > 1e-6 * max(moving):
        return None, []
    findings = []
    if frozen:
        findings.append(_frozen_finding(frozen))
    ratio = moving[0]
    if abs(ratio - 1.0) <= 1e-6:
        return LoopVariant(frozen=frozen), findings
    for loss, factor in (("half-sum", 0.5), ("sum", 1.0)):
        if abs(ratio - factor * N_POINTS * N_OUTPUTS) <= 1e-6 * ratio:
            mistake = f"{loss} loss" if loss == "half-sum" else "sum reduction"
            findings.append(Finding(TRAIN, mistake, LOOP_MESSAGES[mistake]))
            return LoopVariant(loss=loss, frozen=frozen), findings
    findings.append(_rate_finding(ratio))
    return LoopVariant(frozen=frozen, learning_rate_factor=ratio), findings


def _frozen_finding(frozen: frozenset[str]) -> Finding:
    names = " and ".join(n for n in _TORCH_NAMES if n in frozen)
    return Finding(
        TRAIN,
        "optimizer over the wrong parameters",
        f"your optimizer never moves {names}: build it over all the "
        "network's parameters, "
        "torch.optim.SGD(model.parameters(), lr=learning_rate)",
    )


def _rate_finding(ratio: float) -> Finding:
    rate = OPTIONS["learning_rate"]
    return Finding(
        TRAIN,
        "wrong learning rate",
        f"each of your steps is {ratio:.3g} times the course's, as if the "
        f"learning rate were {ratio * rate:.3g} and not learning_rate = "
        f"{rate}: build the optimizer with it, "
        "torch.optim.SGD(model.parameters(), lr=learning_rate), and keep "
        "the loss nn.MSELoss()",
    )


def _path_findings(
    learner: Run, course: Run, start: scratch.MLP, probe: Arrays | None
) -> tuple[Run | None, list[Finding]]:
    """Which loop the learner's parameters followed: the course's, or a
    known mistake's (whose run then says what the losses should be)."""
    parting = first_parting(learner, course)
    if parting is None:
        return _variant_run(COURSE_LOOP, start), []
    for mistake, variant in LOOP_MISTAKES.items():
        run = _variant_run(variant, start)
        if first_parting(learner, run) is None:
            return run, [Finding(TRAIN, mistake, LOOP_MESSAGES[mistake])]
    guess, findings = _probe_guess(probe, start)
    if guess is not None and findings:
        run = _variant_run(guess, start)
        if first_parting(learner, run) is None:
            return run, findings
    return None, [
        *findings,
        Finding(
            TRAIN,
            "parts from the course's loop",
            "your loop's parameters part from the course's PyTorch loop "
            f"{parting.where()}. In each batch: optimizer.zero_grad(), "
            "outputs = model(inputs[index]), "
            "loss = loss_function(outputs, wanted[index]), "
            "loss.backward(), optimizer.step()",
        ),
    ]


# -- What train returns ------------------------------------------------------


def _epoch_loss_variants(
    batch_losses: list[list[tuple[float, int]]],
) -> dict[str, np.ndarray]:
    """Each epoch's loss, the course's way (key "") and known wrong ways."""
    weighted = np.array([sum(v * n for v, n in e) for e in batch_losses])
    return {
        "": weighted / N_POINTS,
        "epoch loss not weighted": np.array(
            [np.mean([v for v, _ in e]) for e in batch_losses]
        ),
        "epoch loss of the last batch only": np.array(
            [e[-1][0] for e in batch_losses]
        ),
        "epoch loss not divided": weighted,
        "epoch loss not reset": np.cumsum(weighted) / N_POINTS,
    }


RETURN_MESSAGES = {
    "epoch loss not weighted": (
        "the epoch loss you return is the plain mean of the batch losses; "
        f"the last batch is smaller ({N_POINTS % OPTIONS['batch_size']} "
        f"points, not {OPTIONS['batch_size']}), so weight each batch by its "
        "size, epoch_loss += loss.item() * len(batch), then divide by "
        "len(points)"
    ),
    "epoch loss of the last batch only": (
        "the loss you return for each epoch is its last batch's alone: add "
        "up every batch's, epoch_loss += loss.item() * len(batch), and "
        "divide by len(points) at the end of the epoch"
    ),
    "epoch loss not divided": (
        "the epoch loss you return is the sum of loss × batch size, not yet "
        "divided by the number of points: "
        "losses[epoch] = epoch_loss / len(points)"
    ),
    "epoch loss not reset": (
        "your epoch loss keeps adding up from one epoch to the next: set "
        "epoch_loss = 0.0 at the start of each epoch"
    ),
}


def _return_findings(returned: object, variant: Run | None) -> list[Finding]:
    epochs = OPTIONS["epochs"]
    if returned is None:
        return [
            Finding(
                TRAIN,
                "returns nothing",
                "your train returns nothing: end it with return losses, the "
                "loss of each epoch",
            )
        ]
    try:
        values = np.asarray(returned, dtype=float)
    except Exception:  # whatever it returned: anything goes
        values = None
    if values is None or values.shape != (epochs,):
        got = (
            f"shape {values.shape}" if values is not None else _kind(returned)
        )
        return [
            Finding(
                TRAIN,
                "returns something else",
                f"train must return the loss of each epoch, an array of "
                f"{epochs} numbers (return losses); yours returned {got}",
            )
        ]
    if variant is None:
        return []
    for mistake, expected in _epoch_loss_variants(
        variant.batch_losses
    ).items():
        if np.all(np.abs(values - expected) <= PARITY_TOLERANCE):
            return (
                [Finding(TRAIN, mistake, RETURN_MESSAGES[mistake])]
                if mistake
                else []
            )
    expected = _epoch_loss_variants(variant.batch_losses)[""]
    return [
        Finding(
            TRAIN,
            "wrong losses returned",
            f"the losses your train returns, {_numbers(values)}, are not "
            f"each epoch's loss, {_numbers(expected)}: the mean of the "
            "batch losses, each weighted by its batch's size",
        )
    ]


def _numbers(values: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"
