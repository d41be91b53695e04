"""The step benchmark: its file, its figures, its device, its arithmetic.

Timings themselves are not tested (they belong to `make bench`); what is
tested is that the code measures what it says, the committed file follows
its schema, and chapter 2's figures and sentences show exactly that file.
"""

import copy
import datetime
import inspect
import json
import platform
import re
import sys
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from paths import CHAPTERS, ROOT

from mlpcourse import plots, scratch, settings, stepbench, torch_mlp

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
        (lambda d: d.update(schema=1), "schema must be 2"),
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
    flops = stepbench.step_flops(4, 3)
    assert flops == sum(2 * n * k * m for n, k, m in products)
    assert isinstance(flops, int)  # a count, saved as 168, not 168.0


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


@pytest.mark.parametrize("chapter", CHAPTERS)
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
    if chapter != "going_further":  # the chapters quote no benchmark
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
        (0.95, "a tie within 10%"),
        (1.66, "NumPy is 1.7 times as fast"),
        # Exactly 10% either way is no longer a tie.
        (1 / stepbench.CLEAR_MARGIN, "PyTorch is 1.1 times as fast"),
        (stepbench.CLEAR_MARGIN, "NumPy is 1.1 times as fast"),
    ],
)
def test_the_largest_size_verdict_follows_the_ratio(ratio, words):
    assert stepbench._verdict(ratio) == words


# A complete benchmark file, made up so that every number chapter 2 quotes
# comes from one chosen point: the course's size (batch 10, width 4), the
# largest (batch 4000, width 4096), crossovers at some batches and not others.
WINS_CPU = {
    ("numpy", "float64"): (1e-3, {(10, 4): 20e-6, (4000, 4096): 0.016}),
    ("torch", "float64"): (
        2e-3,
        {
            (10, 4): 60e-6,  # 3 times NumPy's time at the course's size
            (4000, 4096): 0.04,  # 2.5 times NumPy's at the largest
            (1000, 64): 0.5e-3,  # faster at 64, slower at 256, then faster
            (1000, 1024): 0.5e-3,
            (1000, 4096): 0.5e-3,
        },
    ),
    ("torch", "float32"): (
        2e-3,
        {(100, w): 0.5e-3 for w in stepbench.WIDTHS}  # faster everywhere
        | {(4000, 4096): 0.01},  # faster only at the widest
    ),
}
WINS_GPU = {
    ("torch", "float32"): (
        5e-3,
        {(1000, w): 0.6e-3 for w in (64, 256, 1024, 4096)}
        | {(4000, w): 0.5e-3 for w in (16, 64, 256, 1024)}
        | {(4000, 4096): 0.01},
    ),
    ("torch", "float64"): (5e-3, {(10, 16): 12.5e-3}),
}


def grid(default: float, special: dict) -> list[dict]:
    """Points over the whole grid: ``default`` seconds, ``special`` apart."""
    return [
        {
            "width": w,
            "batch": b,
            "median_s": t,
            "q1_s": t * 0.9,
            "q3_s": t * 1.2,
            "runs": 7,
            "flops": stepbench.step_flops(b, w),
        }
        for b in stepbench.BATCHES
        for w in stepbench.WIDTHS
        for t in [special.get((b, w), default)]
    ]


def timing(seconds: float) -> dict:
    return {
        "median_s": seconds,
        "q1_s": seconds * 0.9,
        "q3_s": seconds * 1.2,
        "runs": 7,
    }


# The widest step, part by part: 200 ms in all, tanh 2 additions' time.
OPERATIONS = [
    ("forward products", "X W1 + b1", 0.03),
    ("activations", "tanh, hidden layer", 0.04),
    ("forward products", "A1 W2 + b2", 0.0096),
    ("activations", "tanh, output layer", 0.0001),
    ("loss gradient", "2 (Y - T) / n", 0.0001),
    ("activation derivatives", "output layer", 0.0001),
    ("backward products", "output layer", 0.03),
    ("activation derivatives", "hidden layer", 0.04),
    ("backward products", "hidden layer", 0.05),
    ("update", "zero_grad and step", 0.0001),
]
BREAKDOWN = {
    "batch": 4000,
    "width": 4096,
    "operations": [
        {"part": part, "operation": operation} | timing(seconds)
        for part, operation, seconds in OPERATIONS
    ],
    "step": timing(0.15),
    "addition": timing(0.02),
}


