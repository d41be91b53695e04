"""The checks of chapter 1's workbook (mlpcourse.workbook.chapter1).

The course's own code passes every check; a stub is reported as a stub;
each planted mistake (the course's code with one realistic mistake in it)
is named by its own finding and no other; garbage never makes a check
raise.
"""

import __future__

import inspect
import re
import textwrap

import numpy as np
import pytest

from mlpcourse import scratch
from mlpcourse.workbook import chapter1 as check
from mlpcourse.workbook.verdict import STUB_MARK, stub_message

SLOPES = {
    "relu_derivative": scratch.relu_derivative,
    "sigmoid_derivative": scratch.sigmoid_derivative,
    "tanh_derivative": scratch.tanh_derivative,
}


def planted(course, *edits):
    """The course's ``course`` (a function or class) with each
    ``(old, new)`` edit made to its source: a learner's version of it."""
    source = textwrap.dedent(inspect.getsource(course))
    for old, new in edits:
        assert old in source, f"{old!r} is not in {course.__qualname__}"
        source = source.replace(old, new)
    namespace = dict(vars(scratch), stub_message=stub_message)
    code = compile(
        source,
        f"<planted {course.__qualname__}>",
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )
    exec(code, namespace)
    return namespace[course.__name__]


def slopes(**learner):
    return check.diagnose_activation_slopes(*{**SLOPES, **learner}.values())


def stub(name):
    def stubbed(*args, **kwargs):
        raise NotImplementedError(stub_message(name))

    return stubbed


# ---------------------------------------------------------------------------
# The course's code passes


def test_the_course_passes_every_check(capsys):
    assert slopes().findings == ()
    lookup = check.activation_slopes(*SLOPES.values())
    for name, function in SLOPES.items():
        assert lookup(name.removesuffix("_derivative")).derivative is function
    assert check.dense_layer(scratch.Dense) is scratch.Dense
    assert check.mean_squared_error(scratch.mse) is scratch.mse
    gradient = check.mean_squared_error_gradient(scratch.mse_gradient)
    assert gradient is scratch.mse_gradient
    assert check.network_backward(scratch.MLP) is scratch.MLP
    assert check.training_loop(scratch.train) is scratch.train
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 + 4 + 4
    assert all(" passes: " in line for line in lines), lines
    derivatives = [
        line
        for line in lines
        if line.split()[0].endswith(("backward", "derivative", "gradient"))
    ]
    assert len(derivatives) == 6
    assert all(
        re.search("finite.differences?|gradient check", line)
        for line in derivatives
    ), derivatives


@pytest.mark.parametrize(
    "diagnose, piece",
    [
        (check.diagnose_dense_layer, scratch.Dense),
        (check.diagnose_mean_squared_error, scratch.mse),
        (check.diagnose_mean_squared_error_gradient, scratch.mse_gradient),
        (check.diagnose_network_backward, scratch.MLP),
        (check.diagnose_training_loop, scratch.train),
    ],
    ids=["Dense", "mse", "mse_gradient", "MLP", "train"],
)
def test_the_course_has_no_finding(diagnose, piece):
    diagnosis = diagnose(piece)
    assert diagnosis.findings == () and diagnosis.stubs == ()
    assert diagnosis.failing == ()


def test_the_catalogues_correct_run_is_scratch_train():
    model = check._PROBLEM.model()
    points, targets = check._PROBLEM.data
    losses = scratch.train(
        model,
        points,
        targets,
        learning_rate=check._PROBLEM.learning_rate,
        epochs=check._PROBLEM.epochs,
        batch_size=check._PROBLEM.batch_size,
        shuffle_seed=check._PROBLEM.shuffle_seed,
    )
    expected_losses, expected_parameters = check._trained(None)
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-12)
    for name, parameter in model.parameters().items():
        np.testing.assert_allclose(
            parameter, expected_parameters[name], rtol=1e-12
        )


def test_the_unknown_name_error_is_the_courses():
    lookup = check.activation_slopes(*SLOPES.values())
    with pytest.raises(ValueError) as ours:
        lookup("softmax")
    with pytest.raises(ValueError) as course:
        scratch.activation("softmax")
    assert str(ours.value) == str(course.value)
    assert lookup("identity") is scratch.activation("identity")


# ---------------------------------------------------------------------------
# Stubs


