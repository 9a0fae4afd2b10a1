"""Render reports/BENCH.md from pytest-benchmark's JSON (``--benchmark-json``).

    python benchmarks/make_report.py reports/bench.json [--out reports/BENCH.md]

Tables: default dynamics vs the paper-style GD loop (ci scale), vectorised vs sequential
sweep, paper-scale wall times, the hardware of each timing; then the hand-written analysis
in benchmarks/NOTES.md (profile, caveats).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tabulate import tabulate

NOTES = Path(__file__).with_name("NOTES.md")


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.3f}%"


def _spread(side: dict[str, Any]) -> str:
    """The median wall time with the range of the runs it is the median of."""
    walls = side.get("walls_s") or [side["wall_s"]]
    if len(walls) == 1:
        return f"{side['wall_s']:.2f}"
    return f"{side['wall_s']:.2f} ({min(walls):.2f}–{max(walls):.2f})"


def paper_loop_table(rows: list[dict[str, Any]]) -> str:
    table = []
    for info in rows:
        ours, ref = info["grokbench"], info["reference"]
        table.append(
            [
                info["experiment"],
                info["device"],
                info["env"]["torch_threads"],
                f"{ours['dynamics']} ({ours['integrator']})",
                f"sgd η={ref['lr']:g}",
                _num(ours["t_end"], 5),
                _spread(ours),
                f"{ref['wall_s']:.1f}",
                f"**{info['wall_ratio']:.0f}×**",
                f"{info['cpu_ratio']:.0f}×" if "cpu_ratio" in info else "—",
                ours["grad_evals"],
                ref["grad_evals"],
                f"**{info['grad_evals_ratio']:.0f}×**",
                f"{ours['peak_mb']:.0f}",
                f"{ref['peak_mb']:.0f}",
                _num(ours["t_grok"], 6),
                _num(ref["t_grok"], 6),
                _pct(info["t_grok_rel_diff"]),
            ]
        )
    headers = [
        "experiment", "device", "threads", "grokbench", "reference", "horizon t",
        "wall s (gb, range)", "wall s (ref)", "wall ratio", "CPU-time ratio", "grad evals (gb)",
        "grad evals (ref)", "evals ratio",
        "peak MB (gb)", "peak MB (ref)", "t_grok (gb)", "t_grok (ref)", "Δ t_grok",
    ]  # fmt: skip
    return tabulate(table, headers, tablefmt="github")


def sweep_table(rows: list[dict[str, Any]]) -> str:
    table = [
        [
            info["experiment"],
            info["device"],
            info["env"]["torch_threads"],
            info["runs"],
            info["batches"],
            f"{info['sequential_s']:.1f}",
            f"{info['batched_s']:.1f}",
            f"{info['sequential_runs_per_s']:.2f}",
            f"{info['batched_runs_per_s']:.2f}",
            f"**{info['speedup']:.1f}×**",
            f"{info['cpu_speedup']:.1f}×" if "cpu_speedup" in info else "—",
            f"{info['max_rel_diff']:.1e}",
        ]
        for info in rows
    ]
    headers = [
        "experiment", "device", "threads", "runs", "batches", "sequential s", "batched s",
        "runs/s (sequential)", "runs/s (batched)", "speedup", "CPU-time speedup",
        "max rel. difference",
    ]  # fmt: skip
    return tabulate(table, headers, tablefmt="github")


def paper_table(rows: list[dict[str, Any]]) -> str:
    table = []
    for info in rows:
        s = info["summary"]
        metric = s.get("metric", "")
        table.append(
            [
                info["experiment"],
                info["device"],
                info["env"]["torch_threads"],
                info["horizon"],
                f"{s['wall_s']:.0f}",
                s["grad_evals"],
                f"{info['peak_mb']:.0f}",
                metric,
                _num(s.get("plateau")),
                _num(s.get("final")),
                _num(s.get("t_grok"), 6),
                _num(s.get("predicted_t_grok"), 6),
                _num(s.get("predicted_t_grok_init_norm"), 6),
                info["status"],
            ]
        )
    headers = [
        "experiment", "device", "threads", "horizon", "wall s", "grad evals", "peak MB", "metric",
        "plateau", "final", "t_grok", "ln α/λ", "ln ‖θ(0)‖/λ", "status",
    ]  # fmt: skip
    return tabulate(table, headers, tablefmt="github")


def env_table(rows: list[dict[str, Any]]) -> str:
    seen: dict[str, dict[str, Any]] = {}
    for info in rows:
        seen.setdefault(info["device"], info["env"])
    keys = ["device_name", "cpu", "cores", "omp_wait_policy", "dtype",
            "python", "torch", "cuda", "platform", "git_commit"]  # fmt: skip
    table = [[key, *[_num(env.get(key)) for env in seen.values()]] for key in keys]
    return tabulate(table, ["", *seen], tablefmt="github")


def render(data: dict[str, Any], source: str) -> str:
    rows = [bench["extra_info"] for bench in data["benchmarks"] if bench.get("extra_info")]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for info in rows:
        by_kind.setdefault(info.get("kind", ""), []).append(info)
    commands = sorted({info["command"] for info in rows if "command" in info})
    parts = [
        "# grokbench benchmarks",
        "",
        f"Generated by `python benchmarks/make_report.py {source}` from the run of "
        + ", ".join(f"`{c}`" for c in commands)
        + f" on {data.get('datetime', '?')[:19]}. All figures are ratios measured side by "
        "side in one run; absolute times are context only (a shared machine adds noise).",
        "",
    ]
    if by_kind.get("vs_paper_loop"):
        parts += [
            "## Default dynamics vs the paper's GD loop (ci scale)",
            "",
            "grokbench's default dynamics (adaptive gradient flow) against full-batch "
            "`torch.optim.SGD(lr=η, weight_decay=λ)` with `loss.backward()` and an evaluation "
            "every 1000 steps, both to the same horizon, each in a fresh process after a short "
            "warm-up (grokbench: median of 3 runs before and 3 after the reference). "
            "Ratios are reference / grokbench (the "
            "CPU-time ratio, over all threads, is the one other jobs on the machine disturb "
            "least); Δ t_grok is |t_gb − t_ref| / t_ref with both measured by "
            "`grokbench.engine.measure.transition`. Peak memory: resident-set growth during "
            "the run (CPU) or the CUDA allocator's peak.",
            "",
            paper_loop_table(by_kind["vs_paper_loop"]),
            "",
        ]
    if by_kind.get("sweep"):
        parts += [
            "## Vectorised sweep vs one by one",
            "",
            "16 runs (‖θ(0)‖ ∈ {32, 64, 128, 256} × seeds 0–3) of sparse-cls at ci scale: "
            "`grokbench.engine.batch_run.run_batch` against `grokbench.engine.runner.run` in a "
            "loop, same process. The max relative difference is over every record field of "
            "every run.",
            "",
            sweep_table(by_kind["sweep"]),
            "",
        ]
    if by_kind.get("paper_scale"):
        parts += [
            "## Paper scale",
            "",
            "One run of the default dynamics each (`--paper`).",
            "",
            paper_table(by_kind["paper_scale"]),
            "",
        ]
    devices = {info["device"] for info in rows}
    if "cuda" not in devices:
        parts += ["CUDA: not measured (no GPU on the machine that produced these numbers).", ""]
    parts += ["## Hardware", "", env_table(rows), ""]
    if NOTES.exists():
        parts += [NOTES.read_text().strip(), ""]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", help="pytest-benchmark JSON (--benchmark-json)")
    parser.add_argument("--out", default="reports/BENCH.md")
    args = parser.parse_args(argv)
    try:
        data = json.loads(Path(args.json).read_text())
    except (OSError, ValueError) as error:
        print(f"make_report: cannot read {args.json}: {error}", file=sys.stderr)
        return 2
    Path(args.out).write_text(render(data, args.json))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