def benchmark(cpu_series=WINS_CPU, gpu_series=WINS_GPU) -> dict:
    """A file that passes the schema; no GPU run where gpu_series is None."""

    def entries(times):
        return [
            {"library": library, "dtype": dtype, "points": grid(*times[key])}
            for key in times
            for library, dtype in [key]
        ]

    cpu = {
        "device": "cpu",
        "measured": "2026-01-05",
        "steps_per_timing": 1,
        "machine": {
            "cpu": "Test CPU 9000",
            "cores": 8,
            "numpy": "2.0.1",
            "torch": "2.4.0",
            "numpy_blas": "openblas 0.3.27",
        },
        "matmul_peak_gflops": {"float64": 32.0, "float32": 64.0},
        "boundary": {
            "grid_points": 10000,
            "batched_s": 0.0004,
            "looped_s": 0.084,
        },
        "breakdown": copy.deepcopy(BREAKDOWN),
        "series": entries(cpu_series),
    }
    runs = [cpu]
    if gpu_series is not None:
        runs.append(
            {
                "device": "cuda",
                "measured": "2026-01-02",
                "steps_per_timing": 20,
                "machine": {
                    "cpu": "Host CPU",
                    "cores": 16,
                    "numpy": "2.0.1",
                    "torch": "2.4.0+cu121",
                    "numpy_blas": "openblas 0.3.27",
                    "gpu": "NVIDIA L4",
                    "cuda": "12.1",
                },
                "matmul_peak_gflops": {"float64": 500.0, "float32": 9000.0},
                "series": entries(gpu_series),
            }
        )
    return {"schema": stepbench.SCHEMA, "step": "one step", "runs": runs}


def test_the_made_up_file_follows_the_schema():
    stepbench.check_schema(benchmark())
    stepbench.check_schema(benchmark(gpu_series=None))


def test_facts_quote_every_number_of_the_file():
    assert stepbench.facts(benchmark()) == {
        "bench_cpu": "Test CPU 9000, 8 cores",
        "bench_cpu_date": "2026-01-05",
        "bench_cpu_libraries": "NumPy 2.0.1 with openblas 0.3.27, "
        "PyTorch 2.4.0",
        "course_numpy_us": "20",  # 20 µs
        "course_torch_us": "60",
        "course_ratio": "3.0",  # PyTorch's time over NumPy's, not 0.3
        "largest_numpy_ms": "16",
        "largest_torch_ms": "40",
        "largest_size": "4096 hidden units and batches of 4000",
        "largest_verdict": "NumPy is 2.5 times as fast",
        # 229,376,000 flops in 16 ms: 14.3 GFLOP/s, 44.8% of 32.
        "numpy_gflops": "14.3",
        "cpu_peak_gflops": "32",
        "peak_percent": "44.8",
        "small_batch": "10",
        "large_batch": "4000",
        "cpu_crossover_sentence": "On this processor PyTorch's CPU step "
        "clearly beats NumPy's (by 10% or more) only in float32 from width "
        "4 at batches of 100; float64 from width 1024 at batches of 1000; "
        "float32 from width 4096 at batches of 4000.",
        "gpu_sentence": "The GPU lines come from an NVIDIA L4 (CUDA 12.1, "
        "PyTorch 2.4.0+cu121), measured on 2026-01-02 on another machine; "
        "a GPU step is timed as the mean of 20 steps run back to back, "
        "with the GPU's queue drained before the clock starts and before "
        "it is read.",
        "gpu_crossover_sentence": "The GPU takes between 0.5 and 12.5 ms "
        "for every step in the sweep, tiny or large: that is the cost of "
        "launching its kernels one by one from Python, and it dwarfs the "
        "arithmetic. It overtakes NumPy (in float32, by 10% or more) from "
        "width 64 at batches of 1000, and from width 16 at batches of "
        "4000, and never at batches of 10, 100.",
        "boundary_points": "10,000",
        "boundary_batched_ms": "0.4",
        "boundary_looped_ms": "84",
        "boundary_ratio": "210",
        "breakdown_size": "4000 × 4096",
        "breakdown_numbers": "16,384,000",
        "tanh_sentence": "The hidden layer's tanh takes 2.0 times as "
        "long as the addition: its arithmetic counts, but does not dominate.",
        "bound_sentence": "The other 80% of the step is products and "
        "element-wise arithmetic, each doing a few operations for every "
        "number it reads or writes. So a wide step of this network is "
        "bound by memory more than by arithmetic.",
    }


