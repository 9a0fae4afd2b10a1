"""gromov23's checks on ``gromov23-quad`` traces (the rich members, α = 0.3, unless said)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from grokbench.claims.checks import Checks, Inconclusive, at_least, at_most, judge
from grokbench.papers.gromov23.runsets import LAZY_ALPHA
from grokbench.spec import Claim, Member, Outcome, Record

CHECKS = Checks()
register = CHECKS.register


def _ok(member: Member) -> list[Record]:
    trace = member.trace
    if trace.status != "ok" or not trace.records:
        raise Inconclusive(f"seed {member.config.seed}: {trace.reason or 'no records'}")
    if "ipr" not in trace.records[0].probes:
        raise Inconclusive("the run has no gromov23 probes (modadd-quad only)")
    return trace.records


def rich(members: Sequence[Member]) -> list[Member]:
    """The members trained from the small (rich) init; Inconclusive when there are none."""
    out = [m for m in members if m.config.alpha != LAZY_ALPHA]
    if not out:
        raise Inconclusive("no rich (α ≠ 1) member")
    return out


def first(records: list[Record], key: str, level: float, probe: bool = False) -> float:
    """First t at which the record's ``key`` (a probe when ``probe``) reaches ``level``."""
    for r in records:
        value = r.probes[key] if probe else getattr(r, key)
        if value is not None and value >= level:
            return r.t
    return math.inf


def _step_at(records: list[Record], level: float, after: float) -> float:
    """First step past t = ``after`` at which the test accuracy reaches ``level``."""
    for r in records:
        if r.t >= after and r.test_acc is not None and r.test_acc >= level:
            return float(max(r.step, 2))
    return math.inf


@register("G1")
def check_g1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Final train/test accuracy and t_gen(test 0.9)/t_fit(train 0.99), worst seed."""
    lim = claim.limits
    measured: dict[str, Any] = {}
    trains, tests, delays, log_ratios = [], [], [], []
    for m in rich(members):
        rows, seed = _ok(m), m.config.seed
        t_fit, t_gen = first(rows, "train_acc", 0.99), first(rows, "test_acc", 0.9)
        delay = t_gen / t_fit if math.isfinite(t_gen) and t_fit > 0 else 0.0
        trains.append(float(rows[-1].train_acc or 0.0))
        tests.append(float(rows[-1].test_acc or 0.0))
        delays.append(delay)
        s10, s90 = _step_at(rows, 0.1, t_fit), _step_at(rows, 0.9, t_fit)
        if math.isfinite(s90):
            log_ratios.append(math.log(s90) / math.log(s10))
        measured.update({f"test_T@seed={seed}": tests[-1], f"delay@seed={seed}": delay})
    for m in members:
        if m.config.alpha == LAZY_ALPHA and m.trace.records:
            measured["lazy_test_acc_T"] = float(m.trace.records[-1].test_acc or 0.0)
    measured.update({"train_T": min(trains), "test_T": min(tests), "delay": min(delays)})
    if log_ratios:
        measured["ln_t90/ln_t10"] = max(log_ratios)
    return judge(measured, [
        at_least("final train accuracy (worst seed)", min(trains), lim["acc_min"]),
        at_least("final test accuracy (worst seed)", min(tests), lim["acc_min"]),
        at_least("t_gen/t_fit (worst seed)", min(delays), lim["delay_min"]),
    ])  # fmt: skip


@register("IPR1")
def check_ipr1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """IPR_T/IPR_0, the share of the IPR rise done at t_fit, t_IPR50/t_grok; worst seed."""
    lim = claim.limits
    rises, shares, lags = [], [], []
    measured: dict[str, Any] = {}
    for m in rich(members):
        rows, seed = _ok(m), m.config.seed
        i0, i_t = rows[0].probes["ipr"], rows[-1].probes["ipr"]
        t_fit, t_grok = first(rows, "train_acc", 0.99), first(rows, "test_acc", 0.5)
        gain = i_t - i0
        at_fit = next((r.probes["ipr"] for r in rows if r.t >= t_fit), i_t)
        share = (at_fit - i0) / gain if gain > 0 else 1.0
        t50 = first(rows, "ipr", i0 + 0.5 * gain, probe=True) if gain > 0 else math.inf
        lag = t50 / t_grok if math.isfinite(t50) and math.isfinite(t_grok) else math.inf
        rises.append(i_t / i0)
        shares.append(share)
        lags.append(lag)
        measured.update({f"ipr_0@seed={seed}": i0, f"ipr_T@seed={seed}": i_t,
                         f"share@seed={seed}": share, f"lag@seed={seed}": lag})  # fmt: skip
    lo = min(lags) if all(math.isfinite(x) for x in lags) else -1.0
    hi = max(lags) if all(math.isfinite(x) for x in lags) else 2 * lim["lag_hi"]
    measured.update({"rise": min(rises), "share": max(shares), "lag_min": lo, "lag_max": hi})
    return judge(measured, [
        at_least("IPR_T/IPR_0 (worst seed)", min(rises), lim["rise_min"]),
        at_most("share of the IPR rise at t_fit (worst)", max(shares), lim["share_max"]),
        at_least("t_IPR50/t_grok (smallest)", lo, lim["lag_lo"]),
        at_most("t_IPR50/t_grok (largest)", hi, lim["lag_hi"]),
    ])  # fmt: skip


@register("PH1")
def check_ph1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Weighted mean |φ_a + φ_b − φ_out| of the final weights, worst seed (and at init)."""
    finals, inits = [], []
    for m in rich(members):
        rows = _ok(m)
        finals.append(rows[-1].probes["phase_err"])
        inits.append(rows[0].probes["phase_err"])
    measured = {"phase_err_T": max(finals), "phase_err_0": min(inits)}
    return judge(
        measured,
        [at_most("phase residual (rad, worst seed)", max(finals), claim.limits["phase_max"])],
    )


@register("A1")
def check_a1(claim: Claim, members: Sequence[Member]) -> Outcome:
    """The analytic solution's p × p accuracy at each member's (p, N, seed), and the control."""
    accs, controls = [], []
    for m in members:
        rows = _ok(m)
        accs.append(rows[0].probes["analytic_acc"])
        controls.append(rows[0].probes["analytic_acc_uncoupled"])
    measured = {"analytic_acc": min(accs), "uncoupled_acc": max(controls)}
    return judge(measured, [
        at_least("analytic solution accuracy (worst)", min(accs), claim.limits["acc_min"],
                 scale=0.1),
        at_most("uncoupled-phase control accuracy", max(controls), claim.limits["control_max"]),
    ])  # fmt: skip
