"""nanda23's and morwani24's checks: each reads the Fourier probe's numbers
(``grokbench.engine.fourier``) from its members' traces; a claim is judged on one run set
and the other's numbers are reported beside it (docs/papers/nanda23.md, §3 and §5)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from grokbench.claims.checks import Checks, Inconclusive, at_least, at_most, judge, known, shapes_of
from grokbench.engine.fourier import n_needed
from grokbench.engine.measure import value_at
from grokbench.spec import Claim, Member, Outcome

CHECKS = Checks()
EMBED, ONEHOT = "modadd-embed", "modadd"
#: q of a run whose ‖θ‖ does not fall during cleanup (a finite stand-in for ∞).
NO_CLEANUP = 1e6


def members_of(members: Sequence[Member], experiment: str) -> list[Member]:
    """The members of one experiment; inconclusive when there are none or one failed."""
    chosen = [m for m in members if m.config.experiment == experiment]
    if not chosen:
        raise Inconclusive(f"no {experiment} runs")
    for member in chosen:
        if member.trace.status != "ok":
            raise Inconclusive(f"seed {member.config.seed}: {member.trace.reason}")
    return chosen


def final(member: Member, key: str) -> float:
    """A probe's value at the last evaluation; inconclusive when it was not recorded."""
    value = member.trace.records[-1].probes.get(key)
    if value is None:
        raise Inconclusive(f"seed {member.config.seed}: probe {key!r} not recorded")
    return float(value)


def shares(member: Member) -> torch.Tensor:
    """s_k, k = 1 … K, of the final logit table (the probe's ``fourier_share_k*``)."""
    half = int(member.config.task["p"]) // 2
    return torch.tensor([final(member, f"fourier_share_k{k}") for k in range(1, half + 1)])


def n90(member: Member, mass: float) -> int:
    """How many frequencies hold ``mass`` of the final input energy (K + 1: never)."""
    return n_needed(shares(member), mass)


def _others(members: Sequence[Member], experiment: str) -> list[Member]:
    return [m for m in members if m.config.experiment == experiment and m.trace.status == "ok"]


@CHECKS.register("FS1")
def fourier_sparse(claim: Claim, members: Sequence[Member]) -> Outcome:
    """The worst embed run's n90 (frequencies holding 90% of the logit energy) against ⌊K/3⌋."""
    mass = claim.limits["mass"]
    embed = members_of(members, EMBED)
    counts = [n90(m, mass) for m in embed]
    half = int(embed[0].config.task["p"]) // 2
    limit = math.floor(claim.limits["share_of_K"] * half + 1e-9)
    measured: dict[str, float] = {
        "n90_max": float(max(counts)), "K": float(half),
        "ab_share_min": min(final(m, "ab_share") for m in embed),
        "final_test_acc_min": min(float(m.trace.records[-1].test_acc or 0) for m in embed),
    }  # fmt: skip
    onehot = _others(members, ONEHOT)
    if onehot:
        measured["n90_onehot_min"] = float(min(n90(m, mass) for m in onehot))
    return judge(measured, [at_most("n90 (worst seed)", max(counts), limit)])


def _norm_rate(member: Member, start: float, end: float) -> float:
    """−Δ ln‖θ‖ / Δt over [start, end]."""
    trace = member.trace
    first, last = value_at(trace, "param_norm", start), value_at(trace, "param_norm", end)
    return -(math.log(last) - math.log(first)) / max(end - start, 1e-300)