def test_facts_say_when_pytorch_never_wins():
    slow_cpu = {  # PyTorch takes 50 ms everywhere
        key: (0.05, {}) if key[0] == "torch" else times
        for key, times in WINS_CPU.items()
    }
    slow_gpu = {key: (0.05, {}) for key in WINS_GPU}
    facts = stepbench.facts(benchmark(slow_cpu, slow_gpu))
    assert facts["cpu_crossover_sentence"] == (
        "On this processor PyTorch's CPU step never clearly beats NumPy's: "
        "at every batch size, NumPy is faster or within 10% at the widest "
        "layers."
    )
    assert facts["gpu_crossover_sentence"] == (
        "The GPU takes between 50.0 and 50.0 ms for every step in the sweep, "
        "tiny or large: that is the cost of launching its kernels one by "
        "one from Python, and it dwarfs the arithmetic. It never clearly "
        "overtakes NumPy in this sweep."
    )
    assert facts["largest_verdict"] == "NumPy is 3.1 times as fast"  # 50/16


def test_facts_without_a_gpu_run_show_no_gpu_numbers():
    facts = stepbench.facts(benchmark(gpu_series=None))
    assert facts["gpu_sentence"] == (
        "No GPU series was measured: the file holds the CPU run alone, "
        "so the figures show no GPU lines."
    )
    assert facts["gpu_crossover_sentence"] == ""
    assert facts["course_ratio"] == "3.0"


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: d.pop("schema"), "schema must be 2"),
        (lambda d: d.update(runs=[]), "runs must be a non-empty list"),
        (lambda d: d["runs"].pop(0), "there must be exactly one cpu run"),
        (
            lambda d: d["runs"].append(copy.deepcopy(d["runs"][0])),
            "there must be exactly one cpu run",
        ),
        (
            lambda d: d["runs"][0]["boundary"].pop("looped_s"),
            "the cpu run needs its boundary timings",
        ),
        (lambda d: d["runs"][1].pop("measured"), "runs need 'measured'"),
        (lambda d: d["runs"][0]["machine"].pop("numpy_blas"), "cpu: machine"),
        (
            lambda d: d["runs"][1]["matmul_peak_gflops"].pop("float32"),
            "cuda: peak per dtype",
        ),
        (
            lambda d: d["runs"][0]["series"][0].update(library="jax"),
            "cpu jax float64",
        ),
        (
            lambda d: d["runs"][1]["series"][0].update(dtype="float16"),
            "cuda torch float16",
        ),
        (
            lambda d: d["runs"][0]["series"][2].update(points=[]),
            "cpu torch float32: points",
        ),
        (
            lambda d: d["runs"][0]["series"][1]["points"][3].update(q1_s=0.0),
            "cpu torch float64: quartiles out of order",
        ),
        (
            lambda d: d["runs"][1]["series"][0]["points"][5].update(
                median_s=1.0
            ),
            "cuda torch float32: quartiles out of order",
        ),
        (
            lambda d: d["runs"][1]["series"][1]["points"][0].update(batch=11),
            "cuda torch float64: flops disagree",
        ),
        (lambda d: d["runs"][1].update(series=[]), "cuda: no series"),
    ],
)
def test_each_schema_rule_names_its_field(damage, message):
    document = benchmark()
    damage(document)
    with pytest.raises(ValueError, match=re.escape(f"step.json: {message}")):
        stepbench.check_schema(document)


def test_load_checks_the_file_it_reads(tmp_path):
    path = tmp_path / "step.json"
    document = benchmark()
    path.write_text(json.dumps(document), encoding="utf-8")
    assert stepbench.load(path) == document
    document["runs"][0]["machine"].pop("cpu")
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match="cpu: machine"):
        stepbench.load(path)


def test_series_finds_one_device_library_and_dtype():
    document = benchmark()
    points = stepbench.series(document, "cuda", "torch", "float64")
    assert stepbench._point(points, 10, 16)["median_s"] == 12.5e-3
    cpu32 = stepbench.series(document, "cpu", "torch", "float32")
    assert stepbench._point(cpu32, 4000, 4096)["median_s"] == 0.01
    assert stepbench.series(document, "cuda", "numpy", "float64") is None
    no_gpu = benchmark(gpu_series=None)
    assert stepbench.series(no_gpu, "cuda", "torch", "float32") is None


def test_batch_points_are_one_batch_sorted_by_width():
    points = [
        {"batch": 10, "width": 64, "median_s": 3.0},
        {"batch": 20, "width": 4, "median_s": 9.0},
        {"batch": 10, "width": 4, "median_s": 1.0},
        {"batch": 10, "width": 16, "median_s": 2.0},
    ]
    chosen = stepbench.batch_points(points, 10)
    assert [p["width"] for p in chosen] == [4, 16, 64]
    assert stepbench.at_batch(points, 10) == ([4, 16, 64], [1.0, 2.0, 3.0])
    assert stepbench.at_batch(points, 20) == ([4], [9.0])
    with pytest.raises(ValueError, match="no batch of 30"):
        stepbench.batch_points(points, 30)


