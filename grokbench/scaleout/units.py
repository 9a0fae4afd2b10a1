"""Work units: the part of a sweep that runs on a worker.

``make_units`` cuts a sweep's runs into units (vectorised groups, chunked for the slots);
``work_unit`` computes one unit wherever the executor puts it and sends back a
``UnitResult`` per run; ``store_key`` is the key each run is stored under. The client side
(the queue, the store, resumption) is ``sweep``.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grokbench.spec import ConfigError, RunConfig, Trace


@dataclass
class UnitResult:
    """What a worker sends back for one run: its trace, or the error it raised."""

    key: str
    trace: Trace | None
    error: str = ""
    wall_s: float = 0.0


def describe_error(error: BaseException) -> str:
    """``Type: message (at file:line)``, one line, for the store and the terminal."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    message = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {message}{where}"


def store_key(config: RunConfig, run_set: str | None = None) -> str:
    """The key a run is stored under: its config hash, or, for a run recorded with a run
    set's probes, the hash and the run set's name (the same config in another run set
    records other probes)."""
    return config.key() if run_set is None else f"{config.key()}:{run_set}"


#: Computes a unit's traces on a worker (picklable: a module-level function or a partial).
ComputeUnit = Callable[[list[RunConfig]], list[Trace]]


def work_unit(
    configs: Sequence[RunConfig],
    threads: int | None = 1,
    run_set: str | None = None,
    compute: ComputeUnit | None = None,
    code_version: str | None = None,
) -> list[UnitResult]:
    """Run one unit on a worker: ``compute`` (a run set's runs with its baselines and
    probes, stored under ``run_set``), by default vectorised through ``run_batch``; when
    that raises, each run alone, so that one bad run fails only itself. ``code_version``,
    the version the client stores the results under, only rides along in the submission:
    a client restarted after a kill reads it from a Slurm job's pickle before it takes the
    job's results as its own (``slurm_jobs``). ``threads`` sets
    torch's intra-op threads and the BLAS threads of numpy and scipy (the baselines' fits)
    for the unit: one per unit keeps many units on a machine from contending. Dask's
    workers start with one BLAS thread (its nanny's environment); local processes and Slurm
    jobs start with one per core, which two units' fits on 2 cores oversubscribe. glibc's
    malloc keeps freed temporaries for reuse while the unit runs, and hands them back when
    it ends with the worker holding more than ``admission.RESIDENT_BYTES``
    (``grokbench.infra.allocator``)."""
    import torch
    from threadpoolctl import threadpool_limits

    from grokbench.infra.allocator import hand_back_freed_memory, keep_freed_memory
    from grokbench.scaleout.admission import RESIDENT_BYTES

    keep_freed_memory()
    if threads and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    blas = threadpool_limits(threads, user_api="blas") if threads else contextlib.nullcontext()
    start = time.perf_counter()
    try:
        with blas:
            if compute is None:
                from grokbench.engine.batch_run import run_batch

                traces = run_batch(list(configs), warn=False)
            else:
                traces = compute(list(configs))
    except Exception as error:
        if len(configs) > 1:
            alone = (work_unit([config], threads, run_set, compute) for config in configs)
            return [outcome for outcomes in alone for outcome in outcomes]
        wall = time.perf_counter() - start
        return [UnitResult(store_key(configs[0], run_set), None, describe_error(error), wall)]
    finally:
        hand_back_freed_memory(above=RESIDENT_BYTES)
    wall = time.perf_counter() - start
    return [
        UnitResult(store_key(c, run_set), t, "", wall) for c, t in zip(configs, traces, strict=True)
    ]


#: Without ``--chunk``, the runs of one seed whose training inputs take at least this many
#: bytes stay in one unit. They share the inputs: each gradient of the batch then streams
#: them from memory once for all of them instead of once per member in units of their own
#: (paper-scale sparse-cls: 205 MB, two memory-bound passes per gradient: 50 ms for four
#: members against 4 × 28 ms, one thread, benchmarks/shared_pass.py; paper-scale misgrok:
#: 26 MB, 4.2 ms a lone gradient of which 2.4 are the passes, and its α sweep takes 82.7 s
#: as one unit against 99.3 s as four, one after another, benchmarks/NOTES.md round 16).
#: Inputs well within a core's cache (2 MB of L2 here; misgrok's ci α sweep, 5 MB, gained
#: 107 against 122 s in round 5) are split for the slots instead.
SHARED_DATA_BYTES = 2**24


def make_units(
    configs: Sequence[RunConfig], slots: int | None, chunk: int | None = None
) -> list[list[int]]:
    """Indices of ``configs`` cut into work units: each ``sweep.plan`` group sorted by seed
    (equal seeds share their data) and split into chunks of ``chunk`` runs; by default about
    two units per slot, so that the slots stay busy while the units stay vectorised, except
    that the runs of one seed with big training inputs (``SHARED_DATA_BYTES``) form one unit."""
    if chunk is not None and chunk < 1:
        raise ConfigError(f"--chunk: must be ≥ 1, got {chunk}")
    from grokbench.engine.batch_run import plan
    from grokbench.engine.memory_split import dataset_bytes

    units = []
    for group in plan(configs):
        group = sorted(group, key=lambda i: configs[i].seed)
        if chunk is None and dataset_bytes(configs[group[0]], test=False) >= SHARED_DATA_BYTES:
            by_seed = itertools.groupby(group, key=lambda i: configs[i].seed)
            units += [list(members) for _, members in by_seed]
            continue
        size = chunk or (max(1, math.ceil(len(group) / (2 * slots))) if slots else 4)
        units += [group[i : i + size] for i in range(0, len(group), size)]
    return units
