"""Every model is L-homogeneous and outputs zero at its initialisation α·θ̄."""

import pytest
import torch

from grokbench.engine.models import DiagonalNet, HomogeneousMLP, MatrixFactorization
from grokbench.engine.parameters import FlatModel


def _models_and_inputs():
    generator = torch.Generator().manual_seed(0)
    x_dense = torch.randn(7, 5, dtype=torch.float64, generator=generator)
    pairs = torch.tensor([[0, 1], [2, 2], [3, 0], [1, 3]])
    return [
        (DiagonalNet(5, depth=2, alpha=3.0), x_dense),
        (DiagonalNet(5, depth=3, alpha=0.5), x_dense),
        (MatrixFactorization(4, alpha=2.0), pairs),
        (MatrixFactorization(4, alpha=2.0, sigma=0.3, generator=generator), pairs),
        (HomogeneousMLP(5, 8, 3, depth=2, alpha=2.0, generator=generator), x_dense),
        (HomogeneousMLP(5, 8, 3, depth=3, alpha=1.0, generator=generator), x_dense),
    ]


@pytest.mark.parametrize("model,x", _models_and_inputs())
def test_zero_output_at_initialisation(model, x):
    flat = FlatModel(model)
    theta0 = flat.current()
    assert torch.allclose(theta0, model.alpha * flat.reference())
    assert torch.count_nonzero(flat.function(theta0, x)) == 0


@pytest.mark.parametrize("model,x", _models_and_inputs())
@pytest.mark.parametrize("scale", [0.3, 2.5])
def test_homogeneity_degree(model, x, scale):
    flat = FlatModel(model)
    generator = torch.Generator().manual_seed(1)
    theta = torch.randn(flat.size, dtype=torch.float64, generator=generator)
    out = flat.function(theta, x)
    assert out.abs().max() > 0
    scaled = flat.function(scale * theta, x)
    torch.testing.assert_close(scaled, scale**model.degree * out, rtol=1e-12, atol=1e-12)


def test_mlp_is_not_homogeneous_of_a_wrong_degree():
    model = HomogeneousMLP(5, 8, 3, depth=2, generator=torch.Generator().manual_seed(0))
    flat = FlatModel(model)
    theta = torch.randn(flat.size, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    x = torch.randn(4, 5, dtype=torch.float64)
    assert not torch.allclose(flat.function(2 * theta, x), 2**3 * flat.function(theta, x))


def test_set_alpha_moves_parameters_along_the_reference():
    model = DiagonalNet(6, alpha=1.0)
    model.set_alpha(4.0)
    assert model.alpha == 4.0
    assert torch.all(model.u == 4.0) and torch.all(model.v == 4.0)


def test_matrix_factorisation_forward_reads_the_matrix():
    model = MatrixFactorization(3, alpha=1.0)
    with torch.no_grad():
        model.U.copy_(torch.arange(9, dtype=torch.float64).view(3, 3))
    pairs = torch.tensor([[0, 2], [1, 1]])
    expected = model.matrix()[pairs[:, 0], pairs[:, 1]]
    torch.testing.assert_close(model(pairs), expected)
