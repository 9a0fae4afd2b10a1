"""grokfast24's checks on ``grokfast24-filter`` traces: the filtered arms against the
baseline of the same seed."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from grokbench.claims.checks import Checks, Inconclusive, at_least, judge
from grokbench.papers.grokfast24.runsets import arm_of
from grokbench.spec import Claim, Member, Outcome, Record

CHECKS = Checks()
register = CHECKS.register
LEVEL, FIT, LAST = 0.95, 0.99, 5


def first_step(records: list[Record], key: str, level: float) -> float:
    """The update count at the first record whose ``key`` reaches ``level`` (∞: never)."""
    for r in records:
        value = getattr(r, key)
        if value is not None and value >= level:
            return float(max(r.step, 1))
    return math.inf


def final_acc(records: list[Record]) -> float:
    """Mean test accuracy over the last ``LAST`` evaluations."""
    tail = [float(r.test_acc or 0.0) for r in records[-LAST:]]
    return sum(tail) / len(tail)


def pairs(members: Sequence[Member], arm: str) -> dict[int, tuple[list[Record], list[Record]]]:
    """seed → (baseline records, ``arm`` records), for the seeds that have both."""
    runs: dict[tuple[str, int], list[Record]] = {}
    for m in members:
        if m.trace.status != "ok" or not m.trace.records:
            raise Inconclusive(f"seed {m.config.seed}: {m.trace.reason or 'no records'}")
        runs[(arm_of(m.config.dynamics), m.config.seed)] = m.trace.records
    out = {s: (runs[("base", s)], rows) for (a, s), rows in runs.items()
           if a == arm and ("base", s) in runs}  # fmt: skip
    if not out:
        raise Inconclusive(f"no seed has both the baseline and the {arm} arm")
    return out


def speedup(claim: Claim, members: Sequence[Member], arm: str) -> Outcome:
    """Median over seeds of T95(base)/T95(arm) (a censored baseline: its last update)."""
    measured: dict[str, Any] = {}
    ratios, delays = [], []
    for seed, (base, filtered) in sorted(pairs(members, arm).items()):
        t_base, t_arm = first_step(base, "test_acc", LEVEL), first_step(filtered, "test_acc", LEVEL)
        if math.isinf(t_base) and math.isinf(t_arm):
            raise Inconclusive(f"seed {seed}: neither run reaches {LEVEL} test accuracy")
        censored = math.isinf(t_base)
        t_base = float(base[-1].step) if censored else t_base
        ratio = 0.0 if math.isinf(t_arm) else t_base / t_arm
        ratios.append(ratio)
        t_fit = first_step(base, "train_acc", FIT)
        delays.append(t_base / t_fit)
        measured.update({f"T95_base@seed={seed}": t_base, f"T95_{arm}@seed={seed}": t_arm,
                         f"ratio@seed={seed}": ratio,
                         f"delay_base@seed={seed}": t_base / t_fit})  # fmt: skip
        if censored:
            measured[f"base_censored@seed={seed}"] = 1.0
    median = statistics.median(ratios)
    measured.update(ratio=median, delay_base=statistics.median(delays))
    limit = claim.limits["ratio_min"]
    return judge(measured, [at_least(f"median T95 ratio, base/{arm}", median, limit)])


@register("GF1")
def check_gf1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Median over seeds of T95(Adam)/T95(Adam + EMA filter)."""
    return speedup(claim, members, "ema")


@register("GF3")
def check_gf3(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Median over seeds of T95(Adam)/T95(Adam + MA filter)."""
    return speedup(claim, members, "ma")


@register("GF2")
def check_gf2(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Smallest final test accuracy difference, filtered − baseline, over seeds and filters."""
    measured: dict[str, Any] = {}
    diffs = []
    for arm in ("ema", "ma"):
        for seed, (base, filtered) in sorted(pairs(members, arm).items()):
            diff = final_acc(filtered) - final_acc(base)
            diffs.append(diff)
            measured.update({f"final_base@seed={seed}": final_acc(base),
                             f"final_{arm}@seed={seed}": final_acc(filtered)})  # fmt: skip
    measured["min_diff"] = min(diffs)
    return judge(measured, [at_least("final test acc, filtered − base (smallest)", min(diffs),
                                     -claim.limits["tol"], scale=claim.limits["tol"])])  # fmt: skip
