"""The sweep's numbers: population accuracy, the training fraction a predictor needs to
reach a population accuracy, and the growth exponent of the samples it needs in p.

Population accuracy is the paper's measure (the uniform distribution over all p² pairs,
training pairs included): f + (1 − f)·(held-out accuracy) at training fraction f. Every
interpolating predictor reaches 1 at f = 1, so the required fraction is interpolated
linearly on the grid, and past its last point toward (1, 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from grokbench.claims.checks import Inconclusive
from grokbench.spec import Member


def population(frac: float, held_out: float) -> float:
    """Accuracy over all p² pairs of a predictor that fits its training pairs."""
    return frac + (1.0 - frac) * held_out


def required_fraction(points: Sequence[tuple[float, float]], level: float) -> float:
    """The first fraction at which the population accuracy reaches ``level``: linear
    between grid points, toward (1, 1) past the last one; the first grid fraction when it
    already reaches it there (an upper estimate)."""
    ordered = sorted(points)
    previous: tuple[float, float] | None = None
    for frac, acc in [*ordered, (1.0, 1.0)]:
        if acc >= level:
            if previous is None:
                return frac
            f0, a0 = previous
            return f0 + (frac - f0) * (level - a0) / (acc - a0)
        previous = (frac, acc)
    return 1.0


def loglog_slope(ps: Sequence[int], fractions: Sequence[float]) -> float:
    """Least-squares slope of ln(f·p²) against ln p: 2 for a constant fraction."""
    if len(ps) < 2:
        raise Inconclusive("fewer than two values of p")
    x = np.log(np.asarray(ps, dtype=float))
    y = np.log(np.asarray(fractions, dtype=float) * np.asarray(ps, dtype=float) ** 2)
    return float(np.polyfit(x, y, 1)[0])


def final_state(member: Member) -> tuple[float, dict[str, float]]:
    trace = member.trace
    if trace.status != "ok" or not trace.records:
        raise Inconclusive(f"{member.config.task}: {trace.reason or 'no records'}")
    last = trace.records[-1]
    if "kernel_interp_acc" not in last.probes:
        raise Inconclusive("the run has no mohamadi24 kernel probe")
    return float(last.test_acc or 0.0), last.probes


def kernel_accuracy(probes: dict[str, float]) -> float:
    """The better held-out accuracy of the two NTK predictors (SVM, interpolant)."""
    values = [probes["kernel_svm_acc"], probes["kernel_interp_acc"]]
    return max(v for v in values if math.isfinite(v))


def sweep_rows(members: Sequence[Member], level: float = 0.9) -> list[dict[str, Any]]:
    """One row per p: the net's and the kernel's required fraction (mean over seeds) and
    the largest held-out kernel accuracy seen at that p."""
    by_p: dict[int, dict[int, list[tuple[float, float, float]]]] = {}
    for member in members:
        net, probes = final_state(member)
        p, seed = int(member.config.task["p"]), member.config.seed
        row = (probes["train_frac"], net, kernel_accuracy(probes))
        by_p.setdefault(p, {}).setdefault(seed, []).append(row)
    rows = []
    for p, seeds in sorted(by_p.items()):
        f_net, f_kernel, k_max = [], [], 0.0
        for points in seeds.values():
            f_net.append(required_fraction([(f, population(f, a)) for f, a, _ in points], level))
            f_kernel.append(required_fraction([(f, population(f, k)) for f, _, k in points], level))
            k_max = max(k_max, *(k for _, _, k in points))
        rows.append({"p": p, "seeds": len(seeds), "f_net": float(np.mean(f_net)),
                     "f_kernel": float(np.mean(f_kernel)), "kernel_heldout_max": k_max,
                     "chance": 1.0 / p})  # fmt: skip
    return rows


def summary_rows(members: Sequence[Member]) -> list[dict[str, Any]]:
    """The report's table of the sweep (``sweep_rows`` at 90%); empty when undecidable."""
    try:
        return sweep_rows(members)
    except Inconclusive:
        return []
