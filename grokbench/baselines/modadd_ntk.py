"""Closed-form empirical NTKs of the two-layer modular-addition nets, the kernel predictors
fitted on them, and Fort et al.'s kernel distance (mohamadi24).

The generic ``ntk.empirical_ntk`` costs 2·n·m·C·P flops (C outputs, P parameters); for the
two-layer nets the Jacobian contracts in closed form at O(n·m·N) (N hidden units), which
makes a kernel over all p² pairs of a sweep cheap. Both nets are covered:

- ``QuadMLP``: f_c = (1/N)Σ_k W₂[c,k] z_k², z = W₁x. ∂f_c/∂W₂[c,k] = z_k²/N and
  ∂f_c/∂W₁[k] = 2W₂[c,k] z_k x/N, so K_cc(x, x') = (1/N²)[Σ_k z_k² z'_k² +
  4⟨x, x'⟩ Σ_k W₂[c,k]² z_k z'_k].
- ``HomogeneousMLP`` of depth 2: f_c = Σ_k W₂[c,k] σ(z_k), z = W₁x + b. K_cc(x, x') =
  ⟨σ(z), σ(z')⟩ + (⟨x, x'⟩ + [bias]) Σ_k W₂[c,k]² σ'(z_k)σ'(z'_k).

``outputs="trace"`` sums over c (the layout ``ntk_svm`` uses), ``"first"`` is K₀₀ (the
paper's approximation for its kernel distance: the NTK of the first output coordinate).
The tests check both against the generic Jacobian kernel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import torch

from grokbench.baselines.kernel import KernelMaxMarginClassifier

Layout = Literal["trace", "first"]


def _quad(w: Mapping[str, torch.Tensor], x1: torch.Tensor, x2: torch.Tensor,
          outputs: Layout) -> torch.Tensor:  # fmt: skip
    w1, w2 = w["W1"], w["W2"]
    z1, z2 = x1 @ w1.T, x2 @ w1.T
    n = w1.shape[0]
    if outputs == "trace":
        head, second = float(w2.shape[0]), w2.square().sum(0)
    else:
        head, second = 1.0, w2[0].square()
    return (head * z1.square() @ z2.square().T + 4 * (x1 @ x2.T) * ((z1 * second) @ z2.T)) / n**2


def _relu(w: Mapping[str, torch.Tensor], x1: torch.Tensor, x2: torch.Tensor,
          outputs: Layout) -> torch.Tensor:  # fmt: skip
    w1, w2, bias = w["layers.0.weight"], w["layers.1.weight"], w.get("layers.0.bias")
    shift = 0.0 if bias is None else bias
    z1, z2 = x1 @ w1.T + shift, x2 @ w1.T + shift
    h1, h2 = torch.relu(z1), torch.relu(z2)
    g1, g2 = (z1 > 0).to(z1.dtype), (z2 > 0).to(z2.dtype)
    if outputs == "trace":
        head, second = float(w2.shape[0]), w2.square().sum(0)
    else:
        head, second = 1.0, w2[0].square()
    inputs = x1 @ x2.T + (0.0 if bias is None else 1.0)
    return head * h1 @ h2.T + inputs * ((g1 * second) @ g2.T)


def two_layer_ntk(
    weights: Mapping[str, torch.Tensor],
    x1: torch.Tensor,
    x2: torch.Tensor | None = None,
    outputs: Layout = "trace",
) -> torch.Tensor:
    """K(x1, x2) of a QuadMLP (``W1``, ``W2``) or a depth-2 HomogeneousMLP (``layers.*``)
    at ``weights``; ValueError for any other parameter layout."""
    right = x1 if x2 is None else x2
    if outputs not in ("trace", "first"):
        raise ValueError(f"outputs must be 'trace' or 'first', got {outputs!r}")
    names = set(weights)
    if names == {"W1", "W2"}:
        return _quad(weights, x1, right, outputs)
    if names in ({"layers.0.weight", "layers.1.weight"},
                 {"layers.0.weight", "layers.0.bias", "layers.1.weight"}):  # fmt: skip
        return _relu(weights, x1, right, outputs)
    raise ValueError(f"two_layer_ntk: no closed form for parameters {sorted(names)}")


def kernel_distance(k0: torch.Tensor, k1: torch.Tensor) -> float:
    """Fort et al. (2020): 1 − ⟨K₀, K₁⟩_F / (‖K₀‖_F‖K₁‖_F); 0 for kernels equal up to scale."""
    return float(1.0 - (k0 * k1).sum() / (k0.norm() * k1.norm()).clamp_min(1e-300))


def interpolant_predict(
    k_train: np.ndarray,
    y_train: np.ndarray,
    k_test: np.ndarray,
    n_classes: int,
    rcond: float = 1e-10,
) -> np.ndarray:
    """Labels of ridgeless kernel regression on one-hot targets (argmax of K(test, train)K⁺Y:
    the minimum-RKHS-norm interpolant, one eigendecomposition for all classes)."""
    evals, evecs = np.linalg.eigh(k_train)
    keep = evals > rcond * max(float(evals.max()), 0.0)
    targets = np.eye(n_classes)[y_train]
    coef = evecs[:, keep] @ ((evecs[:, keep].T @ targets) / evals[keep, None])
    return np.argmax(k_test @ coef, axis=1)


def svm_predict(k_train: np.ndarray, y_train: np.ndarray, k_test: np.ndarray) -> np.ndarray:
    """Labels of the harness's ``ntk_svm`` predictor (hard-margin, no-intercept,
    one-vs-rest) on these kernels."""
    return np.asarray(KernelMaxMarginClassifier().fit(k_train, y_train).predict(k_test))
