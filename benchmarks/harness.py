"""What the benchmarks measure and against what: the paper-style reference loop, peak
memory, side-by-side measurement of one run in a fresh process, and of small works in turn
in this one (``side_by_side``).

The reference is written the way the paper's experiments are run, independently of
grokbench's dynamics: the model as an ``nn.Module``, full-batch ``torch.optim.SGD`` with
``weight_decay=λ`` at the paper's step size, ``loss.backward()``, an evaluation every 1000
steps. It records a grokbench Trace (the same evaluation code, the same fields), so the
same measures (``grokbench.engine.measure.transition``) apply to both sides.
"""

from __future__ import annotations

import dataclasses
import math
import os
import resource
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from types import SimpleNamespace
from typing import Any

import torch

from grokbench.engine import runner
from grokbench.engine.config import make_config
from grokbench.engine.experiments import get_experiment
from grokbench.engine.measure import transition
from grokbench.engine.objective import Objective, data_loss
from grokbench.engine.recorder import Recorder
from grokbench.infra.environment import environment
from grokbench.spec import RunConfig, Trace

#: The paper's GD step size per experiment (CLAIMS.md, "Experiments").
PAPER_LR = {"sparse-cls": 0.01, "misgrok": 0.01, "matrix-completion": 0.1, "modadd": 0.002}
EVAL_EVERY = 1000


def reference_gd(config: RunConfig, every: int = EVAL_EVERY) -> Trace:
    """The paper's loop on ``config``'s data, model and λ, to ``config``'s horizon, with
    ``config.lr`` as the step; t = η·steps."""
    prepared = runner.prepare(dataclasses.replace(config, dynamics="sgd"))
    model, data, lr = prepared.model, prepared.data, config.lr
    objective = Objective(prepared.flat.function, data, config.wd)  # evaluation only
    recorder = Recorder(objective)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=config.wd)
    steps = math.ceil(prepared.t_end / lr - 1e-9)
    start, stopped = time.perf_counter(), "horizon"
    for step in range(steps + 1):
        if step % every == 0 or step == steps:
            recorder.step = objective.grad_evals = step
            with torch.no_grad():
                if not recorder(step * lr, prepared.flat.current()):
                    stopped = "diverged"
                    break
        if step == steps:
            break
        optimizer.zero_grad()
        loss = data_loss(data.kind, model(data.x_train), data.y_train)
        loss.backward()
        optimizer.step()
    return runner.make_trace(prepared, recorder, stopped, time.perf_counter() - start, step)


class PeakMemory:
    """Peak memory of the block above its start: CUDA's allocator peak on a GPU; on a CPU
    the process's resident set, from its high-water mark (``ru_maxrss``) when the block
    raised it, else from samples every ``interval`` seconds taken by a thread (torch's
    CPU allocations are invisible to tracemalloc)."""

    def __init__(self, device: str, interval: float = 0.01) -> None:
        self.device, self.interval = device, interval
        self.peak_bytes = 0
        self._stop = threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    @staticmethod
    def high_water() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            self._high = max(self._high, self.rss())

    def __enter__(self) -> PeakMemory:
        if self.device.startswith("cuda"):
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self._base = torch.cuda.memory_allocated()
            return self
        self._base = self._high = self.rss()
        self._mark = self.high_water()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.device.startswith("cuda"):
            torch.cuda.synchronize()
            self.peak_bytes = torch.cuda.max_memory_allocated() - self._base
            return
        self._stop.set()
        self._thread.join()
        high = max(self._high, self.rss())
        if self.high_water() > self._mark:  # the process's peak happened inside the block
            high = max(high, self.high_water())
        self.peak_bytes = high - self._base


def _side(side: str, config: RunConfig) -> Callable[[], Trace]:
    if side == "reference":
        paper = dataclasses.replace(config, lr=PAPER_LR[config.experiment])
        return lambda: reference_gd(paper)
    return lambda: runner.run(config)


