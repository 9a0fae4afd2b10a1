"""Checks of the kernel-regime claims K1–K6 (and K3 as printed, an erratum)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from grokbench.baselines.kernel import RegularisedKernelLogistic
from grokbench.claims.checks import (
    Checks,
    Inconclusive,
    Outcome,
    at_least,
    at_most,
    by_alpha,
    depth_of,
    falls,
    judge,
    known,
    mean,
    shapes_of,
    spread,
)
from grokbench.engine.measure import linear_fit, loss_crossing_time, value_at, window_values
from grokbench.spec import Claim, Member

CHECKS = Checks()
register = CHECKS.register


@register("K1")
def check_k1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Worst |‖θ(t)‖/(‖θ(0)‖e^{−λt}) − 1| and worst cos(θ, θ̄) up to t_grok/2."""
    worst_ratio, worst_cos = 0.0, 1.0
    for member, shape in zip(members, shapes_of(members), strict=True):
        trace, wd = member.trace, member.config.wd
        end = known(shape.t_grok, "t_grok") / 2
        times = window_values(trace, "t", 0.0, end)
        norms = window_values(trace, "param_norm", 0.0, end)
        ratio = norms / (trace.records[0].param_norm * np.exp(-wd * times))
        worst_ratio = max(worst_ratio, float(np.abs(ratio - 1).max()))
        worst_cos = min(worst_cos, float(window_values(trace, "cos_ref", 0.0, end).min()))
    limits = claim.limits
    return judge(
        {"max_norm_ratio_deviation": worst_ratio, "min_cos_ref": worst_cos},
        [
            at_most("max |ratio − 1|", worst_ratio, limits["norm_ratio_tol"]),
            at_least("min cos(θ, θ̄)", worst_cos, limits["cos_min"], 1 - limits["cos_min"]),
        ],
    )


@register("K2")
def check_k2(claim: Claim, members: Sequence[Member]) -> Outcome:
    """At t_grok/2: label agreement with the NTK SVM, the accuracy gap, cos(w, w₂*)."""
    agreements, gaps, cosines = [], [], []
    for member, shape in zip(members, shapes_of(members), strict=True):
        t = known(shape.t_grok, "t_grok") / 2
        agreements.append(value_at(member.trace, "agree_ntk_svm", t))
        gaps.append(
            abs(value_at(member.trace, "test_acc", t) - member.baselines["ntk_svm"].test_value)
        )
        cosines.append(value_at(member.trace, "cos_w_l2_max_margin", t))
    limits = claim.limits
    measured = {
        "agreement": mean(agreements),
        "agreement_spread": spread(agreements),
        "acc_gap": mean(gaps),
        "cos_w_l2": mean(cosines),
    }
    agree_min, cos_min = limits["agreement_min"], limits["cos_min"]
    return judge(
        measured,
        [
            at_least("agreement", measured["agreement"], agree_min, 1 - agree_min),
            at_most("accuracy gap", measured["acc_gap"], limits["gap_max"]),
            at_least("cos(w, w₂*)", measured["cos_w_l2"], cos_min, 1 - cos_min),
        ],
    )


def _early_time(claim: Claim, alpha: float, wd: float) -> float:
    """T⁻_c = (1 − c)·ln α/λ, the end of the kernel phase the theorems speak of."""
    return (1 - claim.limits["c"]) * math.log(alpha) / wd


def kernel_margins(claim: Claim, members: Sequence[Member]) -> dict[float, float]:
    """α → q = min_i y_i f_i at T⁻_c, mean over seeds."""
    out = {}
    for alpha, group in by_alpha(members).items():
        shapes_of(group, need_transition=False)
        t = _early_time(claim, alpha, group[0].config.wd)
        out[alpha] = mean([value_at(m.trace, "train_margin", t) for m in group])
    if len(out) < 2:
        raise Inconclusive("fewer than two values of α")
    return out


def quasi_static_margin(member: Member, alpha: float, c: float) -> float:
    """q_qs: min_i y_i⟨φ_i, h⟩ for the h minimising (1/n)Σℓ(y_i⟨φ_i, h⟩) +
    (Lλ/(2α^{2c(L−1)}))‖h‖² on the NTK features φ at θ̄ (the kernel the member's ntk_svm
    baseline was fitted on)."""
    svm = member.baselines["ntk_svm"].extra
    depth = depth_of(member)
    ridge = depth * member.config.wd / alpha ** (2 * c * (depth - 1))
    return RegularisedKernelLogistic(ridge).fit(svm["k_train"], svm["y_train"]).margin_


