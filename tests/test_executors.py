"""Sweeps through executors: local processes, a real Dask LocalCluster and submitit's local
executor give the same stored runs; a SIGKILLed sweep restarted computes only what was
missing; failed runs are stored and retried; missing extras are one line, exit 2."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import torch

from grokbench.cli import main
from grokbench.engine.memory_split import dataset_bytes
from grokbench.infra import allocator
from grokbench.infra.store import Store
from grokbench.scaleout.executors import SlurmOptions, backend
from grokbench.scaleout.grid import expand_grid, parse_grid
from grokbench.scaleout.monitor import SweepStatus
from grokbench.scaleout.sweep import run_configs, run_sweep
from grokbench.scaleout.units import SHARED_DATA_BYTES, make_units, work_unit
from grokbench.spec import ConfigError

GRID = {"init_norm": ["10", "100"], "seed": ["0", "1"]}
VERSION = "test-version"


pytestmark = pytest.mark.usefixtures("keep_threads")


def configs() -> list[Any]:
    return expand_grid("sparse-cls", "smoke", {}, GRID)


def stored(path: Path) -> dict[str, dict[str, Any]]:
    """Every stored run as {hash: trace dict} with the wall times taken out."""
    with Store(path) as store:
        out = {}
        for info in store.runs():
            trace = store.get_run(info.config_hash, info.code_version).to_dict()
            for record in trace["records"]:
                record.pop("wall_s")
            trace["summary"].pop("wall_s")
            keys = ("config", "status", "records", "summary")
            out[info.config_hash] = {key: trace[key] for key in keys}
        return out


@pytest.fixture(scope="module")
def local_result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The smoke sweep on a local process (2 runs per vectorised unit, so 2 units)."""
    path = tmp_path_factory.mktemp("local") / "s.sqlite"
    with backend("local", workers=1) as opened:
        result = run_sweep(configs(), opened, path, code_version=VERSION, chunk=2)
    assert (result.total, result.ok, result.failed) == (4, 4, 0)
    runs = stored(path)
    assert len(runs) == 4 and all(run["status"] == "ok" for run in runs.values())
    return runs


def test_dask_local_cluster_equals_local_processes(tmp_path, local_result):
    pytest.importorskip("distributed")
    path = tmp_path / "dask.sqlite"
    with backend("dask", workers=2, processes=False) as opened:
        assert opened.slots == 2 and "LocalCluster" in opened.description
        result = run_sweep(configs(), opened, path, code_version=VERSION, chunk=2)
    assert (result.total, result.ok, result.failed) == (4, 4, 0)
    assert stored(path) == local_result


def _memory_limit() -> int:
    import distributed

    return distributed.get_worker().memory_manager.memory_limit


