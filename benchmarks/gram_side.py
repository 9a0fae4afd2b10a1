"""The late KKT probe's Gram X_r diag(s) X_rᵀ at paper scale, float64 (``dsyrk``) against
integer products for ±1 inputs (``gram.sign_gram``), side by side in one process: one
thread, best of ``--repeat``, the variants run in turn; and how far apart they are.

usage: python benchmarks/gram_side.py [--m 256] [--d 100000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import functools

import torch

from benchmarks.harness import side_by_side
from grokbench.engine.gram import int8_signs, weighted_gram


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=int, default=256)
    parser.add_argument("--d", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(0)
    x = torch.randint(0, 2, (args.m, args.d), generator=generator, dtype=torch.float64) * 2 - 1
    # a late-phase s = u² + v²: a few coordinates large, the rest spread over 30 decades
    weights = torch.logspace(-30, 1, args.d, dtype=torch.float64)
    weights = weights[torch.randperm(args.d, generator=generator)]
    rows, signs = torch.arange(args.m), int8_signs(x)
    works = {
        "float64 (dsyrk)": functools.partial(weighted_gram, x, rows, weights),
        "integer (int8 limbs)": functools.partial(weighted_gram, x, rows, weights, signs=signs),
    }
    best = side_by_side(works, args.repeat)
    plain, integer = (work() for work in works.values())
    apart = float((integer - plain).abs().max() / plain.abs().max())
    print(f"| m × d = {args.m} × {args.d} | best [ms] |")
    print("|---|---|")
    for name, ms in best.items():
        print(f"| {name} | {ms:.0f} |")
    print(f"max |integer − float64| / max |G| = {apart:.1e}")


if __name__ == "__main__":
    main()
