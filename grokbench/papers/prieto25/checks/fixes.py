"""Checks of the fixes that need no regularisation: SM1 (StableMax) and OG1c (⊥Grad)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grokbench.claims.checks import Bound, Checks, Inconclusive, at_least, at_most, judge
from grokbench.papers.prieto25.checks.common import first, records, value
from grokbench.spec import Claim, Member, Outcome

CHECKS = Checks()
register = CHECKS.register


def _plain_ce(member: Member) -> bool:
    return member.config.loss == "ce-torch" and not member.config.dynamics.startswith("ortho-")


@register("SM1")
def check_sm1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Peak test accuracy of StableMax and its own collapse fraction up to the peak."""
    runs = [m for m in members if m.config.loss == "stablemax"]
    if not runs:
        raise Inconclusive("no StableMax run")
    measured: dict[str, Any] = {}
    bounds: list[Bound] = []
    for member in runs:
        seed = member.config.seed
        rows = records(member)
        peak = max(range(len(rows)), key=lambda i: value(rows[i], "test_acc"))
        best = value(rows[peak], "test_acc")
        collapse = max(value(r, "sc_frac") for r in rows[: peak + 1])
        measured.update({f"max_test@seed={seed}": best, f"t_peak@seed={seed}": rows[peak].t,
                         f"sc_frac_until_peak@seed={seed}": collapse})  # fmt: skip
        test_min = claim.limits["test_min"]
        bounds += [
            at_least(f"max test accuracy (seed {seed})", best, test_min, 1 - test_min),
            at_most(f"collapse fraction until the peak (seed {seed})", collapse,
                    claim.limits["sc_max"]),
        ]  # fmt: skip
    for member in filter(_plain_ce, members):  # the live comparison: not judged
        best = max(value(r, "test_acc") for r in records(member))
        measured[f"ce_same_lr_max_test@seed={member.config.seed}"] = best
    return judge(measured, bounds)


def _memorisation(member: Member, gen_level: float) -> dict[str, Any]:
    """t_fit, t_gen, the memorisation fraction and the final test accuracy of one run."""
    rows = records(member)
    fit = first(member, lambda r: value(r, "train_acc") >= 1.0)
    if fit is None:
        raise Inconclusive(f"seed {member.config.seed}: never fit the training set")
    before = [r.t for r in rows if r.t < fit.t]
    if before and fit.t - before[-1] > fit.t / 2:
        raise Inconclusive(f"seed {member.config.seed}: evaluations too sparse before t_fit")
    gen = first(member, lambda r: value(r, "test_acc") >= gen_level)
    horizon = rows[-1].t
    memo = 1.0 if gen is None else max(0.0, gen.t - fit.t) / max(horizon - fit.t, 1e-300)
    return {"t_fit": fit.t, "t_gen": None if gen is None else gen.t, "memo_frac": memo,
            "final_test": value(rows[-1], "test_acc")}  # fmt: skip


@register("OG1c")
def check_og1c(claim: Claim, members: Sequence[Member]) -> Outcome:
    """⊥Grad's memorisation fraction (t_gen − t_fit)/(T − t_fit) and final test accuracy."""
    limits = claim.limits
    runs = [m for m in members if m.config.dynamics.startswith("ortho-")]
    if not runs:
        raise Inconclusive("no ⊥Grad run")
    measured: dict[str, Any] = {}
    bounds: list[Bound] = []
    for member in runs:
        seed = member.config.seed
        found = _memorisation(member, limits["gen_level"])
        measured.update({f"{k}@seed={seed}": v for k, v in found.items()})
        final_min = limits["final_min"]
        bounds += [
            at_most(f"memorisation fraction (seed {seed})", found["memo_frac"],
                    limits["memo_frac_max"]),
            at_least(f"final test accuracy (seed {seed})", found["final_test"], final_min,
                     1 - final_min),
        ]  # fmt: skip
    for member in filter(_plain_ce, members):  # the live comparison: not judged
        try:
            found = _memorisation(member, limits["gen_level"])
        except Inconclusive:
            continue
        seed = member.config.seed
        measured[f"adamw_memo_frac@seed={seed}"] = found["memo_frac"]
        measured[f"adamw_final_test@seed={seed}"] = found["final_test"]
    return judge(measured, bounds)
