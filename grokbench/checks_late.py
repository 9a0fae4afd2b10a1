"""Checks of the late-phase and control claims R1–R6, M1, W1, N1, X1."""

from __future__ import annotations

import math
from collections.abc import Sequence
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
from grokbench.measure import late_norm, window_values
from grokbench.spec import Claim


@register("R1")
def check_r1(claim: Claim, members: Sequence[Member]) -> Outcome:
    cosines, supports, masses = [], [], []
    for member, shape in zip(members, shapes_of(members), strict=True):
        after = window_values(
            member.trace, "cos_w_l1_max_margin", 1.5 * known(shape.t_grok, "t_grok"), math.inf
        )
        if len(after) == 0:
            raise Inconclusive("the run ends before 1.5·t_grok")
        cosines.append(float(after.min()))
        last = member.trace.records[-1].probes
        supports.append(last["support_topk"])
        masses.append(last["support_mass"])
    measured = {
        "min_cos_w_l1": min(cosines),
        "support_topk": min(supports),
        "support_mass": min(masses),
    }
    cos_min = claim.limits["cos_min"]
    return judge(
        measured,
        [
            Bound("min cos(w, w₁*)", min(cosines), cos_min, True, 1 - cos_min),
            Bound("top-k support is the true one", min(supports), 1.0, True),
        ],
    )


@register("R2")
def check_r2(claim: Claim, members: Sequence[Member]) -> Outcome:
    shapes = shapes_of(members)
    plateaus = [known(s.plateau, "plateau") for s in shapes]
    gaps = [
        abs(p - m.baselines["l2_max_margin"].test_value)
        for m, p in zip(members, plateaus, strict=True)
    ]
    finals = [s.final for s in shapes]
    limits = claim.limits
    measured = {
        "plateau": mean(plateaus),
        "plateau_gap_l2": mean(gaps),
        "final": mean(finals),
        "final_spread": spread(finals),
    }
    return judge(
        measured,
        [
            Bound(
                "|plateau − L2|",
                measured["plateau_gap_l2"],
                limits["plateau_tol"],
                False,
                limits["plateau_tol"],
            ),
            Bound(
                "final accuracy",
                measured["final"],
                limits["final_min"],
                True,
                1 - limits["final_min"],
            ),
        ],
    )


@register("R3")
def check_r3(claim: Claim, members: Sequence[Member]) -> Outcome:
    shapes = shapes_of(members)
    gaps = [
        abs(s.final - m.baselines["l1_max_margin"].test_value)
        for m, s in zip(members, shapes, strict=True)
    ]
    limits = claim.limits
    measured = {
        "plateau": mean([known(s.plateau, "plateau") for s in shapes]),
        "final": mean([s.final for s in shapes]),
        "final_gap_l1": mean(gaps),
    }
    return judge(
        measured,
        [
            Bound(
                "plateau accuracy",
                measured["plateau"],
                limits["plateau_min"],
                True,
                1 - limits["plateau_min"],
            ),
            Bound(
                "|final − L1|",
                measured["final_gap_l1"],
                limits["final_tol"],
                False,
                limits["final_tol"],
            ),
        ],
    )


@register("R4")
def check_r4(claim: Claim, members: Sequence[Member]) -> Outcome:
    shapes_of(members)
    last = [m.trace.records[-1] for m in members]
    distance = mean([r.probes["dist_nuclear_norm"] for r in last])
    norm_error = mean([abs(r.param_norm / math.sqrt(r.probes["nuclear_norm"]) - 1) for r in last])
    sigma = mean([r.probes["sigma_ratio"] for r in last])
    limits = claim.limits
    measured = {"dist_nuclear": distance, "norm_vs_sqrt_nuclear": norm_error, "sigma_ratio": sigma}
    return judge(
        measured,
        [
            Bound("‖W − X_nuc‖/‖X_nuc‖", distance, limits["dist_max"], False, limits["dist_max"]),
            Bound("|‖θ‖/√‖W‖_* − 1|", norm_error, limits["norm_tol"], False, limits["norm_tol"]),
            Bound("σ₂/σ₁", sigma, limits["sigma_ratio_max"], False, limits["sigma_ratio_max"]),
        ],
    )


