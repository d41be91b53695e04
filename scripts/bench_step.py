"""Time one training step across sizes and write book/data/step.json.

Run by `make bench` (through scripts/bench.py); on its own:

    python scripts/bench_step.py                 # the CPU, and CUDA if present
    python scripts/bench_step.py --device cuda --out gpu.json

One step is what both training loops repeat: forward pass, mean squared
error, backward pass, update, for the course's 2-h-1 tanh network. It is
timed in NumPy and in PyTorch over the grid of hidden widths and batch sizes
of mlpcourse.pages.stepbench, which reads the file for the book and holds its
schema. The CPU run also times the widest NumPy step part by part (its
forward products, activations, loss gradient, activation derivatives,
backward products and update; ``breakdown``) and the decision-boundary grid,
and every run describes its machine. Each device's run replaces the earlier
run on that device in the file and keeps the others, so a GPU run measured
elsewhere survives a CPU-only sweep.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book"))

from mlpcourse import scratch, torch_mlp  # noqa: E402
from mlpcourse.data import decision_scores  # noqa: E402
from mlpcourse.pages.plots import grid_points, grid_scores  # noqa: E402
from mlpcourse.pages.stepbench import (  # noqa: E402
    BATCHES,
    BREAKDOWN_SIZE,
    N_INPUTS,
    N_OUTPUTS,
    SCHEMA,
    STEP_BENCHMARK,
    WIDTHS,
    Point,
    step_flops,
)
from mlpcourse.settings import LINEAR  # noqa: E402

# (library, dtype) pairs timed on the CPU; on a GPU, PyTorch's two alone.
CPU_SERIES = (("numpy", "float64"), ("torch", "float64"), ("torch", "float32"))
GPU_SERIES = (("torch", "float64"), ("torch", "float32"))


def _numpy_problem(batch: int, width: int, rng: np.random.Generator):
    """The scratch network, its points and its targets: one step's data."""
    model = scratch.MLP(N_INPUTS, width, N_OUTPUTS, "tanh", "tanh", seed=0)
    points = rng.uniform(size=(batch, N_INPUTS))
    targets = np.sign(rng.uniform(-1, 1, size=(batch, N_OUTPUTS)))
    return model, points, targets


def _numpy_step(batch: int, width: int, rng: np.random.Generator):
    model, points, targets = _numpy_problem(batch, width, rng)

    def step() -> None:
        model.zero_grad()
        outputs = model.forward(points)
        model.backward(scratch.mse_gradient(outputs, targets))
        model.step(0.05)

    return step


def _numpy_parts(
    batch: int, width: int, rng: np.random.Generator
) -> tuple[list[tuple[str, str, Callable[[], object]]], Callable[[], object]]:
    """The NumPy step of ``_numpy_step``, cut into its operations.

    Returns ``(part, operation, call)`` for each operation, in the order
    the step runs them, and a yardstick: one addition of two arrays of the
    hidden layer's size. Each call repeats its operation with the very
    methods the step uses (``Dense.forward``, ``Dense.backward``, the
    activation and its derivative) on the arrays one step computed.
    """
    model, points, targets = _numpy_problem(batch, width, rng)
    hidden, output = model.hidden, model.output
    hidden_act, output_act = model.hidden_activation, model.output_activation
    hidden_z = hidden.forward(points)
    hidden_a = hidden_act(hidden_z)
    output_z = output.forward(hidden_a)
    outputs = output_act(output_z)
    grad_outputs = scratch.mse_gradient(outputs, targets)
    grad_output_z = grad_outputs * output_act.derivative(outputs)
    grad_hidden_a = output.backward(grad_output_z)
    grad_hidden_z = grad_hidden_a * hidden_act.derivative(hidden_a)

    def update() -> None:
        model.zero_grad()
        model.step(0.05)

    operations = [
        ("forward products", "X W1 + b1", lambda: hidden.forward(points)),
        ("activations", "tanh, hidden layer", lambda: hidden_act(hidden_z)),
        ("forward products", "A1 W2 + b2", lambda: output.forward(hidden_a)),
        ("activations", "tanh, output layer", lambda: output_act(output_z)),
        (
            "loss gradient",
            "2 (Y - T) / n",
            lambda: scratch.mse_gradient(outputs, targets),
        ),
        (
            "activation derivatives",
            "output layer",
            lambda: grad_outputs * output_act.derivative(outputs),
        ),
        (
            "backward products",
            "output layer",
            lambda: output.backward(grad_output_z),
        ),
        (
            "activation derivatives",
            "hidden layer",
            lambda: grad_hidden_a * hidden_act.derivative(hidden_a),
        ),
        (
            "backward products",
            "hidden layer",
            lambda: hidden.backward(grad_hidden_z),
        ),
        ("update", "zero_grad and step", update),
    ]
    return operations, lambda: hidden_z + hidden_a


