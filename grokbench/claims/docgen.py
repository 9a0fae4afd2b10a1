"""docs/claims.md, generated from the catalogue: every claim with what it measures, its
limits and their basis, its counterfactual and the run sets it reads.

The catalogue (grokbench/catalogue.py) is the single source; ``python -m
grokbench.claims.docgen > docs/claims.md`` writes the page, and tests/test_claims_doc.py fails
when the committed page and the catalogue disagree.
"""

from __future__ import annotations

from tabulate import tabulate

from grokbench.papers.lyu24.catalogue import CLAIMS, FAMILIES
from grokbench.spec import Claim

HEADER = """# The claims grokbench checks (catalogue v2)

Source: Lyu, Jin, Li, Du, Lee, Hu, *Dichotomy of Early and Late Phase Implicit Biases Can
Provably Induce Grokking*, ICLR 2024 (arXiv 2311.18817). Generated from
`grokbench/catalogue.py` by `python -m grokbench.claims.docgen > docs/claims.md`; do not edit
by hand.

Each claim is a row of data: what is measured, what is expected, the `limits` its check
compares against (each marked **paper** or **eng.** with the reason, fixed before the runs
it judges), the run sets it reads, and the counterfactual (a plausible world in which it is
false) that its check must reject: `tests/test_power.py` feeds every check synthetic
evidence from the theory's world and from the counterfactual, and the report's Power table
shows the margin there. A claim marked *erratum* is a misprint of the paper, checked as a
strict expected failure: "erratum confirmed" while it fails, a failure if it ever passes.
"""


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


def _limits(claim: Claim) -> str:
    return "<br>".join(
        f"`{name}` = {value:g} ({claim.basis.get(name, 'basis missing')})"
        for name, value in claim.limits.items()
    )


def render() -> str:
    """The markdown page: one table per claim family."""
    parts = [HEADER]
    for family in FAMILIES:
        rows = [
            [
                f"**{c.id}**" + (" *(erratum)*" if c.erratum else ""),
                c.title,
                c.measure,
                c.expected,
                _limits(c),
                c.counterfactual,
                c.runs.replace("+", " + "),
                c.section,
            ]
            for c in CLAIMS
            if c.family == family
        ]
        headers = ["id", "claim", "measured", "expected", "limits (basis)", "counterfactual",
                   "run sets", "source"]  # fmt: skip
        parts += [f"## {family}", "", tabulate(rows, headers, tablefmt="github"), ""]
    return "\n".join([*parts, ERRATA])


if __name__ == "__main__":
    print(render(), end="")
