"""lyu24: Lyu, Jin, Li, Du, Lee, Hu, "Dichotomy of Early and Late Phase Implicit Biases Can
Provably Induce Grokking" (ICLR 2024) as a pack: catalogue v2 (docs/claims.md)."""

from __future__ import annotations

from grokbench.papers.lyu24.catalogue import CLAIMS, FAMILIES
from grokbench.papers.lyu24.checks import controls, kernel, late, samples, transition
from grokbench.papers.lyu24.power_cases import CASES
from grokbench.papers.lyu24.runsets import RUN_SETS
from grokbench.spec import Pack

ERRATA = """## Errata

**K3-printed.** Theorem 3.4 prints the normaliser Z(α) = ln(α^c/λ)/γ_ntk. The proof of
Theorem C.9 gives ln(1/L(θ(T⁻))) = ln A − 2(L−1)(1−c) ln α + O(ln ln A) with
A = α^{2(L−1)}/λ, that is ln(α^{2c(L−1)}/λ) + O(ln ln A), and the quasi-static balance of
Lemma C.8 agrees (in the kernel phase the output is pushed by a kernel of scale
(αe^{−λt})^{2(L−1)} and shrunk at rate Lλ; at T⁻_c = (1−c) ln α/λ that scale is
α^{2c(L−1)}). The two exponents coincide only for L = 3/2; the experiments use L = 2. K3
checks the corrected statement against q_qs, the margin of the quasi-static problem solved
on the NTK features; K3-printed keeps the printed one as a strict expected failure. The
misprint is in the normaliser (the output's scale) only: the direction part of Theorem 3.4
(the net classifies like the NTK max-margin SVM: K2, K6) is unaffected. The theory analyses
the exponential loss as a surrogate with the same tail; grokbench trains the logistic loss,
and q_qs uses the loss actually trained.
"""

PACK = Pack(
    key="lyu24",
    citation=(
        "Lyu, Jin, Li, Du, Lee, Hu, *Dichotomy of Early and Late Phase Implicit Biases Can "
        "Provably Induce Grokking*, ICLR 2024"
    ),
    claims=CLAIMS,
    checks={
        **kernel.CHECKS,
        **transition.CHECKS,
        **late.CHECKS,
        **controls.CHECKS,
        **samples.CHECKS,
    },
    run_sets=RUN_SETS,
    cases=CASES,
    families=FAMILIES,
    arxiv="2311.18817",
    code="https://github.com/vfleaking/grokking-dichotomy",
    doc="docs/claims.md",
    notes=ERRATA,
)