def test_crossover_counts_a_win_by_exactly_the_margin():
    document = synthetic([1, 2, 4, 8], [5, 5, 5, 1])
    numpy_points, torch_points = (
        entry["points"] for entry in document["runs"][0]["series"]
    )
    for numpy_point, torch_point in zip(
        numpy_points, torch_points, strict=True
    ):
        numpy_point["median_s"] = torch_point["median_s"] * 1.1
    torch_points[0]["median_s"] *= 2  # slower at the narrowest only
    assert stepbench.crossover(document, 10, "cpu", "float64") == 16


def test_crossover_needs_a_pytorch_series_on_the_same_widths():
    document = synthetic([1, 2, 4, 8], [5, 5, 3, 3])
    assert stepbench.crossover(document, 10, "cuda", "float32") is None
    assert stepbench.crossover(document, 10, "cpu", "float32") is None
    document["runs"][0]["series"][1]["points"][2]["width"] = 32
    with pytest.raises(ValueError, match="other widths"):
        stepbench.crossover(document, 10, "cpu", "float64")


class FakeClock:
    """A perf_counter that moves only when a timed call runs."""

    def __init__(self, seconds_per_call: float) -> None:
        self.now = 1000.0
        self.seconds_per_call = seconds_per_call
        self.calls = 0

    def __call__(self) -> float:
        return self.now

    def call(self) -> None:
        self.calls += 1
        self.now += self.seconds_per_call


def fake_timing(monkeypatch, seconds_per_call: float, **options):
    clock = FakeClock(seconds_per_call)
    monkeypatch.setattr(stepbench, "time", SimpleNamespace(perf_counter=clock))
    return stepbench.time_calls(clock.call, **options), clock.calls


def test_time_calls_takes_seven_timings_of_a_slow_call(monkeypatch):
    # 3 warm-up calls, then 7 timings: 0.875 s is past the 0.5 s budget.
    times, calls = fake_timing(monkeypatch, 0.125)
    assert (times, calls) == ([0.125] * 7, 3 + 7)


def test_time_calls_fills_its_budget_with_a_fast_call(monkeypatch):
    # 1/64 s a call: 32 timings reach the 0.5 s budget exactly, and stop.
    times, calls = fake_timing(monkeypatch, 1 / 64)
    assert (times, calls) == ([1 / 64] * 32, 3 + 32)


def test_time_calls_stops_at_200_timings(monkeypatch):
    times, calls = fake_timing(
        monkeypatch, 2**-10, warmup=0, repeats=1, budget_s=1.0
    )
    assert len(times) == calls == 200


def test_time_calls_divides_each_block_by_its_length(monkeypatch):
    times, calls = fake_timing(
        monkeypatch, 0.125, block=4, warmup=1, repeats=3, budget_s=0.0
    )
    assert (times, calls) == ([0.125] * 3, 1 + 4 * 3)


def test_a_point_summarises_its_timings_by_quartiles():
    summary = stepbench._summary([5.0, 1.0, 4.0, 2.0, 3.0], 10, 4)
    assert summary == {
        "width": 4,
        "batch": 10,
        "median_s": 3.0,
        "q1_s": 2.0,
        "q3_s": 4.0,
        "runs": 5,
        "flops": stepbench.step_flops(10, 4),
    }


def test_the_numpy_and_pytorch_steps_see_the_same_data():
    numpy_step = stepbench._numpy_step(50, 3, np.random.default_rng(0))
    torch_step = stepbench._torch_step(
        50, 3, np.random.default_rng(0), torch.float64, torch.device("cpu")
    )
    numpy_data = inspect.getclosurevars(numpy_step).nonlocals
    torch_data = inspect.getclosurevars(torch_step).nonlocals
    for name in ("points", "targets"):
        np.testing.assert_array_equal(
            numpy_data[name], torch_data[name].numpy()
        )
    assert numpy_data["points"].shape == (50, 2)
    assert set(np.unique(numpy_data["targets"])) == {-1.0, 1.0}


