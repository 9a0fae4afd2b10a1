"""lyu24: Lyu, Jin, Li, Du, Lee, Hu, "Dichotomy of Early and Late Phase Implicit Biases Can
Provably Induce Grokking" (ICLR 2024) as a pack: catalogue v2 (docs/claims.md)."""

from __future__ import annotations

from grokbench.papers.lyu24.catalogue import CLAIMS, FAMILIES
from grokbench.papers.lyu24.checks import controls, kernel, late, samples, transition
from grokbench.papers.lyu24.power_cases import CASES
from grokbench.papers.lyu24.runsets import RUN_SETS
from grokbench.spec import Pack

PACK = Pack(
    key="lyu24",
    citation=(
        "Lyu, Jin, Li, Du, Lee, Hu. Dichotomy of Early and Late Phase Implicit Biases Can "
        "Provably Induce Grokking. ICLR 2024"
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
    doc="docs/claims.md",
)
