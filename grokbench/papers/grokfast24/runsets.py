"""grokfast24's run set: the same runs with and without the Grokfast filter, same seeds.

Three arms per seed, identical but for the filter (grokbench.engine.grokfast): Adam (β 0.9,
0.98) with coupled L2 λ_wd = 0.005, as the authors' ``main.py`` (``--optimizer Adam
--weight_decay 0.005``); + EMA (α 0.98, λ 2: the authors' EMA command); + MA (w 100, λ 5:
their MA command, here at the same λ_wd so that one baseline serves both). Every run keeps
going to the horizon (no early stop): GF2 reads the final accuracy.

- ci: the proxy (docs/papers/grokfast24.md, §2): the ``binop`` embedding MLP on x+y mod 23,
  80% train, minibatch 512, warm-up 10, float32, 2000 updates of lr 3e-3. Seeds 21–23: the
  limits were fixed on the prototype's seeds 0–1, none of which is a ci seed.
- paper: the paper's task and budget with Power et al.'s 2-layer decoder
  (``binop-transformer``, d 128, 4 heads): x·y mod 97, 50% train, lr 1e-3, 10⁵ updates
  (the baseline's 95% comes at ≈ 4·10⁴), seeds 0–2; ``requires=("gpu@paper",)``.
- smoke: seconds (p 11, 400 updates, one seed); its verdicts mean nothing.
"""

from __future__ import annotations

from typing import Any

from grokbench.engine.binop_presets import steps
from grokbench.spec import Overrides, RunSet

SEEDS = {"smoke": (21,), "ci": (21, 22, 23), "paper": (0, 1, 2)}
BASE = "adam"
#: arm name → the overrides that make it (the base is Adam itself)
ARMS: dict[str, dict[str, Any]] = {
    "base": {"dynamics": BASE},
    "ema": {"dynamics": f"grokfast-ema-{BASE}", "opt.grokfast_alpha": 0.98,
            "opt.grokfast_lamb": 2.0},
    "ma": {"dynamics": f"grokfast-ma-{BASE}", "opt.grokfast_window": 100,
           "opt.grokfast_lamb": 5.0},
}  # fmt: skip
PINNED: dict[str, Any] = {"wd": 0.005, "opt.betas": (0.9, 0.98), "stop_at": 0.0}
SCALE: dict[str, Overrides] = {
    "smoke": {**steps(400, 25, 3e-3)},
    "ci": {"p": 23, "frac": 0.8, **steps(2000, 25, 3e-3)},
    "paper": {"experiment": "binop-transformer", "op": "mul", "p": 97, "frac": 0.5,
              **steps(100_000, 500, 1e-3)},
}  # fmt: skip


def arm_of(dynamics: str) -> str:
    """The arm (base, ema, ma) a member's ``dynamics`` belongs to."""
    for name, arm in ARMS.items():
        if arm["dynamics"] == dynamics:
            return name
    return "other"


def grid(scale: str) -> list[Overrides]:
    """Every arm × seed (GF1–GF3)."""
    return [{**SCALE[scale], **PINNED, **arm, "seed": s}
            for s in SEEDS[scale] for arm in ARMS.values()]  # fmt: skip


RUN_SETS: dict[str, RunSet] = {
    "grokfast24-filter": RunSet(
        "grokfast24-filter", "binop", grid,
        title="grokfast24: Adam with and without the slow-gradient filter (EMA, MA), same seeds",
    ),
}  # fmt: skip
