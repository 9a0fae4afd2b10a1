"""Checks of the Softmax Collapse claims: SC1, SC2, SC2b and NLM1."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from grokbench.claims.checks import Bound, Checks, Inconclusive, at_least, at_most, judge
from grokbench.papers.prieto25.checks.common import (
    absorption_band,
    ce_torch,
    first,
    groups,
    pick,
    records,
    suffix,
    value,
)
from grokbench.spec import Claim, Member, Outcome

CHECKS = Checks()
register = CHECKS.register


def _by_step(member: Member, name: str) -> dict[int, float]:
    return {r.step: value(r, name) for r in records(member)}


def _max_gap(a: Member, b: Member, before: float) -> float:
    """max |test_a − test_b| over the steps both evaluated before time ``before``."""
    test_a, test_b = _by_step(a, "test_acc"), _by_step(b, "test_acc")
    times = {r.step: r.t for r in records(a)}
    common = [s for s in test_a if s in test_b and times[s] < before]
    if not common:
        raise Inconclusive(f"no common evaluation before t = {before:.4g}")
    return max(abs(test_a[s] - test_b[s]) for s in common)


def _collapse_time(member: Member, level: float) -> float:
    """The first time with sc_frac > ``level`` (∞ when it never collapses)."""
    found = first(member, lambda r: value(r, "sc_frac") > level)
    return math.inf if found is None else found.t


@register("SC1")
def check_sc1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Time and median margin at which half the examples collapse, float32 and float64."""
    level, ratio_min = claim.limits["sc_level"], claim.limits["ratio_min"]
    measured: dict[str, Any] = {}
    bounds: list[Bound] = []
    sets = groups(members)
    for key, group in sets.items():
        at = suffix(key, len(sets) > 1)
        p = int(group[0].config.task["p"])
        times: dict[str, float] = {}
        for dtype in ("float32", "float64"):
            member = pick(group, f"{dtype} ce-torch", ce_torch(dtype))
            hit = first(member, lambda r: value(r, "sc_frac") >= level)
            if hit is None:
                measured[f"t_sc_{dtype}{at}"] = None
                times[dtype] = math.inf
                continue
            low, high = absorption_band(dtype, p)
            margin = value(hit, "median_margin")
            times[dtype] = hit.t
            measured[f"t_sc_{dtype}{at}"] = hit.t
            measured[f"margin_sc_{dtype}{at}"] = margin
            width = high - low
            bounds += [
                at_least(f"margin at SC ({dtype}{at})", margin, low, width),
                at_most(f"margin at SC ({dtype}{at})", margin, high, width),
            ]
        if math.isinf(times["float32"]):
            reason = f"fails: float32 never reached sc_frac ≥ {level:g} ({key})"
            return Outcome("fail", measured, -1.0, reason)
        if times["float32"] <= 0:
            raise Inconclusive(f"float32 collapsed at initialisation ({key})")
        f64 = pick(group, "float64 ce-torch", ce_torch("float64"))
        # float64 not collapsed within the horizon: its horizon bounds the ratio from below
        t64 = times["float64"] if math.isfinite(times["float64"]) else records(f64)[-1].t
        ratio = t64 / times["float32"]
        measured[f"ratio_t_sc{at}"] = ratio
        measured[f"ratio_censored{at}"] = math.isinf(times["float64"])
        bounds.append(at_least(f"t_SC(f64)/t_SC(f32){at}", ratio, ratio_min))
    return judge(measured, bounds)


@register("SC2")
def check_sc2(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Best test accuracy of float64 against float32 cross-entropy, and float64's own."""
    measured: dict[str, Any] = {}
    bounds: list[Bound] = []
    sets = groups(members)
    for key, group in sets.items():
        at = suffix(key, len(sets) > 1)
        best = {
            dtype: max(
                value(r, "test_acc")
                for r in records(pick(group, f"{dtype} ce-torch", ce_torch(dtype)))
            )
            for dtype in ("float32", "float64")
        }
        gap = best["float64"] - best["float32"]
        measured.update({f"max_test_f32{at}": best["float32"],
                         f"max_test_f64{at}": best["float64"], f"gap{at}": gap})  # fmt: skip
        bounds += [
            at_least(f"max test f64 − f32{at}", gap, claim.limits["gap_min"]),
            at_least(f"max test f64{at}", best["float64"], claim.limits["f64_min"]),
        ]
    return judge(measured, bounds)


@register("SC2b")
def check_sc2b(claim: Claim, members: Sequence[Member]) -> Outcome:
    """float32 = float64 until float32 collapses; the absorption-free control = float64
    until float64 collapses; the control above float32 at the horizon."""
    tol, end_gap = claim.limits["agree_tol"], claim.limits["end_gap_min"]
    measured: dict[str, Any] = {}
    bounds: list[Bound] = []
    sets = groups(members)
    for key, group in sets.items():
        at = suffix(key, len(sets) > 1)
        f32 = pick(group, "float32 ce-torch", ce_torch("float32"))
        f64 = pick(group, "float64 ce-torch", ce_torch("float64"))
        ctrl = pick(group, "ce-accurate control", lambda m: m.config.loss == "ce-accurate")
        t32, t64 = _collapse_time(f32, 0.0), _collapse_time(f64, 0.0)
        before32 = _max_gap(f32, f64, t32)
        before64 = _max_gap(ctrl, f64, t64)
        end = value(records(ctrl)[-1], "test_acc") - value(records(f32)[-1], "test_acc")
        measured.update({
            f"t_sc32{at}": t32, f"t_sc64{at}": t64 if math.isfinite(t64) else None,
            f"f32_vs_f64_before_sc32{at}": before32, f"ctrl_vs_f64_before_sc64{at}": before64,
            f"end_ctrl_minus_f32{at}": end,
            f"end_f32{at}": value(records(f32)[-1], "test_acc"),
            f"end_f64{at}": value(records(f64)[-1], "test_acc"),
            f"end_ctrl{at}": value(records(ctrl)[-1], "test_acc"),
        })  # fmt: skip
        bounds += [
            at_most(f"|f32 − f64| before float32's SC{at}", before32, tol),
            at_most(f"|ctrl − f64| before float64's SC{at}", before64, tol),
            at_least(f"ctrl − f32 at the horizon{at}", end, end_gap),
        ]
    return judge(measured, bounds)


@register("NLM1")
def check_nlm1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Smallest cos(−∇L, θ) of the float64 run between the fit and the first collapse."""
    cos_min = claim.limits["cos_min"]
    measured: dict[str, Any] = {}
    bounds: list[Bound] = []
    sets = groups(members)
    for key, group in sets.items():
        at = suffix(key, len(sets) > 1)
        f64 = pick(group, "float64 ce-torch", ce_torch("float64"))
        fit = first(f64, lambda r: value(r, "train_acc") >= 1.0)
        if fit is None:
            raise Inconclusive(f"the float64 run never fit the training set ({key})")
        end = _collapse_time(f64, 0.0)
        window = [value(r, "cos_nlm") for r in records(f64) if fit.t <= r.t < end]
        if len(window) < 3:
            raise Inconclusive(f"fewer than 3 evaluations between fit and collapse ({key})")
        measured.update({f"cos_min{at}": min(window), f"cos_max{at}": max(window),
                         f"evaluations{at}": len(window), f"t_fit{at}": fit.t,
                         f"t_sc{at}": end if math.isfinite(end) else None})  # fmt: skip
        bounds.append(at_least(f"min cos(−∇L, θ){at}", min(window), cos_min, 1 - cos_min))
    return judge(measured, bounds)
