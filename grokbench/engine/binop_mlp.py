"""The embedding MLP that stands in for Power et al.'s transformer on binary-operation tables.

f(a, b) = W₂ ReLU(W₁ [E_a; E_b] + b₁) + b₂ with one embedding E (tokens × d) shared by both
operands (abstract tokens, as the paper's), a hidden layer of ``width`` and torch's default
initialisation (E ~ N(0, 1), nn.Linear's U(±1/√fan_in) for weights and biases: the
authors keep torch defaults). θ̄ is that draw, α = 1 reproduces it; the model is not
homogeneous (biases), so it is no α-sweep model for lyu24's theory.

The interventions of the paper's Fig. 2 left act only in training steps (where gradients
are taken; the metrics at evaluation times see the plain net): ``dropout`` on the hidden
layer, ``wnoise`` Gaussian noise of that std on every weight in the forward pass. Both
draw from the model's own seeded generator.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from grokbench.engine.models import HomogeneousModel
from grokbench.engine.training_noise import TrainingNoise


class BinopMLP(TrainingNoise, HomogeneousModel):
    """Token ids x = (a, b) (floats or ints, shape (..., 2)) → logits over ``tokens``."""

    degree = 3  # E, W₁, W₂ in series; nominal (biases): only gradient flow reads it
    E: nn.Parameter
    W1: nn.Parameter
    b1: nn.Parameter
    W2: nn.Parameter
    b2: nn.Parameter

    def __init__(
        self,
        tokens: int,
        d: int,
        width: int,
        out_dim: int | None = None,
        dropout: float = 0.0,
        wnoise: float = 0.0,
        generator: torch.Generator | None = None,
        alpha: float = 1.0,
    ) -> None:
        super().__init__()
        if tokens < 2 or d < 1 or width < 1 or not 0 <= dropout < 1 or wnoise < 0:
            raise ValueError(f"need tokens ≥ 2, d, width ≥ 1, dropout in [0, 1), wnoise ≥ 0; "
                             f"got {tokens}, {d}, {width}, {dropout}, {wnoise}")  # fmt: skip
        out = out_dim or tokens
        self.dropout, self.wnoise = dropout, wnoise
        f64 = torch.float64

        def uniform(*shape: int, fan: int) -> torch.Tensor:
            bound = 1 / math.sqrt(fan)
            return (torch.rand(*shape, generator=generator, dtype=f64) * 2 - 1) * bound

        reference = {
            "E": torch.randn(tokens, d, generator=generator, dtype=f64),
            "W1": uniform(width, 2 * d, fan=2 * d),
            "b1": uniform(width, fan=2 * d),
            "W2": uniform(out, width, fan=width),
            "b2": uniform(out, fan=width),
        }
        for name, value in reference.items():
            setattr(self, name, nn.Parameter(torch.empty_like(value)))
        self._init_noise(generator)
        self._set_reference(reference, alpha)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        training = self.training and torch.is_grad_enabled()
        tokens = x.long()
        embed = self._noisy(self.E, training)
        z = torch.cat([embed[tokens[..., 0]], embed[tokens[..., 1]]], dim=-1)
        w1, b1 = self._noisy(self.W1, training), self._noisy(self.b1, training)
        h = torch.relu(z @ w1.T + b1)
        h = self._dropped(h, training)
        w2, b2 = self._noisy(self.W2, training), self._noisy(self.b2, training)
        return h @ w2.T + b2
