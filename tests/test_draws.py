"""grokbench.engine.draws gives torch's own draws: normals to the last bit or two, signs
exactly, and leaves the generator where torch's call leaves it."""

from __future__ import annotations

import pytest
import torch

from grokbench.engine import draws

# sizes below 16, a multiple of 16, and sizes whose last 16 normals torch redraws
SHAPES = [(3, 5), (16,), (7, 48), (1001,), (37, 29)]


def _seeded(seed: int = 11) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _next_draws_agree(first: torch.Generator, second: torch.Generator) -> bool:
    return torch.equal(
        torch.rand(8, generator=first, dtype=torch.float64),
        torch.rand(8, generator=second, dtype=torch.float64),
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("block", [32, draws.BLOCK])
def test_normal_is_torch_randn_to_two_ulps(monkeypatch, shape, block):
    monkeypatch.setattr(draws, "BLOCK", block)
    theirs, ours = _seeded(), _seeded()
    expected = torch.randn(shape, generator=theirs, dtype=torch.float64)
    drawn = draws.normal(shape, ours)
    assert drawn.shape == expected.shape and drawn.dtype == torch.float64
    torch.testing.assert_close(drawn, expected, rtol=2 * torch.finfo(torch.float64).eps, atol=0)
    assert _next_draws_agree(theirs, ours)


def test_normal_pairs_as_torch_does():
    """Pairing value j with j + 1 (or drawing normals otherwise) gives other numbers: the
    comparison above can fail."""
    expected = torch.randn(64, generator=_seeded(), dtype=torch.float64)
    swapped = draws.normal((64,), _seeded()).view(-1, 2, 8).flip(1).reshape(-1)
    assert not torch.allclose(swapped, expected)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("block", [32, draws.BLOCK])
def test_signs_are_torch_randint_exactly(monkeypatch, shape, block):
    monkeypatch.setattr(draws, "BLOCK", block)
    theirs, ours = _seeded(), _seeded()
    expected = torch.randint(0, 2, shape, generator=theirs, dtype=torch.float64) * 2 - 1
    drawn = draws.signs(shape, ours)
    assert drawn.dtype == torch.float64 and torch.equal(drawn, expected)
    assert _next_draws_agree(theirs, ours)
