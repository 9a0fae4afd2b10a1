"""gromov23's run set: modadd-quad (quadratic MLP, MSE, Adam with λ = 0) over seeds, plus
one lazy-init contrast member (α = 1: θ₀ = N(0, 1), which memorises without grokking in
the prototype; it meets kumar24's laziness claim).

- ci: the measured proxy (p 23, 80% train, N 256, 500 steps of lr 0.005), seeds 2–4 (the
  limits were fixed on engine seeds 0–1 and the standalone prototype's seed 100); the lazy
  member runs seed 2.
- paper: p 97, 50% train, N 500 (docs/papers/gromov23.md, §2), seed 0 (+ lazy seed 0).
- smoke: seconds; its verdicts mean nothing.
"""

from __future__ import annotations

from grokbench.papers.gromov23.probes import periodic_probe
from grokbench.spec import BaselineResult, Overrides, ProbeFactory, RunSet

SEEDS = {"smoke": (2,), "ci": (2, 3, 4), "paper": (0,)}
#: grokbench's α (init scale) of the rich members and of the lazy contrast member
RICH_ALPHA, LAZY_ALPHA = 0.3, 1.0


def _grid(scale: str) -> list[Overrides]:
    pinned = {"wd": 0.0, "loss": "mse"}  # the claims are about no regularisation, MSE
    rich = [{**pinned, "alpha": RICH_ALPHA, "seed": s} for s in SEEDS[scale]]
    return [*rich, {**pinned, "alpha": LAZY_ALPHA, "seed": SEEDS[scale][0]}]


def _probes(_: dict[str, BaselineResult]) -> list[ProbeFactory]:
    return [periodic_probe]


RUN_SETS: dict[str, RunSet] = {
    "gromov23-quad": RunSet("gromov23-quad", "modadd-quad", _grid, probes=_probes,
                            title="gromov23: quadratic MLP, MSE, no regularisation (Fig. 2–4)"),
}  # fmt: skip
