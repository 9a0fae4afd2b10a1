"""The diagonal net's gradient with float64 against float32 training products
(``RunConfig.train_dtype``), side by side in one process, and the matmul layouts behind the
lowered path's choice of transposed inputs. One thread, best of ``--repeat`` timings, the
variants run in turn so that the machine's drift hits them alike.

usage: python benchmarks/lowered_products.py [--n 256] [--d 100000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import functools

import torch

from benchmarks.harness import side_by_side
from grokbench.engine.batched import BatchedObjective
from grokbench.engine.config import make_config
from grokbench.engine.runner import Prepared, prepare


def gradient_row(prepared: Prepared, k: int, repeat: int) -> str:
    generator = torch.Generator().manual_seed(k)
    spread = 1 + 0.01 * torch.rand(k, 1, generator=generator, dtype=torch.float64)
    theta, members = prepared.theta0.repeat(k, 1) * spread, list(range(k))
    works = {}
    for name, dtype in (("float64", None), ("float32", torch.float32)):
        batched = BatchedObjective(prepared.flat, [prepared.data], [0] * k, [1e-3] * k, dtype)
        works[name] = functools.partial(batched.grad_of, theta, members)
    ms = side_by_side(works, repeat)
    ratio = ms["float64"] / ms["float32"]
    return f"  k = {k}: float64 {ms['float64']:.2f}, float32 {ms['float32']:.2f}, ratio {ratio:.2f}"


def layout_row(x: torch.Tensor, x_t: torch.Tensor, k: int, repeat: int) -> str:
    w, g = torch.randn(k, x.shape[1]), torch.randn(k, x.shape[0])
    works = {
        "forward w @ x.T": functools.partial(torch.matmul, w, x.t()),
        "forward w @ x_t": functools.partial(torch.matmul, w, x_t),
        "backward g @ x": functools.partial(torch.matmul, g, x),
        "backward g @ x_t.T": functools.partial(torch.matmul, g, x_t.t()),
    }
    ms = side_by_side(works, repeat)
    return f"  k = {k}: " + ", ".join(f"{name} {value:.2f}" for name, value in ms.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--d", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    torch.set_num_threads(1)
    n, d, repeat = args.n, args.d, args.repeat
    config = make_config("sparse-cls", "ci", {"n": n, "d": d, "n_test": 10})
    prepared = prepare(config, training=True)
    print(f"grad_of, sparse-cls inputs {n} × {d}, ms (best of {repeat})")
    for k in (1, 4):
        print(gradient_row(prepared, k, repeat))
    x = torch.randint(0, 2, (n, d), dtype=torch.float32) * 2 - 1
    x_t = x.t().contiguous()
    print(f"float32 products, inputs {n} × {d} row-major (x) or transposed (x_t), ms")
    for k in (1, 4):
        print(layout_row(x, x_t, k, repeat))


if __name__ == "__main__":
    main()
