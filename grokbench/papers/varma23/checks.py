"""varma23's checks. D is a training fraction of the p² table; a run *groks* when its final
test accuracy is ≥ ``grok_acc``; D_crit is, per seed, the smallest swept D from which on
every larger D groks within the budget (the mean over seeds)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from grokbench.claims.checks import Checks, Inconclusive, at_least, at_most, judge
from grokbench.spec import Claim, Member, Outcome

CHECKS = Checks()
register = CHECKS.register


def _ok(member: Member) -> Member:
    if member.trace.status != "ok" or len(member.trace.records) < 4:
        raise Inconclusive(f"seed {member.config.seed}: {member.trace.reason or 'no records'}")
    return member


def split(members: Sequence[Member]) -> tuple[list[Member], list[Member]]:
    """(from-scratch runs, two-phase runs)."""
    runs = [_ok(m) for m in members]
    return [m for m in runs if not m.config.phase2_keep], [m for m in runs if m.config.phase2_keep]


def frac(member: Member) -> float:
    """The training fraction of the table (phase 1's for a two-phase run)."""
    return float(member.config.task["frac"])


def final_test(member: Member) -> float:
    return float(member.trace.records[-1].test_acc or 0.0)


def d_crit(runs: Sequence[Member], grok_acc: float) -> dict[str, float]:
    """D_crit per seed and its mean; inconclusive when a seed never groks or groks at the
    smallest swept D (D_crit below the grid)."""
    seeds = sorted({m.config.seed for m in runs})
    out: dict[str, float] = {}
    for seed in seeds:
        rows = sorted((frac(m), final_test(m)) for m in runs if m.config.seed == seed)
        crit = math.inf
        for f, acc in reversed(rows):
            if acc < grok_acc:
                break
            crit = f
        if not math.isfinite(crit):
            raise Inconclusive(f"seed {seed}: no swept D groks within the budget")
        if crit == rows[0][0]:
            raise Inconclusive(f"seed {seed}: the smallest swept D ({crit}) groks")
        out[f"d_crit@seed{seed}"] = crit
    out["d_crit_frac"] = float(np.mean(list(out.values())))
    return out


@register("V1")
def check_v1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Grokked nets continued on D₂ ≤ below·D_crit lose their test accuracy; on D₂ ≥ D_crit
    they keep it (D_crit from the from-scratch sweep)."""
    limits = claim.limits
    scratch, phased = split(members)
    if not scratch or not phased:
        raise Inconclusive("V1 needs the D sweep and the two-phase runs")
    measured: dict[str, Any] = d_crit(scratch, limits["grok_acc"])
    crit = measured["d_crit_frac"]
    p = int(scratch[0].config.task["p"])
    measured["d_crit_examples"] = crit * p * p
    below, above = [], []
    for m in phased:
        d2 = frac(m) * m.config.phase2_keep
        start = m.trace.summary.get("phase1_test_acc")
        if start is None or start < limits["phase1_min"]:
            raise Inconclusive(f"seed {m.config.seed}: phase 1 did not grok (test acc {start})")
        key = f"final_test@D2={d2:.3g},seed{m.config.seed}"
        measured[key] = final_test(m)
        if d2 <= limits["below"] * crit:
            below.append(final_test(m))
        elif d2 >= crit:
            above.append(final_test(m))
    if not below or not above:
        raise Inconclusive(f"need continued runs with D₂ ≤ {limits['below']}·D_crit and ≥ D_crit")
    measured.update(ungrokked_max=max(below), kept_min=min(above))
    return judge(measured, [at_most("largest final test acc below", max(below),
                                    limits["ungrok_max"]),
                            at_least("smallest final test acc above", min(above),
                                     limits["keep_min"])])  # fmt: skip


def semi_score(member: Member, limits: dict[str, float]) -> tuple[float, dict[str, float]]:
    """The worst normalised slack of one run's semi-grokking conditions (> 0: semi-grokked):
    final accuracy in [chance + gap, hi], a plateau over the last quarter, a rise since fit."""
    records = member.trace.records
    t = np.array([r.t for r in records])
    acc = np.array([r.test_acc or 0.0 for r in records])
    train = np.array([r.train_acc or 0.0 for r in records])
    fitted = np.nonzero(train >= 0.99)[0]
    if not len(fitted):
        return -1.0, {}
    chance = 1.0 / int(member.config.task["p"])
    final = float(acc[-1])
    late = float(acc[int(np.searchsorted(t, 0.75 * t[-1]))])
    rise = final - float(acc[fitted[0]])
    slacks = [
        final - (chance + limits["gap"]),
        limits["hi"] - final,
        limits["plateau"] - abs(final - late),
        rise - limits["rise"],
    ]
    return min(slacks), {"final": final, "late": late, "rise": rise}


@register("V2")
def check_v2(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Semi-grokking: some D of the from-scratch sweep ends on a partial test-accuracy plateau
    (between chance and ~100%) that it reached after fitting the training set."""
    scratch, _ = split(members)
    if not scratch:
        raise Inconclusive("V2 needs the D sweep")
    measured: dict[str, Any] = {}
    best = -math.inf
    for m in scratch:
        score, parts = semi_score(m, claim.limits)
        key = f"D={frac(m):.3g},seed{m.config.seed}"
        measured[f"final@{key}"] = parts.get("final", final_test(m))
        if score > best:
            best, measured["best_run"] = score, key
    measured["semi_grokked"] = sum(semi_score(m, claim.limits)[0] >= 0 for m in scratch)
    measured["best_score"] = best
    return judge(measured, [at_least("best run's semi-grokking slack", best, 0.0, 1.0)])


def log_slope(rows: Sequence[tuple[float, float]], what: str) -> float:
    """The least-squares slope of ln‖θ_T‖ in D; inconclusive below 3 distinct D."""
    if len({f for f, _ in rows}) < 3:
        raise Inconclusive(f"fewer than 3 distinct D with a {what} run")
    x = np.array([f for f, _ in rows])
    y = np.log([n for _, n in rows])
    return float(np.polyfit(x, y, 1)[0])


def crossing(mem: Sequence[tuple[float, float]], gen: Sequence[tuple[float, float]]) -> float:
    """The D at which the memorising norm (its ln-linear fit in D) reaches the generalising
    runs' mean norm: the efficiency crossing, the paper's D_crit (reported, not judged)."""
    slope, offset = np.polyfit([f for f, _ in mem], np.log([n for _, n in mem]), 1)
    level = float(np.mean(np.log([n for _, n in gen])))
    return float((level - offset) / slope) if slope > 0 else math.nan


@register("V3")
def check_v3(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Slope in D of ln‖θ_T‖ over memorising runs (train fitted, test ≤ mem_acc) and over
    generalising runs (test ≥ grok_acc) of the from-scratch sweep."""
    limits = claim.limits
    scratch, _ = split(members)
    mem, gen = [], []
    for m in scratch:
        last = m.trace.records[-1]
        row = (frac(m), float(last.param_norm))
        if (last.train_acc or 0) >= 0.99 and final_test(m) <= limits["mem_acc"]:
            mem.append(row)
        elif final_test(m) >= limits["grok_acc"]:
            gen.append(row)
    s_mem, s_gen = log_slope(mem, "memorising"), log_slope(gen, "generalising")
    measured = {"mem_slope": s_mem, "gen_slope": s_gen, "mem_runs": len(mem),
                "gen_runs": len(gen)}  # fmt: skip
    for f in sorted({f for f, _ in mem}):  # the mean over seeds
        measured[f"mem_norm@D={f:.3g}"] = float(np.mean([n for g, n in mem if g == f]))
    measured["d_eff_frac"] = crossing(mem, gen)
    return judge(measured, [at_least("memorising d ln‖θ‖/dD", s_mem, limits["mem_slope_min"]),
                            at_most("generalising |d ln‖θ‖/dD|", abs(s_gen),
                                    limits["gen_slope_max"])])  # fmt: skip