def measure_once(
    side: str, experiment: str, overrides: dict[str, Any], threads: int, repeats: int = 1
) -> dict:
    """Run one side (``grokbench`` or ``reference``) and measure it; runs in a child.

    A short smoke-scale run of the same side first takes one-time costs (library
    initialisation, first calls) out of the timing; wall and CPU times (the process's,
    all threads) are medians of ``repeats`` runs, peak memory that of the first. CPU time
    is the figure a machine shared with other jobs disturbs least.
    """
    if threads:
        torch.set_num_threads(threads)
    config = make_config(experiment, "ci", overrides)
    warmup = make_config(experiment, "smoke", {**overrides, "horizon": "0.05/wd"})
    _side(side, warmup)()
    walls, cpus = [], []
    for repeat in range(repeats):
        with PeakMemory(config.device) as memory:
            start, cpu = time.perf_counter(), time.process_time()
            trace = _side(side, config)()
            if config.device.startswith("cuda"):
                torch.cuda.synchronize()
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        if repeat == 0:
            peak = memory.peak_bytes
    shape = transition(trace)
    return {
        "wall_s": statistics.median(walls),
        "walls_s": walls,
        "cpu_s": statistics.median(cpus),
        "cpus_s": cpus,
        "grad_evals": trace.summary["grad_evals"],
        "peak_mb": peak / 2**20,
        "t_grok": shape.t_grok,
        "plateau": shape.plateau,
        "final": shape.final,
        "status": trace.status,
        "t_end": trace.summary["t_end"],
        "lr": PAPER_LR[experiment] if side == "reference" else config.lr,
        "dynamics": config.dynamics if side == "grokbench" else "sgd (paper loop)",
        "integrator": _integrator(config) if side == "grokbench" else "",
        "records": len(trace.records),
    }


def _integrator(config: RunConfig) -> str:
    """The flow integrator the runner picks for ``config`` (it only looks at the task kind)."""
    if config.dynamics != "flow":
        return ""
    task = SimpleNamespace(kind=get_experiment(config.experiment).kind)
    return runner.flow_method(config, task)  # type: ignore[arg-type]


def measure_in_child(
    side: str, experiment: str, overrides: dict[str, Any], threads: int, repeats: int = 1
) -> dict:
    """``measure_once`` in a fresh process, so one side's memory does not hide the other's."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        job = pool.submit(measure_once, side, experiment, overrides, threads, repeats)
        return job.result()


def merge(first: dict, second: dict) -> dict:
    """Two ``measure_once`` results of the same side as one: medians over all runs."""
    walls = first["walls_s"] + second["walls_s"]
    cpus = first["cpus_s"] + second["cpus_s"]
    return {
        **first,
        "walls_s": walls,
        "cpus_s": cpus,
        "wall_s": statistics.median(walls),
        "cpu_s": statistics.median(cpus),
    }


def bench_env(device: str, threads: int) -> dict[str, Any]:
    """Hardware and library versions for a timing (``grokbench.infra.environment.environment``)."""
    env = environment(device, "float64")
    env["torch_threads"] = threads or torch.get_num_threads()
    env["omp_wait_policy"] = os.environ.get("OMP_WAIT_POLICY", "")
    return env


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.inf


def relative_difference(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return abs(a - b) / abs(b)


def max_trace_difference(first: list[Trace], second: list[Trace]) -> float:
    """The largest relative difference of any record field (wall time aside)."""
    worst = 0.0
    for a, b in zip(first, second, strict=True):
        if len(a.records) != len(b.records):
            return math.inf
        for ra, rb in zip(a.records, b.records, strict=True):
            da, db = ra.to_dict(), rb.to_dict()
            for key, value in da.items():
                if key in ("wall_s", "probes") or value == db[key]:
                    continue
                worst = max(worst, abs(value - db[key]) / max(abs(value), 1e-300))
    return worst


def side_by_side(works: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Each work's best time in ms, the works run in turn ``repeat`` times (after one
    warm-up each), so that drift of the machine hits them alike."""
    best = dict.fromkeys(works, float("inf"))
    for work in works.values():
        work()
    for _ in range(repeat):
        for name, work in works.items():
            start = time.perf_counter()
            work()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: 1e3 * value for name, value in best.items()}