def test_the_numpy_step_is_one_step_of_full_batch_training():
    step = stepbench._numpy_step(8, 3, np.random.default_rng(0))
    timed = inspect.getclosurevars(step).nonlocals
    reference = scratch.MLP(2, 3, 1, "tanh", "tanh", seed=0)
    for _ in range(3):
        step()
    scratch.train(
        reference,
        timed["points"],
        timed["targets"],
        learning_rate=0.05,
        epochs=3,
        batch_size=8,
        shuffle_seed=0,
    )
    for name, values in reference.parameters().items():
        np.testing.assert_allclose(
            timed["model"].parameters()[name], values, rtol=1e-12
        )


def test_the_pytorch_step_is_one_step_of_full_batch_training():
    step = stepbench._torch_step(
        8, 3, np.random.default_rng(0), torch.float64, torch.device("cpu")
    )
    timed = inspect.getclosurevars(step).nonlocals
    reference = torch_mlp.TorchMLP(2, 3, 1, "tanh", "tanh", seed=0)
    for _ in range(3):
        step()
    torch_mlp.train(
        reference,
        timed["points"].numpy(),
        timed["targets"].numpy(),
        learning_rate=0.05,
        epochs=3,
        batch_size=8,
        shuffle_seed=0,
    )
    for mine, theirs in zip(
        timed["model"].parameters(), reference.parameters(), strict=True
    ):
        torch.testing.assert_close(mine, theirs, rtol=1e-12, atol=0.0)


def fake_sweep(monkeypatch, device: str):
    """Run a sweep whose steps, timings and machine are stand-ins."""
    timed = []

    def time_calls(step, *, synchronise, block, budget_s):
        timed.append((step, block, budget_s))
        synchronise()
        return [4.0, 1.0, 3.0, 2.0, 5.0]

    def numpy_step(batch, width, rng):
        return ("numpy", "float64", batch, width, rng.integers(10**6))

    def torch_step(batch, width, rng, dtype, device):
        name = str(dtype).removeprefix("torch.")
        return ("torch", name, batch, width, rng.integers(10**6), device)

    synchronised = []
    monkeypatch.setattr(torch.cuda, "synchronize", synchronised.append)
    monkeypatch.setattr(stepbench, "time_calls", time_calls)
    monkeypatch.setattr(stepbench, "_numpy_step", numpy_step)
    monkeypatch.setattr(stepbench, "_torch_step", torch_step)
    monkeypatch.setattr(stepbench, "machine", lambda d: {"of": d.type})
    monkeypatch.setattr(
        stepbench,
        "matmul_peak_gflops",
        lambda dtype, d: {"float64": 3.0, "float32": 6.0}[dtype],
    )
    result = stepbench.run(
        torch.device(device), widths=(4, 8), batches=(10, 20)
    )
    return result, timed, synchronised


def test_a_cpu_sweep_times_three_series_over_the_grid(monkeypatch):
    result, timed, synchronised = fake_sweep(monkeypatch, "cpu")
    seed = np.random.default_rng(0).integers(10**6)
    sizes = [(10, 4), (10, 8), (20, 4), (20, 8)]
    assert [step for step, _, _ in timed] == [
        ("numpy", "float64", b, w, seed) for b, w in sizes
    ] + [
        ("torch", dtype, b, w, seed, torch.device("cpu"))
        for dtype in ("float64", "float32")
        for b, w in sizes
    ]
    assert {(block, budget) for _, block, budget in timed} == {(1, 0.5)}
    assert synchronised == []
    assert result["device"] == "cpu"
    assert result["measured"] == datetime.date.today().isoformat()
    assert result["steps_per_timing"] == 1
    assert result["machine"] == {"of": "cpu"}
    assert result["matmul_peak_gflops"] == {"float64": 3.0, "float32": 6.0}
    assert [(s["library"], s["dtype"]) for s in result["series"]] == [
        ("numpy", "float64"),
        ("torch", "float64"),
        ("torch", "float32"),
    ]
    for entry in result["series"]:
        assert entry["points"] == [
            stepbench._summary([4.0, 1.0, 3.0, 2.0, 5.0], b, w)
            for b, w in sizes
        ]


def test_a_gpu_sweep_times_pytorch_in_blocks_and_waits(monkeypatch):
    result, timed, synchronised = fake_sweep(monkeypatch, "cuda")
    assert [step[:4] for step, _, _ in timed] == [
        ("torch", dtype, b, w)
        for dtype in ("float64", "float32")
        for b, w in [(10, 4), (10, 8), (20, 4), (20, 8)]
    ]
    assert {(block, budget) for _, block, budget in timed} == {(20, 0.5)}
    assert synchronised == [torch.device("cuda")] * len(timed)
    assert result["steps_per_timing"] == 20
    assert [s["dtype"] for s in result["series"]] == ["float64", "float32"]