def norm_shape(member: Member, tol: float | None = None) -> tuple[float, float]:
    """(q, drop): formation rate over cleanup rate (10⁶ when ‖θ‖ does not fall in cleanup)
    and ‖θ_T‖ / max ‖θ‖ over [t_fit, t_50]; with ``tol``, inconclusive unless ‖θ‖ changed
    by at most ``tol`` over the last tenth of the run."""
    (shape,) = shapes_of([member])
    trace, end = member.trace, member.trace.records[-1].t
    t_fit, t_10, t_50 = (
        known(shape.t_fit, "t_fit"),
        known(shape.t_10, "t_10"),
        known(shape.t_grok, "t_50"),
    )
    if tol is not None:
        change = abs(
            value_at(trace, "param_norm", end) / value_at(trace, "param_norm", 0.9 * end) - 1
        )
        if change > tol:
            raise Inconclusive(f"seed {member.config.seed}: ‖θ‖ moved {change:.2%} in the last 10%")
    forming, cleaning = _norm_rate(member, t_fit, t_10), _norm_rate(member, t_50, end)
    q = forming / cleaning if cleaning > 0 else NO_CLEANUP
    times = np.asarray(trace.column("t"))
    norms = np.asarray(trace.column("param_norm"))
    peak = float(norms[(times >= t_fit) & (times <= t_50)].max(initial=norms[0]))
    return q, float(norms[-1]) / peak


@CHECKS.register("WN1")
def weight_norm_cleanup(claim: Claim, members: Sequence[Member]) -> Outcome:
    """The worst embed run's formation/cleanup norm-rate ratio q and its final/peak norm."""
    limits = claim.limits
    shapes = [norm_shape(m, limits["converged_tol"]) for m in members_of(members, EMBED)]
    q, drop = max(s[0] for s in shapes), max(s[1] for s in shapes)
    measured = {"q_max": q, "drop_max": drop}
    onehot = []
    for member in _others(members, ONEHOT):
        try:
            onehot.append(norm_shape(member)[0])
        except Inconclusive:
            continue
    if onehot:
        measured["q_onehot_min"] = min(onehot)
    return judge(
        measured,
        [at_most("q (worst seed)", q, limits["q_max"]),
         at_most("‖θ_T‖/peak (worst seed)", drop, limits["drop_max"])],
    )  # fmt: skip


def _at_fit(member: Member, key: str) -> float:
    (shape,) = shapes_of([member], need_transition=False)
    return value_at(member.trace, key, known(shape.t_fit, "t_fit"))


@CHECKS.register("MM1")
def single_frequency_neurons(claim: Claim, members: Sequence[Member]) -> Outcome:
    """The worst one-hot run's weighted neuron concentration ρ̄ and u-v-o frequency agreement."""
    onehot = members_of(members, ONEHOT)
    rho = min(final(m, "rho_mean") for m in onehot)
    agree = min(final(m, "uvo_agree") for m in onehot)
    measured = {
        "rho_mean_min": rho, "uvo_agree_min": agree,
        "rho90_share_min": min(final(m, "rho90_share") for m in onehot),
        "rho_mean_at_fit_max": max(_at_fit(m, "rho_mean") for m in onehot),
    }  # fmt: skip
    embed = _others(members, EMBED)
    if embed:
        measured["rho_mean_embed_min"] = min(final(m, "rho_mean") for m in embed)
    return judge(
        measured,
        [at_least("ρ̄ (worst seed)", rho, claim.limits["rho_min"]),
         at_least("agreement (worst seed)", agree, claim.limits["agree_min"])],
    )  # fmt: skip


@CHECKS.register("MM2")
def every_frequency(claim: Claim, members: Sequence[Member]) -> Outcome:
    """The worst one-hot run's smallest per-frequency neuron mass × K (1: all used equally)."""
    onehot = members_of(members, ONEHOT)
    mass = min(final(m, "freq_min_mass") for m in onehot)
    measured = {
        "min_mass_x_K": mass,
        "n_freq_used_min": min(final(m, "n_freq_used") for m in onehot),
        "K": float(int(onehot[0].config.task["p"]) // 2),
    }
    embed = _others(members, EMBED)
    if embed:
        measured["n_freq_used_embed_max"] = max(final(m, "n_freq_used") for m in embed)
    return judge(
        measured, [at_least("min mass × K (worst seed)", mass, claim.limits["min_mass_min"])]
    )
