"""The diagonal net's gradient with float64, float32 and int8 (fixed-point) training
products (``RunConfig.train_dtype``), side by side in one process, with each lowered
gradient's distance from float64's, and the matmul layouts behind the float32 path's choice
of transposed inputs. One thread, best of ``--repeat`` timings, the variants run in turn so
that the machine's drift hits them alike.

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

#: The training products compared: the run's precision, and the two lowered ones.
PRODUCTS = {"float64": None, "float32": torch.float32, "int8": torch.int8}


def gradient_row(prepared: Prepared, k: int, repeat: int) -> str:
    generator = torch.Generator().manual_seed(k)
    # θ(0) moved by up to 1% per entry: w = u² − v² and the residuals spread over decades
    size = (k, prepared.theta0.numel())
    spread = 1 + 0.01 * torch.rand(size, generator=generator, dtype=torch.float64) ** 4
    theta, members = prepared.theta0.repeat(k, 1) * spread, list(range(k))
    works = {}
    for name, dtype in PRODUCTS.items():
        batched = BatchedObjective(prepared.flat, [prepared.data], [0] * k, [1e-3] * k, dtype)
        works[name] = functools.partial(batched.grad_of, theta, members)
    ms = side_by_side(works, repeat)
    exact = works["float64"]()
    errors = {
        name: float((works[name]() - exact).abs().max() / exact.abs().max())
        for name in ("float32", "int8")
    }
    return (
        f"  k = {k}: "
        + ", ".join(f"{name} {value:.2f}" for name, value in ms.items())
        + f"; float32/int8 {ms['float32'] / ms['int8']:.2f}, float64/int8 "
        f"{ms['float64'] / ms['int8']:.2f}; max error relative to the largest entry: "
        + ", ".join(f"{name} {value:.1e}" for name, value in errors.items())
    )


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
