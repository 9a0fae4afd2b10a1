"""StackedDiagonal: the diagonal net's batched forward and its chain rule written out."""

import pytest
import torch

from grokbench.engine.batched import StackedDiagonal
from grokbench.engine.models import DiagonalNet


@pytest.mark.parametrize("degree", [2, 3])
@pytest.mark.parametrize("shape", [(1,), (3,), (2, 3)])  # members, or datasets × members
def test_the_chain_rule_is_autograds_bit_for_bit(degree: int, shape: tuple[int, ...]) -> None:
    generator = torch.Generator().manual_seed(degree)
    d, n = 40, 7
    theta = torch.randn(*shape, 2 * d, generator=generator, dtype=torch.float64)
    x = torch.randn(n, d, generator=generator, dtype=torch.float64)
    grad_out = torch.randn(*shape, n, generator=generator, dtype=torch.float64)
    model = StackedDiagonal(degree)
    leaf = theta.clone().requires_grad_(True)
    u, v = leaf.unflatten(-1, (2, -1)).unbind(-2)
    out = DiagonalNet.weights_of(u, v, degree) @ x.T
    (expected,) = torch.autograd.grad(out, leaf, grad_out)
    assert torch.equal(model.backward(theta, x, grad_out), expected)