@register("R5")
def check_r5(claim: Claim, members: Sequence[Member]) -> Outcome:
    shapes_of(members)
    norms = {a: mean([late_norm(m.trace) for m in g]) for a, g in by_alpha(members).items()}
    deviation = relative_deviation(list(norms.values()))
    measured: dict[str, Any] = {"max_rel_deviation": deviation}
    measured.update({f"late_norm@alpha={a:g}": v for a, v in norms.items()})
    tol = claim.limits["rel_tol"]
    return judge(measured, [Bound("max deviation from the mean", deviation, tol, False, tol)])


@register("R6")
def check_r6(claim: Claim, members: Sequence[Member]) -> Outcome:
    shapes_of(members)
    scaled = {
        wd: mean([late_norm(m.trace) for m in g]) / math.sqrt(math.log(1 / wd))
        for wd, g in by_wd(members).items()
    }
    deviation = relative_deviation(list(scaled.values()))
    measured: dict[str, Any] = {"max_rel_deviation": deviation}
    measured.update({f"norm/sqrt(ln 1/wd)@wd={wd:g}": v for wd, v in scaled.items()})
    tol = claim.limits["rel_tol"]
    return judge(measured, [Bound("max deviation from the mean", deviation, tol, False, tol)])


@register("M1")
def check_m1(claim: Claim, members: Sequence[Member]) -> Outcome:
    shapes = shapes_of(members, need_transition=False)
    final_min = claim.limits["final_min"]
    bounds: list[Bound] = []
    measured: dict[str, float | None] = {}
    for member, shape in zip(members, shapes, strict=True):
        alpha = member.trace.summary["alpha"]
        measured[f"final@alpha={alpha:g}"] = shape.final
        measured[f"fit@alpha={alpha:g}"] = shape.t_fit
        bounds.append(
            Bound(
                f"train fit (alpha={alpha:g})", 1.0 if shape.t_fit is not None else 0.0, 1.0, True
            )
        )
        bounds.append(
            Bound(
                f"final test accuracy (alpha={alpha:g})",
                shape.final,
                final_min,
                True,
                1 - final_min,
            )
        )
    return judge(measured, bounds)


@register("W1")
def check_w1(claim: Claim, members: Sequence[Member]) -> Outcome:
    shapes_of(members, need_transition=False)
    train = max(m.trace.records[-1].train_acc or 0.0 for m in members)
    limit = claim.limits["train_max"]
    return judge(
        {"final_train_acc": train, "wd": members[0].config.wd},
        [Bound("final train accuracy", train, limit, False, limit)],
    )


@register("N1")
def check_n1(claim: Claim, members: Sequence[Member]) -> Outcome:
    shape = shapes_of(members)[0]
    if shape.t_10 is None or shape.t_90 is None or shape.t_10 <= 1:
        raise Inconclusive("the 10%–90% window is not inside the run")
    decades = math.log10(math.log(shape.t_90)) - math.log10(math.log(shape.t_10))
    limit = claim.limits["decades_min"]
    return judge(
        {"decades_of_ln_t": decades}, [Bound("decades of ln t", decades, limit, True, limit)]
    )


@register("X1")
def check_x1(claim: Claim, members: Sequence[Member]) -> Outcome:
    shapes = shapes_of(members, need_transition=False)
    finals: dict[str, list[float]] = {}
    for member, shape in zip(members, shapes, strict=True):
        finals.setdefault(member.config.experiment, []).append(shape.final)
    chance, tol = claim.limits["chance"], claim.limits["tol"]
    measured = {f"final@{name}": mean(v) for name, v in finals.items()}
    return judge(
        measured,
        [
            Bound(f"|final − chance| ({k})", abs(v - chance), tol, False, tol)
            for k, v in measured.items()
        ],
    )
