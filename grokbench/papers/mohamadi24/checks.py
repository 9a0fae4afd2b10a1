"""mohamadi24's checks on ``mohamadi24-sweep`` members (grokbench.papers.mohamadi24.sweep)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from grokbench.claims.checks import Checks, Inconclusive, at_least, at_most, judge
from grokbench.papers.mohamadi24.sweep import final_state, kernel_accuracy, loglog_slope, sweep_rows
from grokbench.spec import Claim, Member, Outcome, Record

CHECKS = Checks()
register = CHECKS.register


def _fractions(rows: list[dict[str, Any]], key: str) -> dict[str, float]:
    return {f"{key}@p={r['p']}": r[key] for r in rows}


@register("KS1")
def check_ks1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Slope of ln(f_K·p²) in ln p and the smallest f_K: the kernel's required fraction."""
    lim = claim.limits
    rows = sweep_rows(members, lim["level"])
    slope = loglog_slope([r["p"] for r in rows], [r["f_kernel"] for r in rows])
    smallest = min(r["f_kernel"] for r in rows)
    measured: dict[str, Any] = {"kernel_slope": slope, "f_kernel_min": smallest,
                                **_fractions(rows, "f_kernel")}  # fmt: skip
    return judge(measured, [
        at_least("slope of ln(f_K p²) in ln p", slope, lim["slope_min"], 0.5),
        at_least("smallest f_K(p)", smallest, lim["frac_min"], 0.2),
    ])  # fmt: skip


@register("KS2")
def check_ks2(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Slope of ln(f_N·p²) in ln p, and f_K − f_N at the largest p."""
    lim = claim.limits
    rows = sweep_rows(members, lim["level"])
    slope = loglog_slope([r["p"] for r in rows], [r["f_net"] for r in rows])
    gap = rows[-1]["f_kernel"] - rows[-1]["f_net"]
    measured: dict[str, Any] = {"net_slope": slope, "gap_at_p_max": gap,
                                **_fractions(rows, "f_net")}  # fmt: skip
    return judge(measured, [
        at_most("slope of ln(f_N p²) in ln p", slope, lim["slope_max"], 0.5),
        at_least("f_K − f_N at the largest p", gap, lim["gap_min"]),
    ])  # fmt: skip


def _fit_index(records: list[Record]) -> int | None:
    return next((i for i, r in enumerate(records) if (r.train_acc or 0.0) >= 0.99), None)


@register("KS3")
def check_ks3(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Largest held-out accuracy of the NTK predictors above chance; the net's at t_fit and
    its label agreement there with the NTK SVM (the interpolant where the SVM is skipped)."""
    excess, at_fit, agree = [], [], []
    for member in members:
        _, probes = final_state(member)
        excess.append(kernel_accuracy(probes) - probes["chance"])
        records = member.trace.records
        index = _fit_index(records)
        if index is not None:
            at_fit.append(float(records[index].test_acc or 0.0))
            fit = records[index].probes
            value = fit.get("agree_svm", math.nan)
            value = value if math.isfinite(value) else fit.get("agree_interp", math.nan)
            if math.isfinite(value):
                agree.append(value)
    if not excess:
        raise Inconclusive("no members")
    measured: dict[str, Any] = {"kernel_excess_max": max(excess)}
    if at_fit:
        measured["net_heldout_at_fit"] = float(np.mean(at_fit))
    if agree:
        measured["net_kernel_agreement_at_fit"] = float(np.mean(agree))
    return judge(measured, [
        at_most("largest kernel held-out accuracy − 1/p", max(excess), claim.limits["excess_max"]),
    ])  # fmt: skip


@register("KD1")
def check_kd1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Kernel distance from init at t_fit (largest) and its share of the largest distance
    (mean) on the members that generalise."""
    lim = claim.limits
    at_fit, shares = [], []
    for member in members:
        held_out, _ = final_state(member)
        records = member.trace.records
        index = _fit_index(records)
        if held_out < 0.9 or index is None:
            continue
        distances = [r.probes["ntk_dist"] for r in records]
        peak = max(distances)
        at_fit.append(distances[index])
        shares.append(distances[index] / peak if peak > 0 else math.inf)
    if not shares:
        raise Inconclusive("no member fits and generalises (held-out ≥ 0.9)")
    measured = {"dist_at_fit_max": max(at_fit), "share_at_fit": float(np.mean(shares)),
                "share_min": min(shares), "share_max": max(shares),
                "members": float(len(shares))}  # fmt: skip
    return judge(measured, [
        at_most("largest D(t_fit)", max(at_fit), lim["dist_max"]),
        at_most("mean D(t_fit)/max D", measured["share_at_fit"], lim["share_max"]),
    ])  # fmt: skip
