"""Claim G1 (sample complexity), checked on baselines alone: no training, only the exact
max-L1- and max-L2-margin classifiers over a sweep of the number of training examples
(the ``samples`` run set)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from grokbench.baselines.sample_complexity import sample_rows
from grokbench.claims.checks import Checks, Inconclusive, Outcome, at_least, at_most, judge
from grokbench.spec import Claim, Member

CHECKS = Checks()


@CHECKS.register("G1")
def check_g1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Worst L1/L2 error ratio and smallest L2 error over the n with k² ln d ≤ n ≤ d/10
    (enough samples for the L1 bound, still far fewer than the O(kd) L2 needs)."""
    rows = sample_rows(members)
    d, k = rows[0]["d"], rows[0]["k"]
    window = [r for r in rows if k * k * math.log(d) <= r["n"] <= d / 10]
    if not window:
        raise Inconclusive(f"no n with k² ln d ≤ n ≤ d/10 in the sweep (d = {d})")
    ratios = {f"l1/l2@n={r['n']}": r["l1_error"] / max(r["l2_error"], 1e-12) for r in window}
    measured: dict[str, Any] = dict(ratios)
    measured.update({f"l2_error@n={r['n']}": r["l2_error"] for r in window})
    limits = claim.limits
    return judge(
        measured,
        [
            at_most("worst L1/L2 error ratio", max(ratios.values()), limits["ratio_max"]),
            at_least("smallest L2 error", min(r["l2_error"] for r in window),
                     limits["l2_error_min"]),
        ],
    )  # fmt: skip
