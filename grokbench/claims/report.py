"""Markdown reports of an Evaluation: summary table, time per family, a section per
experiment with its baselines and the plots a reader would rather look at than read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tabulate import tabulate

from grokbench.claims.evaluate import Evaluation
from grokbench.claims.figures import plot_curves, plot_grok_times, plot_norm_decay
from grokbench.claims.meetings import meetings_table
from grokbench.claims.power import power_rows
from grokbench.claims.registry import catalogue, families, run_sets
from grokbench.infra.atomic import write_atomic
from grokbench.spec import Member, RunSet, Verdict

MARK = {
    "pass": "✅ pass",
    "fail": "❌ fail",
    "inconclusive": "⚠️ inconclusive",
    "erratum": "📝 erratum confirmed",
}


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _measured(verdict: Verdict, limit: int = 4) -> str:
    if not isinstance(verdict.measured, dict) or not verdict.measured:
        return _number(verdict.measured) if verdict.measured not in (None, {}) else "-"
    items = list(verdict.measured.items())
    text = ", ".join(f"{k} = {_number(v)}" for k, v in items[:limit])
    return text + (", …" if len(items) > limit else "")


def summary_table(evaluation: Evaluation, paper: str | None = None) -> str:
    """One row per verdict (of ``paper``'s claims only, when given); a verdict on a proxy
    setting says so."""
    by_id = {claim.id: claim for claim in evaluation.claims}
    rows = []
    for v in evaluation.verdicts:
        claim = by_id[v.id]
        if paper is not None and claim.pack != paper:
            continue
        margin = "-" if v.margin is None else f"{v.margin:+.3g}"
        verdict = MARK[v.status] + (f" (proxy: {v.proxy})" if v.proxy else "")
        row = [v.id, claim.title, verdict, _measured(v), claim.expected, margin, f"{v.wall_s:.1f}"]
        rows.append(row)
    headers = ["claim", "says", "verdict", "measured", "expected (tolerance)", "margin",
               "run-set time [s]"]  # fmt: skip
    return tabulate(rows, headers, tablefmt="github")


def by_paper(evaluation: Evaluation) -> list[str]:
    """The summary, a table per paper (pack) with its citation; claims of no pack last."""
    packs = catalogue().packs
    keys = list(dict.fromkeys(claim.pack for claim in evaluation.claims))
    if len(keys) == 1:
        return [summary_table(evaluation), ""]
    lines = []
    for key in keys:
        pack = packs.get(key)
        title = f"### {key}: {pack.citation}" if pack else "### claims of no pack"
        lines += [title, "", summary_table(evaluation, key), ""]
    return lines


def family_table(evaluation: Evaluation) -> str:
    """Wall time per claim family; a run set read by several families counts once, for the
    first family (in catalogue order) that reads it."""
    seen: set[str] = set()
    rows = []
    total = sum(evaluation.timings.values()) or 1.0
    for family in families():
        sets = {name for c in evaluation.claims if c.family == family for name in c.run_sets}
        own = [s for s in sets if s not in seen and s in evaluation.timings]
        seen.update(own)
        seconds = sum(evaluation.timings[s] for s in own)
        rows.append(
            [
                family,
                ", ".join(sorted(own)) or "-",
                f"{seconds:.1f}",
                f"{100 * seconds / total:.0f}%",
            ]
        )
    return tabulate(rows, ["family", "run sets", "wall time [s]", "share"], tablefmt="github")


def baselines_table(member: Member) -> str:
    rows = [
        [r.name, r.metric, f"{r.test_value:.4g}", f"{r.fit_s:.2f}", "-" if r.nnz is None else r.nnz]
        for r in member.baselines.values()
    ]
    return tabulate(rows, ["baseline", "metric", "test value", "fit [s]", "nnz"], tablefmt="github")


def power_table(evaluation: Evaluation) -> str:
    """Each claim's counterfactual (CLAIMS.md), the check's verdict and margin on synthetic
    evidence from it, and its verdict on the theory's own world (grokbench.claims.power)."""
    rows = []
    for row in power_rows([v.id for v in evaluation.verdicts]):
        margin = "-" if row["margin"] is None else f"{row['margin']:+.3g}"
        status = MARK.get(row["status"], "-") if row["status"] else "-"
        true = MARK.get(row["true_status"], "-") if row["true_status"] else "-"
        rows.append([row["id"], row["counterfactual"], status, margin, true])
    headers = ["claim", "counterfactual", "verdict there", "margin there", "true world"]
    note = (
        "Synthetic evidence (grokbench/power.py); a margin < 0 is how far outside the "
        "tolerance the counterfactual lands. tests/test_power.py asserts every row.\n\n"
    )
    return note + tabulate(rows, headers, tablefmt="github")


def _levels(member: Member, names: Sequence[str]) -> dict[str, float]:
    return {name: member.baselines[name].test_value for name in names if name in member.baselines}


def render(evaluation: Evaluation, path: Path) -> str:
    """Write the plots beside ``path`` and return the markdown."""
    stem = path.parent / (path.stem + "_plots")
    env = evaluation.verdicts and evaluation.members
    counts = {s: sum(v.status == s for v in evaluation.verdicts) for s in MARK}
    lines = [f"# grokbench claims report ({evaluation.scale} scale)", ""]
    lines += _environment_lines(evaluation) if env else []
    lines += [
        f"**{counts['pass']} pass, {counts['erratum']} erratum confirmed, {counts['fail']} fail, "
        f"{counts['inconclusive']} inconclusive** in {evaluation.wall_s:.0f} s.",
        "",
        *by_paper(evaluation),
    ]
    if len({claim.pack for claim in evaluation.claims}) > 1:
        table = meetings_table(evaluation.claims, evaluation.verdicts)
        lines += ["## Where papers meet", "", table, ""]
    reasons = [f"- **{v.id}** ({v.status}): {v.reason}" for v in evaluation.verdicts if v.reason]
    if reasons:
        lines += ["## Why claims failed or were inconclusive", "", *reasons, ""]
    lines += ["## Time per claim family", "", family_table(evaluation), ""]
    lines += ["## Power: every check fails its counterfactual", "", power_table(evaluation), ""]
    lines += _sections(evaluation, stem, path.parent)
    return "\n".join(lines) + "\n"


def _environment_lines(evaluation: Evaluation) -> list[str]:
    first = next(iter(evaluation.members.values()))[0].trace.env
    keys = (
        "device_name",
        "cores",
        "torch_threads",
        "dtype",
        "torch",
        "numpy",
        "scipy",
        "sklearn",
        "python",
        "git_commit",
    )
    return [
        "| " + " | ".join(keys) + " |",
        "|" + "---|" * len(keys),
        "| " + " | ".join(str(first.get(k, "-")) for k in keys) + " |",
        "",
    ]


def _sections(evaluation: Evaluation, stem: Path, base: Path) -> list[str]:
    """A section per run set, from its metadata (title, baseline levels): baselines table,
    the test metric of one seed per setting, and for α sweeps λ·t_grok against ln α."""
    lines: list[str] = []

    def image(path: Path, alt: str) -> str:
        return f"![{alt}]({path.relative_to(base).as_posix()})"

    known = run_sets()
    for name, group in evaluation.members.items():
        run_set = known.get(name)
        title = (run_set.title if run_set else "") or name
        lines += [f"## {title}", ""]
        if run_set and not run_set.train:
            lines += _summary(run_set, group, stem, image)
            continue
        if group[0].baselines:
            lines += [baselines_table(group[0]), ""]
        levels = _levels(group[0], run_set.levels if run_set else ())
        shown = [m for m in group if m.config.seed == group[0].config.seed] or group
        if len({m.config.seed for m in group}) == len(group):
            shown = group  # a seed grid: every run
        lines.append(image(plot_curves(shown, stem / f"{name}.png", title, levels), title))
        if name == "sparse-main":
            lines.append(image(plot_norm_decay(group, stem / "sparse_norm.png"), "norm decay"))
        if len({m.trace.summary.get("alpha") for m in group}) >= 2:
            path = stem / f"{name}_tgrok.png"
            lines.append(image(plot_grok_times(group, path), "t_grok vs ln alpha"))
        lines.append("")
        if run_set and run_set.summary:  # a trained run set with a table of its own
            lines += _summary(run_set, group, stem, image)
    return lines


def _summary(
    run_set: RunSet, group: list[Member], stem: Path, image: Callable[[Path, str], str]
) -> list[str]:
    """A run set's table of ``summary`` rows and its figure."""
    rows = run_set.summary(group) if run_set.summary else []
    if not rows:
        return ["(no summary)", ""]
    lines = [tabulate(rows, headers="keys", tablefmt="github", floatfmt=".3g"), ""]
    if run_set.figure:
        lines += [image(run_set.figure(rows, stem / f"{run_set.name}.png"), run_set.name), ""]
    return lines


def write_report(evaluation: Evaluation, path: str | Path) -> Path:
    path = Path(path)
    return write_atomic(path, render(evaluation, path))