def test_stubbed_slopes_fall_back_one_by_one(capsys):
    lookup = check.activation_slopes(
        stub("relu_derivative"),
        scratch.sigmoid_derivative,
        stub("tanh_derivative"),
    )
    assert lookup("relu").derivative is scratch.relu_derivative
    assert lookup("tanh").derivative is scratch.tanh_derivative
    out = capsys.readouterr().out
    assert "relu_derivative is still a stub: write it in the cell above" in out
    assert "tanh_derivative is still a stub" in out
    assert "sigmoid_derivative passes" in out
    assert "The network's forward and backward passes below use them" in out


def test_a_stubbed_dense_falls_back_to_the_courses_methods(capsys):
    methods = ("forward", "backward", "zero_grad", "step")
    Stubbed = type(
        "Dense",
        (scratch.Dense,),
        {name: stub(f"Dense.{name}") for name in methods},
    )
    diagnosis = check.diagnose_dense_layer(Stubbed)
    assert diagnosis.stubs == check.DENSE_PARTS and diagnosis.findings == ()
    Dense = check.dense_layer(Stubbed)
    assert issubclass(Dense, Stubbed) and Dense.__name__ == "Dense"
    for name in methods:
        assert Dense.__dict__[name] is scratch.Dense.__dict__[name]
    out = capsys.readouterr().out
    assert out.count("is still a stub: write it in the cell above") == 4
    assert (
        "The network (MLP), the gradient check and the training below use Dense"
        in out
    )
    assert (
        "The cells below use the course's Dense.forward, Dense.backward" in out
    )


def test_only_the_failing_methods_of_dense_fall_back(capsys):
    Learner = planted(
        scratch.Dense,
        ("inputs @ self.weights + self.bias", "inputs @ self.weights"),
    )
    Learner.step = stub("Dense.step")
    Dense = check.dense_layer(Learner)
    assert Dense.__dict__["forward"] is scratch.Dense.forward
    assert Dense.__dict__["step"] is scratch.Dense.step
    assert Dense.backward is Learner.backward
    assert Dense.zero_grad is Learner.zero_grad
    out = capsys.readouterr().out
    assert (
        "The cells below use your Dense.backward and Dense.zero_grad and "
        "the course's Dense.forward and Dense.step." in out
    )
    layer = Dense(2, 3, np.random.default_rng(0))  # a working layer
    layer.backward(layer.forward(np.ones((4, 2))))


def test_stubbed_functions_are_reported_and_replaced(capsys):
    assert check.mean_squared_error(stub("mse")) is scratch.mse
    gradient = check.mean_squared_error_gradient(stub("mse_gradient"))
    assert gradient is scratch.mse_gradient
    out = capsys.readouterr().out
    assert (
        "mse is still a stub" in out and "mse_gradient is still a stub" in out
    )


def test_a_stubbed_backward_uses_the_courses():
    Learner = planted(
        scratch.MLP,
        (
            "if self.outputs is None:",
            'raise NotImplementedError(stub_message("MLP.backward"))\n'
            "        if self.outputs is None:",
        ),
    )
    assert check.diagnose_network_backward(Learner).stubs == ("MLP.backward",)
    MLP = check.network_backward(Learner)
    assert MLP.__dict__["backward"] is scratch.MLP.backward
    assert issubclass(MLP, Learner)
    model = MLP(2, 3, 2, "tanh", "sigmoid", seed=0)
    model.backward(model.forward(np.ones((4, 2))))


def test_a_stubbed_training_loop_keeps_its_set_up_lines():
    source = textwrap.dedent(inspect.getsource(scratch.train))
    body_from = source.index("    for epoch")
    Learner = planted(
        scratch.train,
        (
            source[body_from:],
            '    raise NotImplementedError(stub_message("train"))\n',
        ),
    )
    assert check.diagnose_training_loop(Learner).stubs == ("train",)
    assert check.training_loop(Learner) is scratch.train


def test_a_plain_not_implemented_error_is_a_crash_not_a_stub():
    def mse(outputs, targets):
        raise NotImplementedError("later")

    assert STUB_MARK in stub_message("mse")
    diagnosis = check.diagnose_mean_squared_error(mse)
    assert diagnosis.stubs == () and diagnosis.mistakes == ["raised"]


# ---------------------------------------------------------------------------
# Planted mistakes: each one is named, and nothing else is

