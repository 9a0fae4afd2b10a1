"""The generic empirical NTK against the closed forms at θ̄."""

from __future__ import annotations

import pytest
import torch

from grokbench.baselines import ntk
from grokbench.engine.models import DiagonalNet, HomogeneousMLP, MatrixFactorization


def _signs(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, 2, shape, generator=gen).double() * 2 - 1


@pytest.mark.parametrize("depth", [2, 3])
def test_diagonal_net_matches_closed_form(depth: int) -> None:
    x1, x2 = _signs((12, 40), 0), _signs((7, 40), 1)
    model = DiagonalNet(40, depth=depth, alpha=5.0)  # the NTK is taken at θ̄, not at α·θ̄
    generic = ntk.empirical_ntk(model, x1, x2)
    closed = ntk.diagonal_net_ntk(x1, x2, depth)
    assert generic.shape == (12, 7)
    assert (generic - closed).abs().max().item() <= 1e-12 * closed.abs().max().item()
    assert closed[0].abs().max() > 0


def test_matrix_factorization_matches_symmetric_indicator_kernel() -> None:
    d = 6
    pairs = torch.tensor([[0, 1], [1, 0], [2, 2], [3, 5], [5, 3], [4, 1], [0, 0]])
    model = MatrixFactorization(d, alpha=10.0)
    generic = ntk.empirical_ntk(model, pairs)
    closed = ntk.factorization_ntk(pairs, pairs)
    assert (generic - closed).abs().max().item() <= 1e-12
    assert closed[0, 1] == 4.0 and closed[2, 2] == 8.0 and closed[0, 2] == 0.0


def _mlp() -> tuple[HomogeneousMLP, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(3)
    model = HomogeneousMLP(10, 16, 5, depth=2, alpha=7.0, generator=gen)
    x = torch.randn(9, 10, generator=gen, dtype=torch.float64)
    ref = ntk.reference_params(model)
    hidden = torch.relu(x @ ref["layers.0.weight"].T + ref["layers.0.bias"])
    return model, x, hidden


def test_mlp_zero_last_layer_trace_and_blocks() -> None:
    model, x, hidden = _mlp()
    trace = ntk.empirical_ntk(model, x, outputs="trace")
    closed = ntk.zero_last_layer_mlp_ntk(hidden, hidden, 5)
    assert (trace - closed).abs().max().item() <= 1e-12 * closed.abs().max().item()
    blocks = ntk.empirical_ntk(model, x, outputs="blocks")
    assert blocks.shape == (5, 9, 9)
    assert torch.allclose(blocks, (hidden @ hidden.T).expand(5, 9, 9), atol=1e-12)
    full = ntk.empirical_ntk(model, x, outputs="full")
    assert full.shape == (9, 9, 5, 5)
    off_diagonal = full * (1 - torch.eye(5, dtype=torch.float64))
    assert off_diagonal.abs().max().item() == 0.0


def test_chunking_does_not_change_the_kernel() -> None:
    model, x, _ = _mlp()
    whole = ntk.empirical_ntk(model, x, x[:4])
    tiny = ntk.empirical_ntk(model, x, x[:4], max_bytes=1)  # one example per chunk
    assert tiny.shape == (9, 4)
    assert (whole - tiny).abs().max().item() <= 1e-12


def test_ntk_blocks_share_the_right_side() -> None:
    x1, x2 = _signs((5, 20), 4), _signs((3, 20), 5)
    model = DiagonalNet(20)
    k_train, k_test = ntk.ntk_blocks(model, [x1, x2], x1, max_bytes=2000)
    assert torch.allclose(k_train, ntk.diagonal_net_ntk(x1, x1), atol=1e-12)
    assert torch.allclose(k_test, ntk.diagonal_net_ntk(x2, x1), atol=1e-12)


def test_unknown_output_layout_is_rejected() -> None:
    with pytest.raises(ValueError, match="outputs"):
        ntk.empirical_ntk(DiagonalNet(3), torch.ones(2, 3), outputs="diag")  # type: ignore[arg-type]


def test_the_baselines_take_the_closed_form_only_where_it_holds(monkeypatch) -> None:
    """A diagonal net's kernel baselines use 2L²⟨x, x'⟩ (equal to the Jacobians' kernel to
    1e-12); other models keep the generic kernel."""
    from grokbench.baselines.compute import Inputs
    from grokbench.engine.config import make_config
    from grokbench.engine.runner import prepare

    inputs = Inputs.from_prepared(prepare(make_config("sparse-cls", "smoke", {"depth": 3})))
    data, model = inputs.prepared.data, inputs.prepared.model
    k_train, k_test = ntk.ntk_blocks(model, [data.x_train, data.x_test], data.x_train)

    def generic(*args, **kwargs):
        raise AssertionError("the generic kernel was computed")

    monkeypatch.setattr("grokbench.baselines.compute.ntk_blocks", generic)
    closed_train, closed_test = inputs.kernels()
    assert closed_train == pytest.approx(k_train.numpy(), rel=1e-12, abs=1e-12)
    assert closed_test == pytest.approx(k_test.numpy(), rel=1e-12, abs=1e-12)
    assert ntk.closed_form(MatrixFactorization(5)) is None
    assert ntk.closed_form(_mlp()[0]) is None
