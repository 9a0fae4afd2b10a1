"""The report's figures, as matplotlib Figures built without pyplot (importing this does not
switch a notebook's backend): test-metric curves, the early norm decay, t_grok against ln α.
``plot_*`` save them as PNGs beside the report."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from grokbench.engine.measure import linear_fit, transition
from grokbench.spec import Member


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
    alpha = member.trace.summary.get("alpha", config.alpha)  # a failed run has no summary
    scale = f"α={alpha:.3g}" if alpha is not None else "α=?"
    return f"{config.experiment} {scale} λ={config.wd:g} seed {config.seed}"


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return path