RELU, SIGMOID, TANH = (
    scratch.relu_derivative,
    scratch.sigmoid_derivative,
    scratch.tanh_derivative,
)
RELU_SLOPE = "(a > 0).astype(a.dtype)"
FORWARD = "return inputs @ self.weights + self.bias"
GRAD_X = "return grad_z @ self.weights.T"
DIVIDE = "2.0 * (outputs - targets) / outputs.size"
SQUARES = "np.mean((outputs - targets) ** 2)"
SHAPE_CHECK = 'same_shape(outputs, targets, ("outputs", "targets"))'
BATCHES = "epoch_batches(len(points), batch_size, rng)"
OUT_SLOPE = "self.output_activation.derivative(self.outputs)"
HID_SLOPE = "self.hidden_activation.derivative(self.hidden_a)"


def relu(*edits):
    return lambda: slopes(relu_derivative=planted(RELU, *edits))


def sigmoid(*edits):
    return lambda: slopes(sigmoid_derivative=planted(SIGMOID, *edits))


def tanh(*edits):
    return lambda: slopes(tanh_derivative=planted(TANH, *edits))


def dense(*edits):
    return lambda: check.diagnose_dense_layer(planted(scratch.Dense, *edits))


def mse(*edits):
    return lambda: check.diagnose_mean_squared_error(
        planted(scratch.mse, *edits)
    )


def gradient(*edits):
    return lambda: check.diagnose_mean_squared_error_gradient(
        planted(scratch.mse_gradient, *edits)
    )


def network(*edits):
    return lambda: check.diagnose_network_backward(
        planted(scratch.MLP, *edits)
    )


def train(*edits):
    return lambda: check.diagnose_training_loop(planted(scratch.train, *edits))


