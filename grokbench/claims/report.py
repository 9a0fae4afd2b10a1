"""Markdown reports of an Evaluation: summary table, time per family, a section per
experiment with its baselines and the plots a reader would rather look at than read."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from tabulate import tabulate

from grokbench.claims.evaluate import Evaluation
from grokbench.claims.power import power_rows
from grokbench.claims.registry import families, run_sets
from grokbench.engine.measure import linear_fit, transition
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


def summary_table(evaluation: Evaluation) -> str:
    by_id = {claim.id: claim for claim in evaluation.claims}
    rows = []
    for v in evaluation.verdicts:
        claim = by_id[v.id]
        margin = "-" if v.margin is None else f"{v.margin:+.3g}"
        rows.append(
            [
                v.id,
                claim.title,
                MARK[v.status],
                _measured(v),
                claim.expected,
                margin,
                f"{v.wall_s:.1f}",
            ]
        )
    headers = [
        "claim",
        "says",
        "verdict",
        "measured",
        "expected (tolerance)",
        "margin",
        "run-set time [s]",
    ]
    return tabulate(rows, headers, tablefmt="github")


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


def _metric(member: Member) -> str:
    return transition(member.trace).metric


def curves_figure(
    members: Sequence[Member], title: str, levels: dict[str, float] | None = None
) -> Figure:
    """Test metric against λt, one curve per member, predicted transitions ln(‖θ0‖/‖θ_late‖)/λ
    dashed, baseline levels dotted (runs without weight decay: against ln t). A matplotlib
    Figure, for a notebook; ``plot_curves`` saves it."""
    figure = Figure(figsize=(7, 4))  # object-oriented: no pyplot state, backend untouched
    axis = figure.subplots()
    log_time = all(m.config.dynamics == "logflow" for m in members)
    for member in members:
        trace, wd = member.trace, member.config.wd or 1.0
        metric = _metric(member)
        if log_time:  # no weight decay: the transition lives on ln t (probe ln_t), not λt
            axis.plot(trace.column("ln_t"), trace.column(metric), label=_label(member))
            continue
        times = [r.t * wd for r in trace.records]
        (line,) = axis.plot(times, trace.column(metric), label=_label(member))
        predicted = math.log(trace.records[0].param_norm / trace.records[-1].param_norm)
        axis.axvline(predicted, color=line.get_color(), linestyle="--", linewidth=0.8)
    for name, value in (levels or {}).items():
        axis.axhline(value, color="grey", linestyle=":", linewidth=1)
        axis.annotate(name, (0, value), fontsize=7, color="grey")
    if log_time:
        axis.set_xscale("symlog")
        axis.set_xlabel("ln t  (normalised gradient flow, no weight decay)")
    else:
        axis.set_xlabel("λ t  (dashed: predicted ln(‖θ(0)‖/‖θ_late‖))")
    axis.set_ylabel(_metric(members[0]).replace("_", " "))
    axis.set_title(title)
    axis.legend(fontsize=7)
    return figure


def plot_curves(
    members: Sequence[Member], path: Path, title: str, levels: dict[str, float]
) -> Path:
    """``curves_figure`` saved as a PNG at ``path``."""
    return _save(curves_figure(members, title, levels), path)


def norm_decay_figure(members: Sequence[Member]) -> Figure:
    """‖θ(t)‖/‖θ(0)‖ against e^{−λt}: the diagonal is the kernel-phase prediction (K1)."""
    figure = Figure(figsize=(5, 4))
    axis = figure.subplots()
    for member in members:
        trace, wd = member.trace, member.config.wd
        axis.plot(
            [math.exp(-wd * r.t) for r in trace.records],
            [r.param_norm / trace.records[0].param_norm for r in trace.records],
            label=_label(member),
        )
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":", label="θ = α e^{−λt} θ̄")
    axis.set_xlabel("e^{−λt}")
    axis.set_ylabel("‖θ(t)‖ / ‖θ(0)‖")
    axis.legend(fontsize=7)
    return figure


def plot_norm_decay(members: Sequence[Member], path: Path) -> Path:
    """``norm_decay_figure`` saved as a PNG at ``path``."""
    return _save(norm_decay_figure(members), path)


def grok_times_figure(members: Sequence[Member]) -> Figure:
    """λ·t_grok against ln α with the fitted line (T1)."""
    xs, ys = [], []
    for member in members:
        shape = transition(member.trace)
        if shape.t_grok is not None:
            xs.append(math.log(member.trace.summary["alpha"]))
            ys.append(shape.t_grok * member.config.wd)
    figure = Figure(figsize=(5, 4))
    axis = figure.subplots()
    axis.scatter(xs, ys, label="runs")
    if len(set(xs)) >= 2:
        slope, stderr, intercept = linear_fit(xs, ys)
        grid = [min(xs), max(xs)]
        axis.plot(
            grid,
            [intercept + slope * x for x in grid],
            label=f"fit: slope {slope:.3f} ± {stderr:.3f}",
        )
    axis.set_xlabel("ln α")
    axis.set_ylabel("λ · t_grok")
    axis.legend(fontsize=7)
    return figure


def plot_grok_times(members: Sequence[Member], path: Path) -> Path:
    """``grok_times_figure`` saved as a PNG at ``path``."""
    return _save(grok_times_figure(members), path)


def _label(member: Member) -> str:
    config = member.config
    scale = f"α={member.trace.summary['alpha']:.3g}"
    return f"{config.experiment} {scale} λ={config.wd:g} seed {config.seed}"


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return path


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
        summary_table(evaluation),
        "",
    ]
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
    return lines


def _summary(
    run_set: RunSet, group: list[Member], stem: Path, image: Callable[[Path, str], str]
) -> list[str]:
    """A run set without training: the table of its ``summary`` rows and its figure."""
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
