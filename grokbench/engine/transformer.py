"""Nanda et al.'s one-layer transformer for two-operand tables (nanda23 at paper scale).

The sequence is (a, b, "="), vocabulary p + 1 ("=" is token p), logits over p classes read
at the last position (Nanda, Chan, Lieberum, Smith, Steinhardt, ICLR 2023, arXiv 2301.05217;
their ``transformers.py``): token and learned positional embeddings, one attention layer of
``heads`` heads of d_model/heads with a causal mask, one ReLU MLP (d_mlp) with biases, no
LayerNorm, an unembedding. Their init: every matrix randn/√d_model, the unembedding
randn/√vocab, biases 0; θ₀ = α θ̄ (α = 1 is theirs).

Only the last position's output is read and there is one layer, so the forward pass computes
the queries and the MLP at that position alone: the same logits as the full causal model.
Inputs are x = one-hot(a) ⊕ one-hot(b) (the ``modadd`` task) or the token pair (a, b) (the
``binop`` task). float64 like every grokbench dynamics unless ``dtype`` says otherwise (the
authors train in float32).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from grokbench.engine.models import HomogeneousModel


def tokens_of(x: torch.Tensor, vocab: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The operand tokens (a, b) of a batch: from (a, b) pairs or from one-hot(a) ⊕ one-hot(b)."""
    if x.shape[-1] == 2:
        pair = x.long()
        return pair[..., 0], pair[..., 1]
    if x.shape[-1] == 2 * vocab:
        return x[..., :vocab].argmax(-1), x[..., vocab:].argmax(-1)
    raise ValueError(f"inputs must be token pairs or two one-hots of {vocab}; got {x.shape[-1]}")


class OneLayerTransformer(HomogeneousModel):
    """logits(a, b) = W_U (r + MLP(r)), r = e_= + p_2 + Attn(e_a + p_0, e_b + p_1, e_= + p_2)."""

    degree = 1  # nominal: not homogeneous (softmax attention, biases); only flow reads it
    W_E: nn.Parameter
    W_pos: nn.Parameter
    W_Q: nn.Parameter
    W_K: nn.Parameter
    W_V: nn.Parameter
    W_O: nn.Parameter
    W_in: nn.Parameter
    b_in: nn.Parameter
    W_out: nn.Parameter
    b_out: nn.Parameter
    W_U: nn.Parameter

    def __init__(
        self,
        vocab: int,
        d_model: int = 128,
        heads: int = 4,
        d_mlp: int = 512,
        generator: torch.Generator | None = None,
        alpha: float = 1.0,
    ) -> None:
        super().__init__()
        if vocab < 2 or heads < 1 or d_model % heads or d_mlp < 1:
            raise ValueError(
                f"need vocab ≥ 2, heads ≥ 1 dividing d_model, d_mlp ≥ 1; got {vocab}, "
                f"{d_model}, {heads}, {d_mlp}"
            )
        self.vocab, self.heads, self.d_head = vocab, heads, d_model // heads
        f64 = torch.float64

        def draw(*shape: int, fan: int) -> torch.Tensor:
            return torch.randn(*shape, generator=generator, dtype=f64) / math.sqrt(fan)

        d = d_model
        reference = {
            "W_E": draw(vocab + 1, d, fan=d),  # row vocab: the "=" token
            "W_pos": draw(3, d, fan=d),
            "W_Q": draw(d, d, fan=d),  # heads side by side: column block h is head h
            "W_K": draw(d, d, fan=d),
            "W_V": draw(d, d, fan=d),
            "W_O": draw(d, d, fan=d),
            "W_in": draw(d, d_mlp, fan=d),
            "b_in": torch.zeros(d_mlp, dtype=f64),
            "W_out": draw(d_mlp, d, fan=d),
            "b_out": torch.zeros(d, dtype=f64),
            "W_U": draw(d, vocab, fan=vocab + 1),
        }
        for name, value in reference.items():
            setattr(self, name, nn.Parameter(torch.empty_like(value)))
        self._set_reference(reference, alpha)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = tokens_of(x, self.vocab)
        equals = torch.full_like(a, self.vocab)
        resid = self.W_E[torch.stack([a, b, equals], dim=-1)] + self.W_pos  # (..., 3, d)
        last = resid[..., 2, :]
        split = (*resid.shape[:-2], self.heads, self.d_head)
        query = (last @ self.W_Q).reshape(split)  # (..., H, dh)
        keys = (resid @ self.W_K).reshape(*resid.shape[:-1], self.heads, self.d_head)
        values = (resid @ self.W_V).reshape(*resid.shape[:-1], self.heads, self.d_head)
        scores = torch.einsum("...hd,...khd->...hk", query, keys) / math.sqrt(self.d_head)
        mixed = torch.einsum("...hk,...khd->...hd", scores.softmax(-1), values)
        last = last + mixed.reshape(*last.shape) @ self.W_O
        last = last + torch.relu(last @ self.W_in + self.b_in) @ self.W_out + self.b_out
        return last @ self.W_U