def test_the_peak_is_one_large_product_over_its_median_time(monkeypatch):
    product = {}

    def time_calls(call, *, synchronise):
        a, b = (inspect.getclosurevars(call).nonlocals[n] for n in "ab")
        assert a.shape == b.shape == (1024, 1024)
        product.update(a=a, b=b, ab=call())
        return [4.0, 1.0, 2.0]

    monkeypatch.setattr(stepbench, "time_calls", time_calls)
    gflops = stepbench.matmul_peak_gflops("float32", torch.device("cpu"))
    assert gflops == pytest.approx(2 * 1024**3 / 2.0 / 1e9)  # median 2 s
    generator = torch.Generator().manual_seed(0)
    expected = torch.rand(1024, 1024, generator=generator)
    assert product["a"].dtype == torch.float32
    torch.testing.assert_close(product["a"], expected, rtol=0, atol=0)
    torch.testing.assert_close(product["ab"], product["a"] @ product["b"])


def test_only_a_gpu_is_waited_for(monkeypatch):
    waited = []
    monkeypatch.setattr(torch.cuda, "synchronize", waited.append)
    stepbench._synchroniser(torch.device("cpu"))()
    assert waited == []
    stepbench._synchroniser(torch.device("cuda"))()
    assert waited == [torch.device("cuda")]


def test_machine_describes_the_processor_and_libraries(monkeypatch):
    """What a reader needs to compare timings: the file's schema keys, the
    processor, the versions actually imported, the BLAS kernel setting."""
    monkeypatch.setattr(stepbench, "_cpu_model", lambda: "Test CPU")
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    description = stepbench.machine(torch.device("cpu"))
    check_keys = {"cpu", "cores", "numpy", "torch", "numpy_blas"}
    assert check_keys <= set(description)
    assert description["cpu"] == "Test CPU"
    assert description["openblas_coretype"] == "Haswell"
    assert (description["numpy"], description["torch"]) == (
        np.__version__,
        torch.__version__,
    )
    assert description["cores"] >= 1 and description["torch_threads"] >= 1
    assert "blas" in description["numpy_blas"].lower()
    assert "gpu" not in description
    monkeypatch.delenv("OPENBLAS_CORETYPE")
    assert stepbench.machine(torch.device("cpu"))["openblas_coretype"] is None
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda d: "Fake GPU")
    monkeypatch.setattr(torch.version, "cuda", "12.1")
    on_gpu = stepbench.machine(torch.device("cuda"))
    assert (on_gpu["gpu"], on_gpu["cuda"]) == ("Fake GPU", "12.1")


def test_the_cpu_model_comes_from_cpuinfo_or_platform(monkeypatch, tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nvendor_id\t: Test\n"
        "model name\t: Test CPU: 3.0 GHz\nflags\t: fpu\n"
    )
    monkeypatch.setattr(stepbench, "Path", lambda _: cpuinfo)
    assert stepbench._cpu_model() == "Test CPU: 3.0 GHz"
    cpuinfo.unlink()  # no /proc/cpuinfo: ask platform
    monkeypatch.setattr(platform, "processor", lambda: "arm")
    monkeypatch.setattr(platform, "machine", lambda: "aarch64")
    assert stepbench._cpu_model() == "arm"
    monkeypatch.setattr(platform, "processor", lambda: "")
    assert stepbench._cpu_model() == "aarch64"


