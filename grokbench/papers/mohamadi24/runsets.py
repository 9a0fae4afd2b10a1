"""mohamadi24's run set: a sweep over p × training fraction × seed of ``modadd-quad`` (the
paper's one-hidden-layer quadratic net, MSE on one-hot targets) with AdamW weight decay
λ = 1 (our stand-in for the paper's small ℓ∞ regulariser), each member recording the
kernel predictors of its own NTK at θ̄ on the same split (``probes.kernel_probe``).

- ci: p ∈ {11, 17, 23, 31}, fractions 0.25–0.75, seeds 0–1 (the limits were fixed on the
  prototype's seed 100, fractions 0.2–0.8: /tmp/packs/mohamadi24/proto2.py).
- paper: p ∈ {31, 47, 61, 79, 97}, fractions 0.1–0.6, N 500, 2000 steps, seeds 0–2
  (hours on a CPU: ``--set device=cuda``).
- smoke: seconds; its verdicts mean nothing.

``mohamadi24-relu`` (paper scale only, for KD1): lyu24's ``modadd`` (the two-layer ReLU net,
α = 10, full-batch GD with weight decay) at its paper preset, seeds 0–1, with the same probe,
so the kernel distance is also measured where lyu24's kernel phase is predicted. At ci one
run is 96 s (measured, p 31), out of the pack's budget.
"""

from __future__ import annotations

from grokbench.papers.mohamadi24.probes import kernel_probe
from grokbench.papers.mohamadi24.sweep import summary_rows
from grokbench.spec import BaselineResult, Overrides, ProbeFactory, RunSet

SWEEP, RELU = "mohamadi24-sweep", "mohamadi24-relu"
#: scale → (p values, training fractions, seeds)
GRIDS: dict[str, tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...]]] = {
    "smoke": ((11, 17), (0.4, 0.7), (0,)),
    "ci": ((11, 17, 23, 31), (0.25, 0.35, 0.45, 0.55, 0.65, 0.75), (0, 1)),
    "paper": ((31, 47, 61, 79, 97), (0.1, 0.2, 0.3, 0.4, 0.5, 0.6), (0, 1, 2)),
}
#: AdamW's decoupled weight decay of the sweep (the claims are about a regularised net)
WEIGHT_DECAY = 1.0


def _grid(scale: str) -> list[Overrides]:
    ps, fractions, seeds = GRIDS[scale]
    return [{"p": p, "frac": frac, "seed": seed, "wd": WEIGHT_DECAY}
            for p in ps for frac in fractions for seed in seeds]  # fmt: skip


def _relu_grid(scale: str) -> list[Overrides]:
    return [{"seed": seed} for seed in (0, 1)]


def _probes(_: dict[str, BaselineResult]) -> list[ProbeFactory]:
    return [kernel_probe]


RUN_SETS: dict[str, RunSet] = {
    SWEEP: RunSet(SWEEP, "modadd-quad", _grid, probes=_probes,
                  title="mohamadi24: p × training-fraction sweep, net vs its NTK predictors",
                  summary=summary_rows),
    RELU: RunSet(RELU, "modadd", _relu_grid, probes=_probes, paper_only=True,
                 title="mohamadi24: lyu24's ReLU modadd (α = 10, GD), kernel distance"),
}  # fmt: skip
