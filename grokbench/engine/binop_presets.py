"""The ``binop`` experiment's keys, presets and builders (Power et al. 2022; imported by
``grokbench.engine.experiments``; torch is imported only when a run builds its data).

Every scale uses the authors' optimiser recipe (``power-adamw``: AdamW β = (0.9, 0.98),
ε = 1e-8, decoupled λ = 1 toward 0; linear warm-up over 10 updates; minibatch
min(512, ⌈n/2⌉), ``batch=-1``), torch's cross-entropy (``loss=ce-torch``, as their code) and
float32 (the authors' ``.float()``; prieto25: float32 decides when Softmax Collapse
stalls a run without weight decay). The horizon is t = Σ lr, so updates = t/lr after the
warm-up's 5.5 lr; ``evals`` gives a linear evaluation spacing of ≤ 50 updates at ci.

- ci: the measured proxy (docs/papers/power22.md, §2): x+y mod 23, 80% train, embedding
  MLP d 32, width 128, lr 3e-3, 3000 updates, stop at 99% test accuracy.
- paper: the paper's table size and budget with the MLP proxy (p = 97, 10⁵ updates of lr
  1e-3); the authors' transformer is the ``binop-transformer`` experiment (docs/models.md).
- smoke: seconds; its verdicts mean nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grokbench.spec import ConfigError, TaskData

if TYPE_CHECKING:
    import torch

#: The operation names (grokbench.engine.binop.OPS, repeated here without torch).
OPS = ("add", "sub", "mul", "sq", "quad", "quadx", "cube1", "cube2", "div", "mix", "s5",
       "s5conj", "s5aba")  # fmt: skip
SPLITS = ("seeded", "authors")
KEYS: dict[str, type] = {"op": str, "p": int, "frac": float, "split": str, "d": int,
                         "width": int, "dropout": float, "wnoise": float}  # fmt: skip
#: Value checks of the keys only this experiment has (config.CHECKS holds p, frac, d, width).
CHECKS: dict[str, tuple[Any, str]] = {
    "op": (lambda v: v in OPS, f"one of {', '.join(OPS)}"),
    "split": (lambda v: v in SPLITS, f"one of {', '.join(SPLITS)}"),
    "dropout": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "wnoise": (lambda v: v >= 0, "≥ 0"),
}


def steps(updates: int, every: int, lr: float) -> dict[str, Any]:
    """lr, the horizon t = updates·lr and enough evaluations for a linear spacing of at most
    ``every`` updates (the linear part of the grid holds 3/4 of ``evals``: schedule.py)."""
    linear = -(-updates // every) + 1
    return {"lr": lr, "horizon": f"{updates * lr:g}", "evals": -(-4 * linear // 3) + 1}


RECIPE: dict[str, Any] = {"dynamics": "power-adamw", "wd": 1.0, "alpha": 1.0, "batch": -1,
                          "warmup": 10, "loss": "ce-torch", "dtype": "float32",
                          "opt.betas": (0.9, 0.98), "opt.eps": 1e-8}  # fmt: skip
_TASK = {"op": "add", "split": "seeded", "dropout": 0.0, "wnoise": 0.0}
SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(_TASK, p=11, frac=0.8, d=16, width=64, **RECIPE, **steps(400, 50, 3e-3),
                  stop_at=0.99),
    "ci": dict(_TASK, p=23, frac=0.8, d=32, width=128, **RECIPE, **steps(3000, 50, 3e-3),
               stop_at=0.99),
    "paper": dict(_TASK, p=97, frac=0.5, d=128, width=512, **RECIPE,
                  **steps(100_000, 500, 1e-3), stop_at=0.99),
}  # fmt: skip


def build_task(sizes: dict[str, Any], seed: int) -> TaskData:
    """The table of ``op`` split at ``frac`` (grokbench.engine.binop)."""
    from grokbench.engine.binop import binary_operation

    try:
        return binary_operation(sizes["op"], sizes["p"], sizes["frac"], seed, sizes["split"])
    except ValueError as error:
        raise ConfigError(f"frac: {error}") from None


def build_model(sizes: dict[str, Any], data: TaskData, generator: torch.Generator) -> Any:
    """The embedding MLP over the task's tokens (grokbench.engine.binop_mlp)."""
    from grokbench.engine.binop_mlp import BinopMLP

    return BinopMLP(data.n_outputs, sizes["d"], sizes["width"], dropout=sizes["dropout"],
                    wnoise=sizes["wnoise"], generator=generator)  # fmt: skip