PLANTED = {
    # the activation slopes, given a = f(z)
    "relu slope is a": relu((RELU_SLOPE, "a")),
    "relu slope is 1 everywhere": relu(("(a > 0)", "(a >= 0)")),
    "slope changes a": relu(
        (f"return {RELU_SLOPE}", "a[a > 0] = 1.0\n    return a")
    ),
    "slope shape": relu((RELU_SLOPE, f"{RELU_SLOPE}.ravel()")),
    "sigmoid applied again": sigmoid(
        ("a * (1.0 - a)", "sigmoid(a) * (1.0 - sigmoid(a))")
    ),
    "sigmoid slope is tanh's": sigmoid(("a * (1.0 - a)", "1.0 - a**2")),
    "slope by matrix product": sigmoid(("a * (1.0 - a)", "a @ (1.0 - a).T")),
    "tanh slope without the square": tanh(("1.0 - a**2", "1.0 - a")),
    "tanh applied again": tanh(("1.0 - a**2", "1.0 - np.tanh(a) ** 2")),
    "tanh slope is the sigmoid's": tanh(("1.0 - a**2", "a * (1.0 - a)")),
    "tanh square misplaced": tanh(("1.0 - a**2", "(1.0 - a) ** 2")),
    # the dense layer
    "forward without bias": dense((FORWARD, "return inputs @ self.weights")),
    "bias subtracted": dense(("+ self.bias", "- self.bias")),
    "W X order": dense(("inputs @ self.weights", "self.weights @ inputs")),
    "transposed output": dense(
        (FORWARD, "return (inputs @ self.weights + self.bias).T")
    ),
    "activation inside the layer": dense(
        (FORWARD, "return np.tanh(inputs @ self.weights + self.bias)")
    ),
    "inputs not stored": dense(
        ("self.inputs = inputs  # kept", "pass  # forgot to keep")
    ),
    "overwrites gradient": dense(
        ("self.weights_grad += ", "self.weights_grad = "),
        ("self.bias_grad += ", "self.bias_grad = "),
    ),
    "transposed weight gradient": dense(
        ("self.inputs.T @ grad_z", "grad_z.T @ self.inputs")
    ),
    "bias gradient wrong axis": dense(("sum(axis=0)", "sum(axis=1)")),
    "bias gradient mean": dense(("sum(axis=0)", "mean(axis=0)")),
    "bias gradient total": dense(("sum(axis=0)", "sum()")),
    "input gradient δW": dense((GRAD_X, "return grad_z @ self.weights")),
    "returns weight gradient": dense((GRAD_X, "return self.weights_grad")),
    "returns δ": dense((GRAD_X, "return grad_z")),
    "backward returns nothing": dense((GRAD_X, "grad_z @ self.weights.T")),
    "zero_grad leaves weights_grad": dense(
        ("self.weights_grad[...] = 0.0", "pass")
    ),
    "zero_grad leaves bias_grad": dense(("self.bias_grad[...] = 0.0", "pass")),
    "zero_grad resets a parameter": dense(
        ("self.weights_grad[...] = 0.0", "self.weights[...] = 0.0")
    ),
    "step sign": dense(
        ("self.weights -= ", "self.weights += "),
        ("self.bias -= ", "self.bias += "),
    ),
    "step ignores learning rate": dense(("learning_rate * self", "self")),
    "step leaves bias": dense(
        ("self.bias -= learning_rate * self.bias_grad", "pass")
    ),
    "step fixed rate": dense(("learning_rate * self", "0.1 * self")),
    # the loss
    "sum instead of mean": mse(("np.mean(", "np.sum(")),
    "mean over points only": mse(
        (SQUARES, "np.sum((outputs - targets) ** 2) / len(outputs)")
    ),
    "half the MSE": mse((SQUARES, f"0.5 * {SQUARES}")),
    "root of the MSE": mse((SQUARES, f"np.sqrt({SQUARES})")),
    "absolute differences": mse(
        (SQUARES, "np.mean(np.abs(outputs - targets))")
    ),
    "differences not squared": mse((SQUARES, "np.mean(outputs - targets)")),
    "squared mean difference": mse(
        (SQUARES, "np.mean(outputs - targets) ** 2")
    ),
    "returns an array": mse(
        (f"return float({SQUARES})", "return (outputs - targets) ** 2")
    ),
    "no shape check": mse((SHAPE_CHECK, "pass")),
    # its gradient
    "half the gradient": gradient(("2.0 * ", "")),
    "gradient sign flipped": gradient(
        ("(outputs - targets)", "(targets - outputs)")
    ),
    "gradient divided by n": gradient(("outputs.size", "len(outputs)")),
    "gradient divided by k": gradient(("outputs.size", "outputs.shape[1]")),
    "gradient not divided": gradient((" / outputs.size", "")),
    "half the gradient, divided by n": gradient(
        (DIVIDE, "(outputs - targets) / len(outputs)")
    ),
    "gradient shape": gradient(
        (DIVIDE, "2.0 * (outputs - targets).sum(axis=1) / outputs.size")
    ),
    "no shape check (gradient)": gradient((SHAPE_CHECK, "pass")),
    # the network's backward pass
    "output slope missing": network(
        ("grad_outputs * output_slope", "grad_outputs")
    ),
    "hidden slope missing": network(
        ("grad_hidden_a * hidden_slope", "grad_hidden_a")
    ),
    "slopes swapped": network(
        (OUT_SLOPE, "self.hidden_activation.derivative(self.outputs)"),
        (HID_SLOPE, "self.output_activation.derivative(self.hidden_a)"),
    ),
    "output slope of the hidden activation": network(
        (OUT_SLOPE, "self.hidden_activation.derivative(self.outputs)")
    ),
    "hidden slope of the output activation": network(
        (HID_SLOPE, "self.output_activation.derivative(self.hidden_a)")
    ),
    "output slope at hidden_a": network(
        (OUT_SLOPE, "self.output_activation.derivative(self.hidden_a)")
    ),
    "output slope at the inputs": network(
        (OUT_SLOPE, "self.output_activation.derivative(self.hidden.inputs)")
    ),
    "hidden slope at the inputs": network(
        (HID_SLOPE, "self.hidden_activation.derivative(self.hidden.inputs)")
    ),
    "hidden slope at the outputs": network(
        (HID_SLOPE, "self.hidden_activation.derivative(self.outputs)")
    ),
    "layers in the wrong order": network(
        (
            "self.output.backward(grad_output_z)",
            "self.hidden.backward(grad_output_z)",
        ),
        (
            "self.hidden.backward(grad_hidden_z)",
            "self.output.backward(grad_hidden_z)",
        ),
    ),
    "gradient not passed back through W2": network(
        (
            "grad_hidden_a = self.output.backward(grad_output_z)",
            "self.output.backward(grad_output_z)\n"
            "        grad_hidden_a = grad_output_z",
        )
    ),
    # the training loop
    "no zero_grad": train(("model.zero_grad()", "pass")),
    "step before backward": train(
        (
            "model.backward(mse_gradient(outputs, targets[batch]))\n"
            "            model.step(learning_rate)",
            "model.step(learning_rate)\n"
            "            model.backward(mse_gradient(outputs, targets[batch]))",
        )
    ),
    "mean of batch means": train(
        ("epoch_loss = 0.0", "batch_losses = []"),
        ("epoch_loss += loss * len(batch)", "batch_losses.append(loss)"),
        ("epoch_loss / len(points)", "np.mean(batch_losses)"),
    ),
    "last batch loss": train(
        ("epoch_loss += loss * len(batch)", "epoch_loss = loss"),
        ("epoch_loss / len(points)", "epoch_loss"),
    ),
    "sum of batch losses": train(
        ("epoch_loss += loss * len(batch)", "epoch_loss += loss"),
        ("epoch_loss / len(points)", "epoch_loss"),
    ),
    "loss not divided": train(("epoch_loss / len(points)", "epoch_loss")),
    "loss not reset": train(
        (
            "    for epoch in range(epochs):\n        epoch_loss = 0.0\n",
            "    epoch_loss = 0.0\n    for epoch in range(epochs):\n",
        )
    ),
    "loss after the epoch": train(
        ("epoch_loss / len(points)", "mse(model.forward(points), targets)")
    ),
    "fixed order": train(
        (
            BATCHES,
            "[np.arange(len(points))[start : start + batch_size]"
            " for start in range(0, len(points), batch_size)]",
        )
    ),
    "same shuffle every epoch": train(
        (
            BATCHES,
            "epoch_batches(len(points), batch_size,"
            " np.random.default_rng(shuffle_seed))",
        )
    ),
    "full batch": train((BATCHES, "[np.arange(len(points))]")),
    "gradient sign": train(
        (
            "mse_gradient(outputs, targets[batch])",
            "mse_gradient(targets[batch], outputs)",
        )
    ),
    "on_epoch never called": train(("on_epoch(epoch + 1)", "pass")),
    "on_epoch counts from 0": train(
        ("on_epoch(epoch + 1)", "on_epoch(epoch)")
    ),
    "returns nothing": train(("return losses", "pass")),
}


