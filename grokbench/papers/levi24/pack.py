"""levi24: Levi, Beck, Bar-Sinai, "Grokking in linear estimators – a solvable model that groks
without understanding" (ICLR 2024) as a pack (docs/papers/levi24.md)."""

from __future__ import annotations

from grokbench.papers.levi24.catalogue import CLAIMS, FAMILIES
from grokbench.papers.levi24.checks import CHECKS
from grokbench.papers.levi24.power_cases import CASES
from grokbench.papers.levi24.runsets import RUN_SETS
from grokbench.spec import Meeting, Pack

NOTES = """## Notes

**The setting.** `linear-teacher`: x ~ N(0, I_d), y = Tᵀx, T and S₀ ~ N(0, 1/(2d)), d_out = 1,
n = round(d/λ) training points, full-batch GD on the mean (f − y)² with weight decay γ, float64.
The engine's clock t = lr·steps is the paper's η₀t (same loss and decay as their Eq. 3, 14).
A sample is correct when (f − y)² < ε (`threshold`, 1e-3 as in every figure). The probe records
the exact generalisation loss ‖S − T‖² (Eq. 2) beside the test-sample accuracy.

**Grokking time.** The paper's: τ*_gen − τ*_tr with L(τ*) = ε/4, where the accuracy is
erf(√2) ≈ 95%. Eq. 12 is its ε → 0 limit and overestimates it by ≈ 1.7× at ε = 1e-3; App. B's
Lambert-W form (Eq. 24; its cube roots simplify to (1 − √λ)²/√λ and (1 − √λ)^{2/3}/√λ) is the
finite-ε formula TG1 checks.

**Weight decay (WD2).** In the exact flow at λ = 0.5, ε = 1e-3 weight decay *lengthens* Δτ
below the floor threshold (prototype: ×1.05 at γ = 0.001, ×1.2 at 0.006, ×1.4 at 0.01), while
§3.3 says it decreases as given by Eq. 16. The floors themselves (WD1) match Eq. 16's ratio
1/(1 − λ)²; their absolute level is half Eq. 16's with the paper's init (‖T‖² = ½).

**Seeds.** Limits fixed on the prototype's seeds 0–2 (exact flow, d 200/400); ci runs seed 5.
"""

PACK = Pack(
    key="levi24",
    citation=(
        "Levi, Beck, Bar-Sinai, *Grokking in linear estimators – a solvable model that groks "
        "without understanding*, ICLR 2024"
    ),
    claims=CLAIMS,
    checks=CHECKS,
    run_sets=RUN_SETS,
    cases=CASES,
    families=FAMILIES,
    arxiv="2310.16441",
    code="none public (the paper's App. A describes the runs)",
    doc="docs/papers/levi24-claims.md",
    notes=NOTES,
    meetings=[
        Meeting(
            "levi24/LM1",
            "lyu24/S1",
            "refines",
            "S1 reads the sharpness of the test-accuracy transition; LM1 shows an accuracy "
            "transition can be the threshold's alone: side by side, the relative 10–90% "
            "window of the test accuracy and of the ln-loss drop (acc_window_rel, "
            "lnloss_window_rel), and how far the transition time moves with ε "
            "(threshold_sensitivity ≈ 1 for a real transition, ≫ 1 here)",
            ("threshold_sensitivity", "window_slope"),
        ),
    ],
    ci_seconds=8.0,
)
