"""The step benchmark's writing side (scripts/bench_step.py): its steps,
its timings, its machine description and its saving.

Timings themselves are not tested (they belong to `make bench`); what is
tested is that the script times what it says: one step of each network on
the same data, each part of the NumPy step, every device's series, and that
it saves runs in the file that mlpcourse.pages.stepbench reads.
"""

import datetime
import inspect
import json
import platform
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from paths import ROOT

from mlpcourse import scratch, torch_mlp
from mlpcourse.pages import stepbench

sys.path.insert(0, str(ROOT / "scripts"))

import bench_step  # noqa: E402


def test_timing_waits_for_the_device_before_each_reading():
    events = []
    times = bench_step.time_calls(
        lambda: events.append("call"),
        synchronise=lambda: events.append("sync"),
        block=3,
        warmup=2,
        repeats=4,
        budget_s=0.0,
    )
    assert len(times) == 4
    assert events == ["call"] * 2 + ["sync"] + (["call"] * 3 + ["sync"]) * 4


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
    monkeypatch.setattr(
        bench_step, "time", SimpleNamespace(perf_counter=clock)
    )
    return bench_step.time_calls(clock.call, **options), clock.calls


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
    summary = bench_step._summary([5.0, 1.0, 4.0, 2.0, 3.0], 10, 4)
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
    numpy_step = bench_step._numpy_step(50, 3, np.random.default_rng(0))
    torch_step = bench_step._torch_step(
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
    step = bench_step._numpy_step(8, 3, np.random.default_rng(0))
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
    step = bench_step._torch_step(
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
    monkeypatch.setattr(bench_step, "time_calls", time_calls)
    monkeypatch.setattr(bench_step, "_numpy_step", numpy_step)
    monkeypatch.setattr(bench_step, "_torch_step", torch_step)
    monkeypatch.setattr(bench_step, "machine", lambda d: {"of": d.type})
    monkeypatch.setattr(
        bench_step,
        "matmul_peak_gflops",
        lambda dtype, d: {"float64": 3.0, "float32": 6.0}[dtype],
    )
    result = bench_step.run(
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
            bench_step._summary([4.0, 1.0, 3.0, 2.0, 5.0], b, w)
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

    monkeypatch.setattr(bench_step, "time_calls", time_calls)
    gflops = bench_step.matmul_peak_gflops("float32", torch.device("cpu"))
    assert gflops == pytest.approx(2 * 1024**3 / 2.0 / 1e9)  # median 2 s
    generator = torch.Generator().manual_seed(0)
    expected = torch.rand(1024, 1024, generator=generator)
    assert product["a"].dtype == torch.float32
    torch.testing.assert_close(product["a"], expected, rtol=0, atol=0)
    torch.testing.assert_close(product["ab"], product["a"] @ product["b"])


def test_only_a_gpu_is_waited_for(monkeypatch):
    waited = []
    monkeypatch.setattr(torch.cuda, "synchronize", waited.append)
    bench_step._synchroniser(torch.device("cpu"))()
    assert waited == []
    bench_step._synchroniser(torch.device("cuda"))()
    assert waited == [torch.device("cuda")]


def test_machine_describes_the_processor_and_libraries(monkeypatch):
    """What a reader needs to compare timings: the file's schema keys, the
    processor, the versions actually imported, the BLAS kernel setting."""
    monkeypatch.setattr(bench_step, "_cpu_model", lambda: "Test CPU")
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    description = bench_step.machine(torch.device("cpu"))
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
    assert bench_step.machine(torch.device("cpu"))["openblas_coretype"] is None
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda d: "Fake GPU")
    monkeypatch.setattr(torch.version, "cuda", "12.1")
    on_gpu = bench_step.machine(torch.device("cuda"))
    assert (on_gpu["gpu"], on_gpu["cuda"]) == ("Fake GPU", "12.1")


def test_the_cpu_model_comes_from_cpuinfo_or_platform(monkeypatch, tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nvendor_id\t: Test\n"
        "model name\t: Test CPU: 3.0 GHz\nflags\t: fpu\n"
    )
    monkeypatch.setattr(bench_step, "Path", lambda _: cpuinfo)
    assert bench_step._cpu_model() == "Test CPU: 3.0 GHz"
    cpuinfo.unlink()  # no /proc/cpuinfo: ask platform
    monkeypatch.setattr(platform, "processor", lambda: "arm")
    monkeypatch.setattr(platform, "machine", lambda: "aarch64")
    assert bench_step._cpu_model() == "arm"
    monkeypatch.setattr(platform, "processor", lambda: "")
    assert bench_step._cpu_model() == "aarch64"


def test_save_replaces_runs_of_the_same_device_only(tmp_path):
    path = tmp_path / "book" / "data" / "step.json"  # made as needed
    bench_step.save([{"device": "cuda", "measured": "gpu 1"}], path)
    bench_step.save([{"device": "cpu", "measured": "cpu 1"}], path)
    bench_step.save([{"device": "cpu", "measured": "cpu 2"}], path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    document = json.loads(text)
    assert document["schema"] == stepbench.SCHEMA
    assert [(r["device"], r["measured"]) for r in document["runs"]] == [
        ("cpu", "cpu 2"),
        ("cuda", "gpu 1"),
    ]


def test_a_tiny_sweep_runs_and_saves_beside_other_devices(tmp_path):
    run = bench_step.run(
        torch.device("cpu"), widths=(4, 8), batches=(10, 20), budget_s=0.0
    )
    run["boundary"] = bench_step.time_boundary()
    run["breakdown"] = bench_step.breakdown(batch=20, width=8, budget_s=0.0)
    path = tmp_path / "step.json"
    gpu = [r for r in stepbench.load()["runs"] if r["device"] == "cuda"]
    bench_step.save(gpu, path)  # a GPU run measured elsewhere ...
    bench_step.save([run], path)  # ... survives a CPU sweep
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
    step = bench_step._numpy_step(8, 3, np.random.default_rng(0))
    operations, addition = bench_step._numpy_parts(
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
    operations, _ = bench_step._numpy_parts(8, 3, np.random.default_rng(0))
    by_name = {operation: call for _, operation, call in operations}
    model, points, targets = bench_step._numpy_problem(
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

    monkeypatch.setattr(bench_step, "time_calls", time_calls)
    result = bench_step.breakdown(batch=20, width=8, budget_s=0.25)
    operations, _ = bench_step._numpy_parts(20, 8, np.random.default_rng(0))
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
    defaults = inspect.signature(bench_step.breakdown).parameters
    assert defaults["batch"].default == 4000
    assert defaults["width"].default == 4096


def test_the_step_script_adds_the_breakdown_to_the_cpu_run(
    monkeypatch, tmp_path
):
    monkeypatch.setattr(
        bench_step, "run", lambda device: {"device": device.type}
    )
    monkeypatch.setattr(bench_step, "time_boundary", lambda: "the boundary")
    monkeypatch.setattr(bench_step, "breakdown", lambda: "the breakdown")
    saved = []
    monkeypatch.setattr(
        bench_step, "save", lambda runs, out: saved.append(runs)
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
