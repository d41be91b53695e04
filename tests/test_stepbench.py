"""The step benchmark's reading side: its file, its figures, its sentences.

Nothing here times anything: scripts/bench_step.py writes the file (its
tests are in test_bench_step.py). What is tested is that the committed file
follows its schema, that chapter 2's figures and sentences show exactly that
file, and that the book's machinery reads it without PyTorch.
"""

import copy
import json
import re
import subprocess
import sys

import matplotlib.pyplot as plt
import pytest
import torch
from paths import BOOK, CHAPTERS, ROOT

from mlpcourse import settings, torch_mlp
from mlpcourse.pages import plots, stepbench


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
    # glued by its own cells or by the pages modules it imports (chapter 1's
    # checks): glue_prose({"name": ...}).
    sources = [page]
    for names in re.findall(
        r"^from mlpcourse\.pages import (.+)$", page, re.M
    ):
        for name in names.split(","):
            module = BOOK / "mlpcourse" / "pages" / f"{name.strip()}.py"
            sources.append(module.read_text(encoding="utf-8"))
    own = set()
    for source in sources:
        for glued in re.findall(
            r"glue_prose\(\s*\{(.*?)\}\s*[,)]", source, re.S
        ):
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
    # The book's machinery in pages/ too; scripts/bench_step.py, outside the
    # package, is what times each device.
    for module in sorted(BOOK.joinpath("mlpcourse").rglob("*.py")):
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


# Chapter 1 teaches NumPy alone, and its pages use plots (which reads the
# benchmark through stepbench) and film: none of them may need PyTorch.
NEEDED_WITHOUT_TORCH = {"stepbench", "plots", "film"}


def test_the_pages_import_and_read_the_benchmark_without_torch():
    """With ``import torch`` made to fail, every module of mlpcourse.pages
    imports, and the benchmark file loads and gives its facts."""
    pages = sorted(
        path.stem
        for path in BOOK.joinpath("mlpcourse", "pages").glob("*.py")
        if path.stem != "__init__"
    )
    assert NEEDED_WITHOUT_TORCH <= set(pages), pages
    code = (
        "import sys\n"
        "sys.modules['torch'] = None  # now `import torch` raises\n"
        f"from mlpcourse.pages import {', '.join(pages)}\n"
        "assert stepbench.facts(stepbench.load())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BOOK,  # as a chapter runs: mlpcourse beside it
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


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
