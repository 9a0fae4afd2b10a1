"""Checks of the control claims W1 and X1 (G1, on baselines alone, is in samples.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from grokbench.claims.checks import Bound, Checks, Outcome, at_most, judge, known, mean, shapes_of
from grokbench.engine.measure import window_values
from grokbench.spec import Claim, Member

CHECKS = Checks()
register = CHECKS.register


@register("W1")
def check_w1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Final train accuracy at the breaking λ (the scale's base λ × the break factor)."""
    shapes_of(members, need_transition=False)
    train = max(m.trace.records[-1].train_acc or 0.0 for m in members)
    return judge(
        {"final_train_acc": train, "wd": members[0].config.wd},
        [at_most("final train accuracy", train, claim.limits["train_max"])],
    )


@register("X1")
def check_x1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Dense teacher: the best test accuracy after the fit against the better of the L1 and
    L2 baselines on the same data, and the rise final − plateau. Shuffled labels: the final
    test accuracy within a few binomial standard errors of chance."""
    limits = claim.limits
    excess, rises, shuffled, n_test = [], [], [], []
    for member, shape in zip(members, shapes_of(members, need_transition=False), strict=True):
        if member.config.experiment == "control-shuffled":
            shuffled.append(shape.final)
            n_test.append(member.config.task["n_test"])
            continue
        start = known(shape.t_fit, "t_fit")
        best = float(np.max(window_values(member.trace, "test_acc", start, math.inf)))
        reference = max(member.baselines[n].test_value for n in ("l1_max_margin", "l2_max_margin"))
        excess.append(best - reference)
        rises.append(shape.final - known(shape.plateau, "plateau"))
    measured: dict[str, Any] = {}
    bounds: list[Bound] = []
    if excess:
        measured.update({"dense_best_minus_baseline": mean(excess), "dense_rise": mean(rises)})
        bounds += [
            at_most("dense: best after fit − max(L1, L2)", mean(excess), limits["baseline_tol"]),
            at_most("dense: final − plateau", mean(rises), limits["rise_max"]),
        ]
    if shuffled:
        allowed = limits["shuffled_sigmas"] * 0.5 / math.sqrt(min(n_test))
        measured["shuffled_final"] = mean(shuffled)
        bounds.append(at_most("shuffled: |final − ½|", abs(mean(shuffled) - 0.5), allowed))
    return judge(measured, bounds)
