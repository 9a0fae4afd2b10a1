"""Split a batch by seed when its datasets would not fit in memory together.

A batch draws one dataset per seed and keeps all of them for the whole run. At paper scale a
sparse-cls or misgrok dataset is (n + n_test)·d float64 values, 8.2 GB at n_test = 10⁴ and
d = 10⁵: three seeds (sparse-main, misgrok-main, controls) need ~25 GB, and the process was
killed for memory on a 23 GB machine. Members of different seeds share no data, so running
each seed's members as their own batch gives the same records (each member keeps its own
steps; batched and one-by-one runs agree to ~1e-13, benchmarks/NOTES.md) with one dataset
in memory at a time. Only tasks whose sizes say how big their data is are ever split.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from grokbench.spec import RunConfig

#: Share of the available memory a batch's datasets may take.
BUDGET_SHARE = 0.5


def available_memory() -> int:
    """MemAvailable from /proc/meminfo (Linux), else free physical memory."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 2**63  # unknown: never split


def dataset_bytes(config: RunConfig, test: bool = True) -> int:
    """Bytes of one seed's float64 inputs for tasks with a dimension ``d`` (sparse-cls,
    misgrok): (n + n_test)·d·8, or n·d·8 with ``test=False``; 0 (unknown: never split) for
    the others."""
    task = config.task
    if "d" not in task or "n" not in task or "n_test" not in task:
        return 0
    rows = int(task["n"]) + (int(task["n_test"]) if test else 0)
    return rows * int(task["d"]) * 8


def seeds_bytes(configs: Sequence[RunConfig]) -> int:
    """Bytes of the float64 inputs ``configs`` draw together: one dataset per seed (the runs
    of one batch or work unit share their task; 0 where the task's sizes say nothing)."""
    by_seed = {config.seed: config for config in configs}
    return sum(dataset_bytes(config) for config in by_seed.values())


def split_by_seed(
    configs: Sequence[RunConfig], batch: list[int], available: int | None = None
) -> list[list[int]]:
    """``batch`` (indices into ``configs``) as it is, or one sub-batch per seed when its
    seeds' datasets together exceed ``BUDGET_SHARE`` of ``available`` memory (default:
    what the machine has available now)."""
    seeds: dict[int, list[int]] = {}
    for i in batch:
        seeds.setdefault(configs[i].seed, []).append(i)
    if len(seeds) < 2:
        return [batch]
    need = seeds_bytes([configs[i] for i in batch])
    if available is None:
        available = available_memory()
    if need <= BUDGET_SHARE * available:
        return [batch]
    return list(seeds.values())
