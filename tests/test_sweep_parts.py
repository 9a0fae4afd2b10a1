"""Several run sets in one sweep (``run_parts``): their units share one queue, so a worker
free at the end of one run set starts the next instead of waiting for the slowest unit;
``grokbench claims`` with an executor computes all its run sets that way, and counts
each run once."""

import concurrent.futures as cf
import json
import threading

import pytest
import torch

from grokbench.cli import main
from grokbench.infra.store import Store
from grokbench.scaleout.sweep import SweepPart, expand_grid, run_parts, store_key
from grokbench.spec import RunConfig, Trace

VERSION = "test-version"


@pytest.fixture(autouse=True)
def keep_threads():
    """work_unit sets torch to one thread per unit in this process; restore it afterwards."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


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


def _claims(tmp_path, capsys, *extra: str) -> tuple[str, str, list[tuple[str, str]]]:
    out = tmp_path / "v.json"
    args = ["claims", "--scale", "smoke", "--only", "R2,X1", "--executor", "local",
            "--workers", "2", "--store", str(tmp_path / "runs.sqlite"), "--json", str(out),
            "--report", str(tmp_path / "r.md"), *extra]  # fmt: skip
    main(args)
    captured = capsys.readouterr()
    line = next(line for line in captured.out.splitlines() if line.startswith("runs:"))
    verdicts = json.loads(out.read_text())["verdicts"]
    return line, captured.err, [(v["id"], v["status"]) for v in verdicts]


def test_claims_on_an_executor_compute_every_run_set_in_one_sweep(tmp_path, capsys):
    line, log, first = _claims(tmp_path, capsys)
    assert line.startswith("runs: 0 reused, 3 computed")
    assert "computing 3 runs of 2 run sets" in log
    line, log, again = _claims(tmp_path, capsys)
    assert line.startswith("runs: 3 reused, 0 computed") and again == first
    assert "computing" not in log
    line, log, fresh = _claims(tmp_path, capsys, "--fresh")
    assert line.startswith("runs: 0 reused, 3 computed") and fresh == first
    assert "computing 3 runs of 2 run sets" in log
