"""torch's draws against grokbench.engine.draws' (the same numbers), side by side in one
process: float64 normals (a misgrok test set) and ±1 signs (a sparse one), each into fresh
memory as a dataset is drawn, plus the fit cache's key of ±1 data whole against by its packed
signs. One thread, best of ``--repeat``, the variants run in turn.

usage: python benchmarks/draws_side.py [--values 100000000] [--repeat 3]
"""

from __future__ import annotations

import argparse

import joblib
import torch

from benchmarks.harness import side_by_side
from grokbench.baselines.fingerprint import data_fingerprint
from grokbench.engine import draws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=10**8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    count = args.values

    def seeded() -> torch.Generator:
        return torch.Generator().manual_seed(0)

    signs = draws.signs((count,), seeded()).numpy()
    works = {
        "torch.randn float64": lambda: torch.randn(count, generator=seeded(), dtype=torch.float64),
        "draws.normal": lambda: draws.normal((count,), seeded()),
        "randint float64 *2-1": lambda: (
            torch.randint(0, 2, (count,), generator=seeded(), dtype=torch.float64).mul_(2).sub_(1)
        ),
        "draws.signs": lambda: draws.signs((count,), seeded()),
        "sha1 of ±1 data whole": lambda: joblib.hash(("key", (signs,)), hash_name="sha1"),
        "sha1 of ±1 data by signs": lambda: data_fingerprint("key", (signs,)),
    }
    best = side_by_side(works, args.repeat)
    print(f"| work ({count:.0e} values) | best [ms] | ns a value |")
    print("|---|---|---|")
    for name, ms in best.items():
        print(f"| {name} | {ms:.0f} | {ms * 1e6 / count:.2f} |")


if __name__ == "__main__":
    main()
