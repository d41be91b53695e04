"""The step benchmark: its file, its figures, its device, its arithmetic.

Timings themselves are not tested (they belong to `make bench`); what is
tested is that the code measures what it says, the committed file follows
its schema, and chapter 2's figures and sentences show exactly that file.
"""

import copy
import re
import sys
from pathlib import Path

import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from mlpcourse import plots, settings, stepbench, torch_mlp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(scope="module")
def committed():
    return stepbench.load()


def test_the_committed_file_follows_the_schema(committed):
    devices = [run["device"] for run in committed["runs"]]
    assert devices.count("cpu") == 1
    for run in committed["runs"]:
        for entry in run["series"]:
            sizes = {(p["width"], p["batch"]) for p in entry["points"]}
            assert sizes == {
                (w, b) for w in stepbench.WIDTHS for b in stepbench.BATCHES
            }, f"{run['device']} {entry['library']} {entry['dtype']}"


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: d.update(schema=0), "schema must be 1"),
        (lambda d: d["runs"][0]["machine"].pop("cpu"), "machine"),
        (lambda d: d["runs"][0].pop("boundary"), "boundary timings"),
        (
            lambda d: d["runs"][0]["series"][0]["points"][0].update(q1_s=1.0),
            "quartiles out of order",
        ),
        (
            lambda d: d["runs"][0]["series"][0]["points"][0].update(flops=1),
            "flops disagree",
        ),
        (
            lambda d: d["runs"].append(dict(d["runs"][0], device="tpu")),
            "'tpu' is unknown",
        ),
    ],
)
def test_the_schema_check_names_what_is_wrong(committed, damage, message):
    document = copy.deepcopy(committed)
    damage(document)
    with pytest.raises(ValueError, match=message):
        stepbench.check_schema(document)


def test_step_flops_counts_the_products_of_one_step():
    # Forward X(4x2)W1(2x3), A1(4x3)W2(3x1); backward dW2, dA1, dW1.
    products = [(4, 2, 3), (4, 3, 1), (3, 4, 1), (4, 1, 3), (2, 4, 3)]
    assert stepbench.step_flops(4, 3) == sum(
        2 * n * k * m for n, k, m in products
    )


def test_a_tiny_sweep_runs_and_saves_beside_other_devices(tmp_path, committed):
    import bench_step

    run = stepbench.run(
        torch.device("cpu"), widths=(4, 8), batches=(10, 20), budget_s=0.0
    )
    run["boundary"] = bench_step.time_boundary()
    path = tmp_path / "step.json"
    gpu = [r for r in committed["runs"] if r["device"] == "cuda"]
    stepbench.save(gpu, path)  # a GPU run measured elsewhere ...
    stepbench.save([run], path)  # ... survives a CPU sweep
    document = stepbench.load(path)
    assert [r["device"] for r in document["runs"]] == ["cpu"] + (
        ["cuda"] if gpu else []
    )
    numpy_points = stepbench.series(document, "cpu", "numpy", "float64")
    assert [(p["width"], p["batch"]) for p in numpy_points] == [
        (4, 10),
        (8, 10),
        (4, 20),
        (8, 20),
    ]
    assert all(p["runs"] >= 7 for p in numpy_points)


def test_timing_waits_for_the_device_before_each_reading():
    events = []
    times = stepbench.time_calls(
        lambda: events.append("call"),
        synchronise=lambda: events.append("sync"),
        block=3,
        warmup=2,
        repeats=4,
        budget_s=0.0,
    )
    assert len(times) == 4
    assert events == ["call"] * 2 + ["sync"] + (["call"] * 3 + ["sync"]) * 4


def synthetic(numpy_ms, torch_ms, widths=(4, 16, 64, 256)):
    def points(times):
        return [
            {
                "width": w,
                "batch": 10,
                "median_s": t / 1e3,
                "q1_s": t / 1e3,
                "q3_s": t / 1e3,
                "runs": 7,
                "flops": stepbench.step_flops(10, w),
            }
            for w, t in zip(widths, times, strict=True)
        ]

    return {
        "runs": [
            {
                "device": "cpu",
                "series": [
                    {
                        "library": "numpy",
                        "dtype": "float64",
                        "points": points(numpy_ms),
                    },
                    {
                        "library": "torch",
                        "dtype": "float64",
                        "points": points(torch_ms),
                    },
                ],
            }
        ]
    }


@pytest.mark.parametrize(
    "numpy_ms, torch_ms, expected",
    [
        ([1, 2, 4, 8], [5, 5, 3, 3], 64),  # faster from 64 on
        ([1, 2, 4, 8], [5, 1, 5, 3], 256),  # faster at 16, but not for good
        ([1, 2, 4, 8], [5, 5, 3, 9], None),  # slower at the widest
        ([1, 2, 4, 8], [5, 5, 3, 7.5], None),  # faster, but by under 10%
    ],
)
def test_crossover_is_where_pytorch_wins_clearly_for_good(
    numpy_ms, torch_ms, expected
):
    document = synthetic(numpy_ms, torch_ms)
    assert stepbench.crossover(document, 10, "cpu", "float64") == expected


