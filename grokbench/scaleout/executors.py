"""Where the work units of a sweep run: anything with the ``concurrent.futures`` Executor
interface (``submit`` returning a ``concurrent.futures.Future``).

Built in: local processes (``ProcessPoolExecutor``, spawn, the default), Dask distributed
(a scheduler address or a LocalCluster) and Slurm through submitit. Dask and submitit are
optional (``pip install "grokbench[dist]"``); asking for them without the extra is a
one-line ConfigError. grokbench schedules nothing itself: these engines do.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grokbench.infra import allocator
from grokbench.scaleout.slurm_jobs import EarlierUnit, earlier_units
from grokbench.spec import ConfigError

EXECUTORS: tuple[str, ...] = ("local", "dask", "slurm")
INSTALL_HINT = 'pip install "grokbench[dist]"'


def require(module: str, option: str) -> Any:
    """Import an optional dependency, or say in one line how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"{option}: needs the optional {module.split('.')[0]} package; {INSTALL_HINT}"
        ) from None


# -- local processes ---------------------------------------------------------------------


def _init_worker(parent: int) -> None:
    """In each local worker: leave Ctrl-C to the driver, and exit when the driver is gone
    (a SIGKILLed sweep must not leave workers computing runs nobody will store)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="grokbench-parent-watch").start()


class LocalProcessExecutor(cf.ProcessPoolExecutor):
    """A spawn-context process pool whose workers ignore Ctrl-C and die with the driver."""

    def __init__(self, workers: int) -> None:
        super().__init__(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        self.workers = workers

    def terminate(self) -> None:
        """Stop now: cancel what has not started and kill the workers mid-run."""
        processes = dict(getattr(self, "_processes", None) or {})
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes.values():
            with contextlib.suppress(Exception):
                process.kill()


# -- submitit (Slurm) ----------------------------------------------------------------------


class SubmititExecutor(cf.Executor):
    """A submitit executor (Slurm or local jobs) behind the concurrent.futures interface:
    each ``submit`` is one job; a polling thread resolves its Future when the job ends."""

    def __init__(self, executor: Any, poll_s: float = 1.0, folder: Path | None = None) -> None:
        self._executor = executor
        self._poll_s = poll_s
        self._folder = folder  # where the jobs' pickles and logs go (``<folder>/%j``)
        self._jobs: list[tuple[Any, cf.Future[Any]]] = []
        self._lock = threading.Lock()
        self._closed = False
        self._thread: threading.Thread | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        if self._closed:
            raise RuntimeError("cannot submit after shutdown")
        return self._track(self._executor.submit(fn, *args, **kwargs))

    def earlier_units(self, unit_function: Callable[..., Any]) -> list[EarlierUnit]:
        """Units of ``unit_function`` that an earlier client submitted into this folder on
        Slurm and that finished or are still queued or running (``slurm_jobs``)."""
        if self._folder is None or self._executor.cluster != "slurm":
            return []
        return earlier_units(self._folder, unit_function)

    def adopt(self, job_id: str) -> cf.Future[Any]:
        """A Future for an earlier client's job, resolved as if this executor had submitted it."""
        submitit = require("submitit", "--executor slurm")
        return self._track(submitit.SlurmJob(folder=self._folder, job_id=job_id))

    def _track(self, job: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        future.set_running_or_notify_cancel()
        future.job_id = job.job_id  # type: ignore[attr-defined]
        with self._lock:
            self._jobs.append((job, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._poll, daemon=True)
                self._thread.start()
        return future

    def _poll(self) -> None:
        while True:
            with self._lock:
                jobs = list(self._jobs)
                if not jobs and self._closed:
                    return
            for job, future in jobs:
                if job.done():
                    self._resolve(job, future)
            time.sleep(self._poll_s)

    def _resolve(self, job: Any, future: cf.Future[Any]) -> None:
        with self._lock:
            if (job, future) not in self._jobs:
                return  # terminated meanwhile
            self._jobs.remove((job, future))
        try:
            result = job.result()
        except Exception as error:  # the job failed: its error goes to the driver
            future.set_exception(error)
        else:
            future.set_result(result)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True
        if cancel_futures:
            self.terminate()
        if wait and self._thread is not None:
            self._thread.join()

    def terminate(self) -> None:
        """Cancel every job still queued or running (scancel on Slurm)."""
        self._closed = True
        with self._lock:
            jobs, self._jobs = list(self._jobs), []
        for job, future in jobs:
            with contextlib.suppress(Exception):
                job.cancel(check=False)
            future.set_exception(RuntimeError(f"job {job.job_id} cancelled"))


@dataclass(frozen=True)
class SlurmOptions:
    """Per-job resources of ``--executor slurm`` (submitit's parameter names in brackets)."""

    partition: str | None = None  # slurm_partition
    time_min: int = 60  # timeout_min
    gpus: int = 0  # gpus_per_node
    cpus: int = 1  # cpus_per_task
    mem_gb: float | None = None  # mem_gb
    folder: str = ".grokbench/slurm"  # logs and pickles of each job
    cluster: str = "slurm"  # slurm, or local/debug to try the setup without Slurm
    setup: tuple[str, ...] = field(default_factory=tuple)  # shell lines before each job


def submitit_executor(options: SlurmOptions) -> SubmititExecutor:
    """A submitit AutoExecutor with these resources, wrapped as a concurrent.futures one."""
    submitit = require("submitit", "--executor slurm")
    if options.cluster == "slurm" and shutil.which("sbatch") is None:
        raise ConfigError(
            "--executor slurm: sbatch is not on PATH (run on a Slurm login node, "
            "or --slurm-cluster local to try it locally)"
        )
    if options.time_min <= 0 or options.gpus < 0 or options.cpus < 1:
        raise ConfigError("--executor slurm: --time must be > 0, --gpus ≥ 0, --cpus ≥ 1")
    executor = submitit.AutoExecutor(folder=Path(options.folder) / "%j", cluster=options.cluster)
    params: dict[str, Any] = {
        "name": "grokbench",
        "timeout_min": options.time_min,
        "gpus_per_node": options.gpus,
        "cpus_per_task": options.cpus,
        "nodes": 1,
        "tasks_per_node": 1,
    }
    if options.partition:
        params["slurm_partition"] = options.partition
    if options.mem_gb:
        params["mem_gb"] = options.mem_gb
    if options.setup:
        params["slurm_setup"] = list(options.setup)
    executor.update_parameters(**params)
    poll = 1.0 if options.cluster == "slurm" else 0.2
    return SubmititExecutor(executor, poll_s=poll, folder=Path(options.folder) / "%j")


# -- one entry point -----------------------------------------------------------------------


@dataclass
class Backend:
    """An open executor with how many work units it runs at once (``slots``: the sweep
    keeps that many in flight; None means submit everything) and a one-line description.
    ``shares_memory``: its workers run on this machine and share its memory (local
    processes, a LocalCluster), so the sweep starts units within it (``admission``)."""

    executor: cf.Executor
    slots: int | None
    description: str
    threads: int = 1
    shares_memory: bool = False
    _close: list[Callable[[], None]] = field(default_factory=list)

    def abort(self) -> None:
        """Stop at once (Ctrl-C): kill local workers, cancel Dask tasks or Slurm jobs."""
        terminate = getattr(self.executor, "terminate", None)
        if terminate is not None:
            terminate()

    def close(self) -> None:
        for step in reversed(self._close):
            with contextlib.suppress(Exception):
                step()
        self._close.clear()


#: Dask's nanny starts its workers with glibc's ``MALLOC_TRIM_THRESHOLD_`` (65536, to hand
#: freed memory back to the OS). Setting a malloc tunable freezes glibc's mmap threshold at
#: 128 KB unless the threshold is set too, so every torch temporary above it (a batch's
#: states: megabytes) was a fresh mapping, faulted in page by page: the paper α sweep's
#: unit spent 227 s in the kernel of its 565 s on a 1-worker LocalCluster, against 17 s of
#: 362 s with the variable unset (benchmarks/NOTES.md, round 10). grokbench's own
#: LocalCluster starts its workers with ``allocator.environ()`` instead (round 17); workers
#: started by hand take it from the Dask configuration (docs/scaleout.md).
PRE_SPAWN_KEY = "distributed.nanny.pre-spawn-environ"


def _dask(scheduler: str | None, workers: int | None, processes: bool) -> Backend:
    distributed = require("distributed", "--executor dask")
    closers: list[Callable[[], None]] = []
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as error:
            raise ConfigError(f"--scheduler {scheduler}: cannot connect ({error})") from None
        slots = workers or max(1, sum(client.nthreads().values()))
        where = f"dask scheduler {scheduler}"
    else:
        import logging

        import dask

        n = workers or os.cpu_count() or 1
        environ = {f"{PRE_SPAWN_KEY}.{name}": value for name, value in allocator.environ().items()}
        with dask.config.set(environ):  # in the environment of the workers it spawns
            cluster = distributed.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                # each worker may use the machine, not 1/n of it: units are unequal, and
                # the sweep starts them within the memory they share (admission)
                memory_limit=distributed.system.MEMORY_LIMIT,
                processes=processes,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        closers.append(cluster.close)
        client = distributed.Client(cluster)
        slots, where = n, f"dask LocalCluster ({n} workers)"
    closers.append(client.close)
    executor = client.get_executor(pure=False)
    return Backend(executor, slots, where, shares_memory=not scheduler, _close=closers)


def open_backend(
    kind: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    slurm: SlurmOptions | None = None,
    processes: bool = True,
) -> Backend:
    """The executor ``--executor kind`` names, opened. ``workers``: local processes, Dask
    LocalCluster workers (or the units in flight on a scheduler), Slurm jobs in flight."""
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers: must be ≥ 1, got {workers}")
    if scheduler and kind != "dask":
        raise ConfigError("--scheduler: only with --executor dask")
    if kind == "local":
        n = workers or os.cpu_count() or 1
        executor = LocalProcessExecutor(n)
        where = f"local processes ({n})"
        return Backend(executor, n, where, shares_memory=True, _close=[executor.shutdown])
    if kind == "dask":
        return _dask(scheduler, workers, processes)
    if kind == "slurm":
        options = slurm or SlurmOptions()
        jobs = submitit_executor(options)
        where = f"submitit {options.cluster}" + (
            f" partition {options.partition}" if options.partition else ""
        )
        return Backend(jobs, workers, where, threads=options.cpus, _close=[jobs.shutdown])
    raise ConfigError(f"--executor: unknown {kind!r}; choose one of {', '.join(EXECUTORS)}")


@contextlib.contextmanager
def backend(*args: Any, **kwargs: Any) -> Iterator[Backend]:
    """``open_backend`` as a context manager that closes what it opened."""
    opened = open_backend(*args, **kwargs)
    try:
        yield opened
    finally:
        opened.close()
