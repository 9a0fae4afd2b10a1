"""Integer products for ±1 inputs against float64's, at paper scale, side by side in one
process (one thread, best of ``--repeat``, the variants run in turn), and how far apart
they are: the late KKT probe's Gram X_r diag(s) X_rᵀ (``dsyrk`` against ``gram.sign_gram``)
and the diagonal net's NTK product X_test X_trainᵀ (float64 against ``gram.sign_products``).

usage: python benchmarks/gram_side.py [--m 256] [--d 100000] [--n 10000] [--repeat 7]
(``--n`` test rows: 8 GB of float64 at the default)
"""

from __future__ import annotations

import argparse
import functools

import torch

from benchmarks.harness import side_by_side
from grokbench.engine.gram import int8_signs, sign_products, weighted_gram


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=int, default=256)
    parser.add_argument("--d", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=10_000)
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
    del works, plain, integer
    tests = torch.randint(0, 2, (args.n, args.d), generator=generator, dtype=torch.float64) * 2 - 1
    products = {
        "float64 product": lambda: tests @ x.T,
        "integer (int8, checked and converted)": lambda: sign_products(tests, x),
    }
    best = side_by_side(products, max(1, args.repeat // 3))
    same = torch.equal(*(work() for work in products.values()))
    print(f"\n| n × d × m = {args.n} × {args.d} × {args.m} | best [ms] |")
    print("|---|---|")
    for name, ms in best.items():
        print(f"| {name} | {ms:.0f} |")
    print(f"the same matrix: {same}")


if __name__ == "__main__":
    main()
