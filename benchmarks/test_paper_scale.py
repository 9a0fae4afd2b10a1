"""Paper-scale wall times (opt-in with ``--paper``): sparse-cls to λt = 6 and
matrix-completion to 1.5× the predicted transition, each one run of the default dynamics."""

from __future__ import annotations

import pytest

from benchmarks.harness import PeakMemory, bench_env
from grokbench.engine import runner
from grokbench.engine.config import make_config

RUNS = {
    "sparse-cls": {},
    "matrix-completion": {"horizon": "1.5T"},
    "misgrok": {},
}


@pytest.mark.parametrize("experiment", list(RUNS))
def test_paper_scale(benchmark, paper, experiment, device, paper_threads, command):
    config = make_config(experiment, "paper", {**RUNS[experiment], "device": device})
    with PeakMemory(device) as memory:
        trace = benchmark.pedantic(runner.run, args=(config,), rounds=1, iterations=1)
    summary = trace.summary
    benchmark.extra_info.update(
        {
            "kind": "paper_scale",
            "experiment": experiment,
            "scale": "paper",
            "device": device,
            "command": command,
            "env": bench_env(device, paper_threads),
            "horizon": str(config.horizon),
            "peak_mb": memory.peak_bytes / 2**20,
            "summary": {k: v for k, v in summary.items() if isinstance(v, (int, float, str))},
            "status": trace.status,
        }
    )
    assert trace.status == "ok"
