"""The ``binop-transformer`` experiment's keys, presets and builders (power22's own model;
imported by ``grokbench.engine.experiments``; torch only when a run builds its data).

Power et al.'s 2-layer decoder (``grokbench.engine.decoder``) on the ``binop`` task's tables
with the ``binop`` experiment's recipe: the authors' AdamW (``power-adamw``, β = (0.9,
0.98), ε = 1e-8, decoupled λ = 1), a linear warm-up over 10 updates, minibatches of
min(512, ⌈n/2⌉), torch's cross-entropy and float32 (the authors' ``.float()``; measured:
float64 costs 1.6–2× per update on CPU, docs/models.md). t = Σ lr, updates ≈ t/lr.

A separate experiment, not a ``model=`` value of ``binop``: ``model=`` takes an import path
(a plug-in, ``grokbench.engine.decoder:power_transformer`` works there too), while the
transformer's presets need their own sizes (d_model, heads, layers) and their own lr and
budget per scale.

- paper: the paper's x+y mod 97, 50% train, 2 layers × 128 × 4 heads, lr 1e-3, 10⁵ updates,
  stop at 99% test accuracy (``--set device=cuda``).
- ci: the smallest setting measured to grok on 2 CPU cores (docs/models.md).
- smoke: seconds; its verdicts mean nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grokbench.engine import binop_presets as binop
from grokbench.spec import TaskData

if TYPE_CHECKING:
    import torch

KEYS: dict[str, type] = {"op": str, "p": int, "frac": float, "split": str, "d_model": int,
                         "heads": int, "layers": int, "dropout": float,
                         "wnoise": float}  # fmt: skip
_TASK = {"op": "add", "split": "seeded", "dropout": 0.0, "wnoise": 0.0}
SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(_TASK, p=11, frac=0.8, d_model=16, heads=2, layers=2, **binop.RECIPE,
                  **binop.steps(100, 25, 3e-3), stop_at=0.99),
    "ci": dict(_TASK, p=23, frac=0.5, d_model=32, heads=4, layers=2, **binop.RECIPE,
               **binop.steps(8000, 50, 3e-3), stop_at=0.99),
    "paper": dict(_TASK, p=97, frac=0.5, d_model=128, heads=4, layers=2, **binop.RECIPE,
                  **binop.steps(100_000, 500, 1e-3), stop_at=0.99),
}  # fmt: skip
build_task = binop.build_task


def build_model(sizes: dict[str, Any], data: TaskData, generator: torch.Generator) -> Any:
    """The decoder over the authors' vocabulary for modulus p (S5 tables: 120 answers)."""
    from grokbench.engine.decoder import PowerTransformer

    group = sizes["op"] in binop.OPS[-3:]  # s5, s5conj, s5aba
    return PowerTransformer(sizes["p"], data.n_outputs, group, sizes["d_model"], sizes["heads"],
                            sizes["layers"], sizes["dropout"], sizes["wnoise"],
                            generator=generator)  # fmt: skip
