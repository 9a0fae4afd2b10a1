"""levi24's closed forms (d_out = 1, gradient flow, time τ = η₀t): Eq. 12 (the ε → 0 grokking
time), Eq. 24 (its finite-ε Lambert-W form, App. B) and Eq. 16 (with weight decay)."""

from __future__ import annotations

import math


def lambert_w(z: float) -> float:
    """The principal branch W(z) for z > 0 (Newton from the asymptotic guess)."""
    w = math.log(z) - math.log(math.log(z)) if z > 3 else 0.5
    for _ in range(60):
        e = math.exp(w)
        w -= (w * e - z) / (e * (w + 1))
    return w


def eq12(lam: float) -> float:
    """Δτ_grok = ln(1/(1 − √λ)) / (2(1 − √λ)²) (Eq. 12, leading order in ε ≪ 1)."""
    s = 1 - math.sqrt(lam)
    return math.log(1 / s) / (2 * s * s)


def eq16(lam: float) -> float:
    """Δτ_grok = ln(1 + √λ) / (2(1 − √λ)²) with small weight decay, λ < 1 (Eq. 16)."""
    s = 1 - math.sqrt(lam)
    return math.log(1 + math.sqrt(lam)) / (2 * s * s)


def eq24(lam: float, eps: float) -> tuple[float, float]:
    """(τ*_tr, τ*_gen): the times the train / generalisation loss reach ε/4 (Eq. 24; the
    cube roots there simplify to (1 − √λ)²/√λ and (1 − √λ)^{2/3}/√λ)."""
    u = math.sqrt(lam)
    s = 1 - u
    z_tr = 2 ** (5 / 3) * s * s / (3 * math.pi ** (1 / 3) * eps ** (2 / 3) * u)
    c = 3 / (8 * s * s)
    return c * lambert_w(z_tr), c * lambert_w(z_tr * s ** (-4 / 3))
