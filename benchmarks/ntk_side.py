"""Side by side on sparse-cls's paper data (seed 0, one thread): the baselines' NTK from the
model's Jacobians (``ntk.ntk_blocks``) against the closed form (``ntk.closed_form``), and
their agreement.

usage: python benchmarks/ntk_side.py   (8 GB of data)
"""

from __future__ import annotations

import json
import time

import torch

from grokbench.baselines import ntk
from grokbench.engine.config import make_config
from grokbench.engine.runner import prepare


def main() -> None:
    torch.set_num_threads(1)
    prepared = prepare(make_config("sparse-cls", "paper", {"seed": 0}))
    data, model = prepared.data, prepared.model
    start = time.perf_counter()
    generic = ntk.ntk_blocks(model, [data.x_train, data.x_test], data.x_train)
    generic_s = time.perf_counter() - start
    closed = ntk.closed_form(model)
    assert closed is not None
    start = time.perf_counter()
    fast = [closed(x, data.x_train) for x in (data.x_train, data.x_test)]
    closed_s = time.perf_counter() - start
    pairs = zip(fast, generic, strict=True)
    difference = max(float((a - b).abs().max() / b.abs().max()) for a, b in pairs)
    print(json.dumps({"generic_s": generic_s, "closed_s": closed_s,
                      "speedup": generic_s / closed_s, "max_rel_diff": difference}))  # fmt: skip


if __name__ == "__main__":
    main()
