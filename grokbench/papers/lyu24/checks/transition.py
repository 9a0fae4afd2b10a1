"""Checks of the transition claims T1–T6, S1 and N1."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from grokbench.claims.checks import (
    Bound,
    Checks,
    Inconclusive,
    Outcome,
    at_least,
    at_most,
    by_alpha,
    by_experiment,
    by_wd,
    falls,
    judge,
    known,
    mean,
    shapes_of,
    slope_in_log_alpha,
    transition_offset,
)
from grokbench.engine.logtime import log_time_transition
from grokbench.engine.measure import linear_fit
from grokbench.spec import Claim, Member

CHECKS = Checks()
register = CHECKS.register


def _slope_bound(claim: Claim, slope: float) -> Bound:
    """|slope − the claimed slope| within the claim's ``slope_tol``."""
    tol = claim.limits["slope_tol"]
    return at_most("|slope − 1|", abs(slope - claim.limits["slope"]), tol)


def _slope_check(claim: Claim, members: Sequence[Member], name: str) -> Outcome:
    """Slope of λ·t_grok (``name``: what the transition is called) against ln α."""
    slope, stderr, grok = slope_in_log_alpha(members)
    measured: dict[str, Any] = {"slope": slope, "slope_stderr": stderr}
    measured.update({f"λ·{name}@alpha={a:g}": v for a, v in grok.items()})
    return judge(measured, [_slope_bound(claim, slope)])


@register("T1")
def check_t1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Slope of λ·t_grok against ln α, and λ·t_grok/ln α moving toward 1 as α grows."""
    slope, stderr, grok = slope_in_log_alpha(members)
    ratios = {a: v / math.log(a) for a, v in grok.items()}
    first, last = next(iter(ratios.values())), list(ratios.values())[-1]
    measured: dict[str, Any] = {"slope": slope, "slope_stderr": stderr}
    measured.update({f"λt_grok/ln_alpha@{a:g}": r for a, r in ratios.items()})
    return judge(
        measured,
        [
            _slope_bound(claim, slope),
            falls("|λt_grok/ln α − 1| from the smallest to the largest α", abs(first - 1),
                  abs(last - 1)),
        ],
    )  # fmt: skip


@register("T2")
def check_t2(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Per α-swept experiment: λ·t_grok − ln(‖θ(0)‖/‖θ_late‖) per α (mean over seeds),
    its largest size and its spread across α."""
    measured: dict[str, Any] = {}
    bounds: list[Bound] = []
    limits = claim.limits
    for experiment, group in by_experiment(members).items():
        offsets = {}
        for alpha, runs in by_alpha(group).items():
            shapes = shapes_of(runs)
            offsets[alpha] = mean(
                [
                    transition_offset(m, known(s.t_grok, "t_grok"))
                    for m, s in zip(runs, shapes, strict=True)
                ]
            )
        measured.update({f"offset@{experiment},alpha={a:g}": v for a, v in offsets.items()})
        largest = max(abs(v) for v in offsets.values())
        width = max(offsets.values()) - min(offsets.values())
        bounds += [
            at_most(f"max |offset| ({experiment})", largest, limits["offset_max"]),
            at_most(f"offset spread across α ({experiment})", width, limits["spread_max"]),
        ]
    return judge(measured, bounds)


@register("T3")
def check_t3(claim: Claim, members: Sequence[Member]) -> Outcome:
    """λ·(t_grok(10α) − t_grok(α))/ln 10 over every pair a decade apart with α ≥ alpha_min, per
    experiment; the ReLU net (a model with a width) has the looser empirical tolerance."""
    limits = claim.limits
    measured: dict[str, Any] = {}
    bounds: list[Bound] = []
    for experiment, group in by_experiment(members).items():
        _, _, grok = slope_in_log_alpha(group)
        alphas = [a for a in grok if a >= limits["alpha_min"]]
        pairs = [(a, b) for a in alphas for b in alphas if math.isclose(b / a, 10)]
        if not pairs:
            raise Inconclusive(f"{experiment}: no pair of α a decade apart with α ≥ alpha_min")
        relu = "width" in group[0].config.task
        tol = limits["ratio_tol_relu" if relu else "ratio_tol"]
        for a, b in pairs:
            ratio = (grok[b] - grok[a]) / math.log(10)
            key = f"{experiment} {a:g}->{b:g}"
            measured[key] = ratio
            bounds.append(at_most(f"|ratio − 1| ({key})", abs(ratio - limits["ratio"]), tol))
    return judge(measured, bounds)


