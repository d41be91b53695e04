"""The checks of chapter 2's workbook (mlpcourse.workbook.chapter2): the
course's code passes, stubs are reported, and each planted mistake is named
alone."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from torch import nn

from mlpcourse import data, scratch, torch_mlp
from mlpcourse.checks import valid_seed
from mlpcourse.torch_mlp import ACTIVATIONS, DEVICE
from mlpcourse.training import check_loss, check_training_args, epoch_batches
from mlpcourse.workbook import chapter2 as check
from mlpcourse.workbook.verdict import stub_message

# ---------------------------------------------------------------------------
# The network: the learner's class, as the workbook's cell holds it
# ---------------------------------------------------------------------------


class Given(nn.Module):
    """What the workbook's TorchMLP cell gives: all but __init__, forward."""

    copy_of = torch_mlp.TorchMLP.__dict__["copy_of"]
    scratch_arrays = torch_mlp.TorchMLP.scratch_arrays
    predict = torch_mlp.TorchMLP.predict
    extra_repr = torch_mlp.TorchMLP.extra_repr


class Written(Given):
    """The two methods written as the course writes them."""

    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        super().__init__()
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.hidden = nn.Linear(
                n_inputs, n_hidden, dtype=dtype, device=DEVICE
            )
            self.output = nn.Linear(
                n_hidden, n_outputs, dtype=dtype, device=DEVICE
            )
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation

    def forward(self, inputs):
        hidden = ACTIVATIONS[self.hidden_activation](self.hidden(inputs))
        return ACTIVATIONS[self.output_activation](self.output(hidden))


SIGNATURE = "n_inputs, n_hidden, n_outputs, hidden_activation, output_activation, dtype=torch.float64, *, seed=0"


