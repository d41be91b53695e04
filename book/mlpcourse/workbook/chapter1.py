"""The checks of chapter 1's workbook: the NumPy network, piece by piece.

Each check tries the learner's piece on small seeded inputs, beside the
course's own code in ``scratch``, and names the likely mistake when the two
differ: it compares the learner's result with a catalogue of wrong
variants, each computed from the course's formula with one known mistake.
Where a piece is or holds a derivative, the check also compares it with
central finite differences. A check never raises; it returns what the
cells below should use: the learner's piece once it passes, the course's
until then (for a class, the course's methods stand in for the failing
ones only).

- ``activation_slopes``: relu, sigmoid and tanh slopes, computed from a.
- ``dense_layer``: ``Dense.forward``, ``backward``, ``zero_grad``, ``step``.
- ``mean_squared_error`` and ``mean_squared_error_gradient``: the loss.
- ``network_backward``: ``MLP.backward``, with the gradient check.
- ``training_loop``: ``train``, run beside ``scratch.train``.

Each has a ``diagnose_...`` twin that prints nothing and returns the
``Diagnosis``, for the tests.
"""

from __future__ import annotations

import functools
import math
import numbers
import types
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import numpy as np

from .. import gradcheck, scratch
from ..training import epoch_batches
from . import verdict
from .verdict import Piece

PIECES = (
    Piece(
        "scratch.Dense",
        ("scratch.Dense",),
        ("Dense.forward", "Dense.backward", "Dense.zero_grad", "Dense.step"),
        "Dense = check.dense_layer(Dense)",
    ),
    Piece(
        "scratch.relu_derivative",
        (
            "scratch.relu_derivative",
            "scratch.sigmoid_derivative",
            "scratch.tanh_derivative",
        ),
        ("relu_derivative", "sigmoid_derivative", "tanh_derivative"),
        "activation = check.activation_slopes(\n"
        "    relu_derivative, sigmoid_derivative, tanh_derivative\n"
        ")",
    ),
    Piece(
        "scratch.mse",
        ("scratch.mse",),
        ("mse",),
        "mse = check.mean_squared_error(mse)",
    ),
    Piece(
        "scratch.mse_gradient",
        ("scratch.mse_gradient",),
        ("mse_gradient",),
        "mse_gradient = check.mean_squared_error_gradient(mse_gradient)",
    ),
    Piece(
        "scratch.MLP.backward",
        ("scratch.MLP",),
        ("MLP.backward",),
        "MLP = check.network_backward(MLP)",
    ),
    Piece(
        "scratch.train",
        ("scratch.train",),
        ("train",),
        "train = check.training_loop(train)",
        write_from="for epoch",
    ),
)

Array = np.ndarray
Finding = verdict.Finding
Result = TypeVar("Result")

TOLERANCE = gradcheck.TOLERANCE
"""The relative error above which a finite-difference check fails."""
_TOLERANCE_WORDS = f"1e{round(math.log10(TOLERANCE))}"  # "1e-6"

DENSE_PARTS = (
    "Dense.forward",
    "Dense.backward",
    "Dense.zero_grad",
    "Dense.step",
)
SLOPE_PARTS = ("relu_derivative", "sigmoid_derivative", "tanh_derivative")

NEEDED_BY = {
    "Dense": "The network (MLP), the gradient check and the training below "
    "use Dense",
    "slopes": "The network's forward and backward passes below use them",
    "mse": "The gradient check and the training below use mse",
    "mse_gradient": "The gradient check and the training below use "
    "mse_gradient",
    "MLP.backward": "The gradient check and the training below use "
    "MLP.backward",
    "train": "Both training runs below, their loss curves, boundaries and "
    "films use train",
}


# ---------------------------------------------------------------------------
# What every check of this chapter shares


@dataclass(frozen=True)
class Diagnosis:
    """What a check found in a piece: its parts (the functions or methods
    it checks), the findings, and which parts are still stubs.

    A finding whose ``piece`` is none of the parts (the class itself, say)
    concerns the whole piece: every part then fails.
    """

    parts: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    stubs: tuple[str, ...] = ()

    @property
    def mistakes(self) -> list[str]:
        """The mistake ids of the findings, in order."""
        return [finding.mistake for finding in self.findings]

    @property
    def whole(self) -> list[Finding]:
        """The findings about the whole piece rather than one part."""
        return [f for f in self.findings if f.piece not in self.parts]

    def findings_for(self, part: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.piece == part]

    def passed(self, part: str) -> bool:
        return not (
            self.whole or part in self.stubs or self.findings_for(part)
        )

    @property
    def failing(self) -> tuple[str, ...]:
        """The parts that fall back to the course's: stubs or findings."""
        return tuple(part for part in self.parts if not self.passed(part))


class _Findings:
    """Collects the findings of one check while it runs."""

    def __init__(self, parts: Sequence[str]) -> None:
        self.parts = tuple(parts)
        self.found: list[Finding] = []
        self.stubs: list[str] = []

    def add(self, piece: str, mistake: str, message: str) -> None:
        self.found.append(Finding(piece, mistake, message))

    def has(self, piece: str) -> bool:
        """Whether ``piece`` has a finding or is a stub."""
        return piece in self.stubs or any(f.piece == piece for f in self.found)

    @contextmanager
    def trying(self, piece: str) -> Iterator[None]:
        """Run a part of the check: a stub, a crash of the learner's code
        or anything unforeseen ends that part with its finding."""
        try:
            yield
        except verdict.Stub:
            if piece not in self.stubs:
                self.stubs.append(piece)
        except verdict.Crashed as crash:
            self.found.append(crash.finding)
        except Exception as error:  # never raise, whatever came back
            self.add(
                piece,
                "could not check",
                f"{piece} could not be checked: {type(error).__name__}: "
                f"{error}",
            )

    def diagnosis(self) -> Diagnosis:
        return Diagnosis(self.parts, tuple(self.found), tuple(self.stubs))


def _quietly(diagnose: Callable[..., Diagnosis]) -> Callable[..., Diagnosis]:
    """Run a diagnosis with NumPy's and Python's warnings silenced: the
    learner's overflow is a finding, not a warning, and the result is the
    same under pytest's warnings-as-errors."""

    @functools.wraps(diagnose)
    def quiet(*args: Any) -> Diagnosis:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return diagnose(*args)

    return quiet


def _stop(piece: str, mistake: str, message: str) -> verdict.Crashed:
    """An exception that ends the current part with this finding."""
    return verdict.Crashed(Finding(piece, mistake, message))


class _Variant(NamedTuple):
    """A known mistake: its id, what to tell the learner, and the value
    the course's formula gives with that mistake in it."""

    mistake: str
    message: str
    value: Any


def _numeric(value: object) -> Array | None:
    """``value`` as a float64 array, or None if it holds no real numbers."""
    if value is None:
        return None
    try:
        array = np.asarray(value)
        if array.dtype == np.bool_:
            return array.astype(np.float64)
        if not np.issubdtype(array.dtype, np.number) or np.issubdtype(
            array.dtype, np.complexfloating
        ):
            return None
        return array.astype(np.float64)
    except Exception:
        return None


def _close(got: object, expected: object) -> bool:
    """Whether ``got`` has ``expected``'s shape and values (to rounding)."""
    array, target = _numeric(got), _numeric(expected)
    if array is None or target is None or array.shape != target.shape:
        return False
    return bool(np.allclose(array, target, rtol=1e-6, atol=1e-9))


def _match(got: object, variants: Sequence[_Variant]) -> _Variant | None:
    """The first variant whose value ``got`` equals."""
    for variant in variants:
        if _close(got, variant.value):
            return variant
    return None


