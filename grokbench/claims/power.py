"""The falsification table: every claim's check run on its pack's synthetic evidence,
from the world the theory describes and from its counterfactual (CLAIMS.md,
"Falsification").

A check that passes its counterfactual is a defect, whatever the real runs say. The unit
tests run every row (tests/test_power.py); the report's "Power" table shows each check's
status and margin on its counterfactual. Evidence is synthetic (grokbench.claims.synthetic),
so the whole table costs about a second. The cases are each pack's (``Pack.cases``).
"""

from __future__ import annotations

from typing import Any

from grokbench.claims.registry import catalogue
from grokbench.spec import Case, Outcome


def run_case(case: Case, world: str) -> Outcome:
    """The claim's outcome on one world of its case ("true" or "counterfactual")."""
    from grokbench.claims.evaluate import check

    return check(catalogue().claim(case.claim_id), getattr(case, world)(), "ci")


def power_rows(claim_ids: list[str]) -> list[dict[str, Any]]:
    """Per claim: its counterfactual, the check's status and margin there, and its status
    on the true world (claims without a case, such as plug-in claims, say so)."""
    known = catalogue()
    rows: list[dict[str, Any]] = []
    for claim_id in claim_ids:
        case = known.cases.get(claim_id)
        claim = known.by_id.get(claim_id)
        if case is None or claim is None:
            rows.append({"id": claim_id, "counterfactual": "(no case)", "status": None,
                         "margin": None, "true_status": None})  # fmt: skip
            continue
        counter, true = run_case(case, "counterfactual"), run_case(case, "true")
        rows.append({"id": claim_id, "counterfactual": claim.counterfactual,
                     "status": counter.status, "margin": counter.margin,
                     "true_status": true.status})  # fmt: skip
    return rows
