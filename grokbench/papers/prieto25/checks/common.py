"""What prieto25's checks share: picking members by setting, reading their records."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from grokbench.claims.checks import Inconclusive
from grokbench.spec import Member, Record

#: Unit roundoff u of each softmax dtype: 1 + x rounds to 1 for 0 ≤ x ≤ u.
UNIT_ROUNDOFF = {"float64": 2.0**-53, "float32": 2.0**-24, "float16": 2.0**-11}


def softmax_dtype(member: Member) -> str:
    """The dtype the member's loss is computed in (``loss_dtype``, else the run's)."""
    return member.config.loss_dtype or member.config.dtype


def absorption_band(dtype: str, p: int) -> tuple[float, float]:
    """[ln(1/u), ln(1/u) + ln(p − 1)]: the margins at which Σ_{j≠y} e^{−gap_j} ≤ u first
    holds, with one to p − 1 competing classes."""
    low = math.log(1 / UNIT_ROUNDOFF[dtype])
    return low, low + math.log(p - 1)


def records(member: Member) -> list[Record]:
    """The member's records; inconclusive for a run that did not finish cleanly."""
    trace = member.trace
    if trace.status != "ok" or not trace.records:
        raise Inconclusive(f"seed {member.config.seed}: {trace.reason or 'no records'}")
    return trace.records


def value(record: Record, name: str) -> float:
    """A record field or probe, NaN when missing."""
    found = getattr(record, name, None)
    if found is None:
        found = record.probes.get(name, math.nan)
    return float(found)


def first(member: Member, test: Callable[[Record], bool]) -> Record | None:
    """The first record that passes ``test``."""
    return next((r for r in records(member) if test(r)), None)


def setting(member: Member) -> str:
    """A group label: seed and training fraction (paper scale sweeps the fraction)."""
    return f"frac={member.config.task.get('frac', 0):g},seed={member.config.seed}"


def groups(members: Sequence[Member]) -> dict[str, list[Member]]:
    """Members grouped by seed and training fraction, in order of appearance."""
    out: dict[str, list[Member]] = {}
    for member in members:
        out.setdefault(setting(member), []).append(member)
    return out


def pick(group: Sequence[Member], what: str, test: Callable[[Member], bool]) -> Member:
    """The one member of ``group`` that passes ``test``; inconclusive when none does."""
    found = [m for m in group if test(m)]
    if not found:
        raise Inconclusive(f"no {what} run in {setting(group[0])}")
    return found[0]


def ce_torch(dtype: str) -> Callable[[Member], bool]:
    """A test for plain (not ⊥) runs of torch's cross-entropy with the softmax in ``dtype``."""
    return lambda m: (
        m.config.loss == "ce-torch"
        and softmax_dtype(m) == dtype
        and not m.config.dynamics.startswith("ortho-")
    )


def suffix(key: str, many: bool) -> str:
    """``@key`` when several groups are judged, nothing for one."""
    return f"@{key}" if many else ""
