"""Products with inputs kept in a lower precision than θ (``RunConfig.test_dtype`` and
``train_dtype``): the inputs are the large operand (a paper-scale training matrix of 256 × 10⁵,
a test set of 10⁴ × 10⁵), so keeping them in float32 halves the memory each product reads,
while θ, the losses, the scores and the integrator stay in the run's own precision.

Two things make a lowered product safe: denormal float32 numbers are flushed to zero (the
CPU's slow path, 30× slower on late-phase weights), and a vector lowered on its way in is
first scaled by a power of two (late-phase loss gradients of 10⁻⁴⁰ are zero in float32)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from grokbench.engine import fixed_point
from grokbench.spec import ConfigError


@contextlib.contextmanager
def flushing_denormals() -> Iterator[None]:
    """The CPU's flush-to-zero mode for this thread, then back off (torch's default; torch
    has no getter for the current mode)."""
    flushed = torch.set_flush_denormal(True)  # False where the CPU has no such mode
    try:
        yield
    finally:
        if flushed:
            torch.set_flush_denormal(False)


def scaled_product(rows: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """rows @ x for float64 ``rows`` and lower-precision ``x``, in rows' precision: each row
    is scaled by a power of two to a largest entry in [½, 1) before it is lowered and scaled
    back after, so the lowering costs float32's relative rounding (6·10⁻⁸) whatever the
    row's magnitude, and the scaling itself none."""
    _, exponent = torch.frexp(rows.abs().amax(-1, keepdim=True))
    scale = fixed_point.powers_of_two(exponent, rows.dtype)
    with flushing_denormals():
        product = torch.matmul((rows / scale).to(x.dtype), x)
    return product.to(rows.dtype).mul_(scale)  # ldexp on the product took 7× longer


def lowered_training_inputs(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor | None:
    """``x`` in ``dtype`` for the training products (``RunConfig.train_dtype``), only where
    that precision holds every input exactly (±1 signs, small integers): the data stays the
    data the baselines and metrics read, and only the products' arithmetic is lowered.
    int8 takes ±1 inputs (``grokbench.engine.fixed_point``); None where this torch has no
    CPU int8 products (the products then keep the data's precision)."""
    if dtype == torch.int8:
        signs = fixed_point.int8_inputs(x, "train_dtype", "training")
        return signs if fixed_point.available() else None
    lowered = x.to(dtype)
    if not torch.equal(lowered.to(x.dtype), x):
        raise ConfigError(
            f"train_dtype {str(dtype).removeprefix('torch.')}: the training inputs are not "
            f"exact in it (only inputs such as ±1 signs are); leave train_dtype unset"
        )
    return lowered