@register("K3")
def check_k3(claim: Claim, members: Sequence[Member]) -> Outcome:
    """q/q_qs at T⁻_c per α, and q / ln(α^{2c(L−1)}/λ) moving toward 1 as α grows."""
    c = claim.limits["c"]
    margins = kernel_margins(claim, members)
    groups = by_alpha(members)
    ratios, normalised = {}, {}
    for alpha, q in margins.items():
        group = groups[alpha]
        q_qs = mean([quasi_static_margin(m, alpha, c) for m in group])
        depth, wd = depth_of(group[0]), group[0].config.wd
        ratios[alpha] = q / q_qs
        normalised[alpha] = q / (2 * c * (depth - 1) * math.log(alpha) - math.log(wd))
    first, last = next(iter(normalised.values())), list(normalised.values())[-1]
    measured = {f"q/q_qs@alpha={a:g}": r for a, r in ratios.items()}
    measured.update({f"q/ln(α^(2c(L-1))/λ)@alpha={a:g}": r for a, r in normalised.items()})
    tol = claim.limits["ratio_tol"]
    worst = max(abs(r - 1) for r in ratios.values())
    return judge(
        measured,
        [
            at_most("max |q/q_qs − 1|", worst, tol),
            falls("|ratio − 1| from the smallest to the largest α", abs(first - 1), abs(last - 1)),
        ],
    )


@register("K3-printed")
def check_k3_printed(claim: Claim, members: Sequence[Member]) -> Outcome:
    """q / ln(α^c/λ) per α: Theorem 3.4 as printed says it moves toward 1 as α grows."""
    c = claim.limits["c"]
    margins = kernel_margins(claim, members)
    wd = members[0].config.wd
    ratios = {a: q / (c * math.log(a) - math.log(wd)) for a, q in margins.items()}
    first, last = next(iter(ratios.values())), list(ratios.values())[-1]
    measured = {f"q/ln(α^c/λ)@alpha={a:g}": r for a, r in ratios.items()}
    name = "|ratio − 1| from the smallest to the largest α"
    return judge(measured, [falls(name, abs(first - 1), abs(last - 1))])


@register("K4")
def check_k4(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Plateau test MSE against the NTK interpolant's; the largest unseen |W_ij| from the fit
    to t_grok/2."""
    errors, off_mask = [], []
    for member, shape in zip(members, shapes_of(members, need_transition=False), strict=True):
        kernel = member.baselines["ntk_interpolant"].test_value
        errors.append(abs(known(shape.plateau, "plateau") - kernel) / kernel)
        # no transition (a run already at the late solution): the whole run after the fit
        end = shape.t_grok / 2 if shape.t_grok is not None else member.trace.records[-1].t
        start = known(shape.t_fit, "t_fit")
        off_mask.append(float(window_values(member.trace, "off_mask", start, end).max()))
    limits = claim.limits
    measured = {"plateau_vs_kernel_rel": mean(errors), "off_mask_max": max(off_mask)}
    return judge(
        measured,
        [
            at_most("|plateau − kernel|/kernel", mean(errors), limits["mse_rel_tol"]),
            at_most("max off-mask |W|/max|X*|", max(off_mask), limits["off_mask_max"]),
        ],
    )


@register("K5")
def check_k5(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Log-log slope of the time to fit (training loss below a threshold) against α."""
    alphas, times = [], []
    for alpha, group in by_alpha(members).items():
        fits = [loss_crossing_time(m.trace, claim.limits["loss_threshold"]) for m in group]
        if any(t is None or t <= 0 for t in fits):
            raise Inconclusive(f"alpha={alpha:g}: the training loss never fell below the threshold")
        alphas.append(math.log(alpha))
        times.append(mean([math.log(t) for t in fits]))  # type: ignore[arg-type]
    if len(alphas) < 2:
        raise Inconclusive("fewer than two values of α")
    slope, stderr, _ = linear_fit(alphas, times)
    expected = -2.0 * (depth_of(members[0]) - 1)
    measured = {"slope": slope, "slope_stderr": stderr, "expected_slope": expected}
    tol = claim.limits["slope_tol"]
    return judge(measured, [at_most("|slope − (−2(L−1))|", abs(slope - expected), tol)])


@register("K6")
def check_k6(claim: Claim, members: Sequence[Member]) -> Outcome:
    """1 − cos(w, w₂*) at T⁻_c per α: smaller at the largest α than at the smallest, and
    below the limit there."""
    gaps = {}
    for alpha, group in by_alpha(members).items():
        shapes_of(group, need_transition=False)
        t = _early_time(claim, alpha, group[0].config.wd)
        gaps[alpha] = mean([1 - value_at(m.trace, "cos_w_l2_max_margin", t) for m in group])
    if len(gaps) < 2:
        raise Inconclusive("fewer than two values of α")
    first, last = next(iter(gaps.values())), list(gaps.values())[-1]
    measured = {f"1-cos(w,w2)@alpha={a:g}": g for a, g in gaps.items()}
    return judge(
        measured,
        [
            falls("1 − cos from the smallest to the largest α", first, last),
            at_most("1 − cos at the largest α", last, claim.limits["gap_max"]),
        ],
    )
