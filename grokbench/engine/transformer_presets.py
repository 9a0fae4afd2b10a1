"""The ``modadd-transformer`` experiment's keys, presets and builders (nanda23's own model;
imported by ``grokbench.engine.experiments``; torch only when a run builds its model).

(a + b) mod p on Nanda et al.'s one-layer transformer (``grokbench.engine.transformer``),
full-batch AdamW(β = (0.9, 0.98)) with decoupled λ = 1 and the authors' init (α = 1); the
clock is t = Σ lr (steps × lr), so a horizon of 40 at lr 1e-3 is their 40 000 steps.

- paper: their Config: p = 113, 30% of the table for training, d_model 128, 4 heads,
  d_mlp 512, lr 1e-3, 40 000 steps (``--set device=cuda``; ``--set dtype=float32`` is
  theirs, float64 is grokbench's default).
- ci: the smallest setting measured to grok on 2 CPU cores (docs/models.md).
- smoke: seconds; its verdicts mean nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grokbench.spec import TaskData

if TYPE_CHECKING:
    import torch

KEYS: dict[str, type] = {"p": int, "frac": float, "d_model": int, "heads": int, "d_mlp": int}
_ADAMW: dict[str, Any] = {"alpha": 1.0, "dynamics": "adamw", "wd": 1.0, "opt.betas": (0.9, 0.98)}
SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(p=11, frac=0.6, d_model=32, heads=4, d_mlp=64, **_ADAMW, lr=3e-3,
                  horizon="0.3", evals=20),
    "ci": dict(p=31, frac=0.5, d_model=64, heads=4, d_mlp=256, **_ADAMW, lr=3e-3,
               horizon="15", evals=200),
    "paper": dict(p=113, frac=0.3, d_model=128, heads=4, d_mlp=512, **_ADAMW, lr=1e-3,
                  horizon="40", evals=400),
}  # fmt: skip


def build_task(sizes: dict[str, Any], seed: int) -> TaskData:
    """(a + b) mod p with a random ``frac`` of the table for training."""
    from grokbench.engine.tasks import modular_addition

    return modular_addition(sizes["p"], sizes["frac"], seed)


def build_model(sizes: dict[str, Any], data: TaskData, generator: torch.Generator) -> Any:
    """The one-layer transformer over the p operand tokens and "="."""
    from grokbench.engine.transformer import OneLayerTransformer

    return OneLayerTransformer(data.n_outputs, sizes["d_model"], sizes["heads"], sizes["d_mlp"],
                               generator=generator)  # fmt: skip
