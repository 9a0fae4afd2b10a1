"""Run sets through the results store and, optionally, an executor: the runs a claim reads
are computed once per config and code version, and reused from then on.

``StoredRuns`` is a ``collect.Compute``: for each run set it looks up every member's run
in the store (under ``scaleout.store_key``: the config hash and the run set's name, since
the run set decides which probes a trace records), computes only the missing ones (in this
process, or as vectorised work units on local processes, Dask or Slurm through
``scaleout.sweep.run_parts``, every run set's units in one queue when ``collect`` calls
``prefetch`` first, the client alone writing the store, one transaction per run), and
returns the stored traces. Re-judging after a change of tolerances, or adding a claim that
reads run sets already computed, reads them back; a job killed midway and started again
computes only what is missing. ``fresh`` computes everything again.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from grokbench.claims.collect import compute_named, compute_traces, fit_baselines
from grokbench.infra.store import Store
from grokbench.scaleout.executors import Backend
from grokbench.scaleout.sweep import FINAL_STATUSES, SweepPart, run_parts
from grokbench.scaleout.units import store_key
from grokbench.spec import BaselineResult, RunConfig, RunSet, Trace


@dataclass
class StoredRuns:
    """Computes a run set's traces through ``store`` (and ``executor`` when given);
    counts what it reused and what it computed (``reused``, ``computed``)."""

    store: Store
    executor: Backend | None = None
    code_version: str | None = None
    fresh: bool = False
    label: str | None = None
    threads: int | None = None
    reused: int = 0
    computed: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    #: the workers' seconds on each run set's units in ``prefetch`` (collect adds them to
    #: the run set's time, which would otherwise be the seconds to read it back)
    unit_seconds: dict[str, float] = field(default_factory=dict)
    _computed_now: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if self.code_version is None:
            from grokbench.infra.environment import code_version

            self.code_version = code_version()

    def _missing(self, run_set: RunSet, configs: list[RunConfig]) -> list[int]:
        """Indices of the configs to compute: not stored (every one with ``fresh``), and
        not computed earlier in this job (``prefetch``)."""
        assert self.code_version is not None
        done = self.store.statuses(self.code_version)
        keys = [store_key(config, run_set.name) for config in configs]
        return [
            i
            for i, key in enumerate(keys)
            if key not in self._computed_now and (self.fresh or done.get(key) not in FINAL_STATUSES)
        ]

    def prefetch(
        self, work: list[tuple[RunSet, list[RunConfig]]], log: Callable[[str], None]
    ) -> None:
        """Compute the missing runs of every run set in ``work`` through the executor as one
        sweep (``run_parts``: one queue of units, so that no worker waits at the end of a
        run set for its slowest unit); ``__call__`` then reads them back. Run sets that are
        not trained (G1's exact fits) are fitted there too, and stored as untrained runs
        with their baselines. Nothing to do without an executor (in this process the run
        sets run one after another anyway)."""
        if self.executor is None:
            return
        parts = []
        for run_set, configs in work:
            if not (run_set.train or run_set.baselines):
                continue
            todo = [configs[i] for i in self._missing(run_set, configs)]
            compute = functools.partial(compute_named, run_set.name)
            parts += [SweepPart(todo, run_set.name, compute)] if todo else []
        if not parts:
            return
        trained = {run_set.name for run_set, _ in work if run_set.train}
        count = sum(len(part.configs) for part in parts if part.run_set in trained)
        fits = sum(len(part.configs) for part in parts) - count
        log(f"computing {count} runs ({fits} members fitted only) of {len(parts)} run sets "
            f"on {self.executor.description}")  # fmt: skip
        result = run_parts(
            parts, self.executor, self.store, label=self.label, code_version=self.code_version,
            threads=self.threads, fresh=self.fresh,
        )  # fmt: skip
        self.failures.update(result.errors)
        if result.interrupted:
            raise KeyboardInterrupt
        self.unit_seconds.update({k: v for k, v in result.unit_seconds.items() if k})
        self._computed_now.update(store_key(c, p.run_set) for p in parts for c in p.configs)
        self.computed += count
        taken = f", {result.adopted} of them by a killed job's Slurm jobs" if result.adopted else ""
        if result.memory_budget is not None:
            taken += f", units started within {result.memory_budget / 1e9:.1f} GB of memory"
        log(f"{count} runs and {fits} fits computed in {result.wall_s:.1f}s{taken}")

    def __call__(
        self,
        run_set: RunSet,
        configs: list[RunConfig],
        log: Callable[[str], None],
        baselines: list[dict[str, BaselineResult]] | None = None,
    ) -> list[Trace]:
        assert self.code_version is not None
        self.prefetch([(run_set, configs)], log)  # on the executor; a no-op after collect's
        keys = [store_key(config, run_set.name) for config in configs]
        missing = self._missing(run_set, configs)  # left to compute here: no executor
        self.reused += sum(key not in self._computed_now for key in keys) - len(missing)
        if missing:
            start = time.perf_counter()
            todo = [configs[i] for i in missing]
            known = [baselines[i] for i in missing] if baselines is not None else None
            for config, trace in zip(todo, compute_traces(run_set, todo, log, known), strict=True):
                self.store.put_run(config, trace, self.label, self.code_version,
                                   store_key(config, run_set.name))  # fmt: skip
            self.computed += len(missing)
            seconds = time.perf_counter() - start
            log(f"  {run_set.name}: {len(missing)} computed in {seconds:.1f}s, "
                f"{len(configs) - len(missing)} reused from {self.store.path}")  # fmt: skip
        else:
            log(f"  {run_set.name}: all {len(configs)} runs read from {self.store.path}")
        return [self._stored(config, key) for config, key in zip(configs, keys, strict=True)]

    def fit_baselines(self, run_set: RunSet, config: RunConfig) -> dict[str, BaselineResult]:
        """A member's baselines: those kept in the store with its run (a re-judge draws no
        data; the workers' runs bring theirs), else fitted here and kept."""
        assert self.code_version is not None
        if not run_set.baselines:
            return {}
        key = store_key(config, run_set.name)
        stale = self.fresh and key not in self._computed_now  # --fresh: fit them again
        kept = None if stale else self.store.get_baselines(key, self.code_version)
        if kept is not None and set(kept) == set(run_set.baselines):
            return kept
        fitted = fit_baselines(config, run_set.baselines)
        self.store.put_baselines(key, self.code_version, fitted)
        return fitted

    def _stored(self, config: RunConfig, key: str) -> Trace:
        """The stored trace; a run that failed on a worker comes back as a trace with status
        ``failed`` and the error as its reason, so every claim reading it is inconclusive."""
        trace = self.store.get_run(key, self.code_version)
        if trace is None:
            error = self.failures.get(key, "the run was not stored")
            return Trace(config=config.to_dict(), env={}, status="failed", reason=error)
        return trace
