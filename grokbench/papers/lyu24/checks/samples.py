"""Claim G1 (sample complexity), checked on baselines alone: no training, only the exact
max-L1- and max-L2-margin classifiers over a sweep of the number of training examples."""

from __future__ import annotations

import math
from typing import Any

from grokbench.baselines.sample_complexity import sample_complexity
from grokbench.claims.checks import Inconclusive, Outcome, at_least, at_most, judge
from grokbench.spec import Claim

#: (n values, d, seeds) per scale; k = 3 as in sparse-cls.
SWEEPS: dict[str, tuple[tuple[int, ...], int, tuple[int, ...]]] = {
    "smoke": ((8, 32, 128), 1000, (0,)),
    "ci": ((8, 16, 32, 64, 128, 256, 512), 10_000, (0, 1, 2)),
    "paper": ((16, 32, 64, 128, 256, 512, 1024, 2048), 100_000, (0, 1, 2)),
}
K = 3


def sample_sweep(scale: str) -> dict[str, Any]:
    """The sweep's rows (mean and spread of both test errors per n) with its settings."""
    ns, d, seeds = SWEEPS[scale]
    return {"rows": sample_complexity(ns, d=d, k=K, seeds=seeds), "d": d, "k": K}


def check_g1(claim: Claim, samples: dict[str, Any]) -> Outcome:
    """Worst L1/L2 error ratio and smallest L2 error over the n with k² ln d ≤ n ≤ d/10
    (enough samples for the L1 bound, still far fewer than the O(kd) L2 needs)."""
    d, k = samples["d"], samples["k"]
    window = [r for r in samples["rows"] if k * k * math.log(d) <= r["n"] <= d / 10]
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
