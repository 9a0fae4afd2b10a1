"""mohamadi24: Mohamadi, Li, Wu, Sutherland, "Why do you grok? A theoretical analysis of
grokking modular addition" (ICML 2024, arXiv 2407.12332) as a pack
(docs/papers/mohamadi24.md: the spec, settings and measurements)."""

from __future__ import annotations

from grokbench.papers.mohamadi24.catalogue import CLAIMS, FAMILIES
from grokbench.papers.mohamadi24.checks import CHECKS
from grokbench.papers.mohamadi24.power_cases import CASES
from grokbench.papers.mohamadi24.runsets import RUN_SETS
from grokbench.spec import Meeting, Pack

NOTES = """## Notes

**The setting.** `modadd-quad` (gromov23's one-hidden-layer x² MLP, f = (1/N)·W₂(W₁x)²,
θ̄ = N(0, 1), θ₀ = 0.3·θ̄, MSE on one-hot targets) trained with AdamW, decoupled weight
decay λ = 1, over p × training fraction × seed. The paper's networks are one-hidden-layer
quadratic nets with a small ℓ∞ regulariser; weight decay is our stand-in (the issue allows
either). Each member also fits the kernel predictors of its own NTK at θ̄ on the same split.

**Kernels** (grokbench.baselines.modadd_ntk): closed-form empirical NTKs of the two-layer
quadratic and ReLU nets (trace over outputs, as `ntk_svm`; or the first output, the
paper's kernel-distance convention), tested against the generic Jacobian kernel; the
hard-margin SVM (`ntk_svm`'s predictor) and the ridgeless interpolant on one-hot targets.

**Population accuracy.** The paper's lower bound is on the population error over all p²
pairs, training pairs included: f + (1 − f)·(held-out accuracy). A predictor with held-out
accuracy 0 reaches 90% population accuracy at f = 0.9 whatever p: "a constant fraction".

**Finding while tuning.** The NTK predictors are not merely near chance on held-out pairs
but at 0: an unseen (a, b) is never given its label, which was seen with neither a nor b.

**Paper settings not verified.** The full text was read only in excerpts (abstract, the
footnote defining the NTK of the first output); the paper-scale p range and step counts
are our reading (docs/papers/mohamadi24.md, §2).
"""

PACK = Pack(
    key="mohamadi24",
    citation="Mohamadi, Li, Wu, Sutherland, *Why do you grok? A theoretical analysis of "
    "grokking modular addition*, ICML 2024",
    claims=CLAIMS,
    checks=CHECKS,
    run_sets=RUN_SETS,
    cases=CASES,
    families=FAMILIES,
    arxiv="2407.12332",
    code="(none found; the kernels are in grokbench.baselines.modadd_ntk)",
    doc="docs/papers/mohamadi24-claims.md",
    notes=NOTES,
    meetings=[
        Meeting(
            "mohamadi24/KS1",
            "lyu24/G1",
            "agrees",
            "both separate a kernel predictor from a rich one by sample complexity: lyu24's "
            "max-L2-margin (kernel) classifier needs O(kd) samples where the max-L1 one needs "
            "O(k² log d); mohamadi24's NTK predictors need a constant fraction of the p² "
            "pairs (slope of ln n in ln p ≈ 2) where the regularised net needs fewer",
            ("kernel_slope", ""),
        ),
        Meeting(
            "mohamadi24/KS3",
            "lyu24/K2",
            "refines",
            "lyu24: in the kernel phase the net predicts like its NTK SVM; on modular "
            "addition that predictor is at or below chance on held-out pairs (KS3) and the "
            "net at t_fit is as poor (held-out ≈ 0), but it gives the NTK SVM's label on "
            "only 12–20% of held-out pairs (measured on 4 ci-setting runs; K2 asks ≥ 95%): "
            "equally wrong, differently. Adam's preconditioning is not kernel gradient flow "
            "even while the NTK barely moves (KD1: D ≤ 0.04)",
            ("net_kernel_agreement_at_fit", "agreement"),
        ),
        Meeting(
            "mohamadi24/KD1",
            "lyu24/K1",
            "refines",
            "lyu24's kernel phase (θ stays along θ̄ until t_grok/2) is a large-α, "
            "GD statement; from a small init (α = 0.3) with AdamW the first-output NTK "
            "changes little in absolute terms by t_fit (D ≤ 0.1), but most of that change "
            "happens while fitting (share_at_fit)",
            ("share_at_fit", "min_cos_ref"),
        ),
    ],
    ci_seconds=146.0,
)
