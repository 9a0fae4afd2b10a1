"""X diag(s) Xᵀ for the KKT probe's Gram matrices, with BLAS's symmetric rank-k update, or
in integers where X is ±1.

``torch.matmul`` computes B Bᵀ as a general product (2m²d flops) where only its upper
triangle is new: ``dsyrk`` computes that triangle alone (m²d flops), about half the time
of the product on one thread (measured at paper scale, m = 256, d = 10⁵: 0.12 s against
0.25 s). Float64 throughout; other dtypes and devices keep the general product.

For ±1 inputs (the sparse tasks') ``sign_gram`` computes the same matrix from int8
products (``torch._int_mm``, exact in int32): s in fixed point, its largest entry at 2⁵⁵,
in 8 limbs of 7 bits. Its error is float64's (each entry within d·2⁻⁵⁶·max s of the exact
sum, where float64's summation of d terms is within ~d·2⁻⁵³·Σs of it), in about half of
dsyrk's time at paper scale (benchmarks/gram_side.py: 101 against 210 ms).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from threadpoolctl import threadpool_limits

#: The fixed point of ``sign_gram``: LIMBS limbs of LIMB_BITS bits (each limb times ±1 an
#: int8; each limb's product ≤ 127·d in magnitude, exact in int32 for d < 1.6·10⁷). Not
#: ``fixed_point.digits``' 4 balanced bytes: here a digit multiplies X elementwise, and −128
#: times −1 leaves int8, and the Gram's eigenvalue cutoff (10⁻¹² of the largest) wants
#: float64's 53 bits, not 32.
LIMB_BITS, LIMBS = 7, 8


#: Values checked at a time by ``each_sign_chunk`` (512 KB of float64, in L2: 1.35 ns a
#: value where chunks of 2²⁰ took 2.2, checked and packed, benchmarks/draws_side.py).
CHUNK = 1 << 16


def each_sign_chunk(array: np.ndarray, action: Callable[[int, np.ndarray], object]) -> bool:
    """Whether every value of the float ``array`` is +1 or −1, checked a chunk at a time;
    ``action(start, chunk)`` is called on each chunk (of the flat array, C order) once it
    has passed, and no further chunk is read after one that fails."""
    if array.dtype.kind != "f" or array.size == 0:
        return False
    flat = array.reshape(-1)
    size = min(CHUNK, flat.size)
    magnitude, flags = np.empty(size, dtype=array.dtype), np.empty(size, dtype=bool)
    for start in range(0, flat.size, CHUNK):
        chunk = flat[start : start + CHUNK]
        count = len(chunk)
        np.equal(np.abs(chunk, out=magnitude[:count]), 1, out=flags[:count])
        if not flags[:count].all():
            return False
        action(start, chunk)
    return True


def int8_product(left: torch.Tensor, right: torch.Tensor) -> torch.Tensor | None:
    """left @ right for int8 matrices, exact in int32 (``torch._int_mm``, a private
    function), or None where this torch has no CPU int8 products: its callers then take
    the float64 path."""
    try:
        return torch._int_mm(left, right)
    except (AttributeError, RuntimeError, NotImplementedError):
        return None


def int8_signs(x: torch.Tensor) -> torch.Tensor | None:
    """``x`` as int8 when it is a CPU float tensor of ±1 only (the sparse tasks' inputs),
    else None: what ``weighted_gram`` and ``sign_products`` take to compute in integers."""
    if x.device.type != "cpu" or not x.is_floating_point() or x.shape[-1] >= 1 << 24:
        return None
    out = np.empty(x.shape, dtype=np.int8)
    flat = out.reshape(-1)

    def convert(start: int, chunk: np.ndarray) -> None:
        flat[start : start + len(chunk)] = chunk

    source = x.detach().contiguous().numpy()
    return torch.from_numpy(out) if each_sign_chunk(source, convert) else None


def sign_products(x1: torch.Tensor, x2: torch.Tensor, block: int = 1024) -> torch.Tensor:
    """x1 x2ᵀ. Where both are CPU float tensors of ±1 (the sparse tasks' inputs) the
    entries are integers below 2²⁴ in magnitude, which float64 sums exactly in any order:
    int8 products (``torch._int_mm``, exact in int32) give the same values, ``block`` rows
    of x1 at a time (its int8 copy stays small beside a paper-scale test set's 8 GB)."""
    right = int8_signs(x2)
    if right is None or len(x1) == 0:
        return x1 @ x2.T
    out = torch.empty(len(x1), len(x2), dtype=x1.dtype)
    for start in range(0, len(x1), block):
        left = int8_signs(x1[start : start + block])
        product = None if left is None else int8_product(left, right.T)
        if product is None:
            return x1 @ x2.T
        out[start : start + block] = product
    return out


def sign_self_products(x: np.ndarray) -> np.ndarray | None:
    """x xᵀ for a float array of ±1 only (the sparse tasks' inputs) from int8 products, the
    same integers as float64's product (below 2²⁴, exact in any order); None for any other
    array or without CPU ``_int_mm``. For the linear kernel of G1's largest training sets
    (2048 × 10⁵): 1.7 against 6.9 s for numpy's product, one thread."""
    signs = int8_signs(torch.from_numpy(x) if x.flags.writeable else torch.tensor(x))
    product = None if signs is None else int8_product(signs, signs.T)
    return None if product is None else product.to(torch.float64).numpy()


def sign_gram(
    signs: torch.Tensor, rows: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor | None:
    """X_r diag(w) X_rᵀ for ±1 X (``signs``, int8) and float64 w ≥ 0, from integer products:
    w ≈ top·Σ_p 2^{7p} q_p / 2⁵⁵ with q_p ∈ [0, 127], and (X_r ⊙ q_p) X_rᵀ exact in int32;
    the limbs are summed in float64. None without CPU int8 products."""
    # index_select and one reused buffer for the limbs' products: signs[rows] and a fresh
    # x * digits per limb took 78 against 64 ms a Gram at m = 192, d = 10⁵, the same values
    x = torch.index_select(signs, 0, rows)
    top = float(weights.max()) if weights.numel() else 0.0
    if top <= 0:
        return torch.zeros(len(rows), len(rows), dtype=torch.float64)
    full = float(2 ** (LIMB_BITS * LIMBS - 1))  # max w ↦ 2⁵⁵, below 2⁵⁶ after rounding
    fixed = torch.round(weights.clamp(min=0) * (full / top)).to(torch.int64)
    gram = torch.zeros(len(rows), len(rows), dtype=torch.float64)
    mask = (1 << LIMB_BITS) - 1
    scaled = torch.empty_like(x)
    for limb in range(LIMBS):
        digits = ((fixed >> (LIMB_BITS * limb)) & mask).to(torch.int8)
        torch.mul(x, digits, out=scaled)  # ±1 · [0, 127]: int8, no overflow
        product = int8_product(scaled, x.T)
        if product is None:
            return None
        gram += product.to(torch.float64) * float(2 ** (LIMB_BITS * limb))
    return gram * (top / full)


def weighted_gram(
    x: torch.Tensor,
    rows: torch.Tensor,
    weights: torch.Tensor,
    block: int = 8192,
    signs: torch.Tensor | None = None,
) -> torch.Tensor:
    """G = X_r diag(w) X_rᵀ for the rows ``rows`` of ``x`` and weights w ≥ 0, accumulated
    over column blocks (memory: one m × ``block`` slice at a time); with ``signs``
    (``int8_signs(x)``) in integers (``sign_gram``) where torch has CPU int8 products and
    every weight is finite (a non-finite one makes the float64 product non-finite too)."""
    if signs is not None and weights.dtype == torch.float64 and bool(weights.isfinite().all()):
        gram = sign_gram(signs, rows, weights)
        if gram is not None:
            return gram
    m = len(rows)
    if x.device.type != "cpu" or x.dtype != torch.float64 or weights.dtype != torch.float64:
        gram = torch.zeros(m, m, dtype=weights.dtype, device=weights.device)
        for start in range(0, x.shape[1], block):
            part = x[rows, start : start + block]
            gram += (part * weights[start : start + block]) @ part.T
        return gram
    from scipy.linalg.blas import dsyrk

    root = weights.clamp(min=0).sqrt()
    out = np.zeros((m, m), dtype=np.float64, order="F")
    # one BLAS thread, as the rest of the probe (torch's threads are the run's)
    with threadpool_limits(1):
        for start in range(0, x.shape[1], block):
            part = x[rows, start : start + block] * root[start : start + block]
            # part is C-ordered m × b, so part.T is Fortran-ordered b × m: C += partᵀᵀ·partᵀ
            out = dsyrk(1.0, part.numpy().T, beta=1.0, c=out, trans=1, overwrite_c=1)
    upper = np.triu(out)
    return torch.from_numpy(upper + np.triu(upper, 1).T)
