"""Gromov's quadratic MLP for modular arithmetic and its periodicity measures (gromov23).

The model (Gromov 2023, §2): one-hot x = e_a ⊕ e_b ∈ R^{2p}, f(x) = (1/N)·W₂ (W₁x)² with no
biases, θ̄ = N(0, 1) for every weight (grokbench's ``alpha`` scales it: θ₀ = α θ̄), so
f(cθ) = c³ f(θ). It is trained with the ``mse`` loss on one-hot targets.

The measures read the weights of one neuron k as three periodic sequences of length p:
u_k = W₁[k, :p] (the a-slot), v_k = W₁[k, p:] (the b-slot), w_k = W₂[:, k] (the output).

- IPR (the paper's inverse participation ratio with r = 2): for the DFT ν of a sequence,
  Σ_j |ν_j|⁴ / (Σ_j |ν_j|²)²; a single cosine gives 1/2 (peaks at ±σ), Gaussian noise ~2/p.
- phases: at the frequency σ_k where u_k's power peaks (σ ∈ 1..(p−1)/2), φ = arg ν_σ of each
  sequence; a cosine cos(2πσn/p + φ) has arg ν_σ = φ. The paper's solution has
  φ_a + φ_b = φ_out (mod 2π) for every neuron.
- the analytic solution (the paper's eq. for W₁, W₂ at random σ_k, φ_a, φ_b): its accuracy
  on the whole p × p table is a baseline the harness computes itself.
"""

from __future__ import annotations

import math

import torch

from grokbench.engine.models import HomogeneousModel


class QuadMLP(HomogeneousModel):
    """f(x) = (1/N)·W₂ (W₁ x)², θ̄ = N(0, 1), no biases (degree 3)."""

    degree = 3

    def __init__(
        self,
        in_dim: int,
        width: int,
        out_dim: int,
        alpha: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.width = width
        self.W1 = torch.nn.Parameter(torch.empty(width, in_dim, dtype=torch.float64))
        self.W2 = torch.nn.Parameter(torch.empty(out_dim, width, dtype=torch.float64))
        reference = {
            "W1": torch.randn(width, in_dim, generator=generator, dtype=torch.float64),
            "W2": torch.randn(out_dim, width, generator=generator, dtype=torch.float64),
        }
        self._set_reference(reference, alpha)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x @ self.W1.T).square() @ self.W2.T / self.width


def slots(w1: torch.Tensor, w2: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """(u, v, w): the a-slot, b-slot and output sequences, one row per neuron."""
    p = w2.shape[0]
    if w1.shape[1] != 2 * p:
        raise ValueError(f"W₁ must have 2p = {2 * p} columns, got {w1.shape[1]}")
    return w1[:, :p], w1[:, p:], w2.T


def ipr(rows: torch.Tensor) -> torch.Tensor:
    """Σ_j |ν_j|⁴ / (Σ_j |ν_j|²)² of each row's DFT ν (r = 2)."""
    power = torch.fft.fft(rows, dim=-1).abs().square()
    return power.square().sum(-1) / power.sum(-1).square().clamp_min(1e-300)


def mean_ipr(w1: torch.Tensor, w2: torch.Tensor) -> float:
    """The IPR averaged over neurons and the three sequences of each."""
    return float(torch.stack([ipr(s) for s in slots(w1, w2)]).mean())


def _wrap(x: torch.Tensor) -> torch.Tensor:
    return torch.remainder(x + math.pi, 2 * math.pi) - math.pi


def phase_residuals(w1: torch.Tensor, w2: torch.Tensor) -> torch.Tensor:
    """φ_a + φ_b − φ_out wrapped to (−π, π], per neuron, at u_k's peak frequency."""
    u, v, w = slots(w1, w2)
    p = u.shape[1]
    fu, fv, fw = (torch.fft.fft(s, dim=-1) for s in (u, v, w))
    half = fu[:, 1 : (p - 1) // 2 + 1].abs()
    sigma = half.argmax(-1, keepdim=True) + 1
    phase = [torch.angle(f.gather(-1, sigma)).squeeze(-1) for f in (fu, fv, fw)]
    return _wrap(phase[0] + phase[1] - phase[2])


def phase_error(w1: torch.Tensor, w2: torch.Tensor) -> float:
    """Mean |φ_a + φ_b − φ_out| (wrapped) over neurons, weighted by ‖W₂[:, k]‖·‖W₁[k]‖²
    (each neuron's contribution to f); π/2 for independent uniform phases."""
    res = phase_residuals(w1, w2).abs()
    weight = w2.norm(dim=0) * w1.norm(dim=1).square()
    return float((res * weight).sum() / weight.sum().clamp_min(1e-300))


def analytic_weights(
    p: int, width: int, seed: int, coupled: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """The paper's solution: W₁[k] = cos(2πσ_k n/p + φ_a) ⊕ cos(2πσ_k m/p + φ_b),
    W₂[q, k] = cos(2πσ_k q/p + φ_a + φ_b), σ_k uniform in 1..p−1, phases uniform.
    ``coupled=False`` draws the output phase independently (a counterfactual)."""
    g = torch.Generator().manual_seed(seed)
    sigma = torch.randint(1, p, (width, 1), generator=g).double()
    fa, fb, fo = (2 * math.pi * torch.rand(width, 1, generator=g, dtype=torch.float64)
                  for _ in range(3))  # fmt: skip
    n = torch.arange(p, dtype=torch.float64)[None, :]
    angle = 2 * math.pi * sigma * n / p
    w1 = torch.cat([torch.cos(angle + fa), torch.cos(angle + fb)], dim=1)
    w2 = torch.cos(angle + (fa + fb if coupled else fo)).T
    return w1, w2


def table_accuracy(w1: torch.Tensor, w2: torch.Tensor) -> float:
    """Accuracy of f = W₂(W₁x)² on all p² pairs of a + b mod p."""
    p = w2.shape[0]
    a, b = torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij")
    h = w1[:, :p][:, a.flatten()] + w1[:, p:][:, b.flatten()]  # (N, p²)
    out = w2 @ h.square()
    return float((out.argmax(0) == (a.flatten() + b.flatten()) % p).double().mean())


def analytic_accuracy(p: int, width: int, seed: int, coupled: bool = True) -> float:
    """The accuracy of :func:`analytic_weights` on the p × p table."""
    return table_accuracy(*analytic_weights(p, width, seed, coupled))
