"""The ``modadd-quad`` experiment's keys, presets and builders (gromov23: Gromov, "Grokking
modular arithmetic", arXiv 2301.02679; imported by ``grokbench.engine.experiments``; torch is
imported only when a run builds its model: ``grokbench.engine.periodic``).

(a + b) mod p from one-hot(a) ⊕ one-hot(b), f = (1/N)·W₂(W₁x)² (quadratic activation, no
biases, θ̄ = N(0, 1), θ₀ = α θ̄), the ``mse`` loss on one-hot targets, Adam (AdamW with
λ = 0: no regularisation), float64. The clock is t = Σ lr (steps × lr).

- paper: p 97, half the table for training, N 500 (the paper's Fig. 2 setting as our spec
  reads it: docs/papers/gromov23.md, §2), lr 0.005, 2000 steps (measured: grokked by step
  ~290, 75 s per 1000 steps on one CPU thread); α 0.3 is ours (see the spec).
- ci: the measured proxy (p 23, 80% train, N 256, 500 steps: grokked at ~200 steps).
- smoke: seconds; its verdicts mean nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grokbench.spec import TaskData

if TYPE_CHECKING:
    import torch

KEYS: dict[str, type] = {"p": int, "frac": float, "width": int}
_ADAM: dict[str, Any] = {"alpha": 0.3, "wd": 0.0, "dynamics": "adamw", "loss": "mse"}
SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(p=11, frac=0.8, width=64, **_ADAM, lr=0.005, horizon="1.5", evals=40),
    "ci": dict(p=23, frac=0.8, width=256, **_ADAM, lr=0.005, horizon="2.5", evals=100),
    "paper": dict(p=97, frac=0.5, width=500, **_ADAM, lr=0.005, horizon="10", evals=400),
}  # fmt: skip


def build_task(sizes: dict[str, Any], seed: int) -> TaskData:
    """(a + b) mod p with a random ``frac`` of the table for training."""
    from grokbench.engine.tasks import modular_addition

    return modular_addition(sizes["p"], sizes["frac"], seed)


def build_model(sizes: dict[str, Any], data: TaskData, generator: torch.Generator) -> Any:
    """f = (1/N)·W₂(W₁x)², θ̄ = N(0, 1)."""
    from grokbench.engine.periodic import QuadMLP

    return QuadMLP(data.x_train.shape[1], sizes["width"], data.n_outputs, generator=generator)
