"""Fig. 1 center and the budget threshold (§3.1.1): how the steps to 99% test accuracy grow
as the training fraction falls (PW1), and the fraction below which no run generalises
within the budget although every run fits its training set (PW2)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from grokbench.claims.checks import Checks, Inconclusive, at_least, at_most, judge
from grokbench.papers.power22.checks.common import (
    INF,
    best_val,
    fractions,
    median_t99,
    select,
    t99,
    unique,
)
from grokbench.spec import Claim, Member, Outcome

CHECKS = Checks()


def _weight_decay(members: Sequence[Member]) -> list[Member]:
    """The AdamW (wd) runs of the operation most of them train on (power22-frac's)."""
    runs = select(unique(members), arm="wd")
    if not runs:
        raise Inconclusive("no AdamW (wd) runs")
    ops = Counter(m.config.task["op"] for m in runs)
    return select(runs, op=ops.most_common(1)[0][0])


@CHECKS.register("PW1")
def steep_in_fraction(claim: Claim, members: Sequence[Member]) -> Outcome:
    """OLS slope of ln(median T99_val) against the fraction over the fractions with a finite
    median; T99_train at the smallest over the largest of them; T99_val/T99_train there."""
    limits = claim.limits
    runs = _weight_decay(members)
    fracs = fractions(runs)
    t_val = {f: median_t99(select(runs, frac=f)) for f in fracs}
    t_fit = {f: median_t99(select(runs, frac=f), "train_acc") for f in fracs}
    gen = [f for f in fracs if t_val[f] < INF]
    measured: dict[str, object] = {
        "T99_val": {f: (None if t_val[f] == INF else t_val[f]) for f in fracs},
        "T99_train": {f: (None if t_fit[f] == INF else t_fit[f]) for f in fracs},
        "generalising": gen,
    }
    if len(gen) < limits["min_points"]:
        raise Inconclusive(
            f"{len(gen)} fractions with a finite median T99 < {limits['min_points']:g}"
        )
    slope = float(np.polyfit(gen, [math.log(t_val[f]) for f in gen], 1)[0])
    fit_ratio = t_fit[gen[0]] / t_fit[gen[-1]]
    delay = t_val[gen[0]] / t_fit[gen[0]]
    measured.update(slope=slope, fit_ratio=fit_ratio, delay=delay)
    return judge(measured, [
        at_most("slope of ln T99 in f", slope, limits["slope_max"]),
        at_most("fit_ratio", fit_ratio, limits["fit_ratio_max"]),
        at_least("delay", delay, limits["delay_min"]),
    ])  # fmt: skip


@CHECKS.register("PW2")
def budget_threshold(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Seeds reaching 99% test accuracy at f_lo (none) and f_hi (all), and seeds fitting
    the training set at f_lo (all); counts, each bound half a seed from the integer."""
    runs = _weight_decay(members)
    paper = runs[0].config.scale == "paper"
    f_lo = claim.limits["paper_f_lo" if paper else "f_lo"]
    f_hi = claim.limits["paper_f_hi" if paper else "f_hi"]
    lo = [m for m in runs if math.isclose(m.config.task["frac"], f_lo)]
    hi = [m for m in runs if math.isclose(m.config.task["frac"], f_hi)]
    if not lo or not hi:
        raise Inconclusive(f"no runs at f_lo = {f_lo:g} or f_hi = {f_hi:g}")
    lo_gen = sum(t99(m) < INF for m in lo)
    lo_fit = sum(t99(m, "train_acc") < INF for m in lo)
    hi_gen = sum(t99(m) < INF for m in hi)
    measured = {"f_lo": f_lo, "f_hi": f_hi, "lo_generalised": lo_gen, "lo_fitted": lo_fit,
                "hi_generalised": hi_gen, "seeds_lo": len(lo), "seeds_hi": len(hi),
                "lo_best_val": [round(best_val(m), 3) for m in lo]}  # fmt: skip
    return judge(measured, [
        at_most("seeds generalised at f_lo", lo_gen, 0.5, scale=1.0),
        at_least("seeds fitted at f_lo", lo_fit, len(lo) - 0.5, scale=1.0),
        at_least("seeds generalised at f_hi", hi_gen, len(hi) - 0.5, scale=1.0),
    ])  # fmt: skip
