"""Vectorised sweep against the same runs one by one: 16 runs (4 α × 4 seeds), sparse-cls
at ci scale, the small-model regime where per-call overhead dominates. The timed benchmark
is the batched sweep; runs per second for both sides go into ``extra_info``."""

from __future__ import annotations

import time

from benchmarks.harness import bench_env, max_trace_difference
from grokbench.engine import runner
from grokbench.engine.batch_run import plan, run_batch
from grokbench.engine.config import make_config

INIT_NORMS = (32, 64, 128, 256)
SEEDS = (0, 1, 2, 3)


def test_vectorised_vs_sequential_sweep(benchmark, device, threads, command):
    configs = [
        make_config(
            "sparse-cls", "ci", {"init_norm": str(norm), "seed": str(seed), "device": device}
        )
        for norm in INIT_NORMS
        for seed in SEEDS
    ]
    warmup = make_config("sparse-cls", "smoke", {"horizon": "0.05/wd", "device": device})
    runner.run(warmup)  # first-call costs of both paths out of the timing
    run_batch(configs[:2])
    start, cpu = time.perf_counter(), time.process_time()
    sequential = [runner.run(config) for config in configs]
    sequential_s, sequential_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    batched = benchmark.pedantic(run_batch, args=(configs,), rounds=1, iterations=1)
    batched_s, batched_cpu = time.perf_counter() - start, time.process_time() - cpu
    difference = max_trace_difference(batched, sequential)
    benchmark.extra_info.update(
        {
            "kind": "sweep",
            "experiment": "sparse-cls",
            "scale": "ci",
            "device": device,
            "command": command,
            "env": bench_env(device, threads),
            "runs": len(configs),
            "batches": len(plan(configs)),
            "sequential_s": sequential_s,
            "batched_s": batched_s,
            "sequential_runs_per_s": len(configs) / sequential_s,
            "batched_runs_per_s": len(configs) / batched_s,
            "speedup": sequential_s / batched_s,
            "cpu_speedup": sequential_cpu / batched_cpu,
            "max_rel_diff": difference,
            "grad_evals": [t.summary["grad_evals"] for t in batched],
        }
    )
    assert difference < 1e-10
