"""Pure check functions: a claim and the members of its run set → an Outcome.

This module holds what every check shares (Bound, judge, grouping helpers) and the
``Checks`` registry each family module fills; the checks themselves live with their paper,
one module per claim family (``grokbench.papers.lyu24.checks``).

A check reads its thresholds from ``claim.limits`` (catalogue data), measures with
``grokbench.engine.measure``, and returns pass or fail with every measured number, or
inconclusive with a reason (a diverged run, no transition inside the horizon).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grokbench.engine.measure import late_norm, linear_fit, transition
from grokbench.spec import Check, Member, Outcome, Transition


class Inconclusive(Exception):
    """The evidence cannot decide the claim; the message says why."""


@dataclass(frozen=True)
class Bound:
    """One condition: ``value`` ≥ ``limit`` (``lower``) or ≤ ``limit``; its slack divided by
    ``scale`` is the condition's margin (> 0 inside the tolerance)."""

    name: str
    value: float
    limit: float
    lower: bool
    scale: float = 1.0

    @property
    def slack(self) -> float:
        raw = self.value - self.limit if self.lower else self.limit - self.value
        return raw / (abs(self.scale) or 1.0)

    def __str__(self) -> str:
        return f"{self.name} = {self.value:.4g} {'≥' if self.lower else '≤'} {self.limit:.4g}"


def at_most(name: str, value: float, limit: float, scale: float | None = None) -> Bound:
    """``value`` ≤ ``limit``; the margin is the slack over ``scale`` (default: the limit)."""
    return Bound(name, value, limit, False, limit if scale is None else scale)


def at_least(name: str, value: float, limit: float, scale: float | None = None) -> Bound:
    """``value`` ≥ ``limit``; the margin is the slack over ``scale`` (default: |limit|, or 1)."""
    return Bound(name, value, limit, True, (abs(limit) or 1.0) if scale is None else scale)


def falls(name: str, first: float, last: float) -> Bound:
    """``last`` < ``first`` (strictly: a series flat in α does not fall); the margin is the
    fall relative to ``first``."""
    scale = max(abs(first), 1e-12)
    return at_least(f"fall in {name}", first - last, 1e-12 * max(abs(first), 1.0), scale)


def judge(measured: dict[str, Any], bounds: Sequence[Bound]) -> Outcome:
    """Pass when every bound holds; the margin is the smallest normalised slack."""
    for bound in bounds:
        if not math.isfinite(bound.value):
            raise Inconclusive(f"{bound.name} could not be measured")
    failed = [str(b) for b in bounds if b.slack < 0]
    margin = min(b.slack for b in bounds)
    reason = "fails: " + "; ".join(failed) if failed else ""
    return Outcome("fail" if failed else "pass", measured, margin, reason)


def shapes_of(members: Sequence[Member], need_transition: bool = True) -> list[Transition]:
    """Each member's transition (plateau, t_10/t_50/t_90, final); inconclusive on a bad run
    or, with ``need_transition``, on a run that never grokked."""
    shapes = []
    for member in members:
        if member.trace.status != "ok":
            raise Inconclusive(f"seed {member.config.seed}: {member.trace.reason}")
        shape = transition(member.trace)
        if need_transition and shape.t_grok is None:
            end = member.trace.records[-1].t
            raise Inconclusive(f"seed {member.config.seed}: no transition before t = {end:.4g}")
        shapes.append(shape)
    return shapes


def known(value: float | None, what: str) -> float:
    """A Transition time or level that a check needs, narrowed to a float.

    ``shapes_of`` already makes a run without a transition inconclusive, and a transition
    comes with its fit time and plateau; a value still missing is inconclusive too.
    """
    if value is None:
        raise Inconclusive(f"{what} was not measured")
    return value


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean, as a float."""
    return float(np.mean(values))


def spread(values: Sequence[float]) -> float:
    """The population standard deviation, as a float."""
    return float(np.std(values))


def by_alpha(members: Sequence[Member]) -> dict[float, list[Member]]:
    """Members grouped by their run's α (as resolved by the runner), in increasing α."""
    groups: dict[float, list[Member]] = {}
    for member in members:
        groups.setdefault(float(member.trace.summary["alpha"]), []).append(member)
    return dict(sorted(groups.items()))


def by_experiment(members: Sequence[Member]) -> dict[str, list[Member]]:
    """Members grouped by experiment, in order of appearance (claims reading several run
    sets judge each on its own)."""
    groups: dict[str, list[Member]] = {}
    for member in members:
        groups.setdefault(member.config.experiment, []).append(member)
    return groups


def depth_of(member: Member) -> int:
    """The homogeneity degree L of the member's model (2 unless its task says otherwise)."""
    return int(member.config.task.get("depth", 2))


def transition_offset(member: Member, t_grok: float) -> float:
    """λ·t_grok − ln(‖θ(0)‖/‖θ_late‖): T2's finite-α offset of one run."""
    trace = member.trace
    return member.config.wd * t_grok - math.log(trace.records[0].param_norm / late_norm(trace))


def slope_in_log_alpha(members: Sequence[Member]) -> tuple[float, float, dict[float, float]]:
    """Slope (and its standard error) of λ·t_grok against ln α, α in θ̄'s convention, over
    the members grouped by α; and α → mean λ·t_grok."""
    grok: dict[float, float] = {}
    for alpha, group in by_alpha(members).items():
        shapes = shapes_of(group)
        grok[alpha] = mean(
            [known(s.t_grok, "t_grok") * m.config.wd for m, s in zip(group, shapes, strict=True)]
        )
    if len(grok) < 2:
        raise Inconclusive("fewer than two values of α")
    slope, stderr, _ = linear_fit([math.log(a) for a in grok], list(grok.values()))
    return slope, stderr, grok


def by_wd(members: Sequence[Member]) -> dict[float, list[Member]]:
    """Members grouped by weight decay λ, in increasing λ."""
    groups: dict[float, list[Member]] = {}
    for member in members:
        groups.setdefault(member.config.wd, []).append(member)
    return dict(sorted(groups.items()))


def relative_deviation(values: Sequence[float]) -> float:
    """The largest |v / mean − 1| over the values."""
    centre = mean(values)
    return max(abs(v / centre - 1) for v in values)


class Checks(dict[str, Check]):
    """Claim id → check function, filled by ``@register(id)`` in a pack's family modules."""

    def register(self, claim_id: str) -> Callable[[Check], Check]:
        """Decorator: make the function the check of the claim ``claim_id``."""

        def decorate(function: Check) -> Check:
            self[claim_id] = function
            return function

        return decorate
