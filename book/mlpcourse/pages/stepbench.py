"""The step benchmark's file, read: what "Going further" shows about speed.

One step is what both training loops repeat: forward pass, mean squared
error, backward pass, update. scripts/bench_step.py (run by ``make bench``)
times it for the course's 2-h-1 tanh network over a grid of hidden widths
and batch sizes, times the widest NumPy step part by part, and writes the
results, with a description of the machine, to ``STEP_BENCHMARK``. This
module only reads that file: it checks the file against its schema, picks
out the series the figures draw, and turns the numbers into the page's
sentences (``facts``). It times nothing and imports no PyTorch, so the page
is the same on every build.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The file's schema and the grid it covers; the script writes to them.
STEP_BENCHMARK = Path(__file__).resolve().parents[2] / "data" / "step.json"
SCHEMA = 2  # 2: the cpu run holds the breakdown of the widest NumPy step
WIDTHS = (4, 16, 64, 256, 1024, 4096)
BATCHES = (10, 100, 1000, 4000)
N_INPUTS, N_OUTPUTS = 2, 1
CLEAR_MARGIN = 1.1  # "faster" means at least 10% faster
Point = dict[str, float]


def step_flops(batch: int, width: int) -> int:
    """Floating-point operations in one step's matrix products.

    Forward: X W1 and A1 W2. Backward: the gradients of W2, of A1 and of
    W1 (none for X). Each product of an (n, k) and a (k, m) matrix costs
    2 n k m. The element-wise work (bias additions, activations and their
    derivatives, loss, update) is left out, so a speed in GFLOP/s counts
    the matrix arithmetic alone; the file's breakdown times every part.
    """
    forward = 2 * batch * width * (N_INPUTS + N_OUTPUTS)
    backward = 2 * batch * width * (2 * N_OUTPUTS + N_INPUTS)
    return forward + backward


# The parts of one step, in the order chapter 1's code runs them.
PARTS = (
    "forward products",
    "activations",
    "loss gradient",
    "activation derivatives",
    "backward products",
    "update",
)
BREAKDOWN_SIZE = {"batch": max(BATCHES), "width": max(WIDTHS)}
"""The step that the script times part by part: the widest and largest."""


def load(path: Path = STEP_BENCHMARK) -> dict[str, Any]:
    """The benchmark file, checked against the schema it must follow."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    check_schema(document)
    return document


def check_schema(document: dict[str, Any]) -> None:
    """Raise ValueError naming the first field that is missing or wrong."""

    def need(condition: bool, what: str) -> None:
        if not condition:
            raise ValueError(f"{STEP_BENCHMARK.name}: {what}")

    need(document.get("schema") == SCHEMA, f"schema must be {SCHEMA}")
    runs = document.get("runs")
    need(isinstance(runs, list) and runs, "runs must be a non-empty list")
    cpu = [run for run in runs if run.get("device") == "cpu"]
    need(len(cpu) == 1, "there must be exactly one cpu run")
    boundary = cpu[0].get("boundary", {})
    need(
        {"grid_points", "batched_s", "looped_s"} <= set(boundary),
        "the cpu run needs its boundary timings",
    )
    _check_breakdown(cpu[0].get("breakdown"), need)
    for run in runs:
        device = run.get("device")
        need(device in ("cpu", "cuda"), f"device {device!r} is unknown")
        need(isinstance(run.get("measured"), str), "runs need 'measured'")
        keys = {"cpu", "cores", "numpy", "torch", "numpy_blas"}
        need(keys <= set(run.get("machine", {})), f"{device}: machine {keys}")
        peak = run.get("matmul_peak_gflops", {})
        need({"float32", "float64"} <= set(peak), f"{device}: peak per dtype")
        for entry in run.get("series", []):
            label = f"{device} {entry.get('library')} {entry.get('dtype')}"
            need(entry.get("library") in ("numpy", "torch"), label)
            need(entry.get("dtype") in ("float32", "float64"), label)
            points = entry.get("points")
            need(isinstance(points, list) and points, f"{label}: points")
            for point in points:
                need(
                    0 < point["q1_s"] <= point["median_s"] <= point["q3_s"],
                    f"{label}: quartiles out of order at {point}",
                )
                need(
                    point["flops"]
                    == step_flops(point["batch"], point["width"]),
                    f"{label}: flops disagree with step_flops at {point}",
                )
        need(run.get("series"), f"{device}: no series")