def _describe(value: object) -> str:
    """A few words for what a value is (never its repr: no 0x... ids)."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, numbers.Real):
        return "a number"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"


def _number(value: float) -> str:
    return f"{value:.4g}"


def _first_difference(got: Array, expected: Array) -> str:
    """Where two arrays of one shape differ most, in words."""
    gap = np.abs(got - expected)
    gap[~np.isfinite(gap)] = np.inf
    index = np.unravel_index(int(np.argmax(gap)), got.shape)
    where = f"entry [{', '.join(str(int(i)) for i in index)}]"
    if not index:
        where = "the value"
    return (
        f"{where} is {_number(got[index])} where the course's is "
        f"{_number(expected[index])}"
    )


def _mismatch(what: str, got: object, expected: Array) -> str:
    """``what`` ("Dense.forward returns") and how ``got`` differs."""
    array = _numeric(got)
    if got is None:
        return f"{what} None: is a return missing?"
    if array is None:
        return f"{what} {_describe(got)}, not an array of numbers"
    if array.shape != expected.shape:
        return f"{what} shape {array.shape}, expected {expected.shape}"
    return f"{what} other values: {_first_difference(array, expected)}"


def _shown(error: float) -> str:
    """A relative error in words: never a rounding-level number."""
    return f"under {_TOLERANCE_WORDS}" if error < TOLERANCE else f"{error:.2g}"


def _callable_or_finding(
    found: _Findings, piece: str, function: object, defines: str
) -> bool:
    """Whether ``function`` can be called; a finding if not."""
    if callable(function):
        return True
    found.add(
        piece,
        "not a function",
        f"{piece} is {_describe(function)}, not a function: the cell above "
        f"must define {defines}",
    )
    return False


def _report(
    diagnosis: Diagnosis,
    name: str,
    verified: dict[str, str],
    needed_by: str,
) -> None:
    """Print one verdict per part, and which parts fall back."""
    if diagnosis.whole:
        verdict.verdict(name, diagnosis.whole, "", needed_by=needed_by)
        return
    for part in diagnosis.parts:
        verdict.verdict(
            part,
            diagnosis.findings_for(part),
            verified[part],
            needed_by=needed_by,
            stubbed=part in diagnosis.stubs,
        )
    failing = diagnosis.failing
    if len(diagnosis.parts) > 1 and failing:
        passing = [p for p in diagnosis.parts if p not in failing]
        yours = f"your {_words(passing)} and " if passing else ""
        print(f"The cells below use {yours}the course's {_words(failing)}.")


def _words(names: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _safely(
    fallback: Callable[[], Result], check: Callable[[], Result]
) -> Result:
    """``check()``; if even the check itself fails, say so and return
    ``fallback()``: a check never raises."""
    try:
        return check()
    except Exception as error:  # the last guard: never raise
        print(
            f"The check itself failed ({type(error).__name__}: {error}); "
            "the cells below use the course's code."
        )
        return fallback()


def _class_to_use(learner: object, course: type, diagnosis: Diagnosis) -> type:
    """The learner's class if every part passed, else a subclass in which
    the course's methods replace the failing ones."""
    if diagnosis.whole or not isinstance(learner, type):
        return course
    failing = diagnosis.failing
    if not failing:
        return learner
    methods: dict[str, Any] = {
        part.split(".")[1]: course.__dict__[part.split(".")[1]]
        for part in failing
    }
    methods["__module__"] = learner.__module__
    methods["__doc__"] = learner.__doc__
    return type(learner.__name__, (learner,), methods)


# ---------------------------------------------------------------------------
# The activation slopes


_SLOPE_PROBE = np.array(
    [
        [-1.7, 0.4, 2.3, -0.6],
        [0.9, -2.2, -0.3, 1.4],
        [1.1, -0.8, 0.6, -1.3],
    ]
)
"""The z the slopes are tried at: both signs, a (3, 4) shape."""

_FD_PROBE = np.array([[-1.2, 0.7, 1.9], [0.3, -0.5, -2.4]])
"""Where finite differences are taken: no z near relu's kink at 0."""

_ACTIVATIONS = {
    "relu_derivative": scratch.ACTIVATIONS["relu"],
    "sigmoid_derivative": scratch.ACTIVATIONS["sigmoid"],
    "tanh_derivative": scratch.ACTIVATIONS["tanh"],
}


def _slope_variants(part: str, a: Array) -> list[_Variant]:
    """The known mistakes of each slope, as functions of a = f(z)."""
    shape = f"shape {a.shape}"
    matrix = (
        f"{part} returns shape ({a.shape[0]}, {a.shape[0]}) for a of {shape}:"
        " you multiplied with @, a matrix product; the slope multiplies "
        "entry by entry, so use *"
    )
    if part == "relu_derivative":
        return [
            _Variant(
                "relu slope is a",
                "relu_derivative returns a itself: the slope of relu is 1 "
                "where a > 0 and 0 where a = 0, (a > 0).astype(a.dtype)",
                a,
            ),
            _Variant(
                "relu slope is 1 everywhere",
                "relu_derivative gives 1 everywhere, also where z < 0 (there "
                "a = 0 and the slope is 0): did you write a >= 0? Use a > 0",
                np.ones_like(a),
            ),
        ]
    sigmoid = scratch.sigmoid
    if part == "sigmoid_derivative":
        return [
            _Variant(
                "sigmoid applied again",
                "sigmoid_derivative applies the sigmoid again: it receives "
                "a = σ(z) already, so the slope is a (1 − a), not "
                "σ(a)(1 − σ(a))",
                sigmoid(a) * (1.0 - sigmoid(a)),
            ),
            _Variant(
                "sigmoid slope is tanh's",
                "sigmoid_derivative computes 1 − a², tanh's slope: the "
                "sigmoid's is a (1 − a)",
                1.0 - a**2,
            ),
            _Variant("slope by matrix product", matrix, a @ (1.0 - a).T),
        ]
    return [
        _Variant(
            "tanh slope without the square",
            "tanh_derivative computes 1 − a: the square is missing, the "
            "slope is 1 − a² (1.0 - a**2)",
            1.0 - a,
        ),
        _Variant(
            "tanh applied again",
            "tanh_derivative applies tanh again: it receives a = tanh(z) "
            "already, so the slope is 1 − a², not 1 − tanh(a)²",
            1.0 - np.tanh(a) ** 2,
        ),
        _Variant(
            "tanh slope is the sigmoid's",
            "tanh_derivative computes a (1 − a), the sigmoid's slope: "
            "tanh's is 1 − a²",
            a * (1.0 - a),
        ),
        _Variant(
            "tanh square misplaced",
            "tanh_derivative computes (1 − a)²: the square belongs to a "
            "alone, 1 − a²",
            (1.0 - a) ** 2,
        ),
        _Variant("slope by matrix product", matrix, 1.0 - a @ a.T),
    ]


def _check_slope(found: _Findings, part: str, derivative: object) -> None:
    if not _callable_or_finding(found, part, derivative, f"def {part}(a)"):
        return
    act = _ACTIVATIONS[part]
    a = act(_SLOPE_PROBE)
    given = a.copy()
    got = verdict.call(part, derivative, given)
    expected = act.derivative(a)
    if not _close(got, expected):
        found.add(part, *_slope_mistake(part, a, got, expected))
    if not np.array_equal(given, a):
        found.add(
            part,
            "slope changes a",
            f"{part} changes the array a it receives (in place): the "
            "forward pass's values are used again; compute a new array "
            "instead",
        )
    if not found.has(part):
        _check_slope_differences(found, part, derivative)


def _slope_mistake(
    part: str, a: Array, got: object, expected: Array
) -> tuple[str, str]:
    variant = _match(got, _slope_variants(part, a))
    if variant is not None:
        return variant.mistake, variant.message
    array = _numeric(got)
    if array is not None and array.shape != a.shape:
        return (
            "slope shape",
            f"{part} returns shape {array.shape} for a of shape {a.shape}: "
            "a slope has one value per entry of a, the same shape",
        )
    return "slope wrong", _mismatch(
        f"{part}, given a = f(z) for z of shape {a.shape}, returns",
        got,
        expected,
    )


def _check_slope_differences(
    found: _Findings, part: str, derivative: Callable[[Array], object]
) -> None:
    """Compare the slope with (f(z + h) − f(z − h)) / 2h."""
    act, z, h = _ACTIVATIONS[part], _FD_PROBE, 1e-6
    numerical = (act(z + h) - act(z - h)) / (2.0 * h)
    got = _numeric(verdict.call(part, derivative, act(z)))
    if got is None or got.shape != z.shape:
        found.add(
            part,
            "slope shape",
            f"{part} returns {_describe(got)} for a of shape {z.shape}: a "
            "slope has one value per entry of a, the same shape",
        )
        return
    error = gradcheck.relative_error(got, numerical)
    if not error < TOLERANCE:
        found.add(
            part,
            "finite differences disagree",
            f"{part} disagrees with the finite differences "
            f"(f(z + h) − f(z − h)) / 2h at other z: relative error "
            f"{_shown(error)}",
        )


@_quietly
def diagnose_activation_slopes(
    relu_derivative: object,
    sigmoid_derivative: object,
    tanh_derivative: object,
) -> Diagnosis:
    """The findings on the three slopes, each checked on its own."""
    found = _Findings(SLOPE_PARTS)
    slopes = (relu_derivative, sigmoid_derivative, tanh_derivative)
    for part, derivative in zip(SLOPE_PARTS, slopes, strict=True):
        with found.trying(part):
            _check_slope(found, part, derivative)
    return found.diagnosis()


