"""Many runs at once: runs that differ only in α (or ‖θ(0)‖), λ, seed and step size advance
together as one batched computation, each with its own step size, horizon, evaluation
times and stopping, and each yields the Trace a one-by-one ``grokbench.engine.runner.run`` gives
(same records to rounding, same summary fields through ``runner.summarize``).

What cannot be batched runs one by one, with a ``SequentialFallback`` warning saying why:
runs of different experiments, sizes, dtypes, devices, tolerances or integrators go to
separate batches; optimizer dynamics and normalised GD (``ngd``) run sequentially.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import torch

from grokbench.engine import runner
from grokbench.engine.batched import SPLITS, BatchedObjective
from grokbench.engine.experiments import get_experiment
from grokbench.engine.memory_split import split_by_seed
from grokbench.engine.objective import Objective
from grokbench.engine.ode import solver_class
from grokbench.engine.ode.driver import EvalBatch
from grokbench.engine.recorder import Recorder, due
from grokbench.spec import RunConfig, TaskData, Trace

Progress = Callable[[float], None]
BATCHED_DYNAMICS = ("flow", "gd")


class SequentialFallback(UserWarning):
    """Some runs of a ``run_batch`` call ran one by one instead of batched."""


def batch_key(config: RunConfig) -> tuple[Any, ...] | None:
    """Runs with equal keys can share a batch; None for dynamics that are not batched and
    for a loss other than the default (the batched gradient is the default loss's)."""
    if config.dynamics not in BATCHED_DYNAMICS or config.loss != "ce-accurate" or config.loss_dtype:
        return None
    if config.batch or config.warmup or config.stop_at or config.phase2_keep:  # one by one
        return None
    task = json.dumps(config.task, sort_keys=True)
    shared: tuple[Any, ...] = (config.experiment, config.model, task, config.dynamics, config.dtype)
    shared += (config.test_dtype, config.train_dtype)
    if config.dynamics == "flow":
        shared += (config.integrator, config.rtol, config.atol)
    return (*shared, config.device)


def plan(configs: Sequence[RunConfig]) -> list[list[int]]:
    """Indices of ``configs`` grouped into batches (first-appearance order); runs that
    cannot be batched are batches of one."""
    batches: dict[Any, list[int]] = {}
    for i, config in enumerate(configs):
        key = batch_key(config)
        batches.setdefault(key if key is not None else ("alone", i), []).append(i)
    return list(batches.values())


def run_batch(
    configs: Sequence[RunConfig],
    progress: Progress | None = None,
    probes: Sequence[runner.ProbeFactory] = (),
    warn: bool = True,
) -> list[Trace]:
    """Run every config, batching those that can be; traces in the order of ``configs``.

    ``progress`` gets the fraction of all runs' horizons done; ``probes`` are runner
    probe factories, applied to each run; ``warn=False`` leaves out the
    ``SequentialFallback`` warning (for callers that expect runs which do not batch).
    """
    planned = plan(configs)
    alone = [configs[b[0]].dynamics for b in planned if batch_key(configs[b[0]]) is None]
    if warn and len(configs) > 1 and len(planned) > 1:
        why = f"; dynamics {', '.join(sorted(set(alone)))} run one by one" if alone else ""
        warnings.warn(
            SequentialFallback(
                f"run_batch: {len(configs)} runs in {len(planned)} batches (runs differ in "
                f"more than alpha, init_norm, wd, seed and lr{why})"
            ),
            stacklevel=2,
        )
    traces: list[Trace | None] = [None] * len(configs)
    done = 0.0

    def report(share: float) -> Progress | None:
        if progress is None:
            return None
        return lambda fraction: progress((done + share * fraction) / len(configs))

    # a batch whose seeds' datasets would not fit in memory together: one seed at a time,
    # each part still on the batched path (one test-set product per step, not per record)
    batches = [
        (part, len(batch) > 1) for batch in planned for part in split_by_seed(configs, batch)
    ]
    for batch, together in batches:
        members = [configs[i] for i in batch]
        if len(members) == 1 and not together and not _faster_together(members[0]):
            results = [runner.run(members[0], report(1.0), probes)]
        else:
            results = _run_together(members, report(float(len(members))), probes)
        for i, trace in zip(batch, results, strict=True):
            traces[i] = trace
        done += len(members)
    return [t for t in traces if t is not None]


def _faster_together(config: RunConfig) -> bool:
    """Whether a lone run is faster through the batched path: GD of a built-in multi-class
    experiment's depth-2 MLP (modadd), whose gradient ``grokbench.engine.mlp_grad`` writes out
    (2–3× faster than autograd's, same numbers to rounding), and any run with lowered
    training products (``train_dtype``: only the batched diagonal net computes them)."""
    if runner.batched_only(config) and batch_key(config) is not None:
        return True
    if config.dynamics != "gd" or config.model or config.task.get("depth") != 2:
        return False
    if batch_key(config) is None:  # another loss: its gradient is not written out
        return False
    return get_experiment(config.experiment).kind == "multiclass"


def _run_together(
    configs: Sequence[RunConfig],
    progress: Progress | None,
    probes: Sequence[runner.ProbeFactory],
) -> list[Trace]:
    """One batch: prepare each run as the runner does, share data across equal seeds,
    advance all together, then build each trace as the runner does."""
    seeds = list(dict.fromkeys(config.seed for config in configs))
    order = sorted(range(len(configs)), key=lambda i: seeds.index(configs[i].seed))
    configs = [configs[i] for i in order]  # grouped by seed, so groups are contiguous rows
    prepared: list[runner.Prepared] = []
    datasets: dict[int, TaskData] = {}
    for config in configs:  # the same seed and sizes draw the same data: draw it once
        prepared.append(runner.prepare(config, datasets.get(config.seed), training=True))
        datasets.setdefault(config.seed, prepared[-1].data)
    groups = [seeds.index(config.seed) for config in configs]
    objectives = [
        Objective(p.flat.function, p.data, p.config.wd, mixed=p.flat.mixed_precision_inputs)
        for p in prepared
    ]
    recorders = [
        Recorder(o, [f(p) for f in probes]) for o, p in zip(objectives, prepared, strict=True)
    ]
    times = [runner.run_times(p, o) for p, o in zip(prepared, objectives, strict=True)]
    base = [o.grad_evals for o in objectives]
    train_dtype = configs[0].train_dtype
    batched = BatchedObjective(
        prepared[0].flat,
        list(datasets.values()),
        groups,
        [c.wd for c in configs],
        getattr(torch, train_dtype) if train_dtype else None,
    )
    theta0 = torch.stack([p.theta0 for p in prepared])
    t_end = torch.tensor([p.t_end for p in prepared], dtype=theta0.dtype, device=theta0.device)

    # large test sets: both splits wait for DEFERRED_STATES states per dataset, then one
    # product each (grokbench.engine.runner.deferred_test_states; Recorder.complete)
    defer = any(runner.deferred_test_states(p) for p in prepared)
    pending: list[tuple[int, int, torch.Tensor]] = []  # (member, record index, state)

    def flush() -> None:
        if not pending:
            return
        members, indices, states = zip(*pending, strict=True)
        pending.clear()
        numbers = batched.evaluate(members, torch.stack(states))
        for member, index, state, values, out in zip(
            members, indices, states, numbers, batched.test_outputs, strict=True
        ):
            recorders[member].complete(index, state, values, out)  # type: ignore[arg-type]

    def on_evals(batch: EvalBatch) -> list[bool]:
        metrics = batched.evaluate(batch.members, batch.states, () if defer else SPLITS)
        flags, stopped = [], set()
        for i, member in enumerate(batch.members):
            recorder = recorders[member]
            recorder.step = batch.steps[i]
            recorder.objective.grad_evals = base[member] + batch.rhs_evals[i]
            keep = member not in stopped and recorder.record(
                batch.times[i], batch.states[i], metrics[i], batched.test_outputs[i], defer=defer
            )
            if keep and defer:
                pending.append((member, len(recorder.records) - 1, batch.states[i].clone()))
            if not keep:
                stopped.add(member)
            flags.append(keep)
        if len(pending) >= runner.DEFERRED_STATES * len(datasets):
            flush()  # a member whose deferred train loss diverged stops here
            flags = [
                keep and recorders[m].diverged_at is None
                for keep, m in zip(flags, batch.members, strict=True)
            ]
        return flags

    start = time.perf_counter()
    try:
        if configs[0].dynamics == "flow":
            stopped, counts = _flow(
                configs, prepared, batched, theta0, t_end, times, on_evals, progress
            )
        else:
            stopped, counts = _descend(configs, batched, theta0, t_end, times, on_evals, progress)
    except KeyboardInterrupt:
        ends = t_end.tolist()
        stopped = [
            "horizon" if r.records and r.records[-1].t >= e else "interrupted"
            for r, e in zip(recorders, ends, strict=True)
        ]
        counts = [o.grad_evals - b for o, b in zip(objectives, base, strict=True)]
    flush()
    wall = time.perf_counter() - start
    traces = [
        runner.make_trace(p, r, s, wall, b + c)
        for p, r, s, b, c in zip(prepared, recorders, stopped, base, counts, strict=True)
    ]
    return [traces[order.index(i)] for i in range(len(order))]


def _flow(
    configs: Sequence[RunConfig],
    prepared: Sequence[runner.Prepared],
    batched: BatchedObjective,
    theta0: torch.Tensor,
    t_end: torch.Tensor,
    times: Sequence[torch.Tensor],
    on_evals: Callable[[EvalBatch], list[bool]],
    progress: Progress | None,
) -> tuple[list[str], list[int]]:
    """Gradient flow of the batch, as ``dynamics.gradient_flow`` runs each member."""
    config = configs[0]
    method = solver_class(runner.flow_method(config, prepared[0].data))
    first = torch.tensor([c.lr for c in configs], dtype=theta0.dtype, device=theta0.device)

    def rhs(state: torch.Tensor, rows: list[int] | None) -> torch.Tensor:
        return -batched.grad_of(state, rows)  # the running members' rows

    def on_step(t: torch.Tensor) -> bool:
        if progress is not None:
            progress(float((t / t_end).clamp(max=1.0).mean()))
        return True

    solver = method(rhs, rtol=config.rtol, atol=config.atol, first_step=first, max_step=t_end / 20)
    decay = torch.tensor([c.wd for c in configs], dtype=theta0.dtype, device=theta0.device)
    degree = prepared[0].model.degree
    result = solver.solve(
        theta0,
        t_end,
        times,
        on_step=on_step,
        on_evals=on_evals,
        decay=decay,
        degree=degree,
        compact=True,
    )
    return result.stopped, result.rhs_evals


def _descend(
    configs: Sequence[RunConfig],
    batched: BatchedObjective,
    theta0: torch.Tensor,
    t_end: torch.Tensor,
    times: Sequence[torch.Tensor],
    on_evals: Callable[[EvalBatch], list[bool]],
    progress: Progress | None = None,
    check_every: int = 1000,
) -> tuple[list[str], list[int]]:
    """Full-batch GD of the batch, each member exactly as ``dynamics.gradient_descent``
    runs it: its own step η, horizon, evaluation steps and stopping."""
    theta = theta0.clone()
    size = len(configs)
    lrs = [c.lr for c in configs]
    ends = t_end.tolist()
    grid = [member.tolist() for member in times]
    steps_by_lr = [
        (lr, torch.tensor([b for b in range(size) if lrs[b] == lr])) for lr in sorted(set(lrs))
    ]
    t, next_eval, taken = [0.0] * size, [0] * size, [0] * size
    stopped: list[str | None] = [None] * size
    step = 0
    while True:
        members, stamps = [], []
        for b in range(size):
            while stopped[b] is None and next_eval[b] < len(grid[b]):
                if not due(grid[b][next_eval[b]], t[b]):
                    break
                members.append(b)
                stamps.append(t[b])
                next_eval[b] += 1
        if members:
            batch = EvalBatch(
                members, stamps, theta[members], [step] * len(members), [step] * len(members)
            )
            for member, keep in zip(members, on_evals(batch), strict=True):
                if not keep:
                    stopped[member] = "diverged"
        for b in range(size):
            if stopped[b] is None and (next_eval[b] >= len(grid[b]) or t[b] >= ends[b]):
                stopped[b] = "horizon"
        running = [b for b in range(size) if stopped[b] is None]
        if not running:
            return [s or "horizon" for s in stopped], taken
        grad = batched.grad(theta, running if len(running) < size else None)
        for lr, index in steps_by_lr:
            if len(index) == size:
                theta.sub_(grad, alpha=lr)
            else:
                theta[index] = theta[index].sub(grad[index], alpha=lr)
        for b in running:
            t[b] += lrs[b]
            taken[b] += 1
        step += 1
        if step % check_every == 0:
            finite = torch.isfinite(theta).all(-1).tolist()
            for b in running:
                if not finite[b]:  # recorded as diverged, as a one-by-one run records it
                    on_evals(EvalBatch([b], [t[b]], theta[[b]], [step], [step]))
                    stopped[b] = "diverged"
            if progress is not None:
                progress(sum(min(t[b] / ends[b], 1.0) for b in range(size)) / size)
