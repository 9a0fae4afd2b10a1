"""The KKT probe's Gram matrices: the integer products for ±1 inputs give float64's numbers
(to its rounding), other inputs keep the float64 path, and torch without CPU int8 products
falls back to it."""

from __future__ import annotations

import pytest
import torch

from grokbench.baselines.linear_margins import L2MaxMarginClassifier
from grokbench.engine import fixed_point, probes
from grokbench.engine import gram as G
from grokbench.engine.config import make_config
from grokbench.engine.runner import prepare

#: Tests of the integer path itself (torch 2.2 has no CPU ``_int_mm``; its fallback is
#: tested below with the function taken away).
needs_int8_products = pytest.mark.skipif(
    not fixed_point.available(), reason="no CPU int8 products in this torch"
)


def _problem(m: int = 24, d: int = 3000) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(5)
    x = torch.randint(0, 2, (m, d), generator=generator, dtype=torch.float64) * 2 - 1
    # late-phase weights span many magnitudes: a few large, most tiny, some zero
    weights = torch.logspace(-40, 2, d, dtype=torch.float64)[torch.randperm(d, generator=generator)]
    weights[::7] = 0
    rows = torch.randperm(m, generator=generator)[: m - 5]
    return x, weights, rows


def test_integer_gram_is_float64s_to_its_rounding() -> None:
    x, weights, rows = _problem()
    signs = G.int8_signs(x)
    assert signs is not None and signs.dtype == torch.int8
    plain = G.weighted_gram(x, rows, weights, block=1000)
    integer = G.weighted_gram(x, rows, weights, signs=signs)
    exact = (x[rows] * weights) @ x[rows].T  # the general product, summed otherwise
    scale = float(plain.abs().max())
    assert float((integer - plain).abs().max()) <= 1e-14 * scale
    assert float((integer - exact).abs().max()) <= 1e-14 * scale
    assert torch.equal(integer, integer.T)


@needs_int8_products
def test_integer_gram_keeps_the_fixed_points_bits() -> None:
    """With one limb too few the small weights' share is lost and the check above fails:
    here, weights below 2⁻⁴⁸ of the largest make the whole Gram of a block of columns."""
    x, _, rows = _problem(d=64)
    weights = torch.full((64,), 2.0**-50, dtype=torch.float64)
    weights[0] = 1.0
    signs = G.int8_signs(x)
    assert signs is not None
    full = G.sign_gram(signs, rows, weights)
    plain = G.weighted_gram(x, rows, weights)
    torch.testing.assert_close(full, plain, rtol=1e-15, atol=0)
    G.LIMBS -= 1
    try:
        short = G.sign_gram(signs, rows, weights)
    finally:
        G.LIMBS += 1
    assert not torch.allclose(short, plain, rtol=1e-15, atol=0)


def test_non_finite_weights_keep_the_float64_path() -> None:
    x, weights, rows = _problem()
    weights[11] = float("inf")
    plain = G.weighted_gram(x, rows, weights)
    assert not plain.isfinite().all()
    integer = G.weighted_gram(x, rows, weights, signs=G.int8_signs(x))
    torch.testing.assert_close(integer, plain, equal_nan=True)


@pytest.mark.parametrize("value", [0.5, 0.0, 2.0])
def test_other_inputs_are_not_signs(value: float) -> None:
    x, _, _ = _problem()
    x[3, 7] = value
    assert G.int8_signs(x) is None
    assert G.int8_signs(x.to(torch.int64)) is None


def test_without_int8_products_the_float64_path(monkeypatch: pytest.MonkeyPatch) -> None:
    x, weights, rows = _problem()
    signs = G.int8_signs(x)

    def missing(*_: object) -> torch.Tensor:
        raise NotImplementedError("no CPU _int_mm in this torch")

    monkeypatch.setattr(torch, "_int_mm", missing)
    plain = G.weighted_gram(x, rows, weights)
    assert torch.equal(G.weighted_gram(x, rows, weights, signs=signs), plain)
    monkeypatch.delattr(torch, "_int_mm")
    assert torch.equal(G.weighted_gram(x, rows, weights, signs=signs), plain)


def test_kkt_residual_is_the_same_with_integer_grams() -> None:
    prepared = prepare(make_config("sparse-cls", "smoke"))
    signs = probes.training_signs(prepared)
    assert signs is not None
    data = prepared.data
    w = L2MaxMarginClassifier().fit(data.x_train.numpy(), data.y_train.numpy()).coef_
    w = torch.as_tensor(w, dtype=torch.float64) + 1e-3  # separating, not a KKT point
    theta = prepared.flat.flatten({"u": w.clamp(min=0).sqrt(), "v": (-w).clamp(min=0).sqrt()})
    plain = probes.kkt_residual(prepared, theta)
    integer = probes.kkt_residual(prepared, theta, sign_inputs=signs)
    assert plain[1] == integer[1] > 0
    assert integer[0] == pytest.approx(plain[0], rel=1e-9, abs=1e-12)
    misgrok = prepare(make_config("misgrok", "smoke"))
    assert probes.training_signs(misgrok) is None  # Gaussian inputs keep float64


@pytest.mark.parametrize("block", [5, 1024])
def test_sign_products_are_the_float64_product(block: int) -> None:
    """±1 inputs: int8 products, a block of rows at a time, give float64's exact integers
    (a short last block included); the NTK of a diagonal net is built on them."""
    x, _, _ = _problem(m=23, d=70_000)
    other = x[:9].flip(1).contiguous()
    product = G.sign_products(x, other, block=block)
    assert product.dtype == torch.float64
    assert torch.equal(product, x @ other.T)


@pytest.mark.parametrize("where", ["left, last block", "right"])
def test_sign_products_of_other_values_are_the_float_product(where: str) -> None:
    x, _, _ = _problem(m=23, d=700)
    other = x[:9].clone()
    (x if where.startswith("left") else other)[-1, -1] = 1.5  # int8 would make it 1
    assert torch.equal(G.sign_products(x, other, block=5), x @ other.T)


def test_sign_products_without_int8_products(monkeypatch: pytest.MonkeyPatch) -> None:
    x, _, _ = _problem(m=23, d=700)
    monkeypatch.delattr(torch, "_int_mm")
    assert torch.equal(G.sign_products(x, x[:4]), x @ x[:4].T)


@needs_int8_products
def test_sign_self_products_are_the_float64_product(monkeypatch: pytest.MonkeyPatch) -> None:
    """x xᵀ of ±1 inputs in integers is numpy's product to the last bit (read-only arrays
    too); other values and a torch without CPU int8 products give None, and the max-L2-margin
    fit, which takes its linear kernel from it, is the same either way."""
    x = _problem(m=37, d=5000)[0].numpy()
    product = G.sign_self_products(x)
    assert product is not None and product.dtype == x.dtype
    assert (product == x @ x.T).all()
    frozen = x.copy()
    frozen.flags.writeable = False
    assert (G.sign_self_products(frozen) == product).all()
    other = x.copy()
    other[-1, -1] = 0.5
    assert G.sign_self_products(other) is None
    y = _problem(m=37, d=5000)[0][:, 0].numpy()  # a separable labelling
    fitted = L2MaxMarginClassifier().fit(x, y).coef_
    monkeypatch.delattr(torch, "_int_mm")
    assert G.sign_self_products(x) is None
    assert (L2MaxMarginClassifier().fit(x, y).coef_ == fitted).all()
