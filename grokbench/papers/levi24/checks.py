"""levi24's checks. Times are the engine's t = lr·steps (the paper's η₀t); the losses are the
training MSE and the exact generalisation loss ‖S − T‖² (probe ``pop_test``, Eq. 2); the
paper's grokking time uses the loss crossings of ε/4, where the accuracy is erf(√2) ≈ 95%."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from grokbench.claims.checks import Checks, Inconclusive, at_least, at_most, judge
from grokbench.papers.levi24.theory import eq12, eq24
from grokbench.spec import Claim, Member, Outcome

CHECKS = Checks()
register = CHECKS.register


def series(member: Member) -> dict[str, Any]:
    """The run as arrays: t, train (MSE), gen (‖S − T‖²), acc_train, acc_test, acc_pop."""
    trace, task = member.trace, member.config.task
    if trace.status != "ok" or len(trace.records) < 3:
        raise Inconclusive(f"λ={task.get('lam')}: {trace.reason or 'no records'}")
    if "pop_test" not in trace.records[0].probes:
        raise Inconclusive("the run has no levi24 probes (linear-teacher only)")
    out: dict[str, Any] = {"t": np.array([r.t for r in trace.records])}
    out["train"] = np.array([r.train_loss for r in trace.records])
    for key in ("pop_test", "acc_train", "acc_test", "acc_pop"):
        out[key] = np.array([r.probes[key] for r in trace.records])
    out.update(lam=float(task["lam"]), eps=float(task["threshold"]),
               n_test=int(task["n_test"]), gamma=float(member.config.wd))  # fmt: skip
    return out


def cross_down(t: np.ndarray, y: np.ndarray, level: float) -> float:
    """The first t at which y ≤ level (ln y interpolated linearly); inf if never."""
    below = np.nonzero(y <= level)[0]
    if not len(below):
        return math.inf
    i = int(below[0])
    if i == 0:
        return float(t[0])
    a, b = math.log(y[i - 1]), math.log(max(y[i], 1e-300))
    return float(t[i - 1] + (t[i] - t[i - 1]) * (a - math.log(level)) / (a - b))


def cross_up(t: np.ndarray, y: np.ndarray, level: float) -> float:
    """The first t at which y ≥ level (linear interpolation); inf if never."""
    above = np.nonzero(y >= level)[0]
    if not len(above):
        return math.inf
    i = int(above[0])
    if i == 0:
        return float(t[0])
    return float(t[i - 1] + (t[i] - t[i - 1]) * (level - y[i - 1]) / (y[i] - y[i - 1]))


def grok_times(run: dict[str, Any], eps: float) -> tuple[float, float]:
    """(τ*_tr, τ*_gen): the train / generalisation loss reach ε/4 (the paper's App. B)."""
    return cross_down(run["t"], run["train"], eps / 4), cross_down(run["t"], run["pop_test"],
                                                                   eps / 4)  # fmt: skip


def rate_gain(t: np.ndarray, loss: np.ndarray) -> float:
    """max over i < j of r_j / r_i, r the decay rate −Δln L/Δt between evaluations: ≤ 1 when
    ln L is convex in t (a sum of decaying exponentials), ≫ 1 for a plateau then a drop."""
    ok = (loss > 1e-280) & np.concatenate([[True], np.diff(t) > 0])
    lt, tt = np.log(loss[ok]), t[ok]
    rates = -(np.diff(lt) / np.diff(tt))
    rates = rates[np.isfinite(rates)]
    if len(rates) < 2:
        raise Inconclusive("too few evaluations to measure the decay rate")
    floor = np.minimum.accumulate(np.maximum(rates, 1e-12 * float(np.max(rates))))
    return float(np.max(rates[1:] / floor[:-1]))


def by_lambda(members: Sequence[Member]) -> dict[float, dict[str, Any]]:
    """The γ = 0 runs by λ, ascending."""
    runs = [series(m) for m in members]
    return dict(sorted((r["lam"], r) for r in runs if r["gamma"] == 0))


def by_gamma(members: Sequence[Member]) -> dict[float, dict[str, Any]]:
    """The runs by γ, ascending."""
    return dict(sorted((r["gamma"], r) for r in (series(m) for m in members)))


@register("AG1")
def check_ag1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """At the largest λ: t95(test acc)/t95(train acc); the decay-rate gain of ‖S − T‖²; the
    largest gap between the test accuracy and erf(√(ε/2L_gen)) (Eq. 10)."""
    lim = claim.limits
    runs = by_lambda(members)
    if not runs:
        raise Inconclusive("no γ = 0 run")
    run = runs[max(runs)]
    t95_tr = cross_up(run["t"], run["acc_train"], 0.95)
    t95_te = cross_up(run["t"], run["acc_test"], 0.95)
    if not math.isfinite(t95_te):
        raise Inconclusive("the test accuracy never reached 95%")
    rho = t95_te / max(t95_tr, 1e-300)
    gain = rate_gain(run["t"], run["pop_test"])
    gap = float(np.max(np.abs(run["acc_test"] - run["acc_pop"])))
    gap_max = lim["gap_sigmas"] * 0.5 / math.sqrt(run["n_test"])
    measured = {"lam": run["lam"], "t95_train_acc": t95_tr, "t95_test_acc": t95_te,
                "rho_acc": rho, "rate_gain": gain, "acc_gap": gap,
                "acc_gap_max": gap_max}  # fmt: skip
    return judge(measured, [
        at_least("t95(test acc)/t95(train acc)", rho, lim["rho_min"]),
        at_most("decay-rate gain of the test loss", gain, lim["gain_max"]),
        at_most("max |acc_test − erf(√(ε/2L_gen))|", gap, gap_max),
    ])  # fmt: skip


@register("TG1")
def check_tg1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Δτ = τ*_gen − τ*_tr (ε/4 crossings) over λ against Eq. 24; Δτ rising with λ; and
    Δτ/Eq. 12 closer to 1 at ε = 1e-6 than at the run's ε (Eq. 12 is the ε → 0 limit)."""
    lim = claim.limits
    runs = by_lambda(members)
    if len(runs) < 3:
        raise Inconclusive("fewer than three values of λ at γ = 0")
    measured: dict[str, Any] = {}
    worst, deltas, approach = 0.0, [], math.inf
    for lam, run in runs.items():
        eps = run["eps"]
        t_tr, t_gen = grok_times(run, eps)
        t6_tr, t6_gen = grok_times(run, 1e-6)
        if not math.isfinite(t6_gen):
            raise Inconclusive(f"λ={lam:g}: the test loss never reached 2.5e-7")
        delta, predicted = t_gen - t_tr, eq24(lam, eps)[1] - eq24(lam, eps)[0]
        r24, r12, r12_small = delta / predicted, delta / eq12(lam), (t6_gen - t6_tr) / eq12(lam)
        worst = max(worst, abs(r24 - 1))
        deltas.append(delta)
        approach = min(approach, r12_small - r12)
        measured.update({f"dtau@lam={lam:g}": delta, f"eq24@lam={lam:g}": predicted,
                         f"ratio_eq24@lam={lam:g}": r24, f"ratio_eq12@lam={lam:g}": r12,
                         f"ratio_eq12_eps1e-6@lam={lam:g}": r12_small})  # fmt: skip
    rise = min(b / a for a, b in itertools.pairwise(deltas))
    measured.update({"max_rel_error_eq24": worst, "min_step_ratio": rise,
                     "min_eq12_approach": approach})  # fmt: skip
    return judge(measured, [
        at_most("max |Δτ/Eq. 24 − 1|", worst, lim["rel_tol"]),
        at_least("min Δτ(λ_next)/Δτ(λ)", rise, lim["rise_min"]),
        at_least("min (Δτ/Eq. 12 at ε=1e-6 − at ε)", approach, 0.0, scale=1.0),
    ])  # fmt: skip


@register("WD1")
def check_wd1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """At the largest γ: the final L_gen/L_tr against 1/(1 − λ)² (Eq. 16's floors) and the
    final accuracy (below 95%: the floor is above ε/4); at the smallest γ > 0 ≥ 95%."""
    lim = claim.limits
    runs = by_gamma(members)
    positive = [g for g in runs if g > 0]
    if len(positive) < 2:
        raise Inconclusive("fewer than two runs with γ > 0")
    big, small = runs[max(positive)], runs[min(positive)]
    lam = big["lam"]
    ratio = float(big["pop_test"][-1] / big["train"][-1]) * (1 - lam) ** 2
    settled = abs(big["pop_test"][-1] / big["pop_test"][-len(big["t"]) // 10] - 1)
    if settled > 1e-3:
        raise Inconclusive(f"γ={max(positive):g}: the loss has not settled ({settled:.2g})")
    measured = {"floor_ratio_x_(1-lam)^2": ratio, "final_acc_big_gamma": big["acc_pop"][-1],
                "final_acc_small_gamma": small["acc_pop"][-1],
                "floor_gen_big_gamma": big["pop_test"][-1]}  # fmt: skip
    return judge(measured, [
        at_most("|L_gen/L_tr·(1 − λ)² − 1| at the largest γ", abs(ratio - 1), lim["ratio_tol"]),
        at_most("final accuracy at the largest γ", big["acc_pop"][-1], lim["acc_blocked"]),
        at_least("final accuracy at the smallest γ > 0", small["acc_pop"][-1],
                 lim["acc_blocked"]),
    ])  # fmt: skip


@register("WD2")
def check_wd2(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Δτ(γ)/Δτ(0) at every γ > 0 whose runs generalise (the paper: weight decay shortens
    the grokking time below the floor threshold, Eq. 16)."""
    runs = by_gamma(members)
    if 0.0 not in runs:
        raise Inconclusive("no γ = 0 run")
    base = runs[0.0]
    t_tr, t_gen = grok_times(base, base["eps"])
    delta0 = t_gen - t_tr
    ratios = {}
    for gamma, run in runs.items():
        a, b = grok_times(run, run["eps"])
        if gamma > 0 and math.isfinite(b):
            ratios[gamma] = (b - a) / delta0
    if not ratios:
        raise Inconclusive("no run with γ > 0 reached ε/4")
    worst = max(ratios.values())
    measured: dict[str, Any] = {f"dtau_ratio@gamma={g:g}": r for g, r in ratios.items()}
    measured.update({"dtau@gamma=0": delta0, "max_dtau_ratio": worst})
    return judge(measured, [at_most("max Δτ(γ)/Δτ(0)", worst, claim.limits["ratio_max"])])


@register("LM1")
def check_lm1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """τ*_gen(ε = 1e-6)/τ*_gen(ε = 1e-2) at every λ (the 'generalisation time' moves with
    the threshold); beside it the relative 10–90% windows (t_90 − t_10)/t_50 of the test
    accuracy and of the drop of ln L_gen (lyu24/S1's sharpness on both metrics)."""
    runs = by_lambda(members)
    if not runs:
        raise Inconclusive("no γ = 0 run")
    measured: dict[str, Any] = {}
    worst = math.inf
    for lam, run in runs.items():
        hi, lo = grok_times(run, 1e-2)[1], grok_times(run, 1e-6)[1]
        if not math.isfinite(lo):
            raise Inconclusive(f"λ={lam:g}: the test loss never reached 2.5e-7")
        worst = min(worst, lo / hi)
        measured[f"sensitivity@lam={lam:g}"] = lo / hi
    run = runs[max(runs)]
    t, acc, ln_loss = run["t"], run["acc_pop"], np.log(run["pop_test"])
    a0, a1 = acc[0], acc[-1]
    acc_t = [cross_up(t, acc, a0 + q * (a1 - a0)) for q in (0.1, 0.5, 0.9)]
    l0, l1 = ln_loss[0], ln_loss[-1]
    loss_t = [cross_up(t, -ln_loss, -(l0 + q * (l1 - l0))) for q in (0.1, 0.5, 0.9)]
    measured.update({
        "threshold_sensitivity": worst,
        "acc_window_rel": (acc_t[2] - acc_t[0]) / acc_t[1],
        "lnloss_window_rel": (loss_t[2] - loss_t[0]) / loss_t[1],
    })  # fmt: skip
    bound = at_least("min τ*_gen(1e-6)/τ*_gen(1e-2)", worst, claim.limits["sensitivity_min"])
    return judge(measured, [bound])
