"""Power et al.'s 2-layer decoder: the last-position forward equals the full causal model,
the paper's parameter count, inputs, interventions only in training, α, the CLI."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from grokbench.cli import main
from grokbench.engine.binop import binary_operation
from grokbench.engine.decoder import NUM0, PowerTransformer, power_transformer, vocabulary
from grokbench.engine.tasks import modular_addition

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


def full_causal_logits(model: PowerTransformer, x: torch.Tensor) -> torch.Tensor:
    """The textbook model: every position through every layer, a causal mask, the whole
    vocabulary's logits at the "=" position; then the answer tokens' columns."""
    h = model.embed[model.sequence(x)] + model.positions
    d, heads = h.shape[-1], model.heads
    mask = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
    for k in range(model.layers):
        q, key, v = (h @ getattr(model, f"qkv{k}").T).split(d, dim=-1)
        q, key, v = (t.unflatten(-1, (heads, -1)).transpose(1, 2) for t in (q, key, v))
        scores = (q @ key.transpose(-1, -2) / math.sqrt(d // heads)).masked_fill(mask, -math.inf)
        z = (scores.softmax(-1) @ v).transpose(1, 2).flatten(-2)
        ln1 = (getattr(model, f"ln1_w{k}"), getattr(model, f"ln1_b{k}"))
        h = F.layer_norm(h + z @ getattr(model, f"wo{k}").T, (d,), *ln1)
        ff = torch.relu(h @ getattr(model, f"ff1_{k}").T) @ getattr(model, f"ff2_{k}").T
        ln2 = (getattr(model, f"ln2_w{k}"), getattr(model, f"ln2_b{k}"))
        h = F.layer_norm(h + ff, (d,), *ln2)
    logits = h[:, 4] @ model.head.T  # (B, vocab)
    return logits[:, model.first : model.first + model.answers]


@pytest.mark.parametrize(("op", "group"), [("sub", False), ("s5", True)])
def test_last_position_forward_equals_the_full_causal_model(op: str, group: bool) -> None:
    data = binary_operation(op, 7, 0.2, seed=0)
    model = PowerTransformer(7, data.n_outputs, group, d_model=16, heads=4, layers=3,
                             generator=torch.Generator().manual_seed(1))  # fmt: skip
    with torch.no_grad():
        model.eval()
        assert torch.allclose(model(data.x_train), full_causal_logits(model, data.x_train),
                              atol=1e-12)  # fmt: skip
    seq = model.sequence(data.x_train)
    offset = NUM0 + 7 if group else NUM0
    assert torch.equal(seq[:, 1] - offset, data.x_train[:, 0].long())
    assert seq[:, [0, 2, 4]].tolist() == [[0, 2, 1]] * len(seq)  # <eos> a op b =


def test_paper_parameter_count_init_and_the_alpha_contract() -> None:
    model = PowerTransformer(97, generator=torch.Generator().manual_seed(0))
    assert vocabulary(97) == 239 and model.answers == 97
    non_embedding = sum(t.numel() for name, t in model.named_parameters() if name != "embed")
    assert non_embedding == 424_832  # 2·(4·128² + 8·128²) + 4 LayerNorms + the 128 × 239 head
    assert abs(float(model.embed.detach().std()) - 1) < 0.02  # N(0, 1), torch's Embedding
    bound = float(model.ff2_1.detach().abs().max())  # U(±1/√fan_in), fan_in 512
    assert 0.95 / math.sqrt(512) < bound <= 1 / math.sqrt(512)
    scaled = PowerTransformer(97, generator=torch.Generator().manual_seed(0), alpha=3.0)
    reference = scaled.reference_parameters()
    for (name, one), (_, three) in zip(
        model.named_parameters(), scaled.named_parameters(), strict=True
    ):
        assert torch.allclose(three, 3.0 * one), name
        assert torch.equal(reference[name], one.detach()), name
    assert power_transformer(97, 120).answers == 120  # the plug-in factory: S5 tables


def test_one_hot_pairs_and_token_pairs_give_the_same_logits() -> None:
    data = modular_addition(5, 0.6, seed=0)
    pairs = torch.stack([data.x_train[:, :5].argmax(1), data.x_train[:, 5:].argmax(1)], 1)
    model = PowerTransformer(5, d_model=8, heads=2).eval()
    with torch.no_grad():
        assert torch.equal(model(pairs.double()), model(data.x_train))


@pytest.mark.parametrize("setting", [{"dropout": 0.5}, {"wnoise": 0.1}])
def test_interventions_act_only_in_training_steps(setting: dict[str, float]) -> None:
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    plain = PowerTransformer(5, d_model=8, heads=2, generator=torch.Generator().manual_seed(0))
    noisy = PowerTransformer(5, d_model=8, heads=2, generator=torch.Generator().manual_seed(0),
                             **setting)  # fmt: skip
    with torch.no_grad():
        assert torch.equal(noisy(x), plain(x))  # evaluation: no gradient, the plain net
    assert not torch.allclose(noisy(x), plain(x))  # a training step's forward


def test_cli_runs_it_and_checks_its_sizes(tmp_path, capsys) -> None:
    out = tmp_path / "trace.json"
    assert main(["run", "binop-transformer", "--scale", "smoke", "--out", str(out)]) == 0
    assert out.exists()
    assert main(["run", "binop-transformer", "--scale", "smoke", "--set", "layers=0"]) == 2
    assert "layers" in capsys.readouterr().err
