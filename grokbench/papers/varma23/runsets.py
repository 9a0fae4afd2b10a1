"""varma23's run sets: modular addition with the nanda23/Varma AdamW recipe (full batch,
β = (0.9, 0.98), decoupled λ = 1, α = 1, float64).

- varma23-dsweep: the training fraction D/p² swept from scratch (D_crit, semi-grokking,
  the norms of memorising and generalising solutions). ci: ``modadd-embed`` (embedding
  MLP) at p = 23, width 128, d 32, lr 0.01, t = 12 (1200 steps); paper: the authors'
  1-layer transformer (``modadd-transformer``, p = 113, d_model 128, 4 heads, d_mlp 512,
  lr 1e-3), 40 000 steps.
- varma23-ungrok: train on 80% of the table to t = T/3 (grokked), then continue
  (``phase2_keep``, grokbench.engine.phases: θ and the optimizer state carry over) on a
  nested subset of D₂ = 8%, 20%, 40% or 60% of the table to T (40%: between the
  efficiency crossing and D_crit within the budget; V1 reports it, judges the others).
Limits were fixed on the prototype's seeds 0–1 (/tmp/packs/varma23/); ci runs seeds 10–11.
"""

from __future__ import annotations

from typing import Any

from grokbench.spec import Overrides, RunSet

SEEDS = {"smoke": (10,), "ci": (10, 11), "paper": (10, 11, 12)}
#: the settings of each scale (experiment, sizes, lr, the from-scratch horizon, evals)
SETTINGS: dict[str, dict[str, Any]] = {
    "smoke": {"experiment": "modadd-embed", "p": 11, "width": 64, "d": 16, "lr": 0.01,
              "horizon": "3", "evals": 40},
    "ci": {"experiment": "modadd-embed", "p": 23, "width": 128, "d": 32, "lr": 0.01,
           "horizon": "12", "evals": 100},
    "paper": {"experiment": "modadd-transformer", "p": 113, "d_model": 128, "heads": 4,
              "d_mlp": 512, "lr": 1e-3, "horizon": "40", "evals": 400},
}  # fmt: skip
FRACS = {
    "smoke": (0.3, 0.6, 0.8),
    "ci": (0.25, 0.3, 0.35, 0.4, 0.43, 0.46, 0.5, 0.55, 0.6, 0.7),
    "paper": (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5),
}
#: the ungrokking runs: phase-1 fraction, phase-2 start (fraction of T), T, kept shares
UNGROK_FRAC, UNGROK_AT = 0.8, 1 / 3
UNGROK_HORIZON = {"smoke": "4.5", "ci": "13.5", "paper": "60"}
KEEPS = {"smoke": (0.1, 0.75), "ci": (0.1, 0.25, 0.5, 0.75), "paper": (0.05, 0.1, 0.2, 0.5)}
DSWEEP, UNGROK = "varma23-dsweep", "varma23-ungrok"


def _dsweep(scale: str) -> list[Overrides]:
    return [{**SETTINGS[scale], "frac": f, "seed": s} for s in SEEDS[scale] for f in FRACS[scale]]


def _ungrok(scale: str) -> list[Overrides]:
    base = {**SETTINGS[scale], "frac": UNGROK_FRAC, "horizon": UNGROK_HORIZON[scale],
            "phase2_at": UNGROK_AT}  # fmt: skip
    return [{**base, "phase2_keep": k, "seed": s} for s in SEEDS[scale] for k in KEEPS[scale]]


RUN_SETS: dict[str, RunSet] = {
    DSWEEP: RunSet(DSWEEP, "modadd-embed", _dsweep,
                   title="varma23: training fraction swept from scratch (D_crit)"),
    UNGROK: RunSet(UNGROK, "modadd-embed", _ungrok,
                   title="varma23: grokked at 80%, continued on a subset (ungrokking)"),
}  # fmt: skip
