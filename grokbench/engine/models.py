"""Homogeneous models with a zero-output reference direction θ̄ (the paper's Assumption 3.2).

Each model is an ``nn.Module`` whose parameters start at α·θ̄ and which declares
``degree`` (L, so that f(cθ; x) = c^L f(θ; x)) and ``alpha``. ``reference_parameters()``
returns θ̄ in the module's own parameter layout; ``flat.FlatModel`` turns that into a flat
vector for the integrators.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from grokbench.engine import fixed_point


class HomogeneousModel(nn.Module):
    """Common interface: ``degree``, ``alpha``, ``reference_parameters()``."""

    degree: int
    alpha: float

    def reference_parameters(self) -> dict[str, torch.Tensor]:
        """θ̄ as ``{parameter name: tensor}``; the module's parameters are α times this."""
        return {name: buf.clone() for name, buf in self._reference.items()}

    def set_alpha(self, alpha: float) -> None:
        """Move the parameters to α·θ̄."""
        self._set_reference(self._reference, alpha)

    def _set_reference(self, reference: dict[str, torch.Tensor], alpha: float) -> None:
        self._reference = reference
        self.alpha = float(alpha)
        with torch.no_grad():
            for name, param in self.named_parameters():
                param.copy_(alpha * reference[name])


class DiagonalNet(HomogeneousModel):
    """Depth-L diagonal linear net f(x) = ⟨u^L − v^L, x⟩; θ̄ is u = v = 1, so f(θ̄) = 0."""

    #: ``forward`` takes inputs of a lower precision than θ (``RunConfig.test_dtype``): it
    #: forms w = u^L − v^L in θ's precision and lowers w only for the product with x.
    #: Lowering u and v first would not do: at large α, u^L and v^L agree in more digits
    #: than float32 has, and their difference cancels (benchmarks/NOTES.md, round 4).
    mixed_precision_inputs = True

    def __init__(self, dim: int, depth: int = 2, alpha: float = 1.0) -> None:
        super().__init__()
        if depth < 2:
            raise ValueError(f"depth must be at least 2, got {depth}")
        self.degree = depth
        self.u = nn.Parameter(torch.empty(dim, dtype=torch.float64))
        self.v = nn.Parameter(torch.empty(dim, dtype=torch.float64))
        ones = torch.ones(dim, dtype=torch.float64)
        self._set_reference({"u": ones, "v": ones.clone()}, alpha)

    @staticmethod
    def weights_of(u: torch.Tensor, v: torch.Tensor, depth: int) -> torch.Tensor:
        """w = u^L − v^L for any u, v (a probe's unflattened θ, or this net's own).

        Subtracts in place: one temporary fewer, 205 MB when a deferred evaluation computes
        256 states of d = 10⁵ at once (pow's backward reads u, not u^L, so autograd allows
        it)."""
        return (u**depth).sub_(v**depth)

    def effective_weights(self) -> torch.Tensor:
        """The linear predictor w = u^L − v^L."""
        return self.weights_of(self.u, self.v, self.degree)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = self.effective_weights()
        if x.dtype == torch.int8:  # ±1 test inputs (``test_dtype``), n × d; not under vmap
            return fixed_point.product(weights.unsqueeze(0), x)[0]
        return x @ weights.to(x.dtype)


class MatrixFactorization(HomogeneousModel):
    """W = UUᵀ − VVᵀ evaluated at index pairs (i, j); θ̄ is U = V = I (+ σ·G, shared).

    With ``sigma`` > 0 both factors start from the same perturbed identity I + σG, G with
    standard normal entries, so W(θ̄) = 0 still holds.
    """

    degree = 2

    def __init__(
        self,
        dim: int,
        alpha: float = 1.0,
        sigma: float = 0.0,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.U = nn.Parameter(torch.empty(dim, dim, dtype=torch.float64))
        self.V = nn.Parameter(torch.empty(dim, dim, dtype=torch.float64))
        base = torch.eye(dim, dtype=torch.float64)
        if sigma > 0:
            base = base + sigma * torch.randn(dim, dim, generator=generator, dtype=torch.float64)
        self._set_reference({"U": base, "V": base.clone()}, alpha)

    @staticmethod
    def matrix_of(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """W = UUᵀ − VVᵀ for any factors (a probe's unflattened θ, or this model's own)."""
        return u @ u.T - v @ v.T

    def matrix(self) -> torch.Tensor:
        return self.matrix_of(self.U, self.V)

    def forward(self, index_pairs: torch.Tensor) -> torch.Tensor:
        # Forming W (2d³ flops) and indexing it is 3× faster to differentiate at d ≈ 100
        # than gathering rows of U and V for each pair.
        return self.matrix()[index_pairs[:, 0], index_pairs[:, 1]]


class HomogeneousMLP(HomogeneousModel):
    """f = W_L ReLU(… ReLU(W_1 x + b_1)); bias only in the first layer, so degree = depth.

    θ̄ is He (Kaiming normal, std √(2/fan_in)) for every weight but the last, which is zero
    so that f(θ̄) = 0; the first-layer bias starts at zero. ``init="torch"`` draws θ̄ as
    ``nn.Linear`` does by default instead, U(±1/√fan_in) for every weight and the bias
    (prieto25's model); then f(θ̄) ≠ 0.
    """

    def __init__(
        self,
        in_dim: int,
        width: int,
        out_dim: int,
        depth: int = 2,
        bias: bool = True,
        alpha: float = 1.0,
        generator: torch.Generator | None = None,
        init: str = "he0",
    ) -> None:
        super().__init__()
        if depth < 2:
            raise ValueError(f"depth must be at least 2, got {depth}")
        if init not in ("he0", "torch"):
            raise ValueError(f"init must be he0 or torch, got {init!r}")
        self.degree = depth
        dims = [in_dim] + [width] * (depth - 1) + [out_dim]
        self.layers = nn.ModuleList(
            nn.Linear(dims[i], dims[i + 1], bias=bias and i == 0, dtype=torch.float64)
            for i in range(depth)
        )
        reference: dict[str, torch.Tensor] = {}
        for i, layer in enumerate(self.layers):
            fan_in = dims[i]
            shape = (dims[i + 1], fan_in)
            bound = 1.0 / math.sqrt(fan_in)  # nn.Linear's default: kaiming_uniform(a=√5)
            if init == "torch":
                weight = _uniform(shape, bound, generator)
            elif i == depth - 1:
                weight = torch.zeros(shape, dtype=torch.float64)
            else:
                normal = torch.randn(shape, generator=generator, dtype=torch.float64)
                weight = normal * math.sqrt(2.0 / fan_in)
            reference[f"layers.{i}.weight"] = weight
            if layer.bias is not None:
                reference[f"layers.{i}.bias"] = (
                    _uniform((dims[i + 1],), bound, generator)
                    if init == "torch"
                    else torch.zeros(dims[i + 1], dtype=torch.float64)
                )
        self._set_reference(reference, alpha)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = x
        for layer in self.layers[:-1]:
            hidden = torch.relu(layer(hidden))
        return self.layers[-1](hidden)


def _uniform(
    shape: tuple[int, ...], bound: float, generator: torch.Generator | None
) -> torch.Tensor:
    """U(−bound, bound) in float64 from ``generator``."""
    draw = torch.rand(shape, generator=generator, dtype=torch.float64)
    return draw.mul_(2 * bound).sub_(bound)
