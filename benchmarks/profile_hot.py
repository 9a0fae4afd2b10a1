"""Profile the hottest paths once: where a default-dynamics run and a batched sweep spend
their time (cProfile, by cumulative time in grokbench's and torch's functions).

    python benchmarks/profile_hot.py [--top 25] [--threads N]

Prints one table per case; benchmarks/NOTES.md summarises what they showed.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

import torch

from grokbench.engine import runner
from grokbench.engine.batch_run import run_batch
from grokbench.engine.config import make_config


def profile(label: str, work, top: int) -> None:  # type: ignore[no-untyped-def]
    work()  # warm up: imports, first-call costs
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(work)
    wall = time.perf_counter() - start
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(top)
    print(f"## {label}: {wall:.2f} s under the profiler\n")
    print(stream.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    sparse = make_config("sparse-cls", "ci")
    completion = make_config("matrix-completion", "ci")
    sweep = [
        make_config("sparse-cls", "ci", {"init_norm": str(norm), "seed": str(seed)})
        for norm in (32, 64, 128, 256)
        for seed in range(4)
    ]
    profile("sparse-cls ci, default flow (Dormand–Prince)", lambda: runner.run(sparse), args.top)
    profile("matrix-completion ci, default flow (RKC)", lambda: runner.run(completion), args.top)
    profile("16-run sparse-cls ci sweep, batched", lambda: run_batch(sweep), args.top)


if __name__ == "__main__":
    main()
