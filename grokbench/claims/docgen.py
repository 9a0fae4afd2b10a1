"""docs/claims.md, generated from the catalogue: every claim with what it measures, its
limits and their basis, its counterfactual and the run sets it reads.

The catalogue (grokbench/catalogue.py) is the single source; ``python -m
grokbench.claims.docgen > docs/claims.md`` writes the page, and tests/test_claims_doc.py fails
when the committed page and the catalogue disagree.
"""

from __future__ import annotations

import sys

from tabulate import tabulate

from grokbench.claims.registry import catalogue
from grokbench.spec import Claim, Pack

INTRO = """Each claim is a row of data: what is measured, what is expected, the `limits` its check
compares against (each marked **paper** or **eng.** with the reason, fixed before the runs
it judges), the run sets it reads, and the counterfactual (a plausible world in which it is
false) that its check must reject: `tests/test_power.py` feeds every check synthetic
evidence from the theory's world and from the counterfactual, and the report's Power table
shows the margin there. A claim marked *erratum* is a misprint of the paper, checked as a
strict expected failure: "erratum confirmed" while it fails, a failure if it ever passes.
"""


def header(pack: Pack) -> str:
    source = f"Source: {pack.citation}" + (f" (arXiv {pack.arxiv})" if pack.arxiv else "") + "."
    how = (f"Generated from the `{pack.key}` pack by `python -m grokbench.claims.docgen "
           f"{pack.key} > {pack.doc}`; do not edit by hand.")  # fmt: skip
    return f"# The claims grokbench checks: {pack.key}\n\n{source} {how}\n\n{INTRO}"


def _limits(claim: Claim) -> str:
    return "<br>".join(
        f"`{name}` = {value:g} ({claim.basis.get(name, 'basis missing')})"
        for name, value in claim.limits.items()
    )


def render(pack: Pack) -> str:
    """The pack's markdown page: one table per claim family, then its notes (errata)."""
    parts = [header(pack)]
    for family in pack.families or dict.fromkeys(c.family for c in pack.claims):
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
            for c in pack.claims
            if c.family == family
        ]
        headers = ["id", "claim", "measured", "expected", "limits (basis)", "counterfactual",
                   "run sets", "source"]  # fmt: skip
        parts += [f"## {family}", "", tabulate(rows, headers, tablefmt="github"), ""]
    return "\n".join([*parts, pack.notes] if pack.notes else parts)


if __name__ == "__main__":
    print(render(catalogue().packs[sys.argv[1] if len(sys.argv) > 1 else "lyu24"]), end="")
