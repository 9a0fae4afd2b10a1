"""Run the claim catalogue: select claims, collect their run sets, check, return Verdicts."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from grokbench.claims.campaign import RUN_SETS, Compute, Member, collect, run_set_names
from grokbench.claims.checks import REGISTRY, Check, Inconclusive, Outcome, checks
from grokbench.papers.lyu24.catalogue import BY_ID, CLAIMS
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
    unknown_sets = [name for name in claim.run_sets if name not in RUN_SETS]
    if unknown_sets or not claim.run_sets:
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
    from grokbench.engine.model_plugins import import_module

    for name in modules:
        try:
            import_module(name)
        except ImportError as error:
            raise ConfigError(f"--plugin: cannot import {name!r} ({error})") from None


def select(only: str | Sequence[str] | None = None) -> list[Claim]:
    """The claims named in ``only`` (comma-separated ids), or all; unknown ids are bad input."""
    if not only:
        return list(CLAIMS)
    folded = {claim_id.upper(): claim_id for claim_id in BY_ID}
    asked = [part.strip() for part in (only.split(",") if isinstance(only, str) else only)]
    unknown = [i for i in asked if i.upper() not in folded]
    if unknown:
        raise ConfigError(
            f"--only: unknown claim(s) {', '.join(unknown)}; known: {', '.join(BY_ID)}"
        )
    ids = {folded[i.upper()] for i in asked}
    return [claim for claim in CLAIMS if claim.id in ids]


def verdict(
    claim: Claim, outcome: Outcome, members: Sequence[Member], scale: str, wall_s: float
) -> Verdict:
    seeds = sorted({m.config.seed for m in members})
    return Verdict(
        id=claim.id,
        experiment=",".join(dict.fromkeys(m.config.experiment for m in members)) or claim.runs,
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
    (a paper-only claim below paper scale, a run set that did not finish, a bad run). An
    erratum's expected failure becomes "erratum"; its pass becomes a failure."""
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
            from grokbench.papers.lyu24.checks.samples import check_g1

            outcome = check_g1(claim, samples)
        else:
            outcome = checks()[claim.id](claim, members)
    except Inconclusive as reason:
        return Outcome("inconclusive", {}, None, str(reason))
    return as_erratum(outcome) if claim.erratum else outcome


def as_erratum(outcome: Outcome) -> Outcome:
    """A strict expected failure (pytest's xfail(strict=True)): the printed claim failing
    confirms the erratum; passing is an unexpected pass, which counts as a failure. The
    margin flips sign with the verdict: > 0 while the erratum holds."""
    margin = None if outcome.margin is None else -outcome.margin
    if outcome.status == "fail":
        reason = f"erratum confirmed: {outcome.reason}"
        return Outcome("erratum", outcome.measured, margin, reason)
    if outcome.status == "pass":
        reason = "unexpected pass: the printed claim held, so the erratum is wrong"
        return Outcome("fail", outcome.measured, margin, reason)
    return outcome


def evidence_of(claim: Claim, members: dict[str, list[Member]]) -> list[Member]:
    """The members of every run set the claim reads, in order; empty when one of them is
    missing (it did not finish)."""
    if any(name not in members for name in claim.run_sets):
        return []
    return [member for name in claim.run_sets for member in members[name]]


def judge_all(
    claims: Sequence[Claim],
    members: dict[str, list[Member]],
    timings: dict[str, float],
    samples: dict[str, object],
    scale: str,
) -> list[Verdict]:
    """Every claim's verdict from collected run sets: what the CLI and the pytest plugin
    both call once the runs are there."""
    verdicts = []
    for claim in claims:
        evidence = evidence_of(claim, members)
        outcome = check(claim, evidence, samples, scale)
        seconds = sum(timings.get(name, 0.0) for name in claim.run_sets)
        verdicts.append(verdict(claim, outcome, evidence, scale, seconds))
    return verdicts


def failed(verdicts: Sequence[Verdict]) -> bool:
    """Whether a claim failed (an erratum confirmed is not a failure; inconclusive is not)."""
    return any(v.status == "fail" for v in verdicts)


def evaluate(
    claims: Sequence[Claim],
    scale: str,
    log: Callable[[str], None] | None = None,
    overrides: dict[str, Any] | None = None,
    compute: Compute | None = None,
) -> Evaluation:
    """Run what the claims need at ``scale`` and check each; paper-only claims are
    inconclusive below paper scale (they say so). ``overrides`` apply to every run (another
    optimizer, model settings) before each run set's own grid; ``compute`` says how run
    sets are computed (in this process by default; ``run_cache.StoredRuns`` reuses the
    store's runs and computes the rest on an executor)."""
    start = time.perf_counter()
    names = run_set_names(claims, scale)
    members, timings = collect(names, scale, log, overrides, compute)
    interrupted = [name for name in names if name not in members]
    samples: dict[str, object] = {}
    if any(claim.id == "G1" for claim in claims) and not interrupted:
        from grokbench.papers.lyu24.checks.samples import sample_sweep

        sample_start = time.perf_counter()
        samples = sample_sweep(scale)
        timings["samples"] = time.perf_counter() - sample_start
    verdicts = judge_all(claims, members, timings, samples, scale)
    wall = time.perf_counter() - start
    return Evaluation(scale, list(claims), verdicts, members, timings, samples, wall, interrupted)