@pytest.mark.parametrize(
    "batch", [min(stepbench.BATCHES), max(stepbench.BATCHES)]
)
def test_time_figure_draws_the_file(committed, batch):
    ax = plots.plot_step_times(committed, batch=batch)
    drawn = {line.get_label(): line for line in ax.get_lines()}
    stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
    for key, (*_, label) in plots.STEP_SERIES.items():
        points = stepbench.series(committed, *key)
        if points is None:
            assert label not in drawn
            continue
        widths, seconds = stepbench.at_batch(points, batch)
        np.testing.assert_array_equal(drawn[label].get_xdata(), widths)
        np.testing.assert_allclose(
            drawn[label].get_ydata(), np.array(seconds) * 1e3
        )
        chosen = sorted(
            (p for p in points if p["batch"] == batch),
            key=lambda p: p["width"],
        )
        band = [
            c
            for c in ax.collections
            if tuple(c.get_facecolor()[0][:3])
            == matplotlib.colors.to_rgb(plots.STEP_SERIES[key][0])
        ]
        assert len(band) == 1, label
        corners = band[0].get_paths()[0].vertices
        np.testing.assert_allclose(
            corners[:, 1].min(), min(p["q1_s"] for p in chosen) * 1e3
        )
        np.testing.assert_allclose(
            corners[:, 1].max(), max(p["q3_s"] for p in chosen) * 1e3
        )
    expected = [
        stepbench.crossover(committed, batch, device, dtype)
        for device, library, dtype in plots.STEP_SERIES
        if library == "torch"
        and stepbench.series(committed, device, library, dtype) is not None
    ]
    assert sorted(s.get_xdata()[0] for s in stars) == sorted(
        w for w in expected if w is not None
    )


def test_throughput_figure_draws_the_file_and_the_peaks(committed):
    batch = max(stepbench.BATCHES)
    ax = plots.plot_step_throughput(committed, batch=batch)
    drawn = {line.get_label(): line for line in ax.get_lines()}
    for key, (*_, label) in plots.STEP_SERIES.items():
        points = stepbench.series(committed, *key)
        if points is not None:
            chosen = sorted(
                (p for p in points if p["batch"] == batch),
                key=lambda p: p["width"],
            )
            np.testing.assert_allclose(
                drawn[label].get_ydata(),
                [p["flops"] / p["median_s"] / 1e9 for p in chosen],
            )
    peaks = sorted(
        line.get_ydata()[0]
        for line in ax.get_lines()
        if line.get_label().startswith("_")
    )
    assert peaks == sorted(
        run["matmul_peak_gflops"]["float64"] for run in committed["runs"]
    )


def test_without_a_gpu_run_the_page_says_so(committed):
    cpu_only = copy.deepcopy(committed)
    cpu_only["runs"] = [r for r in cpu_only["runs"] if r["device"] == "cpu"]
    facts = stepbench.facts(cpu_only)
    assert facts["gpu_sentence"].startswith("No GPU series was measured")
    ax = plots.plot_step_times(cpu_only, batch=10)
    labels = [line.get_label() for line in ax.get_lines()]
    assert not [label for label in labels if "GPU" in label]
    plt.close("all")


def test_facts_quote_the_file(committed):
    facts = stepbench.facts(committed)
    numpy_points = stepbench.series(committed, "cpu", "numpy", "float64")
    course = stepbench.at_batch(numpy_points, 10)[1][0]
    assert facts["course_numpy_us"] == f"{course * 1e6:.0f}"
    has_gpu = any(r["device"] == "cuda" for r in committed["runs"])
    assert ("H200" in facts["gpu_sentence"]) == has_gpu


@pytest.mark.parametrize("chapter", ["scratch_mlp", "pytorch_mlp"])
def test_every_glued_name_is_a_fact(committed, chapter):
    page = (ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\{glue:text\}`(\w+)`", page))
    known = set(settings.facts()) | set(stepbench.facts(committed))
    # What a chapter measures on its own runs (the films, the grid's size),
    # glued by its own cells: glue_prose({"name": ...}).
    own = set()
    for glued in re.findall(r"glue_prose\(\s*\{(.*?)\}\s*\)", page, re.S):
        own |= set(re.findall(r'^\s*"(\w+)":', glued, re.M))
    own.add("grid")  # chapter 1: glue_prose(settings.facts() | {"grid": ...})
    assert used and used <= known | own, used - known - own
    if chapter == "scratch_mlp":  # chapter 1 quotes no benchmark
        assert used <= set(settings.facts()) | own


def test_the_package_picks_its_device_in_one_place(monkeypatch):
    """torch_mlp.DEVICE decides; nothing else in the package names one."""
    monkeypatch.setattr(torch_mlp, "DEVICE", torch.device("meta"))
    model = torch_mlp.TorchMLP(2, 3, 1, "tanh", "tanh")
    assert {p.device.type for p in model.parameters()} == {"meta"}
    chosen = []
    for module in ROOT.joinpath("book", "mlpcourse").glob("*.py"):
        if module.name == "stepbench.py":  # the benchmark times each device
            continue
        source = module.read_text(encoding="utf-8")
        chosen += [
            (module.name, m)
            for m in re.findall(
                r"torch\.device\([^)]*\)|device=\w+|\.cuda\(|\.to\(['\"]\w+",
                source,
            )
        ]
    assert chosen == [
        ("torch_mlp.py", 'torch.device("cpu")'),
        ("torch_mlp.py", "device=DEVICE"),
        ("torch_mlp.py", "device=DEVICE"),
    ]


@pytest.mark.parametrize(
    "ratio, words",
    [
        (0.5, "PyTorch is 2.0 times as fast"),
        (1.05, "a tie within 10%"),
        (1.66, "NumPy is 1.7 times as fast"),
    ],
)
def test_the_largest_size_verdict_follows_the_ratio(ratio, words):
    assert stepbench._verdict(ratio) == words