def _lookup(table: dict[str, scratch.Activation]) -> Callable[[str], Any]:
    def activation(name: str) -> scratch.Activation:
        """Look up an activation by name: relu, sigmoid, tanh or identity."""
        if name not in table:
            raise ValueError(
                f"activation must be one of {sorted(table)}, got {name!r}"
            )
        return table[name]

    return activation


def activation_slopes(
    relu_derivative: Callable[[Array], Array],
    sigmoid_derivative: Callable[[Array], Array],
    tanh_derivative: Callable[[Array], Array],
) -> Callable[[str], scratch.Activation]:
    """Check the three slopes; return a lookup like ``scratch.activation``
    whose activations use each slope that passed, the course's for the
    others."""
    slopes = (relu_derivative, sigmoid_derivative, tanh_derivative)

    def check() -> Callable[[str], scratch.Activation]:
        diagnosis = diagnose_activation_slopes(*slopes)
        verified = {
            part: f"given a = f(z) on 12 values of z of both signs, it "
            f"gives the course's slope f'(z); the finite differences "
            f"(f(z + h) − f(z − h)) / 2h agree to under {_TOLERANCE_WORDS}"
            for part in SLOPE_PARTS
        }
        _report(diagnosis, "The slopes", verified, NEEDED_BY["slopes"])
        table = dict(scratch.ACTIVATIONS)
        for part, slope in zip(SLOPE_PARTS, slopes, strict=True):
            if diagnosis.passed(part):
                course = _ACTIVATIONS[part]
                table[course.name] = scratch.Activation(
                    course.name, course.function, slope
                )
        return _lookup(table)

    return _safely(lambda: _lookup(dict(scratch.ACTIVATIONS)), check)


# ---------------------------------------------------------------------------
# The dense layer


@dataclass(frozen=True)
class _LayerProbe:
    """A layer's parameters, gradients and a batch, all seeded."""

    X: Array
    W: Array
    b: Array
    grad_z: Array
    W_grad: Array
    b_grad: Array

    @property
    def sizes(self) -> str:
        (n, d_in), d_out = self.X.shape, self.W.shape[1]
        return (
            f"{n} points through a layer with {d_in} inputs and {d_out} "
            "outputs"
        )


def _layer_probe(n: int, d_in: int, d_out: int, seed: int) -> _LayerProbe:
    rng = np.random.default_rng(seed)
    return _LayerProbe(
        X=rng.normal(size=(n, d_in)),
        W=rng.normal(size=(d_in, d_out)),
        b=rng.normal(size=d_out),
        grad_z=rng.normal(size=(n, d_out)),
        W_grad=rng.normal(size=(d_in, d_out)),
        b_grad=rng.normal(size=d_out),
    )


_SQUARE = _layer_probe(3, 3, 3, seed=11)
"""n = d_in = d_out: every shape mistake still runs, and shows in values."""
_OBLONG = _layer_probe(4, 3, 2, seed=12)
"""All sizes differ: a shape mistake shows in shapes."""
_RATE = 0.25


def _layer(Dense: type, probe: _LayerProbe) -> Any:
    """The learner's layer, made by its own ``__init__``, with the probe's
    parameters, gradients and stored inputs set directly."""
    n_inputs, n_outputs = probe.W.shape
    layer = verdict.call(
        "Dense", Dense, n_inputs, n_outputs, np.random.default_rng(0)
    )
    layer.weights, layer.bias = probe.W.copy(), probe.b.copy()
    layer.weights_grad = probe.W_grad.copy()
    layer.bias_grad = probe.b_grad.copy()
    layer.inputs = probe.X.copy()
    return layer


def _method(layer: object, part: str) -> Callable[..., Any]:
    method = getattr(layer, part.split(".")[1], None)
    if not callable(method):
        raise _stop(
            part,
            "missing method",
            f"{part} is missing: the class must define it",
        )
    return method


def _forward_variants(p: _LayerProbe) -> list[_Variant]:
    z = p.X @ p.W + p.b
    variants = [
        _Variant(
            "forward without bias",
            "your forward leaves out the bias: the layer computes "
            "z = X W + b, so add self.bias",
            p.X @ p.W,
        ),
        _Variant(
            "bias subtracted",
            "your forward subtracts the bias: it must add it, X W + b",
            p.X @ p.W - p.b,
        ),
        _Variant(
            "W X order",
            "your forward computes W X: the points are the rows of X "
            "(n × d_in) and W is d_in × d_out, so the layer computes "
            "X W + b, inputs @ self.weights + self.bias",
            p.W @ p.X + p.b,
        ),
        _Variant(
            "transposed output",
            "your forward returns (X W + b)ᵀ, the transpose: the result "
            "has one row per point, n × d_out",
            z.T,
        ),
    ]
    for name in ("relu", "sigmoid", "tanh"):
        variants.append(
            _Variant(
                "activation inside the layer",
                f"your forward applies {name} to X W + b: the dense layer "
                "computes z = X W + b only; the activation comes after it, "
                "in the network",
                scratch.ACTIVATIONS[name](z),
            )
        )
    return variants


def _check_forward(Dense: type, found: _Findings) -> None:
    part = "Dense.forward"
    layer = _layer(Dense, _SQUARE)
    layer.inputs = None
    X = _SQUARE.X.copy()
    got = verdict.call(part, _method(layer, part), X)
    expected = _SQUARE.X @ _SQUARE.W + _SQUARE.b
    if not _close(got, expected):
        variant = _match(got, _forward_variants(_SQUARE))
        if variant is not None:
            found.add(part, variant.mistake, variant.message)
        else:
            found.add(
                part,
                "forward wrong",
                _mismatch(
                    f"on {_SQUARE.sizes}, {part} returns", got, expected
                ),
            )
    stored = getattr(layer, "inputs", None)
    if not (stored is X or _close(stored, _SQUARE.X)):
        found.add(
            part,
            "inputs not stored",
            "your forward does not keep its input in self.inputs: backward "
            "needs it for Xᵀδ (write self.inputs = inputs)",
        )
    if found.has(part):
        return
    layer = _layer(Dense, _OBLONG)
    got = verdict.call(part, _method(layer, part), _OBLONG.X.copy())
    expected = _OBLONG.X @ _OBLONG.W + _OBLONG.b
    if not _close(got, expected):
        found.add(
            part,
            "forward wrong",
            _mismatch(f"on {_OBLONG.sizes}, {part} returns", got, expected),
        )


_GRADIENT_WORDS = {"dW": "the weight gradient", "db": "the bias gradient"}


def _weight_gradient_variants(p: _LayerProbe) -> list[tuple[set, Array]]:
    right, transposed = p.X.T @ p.grad_z, p.grad_z.T @ p.X
    return [
        ({"overwrites gradient"}, right),
        ({"transposed weight gradient"}, p.W_grad + transposed),
        ({"overwrites gradient", "transposed weight gradient"}, transposed),
    ]


def _bias_gradient_variants(p: _LayerProbe) -> list[tuple[set, Array]]:
    variants: list[tuple[set, Array]] = [
        ({"overwrites gradient"}, p.grad_z.sum(axis=0))
    ]
    for mistake, value in (
        ("bias gradient wrong axis", p.grad_z.sum(axis=1)),
        ("bias gradient mean", p.grad_z.mean(axis=0)),
        ("bias gradient total", np.full_like(p.b, p.grad_z.sum())),
    ):
        variants.append(({mistake}, p.b_grad + value))
        variants.append(({mistake, "overwrites gradient"}, value))
    return variants


_BACKWARD_MESSAGES = {
    "transposed weight gradient": "your weight gradient is δᵀX, the "
    "transpose: dW must have W's shape, d_in × d_out (on a layer with 3 "
    "inputs and 2 outputs, (3, 2), where δᵀX is (2, 3)). Compute Xᵀδ: "
    "self.inputs.T @ grad_z",
    "bias gradient wrong axis": "your bias gradient sums δ over axis=1, "
    "the outputs of each point: sum over the points, the rows, "
    "grad_z.sum(axis=0), one value per output",
    "bias gradient mean": "your bias gradient is the mean of the rows of δ: "
    "it is their sum, grad_z.sum(axis=0) (the loss's 1/n is already "
    "inside δ)",
    "bias gradient total": "your bias gradient adds up every entry of δ "
    "into one number: sum over the points only, grad_z.sum(axis=0), one "
    "value per output",
    "input gradient δW": "the gradient you return is δ W: it is δ Wᵀ "
    "(grad_z @ self.weights.T), of shape n × d_in like the inputs",
    "returns weight gradient": "your backward returns the weight gradient: "
    "it returns the gradient for the layer before, δ Wᵀ "
    "(grad_z @ self.weights.T)",
    "returns δ": "your backward returns δ unchanged: it returns the "
    "gradient for the layer before, δ Wᵀ (grad_z @ self.weights.T)",
    "backward returns nothing": "your backward returns nothing: end it "
    "with return grad_z @ self.weights.T, the gradient for the layer "
    "before, δ Wᵀ",
}