def _check_breakdown(
    breakdown: Any, need: Callable[[bool, str], None]
) -> None:
    """The cpu run's breakdown: every part timed, every timing in order."""
    need(isinstance(breakdown, dict), "the cpu run needs its breakdown")
    need(
        {"batch", "width", "operations", "step", "addition"} <= set(breakdown),
        "breakdown: batch, width, operations, step and addition",
    )
    operations = breakdown["operations"]
    need(
        isinstance(operations, list) and operations,
        "breakdown: operations must be a non-empty list",
    )
    for entry in operations:
        need(
            entry.get("part") in PARTS,
            f"breakdown: part {entry.get('part')!r} is unknown",
        )
    need(
        {entry["part"] for entry in operations} == set(PARTS),
        f"breakdown: every part of {PARTS} needs an operation",
    )
    for name, timing in [
        *((entry["operation"], entry) for entry in operations),
        ("step", breakdown["step"]),
        ("addition", breakdown["addition"]),
    ]:
        need(
            0 < timing["q1_s"] <= timing["median_s"] <= timing["q3_s"],
            f"breakdown: quartiles out of order for {name}",
        )


def series(
    document: dict[str, Any], device: str, library: str, dtype: str
) -> list[Point] | None:
    """One series' points, or None where the file has no such series."""
    for run in document["runs"]:
        if run["device"] == device:
            for entry in run["series"]:
                if (entry["library"], entry["dtype"]) == (library, dtype):
                    return entry["points"]
    return None


def batch_points(points: list[Point], batch: int) -> list[Point]:
    """The points of one batch size, by width; an unknown batch is an error."""
    chosen = sorted(
        (p for p in points if p["batch"] == batch), key=lambda p: p["width"]
    )
    if not chosen:
        raise ValueError(f"the benchmark has no batch of {batch}")
    return chosen


def at_batch(points: list[Point], batch: int) -> tuple[list[int], list[float]]:
    """Widths and median seconds of one batch size, by width."""
    chosen = batch_points(points, batch)
    return [p["width"] for p in chosen], [p["median_s"] for p in chosen]


def crossover(
    document: dict[str, Any],
    batch: int,
    device: str,
    dtype: str,
    margin: float = CLEAR_MARGIN,
) -> int | None:
    """The smallest width from which PyTorch beats NumPy clearly, for good.

    Clearly: by ``margin`` (10% faster) or more, so that timing noise on a
    near tie does not decide it. None where PyTorch does not clearly beat
    NumPy at the widest width measured.
    """
    widths, numpy_times = at_batch(
        series(document, "cpu", "numpy", "float64"), batch
    )
    torch_points = series(document, device, "torch", dtype)
    if torch_points is None:
        return None
    torch_widths, torch_times = at_batch(torch_points, batch)
    if torch_widths != widths:
        raise ValueError("the NumPy and PyTorch series cover other widths")
    faster = [
        t * margin <= n for t, n in zip(torch_times, numpy_times, strict=True)
    ]
    if not faster[-1]:
        return None
    first = len(faster)
    while first > 0 and faster[first - 1]:
        first -= 1
    return widths[first]


def _point(points: list[Point], batch: int, width: int) -> Point:
    return next(
        p for p in points if (p["batch"], p["width"]) == (batch, width)
    )


def _cpu_run(document: dict[str, Any]) -> dict[str, Any]:
    return next(run for run in document["runs"] if run["device"] == "cpu")


def part_times(document: dict[str, Any]) -> dict[str, float]:
    """Median seconds of each part of the widest NumPy step, in step order:
    the sum of its operations' medians."""
    operations = _cpu_run(document)["breakdown"]["operations"]
    return {
        part: sum(e["median_s"] for e in operations if e["part"] == part)
        for part in PARTS
    }


