"""The linear teacher–student model of Levi, Beck, Bar-Sinai (ICLR 2024; levi24).

x ~ N(0, I_d), y = Tᵀx with T ~ N(0, 1/(2d)); the student f(x) = Sᵀx starts at
S₀ ~ N(0, 1/(2d)) (the paper's init, §3 and App. A; d_out = 1, no bias), n = round(d/λ)
training points (λ = d_in/N_tr). The engine's loss is the paper's mean (f − y)² (Eq. 1) and
its weight decay the paper's γ (Eq. 14), so the engine's clock t = lr·steps is the paper's
η₀t. grokbench's ``alpha`` rescales S₀ (the paper's "S → αS", §3.1.3).

A sample counts as correct when (f − y)² < ε (``threshold``; the paper's accuracy, §3.1.2).
:func:`threshold_probe` records that accuracy on the train and test sets, the exact
population test loss ‖S − T‖² (Eq. 2) and the accuracy it implies, erf(√(ε/(2L))) (Eq. 10).
"""

from __future__ import annotations

import math

import torch

from grokbench.engine.models import HomogeneousModel
from grokbench.spec import ConfigError, Prepared, Probe, TaskData


def linear_teacher(d: int, lam: float, n_test: int, seed: int) -> TaskData:
    """x ~ N(0, I_d) (train n = round(d/λ), test n_test), y = Tᵀx; ``truth`` holds T."""
    if lam <= 0:
        raise ConfigError(f"lam: must be > 0, got {lam!r}")
    n = max(1, round(d / lam))
    generator = torch.Generator(device="cpu").manual_seed(seed)
    teacher = torch.randn(d, generator=generator, dtype=torch.float64) / math.sqrt(2 * d)
    x_train = torch.randn(n, d, generator=generator, dtype=torch.float64)
    x_test = torch.randn(n_test, d, generator=generator, dtype=torch.float64)
    return TaskData(
        "regression", x_train, x_train @ teacher, x_test, x_test @ teacher,
        truth={"teacher": teacher},
    )  # fmt: skip


class LinearStudent(HomogeneousModel):
    """f(x) = Sᵀx with θ̄ = S₀ ~ N(0, 1/(2d)) (degree 1; the output at θ̄ is not zero)."""

    degree = 1

    def __init__(self, dim: int, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.S = torch.nn.Parameter(torch.empty(dim, dtype=torch.float64))
        start = torch.randn(dim, generator=generator, dtype=torch.float64) / math.sqrt(2 * dim)
        self._set_reference({"S": start}, 1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.S


def threshold_accuracy(residual: torch.Tensor, eps: float) -> float:
    """The fraction of samples with squared error below ε (the paper's accuracy)."""
    return float((residual.square() < eps).double().mean())


def threshold_probe(prepared: Prepared) -> Probe:
    """acc_train, acc_test (fraction with (f − y)² < ε), pop_test = ‖S − T‖² (the exact
    generalisation loss, Eq. 2) and acc_pop = erf(√(ε/(2·pop_test))) (Eq. 10)."""
    eps = float(prepared.config.task["threshold"])
    data = prepared.data
    teacher = data.truth["teacher"].to(prepared.theta0)

    def probe(theta: torch.Tensor) -> dict[str, float]:
        s = prepared.flat.unflatten(theta)["S"]
        pop = float((s - teacher).square().sum())
        return {
            "acc_train": threshold_accuracy(data.x_train @ s - data.y_train, eps),
            "acc_test": threshold_accuracy(data.x_test.to(s.dtype) @ s - data.y_test, eps),
            "pop_test": pop,
            "acc_pop": math.erf(math.sqrt(eps / (2 * pop))) if pop > 0 else 1.0,
        }

    return probe