def _overwrite_message(which: list[str]) -> str:
    gradients = _words([_GRADIENT_WORDS[name] for name in which])
    them = "them" if len(which) > 1 else "it"
    return (
        f"your backward pass overwrites {gradients}; it must add to {them} "
        "(+=): zero_grad is what resets the gradients"
    )


def _check_backward(Dense: type, found: _Findings, forward_ok: bool) -> None:
    part = "Dense.backward"
    p = _SQUARE
    layer = _layer(Dense, p)
    returned = verdict.call(part, _method(layer, part), p.grad_z.copy())
    gradients = {
        "dW": getattr(layer, "weights_grad", None),
        "db": getattr(layer, "bias_grad", None),
    }
    mistakes: dict[str, list[str]] = {}  # mistake -> gradients with it
    catalogues = {
        "dW": (p.W_grad + p.X.T @ p.grad_z, _weight_gradient_variants(p)),
        "db": (p.b_grad + p.grad_z.sum(axis=0), _bias_gradient_variants(p)),
    }
    for name, (expected, variants) in catalogues.items():
        if _close(gradients[name], expected):
            continue
        matched = [
            m for m, value in variants if _close(gradients[name], value)
        ]
        if matched:
            for mistake in sorted(matched[0]):
                mistakes.setdefault(mistake, []).append(name)
        else:
            attribute = "weights_grad" if name == "dW" else "bias_grad"
            found.add(
                part,
                f"{name} wrong",
                _mismatch(
                    f"on {p.sizes}, after backward self.{attribute} has",
                    gradients[name],
                    expected,
                ),
            )
    for mistake, which in mistakes.items():
        message = (
            _overwrite_message(which)
            if mistake == "overwrites gradient"
            else _BACKWARD_MESSAGES[mistake]
        )
        found.add(part, mistake, message)
    _check_returned(found, part, p, returned, gradients["dW"])
    if not found.has(part):
        _check_backward_oblong(Dense, found)
    if not found.has(part):
        _check_backward_differences(Dense, found, forward_ok)


def _check_returned(
    found: _Findings,
    part: str,
    p: _LayerProbe,
    returned: object,
    weights_grad: object,
) -> None:
    expected = p.grad_z @ p.W.T
    if _close(returned, expected):
        return
    if returned is None:
        mistake = "backward returns nothing"
    elif _close(returned, p.grad_z @ p.W):
        mistake = "input gradient δW"
    elif _close(returned, weights_grad) or _close(returned, p.X.T @ p.grad_z):
        mistake = "returns weight gradient"
    elif _close(returned, p.grad_z):
        mistake = "returns δ"
    else:
        found.add(
            part,
            "input gradient wrong",
            _mismatch(f"on {p.sizes}, {part} returns", returned, expected)
            + "; it returns δ Wᵀ, grad_z @ self.weights.T",
        )
        return
    found.add(part, mistake, _BACKWARD_MESSAGES[mistake])


def _check_backward_oblong(Dense: type, found: _Findings) -> None:
    part, p = "Dense.backward", _OBLONG
    layer = _layer(Dense, p)
    returned = verdict.call(part, _method(layer, part), p.grad_z.copy())
    for what, got, expected in (
        (
            "self.weights_grad has",
            getattr(layer, "weights_grad", None),
            p.W_grad + p.X.T @ p.grad_z,
        ),
        (
            "self.bias_grad has",
            getattr(layer, "bias_grad", None),
            p.b_grad + p.grad_z.sum(axis=0),
        ),
        (f"{part} returns", returned, p.grad_z @ p.W.T),
    ):
        if not _close(got, expected):
            found.add(
                part,
                "backward wrong",
                _mismatch(f"on {p.sizes}, {what}", got, expected),
            )
            return


def _central_differences(loss: Callable[[], float], array: Array) -> Array:
    """dL/d(array), one entry at a time, nudging ``array`` in place."""
    gradient, epsilon = np.empty_like(array), 1e-6
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + epsilon
        above = loss()
        array[index] = saved - epsilon
        below = loss()
        array[index] = saved
        gradient[index] = (above - below) / (2.0 * epsilon)
    return gradient


def _check_backward_differences(
    Dense: type, found: _Findings, forward_ok: bool
) -> None:
    """L = sum(R ⊙ forward(X)) has dL/dz = R: compare what backward gives
    for R with central differences of L in W, b and X."""
    part, p = "Dense.backward", _OBLONG
    layer = _layer(Dense, p)
    layer.weights_grad = np.zeros_like(p.W)
    layer.bias_grad = np.zeros_like(p.b)
    forward = (
        _method(layer, "Dense.forward")
        if forward_ok
        else types.MethodType(scratch.Dense.forward, layer)
    )
    X, R = p.X.copy(), p.grad_z

    def loss() -> float:
        z = _numeric(verdict.call("Dense.forward", forward, X))
        return float(np.sum(R * z))

    numerical = {
        "dW": _central_differences(loss, layer.weights),
        "db": _central_differences(loss, layer.bias),
        "dL/dX": _central_differences(loss, X),
    }
    loss()  # stores the inputs again, unnudged
    returned = verdict.call(part, _method(layer, part), R.copy())
    analytic = {
        "dW": layer.weights_grad,
        "db": layer.bias_grad,
        "dL/dX": returned,
    }
    for name, value in analytic.items():
        array = _numeric(value)
        error = (
            gradcheck.relative_error(array, numerical[name])
            if array is not None and array.shape == numerical[name].shape
            else math.inf
        )
        if not error < TOLERANCE:
            found.add(
                part,
                "finite differences disagree",
                f"the finite-difference check of L = sum(R ⊙ forward(X)) "
                f"disagrees with your backward on {name}: relative error "
                f"{_shown(error)}",
            )
            return


def _check_zero_grad(Dense: type, found: _Findings) -> None:
    part, p = "Dense.zero_grad", _OBLONG
    layer = _layer(Dense, p)
    verdict.call(part, _method(layer, part))
    explained = set()
    for attribute, parameter, before, start in (
        ("weights_grad", "weights", p.W_grad, p.W),
        ("bias_grad", "bias", p.b_grad, p.b),
    ):
        value = getattr(layer, attribute, None)
        if _close(value, np.zeros_like(before)):
            continue
        if _close(value, before) and _close(
            getattr(layer, parameter, None), np.zeros_like(start)
        ):
            explained.add(parameter)
            found.add(
                part,
                "zero_grad resets a parameter",
                f"your zero_grad resets self.{parameter}, the parameter, "
                f"instead of its gradient self.{attribute}: "
                f"self.{attribute}[...] = 0.0",
            )
        elif _close(value, before):
            found.add(
                part,
                f"zero_grad leaves {attribute}",
                f"your zero_grad leaves self.{attribute} as it was: reset it "
                f"too, self.{attribute}[...] = 0.0",
            )
        else:
            found.add(
                part,
                "zero_grad wrong",
                f"after zero_grad, self.{attribute} is {_describe(value)}: it "
                f"must be zeros of the shape of self.{parameter}, "
                f"{before.shape}: self.{attribute}[...] = 0.0",
            )
    changed = [
        parameter
        for parameter, start in (("weights", p.W), ("bias", p.b))
        if parameter not in explained
        and not _close(getattr(layer, parameter, None), start)
    ]
    if changed:
        found.add(
            part,
            "zero_grad changes parameters",
            f"your zero_grad changes self.{_words(changed)}: it resets only "
            "the gradients, self.weights_grad and self.bias_grad",
        )


_STEP_MESSAGES = {
    "step sign": "your step moves the parameters along their gradients, "
    "uphill: gradient descent moves against them, W − η dL/dW "
    "(self.weights -= learning_rate * self.weights_grad)",
    "step ignores learning rate": "your step ignores the learning rate: it "
    "moves by the whole gradient; multiply it by learning_rate, "
    "W − η dL/dW",
}


def _check_step(Dense: type, found: _Findings) -> None:
    part, p = "Dense.step", _OBLONG
    layer = _layer(Dense, p)
    verdict.call(part, _method(layer, part), _RATE)
    for parameter, start, gradient in (
        ("weights", p.W, p.W_grad),
        ("bias", p.b, p.b_grad),
    ):
        got = getattr(layer, parameter, None)
        if _close(got, start - _RATE * gradient):
            continue
        mistake, message = _step_mistake(parameter, got, start, gradient)
        if mistake not in {f.mistake for f in found.found}:
            found.add(part, mistake, message)


