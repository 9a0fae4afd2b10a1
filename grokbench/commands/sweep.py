"""``grokbench sweep EXPERIMENT --grid key=v1,v2 ...``: the cartesian product of the grids on
local processes, a Dask cluster or Slurm, resumable from the results store.

Exit 0 when every run finished (ok or diverged), 1 when a run failed (raised), 130 when
interrupted (what finished is stored: the same command finishes the rest), 2 for bad input.
"""

from __future__ import annotations

import argparse
from typing import Any

from grokbench.commands.common import add_store_argument
from grokbench.commands.run import add_config_arguments
from grokbench.infra import progress
from grokbench.infra.store import Store
from grokbench.scaleout.executors import EXECUTORS, SlurmOptions, backend
from grokbench.scaleout.grid import expand_grid, parse_grid
from grokbench.scaleout.monitor import Silent, SweepStatus
from grokbench.scaleout.sweep import SweepResult, run_sweep
from grokbench.spec import ConfigError, RunConfig


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "sweep",
        help="run a grid of runs on local processes, Dask or Slurm; resumable from the store",
        description=" ".join(__doc__.split("\n\n")[0].split()).replace("``", ""),
    )
    add_config_arguments(parser)
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2,...",
        help="values of one setting (repeatable; the runs are the cartesian product)",
    )
    add_executor_arguments(parser, default="local")
    parser.add_argument("--label", default=None, metavar="NAME", help="label the stored runs")
    parser.add_argument(
        "--chunk", type=int, default=None, metavar="N", help="runs per work unit (vectorised)"
    )
    parser.set_defaults(func=main)


def add_executor_arguments(parser: argparse.ArgumentParser, default: str | None) -> None:
    """--executor and its options, --store, --threads and --code-version: shared by
    ``grokbench sweep`` and ``grokbench claims``."""
    parser.add_argument(
        "--executor",
        default=default,
        choices=EXECUTORS,
        help=f"where runs are computed (default {default or 'this process'})",
    )
    parser.add_argument("--scheduler", default=None, metavar="ADDR", help="Dask scheduler address")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="local processes / LocalCluster workers (default: cores); "
        "on a scheduler or Slurm, work units in flight",
    )
    add_store_argument(parser)
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="torch threads per unit (default 1)"
    )
    parser.add_argument(
        "--code-version",
        default=None,
        metavar="TEXT",
        help="the version runs are stored and reused under (default: grokbench's own)",
    )
    slurm = parser.add_argument_group("slurm (--executor slurm, through submitit)")
    slurm.add_argument("--partition", default=None, help="Slurm partition")
    slurm.add_argument("--time", type=int, default=60, metavar="MIN", help="minutes per job")
    slurm.add_argument("--gpus", type=int, default=0, metavar="N", help="GPUs per job")
    slurm.add_argument("--cpus", type=int, default=1, metavar="N", help="CPUs per job")
    slurm.add_argument("--mem-gb", type=float, default=None, metavar="GB", help="memory per job")
    slurm.add_argument(
        "--slurm-folder", default=".grokbench/slurm", metavar="DIR", help="job logs and pickles"
    )
    slurm.add_argument(
        "--slurm-setup",
        action="append",
        default=[],
        metavar="CMD",
        help="a shell line run before each job, e.g. 'source venv/bin/activate' (repeatable)",
    )
    slurm.add_argument(
        "--slurm-cluster",
        default="slurm",
        choices=("slurm", "local", "debug"),
        help="local: run the jobs as local processes (try a Slurm setup without Slurm)",
    )


def slurm_options(args: argparse.Namespace) -> SlurmOptions:
    """The Slurm settings of parsed ``add_executor_arguments`` options."""
    return SlurmOptions(
        partition=args.partition,
        time_min=args.time,
        gpus=args.gpus,
        cpus=args.cpus,
        mem_gb=args.mem_gb,
        folder=args.slurm_folder,
        cluster=args.slurm_cluster,
        setup=tuple(args.slurm_setup),
    )


def check_counts(args: argparse.Namespace, names: tuple[str, ...]) -> None:
    """``--workers``, ``--chunk``, ``--threads`` must be ≥ 1 when given."""
    for name in names:
        if getattr(args, name, None) is not None and getattr(args, name) < 1:
            raise ConfigError(f"--{name}: must be ≥ 1, got {getattr(args, name)}")


def describer(keys: list[str]) -> Any:
    """Name a run by its hash and the values of the grid keys."""

    def value(config: RunConfig, key: str) -> Any:
        if key.startswith("opt."):
            return config.opt.get(key[4:])
        return getattr(config, key) if hasattr(config, key) else config.task.get(key)

    def describe(config: RunConfig) -> str:
        parts = []
        for key in keys:
            v = value(config, key)
            parts.append(f"{key}={v:g}" if isinstance(v, float) else f"{key}={v}")
        return f"{config.key()[:8]} " + " ".join(parts)

    return describe


def summary(result: SweepResult, store: Store) -> str:
    """The closing line: what was skipped, computed, failed, and where it is."""
    line = (
        f"sweep: {result.total} runs: {result.skipped} already in the store, "
        f"{result.computed} computed ({result.ok} ok, {result.diverged} diverged, "
        f"{result.failed} failed) in {result.wall_s:.1f} s; store {store.path}"
    )
    if result.adopted:
        line += f"\n{result.adopted} of them taken over from a killed sweep's Slurm jobs"
    if result.interrupted:
        line += f"\ninterrupted: {result.missing} runs not computed; the same command finishes them"
    return line


def main(args: argparse.Namespace) -> int:
    from grokbench.engine.config import parse_overrides  # torch: imported when run

    check_counts(args, ("workers", "chunk", "threads"))
    grid = parse_grid(args.grid)
    overrides = parse_overrides(args.overrides)
    configs = expand_grid(args.experiment, args.scale, overrides, grid)  # validates all first
    options = slurm_options(args)
    # the executor first: a missing extra or an unreachable scheduler leaves no store file
    with (
        backend(args.executor, args.workers, args.scheduler, options) as opened,
        Store(args.store) as store,
    ):
        result = run_sweep(
            configs,
            opened,
            store,
            label=args.label,
            code_version=args.code_version,
            chunk=args.chunk,
            threads=args.threads,
            monitor=Silent() if progress.VERBOSITY < 0 else SweepStatus(describer(list(grid))),
        )
        print(summary(result, store), flush=True)
    if result.interrupted:
        return 130
    return 1 if result.failed else 0
