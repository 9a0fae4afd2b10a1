"""grokbench.engine.fixed_point: float64 rows times ±1 int8 inputs in 32-bit fixed point."""

import pytest
import torch

from grokbench.engine import fixed_point

pytestmark = pytest.mark.skipif(not fixed_point.available(), reason="no CPU int8 products")


def _signs(*shape: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return (torch.randint(0, 2, shape, generator=generator) * 2 - 1).to(torch.int8)


def _rows(*shape: int, seed: int = 1) -> torch.Tensor:
    """Rows whose entries span decades, as late-phase w and ρ do."""
    generator = torch.Generator().manual_seed(seed)
    normal = torch.randn(*shape, generator=generator, dtype=torch.float64)
    return normal * 10.0 ** torch.randint(-12, 1, shape, generator=generator).double()


def test_the_digits_are_the_rows_rounded_in_32_bit_fixed_point() -> None:
    rows = _rows(3, 50)
    largest = rows.abs().amax(-1, keepdim=True)
    digits, scale = fixed_point.digits(rows, largest)
    assert digits.dtype == torch.int8 and digits.shape == (50, 3 * fixed_point.DIGITS)
    weights = torch.tensor([256**p for p in range(fixed_point.DIGITS)])
    fixed = (digits.long().view(50, 3, -1) * weights).sum(-1).T  # rows × k integers
    assert (fixed.abs() < 2**fixed_point.TOP_BIT).all()
    assert torch.equal(fixed.double() * scale, (rows / scale).round() * scale)
    assert ((fixed.double() * scale - rows).abs() <= 2.0**-30 * largest).all()  # ½ a digit
    assert (fixed.abs().amax(-1) >= 2 ** (fixed_point.TOP_BIT - 1)).all()  # no bits wasted


@pytest.mark.parametrize("magnitude", [1.0, 1e-40, 1e-300, 1e-318, 1e300])
def test_a_product_is_the_float64_product_to_the_fixed_points_rounding(magnitude: float) -> None:
    """Each entry within k·2⁻³⁰·max|row| of the float64 product (q's rounding, summed
    exactly); rows below 2⁻¹⁰⁴⁰ keep fewer digits, each within 2⁻¹⁰⁷¹."""
    signs, rows = _signs(9, 400), magnitude * _rows(4, 400)
    exact = rows @ signs.double().T
    product = fixed_point.product(rows, signs)
    assert product.dtype == torch.float64 and product.shape == (4, 9)
    largest = rows.abs().amax(-1, keepdim=True)
    bound = 400 * largest.mul(2.0**-30).clamp(min=2.0**-1071)
    assert ((product - exact).abs() <= bound).all()
    assert (product != 0).all()


def test_zero_and_non_finite_rows() -> None:
    rows = _rows(4, 30)
    rows[1] = 0.0
    rows[2, 5] = float("nan")
    rows[3, 0] = float("inf")
    signs = _signs(5, 30)
    product = fixed_point.product(rows, signs)
    assert torch.equal(product[1], torch.zeros(5, dtype=torch.float64))
    assert product[2:].isnan().all()
    assert torch.allclose(product[0], rows[0] @ signs.double().T, rtol=0, atol=1e-8)


def test_available_says_whether_int8_products_run(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fixed_point.available()
    monkeypatch.delattr(torch, "_int_mm")
    assert not fixed_point.available()


def test_without_int8_products_a_product_is_the_float64_product(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where torch has no CPU ``_int_mm`` (torch 2.2) int8 inputs that a caller made still
    multiply: in float64, a block of the signs at a time, NaN rows kept."""
    monkeypatch.setattr(fixed_point, "FLOAT_BLOCK", 4)  # 9 signs: three blocks
    monkeypatch.delattr(torch, "_int_mm")
    rows, signs = _rows(3, 40), _signs(9, 40)
    rows[2, 1] = float("nan")
    product = fixed_point.product(rows, signs)
    exact = rows[:2] @ signs.double().T  # summed in another order: to float64's rounding
    bound = 1e-15 * 40 * rows[:2].abs().amax(-1, keepdim=True)
    assert ((product[:2] - exact).abs() <= bound).all()
    assert product[2].isnan().all()