def _step_mistake(
    parameter: str, got: object, start: Array, gradient: Array
) -> tuple[str, str]:
    if _close(got, start + _RATE * gradient):
        return "step sign", _STEP_MESSAGES["step sign"]
    if _close(got, start - gradient):
        return "step ignores learning rate", _STEP_MESSAGES[
            "step ignores learning rate"
        ]
    if _close(got, start):
        return (
            f"step leaves {parameter}",
            f"your step does not change self.{parameter}: update it too, "
            f"self.{parameter} -= learning_rate * self.{parameter}_grad",
        )
    array = _numeric(got)
    if array is not None and array.shape == start.shape:
        rate = float(np.sum((start - array) * gradient) / np.sum(gradient**2))
        if _close(array, start - rate * gradient):
            return (
                "step fixed rate",
                f"with learning_rate {_RATE}, your step moves "
                f"self.{parameter} by {rate:.3g} times its gradient: use the "
                "learning_rate argument, W − η dL/dW",
            )
    return "step wrong", _mismatch(
        f"with learning_rate {_RATE}, after step self.{parameter} has",
        got,
        start - _RATE * gradient,
    )


@_quietly
def diagnose_dense_layer(Dense: object) -> Diagnosis:
    """The findings on each method of ``Dense``, each tried on its own."""
    found = _Findings(DENSE_PARTS)
    if not isinstance(Dense, type):
        found.add(
            "Dense",
            "not a class",
            f"Dense is {_describe(Dense)}, not a class: the cell above must "
            "define class Dense",
        )
        return found.diagnosis()
    with found.trying("Dense"):
        verdict.call("Dense", Dense, 3, 2, np.random.default_rng(0))
    if found.found:
        return found.diagnosis()
    with found.trying("Dense.forward"):
        _check_forward(Dense, found)
    forward_ok = not found.has("Dense.forward")
    with found.trying("Dense.backward"):
        _check_backward(Dense, found, forward_ok)
    with found.trying("Dense.zero_grad"):
        _check_zero_grad(Dense, found)
    with found.trying("Dense.step"):
        _check_step(Dense, found)
    return found.diagnosis()


def dense_layer(Dense: type) -> type:
    """Check the four methods of the learner's ``Dense``; return the class
    the cells below use: the learner's if every method passes, else one in
    which the course's methods replace the failing ones."""

    def check() -> type:
        diagnosis = diagnose_dense_layer(Dense)
        sizes = "on 3 points through a 3 → 3 layer and 4 through a 3 → 2 one"
        verified = {
            "Dense.forward": f"{sizes}, it returns X W + b and keeps its "
            "input in self.inputs",
            "Dense.backward": f"{sizes}, it adds Xᵀδ to weights_grad and "
            "δ summed over the points to bias_grad, and returns δ Wᵀ; the "
            "finite-difference check of L = sum(R ⊙ forward(X)) agrees to "
            f"under {_TOLERANCE_WORDS}",
            "Dense.zero_grad": "it resets weights_grad and bias_grad to "
            "zeros and leaves the weights and the bias alone",
            "Dense.step": f"with learning rate {_RATE}, it moves the weights "
            "and the bias against their gradients, W − η dL/dW and "
            "b − η dL/db",
        }
        _report(diagnosis, "Dense", verified, NEEDED_BY["Dense"])
        return _class_to_use(Dense, scratch.Dense, diagnosis)

    return _safely(lambda: scratch.Dense, check)


# ---------------------------------------------------------------------------
# The loss and its gradient


def _loss_probe(n: int, k: int, seed: int) -> tuple[Array, Array]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, k)), rng.normal(size=(n, k))


_LOSS_PROBES = (_loss_probe(4, 2, seed=21), _loss_probe(3, 5, seed=22))
"""k = 2 first (n and n·k differ), then another n and k."""
_LOSS_FD_PROBE = _loss_probe(2, 3, seed=23)


def _mse_variants(Y: Array, T: Array) -> list[_Variant]:
    d, n = Y - T, len(Y)
    mean = np.mean(d**2)
    return [
        _Variant(
            "sum instead of mean",
            "your MSE is the sum of the squared differences: take their "
            "mean over all n·k entries, np.mean((outputs - targets) ** 2)",
            np.sum(d**2),
        ),
        _Variant(
            "mean over points only",
            "your MSE divides by n, the number of points, only: the mean "
            "runs over all n·k entries (n points, k outputs), so divide by "
            "n·k, outputs.size, or use np.mean",
            np.sum(d**2) / n,
        ),
        _Variant(
            "half the MSE",
            "your MSE is half the expected value: the course's loss is the "
            "plain mean of the squares, without the ½ some texts put in "
            "front",
            mean / 2.0,
        ),
        _Variant(
            "root of the MSE",
            "your MSE takes a square root: that is the RMSE; the loss is "
            "the mean of the squares itself",
            np.sqrt(mean),
        ),
        _Variant(
            "absolute differences",
            "your MSE uses the absolute differences |Y − T|: square them "
            "instead, (outputs - targets) ** 2",
            np.mean(np.abs(d)),
        ),
        _Variant(
            "differences not squared",
            "your MSE averages the plain differences Y − T: square each "
            "difference before taking the mean",
            np.mean(d),
        ),
        _Variant(
            "squared mean difference",
            "your MSE squares the mean difference: square each difference "
            "first, then take the mean",
            np.mean(d) ** 2,
        ),
    ]


def _check_refuses_mismatched_shapes(
    found: _Findings, part: str, function: Callable[..., object]
) -> None:
    """The chapter's loss refuses (n, 1) outputs with (n,) targets."""
    outputs = _LOSS_PROBES[0][0][:, :1].copy()
    targets = _LOSS_PROBES[0][1][:, 0].copy()
    try:
        function(outputs, targets)
    except Exception:  # refused, as it should: any error will do
        return
    found.add(
        part,
        "no shape check",
        f"{part} accepts outputs of shape (4, 1) with targets of shape "
        "(4,), which NumPy broadcasts to a (4, 4) matrix: refuse different "
        "shapes first, as the course's does with same_shape(outputs, "
        'targets, ("outputs", "targets")) (or raise ValueError yourself)',
    )


def _as_loss(found: _Findings, got: object) -> float | None:
    """The learner's loss as a float, or None with a finding."""
    if isinstance(got, (numbers.Real, np.generic)) or (
        isinstance(got, np.ndarray) and got.ndim == 0
    ):
        array = _numeric(got)
        if array is not None:
            return float(array)
    if got is None:
        mistake, message = (
            "returns None",
            "mse returns None: is the return missing?",
        )
    elif isinstance(got, np.ndarray) or _numeric(got) is not None:
        shape = np.shape(got)
        mistake = "returns an array"
        message = (
            f"mse returns an array of shape {shape}, not one number: the "
            "mean runs over every entry (np.mean without an axis); the "
            "course's wraps it in float(...)"
        )
    else:
        mistake = "returns a non-number"
        message = f"mse returns {_describe(got)}, not a number"
    found.add("mse", mistake, message)
    return None


@_quietly
def diagnose_mean_squared_error(mse: object) -> Diagnosis:
    """The findings on the learner's ``mse``."""
    part = "mse"
    found = _Findings((part,))
    if not _callable_or_finding(found, part, mse, "def mse(outputs, targets)"):
        return found.diagnosis()
    with found.trying(part):
        for Y, T in _LOSS_PROBES:
            got = _as_loss(found, verdict.call(part, mse, Y.copy(), T.copy()))
            expected = scratch.mse(Y, T)
            if got is None:
                break
            if not math.isclose(got, expected, rel_tol=1e-9):
                variant = _match(got, _mse_variants(Y, T))
                if variant is not None:
                    found.add(part, variant.mistake, variant.message)
                else:
                    found.add(
                        part,
                        "mse wrong",
                        f"on outputs and targets of shape {Y.shape}, mse "
                        f"gives {_number(got)}; the mean of the squared "
                        f"differences is {_number(expected)}",
                    )
                break
        _check_refuses_mismatched_shapes(found, part, mse)
    return found.diagnosis()


def mean_squared_error(
    mse: Callable[[Array, Array], float],
) -> Callable[[Array, Array], float]:
    """Check the learner's ``mse``; return it if it passes, else the
    course's."""

    def check() -> Callable[[Array, Array], float]:
        diagnosis = diagnose_mean_squared_error(mse)
        verified = (
            "on outputs and targets of shapes (4, 2) and (3, 5) it gives the "
            "course's mean of the squared differences over all n·k entries, "
            "as one number, and it refuses targets of another shape"
        )
        _report(diagnosis, "mse", {"mse": verified}, NEEDED_BY["mse"])
        return mse if diagnosis.passed("mse") else scratch.mse

    return _safely(lambda: scratch.mse, check)


