"""Sweeps through an executor, resumable from the results store.

The sweep is cut into work units (``units``: the vectorised groups of ``sweep.plan``, runs
that differ only in α, ‖θ(0)‖, λ, seed or lr, split into chunks of runs sharing seeds). Each
unit runs ``work_unit`` wherever the executor puts it and sends its traces back; the client
alone writes the store, one transaction per run as its unit finishes. A run already stored
with status ok or diverged under the same config hash and code version is skipped, so a
killed sweep started again computes only what is missing (on Slurm it also takes over the
killed client's jobs, ``slurm_jobs``); runs that raised are stored as ``failed`` and
retried next time.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grokbench.infra.store import Store
from grokbench.scaleout.admission import Admission, memory_budget
from grokbench.scaleout.executors import Backend, backend
from grokbench.scaleout.monitor import Monitor, Silent
from grokbench.scaleout.units import (
    ComputeUnit,
    UnitResult,
    describe_error,
    make_units,
    store_key,
    work_unit,
)
from grokbench.spec import RunConfig, Trace

#: Stored statuses that count as done: a sweep does not compute these again.
FINAL_STATUSES = ("ok", "diverged")


@dataclass
class SweepResult:
    """What a sweep did: ``skipped`` were in the store already, the rest were computed
    (ok + diverged + failed) unless ``interrupted`` stopped it first."""

    total: int
    skipped: int
    code_version: str
    ok: int = 0
    diverged: int = 0
    failed: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False
    #: runs an earlier client's Slurm jobs computed, taken over (and counted as computed)
    adopted: int = 0
    wall_s: float = 0.0
    #: the workers' seconds on each part's units, by run set (None: a plain sweep)
    unit_seconds: dict[str | None, float] = field(default_factory=dict)
    #: bytes available to the workers when the sweep began, within which units were
    #: started (``admission``; None: no limit)
    memory_budget: int | None = None

    @property
    def computed(self) -> int:
        return self.ok + self.diverged + self.failed

    @property
    def missing(self) -> int:
        return self.total - self.skipped - self.computed


def _unique(configs: Sequence[RunConfig]) -> list[RunConfig]:
    """The configs without repeats (equal hashes), first appearance kept."""
    seen: dict[str, RunConfig] = {}
    for config in configs:
        seen.setdefault(config.key(), config)
    return list(seen.values())


@dataclass(frozen=True)
class SweepPart:
    """Runs that belong together in a sweep: stored under ``run_set`` (``store_key``) and
    computed, a unit at a time, by ``compute`` (None: ``run_batch``)."""

    configs: Sequence[RunConfig]
    run_set: str | None = None
    compute: ComputeUnit | None = None


def run_sweep(
    configs: Sequence[RunConfig],
    executor: cf.Executor | Backend | None = None,
    store: Store | str | Path | None = None,
    *,
    run_set: str | None = None,
    compute: ComputeUnit | None = None,
    **options: Any,
) -> SweepResult:
    """Run every config not yet in the store through ``executor`` and store each result
    (``run_parts`` with one part, whose options it takes)."""
    return run_parts([SweepPart(configs, run_set, compute)], executor, store, **options)


def run_parts(
    parts: Sequence[SweepPart],
    executor: cf.Executor | Backend | None = None,
    store: Store | str | Path | None = None,
    *,
    label: str | None = None,
    code_version: str | None = None,
    slots: int | None = None,
    chunk: int | None = None,
    threads: int | None = None,
    monitor: Monitor | None = None,
    fresh: bool = False,
) -> SweepResult:
    """Run every config of ``parts`` not yet in the store through ``executor`` and store
    each result. The parts' units share one queue, so the workers stay busy across parts
    (the claims' run sets) instead of waiting at the end of each for its slowest unit.

    ``executor``: a ``Backend`` from ``grokbench.scaleout.executors``, any concurrent.futures
    Executor, or None for local processes (one per core). ``slots``: work units kept in
    flight (default: the backend's, or the executor's ``_max_workers``); a backend whose
    workers share this machine's memory starts them within it (``admission``). ``code_version``
    defaults to grokbench's own (``envinfo.code_version``). ``fresh``: compute every run
    again, whatever is stored. Without ``fresh``, an executor with ``earlier_units`` and
    ``adopt`` (Slurm's) has the jobs a killed client left taken over where their runs are
    all still missing (``_adopt_earlier``). Ctrl-C cancels what is in flight and returns
    with ``interrupted`` set; what finished is stored.
    """
    if executor is None:
        with backend("local") as local:
            return run_parts(
                parts, local, store, label=label, code_version=code_version, slots=slots,
                chunk=chunk, threads=threads, monitor=monitor, fresh=fresh,
            )  # fmt: skip
    start = time.perf_counter()
    monitor = monitor or Silent()
    admission = Admission(None)
    if isinstance(executor, Backend):
        pool, where, abort = executor.executor, executor.description, executor.abort
        slots, threads = slots or executor.slots, threads or executor.threads
        if executor.shares_memory:
            budget = memory_budget()
            admission = Admission(budget, workers=slots or 1)
            where += f", units within {budget / 1e9:.1f} GB"
    else:
        pool, where = executor, type(executor).__name__
        abort = getattr(executor, "terminate", lambda: None)
        slots = slots or getattr(executor, "_max_workers", None)
    opened = store if isinstance(store, Store) else Store(store)
    if code_version is None:
        from grokbench.infra.environment import code_version as current

        code_version = current()
    try:
        done = opened.statuses(code_version)
        todos, total = [], 0
        for part in parts:
            unique = _unique(part.configs)
            key_of = functools.partial(store_key, run_set=part.run_set)
            todos.append(
                (part, [c for c in unique if fresh or done.get(key_of(c)) not in FINAL_STATUSES])
            )
            total += len(unique)
        inflight: dict[cf.Future[list[UnitResult]], tuple[SweepPart, list[RunConfig]]] = {}
        if not fresh:
            inflight.update(_adopt_earlier(pool, todos, code_version))
        pending: deque[tuple[SweepPart, list[RunConfig]]] = deque(
            (part, [todo[i] for i in unit]) for part, todo in todos
            for unit in make_units(todo, slots, chunk)
        )  # fmt: skip
        adopted = sum(len(unit) for _, unit in inflight.values())
        queued = sum(len(unit) for _, unit in pending)
        result = SweepResult(total, total - queued - adopted, code_version, adopted=adopted)
        result.memory_budget = admission.budget
        monitor.start(result.total, result.skipped, where)
        for _, unit in inflight.values():
            monitor.submitted(len(unit))
        earlier = set(inflight)

        def record(config: RunConfig, outcome: UnitResult, run_set: str | None) -> None:
            trace = outcome.trace
            if trace is not None and trace.status == "interrupted":
                raise KeyboardInterrupt  # Ctrl-C reached the run (an in-process executor)
            if trace is None or trace.status not in FINAL_STATUSES:
                ended = trace.status if trace is not None else "without a trace"
                error = outcome.error or f"the run ended {ended}"
                key = store_key(config, run_set)
                opened.put_failure(config, error, label, code_version, key=key)
                result.failed += 1
                result.errors[key] = error
                monitor.finished(config, "failed", error, outcome.wall_s)
                return
            opened.put_run(config, trace, label, code_version, store_key(config, run_set))
            if trace.baselines:
                opened.put_baselines(store_key(config, run_set), code_version, trace.baselines)
            setattr(result, trace.status, getattr(result, trace.status) + 1)
            monitor.finished(config, trace.status, trace.reason, outcome.wall_s)

        try:
            while pending or inflight:
                while pending and (slots is None or len(inflight) < slots):
                    # with nothing in flight the head starts, whatever its size
                    index = admission.pick([unit for _, unit in pending]) if inflight else 0
                    if index is None:
                        break
                    part, unit = pending[index]
                    del pending[index]
                    monitor.submitted(len(unit))
                    try:
                        future = pool.submit(
                            work_unit, unit, threads=threads or 1, run_set=part.run_set,
                            compute=part.compute, code_version=code_version,
                        )  # fmt: skip
                        inflight[future] = (part, unit)
                        admission.started(unit)
                    except Exception as error:  # a broken pool: these runs fail, not the sweep
                        for config in unit:
                            key = store_key(config, part.run_set)
                            record(config, UnitResult(key, None, describe_error(error)),
                                   part.run_set)  # fmt: skip
                finished, _ = cf.wait(inflight, timeout=0.5, return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    part, unit = inflight.pop(future)
                    if future not in earlier:
                        admission.finished(unit)
                    if future in earlier and future.exception() is not None:
                        pending.append((part, unit))  # the earlier job died: compute here
                        result.adopted -= len(unit)
                        monitor.submitted(-len(unit))  # not running until submitted again
                        continue
                    outcomes = _outcomes(future, unit, part.run_set)
                    spent = max(outcome.wall_s for outcome in outcomes)
                    seconds = result.unit_seconds
                    seconds[part.run_set] = seconds.get(part.run_set, 0.0) + spent
                    for config, outcome in zip(unit, outcomes, strict=True):
                        record(config, outcome, part.run_set)
                monitor.tick()
        except KeyboardInterrupt:
            result.interrupted = True
            for future in inflight:
                future.cancel()
            abort()
        result.wall_s = time.perf_counter() - start
        return result
    finally:
        monitor.close()
        if not isinstance(store, Store):
            opened.close()


def _adopt_earlier(
    pool: Any, todos: list[tuple[SweepPart, list[RunConfig]]], code_version: str
) -> dict[cf.Future[list[UnitResult]], tuple[SweepPart, list[RunConfig]]]:
    """Attach the jobs an earlier, killed client left on Slurm (``pool.earlier_units``)
    whose runs this sweep still has to compute, all of them, for the same code version;
    their runs leave ``todos``. Other executors have no such jobs."""
    find = getattr(pool, "earlier_units", None)
    attached: dict[cf.Future[list[UnitResult]], tuple[SweepPart, list[RunConfig]]] = {}
    if find is None:
        return attached
    for earlier in find(work_unit):
        if earlier.code_version != code_version:
            continue
        for part, todo in todos:
            if earlier.run_set != part.run_set:
                continue
            keys = {store_key(config, part.run_set) for config in earlier.configs}
            wanted = {store_key(config, part.run_set) for config in todo}
            if keys and keys <= wanted:
                attached[pool.adopt(earlier.job_id)] = (part, earlier.configs)
                todo[:] = [c for c in todo if store_key(c, part.run_set) not in keys]
                break
    return attached


def _outcomes(
    future: cf.Future[list[UnitResult]], unit: Sequence[RunConfig], run_set: str | None
) -> list[UnitResult]:
    """A unit's outcomes in the unit's order; a unit that died fails each of its runs."""
    keys = [store_key(config, run_set) for config in unit]
    try:
        outcomes = {outcome.key: outcome for outcome in future.result()}
    except Exception as error:
        message = f"the work unit failed: {describe_error(error)}"
        return [UnitResult(key, None, message) for key in keys]
    lost = UnitResult("", None, "the worker returned no result for this run")
    return [outcomes.get(key, lost) for key in keys]


def run_configs(
    configs: Sequence[RunConfig],
    executor: cf.Executor | Backend | None = None,
    store: Store | str | Path | None = None,
    **options: Any,
) -> list[Trace | None]:
    """``run_sweep`` then the stored trace of each config (None where it failed): a drop-in
    for ``sweep.run_batch`` that computes on an executor and caches in the store."""
    opened = store if isinstance(store, Store) else Store(store)
    try:
        result = run_sweep(configs, executor, opened, **options)
        if result.interrupted:
            raise KeyboardInterrupt
        run_set = options.get("run_set")
        traces = [opened.get_run(store_key(c, run_set), result.code_version) for c in configs]
        return [t if t is not None and t.status in FINAL_STATUSES else None for t in traces]
    finally:
        if not isinstance(store, Store):
            opened.close()