@pytest.mark.parametrize("mistake, diagnose", PLANTED.items(), ids=PLANTED)
def test_a_planted_mistake_is_named_alone(mistake, diagnose):
    diagnosis = diagnose()
    expected = mistake.removesuffix(" (gradient)")
    assert diagnosis.mistakes == [expected], [
        f.message for f in diagnosis.findings
    ]
    assert diagnosis.stubs == ()
    (finding,) = diagnosis.findings
    assert finding.piece in diagnosis.parts
    assert diagnosis.failing == (finding.piece,)


def test_the_table_diagnoses_enough_distinct_mistakes():
    assert len({m.removesuffix(" (gradient)") for m in PLANTED}) >= 12


def test_the_messages_are_plain_and_machine_independent(capsys):
    for diagnose in PLANTED.values():
        for finding in diagnose().findings:
            assert "0x" not in finding.message
            # no rounding-level numbers such as 3.2e-11
            assert not re.search(r"\de-(0?[7-9]|\d\d)", finding.message)


def test_the_gradient_check_is_reported_with_a_backward_mistake():
    (finding,) = PLANTED["hidden slope missing"]().findings
    assert "The gradient check agrees" in finding.message
    assert "hidden.weights" in finding.message
    assert "output.weights" not in finding.message.split("agrees")[1]


def test_a_slope_right_only_on_the_first_shape_fails_the_finite_differences():
    def tanh_derivative(a):
        return 1.0 - a**2 if a.shape == (3, 4) else 1.0 - a

    diagnosis = slopes(tanh_derivative=tanh_derivative)
    assert diagnosis.mistakes == ["finite differences disagree"]


def test_a_failing_slope_falls_back_and_the_others_stay(capsys):
    learner_relu = planted(RELU, ("(a > 0)", "(a >= 0)"))
    lookup = check.activation_slopes(learner_relu, SIGMOID, TANH)
    assert lookup("relu").derivative is scratch.relu_derivative
    assert lookup("relu").function is scratch.relu
    out = capsys.readouterr().out
    assert "relu_derivative does not pass yet:" in out
    assert "did you write a >= 0? Use a > 0" in out


