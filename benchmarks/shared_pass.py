"""Side by side on sparse-cls's paper-scale training set (256 × 10⁵, seed 0, one thread):
the batched gradient of k members that share the dataset (one ``BatchedObjective.grad``,
what a work unit of one seed computes) against k gradients of one member each (what k
units of one run each compute; such a unit takes ``Objective.grad``, also timed), and
the diagonal net's x @ wᵀ with w contiguous against the transposed view. Prints JSON:
milliseconds per call and the ratios.

usage: python benchmarks/shared_pass.py [K ...]   (default 1 2 3 4)
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

import torch

from grokbench.engine import runner
from grokbench.engine.batched import BatchedObjective
from grokbench.engine.config import make_config


def _ms(call: Callable[[], object], repeats: int = 10) -> float:
    call()
    start = time.perf_counter()
    for _ in range(repeats):
        call()
    return (time.perf_counter() - start) / repeats * 1e3


def main(sizes: tuple[int, ...] = (1, 2, 3, 4)) -> None:
    torch.set_num_threads(1)
    config = make_config("sparse-cls", "paper", {"seed": 0, "n_test": 1000})
    prepared = runner.prepare(config, training=True)
    data, theta0 = prepared.data, prepared.theta0
    generator = torch.Generator().manual_seed(0)
    largest = max(sizes)
    noise = torch.randn((largest, *theta0.shape), generator=generator, dtype=theta0.dtype)
    states = theta0 * (1 + 1e-3 * noise)
    alone = BatchedObjective(prepared.flat, [data], [0], [config.wd])
    one = _ms(lambda: alone.grad(states[:1]))
    objective = runner.objective_of(prepared)  # a unit of one run takes this path
    one_autograd = _ms(lambda: objective.grad(states[0]))
    rows = []
    for k in sizes:
        shared = BatchedObjective(prepared.flat, [data], [0] * k, [config.wd] * k)
        together = _ms(lambda k=k, shared=shared: shared.grad(states[:k]))  # type: ignore[misc]
        rows.append({"members": k, "shared_ms": together, "separate_ms": k * one,
                     "separate_over_shared": k * one / together})  # fmt: skip
    x = data.x_train
    weights = states[:largest, : theta0.shape[0] // 2].T  # a d × k view, as forward makes
    view = _ms(lambda: x @ weights)
    contiguous = _ms(lambda: x @ weights.contiguous())
    print(json.dumps({"per_member_alone_ms": one, "one_run_objective_ms": one_autograd,
                      "rows": rows,
                      "forward_view_ms": view, "forward_contiguous_ms": contiguous,
                      "view_over_contiguous": view / contiguous}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (1, 2, 3, 4))
