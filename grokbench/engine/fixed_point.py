"""Products of ±1 inputs held as int8 with float64 vectors, in 32-bit fixed point
(``RunConfig.train_dtype = "int8"``).

The sparse tasks' gradient passes read a 256 × 10⁵ matrix of ±1 twice per gradient; they are
memory-bound, so the matrix's width in bytes sets their time. Each float64 row r is scaled
by a power of two to |q| < 2³⁰, rounded to an int32 q, and split into four balanced
base-256 digits in [−128, 127] (the int32's own bytes after an offset: no arithmetic per
digit). ``torch._int_mm`` multiplies the int8 inputs with the 4 digit columns exactly in
int32, and the digits are recombined in float64, exactly for rows of k < 2²¹ entries (the
sums stay below 128·k·2²⁴·1.01 < 2⁵³; longer rows add float64's rounding). The only error
is q's rounding: each entry within 2⁻³⁰·max|r| of r, where float32 rounds each entry to
2⁻²⁴ of itself and sums in float32. A paper-scale gradient (256 × 10⁵, one thread,
``python -m benchmarks.lowered_products``): 8.7 ms against 16.1 in float32 and 30.3 in
float64, 2.4·10⁻¹⁰ of its largest entry from float64's where float32's is 2.6·10⁻⁷ off.
"""

from __future__ import annotations

import sys

import torch

from grokbench.engine.gram import int8_product, int8_signs
from grokbench.spec import ConfigError

#: The offset that turns an int32 q into its balanced base-256 digits d_p (Σ 256^p d_p = q):
#: with q' = q + OFFSET, each low byte u of q' XOR 0x80 is u − 128 as an int8, and q''s top
#: byte (signed) is the top digit, as Σ_p 256^p (u_p − 128) + 256³·top = q' − OFFSET = q.
OFFSET = 0x808080
#: |q| < 2^TOP_BIT: the top digit stays in [−64, 64] and q + OFFSET in int32.
TOP_BIT = 30
DIGITS = 4
#: The smallest exponent a row's scale is built from (its scale 2^(LOWEST − TOP_BIT) > 0).
LOWEST = -1040
#: The digits' weights 256^p, to recombine the integer products.
_WEIGHTS = torch.tensor([256.0**p for p in range(DIGITS)], dtype=torch.float64)


def available() -> bool:
    """Whether this torch multiplies int8 matrices on the CPU (``torch._int_mm``, a private
    function; little-endian byte order for the digits)."""
    if sys.byteorder != "little":
        return False
    ones = torch.ones(2, 2, dtype=torch.int8)
    product = int8_product(ones, ones)
    return product is not None and bool(product.eq(2).all())


def powers_of_two(exponent: torch.Tensor, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """2^exponent in ``dtype`` for integer exponents in [−1074, 1023], built from float64's
    bits, so exact on every CPU and torch: ``ldexp`` computes 2.0**e with the CPU's
    vectorised ``pow`` (its exactness a property of that code, not IEEE's), and torch 2.2's
    raised 2 to an integer exponent in float32 (0 below 2⁻¹⁴⁹, which made a late-phase
    row's scale 0 and its product NaN). Exponents outside are clamped into it."""
    e = exponent.to(torch.int64).clamp(-1074, 1023)
    normal = (e.clamp(min=-1022) + 1023) << 52  # biased exponent, zero mantissa
    subnormal = torch.ones_like(e) << (e.clamp(max=-1023) + 1074)  # mantissa bit only
    return torch.where(e >= -1022, normal, subnormal).view(torch.float64).to(dtype)


def digits(rows: torch.Tensor, largest: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(k × 4B int8 digits, B × 1 float64 scales) of the finite float64 rows (B × k) whose
    largest magnitudes are ``largest`` (B × 1): column 4b + p holds digit p of row b, and
    row b ≈ scale_b · Σ_p 256^p · digit_p."""
    _, exponent = torch.frexp(largest)  # max |row| < 2^exponent
    # rows below 2⁻¹⁰⁴⁰ keep the scale 2⁻¹⁰⁷⁰ (float64's smallest is 2⁻¹⁰⁷⁴): fewer digits
    scale = powers_of_two(exponent.clamp(min=LOWEST) - TOP_BIT, rows.dtype)
    fixed = torch.empty(rows.shape[::-1], dtype=torch.int32)  # k × B, strides (B, 1)
    fixed.copy_((rows / scale).round_().T)  # |q| < 2³⁰
    fixed.add_(OFFSET).bitwise_xor_(OFFSET)
    return fixed.view(torch.int8), scale


def product(rows: torch.Tensor, signs: torch.Tensor) -> torch.Tensor:
    """rows @ signsᵀ for float64 ``rows`` (B × k) and ±1 ``signs`` (m × k, int8, k < 2²⁴:
    ``grokbench.engine.gram.int8_signs``), in float64 (B × m); a row with a non-finite
    entry gives a row of NaN, as the float product would."""
    largest = rows.abs().amax(-1, keepdim=True)
    finite = largest.isfinite()
    if not bool(finite.all()):
        out = product(rows.where(finite, 0.0), signs)
        return out.masked_fill_(~finite, float("nan"))
    columns, scale = digits(rows, largest)
    exact = int8_product(signs, columns)  # m × 4B, each entry below 128·k in magnitude
    if exact is None:  # this torch has no CPU int8 products
        return float_product(rows, signs)
    combined = exact.view(len(signs), -1, DIGITS).to(torch.float64) @ _WEIGHTS
    return combined.T.mul(scale)


#: Rows of the signs converted to float64 at a time by ``float_product`` (0.8 GB at k = 10⁵).
FLOAT_BLOCK = 1024


def float_product(rows: torch.Tensor, signs: torch.Tensor) -> torch.Tensor:
    """rows @ signsᵀ in ``rows``' precision, the signs converted ``FLOAT_BLOCK`` rows at a
    time: ``product`` where torch has no CPU int8 products (int8 inputs reach it only when
    a caller made them; ``test_dtype`` and ``train_dtype`` keep float inputs there)."""
    out = rows.new_empty(len(rows), len(signs))
    for start in range(0, len(signs), FLOAT_BLOCK):
        block = signs[start : start + FLOAT_BLOCK].to(rows.dtype)
        out[:, start : start + FLOAT_BLOCK] = rows @ block.T
    return out


def int8_inputs(x: torch.Tensor, setting: str, inputs: str) -> torch.Tensor:
    """``x`` as int8 for ``setting`` int8 (``train_dtype`` or ``test_dtype``, of the
    ``inputs``: training or test), checked to be ±1 and converted a chunk at a time
    (``gram.int8_signs``); a ConfigError naming the setting for anything else."""
    signs = int8_signs(x)
    if signs is None:
        raise ConfigError(
            f"{setting} int8: the {inputs} inputs are not all ±1 (CPU tensors of fewer than "
            f"2²⁴ columns); use float32 or leave {setting} unset"
        )
    return signs