def _gradient_variants(Y: Array, T: Array) -> list[_Variant]:
    d, (n, k) = Y - T, Y.shape
    right = "2 (Y − T) / (n k), 2 * (outputs - targets) / outputs.size"
    return [
        _Variant(
            "half the gradient",
            "your MSE gradient is half the expected value: the square's "
            f"derivative brings a factor 2, {right}",
            d / (n * k),
        ),
        _Variant(
            "gradient sign flipped",
            "your MSE gradient has the wrong sign: it is outputs minus "
            f"targets, Y − T, not T − Y: {right}",
            -2.0 * d / (n * k),
        ),
        _Variant(
            "gradient divided by n",
            "your MSE gradient divides by n, the number of points, only: "
            "the loss is a mean over n·k entries, so divide by n·k, "
            "outputs.size",
            2.0 * d / n,
        ),
        _Variant(
            "gradient divided by k",
            "your MSE gradient divides by k, the number of outputs, only: "
            "the loss is a mean over n·k entries, so divide by n·k, "
            "outputs.size",
            2.0 * d / k,
        ),
        _Variant(
            "gradient not divided",
            "your MSE gradient is not divided at all: the loss is a mean "
            f"over n·k entries, so its gradient is {right}",
            2.0 * d,
        ),
        _Variant(
            "half the gradient, divided by n",
            "your MSE gradient is (Y − T) / n: that equals 2 (Y − T) / (n k) "
            "only when k = 2. The square's derivative brings a factor 2 and "
            f"the mean runs over n·k entries: {right}",
            d / n,
        ),
    ]


def _gradient_mistake(
    Y: Array, T: Array, got: object, expected: Array
) -> tuple[str, str]:
    variant = _match(got, _gradient_variants(Y, T))
    if variant is not None:
        return variant.mistake, variant.message
    array = _numeric(got)
    if got is not None and array is not None and array.shape != Y.shape:
        return (
            "gradient shape",
            f"mse_gradient returns shape {array.shape} for outputs of shape "
            f"{Y.shape}: the gradient has one entry per output entry, the "
            "outputs' shape",
        )
    return "gradient wrong", _mismatch(
        f"on outputs and targets of shape {Y.shape}, mse_gradient returns",
        got,
        expected,
    )


def _check_gradient_differences(
    found: _Findings, mse_gradient: Callable[..., object]
) -> None:
    """Compare with central differences of the course's mse."""
    Y, T = (array.copy() for array in _LOSS_FD_PROBE)
    numerical = _central_differences(lambda: scratch.mse(Y, T), Y)
    got = _numeric(verdict.call("mse_gradient", mse_gradient, Y.copy(), T))
    error = (
        gradcheck.relative_error(got, numerical)
        if got is not None and got.shape == Y.shape
        else math.inf
    )
    if not error < TOLERANCE:
        found.add(
            "mse_gradient",
            "finite differences disagree",
            "on outputs of shape (2, 3), your MSE gradient disagrees with "
            f"the finite differences of mse: relative error {_shown(error)}",
        )


@_quietly
def diagnose_mean_squared_error_gradient(mse_gradient: object) -> Diagnosis:
    """The findings on the learner's ``mse_gradient``."""
    part = "mse_gradient"
    found = _Findings((part,))
    if not _callable_or_finding(
        found, part, mse_gradient, "def mse_gradient(outputs, targets)"
    ):
        return found.diagnosis()
    with found.trying(part):
        for Y, T in _LOSS_PROBES:
            got = verdict.call(part, mse_gradient, Y.copy(), T.copy())
            expected = scratch.mse_gradient(Y, T)
            if not _close(got, expected):
                found.add(part, *_gradient_mistake(Y, T, got, expected))
                break
        _check_refuses_mismatched_shapes(found, part, mse_gradient)
        if not found.has(part):
            _check_gradient_differences(found, mse_gradient)
    return found.diagnosis()


def mean_squared_error_gradient(
    mse_gradient: Callable[[Array, Array], Array],
) -> Callable[[Array, Array], Array]:
    """Check the learner's ``mse_gradient``; return it if it passes, else
    the course's."""

    def check() -> Callable[[Array, Array], Array]:
        diagnosis = diagnose_mean_squared_error_gradient(mse_gradient)
        verified = (
            "on outputs and targets of shapes (4, 2) and (3, 5) it gives the "
            "course's 2 (Y − T) / (n k), it refuses targets of another "
            "shape, and the finite differences of mse agree to under "
            f"{_TOLERANCE_WORDS}"
        )
        _report(
            diagnosis,
            "mse_gradient",
            {"mse_gradient": verified},
            NEEDED_BY["mse_gradient"],
        )
        if diagnosis.passed("mse_gradient"):
            return mse_gradient
        return scratch.mse_gradient

    return _safely(lambda: scratch.mse_gradient, check)


# ---------------------------------------------------------------------------
# The network's backward pass


def _network(
    sizes: tuple[int, int, int], seed: int
) -> tuple[scratch.MLP, Array, Array]:
    """A course network (tanh, then sigmoid) after a forward pass, its
    points and dL/dY."""
    model = scratch.MLP(*sizes, "tanh", "sigmoid", seed=seed)
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(5, sizes[0]))
    targets = rng.uniform(size=(5, sizes[2]))
    outputs = model.forward(points)
    return model, points, scratch.mse_gradient(outputs, targets)


@dataclass(frozen=True)
class _Backprop:
    """One way of running the backward pass, right or with a mistake:
    which slope each layer uses, at which array, and the layers' order."""

    output_slope: str | None = "h"  # "g", "h" or None (left out)
    output_at: str = "Y"  # "X", "A1" or "Y"
    hidden_slope: str | None = "g"
    hidden_at: str = "A1"
    hidden_first: bool = False
    through_W2: bool = True

    def gradients(
        self, model: scratch.MLP, X: Array, grad_Y: Array
    ) -> dict[str, Array]:
        g, h = model.hidden_activation, model.output_activation
        W1, W2 = model.hidden.weights, model.output.weights
        values = {"X": X, "A1": model.hidden_a, "Y": model.outputs}
        slopes = {"g": g.derivative, "h": h.derivative}

        def slope(which: str | None, at: str) -> Array | float:
            return 1.0 if which is None else slopes[which](values[at])

        delta2 = grad_Y * slope(self.output_slope, self.output_at)
        first_inputs = X if self.hidden_first else values["A1"]
        first_weights = W1 if self.hidden_first else W2
        passed_back = delta2 @ first_weights.T if self.through_W2 else delta2
        delta1 = passed_back * slope(self.hidden_slope, self.hidden_at)
        second_inputs = values["A1"] if self.hidden_first else X
        first = (first_inputs.T @ delta2, delta2.sum(axis=0))
        second = (second_inputs.T @ delta1, delta1.sum(axis=0))
        if self.hidden_first:
            hidden, output = first, second
        else:
            hidden, output = second, first
        return {
            "hidden.weights": hidden[0],
            "hidden.bias": hidden[1],
            "output.weights": output[0],
            "output.bias": output[1],
        }