@register("T4")
def check_t4(claim: Claim, members: Sequence[Member]) -> Outcome:
    """λ·t_grok − ln(‖θ(0)‖/‖θ_late(λ)‖) across the λ sweep: the largest distance from
    its mean (raw λ·t_grok reported beside it)."""
    offsets, raw = {}, {}
    for wd, group in by_wd(members).items():
        grok_times = [known(s.t_grok, "t_grok") for s in shapes_of(group)]
        raw[wd] = mean([t * wd for t in grok_times])
        offsets[wd] = mean(
            [transition_offset(m, t) for m, t in zip(group, grok_times, strict=True)]
        )
    centre = mean(list(offsets.values()))
    deviation = max(abs(v - centre) for v in offsets.values())
    measured: dict[str, Any] = {"max_offset_deviation": deviation}
    measured.update({f"offset@wd={wd:g}": v for wd, v in offsets.items()})
    measured.update({f"lt_grok@wd={wd:g}": v for wd, v in raw.items()})
    tol = claim.limits["spread_tol"]
    return judge(measured, [at_most("max |offset − mean|", deviation, tol)])


@register("T5")
def check_t5(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Slope of λ·t_grok against ln α for matrix completion (test MSE falling)."""
    return _slope_check(claim, members, "t_grok")


@register("T6")
def check_t6(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Slope of λ·t_drop against ln α for misgrokking (test accuracy falling)."""
    return _slope_check(claim, members, "t_drop")


@register("S1")
def check_s1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """c_min(α), the smallest c with [t_10, t_90] inside [(1−c), (1+c)]·ln α/λ, falling
    as α grows; and the slope of λ·window against ln α."""
    c_min, windows = {}, {}
    for alpha, group in by_alpha(members).items():
        cs, ws = [], []
        for member, shape in zip(group, shapes_of(group), strict=True):
            if shape.t_10 is None or shape.t_90 is None:
                raise Inconclusive(f"alpha={alpha:g}: the 10%–90% window is not inside the run")
            wd, scale = member.config.wd, math.log(alpha)
            cs.append(max(1 - wd * shape.t_10 / scale, wd * shape.t_90 / scale - 1))
            ws.append(wd * (shape.t_90 - shape.t_10))
        c_min[alpha], windows[alpha] = mean(cs), mean(ws)
    if len(c_min) < 2:
        raise Inconclusive("fewer than two values of α")
    slope, stderr, _ = linear_fit([math.log(a) for a in windows], list(windows.values()))
    first, last = next(iter(c_min.values())), list(c_min.values())[-1]
    measured: dict[str, Any] = {f"c_min@alpha={a:g}": v for a, v in c_min.items()}
    measured.update({f"λ·window@alpha={a:g}": v for a, v in windows.items()})
    measured.update({"window_slope": slope, "window_slope_stderr": stderr})
    return judge(
        measured,
        [
            falls("c_min from the smallest to the largest α", first, last),
            at_most("|d(λ·window)/d ln α|", abs(slope), claim.limits["window_slope_max"]),
        ],
    )


@register("N1")
def check_n1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """ln t_90 / ln t_10 of the test-accuracy transition of runs without weight decay,
    integrated in log time (grokbench.engine.logtime); the smallest over seeds."""
    ratios = {}
    for member in members:
        if member.trace.status != "ok":
            raise Inconclusive(f"seed {member.config.seed}: {member.trace.reason}")
        shape = log_time_transition(member.trace)
        if shape["ratio"] is None:
            raise Inconclusive(
                f"seed {member.config.seed}: no 10%–90% transition with t_10 > 1 inside "
                f"ln t ≤ {member.trace.summary.get('ln_t_reached')}"
            )
        ratios[member.config.seed] = shape["ratio"]
    measured: dict[str, Any] = {f"ln_t90/ln_t10@seed={s}": r for s, r in ratios.items()}
    worst = min(ratios.values())
    return judge(
        measured, [at_least("smallest ln t_90 / ln t_10", worst, claim.limits["ratio_min"])]
    )
