"""Probes: extra numbers recorded at every evaluation time, for the claims to read.

A probe factory takes the run's ``Prepared`` (data, model, θ̄ on the device) and returns a
function θ → {name: value}. Factories that compare with a baseline close over the
baseline's predictions or weights.
"""

from __future__ import annotations

import numpy as np
import torch

from grokbench.dynamics import Probe
from grokbench.runner import Prepared, ProbeFactory


def _cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    denominator = float(a.norm() * b.norm())
    return float(a @ b) / denominator if denominator > 0 else 0.0


def diagonal_weights(prepared: Prepared, theta: torch.Tensor) -> torch.Tensor:
    """w(θ) = u^L − v^L of a diagonal net."""
    params = prepared.flat.unflatten(theta)
    depth = prepared.model.degree
    return params["u"] ** depth - params["v"] ** depth


def factorized_matrix(prepared: Prepared, theta: torch.Tensor) -> torch.Tensor:
    """W(θ) = UUᵀ − VVᵀ of a matrix factorisation."""
    params = prepared.flat.unflatten(theta)
    return params["U"] @ params["U"].T - params["V"] @ params["V"].T


def reference_cosine(prepared: Prepared) -> Probe:
    """cos(θ, θ̄): 1 while the parameters only shrink along the initial direction (K1)."""
    reference = prepared.theta0
    return lambda theta: {"cos_ref": _cosine(theta, reference)}


def weight_cosines(references: dict[str, np.ndarray]) -> ProbeFactory:
    """cos(w(θ), w_name) for each named linear predictor (diagonal nets; K2, R1)."""

    def factory(prepared: Prepared) -> Probe:
        dtype, device = prepared.theta0.dtype, prepared.device
        refs = {k: torch.as_tensor(v, dtype=dtype, device=device) for k, v in references.items()}

        def probe(theta: torch.Tensor) -> dict[str, float]:
            w = diagonal_weights(prepared, theta)
            return {f"cos_w_{name}": _cosine(w, ref) for name, ref in refs.items()}

        return probe

    return factory


def support_match(prepared: Prepared) -> Probe:
    """Whether the k largest |w_j| sit exactly on the true support (R1), the share of ‖w‖₁
    on it, and the largest off-support |w_j| relative to max |w| (how sparse w is yet)."""
    truth = prepared.data.truth["w_star"] != 0
    k = int(truth.sum())

    def probe(theta: torch.Tensor) -> dict[str, float]:
        w = diagonal_weights(prepared, theta).abs()
        top = torch.zeros_like(truth)
        top[torch.topk(w, k).indices] = True
        off = w[~truth]
        return {
            "support_topk": float(torch.equal(top, truth)),
            "support_mass": float(w[truth].sum() / w.sum().clamp(min=1e-300)),
            "off_support_max": float(off.max() / w.max()) if len(off) else 0.0,
        }

    return probe


def baseline_agreement(references: dict[str, np.ndarray]) -> ProbeFactory:
    """Agreement with each named baseline on the test set: the fraction of equal labels
    (classification) or the relative L2 distance of predictions (regression)."""

    def factory(prepared: Prepared) -> Probe:
        data = prepared.data
        refs = {k: torch.as_tensor(v, device=prepared.device) for k, v in references.items()}

        def probe(theta: torch.Tensor) -> dict[str, float]:
            out = prepared.flat.function(theta, data.x_test)
            result = {}
            for name, ref in refs.items():
                if data.kind == "regression":
                    ref = ref.to(out.dtype)
                    distance = (out - ref).norm() / ref.norm().clamp(min=1e-300)
                    result[f"dist_{name}"] = float(distance)
                elif data.kind == "binary":
                    labels = torch.where(out >= 0, 1.0, -1.0).to(ref.dtype)
                    result[f"agree_{name}"] = float((labels == ref).double().mean())
                else:
                    result[f"agree_{name}"] = float((out.argmax(-1) == ref).double().mean())
            return result

        return probe

    return factory


def matrix_probes(references: dict[str, np.ndarray]) -> ProbeFactory:
    """For matrix completion: the largest |W_ij| outside Ω ∪ Ωᵀ relative to max |X*| (K4),
    the nuclear norm and σ₂/σ₁ of W, and ‖W − X_name‖_F / ‖X_name‖_F (R4)."""

    def factory(prepared: Prepared) -> Probe:
        truth = prepared.data.truth
        hidden = ~truth["observed"]
        scale = float(truth["x_star"].abs().max())
        dtype = prepared.theta0.dtype
        refs = {
            k: torch.as_tensor(v, dtype=dtype, device=prepared.device)
            for k, v in references.items()
        }

        def probe(theta: torch.Tensor) -> dict[str, float]:
            matrix = factorized_matrix(prepared, theta)
            singular = torch.linalg.svdvals(matrix)
            result = {
                "off_mask": float(matrix[hidden].abs().max()) / scale if hidden.any() else 0.0,
                "nuclear_norm": float(singular.sum()),
                "sigma_ratio": float(singular[1] / singular[0]) if singular[0] > 0 else 0.0,
            }
            for name, ref in refs.items():
                result[f"dist_{name}"] = float((matrix - ref).norm() / ref.norm())
            return result

        return probe

    return factory
