"""Time one training step across sizes and record it for the book.

Run by `make bench` (through scripts/bench.py); on its own:

    python scripts/bench_step.py                 # the CPU, and CUDA if present
    python scripts/bench_step.py --device cuda --out gpu.json

The CPU run also times the widest NumPy step part by part (its forward
products, activations, loss gradient, activation derivatives, backward
products and update; stepbench.breakdown). Each device's run replaces the
earlier run on that device in the file and keeps the others, so a GPU run
measured elsewhere survives a CPU-only sweep.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book"))

from mlpcourse import stepbench  # noqa: E402
from mlpcourse.data import decision_scores  # noqa: E402
from mlpcourse.plots import grid_points, grid_scores  # noqa: E402
from mlpcourse.settings import LINEAR  # noqa: E402


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
    batched = stepbench.time_calls(lambda: grid_scores(predict), repeats=21)
    looped = stepbench.time_calls(lambda: boundary_by_loop(predict), repeats=5)
    return {
        "grid_points": len(grid_points()),
        "batched_s": statistics.median(batched),
        "looped_s": statistics.median(looped),
    }


def measure(devices: list[str], out: Path) -> None:
    runs = []
    for name in devices:
        print(f"  timing one step on {name} ...", file=sys.stderr)
        run = stepbench.run(torch.device(name))
        if name == "cpu":
            run["boundary"] = time_boundary()
            print(
                "  timing the widest NumPy step part by part ...",
                file=sys.stderr,
            )
            run["breakdown"] = stepbench.breakdown()
        runs.append(run)
    stepbench.save(runs, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--device",
        action="append",
        choices=["cpu", "cuda"],
        help="device to time (repeatable); default: cpu, and cuda if present",
    )
    parser.add_argument("--out", type=Path, default=stepbench.STEP_BENCHMARK)
    args = parser.parse_args(argv)
    devices = args.device or (
        ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]
    )
    measure(devices, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
