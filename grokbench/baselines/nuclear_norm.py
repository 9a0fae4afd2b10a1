"""Minimum-nuclear-norm symmetric completion: min ‖X‖_* s.t. X = Xᵀ, X_ij = y_ij on Ω.

The late phase of W = UUᵀ − VVᵀ on matrix completion converges to this completion
(CLAIMS.md R4): min ‖U‖² + ‖V‖² s.t. the observations equals min ‖W‖_* over symmetric W.
Solved by ADMM on the split X = Z: X is projected onto the affine set of symmetric
matrices that match the observations, Z is shrunk by eigenvalue soft-thresholding (the
proximal map of the nuclear norm on symmetric matrices), over-relaxed. No SDP solver is
needed; cvxpy, when installed, serves only as a cross-check in tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits


@dataclass
class CompletionResult:
    """The completed matrix, its nuclear norm, and how the solver ended."""

    matrix: np.ndarray
    nuclear_norm: float
    iterations: int
    primal_residual: float
    dual_residual: float
    converged: bool


def _observed(
    d: int, rows: np.ndarray, cols: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The symmetric mask Ω ∪ Ωᵀ and the observed values on it (averaged where (i, j) and
    (j, i) are both observed)."""
    total = np.zeros((d, d))
    count = np.zeros((d, d))
    np.add.at(total, (rows, cols), values)
    np.add.at(count, (rows, cols), 1.0)
    np.add.at(total, (cols, rows), values)
    np.add.at(count, (cols, rows), 1.0)
    mask = count > 0
    target = np.where(mask, total / np.maximum(count, 1.0), 0.0)
    return mask, target


def _shrink(matrix: np.ndarray, threshold: float) -> np.ndarray:
    """Proximal map of threshold·‖·‖_* at a symmetric matrix: soft-threshold |eigenvalues|."""
    evals, evecs = np.linalg.eigh(matrix)
    shrunk = np.sign(evals) * np.maximum(np.abs(evals) - threshold, 0.0)
    keep = shrunk != 0
    return (evecs[:, keep] * shrunk[keep]) @ evecs[:, keep].T


def nuclear_norm_completion(
    d: int,
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    *,
    tol: float = 1e-6,
    max_iter: int = 20_000,
    rho: float | None = None,
    relax: float = 1.7,
) -> CompletionResult:
    """min ‖X‖_* over symmetric d×d X with X[rows, cols] = values (and the symmetric entries).

    Over-relaxed ADMM (``relax``) with a fixed penalty ``rho`` (default 10/max|y|, the best
    of a scan on the paper-scale task). Stops when the relative primal residual ‖X − Z‖ and
    dual residual ρ‖Z − Z_prev‖ are both below ``tol`` (1e-6 puts ‖X‖_* within ~1e-6 of its
    minimum at paper scale). The returned matrix is the feasible iterate X. BLAS runs on one
    thread: a 97×97 eigh is several times faster so on a busy 2-core machine.
    """
    mask, target = _observed(d, np.asarray(rows), np.asarray(cols), np.asarray(values, float))
    scale = max(float(np.abs(target).max()), 1e-300)
    rho = rho if rho is not None else 10.0 / scale
    z = target.copy()
    u = np.zeros((d, d))
    x = target.copy()
    primal = dual = np.inf
    iteration = 0
    with threadpool_limits(1):
        while iteration < max_iter and not (primal < tol and dual < tol):
            iteration += 1
            x = z - u
            x = 0.5 * (x + x.T)
            x[mask] = target[mask]
            relaxed = relax * x + (1.0 - relax) * z
            z_prev = z
            z = _shrink(relaxed + u, 1.0 / rho)
            u += relaxed - z
            size = max(float(np.linalg.norm(x)), float(np.linalg.norm(z)), 1e-300)
            primal = float(np.linalg.norm(x - z)) / size
            dual = float(np.linalg.norm(z - z_prev)) / max(float(np.linalg.norm(u)), 1e-300)
        nuclear = float(np.abs(np.linalg.eigvalsh(x)).sum())
    converged = primal < tol and dual < tol
    return CompletionResult(x, nuclear, iteration, primal, dual, converged)


class NuclearNormCompletion:
    """Estimator wrapper: ``fit(pairs, y, d)`` on index pairs, ``predict(pairs)``.

    Attributes: ``matrix_`` (d×d), ``nuclear_norm_``, ``n_iter_``, ``converged_``,
    ``primal_residual_``.
    """

    def __init__(self, tol: float = 1e-6, max_iter: int = 20_000) -> None:
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, pairs: np.ndarray, y: np.ndarray, d: int) -> NuclearNormCompletion:
        pairs = np.asarray(pairs)
        result = nuclear_norm_completion(
            d, pairs[:, 0], pairs[:, 1], y, tol=self.tol, max_iter=self.max_iter
        )
        self.matrix_ = result.matrix
        self.nuclear_norm_ = result.nuclear_norm
        self.n_iter_ = result.iterations
        self.converged_ = result.converged
        self.primal_residual_ = result.primal_residual
        return self

    def predict(self, pairs: np.ndarray) -> np.ndarray:
        pairs = np.asarray(pairs)
        return self.matrix_[pairs[:, 0], pairs[:, 1]]
