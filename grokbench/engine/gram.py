"""X diag(s) Xᵀ for the KKT probe's Gram matrices, with BLAS's symmetric rank-k update.

``torch.matmul`` computes B Bᵀ as a general product (2m²d flops) where only its upper
triangle is new: ``dsyrk`` computes that triangle alone (m²d flops), about half the time
of the product on one thread (measured at paper scale, m = 256, d = 10⁵: 0.12 s against
0.25 s). Float64 throughout; other dtypes and devices keep the general product.
"""

from __future__ import annotations

import numpy as np
import torch
from threadpoolctl import threadpool_limits


def weighted_gram(
    x: torch.Tensor, rows: torch.Tensor, weights: torch.Tensor, block: int = 8192
) -> torch.Tensor:
    """G = X_r diag(w) X_rᵀ for the rows ``rows`` of ``x`` and weights w ≥ 0, accumulated
    over column blocks (memory: one m × ``block`` slice at a time)."""
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
