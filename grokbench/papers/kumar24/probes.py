"""kumar24's probes on ``quad-index`` runs: the exact population test MSE and its three terms,
the authors' NTK–target alignment, and the constants the norm prediction needs.

f̃ depends on W only through dm = mean_i w_i − m₀ and dM = WᵀW/N − M₀, so for x ~ N(0, I/D)
the population test MSE is exact (docs/papers/kumar24.md, §2):
E = α²‖dm‖²/D + (tr A)² + 2‖A‖²_F, A = (αε·dM − ββᵀ)/(2D), α = out_scale.
"""

from __future__ import annotations

import torch

from grokbench.spec import Prepared, Probe

#: Test points the NTK alignment is computed on (the prototype's 200).
KERNEL_POINTS = 200


def _stats(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return w.mean(0), w.T @ w / w.shape[0]


def population_terms(
    w: torch.Tensor, w0: torch.Tensor, beta: torch.Tensor, out_scale: float, eps: float
) -> dict[str, float]:
    """The exact population test MSE of the centred net and the authors' three terms."""
    d = w.shape[1]
    m, big_m = _stats(w)
    m0, big_m0 = _stats(w0)
    dm, d_m = m - m0, big_m - big_m0
    a = (out_scale * eps * d_m - torch.outer(beta, beta)) / (2 * d)
    linear = out_scale**2 * float(dm @ dm) / d
    variance = float(torch.trace(a)) ** 2
    alignment = 2 * float((a * a).sum())
    return {"pop_test": linear + variance + alignment, "E_linear": linear,
            "E_variance": variance, "E_alignment": alignment}  # fmt: skip


def ntk(w: torch.Tensor, xa: torch.Tensor, xb: torch.Tensor, out_scale: float, eps: float):
    """The empirical NTK Σ_i ∂f/∂w_i·∂f/∂w_i in closed form through m and M."""
    n = w.shape[0]
    m, big_m = _stats(w)
    gram = xa @ xb.T
    sa, sb = xa @ m, xb @ m
    q = xa @ big_m @ xb.T
    return out_scale**2 / n * gram * (1 + eps * (sa[:, None] + sb[None, :]) + eps**2 * q)


def alignment(kernel: torch.Tensor, y: torch.Tensor) -> float:
    """The notebook's ``kalignment``: y_cᵀK_c y_c/(‖K_c‖_F‖y_c‖²), columns centred only."""
    yc = y - y.mean()
    kc = kernel - kernel.mean(dim=0, keepdim=True)
    return float(yc @ kc @ yc / (torch.linalg.norm(kc) * (yc @ yc)))


def quad_probe(prepared: Prepared) -> Probe:
    """pop_test, E_linear, E_variance, E_alignment, cka (NTK alignment on 200 test points),
    and the constants beta2 = ‖β‖², trM0 = tr(W₀ᵀW₀/N)."""
    task = prepared.config.task
    out_scale, eps = float(task["out_scale"]), float(task["eps"])
    beta = prepared.data.truth["beta"].to(prepared.theta0)
    w0 = prepared.flat.unflatten(prepared.theta0)["W"]
    xk = prepared.data.x_test[:KERNEL_POINTS].to(prepared.theta0.dtype)  # test_dtype
    yk = prepared.data.y_test[:KERNEL_POINTS]
    constants = {"beta2": float(beta @ beta), "trM0": float(torch.trace(_stats(w0)[1]))}

    def probe(theta: torch.Tensor) -> dict[str, float]:
        w = prepared.flat.unflatten(theta)["W"]
        out = population_terms(w, w0, beta, out_scale, eps)
        out["cka"] = alignment(ntk(w, xk, xk, out_scale, eps), yk)
        return {**out, **constants}

    return probe