def breakdown(
    batch: int = BREAKDOWN_SIZE["batch"],
    width: int = BREAKDOWN_SIZE["width"],
    budget_s: float = 0.5,
) -> dict[str, Any]:
    """Time one NumPy step, each of its operations alone, and an addition.

    Every timing is the median of ``time_calls``, with its quartiles; the
    data are those of the sweep's step of the same size (seed 0).
    """
    operations, addition = _numpy_parts(batch, width, np.random.default_rng(0))
    timed = []
    for part, operation, call in operations:
        summary = _quartiles(time_calls(call, budget_s=budget_s))
        timed.append({"part": part, "operation": operation} | summary)
    step = _numpy_step(batch, width, np.random.default_rng(0))
    return {
        "batch": batch,
        "width": width,
        "operations": timed,
        "step": _quartiles(time_calls(step, budget_s=budget_s)),
        "addition": _quartiles(time_calls(addition, budget_s=budget_s)),
    }


def _torch_step(
    batch: int,
    width: int,
    rng: np.random.Generator,
    dtype: torch.dtype,
    device: torch.device,
):
    model = torch_mlp.TorchMLP(
        N_INPUTS, width, N_OUTPUTS, "tanh", "tanh", dtype=dtype, seed=0
    ).to(device)
    points = torch.from_numpy(rng.uniform(size=(batch, N_INPUTS)))
    targets = torch.from_numpy(
        np.sign(rng.uniform(-1, 1, size=(batch, N_OUTPUTS)))
    )
    points, targets = points.to(device, dtype), targets.to(device, dtype)
    loss_function = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

    def step() -> None:
        optimizer.zero_grad()
        loss_function(model(points), targets).backward()
        optimizer.step()

    return step


def time_calls(
    call: Callable[[], None],
    *,
    synchronise: Callable[[], None] = lambda: None,
    block: int = 1,
    warmup: int = 3,
    repeats: int = 7,
    budget_s: float = 0.5,
) -> list[float]:
    """Seconds per call, at least ``repeats`` times or for ``budget_s``.

    Each timing runs ``block`` calls back to back and divides. A GPU queues
    work and returns at once, so ``synchronise`` waits for the queue before
    the clock starts and before it is read; timing a block of steps per
    wait measures the steps, not the wait.
    """
    for _ in range(warmup):
        call()
    synchronise()
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < repeats or (
        time.perf_counter() - started < budget_s and len(times) < 200
    ):
        begin = time.perf_counter()
        for _ in range(block):
            call()
        synchronise()
        times.append((time.perf_counter() - begin) / block)
    return times


def _quartiles(times: list[float]) -> dict[str, float]:
    q1, median, q3 = statistics.quantiles(times, n=4, method="inclusive")
    return {"median_s": median, "q1_s": q1, "q3_s": q3, "runs": len(times)}


def _summary(times: list[float], batch: int, width: int) -> Point:
    return (
        {"width": width, "batch": batch}
        | _quartiles(times)
        | {"flops": step_flops(batch, width)}
    )


def matmul_peak_gflops(dtype: str, device: torch.device) -> float:
    """The machine's matrix-product speed: one large square product."""
    size = 8192 if device.type == "cuda" else 1024
    generator = torch.Generator().manual_seed(0)
    a, b = (
        torch.rand(
            size, size, generator=generator, dtype=getattr(torch, dtype)
        ).to(device)
        for _ in range(2)
    )
    times = time_calls(lambda: a @ b, synchronise=_synchroniser(device))
    return 2 * size**3 / statistics.median(times) / 1e9