def test_save_replaces_runs_of_the_same_device_only(tmp_path):
    path = tmp_path / "book" / "data" / "step.json"  # made as needed
    stepbench.save([{"device": "cuda", "measured": "gpu 1"}], path)
    stepbench.save([{"device": "cpu", "measured": "cpu 1"}], path)
    stepbench.save([{"device": "cpu", "measured": "cpu 2"}], path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    document = json.loads(text)
    assert document["schema"] == stepbench.SCHEMA
    assert [(r["device"], r["measured"]) for r in document["runs"]] == [
        ("cpu", "cpu 2"),
        ("cuda", "gpu 1"),
    ]


def test_a_tiny_sweep_runs_and_saves_beside_other_devices(tmp_path, committed):
    # scripts/ sits beside tests/ in the repository, not in every copy of it.
    bench_step = pytest.importorskip("bench_step")

    run = stepbench.run(
        torch.device("cpu"), widths=(4, 8), batches=(10, 20), budget_s=0.0
    )
    run["boundary"] = bench_step.time_boundary()
    run["breakdown"] = stepbench.breakdown(batch=20, width=8, budget_s=0.0)
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


def test_the_breakdown_table_shows_each_part_in_ms_share_and_additions():
    document = benchmark()
    assert stepbench.part_times(document) == pytest.approx(
        {
            "forward products": 0.0396,
            "activations": 0.0401,
            "loss gradient": 0.0001,
            "activation derivatives": 0.0401,
            "backward products": 0.08,
            "update": 0.0001,
        }
    )
    assert list(stepbench.part_times(document)) == list(stepbench.PARTS)
    assert stepbench.breakdown_table(document).splitlines() == [
        "                               ms  share  additions",
        "forward products             39.6    20%        2.0",
        "activations                  40.1    20%        2.0",
        "loss gradient                 0.1     0%        0.0",
        "activation derivatives       40.1    20%        2.0",
        "backward products            80.0    40%        4.0",
        "update                        0.1     0%        0.0",
        "all parts, one at a time    200.0   100%       10.0",
        "the whole step              150.0               7.5",
        "for scale: one addition      20.0               1.0",
    ]


def with_tanh(tanh_s: float, addition_s: float = 0.02) -> dict:
    """The made-up file with another hidden tanh and addition time."""
    document = benchmark()
    breakdown = document["runs"][0]["breakdown"]
    for entry in breakdown["operations"]:
        if entry["operation"] == "tanh, hidden layer":
            entry.update(timing(tanh_s))
    breakdown["addition"] = timing(addition_s)
    return document


@pytest.mark.parametrize(
    "tanh_s, words",
    [
        (0.0299, "barely longer than the addition: its cost too is mostly"),
        (0.03, "1.5 times as long as the addition: its arithmetic counts"),
        (0.0799, "4.0 times as long as the addition: its arithmetic counts"),
        (
            0.08,
            "4.0 times as long as the addition: its cost is its arithmetic",
        ),
    ],
)
def test_the_tanh_sentence_follows_the_ratio_to_an_addition(tanh_s, words):
    sentence = stepbench.facts(with_tanh(tanh_s))["tanh_sentence"]
    assert sentence.startswith(f"The hidden layer's tanh takes {words}")


def test_the_bound_sentence_follows_the_share_of_tanh():
    # The other parts take 0.1599 s: tanh at 0.16 s is half the step.
    half = stepbench.facts(with_tanh(0.16 - 0.0001, addition_s=0.02))
    assert half["bound_sentence"] == (
        "So 50% of a wide step of this network is computing tanh: it is "
        "bound by that arithmetic more than by memory."
    )
    under = stepbench.facts(with_tanh(0.15, addition_s=0.02))
    assert under["bound_sentence"].startswith("The other 52% of the step")
    assert under["bound_sentence"].endswith(
        "bound by memory more than by arithmetic."
    )


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda b: b.clear(), "batch, width, operations, step and addition"),
        (lambda b: b.update(operations=[]), "operations must be a non-empty"),
        (
            lambda b: b["operations"][0].update(part="loss"),
            "part 'loss' is unknown",
        ),
        (
            lambda b: b.update(operations=b["operations"][:-1]),
            "every part of .* needs an operation",
        ),
        (
            lambda b: b["operations"][1].update(q3_s=0.01),
            "quartiles out of order for tanh, hidden layer",
        ),
        (
            lambda b: b["step"].update(q1_s=0.0),
            "quartiles out of order for step",
        ),
        (
            lambda b: b["addition"].update(median_s=1.0),
            "quartiles out of order for addition",
        ),
    ],
)
def test_the_schema_checks_the_breakdown(damage, message):
    document = benchmark()
    damage(document["runs"][0]["breakdown"])
    with pytest.raises(ValueError, match=f"step.json: breakdown: {message}"):
        stepbench.check_schema(document)


def test_the_cpu_run_needs_a_breakdown():
    document = benchmark()
    del document["runs"][0]["breakdown"]
    with pytest.raises(ValueError, match="the cpu run needs its breakdown"):
        stepbench.check_schema(document)
    document = benchmark()
    assert "breakdown" not in document["runs"][1]  # a GPU run needs none
    stepbench.check_schema(document)


def recorded_calls(monkeypatch, calls: list) -> None:
    """Record each call of a layer's, an activation's or the loss's code,
    with the shape of its first array, while ``calls`` is not None."""

    def spy(name, function):
        def recording(*args):
            arrays = [a for a in args if isinstance(a, np.ndarray)]
            calls.append((name, arrays[0].shape if arrays else None))
            return function(*args)

        return recording

    for method in ("forward", "backward", "zero_grad", "step"):
        original = getattr(scratch.Dense, method)
        monkeypatch.setattr(
            scratch.Dense,
            method,
            lambda self, *a, f=original, n=method: spy(
                f"Dense.{n}", lambda *b: f(self, *b)
            )(*a),
        )
    tanh = scratch.ACTIVATIONS["tanh"]
    monkeypatch.setitem(
        scratch.ACTIVATIONS,
        "tanh",
        scratch.Activation(
            "tanh",
            spy("tanh", tanh.function),
            spy("tanh derivative", tanh.derivative),
        ),
    )
    monkeypatch.setattr(
        scratch, "mse_gradient", spy("mse_gradient", scratch.mse_gradient)
    )


