"""Which claims apply to a plug-in model: those whose assumptions its check meets.

``grokbench.engine.model_plugins`` measures a plug-in model; here each claim is matched against that
check (``Claim.needs``) and against the parameters its probes read (``Claim.reads``). Claims
that do not apply become inconclusive verdicts with the reason, and are not run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from grokbench.engine.model_plugins import ModelCheck
from grokbench.spec import Claim, Verdict

#: What each assumption a claim may need (``Claim.needs``) means.
WHY = {
    "homogeneous": "needs f(cθ) = c^L f(θ)",
    "zero_init": "needs f(θ̄) = 0 (zero output at init)",
}


def unmet(claim: Claim, check: ModelCheck) -> list[str]:
    """The assumptions of ``claim`` (``Claim.needs``) that the checked model does not meet."""
    return [need for need in claim.needs if not getattr(check, need)]


def not_applicable(check: ModelCheck) -> list[str]:
    """The ids of the loaded claims whose assumptions the checked model does not meet."""
    from grokbench.claims.registry import claims

    return [claim.id for claim in claims() if unmet(claim, check)]


def summary_rows(check: dict[str, Any] | None) -> list[tuple[str, str]]:
    """A WARNING row for a run's summary naming the claims that do not apply to its
    plug-in model (they would be inconclusive), if any."""
    gated = not_applicable(ModelCheck(**check)) if check else []
    if not gated:
        return []
    return [("WARNING", f"claims that do not apply to this model (inconclusive): "
                        f"{', '.join(gated)}")]  # fmt: skip


def reasons(claim: Claim, check: ModelCheck) -> list[str]:
    """Why ``claim`` does not apply to the checked model (empty when it does): an unmet
    assumption (``Claim.needs``) or parameters its probes read (``Claim.reads``)."""
    out = []
    for need in unmet(claim, check):
        what = "not homogeneous" if need == "homogeneous" else "not zero at init"
        out.append(f"model {check.model} is {what}; {claim.id} {WHY[need]}")
    if claim.reads and not set(claim.reads) <= set(check.parameters):
        names = ", ".join(claim.reads)
        out.append(f"{claim.id} reads parameters {names}, which model {check.model} lacks")
    return out


#: What a claim may require of the machine (``Claim.requires``), and how to tell.
CAPABILITIES: dict[str, tuple[str, Callable[[], bool]]] = {
    "gpu": ("a CUDA GPU", lambda: __import__("torch").cuda.is_available()),
}


def machine_reasons(claim: Claim, scale: str) -> list[str]:
    """What ``claim`` requires at ``scale`` that this machine lacks (``Claim.requires``:
    ``"gpu"``, or ``"gpu@paper"`` for one scale)."""
    out = []
    for requirement in claim.requires:
        name, _, at = requirement.partition("@")
        if at and at != scale:
            continue
        what, available = CAPABILITIES[name]
        if not available():
            out.append(f"{claim.id} needs {what} at {scale} scale, which this machine lacks")
    return out


def screen(
    claims: Sequence[Claim], scale: str, overrides: dict[str, Any] | None
) -> tuple[list[Claim], list[Verdict]]:
    """Split ``claims`` into those to run and inconclusive verdicts, with the reason, for
    those this machine cannot run (``Claim.requires``) or that do not apply to a plug-in
    model (``overrides["model"]``, built and checked once per experiment and size)."""
    kept, skipped = [], []
    for claim in claims:
        why = machine_reasons(claim, scale)
        if why:
            skipped.append(_not_run(claim, scale, {}, why))
        else:
            kept.append(claim)
    if not (overrides or {}).get("model"):
        return kept, skipped
    from grokbench.claims.collect import configs_of
    from grokbench.claims.registry import run_sets
    from grokbench.engine.runner import prepare

    known = run_sets()
    checked: dict[tuple[str, str], ModelCheck] = {}
    applicable = []
    for claim in kept:
        why = []
        for name in claim.run_sets:  # a claim applies when it applies in every run set
            run_set = known.get(name)
            if run_set is None or (run_set.paper_only and scale != "paper"):
                continue
            config = configs_of(run_set, scale, overrides)[0]
            model_key = (config.experiment, repr(sorted(config.task.items())))
            if model_key not in checked:
                found = prepare(config).model_check  # prepare checks a plug-in model
                assert found is not None
                checked[model_key] = ModelCheck(**found)
            check = checked[model_key]
            why += [reason for reason in reasons(claim, check) if reason not in why]
        if not why:
            applicable.append(claim)
            continue
        keys = ("homogeneity_error", "degree", "reference_output_rel")
        skipped.append(_not_run(claim, scale, {key: getattr(check, key) for key in keys}, why))
    return applicable, skipped


def _not_run(claim: Claim, scale: str, measured: dict[str, Any], why: list[str]) -> Verdict:
    return Verdict(claim.id, claim.runs, scale, "inconclusive", measured, claim.expected,
                   dict(claim.limits), None, [], 0.0, "; ".join(why) + " (not run)",
                   paper=claim.pack)  # fmt: skip


def merge(claims: Sequence[Claim], *verdict_lists: Sequence[Verdict]) -> list[Verdict]:
    """Verdicts in the order of ``claims`` (the catalogue's)."""
    by_id = {v.id: v for verdicts in verdict_lists for v in verdicts}
    return [by_id[c.id] for c in claims if c.id in by_id]
