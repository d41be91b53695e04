"""The two experiments and the settings the prose quotes (mlpcourse.settings)."""

import dataclasses

import numpy as np
import pytest

from mlpcourse import data, scratch, settings


def test_an_experiment_builds_its_data_model_and_options():
    circle = settings.CIRCLE
    dataset = circle.make_dataset()
    np.testing.assert_array_equal(
        dataset.points, data.make_circle(1000, seed=0).points
    )
    model = circle.make_scratch_model()
    assert repr(model) == "MLP(2 -> 4 tanh -> 1 tanh)"
    np.testing.assert_array_equal(
        model.hidden.weights,
        scratch.MLP(2, 4, 1, "tanh", "tanh", seed=1).hidden.weights,
    )
    assert circle.training_options() == {
        "learning_rate": 0.05,
        "epochs": 500,
        "batch_size": 10,
        "shuffle_seed": 2,
    }
    assert circle.label == "2-4-1 MLP, tanh then tanh"
    assert str(circle).splitlines() == [
        "circle dataset: 1000 points, seed 0",
        "network: 2 -> 4 tanh -> 1 tanh, initial weights seed 1",
        "training: learning rate 0.05, 500 epochs, minibatches of 10, "
        "order seed 2",
    ]


def test_the_prose_quotes_the_settings():
    facts = settings.facts()
    assert facts["circle_steps_per_epoch"] == "100"
    assert facts["circle_steps"] == "50,000"
    assert facts["circle_batches"] == "minibatches of 10 points"
    assert facts["linear_batches"] == "the whole dataset as one batch"
    assert facts["linear_steps"] == "500"
    assert facts["circle_points"] == "1,000"
    assert facts["linear_entries"] == "200"
    assert facts["linear_half_sum_factor"] == "100"
    assert facts["circle_half_sum_factor"] == "5"
    assert facts["linear_hidden_activation"] == "ReLU"
    assert facts["linear_output_activation"] == "a sigmoid"
    assert facts["circle_rate"] == "0.05" and facts["linear_rate"] == "1"


# Experiments whose values make each formula in facts() show: 1000 points in
# batches of 30 is 34 steps per epoch (ceil, not floor); a batch as large as
# the dataset, or larger, is the whole dataset.
MINIBATCH = dataclasses.replace(
    settings.LINEAR,
    n_points=1000,
    n_inputs=2,
    n_hidden=12,
    n_outputs=3,
    hidden_activation="identity",
    output_activation="tanh",
    learning_rate=0.25,
    epochs=1500,
    batch_size=30,
    init_seed=7,
)
WHOLE = dataclasses.replace(
    settings.CIRCLE,
    n_points=45,
    n_hidden=3,
    n_outputs=1,
    hidden_activation="sigmoid",
    output_activation="relu",
    learning_rate=2.0,
    epochs=40,
    batch_size=45,
    init_seed=11,
)


@pytest.fixture
def quoted(monkeypatch) -> dict[str, str]:
    """settings.facts() on MINIBATCH (as linear) and WHOLE (as circle)."""
    monkeypatch.setattr(settings, "LINEAR", MINIBATCH)
    monkeypatch.setattr(settings, "CIRCLE", WHOLE)
    return settings.facts()


def test_facts_quote_a_minibatch_experiment(quoted):
    linear = {k: v for k, v in quoted.items() if k.startswith("linear_")}
    assert linear == {
        "linear_points": "1,000",
        "linear_inputs": "2",
        "linear_hidden": "12",
        "linear_outputs": "3",
        "linear_shape": "2-12-3",
        "linear_hidden_activation": "no activation",
        "linear_output_activation": "tanh",
        "linear_rate": "0.25",
        "linear_epochs": "1,500",
        "linear_batches": "minibatches of 30 points",
        "linear_batch": "30",
        "linear_init_seed": "7",
        "linear_entries": "3,000",  # 1000 points x 3 outputs
        "linear_steps_per_epoch": "34",  # ceil(1000 / 30)
        "linear_steps": "51,000",  # 34 x 1500 epochs
        "linear_half_sum_factor": "45",  # 30 x 3 / 2
    }