def breakdown_table(document: dict[str, Any]) -> str:
    """The breakdown as a table: milliseconds, share of the parts' total,
    and time in additions (the part's time over one addition's)."""
    breakdown = _cpu_run(document)["breakdown"]
    parts = part_times(document)
    total = sum(parts.values())
    addition = breakdown["addition"]["median_s"]
    rows = [
        (part, seconds, f"{100 * seconds / total:.0f}%")
        for part, seconds in parts.items()
    ]
    rows.append(("all parts, one at a time", total, "100%"))
    rows.append(("the whole step", breakdown["step"]["median_s"], ""))
    rows.append(("for scale: one addition", addition, ""))
    lines = [f"{'':<26}{'ms':>7}{'share':>7}{'additions':>11}"]
    lines += [
        f"{name:<26}{seconds * 1e3:>7.1f}{share:>7}{seconds / addition:>11.1f}"
        for name, seconds, share in rows
    ]
    return "\n".join(lines)


# How many times an addition's time tanh takes, for each way of saying it.
TANH_CHEAP, TANH_COSTLY = 1.5, 4.0


def _breakdown_facts(document: dict[str, Any]) -> dict[str, str]:
    """What the page says about the breakdown, chosen by what it measured."""
    breakdown = _cpu_run(document)["breakdown"]
    parts = part_times(document)
    total = sum(parts.values())
    addition = breakdown["addition"]["median_s"]
    (tanh,) = [
        e["median_s"]
        for e in breakdown["operations"]
        if e["operation"] == "tanh, hidden layer"
    ]
    ratio = tanh / addition
    tanh_share = 100 * parts["activations"] / total
    if ratio < TANH_CHEAP:
        tanh_words = "barely longer than the addition: its cost too is "
        tanh_words += "mostly moving numbers"
    elif ratio < TANH_COSTLY:
        tanh_words = f"{ratio:.1f} times as long as the addition: its "
        tanh_words += "arithmetic counts, but does not dominate"
    else:
        tanh_words = f"{ratio:.1f} times as long as the addition: its cost "
        tanh_words += "is its arithmetic, not moving its numbers"
    if tanh_share < 50:
        bound = (
            f"The other {100 - tanh_share:.0f}% of the step is products and "
            "element-wise arithmetic, each doing a few operations for every "
            "number it reads or writes. So a wide step of this network is "
            "bound by memory more than by arithmetic."
        )
    else:
        bound = (
            f"So {tanh_share:.0f}% of a wide step of this network is "
            "computing tanh: it is bound by that arithmetic more than by "
            "memory."
        )
    return {
        "breakdown_size": f"{breakdown['batch']} × {breakdown['width']}",
        "breakdown_numbers": f"{breakdown['batch'] * breakdown['width']:,}",
        "tanh_sentence": f"The hidden layer's tanh takes {tanh_words}.",
        "bound_sentence": bound,
    }


def _verdict(ratio: float) -> str:
    """PyTorch's time over NumPy's, in words, with the 10% margin."""
    if ratio <= 1 / CLEAR_MARGIN:
        return f"PyTorch is {1 / ratio:.1f} times as fast"
    if ratio >= CLEAR_MARGIN:
        return f"NumPy is {ratio:.1f} times as fast"
    return "a tie within 10%"


