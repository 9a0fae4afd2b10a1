"""kumar24's checks (the research prototype's, /tmp/packs/kumar24/claims.py, on grokbench
traces): times are on the paper's clock τ = t·α²/N; thresholds are relative to the initial
population test MSE (the paper's 0.1 of E[y²] = 0.75 is 2/15 of it)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from grokbench.claims.checks import Bound, Checks, Inconclusive, at_least, at_most, judge
from grokbench.papers.kumar24.runsets import FIG1_ALPHA
from grokbench.spec import Claim, Member, Outcome

CHECKS = Checks()
register = CHECKS.register
THR_REL = 2 / 15


def series(member: Member) -> dict[str, Any]:
    """The member as the prototype's run: records of τ, train, test (population), wnorm
    (‖W‖/‖W₀‖), the loss terms and the alignment; α, ε, ‖β‖², tr M₀."""
    trace = member.trace
    if trace.status != "ok" or not trace.records:
        raise Inconclusive(f"α={member.config.task['out_scale']:g}: {trace.reason or 'no records'}")
    task = member.config.task
    alpha, width = float(task["out_scale"]), int(task["width"])
    norm0 = trace.records[0].param_norm
    rows = []
    for r in trace.records:
        p = r.probes
        if "pop_test" not in p:
            raise Inconclusive("the run has no kumar24 probes (quad-index only)")
        rows.append({"tau": r.t * alpha**2 / width, "train": float(r.train_loss),
                     "test": p["pop_test"], "wnorm": r.param_norm / norm0,
                     "E_variance": p["E_variance"], "E_alignment": p["E_alignment"],
                     "cka": p["cka"]})  # fmt: skip
    last = trace.records[0].probes
    return {"alpha": alpha, "eps": float(task["eps"]), "beta2": last["beta2"],
            "trM0": last["trM0"], "records": rows}  # fmt: skip


def cross(rows: list[dict[str, float]], key: str, level: float, start: int = 0) -> float:
    """First τ (linear interpolation) at which rows[key] ≤ level, from index ``start``."""
    prev = None
    for r in rows[start:]:
        if r[key] <= level:
            if prev is None:
                return r["tau"]
            a, b = prev[key], r[key]
            f = (a - level) / (a - b) if a != b else 1.0
            return prev["tau"] + f * (r["tau"] - prev["tau"])
        prev = r
    return math.inf


def cross_up(rows: list[dict[str, float]], key: str, level: float) -> float:
    """First τ at which rows[key] ≥ level."""
    prev = None
    for r in rows:
        if r[key] >= level:
            if prev is None:
                return r["tau"]
            a, b = prev[key], r[key]
            f = (level - a) / (b - a) if a != b else 1.0
            return prev["tau"] + f * (r["tau"] - prev["tau"])
        prev = r
    return math.inf


def at(rows: list[dict[str, float]], tau: float, key: str) -> float:
    """rows[key] interpolated at τ (the last value past the end)."""
    if not math.isfinite(tau):
        return rows[-1][key]
    for i in range(1, len(rows)):
        if rows[i]["tau"] >= tau:
            a, b = rows[i - 1], rows[i]
            f = (tau - a["tau"]) / (b["tau"] - a["tau"]) if b["tau"] > a["tau"] else 1.0
            return a[key] + f * (b[key] - a[key])
    return rows[-1][key]


def transition(run: dict[str, Any]) -> dict[str, float]:
    """t_fit, t_gen (train/test at 2/15 of the initial test MSE), t_peak (the test maximum
    before t_gen), t_grok (test halfway from the peak to its final value), delay and ρ."""
    rows = run["records"]
    l0 = rows[0]["test"]
    thr = THR_REL * l0
    t_fit, t_gen = cross(rows, "train", thr), cross(rows, "test", thr)
    end = next((i for i, r in enumerate(rows) if r["tau"] >= t_gen), len(rows) - 1)
    ipk = max(range(end + 1), key=lambda i: rows[i]["test"])
    peak, final = rows[ipk]["test"], rows[-1]["test"]
    t_grok = cross(rows, "test", final + 0.5 * (peak - final), ipk)
    return {"l0": l0, "t_fit": t_fit, "t_gen": t_gen, "t_peak": rows[ipk]["tau"],
            "t_grok": t_grok, "delay": t_gen - t_fit, "rho": t_gen / t_fit}  # fmt: skip


def fig1_member(members: Sequence[Member]) -> Member:
    """The member whose α is closest (in ln α) to the scale's Fig-1 member."""
    if not members:
        raise Inconclusive("no member")
    target = FIG1_ALPHA.get(members[0].config.scale, 0.5)
    return min(members, key=lambda m: abs(math.log(m.config.task["out_scale"] / target)))


def _slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum(
        (a - mx) ** 2 for a in lx
    )


