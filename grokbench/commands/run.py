"""``grokbench run EXPERIMENT``: one training run, a trace JSON and a one-screen summary."""

from __future__ import annotations

import argparse
from typing import Any

from tabulate import tabulate

from grokbench.commands.common import add_overrides_argument
from grokbench.infra.atomic import write_json
from grokbench.infra.progress import ProgressBar
from grokbench.spec import SCALES, Trace

EXIT_FOR_STATUS = {"ok": 0, "diverged": 1, "interrupted": 130}


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """EXPERIMENT, --scale and --set, shared by every command that builds a run config."""
    parser.add_argument("experiment", help="experiment name, e.g. sparse-cls")
    parser.add_argument("--scale", default="ci", choices=SCALES, help="preset size (default ci)")
    add_overrides_argument(parser)


def register(sub: Any) -> None:
    parser = sub.add_parser("run", help="train one run and write its trace JSON")
    add_config_arguments(parser)
    parser.add_argument("--out", default=None, help="trace JSON path (default: no file)")
    parser.add_argument(
        "--sink",
        action="append",
        default=[],
        metavar="SINK",
        help="also log the run to tensorboard:DIR or mlflow[:EXPERIMENT] (repeatable; "
        "pip install 'grokbench[tracking]')",
    )
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from grokbench.engine.batch_run import run_batch
    from grokbench.engine.config import make_config, parse_overrides  # torch: imported when run
    from grokbench.engine.runner import batched_only, run
    from grokbench.infra.sinks import parse_sink

    config = make_config(args.experiment, args.scale, parse_overrides(args.overrides))
    sinks = [parse_sink(spec) for spec in args.sink]  # bad input fails before the run
    bar = ProgressBar(f"{config.experiment}/{config.scale}")
    try:
        if batched_only(config):  # only the batched path computes lowered products
            trace = run_batch([config], progress=bar, warn=False)[0]
        else:
            trace = run(config, progress=bar)
    finally:
        bar.close()
    if args.out:
        write_json(args.out, trace.to_dict())
    for sink in sinks:
        sink(trace)
    print(render_summary(trace))
    if args.out:
        print(f"trace written to {args.out}")
    return EXIT_FOR_STATUS.get(trace.status, 1)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _lambda_t(value: object, wd: float) -> float | None:
    return value * wd if isinstance(value, float) and wd else None


def _phase_rows(s: dict[str, object]) -> list[tuple[str, object]]:
    """A two-phase run's row (grokbench.engine.phases): the switch and the phase-1 end."""
    if s.get("phase2_t") is None:
        return []
    end = s.get("phase1_test_acc", s.get("phase1_test_mse"))
    text = f"from t = {_fmt(s['phase2_t'])} on {s['phase2_n_train']} examples"
    return [("phase 2 (subset)", f"{text}; test metric at the switch {_fmt(end)}")]


def render_summary(trace: Trace) -> str:
    """The one-screen summary of a run."""
    from grokbench.claims import applicability
    from grokbench.engine import model_plugins as plugins

    s, c = trace.summary, trace.config
    wd = c["wd"]
    where = f"seed {c['seed']}, {c['dtype']} on {trace.env['device_name']}"
    predicted = _fmt(s.get("predicted_t_grok"))
    predicted_norm = _fmt(s.get("predicted_t_grok_init_norm"))
    rows = [
        ("experiment", f"{c['experiment']} ({c['scale']}), {where}"),
        ("dynamics", f"{c['dynamics']}  lr={c['lr']:g}  wd={wd:g}  horizon={c['horizon']}"),
        ("init", f"alpha={s['alpha']:.4g}  |theta(0)|={s['init_norm']:.4g}"),
        ("status", s["status"] + (f": {trace.reason}" if trace.reason else "")),
        ("metric", s.get("metric")),
        ("fit (train set) at t", s.get("t_fit")),
        ("plateau", s.get("plateau")),
        ("final", s.get("final")),
        ("t_grok (50%)", f"{_fmt(s.get('t_grok'))}  (λt = {_fmt(_lambda_t(s.get('t_grok'), wd))})"),
        ("window t_90 - t_10", s.get("window")),
        ("predicted ln(α)/λ", f"{predicted}  (ln|θ(0)|/λ = {predicted_norm})"),
        ("final |theta|", s.get("final_param_norm")),
        ("t reached / horizon", f"{_fmt(s['t_reached'])} / {_fmt(s['t_end'])}"),
        *_phase_rows(s),
        ("wall time [s]", s["wall_s"]),
        ("gradient evaluations", s["grad_evals"]),
        ("steps", s["steps"]),
        *plugins.summary_rows(s.get("model_check")),  # type: ignore[arg-type]
        *applicability.summary_rows(s.get("model_check")),  # type: ignore[arg-type]
    ]
    return tabulate([(k, _fmt(v)) for k, v in rows], tablefmt="plain")