def test_the_breakdown_times_exactly_the_operations_of_one_step(monkeypatch):
    """Each part's calls, run once each, are the calls of one step: the
    same methods on arrays of the same shapes, nothing left out."""
    calls = []
    recorded_calls(monkeypatch, calls)
    step = stepbench._numpy_step(8, 3, np.random.default_rng(0))
    operations, addition = stepbench._numpy_parts(
        8, 3, np.random.default_rng(0)
    )
    calls.clear()
    step()
    in_a_step = sorted(calls, key=repr)
    calls.clear()
    for _, _, call in operations:
        call()
    assert sorted(calls, key=repr) == in_a_step
    assert len(in_a_step) == 13
    assert {part for part, _, _ in operations} == set(stepbench.PARTS)
    calls.clear()
    assert addition().shape == (8, 3) and calls == []  # plain NumPy


def test_the_parts_compute_what_the_step_computes():
    """The arrays the parts work on are one step's: the hidden layer's
    operations return the step's own intermediate results."""
    operations, _ = stepbench._numpy_parts(8, 3, np.random.default_rng(0))
    by_name = {operation: call for _, operation, call in operations}
    model, points, targets = stepbench._numpy_problem(
        8, 3, np.random.default_rng(0)
    )
    outputs = model.forward(points)
    np.testing.assert_array_equal(by_name["tanh, output layer"](), outputs)
    np.testing.assert_array_equal(
        np.tanh(by_name["X W1 + b1"]()), model.hidden_a
    )
    np.testing.assert_array_equal(
        by_name["2 (Y - T) / n"](), scratch.mse_gradient(outputs, targets)
    )


def test_breakdown_times_each_operation_the_step_and_an_addition(monkeypatch):
    timed = []

    def time_calls(call, *, budget_s):
        timed.append((call, budget_s))
        return [4.0, 1.0, 3.0, 2.0, 5.0]

    monkeypatch.setattr(stepbench, "time_calls", time_calls)
    result = stepbench.breakdown(batch=20, width=8, budget_s=0.25)
    operations, _ = stepbench._numpy_parts(20, 8, np.random.default_rng(0))
    assert (result["batch"], result["width"]) == (20, 8)
    assert [(e["part"], e["operation"]) for e in result["operations"]] == [
        (part, operation) for part, operation, _ in operations
    ]
    quartiles = {"median_s": 3.0, "q1_s": 2.0, "q3_s": 4.0, "runs": 5}
    for entry in result["operations"]:
        assert {k: entry[k] for k in quartiles} == quartiles
    assert result["step"] == result["addition"] == quartiles
    assert len(timed) == len(operations) + 2
    assert {budget for _, budget in timed} == {0.25}
    step = timed[-2][0]
    assert inspect.getclosurevars(step).nonlocals["points"].shape == (20, 2)


def test_the_default_breakdown_is_the_widest_step_of_the_sweep():
    assert stepbench.BREAKDOWN_SIZE == {
        "batch": max(stepbench.BATCHES),
        "width": max(stepbench.WIDTHS),
    }
    defaults = inspect.signature(stepbench.breakdown).parameters
    assert defaults["batch"].default == 4000
    assert defaults["width"].default == 4096


def test_the_step_script_adds_the_breakdown_to_the_cpu_run(
    monkeypatch, tmp_path
):
    bench_step = pytest.importorskip("bench_step")
    monkeypatch.setattr(
        stepbench, "run", lambda device: {"device": device.type}
    )
    monkeypatch.setattr(bench_step, "time_boundary", lambda: "the boundary")
    monkeypatch.setattr(stepbench, "breakdown", lambda: "the breakdown")
    saved = []
    monkeypatch.setattr(
        stepbench, "save", lambda runs, out: saved.append(runs)
    )
    bench_step.measure(["cpu", "cuda"], tmp_path / "step.json")
    assert saved == [
        [
            {
                "device": "cpu",
                "boundary": "the boundary",
                "breakdown": "the breakdown",
            },
            {"device": "cuda"},
        ]
    ]
