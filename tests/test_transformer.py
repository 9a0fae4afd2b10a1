"""Nanda et al.'s one-layer transformer: the last-position forward equals the full causal
model, inputs as one-hot pairs or token pairs, the engine's α contract, the CLI."""

from __future__ import annotations

import math

import pytest
import torch

from grokbench.cli import main
from grokbench.engine.tasks import modular_addition
from grokbench.engine.transformer import OneLayerTransformer, tokens_of

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


def full_causal_logits(
    model: OneLayerTransformer, a: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """The textbook model: every position, a causal mask, the MLP everywhere; read the last."""
    seq = torch.stack([a, b, torch.full_like(a, model.vocab)], dim=-1)
    resid = model.W_E[seq] + model.W_pos  # (B, 3, d)
    heads, dh = model.heads, model.d_head
    q = (resid @ model.W_Q).unflatten(-1, (heads, dh)).transpose(1, 2)  # (B, H, 3, dh)
    k = (resid @ model.W_K).unflatten(-1, (heads, dh)).transpose(1, 2)
    v = (resid @ model.W_V).unflatten(-1, (heads, dh)).transpose(1, 2)
    scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
    mask = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)
    z = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v  # (B, H, 3, dh)
    resid = resid + z.transpose(1, 2).flatten(-2) @ model.W_O
    resid = resid + torch.relu(resid @ model.W_in + model.b_in) @ model.W_out + model.b_out
    return (resid @ model.W_U)[:, -1]


def test_last_position_forward_equals_the_full_causal_model() -> None:
    model = OneLayerTransformer(
        7, d_model=16, heads=4, d_mlp=24, generator=torch.Generator().manual_seed(0)
    )
    data = modular_addition(7, 0.5, seed=1)
    a, b = tokens_of(data.x_train, 7)
    with torch.no_grad():
        assert torch.allclose(model(data.x_train), full_causal_logits(model, a, b), atol=1e-12)


def test_inputs_as_one_hot_pairs_or_token_pairs() -> None:
    data = modular_addition(5, 0.6, seed=0)
    a, b = tokens_of(data.x_train, 5)
    assert torch.equal((a + b) % 5, data.y_train)
    pairs = torch.stack([a, b], dim=1).double()
    model = OneLayerTransformer(5, d_model=8, heads=2, d_mlp=8)
    with torch.no_grad():
        assert torch.equal(model(pairs), model(data.x_train))
    with pytest.raises(ValueError, match="token pairs or two one-hots"):
        tokens_of(torch.zeros(3, 7), 5)


def test_paper_sizes_and_the_alpha_contract() -> None:
    p, d, d_mlp = 113, 128, 512
    model = OneLayerTransformer(p, d, 4, d_mlp, generator=torch.Generator().manual_seed(0))
    # Nanda et al.'s model: embeddings (p + 1)·d + 3·d, attention 4·d², MLP 2·d·d_mlp + d_mlp
    # + d, unembedding d·p
    expected = (p + 1) * d + 3 * d + 4 * d * d + 2 * d * d_mlp + d_mlp + d + d * p
    assert sum(t.numel() for t in model.parameters()) == expected
    scaled = OneLayerTransformer(
        p, d, 4, d_mlp, generator=torch.Generator().manual_seed(0), alpha=3.0
    )
    for (name, one), (_, three) in zip(
        model.named_parameters(), scaled.named_parameters(), strict=True
    ):
        assert torch.allclose(three, 3.0 * one), name
    assert abs(float(model.W_E.detach().std()) * math.sqrt(d) - 1) < 0.05  # randn/√d_model


def test_cli_runs_it_and_rejects_heads_that_do_not_divide(tmp_path, capsys) -> None:
    out = tmp_path / "trace.json"
    assert main(["run", "modadd-transformer", "--scale", "smoke", "--out", str(out)]) == 0
    assert out.exists()
    assert main(["run", "modadd-transformer", "--scale", "smoke", "--set", "heads=3"]) == 2
    assert "heads: must divide d_model" in capsys.readouterr().err