def test_dask_workers_start_with_grokbench_malloc_settings_and_the_machines_memory(monkeypatch):
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_ alone in its workers, which freezes glibc's
    mmap threshold at 128 KB (every large torch temporary faulted in afresh: a paper unit
    spent 40% of its time in the kernel); grokbench's LocalCluster starts them with
    ``allocator.ENVIRON`` (a user's own value kept) and the rest of the nanny's environment
    (one BLAS thread). Each worker may use the whole machine's memory, not Dask's default
    share of it (a paper-scale unit of 8.2 GB was killed on 4 workers with 24 GB), and the
    sweep admits units within it (tests/test_admission.py)."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("MALLOC_ARENA_MAX", "3")
    with backend("dask", workers=2) as opened:
        environ = opened.executor.submit(dict, os.environ).result()
        limit = opened.executor.submit(_memory_limit).result()
    assert opened.shares_memory
    assert limit == distributed.system.MEMORY_LIMIT
    assert {name: environ.get(name) for name in allocator.ENVIRON} == {
        **allocator.ENVIRON,
        "MALLOC_ARENA_MAX": "3",
    }
    assert environ.get("OPENBLAS_NUM_THREADS") == "1"


def test_submitit_local_executor_equals_local_processes(tmp_path, local_result):
    pytest.importorskip("submitit")
    options = SlurmOptions(cluster="local", folder=str(tmp_path / "jobs"), time_min=5)
    path = tmp_path / "submitit.sqlite"
    with backend("slurm", slurm=options) as opened:
        result = run_sweep(configs(), opened, path, code_version=VERSION, chunk=2)
    assert (result.total, result.ok, result.failed) == (4, 4, 0), result.errors
    assert stored(path) == local_result
    jobs = [p for p in (tmp_path / "jobs").iterdir() if p.name.isdigit()]
    assert len(jobs) == 2  # one job per work unit


def row_count(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def created(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT config_hash, created FROM runs").fetchall())


def test_sweep_killed_midway_restarts_with_only_the_missing_runs(tmp_path, capsys):
    path = tmp_path / "kill.sqlite"
    seeds = ",".join(str(s) for s in range(8))
    args = ["sweep", "sparse-cls", "--scale", "smoke", "--grid", f"seed={seeds}",
            "--workers", "1", "--chunk", "1", "--store", str(path), "--label", "kill-test",
            "--code-version", VERSION]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    first = subprocess.Popen([sys.executable, "-m", "grokbench", *args], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while row_count(path) < 2 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # the driver only: its worker must notice and exit
        first.wait(timeout=10)
        before = created(path)
        assert 2 <= len(before) < 8, "the sweep finished before the kill; make it longer"
        deadline = time.monotonic() + 20  # the orphaned worker exits within about a second
        while time.monotonic() < deadline and _group_alive(first.pid):
            time.sleep(0.2)
        assert not _group_alive(first.pid), "a worker outlived its killed driver"
    finally:
        _kill_group(first.pid)
    assert main(args) == 0  # the restart: the same command (in this process, to save imports)
    out = capsys.readouterr().out
    assert f"{len(before)} already in the store, {8 - len(before)} computed" in out
    after = created(path)
    assert len(after) == 8 == row_count(path)  # every run exactly once
    recomputed = [key for key, stamp in before.items() if after[key] != stamp]
    with capsys.disabled():
        print(f"\nkilled after {len(before)} of 8 runs; the restart recomputed {len(recomputed)}")
    assert recomputed == []
    with Store(path) as store:
        assert {info.label for info in store.runs()} == {"kill-test"}
        assert set(store.statuses(VERSION).values()) == {"ok"}


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="needs a device that is absent")
def test_a_failed_run_is_stored_with_its_error_and_retried(tmp_path):
    good = expand_grid("sparse-cls", "smoke", {}, {"seed": ["0", "1"]})
    bad = expand_grid("sparse-cls", "smoke", {"device": "mps", "seed": "7"}, {})
    path = tmp_path / "fail.sqlite"
    with cf.ThreadPoolExecutor(2) as pool:  # any concurrent.futures Executor will do
        result = run_sweep([*good, *bad], pool, path, code_version=VERSION)
        assert (result.ok, result.failed) == (2, 1)
        assert "mps is not available" in result.errors[bad[0].key()]
        with Store(path) as store:
            statuses = store.statuses(VERSION)
            assert statuses[bad[0].key()] == "failed"
            assert "mps" in store.get_run(bad[0].key(), VERSION).reason
        again = run_sweep([*good, *bad], pool, path, code_version=VERSION)
        assert (again.skipped, again.failed, again.ok) == (2, 1, 0)  # only the failed re-ran
        traces = run_configs([*good, *bad], pool, path, code_version=VERSION)
    assert [t.config["seed"] if t else None for t in traces] == [0, 1, None]
    assert row_count(path) == 3


def test_without_the_extra_the_option_says_how_to_install(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    monkeypatch.setitem(sys.modules, "submitit", None)
    for option in (["--executor", "dask"], ["--executor", "slurm"]):
        args = ["sweep", "sparse-cls", "--scale", "smoke", "--grid", "seed=0"]
        code = main([*args, "--store", str(tmp_path / "never.sqlite"), *option])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1, err
        assert 'pip install "grokbench[dist]"' in err
    assert not (tmp_path / "never.sqlite").exists()  # no partial output


@pytest.mark.parametrize(
    "args",
    [
        ["--grid", "seed="],
        ["--grid", "nope=1,2"],
        ["--grid", "seed=0", "--grid", "seed=1"],
        ["--grid", "seed=0", "--set", "seed=1"],
        ["--grid", "wd=-1"],
        ["--workers", "0"],
        ["--chunk", "0"],
        ["--scheduler", "tcp://x:1"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, capsys, tmp_path):
    command = ["sweep", "sparse-cls", "--scale", "smoke", "--store", str(tmp_path / "s.sqlite")]
    code = main([*command, *args])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert row_count(tmp_path / "s.sqlite") == 0


def test_units_keep_seeds_together_and_split_for_the_slots():
    runs = expand_grid(
        "sparse-cls", "smoke", {}, {"init_norm": ["1", "2", "3", "4"], "seed": ["0", "1"]}
    )
    units = make_units(runs, slots=2)  # 8 runs, one vectorised group, ~2 units per slot
    assert [len(u) for u in units] == [2, 2, 2, 2]
    assert all(len({runs[i].seed for i in unit}) == 1 for unit in units)
    assert sorted(i for unit in units for i in unit) == list(range(8))
    assert [len(u) for u in make_units(runs, slots=2, chunk=8)] == [8]
    assert parse_grid(["a=1, 2", "b=x"]) == {"a": ["1", "2"], "b": ["x"]}


def _blas_threads() -> dict[str, int]:
    from threadpoolctl import threadpool_info

    return {pool["filepath"]: pool["num_threads"] for pool in threadpool_info()
            if pool["user_api"] == "blas"}  # fmt: skip


def test_a_unit_runs_numpy_and_scipy_with_its_own_threads():
    """``threads`` bounds the BLAS threads of the baselines' fits in a unit, not only
    torch's: local processes and Slurm jobs start with one BLAS thread per core, and two
    units' fits on 2 cores would oversubscribe them. The caller's limit comes back after.
    Judged on the BLAS libraries that run 2 threads here (one built or started with a
    single thread cannot)."""
    from threadpoolctl import threadpool_limits

    seen: list[dict[str, int]] = []

    def compute(configs: list) -> list:
        seen.append(_blas_threads())
        return []

    with threadpool_limits(2, user_api="blas"):
        raised = [path for path, threads in _blas_threads().items() if threads == 2]
        if not raised:
            pytest.skip("no BLAS library here runs 2 threads")
        assert work_unit([], 1, None, compute) == []
        assert [_blas_threads()[path] for path in raised] == [2] * len(raised)
    assert [seen[0][path] for path in raised] == [1] * len(raised)


def test_runs_sharing_a_big_dataset_stay_in_one_unit():
    """At paper scale a seed's sparse-cls training inputs take 205 MB and misgrok's 26 MB:
    the seed's runs form one unit (one pass over them per gradient for all), whatever the
    slots; --chunk wins; misgrok at d = 2·10⁴ (5 MB) is split for the slots."""
    grid = {"init_norm": ["1", "2", "3", "4"], "seed": ["0", "1"]}
    runs = expand_grid("sparse-cls", "paper", {}, grid)
    assert dataset_bytes(runs[0], test=False) >= SHARED_DATA_BYTES
    units = make_units(runs, slots=2)
    assert [sorted(runs[i].seed for i in unit) for unit in units] == [[0] * 4, [1] * 4]
    assert [len(u) for u in make_units(runs, slots=2, chunk=2)] == [2, 2, 2, 2]
    misgrok = expand_grid("misgrok", "paper", {}, grid)
    assert [len(u) for u in make_units(misgrok, slots=2)] == [4, 4]
    small = expand_grid("misgrok", "paper", {"d": "20000"}, grid)
    assert [len(u) for u in make_units(small, slots=2)] == [2, 2, 2, 2]
    with pytest.raises(ConfigError):
        parse_grid(["a"])


def test_status_lines_off_a_terminal_and_a_live_line_on_one():
    run = configs()[0]
    plain = io.StringIO()
    status = SweepStatus(lambda c: f"seed={c.seed}", plain, live=False)
    status.start(3, 1, "local processes (2)")
    status.submitted(2)
    status.finished(run, "ok", "", 1.25)
    status.finished(run, "failed", "ValueError: boom", 0.5)
    status.close()
    lines = plain.getvalue().splitlines()
    assert lines[0] == "sweep: 3 runs, 1 already in the store, 2 to compute on local processes (2)"
    assert lines[1] == "[2/3] ok          1.2s  seed=0"
    assert lines[2] == "[3/3] failed      0.5s  seed=0: ValueError: boom"
    live = io.StringIO()
    status = SweepStatus(lambda c: "", live, live=True)
    status.start(4, 0, "dask")
    status.submitted(2)
    status.finished(run, "ok", "", 1.0)
    assert "sweep 1/4 done · 1 running · 0 failed" in status.line()
    assert status.line().endswith("left") and "? left" not in status.line()
