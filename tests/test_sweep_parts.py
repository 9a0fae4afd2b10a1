"""Several run sets in one sweep (``run_parts``): their units share one queue, so a worker
free at the end of one run set starts the next instead of waiting for the slowest unit;
``grokbench claims`` with an executor computes all its run sets that way, and counts
each run once."""

import concurrent.futures as cf
import json
import re
import threading

import pytest

from grokbench.cli import main
from grokbench.infra.store import Store
from grokbench.scaleout.grid import expand_grid
from grokbench.scaleout.sweep import SweepPart, run_parts
from grokbench.scaleout.units import store_key
from grokbench.spec import RunConfig, Trace

VERSION = "test-version"


pytestmark = pytest.mark.usefixtures("keep_threads")


def _trace(config: RunConfig, note: str) -> Trace:
    return Trace(config=config.to_dict(), env={}, status="ok", reason=note)


def test_a_second_part_starts_while_the_first_is_still_running(tmp_path):
    """Part "slow" waits for part "quick" to have run: with the parts one after another
    (each waiting for its last unit, as the claims did run set by run set) it times out."""
    quick_ran = threading.Event()

    def slow(configs: list[RunConfig]) -> list[Trace]:
        seen = quick_ran.wait(timeout=10)
        return [_trace(c, "after quick" if seen else "alone") for c in configs]

    def quick(configs: list[RunConfig]) -> list[Trace]:
        quick_ran.set()
        return [_trace(c, "quick") for c in configs]

    runs = expand_grid("sparse-cls", "smoke", {}, {"seed": ["0", "1"]})
    parts = [SweepPart(runs[:1], "slow", slow), SweepPart(runs[1:], "quick", quick)]
    with cf.ThreadPoolExecutor(2) as pool, Store(tmp_path / "s.sqlite") as store:
        result = run_parts(parts, pool, store, code_version=VERSION, slots=2)
        slow_trace = store.get_run(store_key(runs[0], "slow"), VERSION)
        quick_trace = store.get_run(store_key(runs[1], "quick"), VERSION)
    assert (result.total, result.ok, result.failed) == (2, 2, 0)
    assert slow_trace is not None and slow_trace.reason == "after quick"
    assert quick_trace is not None and quick_trace.reason == "quick"


def _claims(tmp_path, capsys, *extra: str) -> tuple[str, str, list[dict]]:
    """The ``runs:`` line, the progress log and the verdicts of one job."""
    out = tmp_path / "v.json"
    args = ["claims", "--scale", "smoke", "--only", "R2,X1", "--executor", "local",
            "--workers", "2", "--store", str(tmp_path / "runs.sqlite"), "--json", str(out),
            "--report", str(tmp_path / "r.md"), *extra]  # fmt: skip
    main(args)
    captured = capsys.readouterr()
    line = next(line for line in captured.out.splitlines() if line.startswith("runs:"))
    return line, captured.err, json.loads(out.read_text())["verdicts"]


def _statuses(verdicts: list[dict]) -> list[tuple[str, str]]:
    return [(v["id"], v["status"]) for v in verdicts]


def test_claims_on_an_executor_compute_every_run_set_in_one_sweep(tmp_path, capsys):
    line, log, first = _claims(tmp_path, capsys)
    assert line.startswith("runs: 0 reused, 3 computed")
    assert "computing 3 runs (0 members fitted only) of 2 run sets" in log
    assert re.search(r"units started within \d+\.\d GB of memory", log)  # local processes
    with Store(tmp_path / "runs.sqlite") as store:  # a verdict's time includes its runs'
        (run,) = [i for i in store.runs() if i.config_hash.endswith(":sparse-main")]
        trace = store.get_run(run.config_hash, run.code_version)
    r2 = next(v for v in first if v["id"] == "lyu24/R2")
    assert r2["wall_s"] >= trace.summary["wall_s"]
    line, log, again = _claims(tmp_path, capsys)
    assert line.startswith("runs: 3 reused, 0 computed")
    assert _statuses(again) == _statuses(first)
    assert "computing" not in log
    line, log, fresh = _claims(tmp_path, capsys, "--fresh")
    assert line.startswith("runs: 0 reused, 3 computed")
    assert _statuses(fresh) == _statuses(first)
    assert "computing 3 runs (0 members fitted only) of 2 run sets" in log


def test_fits_of_an_untrained_run_set_run_on_the_executor(tmp_path, capsys, monkeypatch):
    """G1 trains nothing: its exact fits are the work, done on the executor's (spawned)
    workers and kept in the store; the client draws no data, then or when re-judging."""
    from grokbench.engine import runner

    def no_data(*args, **kwargs):
        raise AssertionError("the client drew a dataset")

    monkeypatch.setattr(runner, "prepare", no_data)
    monkeypatch.setattr("grokbench.baselines.compute.prepare", no_data)
    store, report = str(tmp_path / "runs.sqlite"), str(tmp_path / "r.md")
    args = ["claims", "--scale", "smoke", "--only", "lyu24/G1", "--executor", "local", "--workers",
            "2", "--store", store, "--report", report]  # fmt: skip
    for name in ("first", "again"):
        main([*args, "--json", str(tmp_path / f"{name}.json")])
        log = capsys.readouterr().err
        assert ("computing 0 runs (3 members fitted only)" in log) == (name == "first")
    first, again = (
        [(v["id"], v["status"], v["measured"]) for v in json.loads(path.read_text())["verdicts"]]
        for path in (tmp_path / "first.json", tmp_path / "again.json")
    )
    assert first == again  # (inconclusive at smoke: no n in G1's range at d = 1000)
    with Store(store) as opened:
        keys = [info.config_hash for info in opened.runs()]
        fits = [opened.get_baselines(key, info.code_version) for key, info in
                zip(keys, opened.runs(), strict=True)]  # fmt: skip
    assert len(keys) == 3 and all(key.endswith(":samples") for key in keys)
    assert all(fit and {"l1_max_margin", "l2_max_margin"} <= set(fit) for fit in fits)