def facts(document: dict[str, Any]) -> dict[str, str]:
    """Every number and claim the book states about speed, as text.

    The "Going further" page inserts these into its prose (MyST-NB's glue),
    so the page says what the committed benchmark file says, and nothing
    else.
    """
    cpu = next(run for run in document["runs"] if run["device"] == "cpu")
    gpu = next((r for r in document["runs"] if r["device"] == "cuda"), None)
    numpy_points = series(document, "cpu", "numpy", "float64")
    torch_points = series(document, "cpu", "torch", "float64")
    small, large = min(BATCHES), max(BATCHES)
    widest = max(WIDTHS)
    course = {
        name: _point(points, small, min(WIDTHS))["median_s"]
        for name, points in (("numpy", numpy_points), ("torch", torch_points))
    }
    biggest = {
        name: _point(points, large, widest)
        for name, points in (("numpy", numpy_points), ("torch", torch_points))
    }
    achieved = biggest["numpy"]["flops"] / biggest["numpy"]["median_s"] / 1e9
    peak = cpu["matmul_peak_gflops"]["float64"]
    machine_ = cpu["machine"]
    text = {
        "bench_cpu": f"{machine_['cpu']}, {machine_['cores']} cores",
        "bench_cpu_date": cpu["measured"],
        "bench_cpu_libraries": f"NumPy {machine_['numpy']} with "
        f"{machine_['numpy_blas']}, PyTorch {machine_['torch']}",
        "course_numpy_us": f"{course['numpy'] * 1e6:.0f}",
        "course_torch_us": f"{course['torch'] * 1e6:.0f}",
        "course_ratio": f"{course['torch'] / course['numpy']:.1f}",
        "largest_numpy_ms": f"{biggest['numpy']['median_s'] * 1e3:.0f}",
        "largest_torch_ms": f"{biggest['torch']['median_s'] * 1e3:.0f}",
        "largest_size": f"{widest} hidden units and batches of {large}",
        "largest_verdict": _verdict(
            biggest["torch"]["median_s"] / biggest["numpy"]["median_s"]
        ),
        "numpy_gflops": f"{achieved:.1f}",
        "cpu_peak_gflops": f"{peak:.0f}",
        "peak_percent": f"{100 * achieved / peak:.1f}",
        "small_batch": str(small),
        "large_batch": str(large),
    }
    cpu_wins = [
        (batch, crossover(document, batch, "cpu", dtype), dtype)
        for batch in BATCHES
        for dtype in ("float64", "float32")
    ]
    cpu_wins = [(b, w, d) for b, w, d in cpu_wins if w is not None]
    text["cpu_crossover_sentence"] = (
        "On this processor PyTorch's CPU step never clearly beats NumPy's: "
        "at every batch size, NumPy is faster or within 10% at the widest "
        "layers."
        if not cpu_wins
        else "On this processor PyTorch's CPU step clearly beats NumPy's "
        "(by 10% or more) only in "
        + "; ".join(
            f"{dtype} from width {width} at batches of {batch}"
            for batch, width, dtype in cpu_wins
        )
        + "."
    )
    if gpu is None:
        text["gpu_sentence"] = (
            "No GPU series was measured: the file holds the CPU run alone, "
            "so the figures show no GPU lines."
        )
        text["gpu_crossover_sentence"] = ""
    else:
        gpu_times = [
            point["median_s"]
            for dtype in ("float32", "float64")
            for point in series(document, "cuda", "torch", dtype) or []
        ]
        wins = {
            batch: crossover(document, batch, "cuda", "float32")
            for batch in BATCHES
        }
        first = [
            f"from width {w} at batches of {b}"
            for b, w in wins.items()
            if w is not None
        ]
        gpu_machine = gpu["machine"]
        text["gpu_sentence"] = (
            f"The GPU lines come from an {gpu_machine['gpu']} (CUDA "
            f"{gpu_machine['cuda']}, PyTorch {gpu_machine['torch']}), "
            f"measured on {gpu['measured']} on another machine; a GPU step "
            f"is timed as the mean of {gpu['steps_per_timing']} steps run "
            "back to back, with the GPU's queue drained before the clock "
            "starts and before it is read."
        )
        text["gpu_crossover_sentence"] = (
            f"The GPU takes between {min(gpu_times) * 1e3:.1f} and "
            f"{max(gpu_times) * 1e3:.1f} ms for every step in the sweep, "
            "tiny or large: that is the cost of launching its kernels one "
            "by one from Python, and it dwarfs the arithmetic. "
            + (
                "It overtakes NumPy (in float32, by 10% or more) "
                + ", and ".join(first)
                + ", and never at batches of "
                + ", ".join(str(b) for b, w in wins.items() if w is None)
                + "."
                if first
                else "It never clearly overtakes NumPy in this sweep."
            )
        )
    boundary = cpu["boundary"]
    text["boundary_points"] = f"{boundary['grid_points']:,}"
    text["boundary_batched_ms"] = f"{boundary['batched_s'] * 1e3:.1f}"
    text["boundary_looped_ms"] = f"{boundary['looped_s'] * 1e3:.0f}"
    text["boundary_ratio"] = (
        f"{boundary['looped_s'] / boundary['batched_s']:.0f}"
    )
    return text | _breakdown_facts(document)