_NETWORK_MISTAKES = (
    (
        "output slope missing",
        _Backprop(output_slope=None),
        "your backward leaves out the output slope: δ2 = dL/dY ⊙ h'(Y), "
        "grad_outputs * self.output_activation.derivative(self.outputs), "
        "before self.output.backward",
    ),
    (
        "hidden slope missing",
        _Backprop(hidden_slope=None),
        "your backward leaves out the hidden slope: δ1 = dL/dA1 ⊙ g'(A1), "
        "so multiply what self.output.backward returns by "
        "self.hidden_activation.derivative(self.hidden_a)",
    ),
    (
        "slopes swapped",
        _Backprop(output_slope="g", hidden_slope="h"),
        "your backward swaps the two slopes: δ2 uses the output "
        "activation's derivative h'(Y) (self.output_activation), δ1 the "
        "hidden activation's g'(A1) (self.hidden_activation)",
    ),
    (
        "output slope of the hidden activation",
        _Backprop(output_slope="g"),
        "your output slope uses the hidden activation's derivative: "
        "δ2 = dL/dY ⊙ h'(Y), with h = self.output_activation",
    ),
    (
        "hidden slope of the output activation",
        _Backprop(hidden_slope="h"),
        "your hidden slope uses the output activation's derivative: "
        "δ1 = dL/dA1 ⊙ g'(A1), with g = self.hidden_activation",
    ),
    (
        "output slope at hidden_a",
        _Backprop(output_at="A1"),
        "your output slope is taken at the hidden activations A1: it is "
        "h'(Y), at the network's outputs, "
        "self.output_activation.derivative(self.outputs)",
    ),
    (
        "output slope at the inputs",
        _Backprop(output_at="X"),
        "your output slope is taken at the inputs X: it is h'(Y), at the "
        "network's outputs, self.output_activation.derivative(self.outputs)",
    ),
    (
        "hidden slope at the inputs",
        _Backprop(hidden_at="X"),
        "your hidden slope is taken at the inputs X: it is g'(A1), at the "
        "hidden activations, self.hidden_activation.derivative(self.hidden_a)",
    ),
    (
        "hidden slope at the outputs",
        _Backprop(hidden_at="Y"),
        "your hidden slope is taken at the outputs Y: it is g'(A1), at the "
        "hidden activations, self.hidden_activation.derivative(self.hidden_a)",
    ),
    (
        "layers in the wrong order",
        _Backprop(hidden_first=True),
        "your backward calls self.hidden.backward before self.output.backward:"
        " backpropagation runs from the loss back, so the output layer "
        "first, then the hidden slope, then the hidden layer",
    ),
    (
        "gradient not passed back through W2",
        _Backprop(through_W2=False),
        "your hidden layer's gradient skips the output layer's weights: "
        "dL/dA1 = δ2 W2ᵀ is what self.output.backward returns; multiply "
        "that, not δ2, by the hidden slope",
    ),
)


def _learner_gradients(
    backward: Callable[..., object],
    model: scratch.MLP,
    grad_Y: Array,
) -> dict[str, Array]:
    """The gradients the learner's backward leaves on a course network."""
    model.zero_grad()
    bound = types.MethodType(backward, model)
    verdict.call("MLP.backward", bound, grad_Y.copy())
    return {name: grad.copy() for name, grad in model.gradients().items()}


def _same_gradients(got: dict[str, Array], expected: dict[str, Array]) -> bool:
    return all(_close(got[name], expected[name]) for name in expected)


def _network_generic(
    got: dict[str, Array], expected: dict[str, Array], sizes: str
) -> str:
    wrong = [
        name for name in expected if not _close(got[name], expected[name])
    ]
    if all(name.startswith("hidden") for name in wrong):
        where = (
            "the output layer's gradients are right, so look after "
            "self.output.backward: δ1 = (δ2 W2ᵀ) ⊙ g'(A1), then "
            "self.hidden.backward(δ1)"
        )
    else:
        where = (
            "the output layer's are wrong too, so start at δ2 = "
            "dL/dY ⊙ h'(Y), passed to self.output.backward"
        )
    name = wrong[0]
    return (
        f"on {sizes}, your backward leaves {_words(wrong)} different from "
        f"the course's ({name}: "
        f"{_first_difference(got[name], expected[name])}); {where}"
    )


def _check_network(backward: Callable[..., object], found: _Findings) -> None:
    part = "MLP.backward"
    model, X, grad_Y = _network((3, 3, 3), seed=31)
    got = _learner_gradients(backward, model, grad_Y)
    expected = _Backprop().gradients(model, X, grad_Y)
    if not _same_gradients(got, expected):
        for mistake, way, message in _NETWORK_MISTAKES:
            if _same_gradients(got, way.gradients(model, X, grad_Y)):
                found.add(part, mistake, message)
                return
        found.add(
            part,
            "backward wrong",
            _network_generic(got, expected, "a 3-3-3 network (tanh, sigmoid)"),
        )
        return
    model, X, grad_Y = _network((2, 4, 3), seed=32)
    got = _learner_gradients(backward, model, grad_Y)
    expected = _Backprop().gradients(model, X, grad_Y)
    if not _same_gradients(got, expected):
        found.add(
            part,
            "backward wrong",
            _network_generic(got, expected, "a 2-4-3 network (tanh, sigmoid)"),
        )


def _gradient_check(backward: Callable[..., object]) -> dict[str, float]:
    """``gradcheck.relative_errors`` on a course network that runs the
    learner's backward."""
    model = scratch.MLP(2, 4, 3, "tanh", "sigmoid", seed=33)
    rng = np.random.default_rng(33)
    points, targets = rng.normal(size=(6, 2)), rng.uniform(size=(6, 3))
    model.backward = types.MethodType(backward, model)  # type: ignore
    return verdict.call(
        "MLP.backward", gradcheck.relative_errors, model, points, targets
    )


def _with_gradient_check(
    found: _Findings, backward: Callable[..., object]
) -> None:
    """Run the gradient check; a finding if it fails where nothing else
    did, else its verdict added to the first finding."""
    part = "MLP.backward"
    try:
        errors = _gradient_check(backward)
    except Exception as error:  # a crash, a stub, anything
        if not found.has(part) and isinstance(error, verdict.Crashed):
            found.found.append(error.finding)
        return
    wrong = {name: e for name, e in errors.items() if not e < TOLERANCE}
    if not wrong:
        return
    summary = "The gradient check agrees: relative error " + ", ".join(
        f"{_shown(error)} for {name}" for name, error in wrong.items()
    )
    if not found.has(part):
        found.add(part, "gradient check fails", summary)
        return
    index = next(i for i, f in enumerate(found.found) if f.piece == part)
    first = found.found[index]
    found.found[index] = Finding(
        part, first.mistake, f"{first.message}. {summary}"
    )


@_quietly
def diagnose_network_backward(MLP: object) -> Diagnosis:
    """The findings on ``MLP.backward``, run on course networks."""
    part = "MLP.backward"
    found = _Findings((part,))
    backward = (
        getattr(MLP, "backward", None) if isinstance(MLP, type) else None
    )
    if not callable(backward):
        found.add(
            "MLP",
            "not a class",
            f"MLP is {_describe(MLP)}, or has no backward method: the cell "
            "above must define class MLP with its backward",
        )
        return found.diagnosis()
    with found.trying(part):
        _check_network(backward, found)
    if part not in found.stubs:
        _with_gradient_check(found, backward)
    return found.diagnosis()


def network_backward(MLP: type) -> type:
    """Check the learner's ``MLP.backward``; return ``MLP`` if it passes,
    else a subclass that uses the course's backward."""

    def check() -> type:
        diagnosis = diagnose_network_backward(MLP)
        verified = (
            "after a forward pass through a 3-3-3 network (tanh, then "
            "sigmoid) and a 2-4-3 one, it fills all four gradients as the "
            "course's does, and the gradient check (gradcheck."
            f"relative_errors) finds every array under {_TOLERANCE_WORDS}"
        )
        _report(
            diagnosis,
            "MLP",
            {"MLP.backward": verified},
            NEEDED_BY["MLP.backward"],
        )
        return _class_to_use(MLP, scratch.MLP, diagnosis)

    return _safely(lambda: scratch.MLP, check)


# ---------------------------------------------------------------------------
# The training loop


@dataclass(frozen=True)
class _Problem:
    """A small training run: 10 points, minibatches of 4 (the last of 2)."""

    epochs: int = 3
    batch_size: int = 4
    learning_rate: float = 0.5
    shuffle_seed: int = 41

    @property
    def data(self) -> tuple[Array, Array]:
        rng = np.random.default_rng(42)
        return rng.uniform(size=(10, 2)), rng.uniform(size=(10, 2))

    @staticmethod
    def model() -> scratch.MLP:
        return scratch.MLP(2, 3, 2, "tanh", "sigmoid", seed=43)


_PROBLEM = _Problem()

_TRAIN_MESSAGES = {
    "no zero_grad": "your loop never calls model.zero_grad(), so each "
    "minibatch's gradients add onto the ones before: call it at the start "
    "of every minibatch",
    "step before backward": "your parameters never change: step moves them "
    "against the gradients backward has just filled, so the order is "
    "zero_grad, forward, backward, then step",
    "mean of batch means": "your epoch loss is the mean of the minibatch "
    "losses, but the last minibatch is smaller (2 points of 10): weight "
    "each loss by its size, epoch_loss += loss * len(batch), then divide by "
    "len(points)",
    "last batch loss": "your epoch loss is only the last minibatch's loss: "
    "add up loss * len(batch) over the epoch's minibatches, then divide by "
    "len(points)",
    "sum of batch losses": "your epoch loss is the sum of the minibatch "
    "losses: weight each by len(batch) and divide the total by "
    "len(points), the mean over the epoch's points",
    "loss not divided": "your epoch loss is the sum of loss * len(batch), "
    "without the division: divide it by len(points), for the mean over "
    "the points",
    "loss not reset": "your epoch loss keeps the sums of the epochs "
    "before it: set epoch_loss = 0.0 at the start of each epoch, inside "
    "the loop over the epochs",
    "loss after the epoch": "your epoch loss is the loss on all the points "
    "after the epoch: the course's is the mean of the minibatch losses "
    "during it, the sum of loss * len(batch) divided by len(points)",
    "fixed order": "your loop visits the points in the same fixed order "
    "every epoch: take each epoch's minibatches from "
    "epoch_batches(len(points), batch_size, rng), a fresh random order each "
    "time",
    "same shuffle every epoch": "your loop shuffles the points the same way "
    "every epoch, with a new generator each time: use the rng made before "
    "the loop, epoch_batches(len(points), batch_size, rng)",
    "full batch": "your loop takes one step per epoch on all the points: "
    "split each epoch into minibatches of batch_size with "
    "epoch_batches(len(points), batch_size, rng)",
    "gradient sign": "your training moves the parameters uphill: the loss's "
    "gradient is mse_gradient(outputs, targets[batch]), outputs first "
    "(swapping the two flips its sign)",
}