def _synchroniser(device: torch.device) -> Callable[[], None]:
    if device.type == "cuda":
        return lambda: torch.cuda.synchronize(device)
    return lambda: None


def machine(device: torch.device) -> dict[str, Any]:
    """What the timings depend on: processor, cores, libraries, BLAS."""
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    description = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "numpy_blas": f"{blas['name']} {blas.get('version', '')}".strip(),
        "torch_threads": torch.get_num_threads(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
    }
    if device.type == "cuda":
        description["gpu"] = torch.cuda.get_device_name(device)
        description["cuda"] = torch.version.cuda
    return description


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run(
    device: torch.device,
    widths: Iterable[int] = WIDTHS,
    batches: Iterable[int] = BATCHES,
    budget_s: float = 0.5,
) -> dict[str, Any]:
    """Time every series on one device over the grid of sizes."""
    pairs = CPU_SERIES if device.type == "cpu" else GPU_SERIES
    synchronise = _synchroniser(device)
    block = 20 if device.type == "cuda" else 1
    series = []
    for library, dtype in pairs:
        points = []
        for batch in batches:
            for width in widths:
                rng = np.random.default_rng(0)
                if library == "numpy":
                    step = _numpy_step(batch, width, rng)
                else:
                    step = _torch_step(
                        batch, width, rng, getattr(torch, dtype), device
                    )
                times = time_calls(
                    step,
                    synchronise=synchronise,
                    block=block,
                    budget_s=budget_s,
                )
                points.append(_summary(times, batch, width))
        series.append({"library": library, "dtype": dtype, "points": points})
    result = {
        "device": device.type,
        "measured": datetime.date.today().isoformat(),
        "steps_per_timing": block,
        "machine": machine(device),
        "matmul_peak_gflops": {
            dtype: matmul_peak_gflops(dtype, device)
            for dtype in ("float64", "float32")
        },
        "series": series,
    }
    return result


def save(runs: list[dict[str, Any]], path: Path = STEP_BENCHMARK) -> None:
    """Write the runs, replacing earlier runs on the same devices only.

    A GPU run, measured on another machine, survives a CPU-only sweep.
    """
    measured = {new["device"] for new in runs}
    earlier = (
        json.loads(path.read_text(encoding="utf-8"))["runs"]
        if path.exists()
        else []
    )
    kept = [old for old in earlier if old["device"] not in measured]
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "schema": SCHEMA,
        "step": "forward, mean squared error, backward and SGD update of "
        f"a {N_INPUTS}-width-{N_OUTPUTS} tanh network",
        "runs": sorted(kept + runs, key=lambda r: r["device"]),
    }
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def boundary_by_loop(
    predict: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """The slow way to shade a boundary: one forward call per grid point."""
    return np.array(
        [
            decision_scores(predict(point[None, :]))[0]
            for point in grid_points()
        ]
    )


def time_boundary() -> dict[str, float]:
    """The decision-boundary grid: one batched call against a Python loop."""
    predict = LINEAR.make_scratch_model().predict
    np.testing.assert_allclose(
        boundary_by_loop(predict), grid_scores(predict).ravel()
    )
    batched = time_calls(lambda: grid_scores(predict), repeats=21)
    looped = time_calls(lambda: boundary_by_loop(predict), repeats=5)
    return {
        "grid_points": len(grid_points()),
        "batched_s": statistics.median(batched),
        "looped_s": statistics.median(looped),
    }


def measure(devices: list[str], out: Path) -> None:
    """Time every device in turn, then save their runs to ``out``."""
    runs = []
    for name in devices:
        print(f"  timing one step on {name} ...", file=sys.stderr)
        result = run(torch.device(name))
        if name == "cpu":
            result["boundary"] = time_boundary()
            print(
                "  timing the widest NumPy step part by part ...",
                file=sys.stderr,
            )
            result["breakdown"] = breakdown()
        runs.append(result)
    save(runs, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--device",
        action="append",
        choices=["cpu", "cuda"],
        help="device to time (repeatable); default: cpu, and cuda if present",
    )
    parser.add_argument("--out", type=Path, default=STEP_BENCHMARK)
    args = parser.parse_args(argv)
    devices = args.device or (
        ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]
    )
    measure(devices, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
