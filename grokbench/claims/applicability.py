"""Which claims apply to a plug-in model: those whose assumptions its check meets.

``grokbench.engine.model_plugins`` measures a plug-in model; here each claim is matched against that
check (``Claim.needs``) and against the parameters its probes read (``Claim.reads``). Claims
that do not apply become inconclusive verdicts with the reason, and are not run.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def screen(
    claims: Sequence[Claim], scale: str, overrides: dict[str, Any] | None
) -> tuple[list[Claim], list[Verdict]]:
    """Split ``claims`` into those to run and inconclusive verdicts for those that do not
    apply to a plug-in model (``overrides["model"]``); checks one member per run set."""
    if not (overrides or {}).get("model"):
        return list(claims), []
    from grokbench.claims.collect import configs_of
    from grokbench.claims.registry import run_sets
    from grokbench.engine.runner import prepare

    known = run_sets()

    checked: dict[str, tuple[Any, ModelCheck]] = {}
    kept, skipped = [], []
    for claim in claims:
        why: list[str] = []
        for name in claim.run_sets:  # a claim applies when it applies in every run set
            run_set = known.get(name)
            if run_set is None or (run_set.paper_only and scale != "paper"):
                continue
            if name not in checked:
                config = configs_of(run_set, scale, overrides)[0]
                found = prepare(config).model_check  # prepare checks a plug-in model
                assert found is not None
                checked[name] = (config, ModelCheck(**found))
            config, check = checked[name]
            why += [reason for reason in reasons(claim, check) if reason not in why]
        if not why:
            kept.append(claim)
            continue
        keys = ("homogeneity_error", "degree", "reference_output_rel")
        measured = {key: getattr(check, key) for key in keys}
        skipped.append(
            Verdict(claim.id, config.experiment, scale, "inconclusive", measured,
                    claim.expected, dict(claim.limits), None, [config.seed], 0.0,
                    "; ".join(why) + " (not run)")
        )  # fmt: skip
    return kept, skipped


def merge(claims: Sequence[Claim], *verdict_lists: Sequence[Verdict]) -> list[Verdict]:
    """Verdicts in the order of ``claims`` (the catalogue's)."""
    by_id = {v.id: v for verdicts in verdict_lists for v in verdicts}
    return [by_id[c.id] for c in claims if c.id in by_id]
