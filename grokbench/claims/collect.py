"""Running run sets: every member's baselines and trace, each run set once per evaluation.

A run set (``grokbench.spec.RunSet``, declared by a paper's pack) is an experiment with a
grid of overrides, the baselines its claims compare with (fitted on each member's own
data) and the probes its claims read. ``collect`` runs every set the chosen claims need.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from grokbench.claims.registry import run_sets
from grokbench.engine.batch_run import BATCHED_DYNAMICS, run_batch
from grokbench.engine.config import make_config
from grokbench.engine.dataset import sharing_data
from grokbench.engine.late_kkt import finish_probes
from grokbench.engine.probes import combined
from grokbench.infra import progress
from grokbench.spec import (
    BaselineResult,
    Claim,
    Member,
    Overrides,
    Prepared,
    Probe,
    RunConfig,
    RunSet,
    Trace,
)


def configs_of(run_set: RunSet, scale: str, base: Overrides | None = None) -> list[RunConfig]:
    """A run set's members' configs: the preset at ``scale``, then ``base`` (the user's
    overrides, e.g. another optimizer), then the member's own grid entry."""
    out = []
    for overrides in run_set.grid(scale):
        merged = {**(base or {}), **overrides}
        experiment = merged.pop("experiment", run_set.experiment)
        out.append(make_config(experiment, scale, merged))
    return out


def read_at(name: str, scale: str) -> bool:
    """Whether run set ``name`` is read at ``scale``: a paper-only one at paper scale alone
    (the claims reading it are judged on their other run sets below it)."""
    run_set = run_sets().get(name)
    return run_set is None or scale == "paper" or not run_set.paper_only


def run_set_names(claims: Sequence[Claim], scale: str) -> list[str]:
    """The run sets the claims read, in catalogue order."""
    known = run_sets()
    names: list[str] = []
    for claim in claims:
        for name in claim.run_sets:
            if name in known and name not in names and read_at(name, scale):
                names.append(name)
    return names


def fit_baselines(config: RunConfig, names: Sequence[str]) -> dict[str, BaselineResult]:
    """The named baselines on this config's data (cached on disk by grokbench.baselines.compute)."""
    if not names:
        return {}
    from grokbench.baselines.compute import run_baselines

    return {result.name: result for result in run_baselines(config, list(names))}


#: Computes a run set's traces: ``compute_traces`` here, or through the store and an
#: executor (``grokbench.claims.stored_runs``).
Compute = Callable[
    ["RunSet", list[RunConfig], Callable[[str], None], "list[dict[str, BaselineResult]] | None"],
    list[Trace],
]


def compute_traces(
    run_set: RunSet,
    configs: Sequence[RunConfig],
    log: Callable[[str], None],
    baselines: list[dict[str, BaselineResult]] | None = None,
) -> list[Trace]:
    """Every run of a run set in this process: baselines first (the probes compare with
    them, each member with those fitted on its own data; ``baselines`` when the caller has
    them), then the runs through ``sweep.run_batch``, which advances runs that differ only
    in α, λ, seed or lr as one vectorised computation (identical results) and the others
    one by one."""
    with sharing_data():  # a member's data drawn once for its baselines and its run
        return _compute_traces(run_set, configs, log, baselines)


