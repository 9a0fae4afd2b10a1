"""StackedDiagonal: the diagonal net's batched forward and its chain rule written out."""

import pytest
import torch

from grokbench.engine.batched import StackedDiagonal
from grokbench.engine.models import DiagonalNet


@pytest.mark.parametrize("degree", [2, 3])
@pytest.mark.parametrize("shape", [(1,), (3,), (2, 3)])  # members, or datasets × members
def test_the_chain_rule_is_autograds_bit_for_bit(degree: int, shape: tuple[int, ...]) -> None:
    """From the same ∂loss/∂w, ``_chain`` gives autograd's ∂loss/∂θ through w = u^L − v^L
    exactly: elementwise products only (no BLAS sum whose order a CPU could change)."""
    generator = torch.Generator().manual_seed(degree)
    d = 40
    theta = torch.randn(*shape, 2 * d, generator=generator, dtype=torch.float64)
    grad_w = torch.randn(*shape, d, generator=generator, dtype=torch.float64)
    leaf = theta.clone().requires_grad_(True)
    u, v = leaf.unflatten(-1, (2, -1)).unbind(-2)
    (expected,) = torch.autograd.grad(DiagonalNet.weights_of(u, v, degree), leaf, grad_w)
    assert torch.equal(StackedDiagonal(degree)._chain(theta, grad_w), expected)
