"""grokbench's default dynamics against the paper-style GD loop, side by side, ci scale.

Each side runs in a fresh process (so peak memory is its own), after a short warm-up run,
to the same horizon; grokbench's times are medians of six runs, three before the
reference and three after it (30 s to minutes, one run), so both sides see the load of a
shared machine alike. The ratios and the t_grok difference go into pytest-benchmark's
``extra_info``; the timed benchmark itself is the grokbench run in this process. Nothing
here asserts on time.
"""

from __future__ import annotations

import pytest

from benchmarks.harness import bench_env, measure_in_child, merge, ratio, relative_difference
from grokbench.engine import runner
from grokbench.engine.config import make_config

EXPERIMENTS = ["sparse-cls", "matrix-completion", "misgrok"]


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_default_dynamics_vs_paper_loop(benchmark, experiment, device, threads, command):
    overrides = {"device": device}
    # grokbench before and after the (long) reference, so both see the machine's load.
    before = measure_in_child("grokbench", experiment, overrides, threads, repeats=3)
    reference = measure_in_child("reference", experiment, overrides, threads)
    ours = merge(before, measure_in_child("grokbench", experiment, overrides, threads, repeats=3))
    config = make_config(experiment, "ci", overrides)
    benchmark.extra_info.update(
        {
            "kind": "vs_paper_loop",
            "experiment": experiment,
            "scale": "ci",
            "device": device,
            "command": command,
            "env": bench_env(device, threads),
            "grokbench": ours,
            "reference": reference,
            "wall_ratio": ratio(reference["wall_s"], ours["wall_s"]),
            "cpu_ratio": ratio(reference["cpu_s"], ours["cpu_s"]),
            "grad_evals_ratio": ratio(reference["grad_evals"], ours["grad_evals"]),
            "memory_ratio": ratio(reference["peak_mb"], ours["peak_mb"]),
            "t_grok_rel_diff": relative_difference(ours["t_grok"], reference["t_grok"]),
        }
    )
    trace = benchmark.pedantic(runner.run, args=(config,), rounds=1, iterations=1)
    assert trace.status == "ok" and reference["status"] == "ok"
    assert trace.summary["t_end"] == pytest.approx(reference["t_end"])  # the same horizon
