"""Side by side on a paper-scale dataset (seed 0, one thread): both splits evaluated state
by state (``Objective.evaluate``) against STATES states at once
(``Objective.evaluate_states(train=True)``, what deferred evaluation does), and their
agreement; with more than one STATES, the chunk sizes side by side (per-state seconds of
the test split alone).

usage: python benchmarks/defer_side.py [EXPERIMENT] [STATES ...]
       (default misgrok 32; sparse-cls has the larger training set; 8 GB of data)
"""

from __future__ import annotations

import json
import sys
import time

import torch

from grokbench.engine import runner
from grokbench.engine.config import make_config
from grokbench.engine.objective import Objective


def main(experiment: str, states_at_once: int = 32, others: tuple[int, ...] = ()) -> None:
    torch.set_num_threads(1)
    prepared = runner.prepare(make_config(experiment, "paper", {"seed": 0}))
    objective = Objective(prepared.flat.function, prepared.data, prepared.config.wd)
    generator = torch.Generator().manual_seed(0)
    theta0 = prepared.theta0
    largest = max((states_at_once, *others))
    noise = torch.randn((largest, *theta0.shape), generator=generator, dtype=theta0.dtype)
    states = theta0 * (1 + 0.01 * noise)
    objective.evaluate(states[0])  # warm-up
    start = time.perf_counter()
    one_by_one = [objective.evaluate(state) for state in states[:8]]
    per_state_old = (time.perf_counter() - start) / 8
    start = time.perf_counter()
    scores, _ = objective.evaluate_states(states[:states_at_once], train=True)
    chunk = time.perf_counter() - start
    per_state_by_size = {states_at_once: chunk / states_at_once}
    for size in others:
        start = time.perf_counter()
        objective.evaluate_states(states[:size])
        per_state_by_size[size] = (time.perf_counter() - start) / size
    per_state_new = chunk / states_at_once
    pairs = list(zip(one_by_one, scores[:8], strict=True))
    print(json.dumps({
        "per_state_old_s": per_state_old,
        "chunk_s": chunk,
        "per_state_new_s": per_state_new,
        "speedup": per_state_old / per_state_new,
        "max_rel_test_loss_diff": max(abs(a["test_loss"] - b["test_loss"]) / abs(a["test_loss"])
                                      for a, b in pairs),
        "max_rel_train_loss_diff": max(
            abs(a["train_loss"] - b["train_loss"]) / abs(a["train_loss"]) for a, b in pairs),
        "max_train_margin_diff": max(abs(a["train_margin"] - b["train_margin"]) for a, b in pairs),
        "max_test_acc_diff": max(abs(a["test_acc"] - b["test_acc"]) for a, b in pairs),
        "test_split_s_per_state_by_chunk": per_state_by_size,
    }))  # fmt: skip


if __name__ == "__main__":
    args = sys.argv[1:]
    name = args.pop(0) if args and not args[0].isdigit() else "misgrok"
    sizes = [int(arg) for arg in args] or [32]
    main(name, sizes[0], tuple(sizes[1:]))
