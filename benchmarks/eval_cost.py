"""Where a paper-scale run's time goes: one evaluation (train and test split, float64,
state by state) against the flow with 20 evaluations, seed 0, one thread.

usage: python benchmarks/eval_cost.py EXPERIMENT   (misgrok, sparse-cls; 8 GB of data)
"""

from __future__ import annotations

import json
import sys
import time

import torch

from grokbench.engine import runner
from grokbench.engine.config import make_config
from grokbench.engine.objective import Objective


def main(experiment: str) -> None:
    torch.set_num_threads(1)
    start = time.perf_counter()
    config = make_config(experiment, "paper", {"seed": 0})
    prepared = runner.prepare(config)
    out: dict[str, float] = {"prepare_s": time.perf_counter() - start}
    objective = Objective(prepared.flat.function, prepared.data, config.wd)
    objective.evaluate(prepared.theta0)  # warm-up
    start = time.perf_counter()
    for _ in range(5):
        objective.evaluate(prepared.theta0 * 1.0001)
    out["eval_s"] = (time.perf_counter() - start) / 5
    start = time.perf_counter()
    trace = runner.run(make_config(experiment, "paper", {"seed": 0, "evals": 20}))
    out["flow_evals20_s"] = time.perf_counter() - start
    out["grad_evals"] = trace.summary.get("grad_evals", 0)
    out["projected_s_per_seed"] = (
        out["prepare_s"] + out["flow_evals20_s"] + config.evals * out["eval_s"]
    )
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
