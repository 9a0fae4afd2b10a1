"""Where one run's gradient evaluations go, by λt: the run's records carry the running count,
so the counts between λt edges show which phase sets the cost, and the step size there
(time per accepted step) whether it grows once the state is at rest. Side by side for
several ``--set``-style override sets, each a run of its own in this process (one thread).

usage: python benchmarks/gradients_by_phase.py EXPERIMENT SCALE "k=v k=v" ["k=v" ...]
e.g.   python benchmarks/gradients_by_phase.py sparse-cls paper \
           "d=20000 n_test=1000 integrator=dopri5" "d=20000 n_test=1000 integrator=rkc"
"""

from __future__ import annotations

import itertools
import json
import sys
import time

import numpy as np
import torch

from grokbench.engine import runner
from grokbench.engine.config import make_config, parse_overrides

EDGES = (0.0, 0.01, 0.1, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 20.0, 25.0)


def by_phase(experiment: str, scale: str, overrides: dict[str, str]) -> dict[str, object]:
    """One run: its gradient count and step size per λt bin, and what a check reads."""
    config = make_config(experiment, scale, overrides)
    start = time.perf_counter()
    trace = runner.run(config)
    wall = time.perf_counter() - start
    lt = np.array([r.t for r in trace.records]) * config.wd
    grads = np.array([r.grad_evals for r in trace.records])
    steps = np.array([r.step for r in trace.records])
    at = [min(int(np.searchsorted(lt, edge)), len(lt) - 1) for edge in EDGES]
    bins = {}
    for (lo, hi), (i, j) in zip(itertools.pairwise(EDGES), itertools.pairwise(at), strict=True):
        if j > i:
            step = (lt[j] - lt[i]) / config.wd / max(int(steps[j] - steps[i]), 1)
            bins[f"{lo:g}-{hi:g}"] = {"grads": int(grads[j] - grads[i]), "h": round(step, 3)}
    summary = trace.summary
    return {
        "overrides": overrides,
        "grad_evals": summary["grad_evals"],
        "steps": summary["steps"],
        "wall_s": round(wall, 2),
        "t_grok": summary.get("t_grok"),
        "final_test_loss": trace.records[-1].test_loss,
        "final_train_loss": trace.records[-1].train_loss,
        "by_lambda_t": bins,
    }


if __name__ == "__main__":
    torch.set_num_threads(1)
    name, scale, *sets = sys.argv[1:]
    for text in sets:
        print(json.dumps(by_phase(name, scale, parse_overrides(text.split()))))
