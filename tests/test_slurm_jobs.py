"""A restarted client takes over the Slurm jobs a killed one left: it finds those that
finished or are still queued, attaches the ones whose runs it still needs (same run set,
same code version, every run missing) and computes a job's runs itself when the job dies."""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path

import pytest

from grokbench.infra.store import Store
from grokbench.scaleout.grid import expand_grid
from grokbench.scaleout.slurm_jobs import EarlierUnit, earlier_units
from grokbench.scaleout.sweep import SweepPart, run_parts
from grokbench.scaleout.units import UnitResult, store_key, work_unit
from grokbench.spec import RunConfig, Trace

VERSION = "test-version"

pytestmark = pytest.mark.usefixtures("keep_threads")


def _trace(config: RunConfig, note: str) -> Trace:
    return Trace(config=config.to_dict(), env={}, status="ok", reason=note)


def _runs(count: int) -> list[RunConfig]:
    return expand_grid("sparse-cls", "smoke", {}, {"seed": [str(s) for s in range(count)]})


def _job(folder: Path, job: str, function, configs, result: bool) -> None:
    utils = pytest.importorskip("submitit.core.utils")
    (folder / job).mkdir(parents=True)
    submission = utils.DelayedSubmission(
        function, configs, threads=1, run_set="rs", compute=None, code_version=VERSION
    )
    paths = utils.JobPaths(folder / job, job_id=job, task_id=0)
    submission.dump(paths.submitted_pickle)
    if result:
        paths.result_pickle.write_bytes(b"")


def test_finished_and_queued_jobs_are_found_and_dead_or_foreign_ones_are_not(tmp_path):
    runs = _runs(4)
    _job(tmp_path, "11", work_unit, runs[:1], result=True)  # finished
    _job(tmp_path, "12", work_unit, runs[1:2], result=False)  # still queued
    _job(tmp_path, "13", work_unit, runs[2:3], result=False)  # died without a result
    _job(tmp_path, "14", print, runs[3:], result=True)  # not a work unit
    found = earlier_units(tmp_path / "%j", work_unit, queued=lambda: {"12", "99"})
    assert [(unit.job_id, unit.run_set, unit.code_version) for unit in found] == [
        ("11", "rs", VERSION),
        ("12", "rs", VERSION),
    ]
    assert [config.key() for config in found[1].configs] == [runs[1].key()]


class EarlierJobs(cf.ThreadPoolExecutor):
    """A pool that also holds an earlier client's jobs: ``adopt`` gives each one's Future,
    which resolves to its traces (noted "earlier") or, for ``dead``, to an error."""

    def __init__(self, units: list[EarlierUnit], dead: tuple[str, ...] = ()) -> None:
        super().__init__(2)
        self.units, self.dead = units, dead
        self.submitted: list[str] = []
        self.adopted: list[str] = []

    def earlier_units(self, unit_function) -> list[EarlierUnit]:
        assert unit_function is work_unit
        return self.units

    def adopt(self, job_id: str) -> cf.Future:
        self.adopted.append(job_id)
        future: cf.Future = cf.Future()
        unit = next(unit for unit in self.units if unit.job_id == job_id)
        if job_id in self.dead:
            future.set_exception(RuntimeError("job cancelled"))
        else:
            keys = [store_key(config, unit.run_set) for config in unit.configs]
            traces = [_trace(config, "earlier") for config in unit.configs]
            future.set_result([UnitResult(k, t) for k, t in zip(keys, traces, strict=True)])
        return future

    def submit(self, fn, /, *args, **kwargs):
        self.submitted += [config.key() for config in args[0]]
        return super().submit(fn, *args, **kwargs)


def _here(configs: list[RunConfig]) -> list[Trace]:
    return [_trace(config, "here") for config in configs]


def _sweep(tmp_path, pool: EarlierJobs, runs, stored=()) -> tuple[dict[str, str], int]:
    with Store(tmp_path / "s.sqlite") as store:
        for config in stored:
            store.put_run(config, _trace(config, "stored"), None, VERSION, store_key(config, "rs"))
        result = run_parts([SweepPart(runs, "rs", _here)], pool, store, code_version=VERSION)
        assert (result.total, result.failed) == (len(runs), 0)
        notes = {}
        for config in runs:
            trace = store.get_run(store_key(config, "rs"), VERSION)
            notes[config.key()] = trace.reason if trace is not None else "missing"
    return notes, result.adopted


def test_a_restart_takes_the_earlier_jobs_runs_and_computes_only_the_rest(tmp_path):
    runs = _runs(4)
    pool = EarlierJobs([EarlierUnit("7", runs[:2], "rs", VERSION)])
    with pool:
        notes, adopted = _sweep(tmp_path, pool, runs)
    assert adopted == 2 and pool.adopted == ["7"]
    assert [notes[c.key()] for c in runs] == ["earlier", "earlier", "here", "here"]
    assert sorted(pool.submitted) == sorted(c.key() for c in runs[2:])


@pytest.mark.parametrize(
    "unit, why",
    [
        (EarlierUnit("7", [], "rs", "another-version"), "another code version"),
        (EarlierUnit("7", [], "other-set", VERSION), "another run set"),
        (EarlierUnit("7", [], "rs", VERSION), "a run stored meanwhile"),
    ],
)
def test_jobs_for_other_code_sets_or_stored_runs_are_not_taken(tmp_path, unit, why):
    runs = _runs(3)
    unit = EarlierUnit(unit.job_id, runs[:2], unit.run_set, unit.code_version)
    stored = runs[1:2] if why == "a run stored meanwhile" else ()
    pool = EarlierJobs([unit])
    with pool:
        notes, adopted = _sweep(tmp_path, pool, runs, stored)
    assert adopted == 0 and pool.adopted == [], why
    assert notes[runs[0].key()] == "here"


def test_runs_of_an_earlier_job_that_died_are_computed_here(tmp_path):
    runs = _runs(3)
    pool = EarlierJobs([EarlierUnit("7", runs[:2], "rs", VERSION)], dead=("7",))
    with pool:
        notes, adopted = _sweep(tmp_path, pool, runs)
    assert pool.adopted == ["7"] and adopted == 0  # attached, but nothing taken from it
    assert list(notes.values()) == ["here", "here", "here"]
    assert sorted(pool.submitted) == sorted(c.key() for c in runs)