def _compute_traces(
    run_set: RunSet,
    configs: Sequence[RunConfig],
    log: Callable[[str], None],
    baselines: list[dict[str, BaselineResult]] | None,
) -> list[Trace]:
    if baselines is None:
        baselines = [fit_baselines(c, run_set.baselines) for c in configs]
    if not run_set.train:  # the baselines are the result (on a worker: sent back with these)
        traces = [untrained(config) for config in configs]
        for trace, fitted_here in zip(traces, baselines, strict=True):
            trace.baselines = fitted_here or None
        return traces
    fitted = {c.key(): b for c, b in zip(configs, baselines, strict=True)}

    # per member, the probes that finish after the run (late_kkt): only those are kept,
    # since a probe holds its run's data and a memory-split batch must free each seed's
    built: dict[str, list[Probe]] = {}

    def member_probes(prepared: Prepared) -> Probe:
        probes = [f(prepared) for f in run_set.probes(fitted[prepared.config.key()])]
        built[prepared.config.key()] = [p for p in probes if hasattr(p, "finish")]
        return combined(probes)

    start = time.perf_counter()
    traces = run_batch(configs, probes=[member_probes], warn=False)
    if any(trace.status == "interrupted" for trace in traces):
        raise KeyboardInterrupt
    for config, trace in zip(configs, traces, strict=True):  # probes that defer (late_kkt)
        finish_probes(built.get(config.key(), []), trace.records)
        trace.baselines = fitted[config.key()] or None
    seconds = time.perf_counter() - start
    for config, trace in zip(configs, traces, strict=True):
        log(f"  {run_set.name}: {_describe(config)} -> {trace.status}")
    how = "vectorised" if all(c.dynamics in BATCHED_DYNAMICS for c in configs) else "one by one"
    log(f"  {run_set.name}: {len(configs)} runs, {how}, in {seconds:.1f}s")
    return traces


def compute_named(run_set: str, configs: list[RunConfig]) -> list[Trace]:
    """``compute_traces`` for the loaded run set named ``run_set``, quietly: what a sweep's
    worker calls (a name pickles where a run set's grid and probe functions may not)."""
    return compute_traces(run_sets()[run_set], configs, lambda line: None)


def run_members(
    run_set: RunSet,
    configs: Sequence[RunConfig],
    log: Callable[[str], None],
    compute: Compute | None = None,
) -> list[Member]:
    """Every member of a run set: the baselines fitted on its data, and its trace
    (``compute``: in this process by default)."""
    fit = getattr(compute, "fit_baselines", None)  # StoredRuns: kept in the store
    with sharing_data():  # the last member's data, drawn for its baselines, serves its run
        if fit is not None:
            fitted = [fit(run_set, config) for config in configs]
        else:
            fitted = [fit_baselines(config, run_set.baselines) for config in configs]
        if not run_set.train:
            traces = [untrained(config) for config in configs]
        else:
            traces = (compute or compute_traces)(run_set, list(configs), log, fitted)
    return [Member(c, t, b) for c, t, b in zip(configs, traces, fitted, strict=True)]


def untrained(config: RunConfig) -> Trace:
    """The trace of a member that is not trained (``RunSet.train`` false): no records."""
    return Trace(config=config.to_dict(), env={}, summary={"trained": False})


def _describe(config: RunConfig) -> str:
    scale = f"alpha={config.alpha:g}" if config.alpha is not None else f"|θ0|={config.init_norm:g}"
    return f"{config.experiment} seed={config.seed} {scale} wd={config.wd:g}"


def collect(
    names: Sequence[str],
    scale: str,
    log: Callable[[str], None] | None = None,
    base: Overrides | None = None,
    compute: Compute | None = None,
) -> tuple[dict[str, list[Member]], dict[str, float]]:
    """Run the named run sets (``compute``: how, in this process by default); returns their
    members and the wall time each took.

    Ctrl-C stops the collection: the run sets that finished are returned, the rest are
    missing from the result (the caller reports them as not done).
    """
    log = log or progress.log  # stderr, unless grokbench -q
    known = run_sets()
    configs = {name: configs_of(known[name], scale, base) for name in names}  # validates first
    results: dict[str, list[Member]] = {}
    timings: dict[str, float] = {}
    prefetch = getattr(compute, "prefetch", None)  # StoredRuns with an executor
    if prefetch is not None:
        try:
            prefetch([(known[n], configs[n]) for n in names], log)
        except KeyboardInterrupt:
            log("interrupted while computing the runs; the finished ones are stored")
            return results, timings
    for name in names:
        start = time.perf_counter()
        log(f"run set {name} ({scale})")
        try:
            results[name] = run_members(known[name], configs[name], log, compute)
        except KeyboardInterrupt:
            log(f"interrupted during run set {name}; keeping the {len(results)} that finished")
            break
        spent = getattr(compute, "unit_seconds", {}).get(name, 0.0)  # on workers, earlier
        timings[name] = time.perf_counter() - start + spent
    return results, timings
