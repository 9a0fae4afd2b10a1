"""What power22's checks share: a run's intervention arm, its threshold measures in updates,
and seed-level aggregates (medians of T99, seed means of the best test accuracy)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from grokbench.claims.checks import Inconclusive
from grokbench.engine.thresholds import best, first_step_at
from grokbench.spec import Member, RunConfig

INF = math.inf
#: The level of every threshold: the paper's "99% validation accuracy".
LEVEL = 0.99
#: f* of an arm that reaches the level at no grid fraction (beyond every fraction < 1).
NOT_REACHED = 1.0


def arm(config: RunConfig) -> str:
    """The intervention of a run: ``wd`` (AdamW, decay to 0), ``init`` (decay toward θ₀),
    or ``adam`` with its changes (``+dropout``, ``+full`` batch, ``+noise``, ``+wnoise``,
    ``+lr…`` when the lr is not the scale's preset)."""
    if config.wd > 0:
        return "init" if config.opt.get("wd_kind") == "to_init" else "wd"
    from grokbench.engine.binop_presets import SCALES

    parts = ["adam"]
    if config.batch == 0:
        parts.append("full")
    if config.opt.get("noise_factor"):
        parts.append("noise")
    if config.task.get("dropout"):
        parts.append("dropout")
    if config.task.get("wnoise"):
        parts.append("wnoise")
    if config.lr != SCALES[config.scale]["lr"] and config.scale != "smoke":
        parts.append(f"lr{config.lr:g}")
    return "+".join(parts)


def key(member: Member) -> tuple[str, str, float, int]:
    """(arm, op, fraction, seed): one run, whichever run set it came from."""
    c = member.config
    return arm(c), c.task["op"], c.task["frac"], c.seed


def unique(members: Sequence[Member]) -> list[Member]:
    """The members with duplicates (the same run read from two run sets) dropped; a run
    that did not finish cleanly makes the claim inconclusive."""
    seen: dict[tuple[str, str, float, int], Member] = {}
    for member in members:
        if member.trace.status != "ok":
            raise Inconclusive(f"seed {member.config.seed}: {member.trace.reason}")
        seen.setdefault(key(member), member)
    return list(seen.values())


def select(members: Sequence[Member], **match: object) -> list[Member]:
    """Members whose arm, op, frac or seed equal ``match`` (``seeds``: a collection)."""
    out = []
    for member in members:
        a, op, frac, seed = key(member)
        have = {"arm": a, "op": op, "frac": frac}
        if any(have[k] != v for k, v in match.items() if k != "seeds"):
            continue
        if "seeds" in match and seed not in match["seeds"]:  # type: ignore[operator]
            continue
        out.append(member)
    return out


def t99(member: Member, metric: str = "test_acc") -> float:
    """Updates to the first evaluation with ``metric`` ≥ 0.99 (∞: not within the budget)."""
    step = first_step_at(member.trace, metric, LEVEL)
    return INF if step is None else float(step)


def best_val(member: Member) -> float:
    """The best test accuracy within the budget."""
    value = best(member.trace, "test_acc")
    if value is None:
        raise Inconclusive(f"seed {member.config.seed}: no test accuracy recorded")
    return value


def median_t99(members: Sequence[Member], metric: str = "test_acc") -> float:
    """The seed median of T99 (∞ counts as the largest)."""
    return float(statistics.median(t99(m, metric) for m in members))


def mean_best(members: Sequence[Member]) -> float:
    """The seed mean of the best test accuracy."""
    if not members:
        raise Inconclusive("no runs at a fraction the check needs")
    return sum(best_val(m) for m in members) / len(members)


def fractions(members: Sequence[Member]) -> list[float]:
    """The training fractions of the members, increasing."""
    return sorted({m.config.task["frac"] for m in members})


def f_star(members: Sequence[Member], grid: Sequence[float]) -> float:
    """The smallest grid fraction whose seed-mean best test accuracy is ≥ 0.99
    (NOT_REACHED if none)."""
    for f in sorted(grid):
        at = select(members, frac=f)
        if at and mean_best(at) >= LEVEL:
            return f
    return NOT_REACHED