class NoSuper(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.hidden = nn.Linear(n_inputs, n_hidden, dtype=dtype)
            self.output = nn.Linear(n_hidden, n_outputs, dtype=dtype)
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation


class HiddenSizesSwapped(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        nn.Module.__init__(self)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.hidden = nn.Linear(n_hidden, n_inputs, dtype=dtype)
            self.output = nn.Linear(n_hidden, n_outputs, dtype=dtype)
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation


class OutputSizedByInputs(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        nn.Module.__init__(self)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.hidden = nn.Linear(n_inputs, n_hidden, dtype=dtype)
            self.output = nn.Linear(n_hidden, n_inputs, dtype=dtype)
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation


class NotSeeded(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        nn.Module.__init__(self)
        self.hidden = nn.Linear(n_inputs, n_hidden, dtype=dtype)
        self.output = nn.Linear(n_hidden, n_outputs, dtype=dtype)
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation


class SeedIgnored(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        nn.Module.__init__(self)
        with torch.random.fork_rng():
            torch.manual_seed(0)
            self.hidden = nn.Linear(n_inputs, n_hidden, dtype=dtype)
            self.output = nn.Linear(n_hidden, n_outputs, dtype=dtype)
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation


class NotForked(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        nn.Module.__init__(self)
        torch.manual_seed(seed)
        self.hidden = nn.Linear(n_inputs, n_hidden, dtype=dtype)
        self.output = nn.Linear(n_hidden, n_outputs, dtype=dtype)
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation


class OutputFirst(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        nn.Module.__init__(self)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.output = nn.Linear(n_hidden, n_outputs, dtype=dtype)
            self.hidden = nn.Linear(n_inputs, n_hidden, dtype=dtype)
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation


class NoDtype(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        nn.Module.__init__(self)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.hidden = nn.Linear(n_inputs, n_hidden)
            self.output = nn.Linear(n_hidden, n_outputs)
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation


class FixedDtype(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        nn.Module.__init__(self)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.hidden = nn.Linear(n_inputs, n_hidden, dtype=torch.float64)
            self.output = nn.Linear(n_hidden, n_outputs, dtype=torch.float64)
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation


class NamesSwapped(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        Written.__init__(
            self,
            n_inputs,
            n_hidden,
            n_outputs,
            output_activation,
            hidden_activation,
            dtype,
            seed=seed,
        )


class FunctionsStored(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        Written.__init__(
            self,
            n_inputs,
            n_hidden,
            n_outputs,
            hidden_activation,
            output_activation,
            dtype,
            seed=seed,
        )
        self.hidden_activation = ACTIVATIONS[hidden_activation]
        self.output_activation = ACTIVATIONS[output_activation]


class Sequential(Written):
    def __init__(
        self,
        n_inputs,
        n_hidden,
        n_outputs,
        hidden_activation,
        output_activation,
        dtype=torch.float64,
        *,
        seed=0,
    ):
        nn.Module.__init__(self)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.layers = nn.Sequential(
                nn.Linear(n_inputs, n_hidden, dtype=dtype),
                nn.Linear(n_hidden, n_outputs, dtype=dtype),
            )
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation


class NoOutputActivation(Written):
    def forward(self, inputs):
        return self.output(
            ACTIVATIONS[self.hidden_activation](self.hidden(inputs))
        )


class NoHiddenActivation(Written):
    def forward(self, inputs):
        return ACTIVATIONS[self.output_activation](
            self.output(self.hidden(inputs))
        )


class NoActivations(Written):
    def forward(self, inputs):
        return self.output(self.hidden(inputs))


class ActivationsSwapped(Written):
    def forward(self, inputs):
        hidden = ACTIVATIONS[self.output_activation](self.hidden(inputs))
        return ACTIVATIONS[self.hidden_activation](self.output(hidden))


class HardCoded(Written):
    def forward(self, inputs):
        return torch.sigmoid(self.output(torch.relu(self.hidden(inputs))))


class AlwaysTanh(Written):
    def forward(self, inputs):
        hidden = torch.tanh(self.hidden(inputs))
        return ACTIVATIONS[self.output_activation](self.output(hidden))


class NoGrad(Written):
    def forward(self, inputs):
        with torch.no_grad():
            hidden = ACTIVATIONS[self.hidden_activation](self.hidden(inputs))
            return ACTIVATIONS[self.output_activation](self.output(hidden))


class HiddenOnly(Written):
    def forward(self, inputs):
        return ACTIVATIONS[self.hidden_activation](self.hidden(inputs))


class ReturnsArray(Written):
    def forward(self, inputs):
        return Written.forward(self, inputs).detach().numpy()


NETWORK_MISTAKES = [
    ("missing super().__init__()", NoSuper),
    ("layer sizes swapped", HiddenSizesSwapped),
    ("layer sizes wrong", OutputSizedByInputs),
    ("layers not seeded", NotSeeded),
    ("seed ignored", SeedIgnored),
    ("global generator changed", NotForked),
    ("layers made out of order", OutputFirst),
    ("dtype not passed", NoDtype),
    ("dtype ignored", FixedDtype),
    ("activation names swapped", NamesSwapped),
    ("activation names not stored", FunctionsStored),
    ("missing layer", Sequential),
    ("no output activation", NoOutputActivation),
    ("no hidden activation", NoHiddenActivation),
    ("no activations", NoActivations),
    ("activations swapped", ActivationsSwapped),
    ("activations hard-coded", HardCoded),
    ("wrong activations", AlwaysTanh),
    ("no autograd record", NoGrad),
    ("wrong shape", HiddenOnly),
    ("not a tensor", ReturnsArray),
]


@pytest.mark.parametrize(
    ("mistake", "planted"),
    NETWORK_MISTAKES,
    ids=[m for m, _ in NETWORK_MISTAKES],
)
def test_each_network_mistake_is_named_alone(mistake, planted):
    diagnosis = check.diagnose_torch_network(planted)
    assert diagnosis.mistakes == (mistake,)
    assert not diagnosis.stubs


def test_the_network_mistakes_are_distinct():
    assert len({m for m, _ in NETWORK_MISTAKES}) == len(NETWORK_MISTAKES)


@pytest.mark.parametrize("reference", [torch_mlp.TorchMLP, Written])
def test_the_course_network_passes_and_is_returned_itself(reference, capsys):
    assert check.diagnose_torch_network(reference) == check.Diagnosis()
    assert check.torch_network(reference) is reference
    printed = capsys.readouterr().out
    assert printed.startswith("TorchMLP passes: built as TorchMLP(2, 5, 2")
    assert printed.count("\n") == 1


def test_the_check_leaves_the_global_generator_alone():
    state = torch.random.get_rng_state()
    check.diagnose_torch_network(NotSeeded)
    check.diagnose_torch_network(NotForked)
    assert torch.equal(torch.random.get_rng_state(), state)


def stub_init(
    self,
    n_inputs,
    n_hidden,
    n_outputs,
    hidden_activation,
    output_activation,
    dtype=torch.float64,
    *,
    seed=0,
):
    """The workbook's stub of __init__."""
    raise NotImplementedError(stub_message("TorchMLP.__init__"))


def stub_forward(self, inputs):
    raise NotImplementedError(stub_message("TorchMLP.forward"))


def learner_class(**methods):
    """A learner's TorchMLP: Written's methods, some replaced."""
    return type("TorchMLP", (Written,), methods)


def same_as_course(network_class) -> bool:
    model = network_class(2, 5, 2, "relu", "sigmoid", seed=3)
    course = torch_mlp.TorchMLP(2, 5, 2, "relu", "sigmoid", seed=3)
    points = np.random.default_rng(0).normal(size=(4, 2))
    return np.array_equal(model.predict(points), course.predict(points))


@pytest.mark.parametrize(
    ("methods", "stubs"),
    [
        ({"__init__": stub_init}, ("TorchMLP.__init__",)),
        ({"forward": stub_forward}, ("TorchMLP.forward",)),
        (
            {"__init__": stub_init, "forward": stub_forward},
            ("TorchMLP.__init__", "TorchMLP.forward"),
        ),
    ],
)
def test_a_stubbed_method_is_reported_and_falls_back_alone(
    methods, stubs, capsys
):
    network_class = learner_class(**methods)
    diagnosis = check.diagnose_torch_network(network_class)
    assert diagnosis.stubs == stubs
    assert not diagnosis.findings
    returned = check.torch_network(network_class)
    printed = capsys.readouterr().out
    for stub in stubs:
        assert f"{stub} is still a stub: write it in the cell above" in printed
    assert issubclass(returned, network_class)
    for name in ("__init__", "forward"):
        falls_back = f"TorchMLP.{name}" in stubs
        assert (name in vars(returned)) == falls_back
    assert same_as_course(returned)
    assert "0x" not in printed


def test_a_failing_init_falls_back_and_keeps_the_learners_forward(capsys):
    returned = check.torch_network(NotSeeded)
    printed = capsys.readouterr().out
    assert "TorchMLP.__init__ does not pass yet" in printed
    assert "TorchMLP.forward passes" in printed
    assert "course's TorchMLP.__init__ with your TorchMLP.forward" in printed
    assert returned.forward is NotSeeded.forward
    assert vars(returned)["__init__"] is check.course_init
    assert same_as_course(returned)
    copy = returned.copy_of(scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0))
    assert isinstance(copy, NotSeeded)


def test_a_failing_forward_falls_back_and_keeps_the_learners_init(capsys):
    returned = check.torch_network(NoOutputActivation)
    printed = capsys.readouterr().out
    assert "TorchMLP.__init__ passes" in printed
    assert "- your forward returns the output layer's z" in printed
    assert vars(returned)["forward"] is torch_mlp.TorchMLP.forward
    assert "__init__" not in vars(returned)
    assert same_as_course(returned)


class InitRaises(Written):
    def __init__(self, *args, **kwargs):
        raise ValueError("no")


class ForwardReturnsNone(Written):
    def forward(self, inputs):
        return None


class ForwardRaises(Written):
    def forward(self, inputs):
        return inputs @ self.output.weight


class NotAModule:
    def __init__(self, *args, **kwargs):
        pass


@pytest.mark.parametrize(
    ("garbage", "mistake"),
    [
        (None, "not a module"),
        (42, "not a module"),
        (NotAModule, "not a module"),
        (InitRaises, "raised"),
        (ForwardReturnsNone, "not a tensor"),
        (ForwardRaises, "raised"),
    ],
)
def test_garbage_gives_a_finding_and_never_an_exception(
    garbage, mistake, capsys
):
    assert check.diagnose_torch_network(garbage).mistakes == (mistake,)
    returned = check.torch_network(garbage)
    assert same_as_course(returned)
    printed = capsys.readouterr().out
    assert "does not pass yet" in printed
    assert "0x" not in printed


# ---------------------------------------------------------------------------
# The training loop: the learner's, as the workbook's cell holds it
# ---------------------------------------------------------------------------


def given(
    model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
):
    """The set-up lines the workbook gives above the learner's part."""
    shape = (model.hidden.in_features, model.output.out_features)
    points, targets = check_training_args(
        points, targets, shape, learning_rate, epochs, batch_size
    )
    weight = model.hidden.weight
    inputs = torch.from_numpy(points).to(weight.device, weight.dtype)
    wanted = torch.from_numpy(targets).to(weight.device, weight.dtype)
    rng = np.random.default_rng(valid_seed(shuffle_seed, "shuffle_seed"))
    losses = np.empty(epochs)
    return points, inputs, wanted, rng, losses


def course_copy(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def zero_grad_forgotten(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def half_sum_loss(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = 0.5 * ((outputs - wanted[index]) ** 2).sum()
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def sum_reduction(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def step_before_backward(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            optimizer.step()
            loss.backward()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def fixed_order(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for start in range(0, len(points), batch_size):
            batch = inputs[start : start + batch_size]
            optimizer.zero_grad()
            outputs = model(batch)
            loss = loss_function(outputs, wanted[start : start + batch_size])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def fixed_rate(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def hidden_layer_only(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.hidden.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            model.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def unweighted(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        batch_losses = []
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        losses[epoch] = check_loss(np.mean(batch_losses), epoch, learning_rate)
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def last_batch_only(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
        losses[epoch] = check_loss(loss.item(), epoch, learning_rate)
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def not_divided(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(epoch_loss, epoch, learning_rate)
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def not_reset(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    epoch_loss = 0.0
    for epoch in range(epochs):
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


def hook_forgotten(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
    return losses


def hook_from_zero(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch)
    return losses


def hook_unguarded(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        on_epoch(epoch + 1)
    return losses


def hook_per_batch(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
            if on_epoch is not None:
                on_epoch(epoch + 1)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
    return losses


def returns_nothing(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            outputs = model(inputs[index])
            loss = loss_function(outputs, wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)


TRAINING_MISTAKES = [
    ("zero_grad forgotten", zero_grad_forgotten),
    ("half-sum loss", half_sum_loss),
    ("sum reduction", sum_reduction),
    ("step before backward", step_before_backward),
    ("batches in fixed order", fixed_order),
    ("wrong learning rate", fixed_rate),
    ("optimizer over the wrong parameters", hidden_layer_only),
    ("epoch loss not weighted", unweighted),
    ("epoch loss of the last batch only", last_batch_only),
    ("epoch loss not divided", not_divided),
    ("epoch loss not reset", not_reset),
    ("on_epoch not called", hook_forgotten),
    ("on_epoch counts from 0", hook_from_zero),
    ("on_epoch not optional", hook_unguarded),
    ("on_epoch called wrongly", hook_per_batch),
    ("returns nothing", returns_nothing),
]


@pytest.fixture(scope="module")
def nowhere(tmp_path_factory) -> Path:
    """A folder without chapter 1's workbook."""
    return tmp_path_factory.mktemp("nowhere")


@pytest.mark.parametrize(
    ("mistake", "planted"),
    TRAINING_MISTAKES,
    ids=[m for m, _ in TRAINING_MISTAKES],
)
def test_each_training_mistake_is_named_alone(mistake, planted, nowhere):
    diagnosis = check.diagnose_torch_training(planted, folder=nowhere)
    assert diagnosis.mistakes == (mistake,)
    assert not diagnosis.stubs
    assert not diagnosis.numpy_side_differs


def test_the_training_mistakes_are_distinct():
    assert len({m for m, _ in TRAINING_MISTAKES}) == len(TRAINING_MISTAKES)


def test_the_report_says_where_the_runs_part_and_how_large_the_half_sum_is(
    nowhere, capsys
):
    returned = check.torch_training(half_sum_loss, folder=nowhere)
    assert returned is torch_mlp.train
    printed = capsys.readouterr().out
    assert re.search(
        r"part at epoch 1: (hidden|output)\.(weights|bias) differs by \d\.\de-\d\d\.",
        printed,
    )
    assert "n·k/2 times the mean's, 5 times larger" in printed
    assert "nn.MSELoss() is the mean" in printed
    assert "0x" not in printed


def test_the_wrong_rate_is_measured(nowhere):
    (finding,) = check.diagnose_torch_training(
        fixed_rate, folder=nowhere
    ).findings
    assert "0.2 times the course's" in finding.message
    assert (
        "learning rate were 0.1 and not learning_rate = 0.5" in finding.message
    )


def test_two_mistakes_give_two_findings(nowhere):
    def both(*args, **kwargs):
        zero_grad_forgotten(*args, **kwargs)

    mistakes = check.diagnose_torch_training(both, folder=nowhere).mistakes
    assert set(mistakes) == {"zero_grad forgotten", "returns nothing"}


@pytest.mark.parametrize("reference", [torch_mlp.train, course_copy])
def test_the_course_loop_passes_and_is_returned_itself(
    reference, nowhere, capsys
):
    diagnosis = check.diagnose_torch_training(reference, folder=nowhere)
    assert diagnosis.findings == ()
    assert check.torch_training(reference, folder=nowhere) is reference
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "chapter 1's workbook is not here (scratch_mlp_workbook.ipynb), so your loop trains beside the course's NumPy network.",
        "train passes: trained beside the course's NumPy network (12 points of the linear dataset, batches of 5 (the last of 2), 3 epochs, learning rate 0.5), its parameters equal that network's to rounding (within 1e-9) after every epoch; it returns the same loss for each epoch, calls on_epoch after each one, and runs without one too.",
    ]


def test_the_variant_without_mistakes_is_the_course_loop():
    points, targets = data.make_linear(9, seed=4)[1:4:2]
    options = dict(learning_rate=0.3, epochs=2, batch_size=4, shuffle_seed=5)
    start = scratch.MLP(2, 3, 2, "tanh", "sigmoid", seed=2)
    course, variant = (torch_mlp.TorchMLP.copy_of(start) for _ in range(2))
    losses = torch_mlp.train(course, points, targets, **options)
    batches = check.variant_loop(check.COURSE_LOOP)(
        variant, points, targets, **options
    )
    for name, array in course.scratch_arrays().items():
        np.testing.assert_array_equal(array, variant.scratch_arrays()[name])
    weighted = [sum(v * n for v, n in epoch) / 9 for epoch in batches]
    np.testing.assert_allclose(weighted, losses, rtol=0, atol=1e-15)


def stub_train(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    # Write the rest yourself, from here on.
    raise NotImplementedError(stub_message("train"))


def test_a_stubbed_loop_is_reported_and_falls_back(nowhere, capsys):
    diagnosis = check.diagnose_torch_training(stub_train, folder=nowhere)
    assert diagnosis.stubs == ("train",)
    assert not diagnosis.findings
    assert check.torch_training(stub_train, folder=nowhere) is torch_mlp.train
    printed = capsys.readouterr().out
    assert "train is still a stub: write it in the cell above" in printed


def raises(*args, **kwargs):
    raise ValueError("not yet")


def returns_text(*args, **kwargs):
    course_copy(*args, **kwargs)
    return "done"


def returns_two(*args, **kwargs):
    return course_copy(*args, **kwargs)[:2]


def with_momentum(
    model,
    points,
    targets,
    *,
    learning_rate,
    epochs,
    batch_size,
    shuffle_seed,
    on_epoch=None,
):
    points, inputs, wanted, rng, losses = given(
        model, points, targets, learning_rate, epochs, batch_size, shuffle_seed
    )
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(
        model.parameters(), lr=learning_rate, momentum=0.9
    )
    for epoch in range(epochs):
        epoch_loss = 0.0
        for batch in epoch_batches(len(points), batch_size, rng):
            index = torch.from_numpy(batch)
            optimizer.zero_grad()
            loss = loss_function(model(inputs[index]), wanted[index])
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(batch)
        losses[epoch] = check_loss(
            epoch_loss / len(points), epoch, learning_rate
        )
        if on_epoch is not None:
            on_epoch(epoch + 1)
    return losses


@pytest.mark.parametrize(
    ("garbage", "mistakes"),
    [
        (None, ("not a function",)),
        ("train", ("not a function",)),
        (raises, ("raised",)),
        (returns_text, ("returns something else",)),
        (returns_two, ("returns something else",)),
        (with_momentum, ("parts from the course's loop",)),
    ],
)
def test_training_garbage_gives_a_finding_and_never_an_exception(
    garbage, mistakes, nowhere, capsys
):
    assert (
        check.diagnose_torch_training(garbage, folder=nowhere).mistakes
        == mistakes
    )
    assert check.torch_training(garbage, folder=nowhere) is torch_mlp.train
    printed = capsys.readouterr().out
    assert "train does not pass yet" in printed
    assert "0x" not in printed


# -- Chapter 1's workbook, beside it ------------------------------------------

SETUP = "from __future__ import annotations\nimport numpy as np\nfrom mlpcourse.scratch import MLP, train"

SLOPE_DROPPED = '''\
class MLP(MLP):
    def backward(self, grad_outputs: Array) -> None:
        """The output slope forgotten; Array is a hint, never evaluated."""
        grad_hidden_a = self.output.backward(grad_outputs)
        hidden_slope = self.hidden_activation.derivative(self.hidden_a)
        self.hidden.backward(grad_hidden_a * hidden_slope)
'''


def chapter1_workbook(folder: Path, *cells: tuple[str | None, str]) -> Path:
    """A chapter-1 workbook in ``folder`` with ``(role, source)`` cells."""
    notebook = nbformat.v4.new_notebook()
    for role, source in cells:
        cell = nbformat.v4.new_code_cell(source)
        if role is not None:
            cell.metadata["workbook"] = role
        notebook.cells.append(cell)
    path = folder / "scratch_mlp_workbook.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_right_chapter1_workbook_is_trained_beside(tmp_path, capsys):
    chapter1_workbook(
        tmp_path,
        (None, "raise RuntimeError('not a workbook cell: never run')"),
        ("setup", SETUP),
        ("check", "print('the checks print; the check hides it')"),
    )
    diagnosis = check.diagnose_torch_training(torch_mlp.train, folder=tmp_path)
    assert diagnosis == check.Diagnosis(beside="your")
    check.torch_training(torch_mlp.train, folder=tmp_path)
    printed = capsys.readouterr().out
    assert printed.startswith(
        "train passes: trained beside your NumPy network"
    )


def test_a_wrong_numpy_network_is_blamed_not_the_loop(tmp_path, capsys):
    chapter1_workbook(tmp_path, ("setup", SETUP), ("piece", SLOPE_DROPPED))
    diagnosis = check.diagnose_torch_training(course_copy, folder=tmp_path)
    assert diagnosis.findings == ()
    assert diagnosis.numpy_side_differs
    assert check.torch_training(course_copy, folder=tmp_path) is course_copy
    printed = capsys.readouterr().out
    assert "your loop and your NumPy network part at epoch 1:" in printed
    assert (
        "the difference comes from your NumPy network (chapter 1's workbook), not from this loop"
        in printed
    )
    assert (
        "train passes: it trains exactly as the course's PyTorch loop"
        in printed
    )


def test_a_wrong_loop_beside_a_wrong_numpy_network_is_blamed_for_its_own(
    tmp_path,
):
    chapter1_workbook(tmp_path, ("setup", SETUP), ("piece", SLOPE_DROPPED))
    diagnosis = check.diagnose_torch_training(
        zero_grad_forgotten, folder=tmp_path
    )
    assert diagnosis.mistakes == ("zero_grad forgotten",)
    assert diagnosis.numpy_side_differs
    assert (
        "part of the difference comes from the NumPy network"
        in diagnosis.notes[-1]
    )


def test_a_missing_chapter1_workbook_falls_back_with_one_line(nowhere):
    diagnosis = check.diagnose_torch_training(torch_mlp.train, folder=nowhere)
    assert diagnosis.notes == (
        "chapter 1's workbook is not here (scratch_mlp_workbook.ipynb), so your loop trains beside the course's NumPy network.",
    )
    assert diagnosis.beside == "the course's"


def test_the_current_folder_is_where_chapter1_is_looked_for(
    tmp_path, monkeypatch
):
    chapter1_workbook(tmp_path, ("setup", SETUP), ("piece", SLOPE_DROPPED))
    monkeypatch.chdir(tmp_path)
    assert check.diagnose_torch_training(torch_mlp.train).numpy_side_differs


@pytest.mark.parametrize(
    ("cells", "why"),
    [
        (
            [("setup", SETUP), ("piece", "1 / 0")],
            "stopped with ZeroDivisionError when its cells ran here",
        ),
        (
            [("setup", SETUP), ("piece", "exit()")],
            "stopped with SystemExit when its cells ran here",
        ),
        ([("setup", "import numpy as np")], "defines no MLP and train"),
        (
            [
                ("setup", SETUP),
                (
                    "piece",
                    "def train(*args, **kwargs):\n    raise ValueError('no')",
                ),
            ],
            "your NumPy network from chapter 1's workbook raised ValueError when trained here",
        ),
    ],
)
def test_a_chapter1_workbook_that_does_not_run_falls_back(
    tmp_path, cells, why
):
    chapter1_workbook(tmp_path, *cells)
    diagnosis = check.diagnose_torch_training(torch_mlp.train, folder=tmp_path)
    assert diagnosis.findings == ()
    assert why in diagnosis.notes[0]
    assert diagnosis.notes[0].endswith(
        "so your loop trains beside the course's NumPy network."
    )
    assert diagnosis.beside == "the course's"


def test_an_unreadable_chapter1_workbook_falls_back(tmp_path):
    (tmp_path / "scratch_mlp_workbook.ipynb").write_text("not a notebook")
    diagnosis = check.diagnose_torch_training(torch_mlp.train, folder=tmp_path)
    assert diagnosis.notes[0].startswith(
        "chapter 1's workbook (scratch_mlp_workbook.ipynb) could not be read"
    )
