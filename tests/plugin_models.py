"""Plug-in models for the tests: factories as a downstream project would write them."""

from __future__ import annotations

import torch
from torch import nn


class Diagonal(nn.Module):
    """f(x) = ⟨u^L − v^L, x⟩ with u = v = 1 at θ̄, declaring nothing (checked numerically)."""

    def __init__(self, in_dim: int, depth: int = 2, v0: float = 1.0) -> None:
        super().__init__()
        self.power = depth
        self.u = nn.Parameter(torch.ones(in_dim, dtype=torch.float64))
        self.v = nn.Parameter(torch.full((in_dim,), v0, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ (self.u**self.power - self.v**self.power)


def diagonal(in_dim: int, depth: int = 2) -> nn.Module:
    """A correct plug-in: homogeneous of degree ``depth``, zero output at θ̄."""
    return Diagonal(in_dim, depth)


def shifted_diagonal(in_dim: int) -> nn.Module:
    """Wrong: v = 1/2 at θ̄, so f(θ̄) ≠ 0 (homogeneous, but not zero at init)."""
    return Diagonal(in_dim, 2, v0=0.5)


class Biased(Diagonal):
    """Wrong: an output bias makes f(cθ) = c² ⟨w, x⟩ + c b, not homogeneous."""

    def __init__(self, in_dim: int) -> None:
        super().__init__(in_dim)
        self.b = nn.Parameter(torch.zeros((), dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x) + self.b


def biased_diagonal(in_dim: int) -> nn.Module:
    return Biased(in_dim)


class Declared(Diagonal):
    """Declares degree and θ̄ as engine.models.HomogeneousModel does (degree maybe wrong)."""

    def __init__(self, in_dim: int, degree: int) -> None:
        super().__init__(in_dim)
        self.degree = degree

    def reference_parameters(self) -> dict[str, torch.Tensor]:
        return {"u": torch.ones_like(self.u), "v": torch.ones_like(self.v)}


def declared_diagonal(in_dim: int) -> nn.Module:
    return Declared(in_dim, 2)


def misdeclared_diagonal(in_dim: int) -> nn.Module:
    """Wrong: declares degree 3 for a degree-2 model."""
    return Declared(in_dim, 3)


def mlp(in_dim: int, out_dim: int, generator: torch.Generator, width: int = 32) -> nn.Module:
    """A two-layer ReLU net, bias in the first layer only, zero last layer (degree 2)."""
    first = nn.Linear(in_dim, width, dtype=torch.float64)
    last = nn.Linear(width, out_dim, bias=False, dtype=torch.float64)
    with torch.no_grad():
        first.weight.normal_(0.0, (2.0 / in_dim) ** 0.5, generator=generator)
        first.bias.zero_()
        last.weight.zero_()
    model = nn.Sequential(first, nn.ReLU(), last)
    return model if out_dim > 1 else nn.Sequential(model, nn.Flatten(0))


def not_a_module(in_dim: int) -> object:
    return object()


def needs_foo(in_dim: int, foo: int) -> nn.Module:
    """Wrong: asks for an argument grokbench does not offer."""
    return Diagonal(in_dim)
