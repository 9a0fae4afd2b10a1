"""The ``linear-teacher`` experiment's keys, presets and builders (levi24: Levi, Beck,
Bar-Sinai, ICLR 2024; imported by ``grokbench.engine.experiments``; torch is imported only
when a run builds its data: ``grokbench.engine.linear_teacher``).

x ~ N(0, I_d), y = Tᵀx, a linear student S trained by full-batch GD on the mean (f − y)²,
float64, n = round(d/λ) training points (``lam`` = d_in/N_tr), accuracy threshold ε
(``threshold``: a sample is correct when (f − y)² < ε). The clock t = lr·steps is the
paper's η₀t (their Eq. 3 and 14 use the same loss and weight decay).

- paper: Fig. 1 (d_in 1000, λ 0.9, ε 1e-3, η 0.01; t = 1200 reaches the ε = 1e-6 crossing
  of the test loss, 754 by their Eq. 24).
- ci: the measured proxy (d 400, λ 0.5, lr 0.05, t = 45; 1.5× the ε = 1e-6 crossing).
- smoke: seconds; its verdicts mean nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grokbench.spec import TaskData

if TYPE_CHECKING:
    import torch

KEYS: dict[str, type] = {"d": int, "lam": float, "n_test": int, "threshold": float}
#: Value checks of the keys only this experiment has (config.CHECKS holds d, n_test).
CHECKS: dict[str, tuple[Any, str]] = {
    "lam": (lambda v: v > 0, "> 0 (d_in/N_tr)"),
    "threshold": (lambda v: v > 0, "> 0 (the accuracy threshold ε)"),
}
_GD: dict[str, Any] = {"alpha": 1.0, "wd": 0.0, "dynamics": "gd"}
SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(d=40, lam=0.5, n_test=400, threshold=1e-3, **_GD, lr=0.05, horizon="45",
                  evals=60),
    "ci": dict(d=400, lam=0.5, n_test=2000, threshold=1e-3, **_GD, lr=0.05, horizon="45",
               evals=300),
    "paper": dict(d=1000, lam=0.9, n_test=10_000, threshold=1e-3, **_GD, lr=0.01,
                  horizon="1200", evals=600),
}  # fmt: skip


def build_task(sizes: dict[str, Any], seed: int) -> TaskData:
    """x ~ N(0, I_d), n = round(d/λ), y = Tᵀx (grokbench.engine.linear_teacher)."""
    from grokbench.engine.linear_teacher import linear_teacher

    return linear_teacher(sizes["d"], sizes["lam"], sizes["n_test"], seed)


def build_model(sizes: dict[str, Any], data: TaskData, generator: torch.Generator) -> Any:
    """The linear student f = Sᵀx, S₀ ~ N(0, 1/(2d))."""
    from grokbench.engine.linear_teacher import LinearStudent

    return LinearStudent(data.x_train.shape[1], generator=generator)