_LOSS_MISTAKES = {
    "mean of batch means",
    "last batch loss",
    "sum of batch losses",
    "loss not divided",
    "loss not reset",
    "loss after the epoch",
}


def _batches(mistake: str | None, n: int, rng: np.random.Generator) -> list:
    size = _PROBLEM.batch_size
    if mistake == "fixed order":
        return [np.arange(n)[s : s + size] for s in range(0, n, size)]
    if mistake == "full batch":
        return [np.arange(n)]
    if mistake == "same shuffle every epoch":
        rng = np.random.default_rng(_PROBLEM.shuffle_seed)
    return list(epoch_batches(n, size, rng))


def _trained(mistake: str | None) -> tuple[Array, dict[str, Array]]:
    """The losses and final parameters of ``scratch.train`` on the
    problem, or of the loop with ``mistake`` in it."""
    model = _PROBLEM.model()
    points, targets = _PROBLEM.data
    rate, n = _PROBLEM.learning_rate, len(points)
    rng = np.random.default_rng(_PROBLEM.shuffle_seed)
    losses = np.empty(_PROBLEM.epochs)
    running = 0.0  # the sum a loop that never resets it would keep
    for epoch in range(_PROBLEM.epochs):
        batch_losses, sizes = [], []
        for batch in _batches(mistake, n, rng):
            if mistake != "no zero_grad":
                model.zero_grad()
            outputs = model.forward(points[batch])
            batch_losses.append(scratch.mse(outputs, targets[batch]))
            sizes.append(len(batch))
            gradient = scratch.mse_gradient(outputs, targets[batch])
            if mistake == "gradient sign":
                gradient = -gradient
            if mistake == "step before backward":
                model.step(rate)
                model.backward(gradient)
            else:
                model.backward(gradient)
                model.step(rate)
        weighted = float(np.dot(batch_losses, sizes))
        running += weighted
        losses[epoch] = {
            "mean of batch means": np.mean(batch_losses),
            "last batch loss": batch_losses[-1],
            "sum of batch losses": np.sum(batch_losses),
            "loss not divided": weighted,
            "loss not reset": running / n,
        }.get(mistake, weighted / n)
        if mistake == "loss after the epoch":
            losses[epoch] = scratch.mse(model.forward(points), targets)
    parameters = {k: v.copy() for k, v in model.parameters().items()}
    return losses, parameters


def _check_calls(found: _Findings, calls: list[object]) -> None:
    epochs = list(range(1, _PROBLEM.epochs + 1))
    if calls == epochs:
        return
    if not calls:
        found.add(
            "train",
            "on_epoch never called",
            "your loop never calls on_epoch: after each epoch, call "
            "on_epoch(epoch + 1) when it is not None; the recorders and "
            "films below rely on it",
        )
    elif calls == [e - 1 for e in epochs]:
        found.add(
            "train",
            "on_epoch counts from 0",
            "your loop calls on_epoch with 0, 1, 2: epochs count from 1 "
            "there, so call on_epoch(epoch + 1)",
        )
    else:
        shown = ", ".join(
            str(int(c)) if isinstance(c, numbers.Integral) else _describe(c)
            for c in calls[:8]
        )
        found.add(
            "train",
            "on_epoch calls wrong",
            f"over {_PROBLEM.epochs} epochs your loop calls on_epoch with "
            f"{shown}{', ...' if len(calls) > 8 else ''}: call it once after "
            "each epoch, with 1, 2, 3",
        )


def _check_losses(found: _Findings, returned: object) -> Array | None:
    """The returned losses as an array, or None with a finding."""
    losses = _numeric(returned)
    if losses is not None and losses.shape == (_PROBLEM.epochs,):
        return losses
    if returned is None:
        found.add(
            "train",
            "returns nothing",
            "your train returns nothing: end it with return losses, the "
            "loss of each epoch",
        )
    else:
        found.add(
            "train",
            "returns the wrong thing",
            f"your train returns {_describe(returned)}: it returns the "
            f"array of the {_PROBLEM.epochs} epoch losses, losses",
        )
    return None


def _loop_mistake(
    losses: Array | None, parameters: dict[str, Array]
) -> tuple[str, str] | None:
    """The known mistake the run matches, if any."""
    for mistake, message in _TRAIN_MESSAGES.items():
        expected_losses, expected_parameters = _trained(mistake)
        if losses is None and mistake in _LOSS_MISTAKES:
            continue
        if _same_gradients(parameters, expected_parameters) and (
            losses is None or _close(losses, expected_losses)
        ):
            return mistake, message
    return None


def _loop_generic(
    losses: Array | None,
    parameters: dict[str, Array],
    expected: tuple[Array, dict[str, Array]],
) -> str:
    expected_losses, expected_parameters = expected
    wrong = [
        name
        for name in expected_parameters
        if not _close(parameters[name], expected_parameters[name])
    ]
    if wrong:
        return (
            f"after {_PROBLEM.epochs} epochs, {_words(wrong)} differ from "
            "what scratch.train gives on the same problem: each minibatch "
            "of epoch_batches(len(points), batch_size, rng) runs zero_grad, "
            "forward, mse, backward(mse_gradient(...)) and step, in that "
            "order"
        )
    if losses is None:  # nothing returned: only the parameters are known
        return "the trained parameters differ from scratch.train's"
    epoch = int(np.flatnonzero(~np.isclose(losses, expected_losses))[0])
    return (
        "the trained parameters match scratch.train's but the losses do "
        f"not: epoch {epoch + 1} gives {losses[epoch]:.4f}, expected "
        f"{expected_losses[epoch]:.4f}. An epoch's loss is the sum of "
        "loss * len(batch) over its minibatches, divided by len(points)"
    )


@_quietly
def diagnose_training_loop(train: object) -> Diagnosis:
    """The findings on the learner's ``train``, run on a small problem
    beside ``scratch.train``."""
    part = "train"
    found = _Findings((part,))
    if not _callable_or_finding(found, part, train, "def train(model, ...)"):
        return found.diagnosis()
    with found.trying(part):
        model = _PROBLEM.model()
        points, targets = _PROBLEM.data
        calls: list[object] = []
        returned = verdict.call(
            part,
            train,
            model,
            points,
            targets,
            learning_rate=_PROBLEM.learning_rate,
            epochs=_PROBLEM.epochs,
            batch_size=_PROBLEM.batch_size,
            shuffle_seed=_PROBLEM.shuffle_seed,
            on_epoch=calls.append,
        )
        losses = _check_losses(found, returned)
        parameters = {k: v.copy() for k, v in model.parameters().items()}
        expected = _trained(None)
        if not (
            _same_gradients(parameters, expected[1])
            and (losses is None or _close(losses, expected[0]))
        ):
            mistake = _loop_mistake(losses, parameters)
            if mistake is not None:
                found.add(part, *mistake)
            else:
                found.add(
                    part,
                    "loop wrong",
                    _loop_generic(losses, parameters, expected),
                )
        _check_calls(found, calls)
    return found.diagnosis()


def training_loop(train: Callable[..., Array]) -> Callable[..., Array]:
    """Check the learner's ``train``; return it if it passes, else
    ``scratch.train``."""

    def check() -> Callable[..., Array]:
        diagnosis = diagnose_training_loop(train)
        verified = (
            "on 10 points in minibatches of 4 (the last of 2) for 3 epochs, "
            "its loss per epoch and the trained parameters match "
            "scratch.train's, and it calls on_epoch with 1, 2, 3"
        )
        _report(diagnosis, "train", {"train": verified}, NEEDED_BY["train"])
        return train if diagnosis.passed("train") else scratch.train

    return _safely(lambda: scratch.train, check)
