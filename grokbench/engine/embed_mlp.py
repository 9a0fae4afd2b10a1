"""A one-hidden-layer ReLU MLP behind a shared embedding and an unembedding (nanda23's proxy).

For modular addition with x = one-hot(a) ⊕ one-hot(b): f(x) = U W_out ReLU(W_in [E x_a; E x_b]
+ b_in), one embedding E (d × p) for both tokens, an unembedding U (p × d). It is the MLP
block of Nanda et al.'s 1-layer transformer without attention: the trainable embedding is
what makes the learned solution Fourier-sparse (docs/papers/nanda23.md, Finding 2; the
one-hot ``HomogeneousMLP`` is not). θ̄ draws E, U ~ N(0, 1/d), W_in ~ N(0, 1/(2d)),
W_out ~ N(0, 1/width) (the authors' randn/√d_model) and b_in = 0; the output at θ̄ is not
zero, so it is no α-sweep model for lyu24's theory (degree 4 without the bias, nominal with).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from grokbench.engine.models import HomogeneousModel


class EmbedMLP(HomogeneousModel):
    """f(x) = U W_out ReLU(W_in [E x_a; E x_b] + b_in), x = x_a ⊕ x_b ∈ R^{2p}."""

    degree = 4  # E, W_in, W_out, U in series (nominal with the bias; only flow reads it)
    E: nn.Parameter
    W_in: nn.Parameter
    W_out: nn.Parameter
    U: nn.Parameter

    def __init__(
        self,
        p: int,
        width: int,
        d: int,
        out_dim: int | None = None,
        bias: bool = True,
        generator: torch.Generator | None = None,
        alpha: float = 1.0,
    ) -> None:
        super().__init__()
        if p < 2 or width < 1 or d < 1:
            raise ValueError(f"need p ≥ 2, width ≥ 1, d ≥ 1; got {p}, {width}, {d}")
        self.p, self.d = p, d
        out = out_dim or p
        f64 = torch.float64

        def draw(*shape: int, fan: int) -> torch.Tensor:
            return torch.randn(*shape, generator=generator, dtype=f64) / math.sqrt(fan)

        reference = {"E": draw(d, p, fan=d), "W_in": draw(width, 2 * d, fan=2 * d),
                     "W_out": draw(d, width, fan=width), "U": draw(out, d, fan=d)}  # fmt: skip
        for name, value in reference.items():
            setattr(self, name, nn.Parameter(torch.empty_like(value)))
        self.b_in: nn.Parameter | None = None
        if bias:
            self.b_in = nn.Parameter(torch.empty(width, dtype=f64))
            reference["b_in"] = torch.zeros(width, dtype=f64)
        self._set_reference(reference, alpha)

    @staticmethod
    def effective_mlp(
        params: dict[str, torch.Tensor],
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """The one-hot MLP this net computes: W₁ = [W_in,a E, W_in,b E] (width × 2p), b₁,
        W₂ = U W_out (p × width), from named parameters (a probe's unflattened θ)."""
        d = params["E"].shape[0]
        w_in, embed = params["W_in"], params["E"]
        first = torch.cat([w_in[:, :d] @ embed, w_in[:, d:] @ embed], dim=1)
        return first, params.get("b_in"), params["U"] @ params["W_out"]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = self.p
        tokens = torch.cat([x[..., :p] @ self.E.T, x[..., p : 2 * p] @ self.E.T], dim=-1)
        pre = tokens @ self.W_in.T
        if self.b_in is not None:
            pre = pre + self.b_in
        return torch.relu(pre) @ self.W_out.T @ self.U.T
