"""Where papers meet: pairs of claims from different packs that read the same runs.

Each row pairs two verdicts of one evaluation: the relation a pack declared
(``Pack.meetings``: agrees, refines, contradicts) with the measured values that decide it,
side by side; pairs that share a run set without a declared relation are listed too, so
that a reader sees every place two papers make claims about the same runs.
"""

from __future__ import annotations

from typing import Any

from tabulate import tabulate

from grokbench.claims.registry import catalogue
from grokbench.spec import Claim, Verdict


def _value(verdict: Verdict | None, key: str) -> str:
    if verdict is None:
        return "not run"
    measured = verdict.measured if isinstance(verdict.measured, dict) else {}
    value = measured.get(key) if key else None
    shown = f"{value:.4g}" if isinstance(value, float) else ("-" if value is None else str(value))
    return f"{verdict.status}; {key} = {shown}" if key else verdict.status


def _relation(declared: str, first: Verdict, second: Verdict) -> str:
    """The declared relation, qualified when a claim it rests on did not pass (a relation
    between two claims is declared on the premise that both hold)."""
    failed = [v.id for v in (first, second) if v.status != "pass"]
    if not failed:
        return declared
    return f"{declared}, as declared; but {' and '.join(failed)} did not pass"


def meeting_rows(claims: list[Claim], verdicts: list[Verdict]) -> list[dict[str, Any]]:
    """The declared meetings whose two claims were both judged, then the undeclared pairs
    of judged claims from different packs that read a common run set."""
    known = catalogue()
    by_id = {v.id: v for v in verdicts}
    judged = {claim.id: claim for claim in claims if claim.id in by_id}
    rows, seen = [], set()
    for pack in known.packs.values():
        for meeting in pack.meetings:
            first, second = known.resolve(meeting.first), known.resolve(meeting.second)
            if first not in judged or second not in judged:
                continue
            seen.add(frozenset((first, second)))
            relation = _relation(meeting.relation, by_id[first], by_id[second])
            rows.append({"first": first, "second": second, "relation": relation,
                         "decided by": meeting.decided_by,
                         "first measured": _value(by_id[first], meeting.keys[0]),
                         "second measured": _value(by_id[second], meeting.keys[1])})  # fmt: skip
    ordered = list(judged.values())
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            shared = set(a.run_sets) & set(b.run_sets)
            if a.pack == b.pack or not shared or frozenset((a.id, b.id)) in seen:
                continue
            rows.append({"first": a.id, "second": b.id, "relation": "(not declared)",
                         "decided by": f"both read {', '.join(sorted(shared))}",
                         "first measured": by_id[a.id].status,
                         "second measured": by_id[b.id].status})  # fmt: skip
    return rows


def meetings_table(claims: list[Claim], verdicts: list[Verdict]) -> str:
    """The "Where papers meet" table, or a line saying there is nothing to show."""
    rows = meeting_rows(claims, verdicts)
    if not rows:
        return "(no two judged claims of different papers read the same runs)"
    return tabulate([list(r.values()) for r in rows], list(rows[0]), tablefmt="github")
