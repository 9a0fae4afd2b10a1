"""Run the claim catalogue: select claims, collect their run sets, check, return Verdicts."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from grokbench.claims.applicability import merge, screen
from grokbench.claims.checks import Inconclusive
from grokbench.claims.collect import Compute, collect, read_at, run_set_names
from grokbench.claims.registry import catalogue, check_of
from grokbench.spec import Claim, ConfigError, Member, Outcome, Verdict

#: Run sets already collected, by name: their members and the seconds they took. A caller
#: that evaluates several times (the pytest plugin) passes one per scale and overrides.
Collected = dict[str, tuple[list[Member], float]]


@dataclass
class Evaluation:
    """Verdicts with the evidence behind them, for the report."""

    scale: str
    claims: list[Claim]
    verdicts: list[Verdict]
    members: dict[str, list[Member]]
    timings: dict[str, float]
    wall_s: float = 0.0
    interrupted: list[str] = field(default_factory=list)


def load_plugins(modules: Sequence[str]) -> None:
    """Import the modules that add claims (``--plugin``); the current directory is searched
    too. A module that cannot be imported is bad input."""
    from grokbench.infra.imports import import_module

    for name in modules:
        import_module(name, "--plugin")


def select(only: str | Sequence[str] | None = None) -> list[Claim]:
    """The claims named in ``only`` (comma-separated ids), or all; unknown ids are bad input."""
    known = catalogue()
    if not only:
        return list(known.claims)
    asked = [part.strip() for part in (only.split(",") if isinstance(only, str) else only)]
    try:
        ids = {known.resolve(claim_id) for claim_id in asked if claim_id}
    except ConfigError as error:
        raise ConfigError(f"--only: {error}") from None
    return [claim for claim in known.claims if claim.id in ids]


def select_papers(papers: str | Sequence[str]) -> list[Claim]:
    """The claims of the named packs (comma-separated keys); an unknown key is bad input."""
    known = catalogue()
    keys = [k.strip() for k in (papers.split(",") if isinstance(papers, str) else papers)]
    unknown = [key for key in keys if key and key not in known.packs]
    if unknown:
        raise ConfigError(
            f"--paper: unknown pack(s) {', '.join(unknown)}; known: {', '.join(known.packs)}"
        )
    return [claim for claim in known.claims if claim.pack in keys]


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
        paper=claim.pack,
        proxy=claim.proxy if scale != "paper" else "",
    )


def check(claim: Claim, members: Sequence[Member], scale: str) -> Outcome:
    """Apply the claim's check; evidence that cannot decide gives inconclusive, never pass
    (a paper-only claim below paper scale, a run set that did not finish, a bad run). An
    erratum's expected failure becomes "erratum"; its pass becomes a failure."""
    if claim.paper_only and scale != "paper":
        return Outcome(
            "inconclusive", {}, None, f"paper-only claim; run with --scale paper (now {scale})"
        )
    if not members:
        return Outcome(
            "inconclusive", {}, None, f"run set {claim.runs} did not finish (interrupted)"
        )
    try:
        outcome = check_of(claim.id)(claim, members)
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


def evidence_of(claim: Claim, members: dict[str, list[Member]], scale: str) -> list[Member]:
    """The members of every run set the claim reads at ``scale`` (a paper-only run set is
    read at paper scale alone), in order; empty when one of them is missing (it did not
    finish)."""
    names = [name for name in claim.run_sets if read_at(name, scale)]
    if not names or any(name not in members for name in names):
        return []
    return [member for name in names for member in members[name]]


def judge_all(
    claims: Sequence[Claim],
    members: dict[str, list[Member]],
    timings: dict[str, float],
    scale: str,
) -> list[Verdict]:
    """Every claim's verdict from collected run sets."""
    verdicts = []
    for claim in claims:
        evidence = evidence_of(claim, members, scale)
        outcome = check(claim, evidence, scale)
        seconds = sum(timings.get(name, 0.0) for name in claim.run_sets)
        verdicts.append(verdict(claim, outcome, evidence, scale, seconds))
    return verdicts


def failed(verdicts: Sequence[Verdict]) -> bool:
    """Whether a claim failed (an erratum confirmed is not a failure; inconclusive is not)."""
    return any(v.status == "fail" for v in verdicts)


def evaluate(
    claims: Sequence[Claim],
    scale: str,
    overrides: dict[str, Any] | None = None,
    log: Callable[[str], None] | None = None,
    compute: Compute | None = None,
    collected: Collected | None = None,
) -> Evaluation:
    """The one claim pipeline, what the CLI and the pytest plugin both call: screen the
    claims (those that do not apply to a plug-in model are inconclusive with the reason,
    without running), collect the run sets the rest read, check each, return verdicts.

    ``overrides`` apply to every run (another optimizer, model settings) before each run
    set's own grid; paper-only claims are inconclusive below paper scale. ``compute`` says
    how run sets are computed (in this process by default; ``stored_runs.StoredRuns``
    reuses the store's runs and computes the rest on an executor); ``collected`` keeps run
    sets between calls (filled here)."""
    start = time.perf_counter()
    kept, skipped = screen(claims, scale, overrides)
    names = run_set_names(kept, scale)
    collected = {} if collected is None else collected
    missing = [name for name in names if name not in collected]
    found, timings = collect(missing, scale, log, overrides, compute)
    collected.update({name: (found[name], timings[name]) for name in found})
    members = {name: collected[name][0] for name in names if name in collected}
    seconds = {name: collected[name][1] for name in names if name in collected}
    verdicts = merge(claims, judge_all(kept, members, seconds, scale), skipped)
    interrupted = [name for name in names if name not in members]
    wall = time.perf_counter() - start
    return Evaluation(scale, list(claims), verdicts, members, seconds, wall, interrupted)