def test_facts_quote_a_batch_of_the_whole_dataset(quoted):
    circle = {k: v for k, v in quoted.items() if k.startswith("circle_")}
    assert circle == {
        "circle_points": "45",
        "circle_inputs": "2",
        "circle_hidden": "3",
        "circle_outputs": "1",
        "circle_shape": "2-3-1",
        "circle_hidden_activation": "a sigmoid",
        "circle_output_activation": "ReLU",
        "circle_rate": "2",
        "circle_epochs": "40",
        "circle_batches": "the whole dataset as one batch",  # 45 of 45
        "circle_batch": "45",
        "circle_init_seed": "11",
        "circle_entries": "45",
        "circle_steps_per_epoch": "1",
        "circle_steps": "40",
        "circle_half_sum_factor": "22.5",  # 45 x 1 / 2
    }
    assert len(quoted) == 32  # the two prefixes, nothing else


def test_a_batch_larger_than_the_dataset_counts_the_dataset(monkeypatch):
    """The half-sum factor uses the rows a step sees: at most n_points."""
    larger = dataclasses.replace(WHOLE, n_points=40, batch_size=64, epochs=3)
    monkeypatch.setattr(settings, "CIRCLE", larger)
    facts = settings.facts()
    assert facts["circle_batches"] == "the whole dataset as one batch"
    assert facts["circle_half_sum_factor"] == "20"  # 40 x 1 / 2, not 64
    assert facts["circle_steps_per_epoch"] == "1"
    assert facts["circle_steps"] == "3"


def test_the_course_batches_and_outputs_give_the_quoted_factor():
    """Chapter 2: "batches of {batch} points and {outputs} outputs", n k / 2."""
    facts = settings.facts()
    for prefix in ("linear", "circle"):
        batch = int(facts[f"{prefix}_batch"])
        outputs = int(facts[f"{prefix}_outputs"])
        assert float(facts[f"{prefix}_half_sum_factor"]) == batch * outputs / 2


@pytest.mark.parametrize("experiment", [settings.LINEAR, settings.CIRCLE])
def test_each_network_fits_its_dataset(experiment):
    dataset = experiment.make_dataset()
    assert dataset.points.shape == (experiment.n_points, experiment.n_inputs)
    assert dataset.targets.shape == (experiment.n_points, experiment.n_outputs)


def test_the_linear_run_starts_as_recorded():
    """Its data, initial weights and rate decide the first epochs' losses."""
    experiment = dataclasses.replace(settings.LINEAR, epochs=3)
    dataset = experiment.make_dataset()
    losses = scratch.train(
        experiment.make_scratch_model(),
        dataset.points,
        dataset.targets,
        **experiment.training_options(),
    )
    np.testing.assert_allclose(
        losses,
        [0.2380182167742546, 0.2280347782977983, 0.2205708068004435],
        rtol=1e-9,
    )


def test_an_experiment_cannot_be_changed_in_place():
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.CIRCLE.epochs = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "name, make", [("linear", data.make_linear), ("circle", data.make_circle)]
)
def test_make_dataset_draws_the_named_dataset_with_its_seed(name, make):
    experiment = dataclasses.replace(
        settings.CIRCLE, dataset=name, n_points=30, data_seed=3
    )
    dataset = experiment.make_dataset()
    expected = make(30, seed=3)
    assert dataset.name == expected.name
    np.testing.assert_array_equal(dataset.points, expected.points)
    np.testing.assert_array_equal(dataset.targets, expected.targets)


def test_an_experiment_describes_its_own_values():
    experiment = dataclasses.replace(MINIBATCH, data_seed=4, shuffle_seed=9)
    model = experiment.make_scratch_model()
    assert repr(model) == "MLP(2 -> 12 identity -> 3 tanh)"
    expected = scratch.MLP(2, 12, 3, "identity", "tanh", seed=7)
    for name, values in model.parameters().items():
        np.testing.assert_array_equal(values, expected.parameters()[name])
    assert experiment.label == "2-12-3 MLP, identity then tanh"
    assert experiment.training_options() == {
        "learning_rate": 0.25,
        "epochs": 1500,
        "batch_size": 30,
        "shuffle_seed": 9,
    }
    assert str(experiment).splitlines() == [
        "linear dataset: 1000 points, seed 4",
        "network: 2 -> 12 identity -> 3 tanh, initial weights seed 7",
        "training: learning rate 0.25, 1500 epochs, minibatches of 30, "
        "order seed 9",
    ]
