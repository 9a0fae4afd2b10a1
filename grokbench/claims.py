"""Run the claim catalogue: select claims, collect their run sets, check, return Verdicts."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from grokbench.campaign import RUN_SETS, Member, collect, run_set_names
from grokbench.catalogue import BY_ID, CLAIMS
from grokbench.checks import REGISTRY, Check, Inconclusive, Outcome, checks
from grokbench.spec import Claim, ConfigError, Verdict


@dataclass
class Evaluation:
    """Verdicts with the evidence behind them, for the report."""

    scale: str
    claims: list[Claim]
    verdicts: list[Verdict]
    members: dict[str, list[Member]]
    timings: dict[str, float]
    samples: dict[str, object] = field(default_factory=dict)
    wall_s: float = 0.0
    interrupted: list[str] = field(default_factory=list)


def add_claim(claim: Claim, check: Check) -> Claim:
    """Add a claim of one's own to the catalogue, with the function that checks it.

    ``claim.runs`` names the run set it reads (one of ``campaign.RUN_SETS``, which a
    plug-in module may extend). Called at import time by a module given to
    ``grokbench claims --plugin``, or by a project's conftest.py; README, "Adding a claim".
    """
    if claim.id in BY_ID:
        raise ConfigError(f"claim {claim.id}: already in the catalogue")
    if claim.runs not in RUN_SETS:
        known = ", ".join(RUN_SETS)
        raise ConfigError(f"claim {claim.id}: unknown run set {claim.runs!r}; known: {known}")
    checks()  # the built-in checks register first, so a plug-in cannot be shadowed by them
    CLAIMS.append(claim)
    BY_ID[claim.id] = claim
    REGISTRY[claim.id] = check
    return claim


def load_plugins(modules: Sequence[str]) -> None:
    """Import the modules that add claims (``--plugin``); the current directory is searched
    too. A module that cannot be imported is bad input."""
    from grokbench.plugins import import_module

    for name in modules:
        try:
            import_module(name)
        except ImportError as error:
            raise ConfigError(f"--plugin: cannot import {name!r} ({error})") from None


def select(only: str | Sequence[str] | None = None) -> list[Claim]:
    """The claims named in ``only`` (comma-separated ids), or all; unknown ids are bad input."""
    if not only:
        return list(CLAIMS)
    ids = [part.strip().upper() for part in (only.split(",") if isinstance(only, str) else only)]
    unknown = [i for i in ids if i not in BY_ID]
    if unknown:
        raise ConfigError(
            f"--only: unknown claim(s) {', '.join(unknown)}; known: {', '.join(BY_ID)}"
        )
    return [claim for claim in CLAIMS if claim.id in ids]


def verdict(
    claim: Claim, outcome: Outcome, members: Sequence[Member], scale: str, wall_s: float
) -> Verdict:
    seeds = sorted({m.config.seed for m in members})
    return Verdict(
        id=claim.id,
        experiment=members[0].config.experiment if members else claim.runs,
        scale=scale,
        status=outcome.status,  # type: ignore[arg-type]
        measured=outcome.measured,
        expected=claim.expected,
        tolerance=dict(claim.limits),
        margin=outcome.margin,
        seeds=seeds,
        wall_s=wall_s,
        reason=outcome.reason,
    )


def check(
    claim: Claim, members: Sequence[Member], samples: dict[str, object], scale: str
) -> Outcome:
    """Apply the claim's check; evidence that cannot decide gives inconclusive, never pass
    (a paper-only claim below paper scale, a run set that did not finish, a bad run)."""
    if claim.paper_only and scale != "paper":
        return Outcome(
            "inconclusive", {}, None, f"paper-only claim; run with --scale paper (now {scale})"
        )
    if (not members and claim.id != "G1") or (claim.id == "G1" and not samples):
        return Outcome(
            "inconclusive", {}, None, f"run set {claim.runs} did not finish (interrupted)"
        )
    try:
        if claim.id == "G1":
            from grokbench.checks_samples import check_g1

            return check_g1(claim, samples)
        return checks()[claim.id](claim, members)
    except Inconclusive as reason:
        return Outcome("inconclusive", {}, None, str(reason))


def evaluate(
    claims: Sequence[Claim],
    scale: str,
    log: Callable[[str], None] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Evaluation:
    """Run what the claims need at ``scale`` and check each; paper-only claims are
    inconclusive below paper scale (they say so). ``overrides`` apply to every run (another
    optimizer, model settings) before each run set's own grid."""
    start = time.perf_counter()
    names = run_set_names(claims, scale)
    members, timings = collect(names, scale, log, overrides)
    interrupted = [name for name in names if name not in members]
    samples: dict[str, object] = {}
    if any(claim.id == "G1" for claim in claims) and not interrupted:
        from grokbench.checks_samples import sample_sweep

        sample_start = time.perf_counter()
        samples = sample_sweep(scale)
        timings["samples"] = time.perf_counter() - sample_start
    verdicts = []
    for claim in claims:
        evidence = members.get(claim.runs, [])
        outcome = check(claim, evidence, samples, scale)
        verdicts.append(verdict(claim, outcome, evidence, scale, timings.get(claim.runs, 0.0)))
    wall = time.perf_counter() - start
    return Evaluation(scale, list(claims), verdicts, members, timings, samples, wall, interrupted)