@register("DL1")
def check_dl1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Slope of ln(t_gen − t_fit) on ln α, monotone delay, ρ = t_gen/t_fit rising with α."""
    lim = claim.limits
    runs = sorted((series(m) for m in members), key=lambda r: r["alpha"])
    alphas = [r["alpha"] for r in runs]
    if len(set(alphas)) < 3 or alphas[-1] / alphas[0] < 99:
        raise Inconclusive("needs ≥ 3 values of α spanning ≥ 2 decades")
    shapes = [transition(r) for r in runs]
    if any(not math.isfinite(s["t_gen"]) for s in shapes):
        raise Inconclusive("a member never generalised inside its horizon")
    delay, rho = [s["delay"] for s in shapes], [s["rho"] for s in shapes]
    if min(delay) <= 0:
        raise Inconclusive("a non-positive delay")
    slope = _slope(alphas, delay)
    increase = min(delay[i + 1] / delay[i] - 1 for i in range(len(delay) - 1))
    rho_step = min(rho[i + 1] / rho[i] - 1 for i in range(len(rho) - 1))
    gain = rho[-1] / rho[0]
    measured: dict[str, Any] = {
        "slope": slope,
        "rho_gain": gain,
        "min_delay_increase": increase,
        "min_rho_step": rho_step,
    }
    measured.update({f"delay@alpha={a:g}": d for a, d in zip(alphas, delay, strict=True)})
    measured.update({f"rho@alpha={a:g}": r for a, r in zip(alphas, rho, strict=True)})
    bounds = [
        at_least("slope d ln delay/d ln α", slope, lim["slope_lo"]),
        at_most("slope d ln delay/d ln α", slope, lim["slope_hi"]),
        at_least("smallest relative delay increase", increase, 0.0, 1.0),
        at_least("smallest relative ρ step", rho_step, -lim["mono_slack"], 1.0),
        at_least("ρ(α_max)/ρ(α_min)", gain, lim["rho_gain_min"]),
    ]
    return judge(measured, bounds)


def norm_prediction(run: dict[str, Any]) -> float:
    """‖W_T‖/‖W₀‖ when the net fits E[y] alone: √(1 + ‖β‖²/(αε·tr M₀))."""
    return math.sqrt(1 + run["beta2"] / (run["alpha"] * run["eps"] * run["trM0"]))


@register("NG1")
def check_ng1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Largest relative drop of ‖W‖ before t_gen and its growth t_peak → t_gen (Fig-1
    member); worst |‖W_T‖/‖W₀‖ ÷ mean-fit prediction − 1| over every α."""
    lim = claim.limits
    run = series(fig1_member(members))
    shape = transition(run)
    rows = run["records"]
    t_end = min(shape["t_gen"], rows[-1]["tau"])
    peak, drawdown = rows[0]["wnorm"], 0.0
    for r in rows:
        if r["tau"] > t_end:
            break
        peak = max(peak, r["wnorm"])
        drawdown = max(drawdown, 1 - r["wnorm"] / peak)
    growth = at(rows, t_end, "wnorm") / at(rows, shape["t_peak"], "wnorm")
    errors = {}
    for m in members:
        r = series(m)
        errors[r["alpha"]] = abs(r["records"][-1]["wnorm"] / norm_prediction(r) - 1)
    worst = max(errors.values())
    norm_t = rows[-1]["wnorm"]
    measured: dict[str, Any] = {
        "drawdown": drawdown,
        "growth": growth,
        "norm_ratio_T": norm_t,
        "ln_norm_ratio_T": math.log(norm_t),
        "pred_error": worst,
    }
    measured.update({f"pred_error@alpha={a:g}": e for a, e in errors.items()})
    return judge(measured, [
        at_most("‖W‖ drawdown before t_gen", drawdown, lim["drawdown_max"]),
        at_least("‖W(t_gen)‖/‖W(t_peak)‖", growth, lim["growth_min"]),
        at_most("|final norm ÷ prediction − 1| (every α)", worst, lim["pred_tol"]),
    ])  # fmt: skip


@register("AL1")
def check_al1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """NTK–target alignment A: A(t_peak)/A(0), A(t_gen)/A(t_peak), t_A50/t_grok (Fig-1 member)."""
    lim = claim.limits
    run = series(fig1_member(members))
    shape = transition(run)
    rows = run["records"]
    t_end = min(shape["t_gen"], rows[-1]["tau"])
    a0, a_peak, a_gen, a_t = (rows[0]["cka"], at(rows, shape["t_peak"], "cka"),
                              at(rows, t_end, "cka"), rows[-1]["cka"])  # fmt: skip
    t_a50 = cross_up(rows, "cka", a0 + 0.5 * (a_t - a0)) if a_t > a0 else math.inf
    lag = t_a50 / shape["t_grok"] if math.isfinite(shape["t_grok"]) else math.inf
    flat, rise = a_peak / a0, a_gen / a_peak
    measured = {"A0": a0, "A_peak": a_peak, "A_gen": a_gen, "A_T": a_t, "flat": flat,
                "rise": rise, "lag": lag if math.isfinite(lag) else -1.0}  # fmt: skip
    bounds: list[Bound] = [
        at_most("|A(t_peak)/A(0) − 1|", abs(flat - 1), lim["flat_tol"]),
        at_least("A(t_gen)/A(t_peak)", rise, lim["rise_min"]),
        at_least("t_A50/t_grok", lag if math.isfinite(lag) else -1.0, lim["lag_lo"]),
        at_most("t_A50/t_grok", lag if math.isfinite(lag) else math.inf, lim["lag_hi"]),
    ]
    if not math.isfinite(lag):  # alignment never rose: a fail, not an unmeasured value
        bounds[-1] = at_most("t_A50/t_grok (never)", 2 * lim["lag_hi"], lim["lag_hi"])
    return judge(measured, bounds)


@register("MF1")
def check_mf1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """t50 of the misalignment term ÷ t50 of the variance (mean) term (Fig-1 member)."""
    rows = series(fig1_member(members))["records"]
    t_var = cross(rows, "E_variance", 0.5 * rows[0]["E_variance"])
    t_aln = cross(rows, "E_alignment", 0.5 * rows[0]["E_alignment"])
    if not math.isfinite(t_aln):
        raise Inconclusive("the misalignment term never halved")
    ratio = t_aln / max(t_var, 1e-300)
    measured = {"t50_variance": t_var, "t50_alignment": t_aln, "ratio": ratio}
    bound = at_least("t50(E_alignment)/t50(E_variance)", ratio, claim.limits["order_min"])
    return judge(measured, [bound])