def test_the_public_checks_print_the_findings(capsys):
    Learner = planted(
        scratch.Dense, ("self.inputs.T @ grad_z", "grad_z.T @ self.inputs")
    )
    check.dense_layer(Learner)
    out = capsys.readouterr().out
    assert (
        "Dense.backward does not pass yet:\n- your weight gradient is δᵀX"
        in out
    )
    learner = planted(scratch.mse_gradient, ("2.0 * ", ""))
    assert check.mean_squared_error_gradient(learner) is scratch.mse_gradient
    out = capsys.readouterr().out
    assert (
        "half the expected value: the square's derivative brings a factor 2"
        in out
    )
    learner = planted(
        scratch.train, ("on_epoch(epoch + 1)", "on_epoch(epoch)")
    )
    assert check.training_loop(learner) is scratch.train
    out = capsys.readouterr().out
    assert "until yours passes, they use the course's." in out


# ---------------------------------------------------------------------------
# Garbage: a finding, never an exception


def returns_none(*args, **kwargs):
    return None


def raises(*args, **kwargs):
    raise ValueError("something went wrong")


def returns_text(*args, **kwargs):
    return "loss"


def returns_infinity(outputs, *args, **kwargs):
    return np.full(np.shape(outputs), np.inf)


GARBAGE = {
    "None itself": None,
    "a number": 3,
    "returns None": returns_none,
    "raises": raises,
    "returns text": returns_text,
    "returns infinity": returns_infinity,
}


@pytest.mark.parametrize("learner", GARBAGE.values(), ids=GARBAGE)
def test_garbage_functions_give_a_finding(learner, capsys):
    for diagnose in (
        check.diagnose_mean_squared_error,
        check.diagnose_mean_squared_error_gradient,
        check.diagnose_training_loop,
    ):
        assert diagnose(learner).findings
    assert slopes(relu_derivative=learner).mistakes
    assert check.mean_squared_error(learner) is scratch.mse
    assert check.mean_squared_error_gradient(learner) is scratch.mse_gradient
    assert check.training_loop(learner) is scratch.train
    lookup = check.activation_slopes(learner, learner, learner)
    assert lookup("tanh").derivative is scratch.tanh_derivative
    assert "Traceback" not in capsys.readouterr().out


@pytest.mark.parametrize("learner", GARBAGE.values(), ids=GARBAGE)
def test_garbage_methods_give_a_finding(learner, capsys):
    methods = ("forward", "backward", "zero_grad", "step")
    Dense = type("Dense", (scratch.Dense,), dict.fromkeys(methods, learner))
    diagnosis = check.diagnose_dense_layer(Dense)
    assert {f.piece for f in diagnosis.findings} <= set(check.DENSE_PARTS)
    assert check.dense_layer(Dense).forward is scratch.Dense.forward
    MLP = type("MLP", (scratch.MLP,), {"backward": learner})
    assert check.diagnose_network_backward(MLP).findings
    assert check.network_backward(MLP).backward is scratch.MLP.backward


@pytest.mark.parametrize("learner", [None, 3, "Dense", np.zeros(3)])
def test_garbage_classes_give_a_finding(learner, capsys):
    assert check.diagnose_dense_layer(learner).failing == check.DENSE_PARTS
    assert check.dense_layer(learner) is scratch.Dense
    assert check.diagnose_network_backward(learner).failing == (
        "MLP.backward",
    )
    assert check.network_backward(learner) is scratch.MLP
    assert "Dense does not pass yet" in capsys.readouterr().out


def test_a_class_whose_init_fails_gives_a_finding(capsys):
    class Dense:
        def __init__(self, n_inputs, n_outputs):
            pass

    diagnosis = check.diagnose_dense_layer(Dense)
    assert diagnosis.mistakes == ["raised"]
    assert check.dense_layer(Dense) is scratch.Dense


def test_a_dense_without_gradients_attributes_never_raises():
    class Dense:
        def __init__(self, n_inputs, n_outputs, rng):
            self.weights = rng.normal(size=(n_inputs, n_outputs))

        def forward(self, inputs):
            return inputs @ self.weights

        def backward(self, grad_z):
            del self.weights_grad

        def zero_grad(self):
            self.weights_grad = None

        def step(self, learning_rate):
            self.weights = "moved"

    diagnosis = check.diagnose_dense_layer(Dense)
    assert set(diagnosis.failing) == set(check.DENSE_PARTS)


def test_a_training_loop_that_diverges_or_breaks_the_model_never_raises():
    def train(model, points, targets, **options):
        model.hidden.weights[...] = np.inf
        options["on_epoch"]("one")
        return [np.nan] * options["epochs"]

    diagnosis = check.diagnose_training_loop(train)
    assert "loop wrong" in diagnosis.mistakes
    assert "on_epoch calls wrong" in diagnosis.mistakes
