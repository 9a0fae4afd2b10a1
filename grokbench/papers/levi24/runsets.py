"""levi24's run sets on ``linear-teacher`` (float64, full-batch GD, d_out = 1).

- levi24-lambda: λ = d/N sweep at γ = 0 (Fig. 1). ci: d 400, λ ∈ {0.2, 0.35, 0.5, 0.65},
  lr 0.05; paper: d 1000, λ ∈ {0.1, 0.5, 0.8, 0.9}, η 0.01 (Fig. 1's).
- levi24-wd: weight decay γ at λ = 0.5 (Fig. 3 sweeps γ at λ = 0.9). ci: γ ∈ {0, 0.003,
  0.006, 0.03} (0.03 puts Eq. 16's floor above ε/4).
Each member runs to 1.5× the ε = 1e-6 crossing of the test loss by Eq. 24. The limits were
fixed on the prototype's seeds 0–2 (exact flow, /tmp/packs/levi24/proto.py); ci and paper
run seed 5, so the ci verdicts are out of sample.
"""

from __future__ import annotations

from grokbench.engine.linear_teacher import threshold_probe
from grokbench.papers.levi24.theory import eq24
from grokbench.spec import BaselineResult, Overrides, ProbeFactory, RunSet

SEED = 5
LAMBDAS = {"smoke": (0.35, 0.65), "ci": (0.2, 0.35, 0.5, 0.65), "paper": (0.1, 0.5, 0.8, 0.9)}
GAMMAS = {"smoke": (0.0, 0.006, 0.03), "ci": (0.0, 0.003, 0.006, 0.03),
          "paper": (0.0, 0.003, 0.006, 0.03)}  # fmt: skip
WD_LAMBDA = 0.5
#: per scale: (d, lr, evals)
SIZES = {"smoke": (40, 0.05, 80), "ci": (400, 0.05, 300), "paper": (1000, 0.01, 1000)}


def member(scale: str, lam: float, gamma: float = 0.0) -> Overrides:
    """One member: λ, γ, and a horizon of 1.5× Eq. 24's ε = 1e-6 crossing."""
    d, lr, evals = SIZES[scale]
    horizon = 1.5 * eq24(lam, 1e-6)[1]
    return {"d": d, "lam": lam, "wd": gamma, "lr": lr, "horizon": f"{horizon:.6g}",
            "evals": evals, "seed": SEED, "threshold": 1e-3}  # fmt: skip


def _lambda_grid(scale: str) -> list[Overrides]:
    return [member(scale, lam) for lam in LAMBDAS[scale]]


def _wd_grid(scale: str) -> list[Overrides]:
    return [member(scale, WD_LAMBDA, g) for g in GAMMAS[scale]]


def _probes(_: dict[str, BaselineResult]) -> list[ProbeFactory]:
    return [threshold_probe]


RUN_SETS: dict[str, RunSet] = {
    "levi24-lambda": RunSet("levi24-lambda", "linear-teacher", _lambda_grid, probes=_probes,
                            title="levi24: λ = d/N sweep at γ = 0 (Fig. 1)"),
    "levi24-wd": RunSet("levi24-wd", "linear-teacher", _wd_grid, probes=_probes,
                        title="levi24: weight decay γ at λ = 0.5 (Fig. 3)"),
}  # fmt: skip
