"""prieto25: Prieto, Barsbey, Mediano, Birdal, "Grokking at the Edge of Numerical Stability"
(ICLR 2025) as a pack (docs/papers/prieto25.md: the spec, settings and measurements)."""

from __future__ import annotations

from grokbench.papers.prieto25.catalogue import CLAIMS, FAMILIES
from grokbench.papers.prieto25.checks import collapse, fixes
from grokbench.papers.prieto25.power_cases import CASES
from grokbench.papers.prieto25.runsets import RUN_SETS
from grokbench.spec import Meeting, Pack

NOTES = """## Notes

**The setting.** grokbench's own cross-entropy (`loss=ce-accurate`, the default) is
absorption-free: it never rounds to 0, so no run with it can show Softmax Collapse. These
claims run torch's `F.cross_entropy` (`loss=ce-torch`), as the paper's code does, and
StableMax (`loss=stablemax`); `loss_dtype` puts the loss in another precision than the model
(the paper's `--softmax_precision`). ⊥Grad is `dynamics=ortho-adamw` (any torch optimizer
works: `ortho-NAME`), per-tensor projection by default (`opt.ortho_scope=tensor|global`).

**Seeds.** The limits were fixed on the research prototype's seeds 0–5 (several revised
after seeing seeds 2 and 3, marked v2/v3); the ci run sets use seed 6.

**The gradient under collapse is not entirely zero.** In torch's fused kernel, collapse
sets ∂ℓ/∂z_y to exactly 0 while the wrong-class entries stay nonzero until exp underflows;
`zero_gy_frac` records the first, `zero_grad_frac` the second (0 throughout the prototype).

**Third-party reproduction.** The authors' issue #9 (open) reports that Fig. 2's collapse
curves did not reproduce; PR #12 saw no collapse in its Fig. 9 attempt. At paper scale the
published ⊥AdamW is AdamW(0.9, 0.999, eps 1e-8) (issue #11), which the paper run set uses.
"""

PACK = Pack(
    key="prieto25",
    citation=(
        "Prieto, Barsbey, Mediano, Birdal, *Grokking at the Edge of Numerical Stability*, ICLR 2025"
    ),
    claims=CLAIMS,
    checks={**collapse.CHECKS, **fixes.CHECKS},
    run_sets=RUN_SETS,
    cases=CASES,
    families=FAMILIES,
    arxiv="2501.04697",
    code="https://github.com/LucasPrietoAl/grokking-at-the-edge-of-numerical-stability",
    doc="docs/papers/prieto25-claims.md",
    notes=NOTES,
    meetings=[
        Meeting(
            "prieto25/NLM1",
            "lyu24/R7",
            "refines",
            "for a homogeneous net −∇L = Σ w_i ∇q_i with w_i ≥ 0, so the KKT residual "
            "r ≤ √(1 − cos²(−∇L, θ)): NLM alignment is the first-order half of convergence "
            "to a KKT point (both probes on one run would cross-check them)",
            ("cos_min", "settled/T@alpha=10000"),
        ),
        Meeting(
            "prieto25/SC1",
            "lyu24/N1",
            "refines",
            "N1 reads the absorption-free loss in float64; with loss=ce-torch the nowd "
            "pipeline collapses at margin 36.7 (f64) or 16.6 (f32): sc_frac ≥ 0.5 before "
            "t_10 would make N1's slow transition a property of absorption-free arithmetic",
            ("margin_sc_float64", "ln_t90/ln_t10@seed=0"),
        ),
        Meeting(
            "prieto25/SC1",
            "lyu24/M1",
            "agrees",
            "with λ > 0 margins stay bounded (R6), so modadd-alpha never collapses: "
            "decided by modadd-alpha at dtype=float32, loss=ce-torch (max margin < 16.6, "
            "M1's verdict unchanged)",
            ("margin_sc_float32", "final_min@alpha=10"),
        ),
    ],
    ci_seconds=44.0,
)
