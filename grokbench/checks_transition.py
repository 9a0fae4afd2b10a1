"""Checks of the transition claims T1–T4 and S1."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from grokbench.campaign import Member
from grokbench.checks import (
    Bound,
    Inconclusive,
    Outcome,
    by_alpha,
    by_wd,
    judge,
    known,
    mean,
    register,
    relative_deviation,
    shapes_of,
    spread,
)
from grokbench.measure import late_norm, linear_fit
from grokbench.spec import Claim


def _grok_times(members: Sequence[Member]) -> dict[float, tuple[float, float]]:
    """α → (mean λ·t_grok over seeds, spread)."""
    out = {}
    for alpha, group in by_alpha(members).items():
        scaled = [
            known(s.t_grok, "t_grok") * m.config.wd
            for m, s in zip(group, shapes_of(group), strict=True)
        ]
        out[alpha] = (mean(scaled), spread(scaled))
    return out


@register("T1")
def check_t1(claim: Claim, members: Sequence[Member]) -> Outcome:
    grok = _grok_times(members)
    slope, stderr, _ = linear_fit([math.log(a) for a in grok], [v for v, _ in grok.values()])
    measured: dict[str, Any] = {"slope": slope, "slope_stderr": stderr}
    measured.update({f"lt_grok/ln_alpha@{a:g}": v / math.log(a) for a, (v, _) in grok.items()})
    tol = claim.limits["slope_tol"]
    return judge(
        measured, [Bound("|slope − 1|", abs(slope - claim.limits["slope"]), tol, False, tol)]
    )


@register("T2")
def check_t2(claim: Claim, members: Sequence[Member]) -> Outcome:
    errors = []
    for member, shape in zip(members, shapes_of(members), strict=True):
        predicted = (
            math.log(member.trace.records[0].param_norm / late_norm(member.trace))
            / member.config.wd
        )
        t_grok = known(shape.t_grok, "t_grok")
        errors.append(abs(predicted - t_grok) / t_grok)
    tol = claim.limits["rel_tol"]
    measured = {"worst_rel_error": max(errors), "mean_rel_error": mean(errors)}
    return judge(measured, [Bound("worst relative error", max(errors), tol, False, tol)])


@register("T3")
def check_t3(claim: Claim, members: Sequence[Member]) -> Outcome:
    grok = _grok_times(members)
    alphas = [a for a in grok if a >= claim.limits["alpha_min"]]
    pairs = [(a, b) for a, b in pairwise(alphas) if math.isclose(b / a, 10)]
    if not pairs:
        raise Inconclusive("no pair of α a decade apart with α ≥ alpha_min")
    ratios = {f"{a:g}->{b:g}": (grok[b][0] - grok[a][0]) / math.log(10) for a, b in pairs}
    tol = claim.limits["ratio_tol"]
    bounds = [
        Bound(f"|ratio − 1| ({k})", abs(v - claim.limits["ratio"]), tol, False, tol)
        for k, v in ratios.items()
    ]
    return judge(dict(ratios), bounds)


@register("T4")
def check_t4(claim: Claim, members: Sequence[Member]) -> Outcome:
    corrected, raw = {}, {}
    for wd, group in by_wd(members).items():
        grok_times = [known(s.t_grok, "t_grok") for s in shapes_of(group)]
        raw[wd] = mean([t * wd for t in grok_times])
        corrected[wd] = mean(
            [t * wd + math.log(late_norm(m.trace)) for m, t in zip(group, grok_times, strict=True)]
        )
    deviation = relative_deviation(list(corrected.values()))
    measured: dict[str, Any] = {"max_rel_deviation": deviation}
    measured.update({f"lt_grok@wd={wd:g}": v for wd, v in raw.items()})
    tol = claim.limits["spread_tol"]
    return judge(measured, [Bound("max deviation from the mean", deviation, tol, False, tol)])


@register("S1")
def check_s1(claim: Claim, members: Sequence[Member]) -> Outcome:
    sharpness = {}
    for alpha, group in by_alpha(members).items():
        values = []
        for member, shape in zip(group, shapes_of(group), strict=True):
            if shape.window is None:
                raise Inconclusive(f"alpha={alpha:g}: the 10%–90% window is not inside the run")
            values.append(
                member.config.wd * shape.window / math.log(member.trace.records[0].param_norm)
            )
        sharpness[alpha] = mean(values)
    series = list(sharpness.values())
    rise = max(b - a for a, b in pairwise(series))
    limits = claim.limits
    measured = {f"sharpness@alpha={a:g}": v for a, v in sharpness.items()}
    return judge(
        measured,
        [
            Bound("max λ·window/ln‖θ(0)‖", max(series), limits["max"], False, limits["max"]),
            Bound("largest increase with α", rise, limits["slack"], False, limits["max"]),
        ],
    )
