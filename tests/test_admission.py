"""Units start within the memory that workers on one machine share: a big unit waits while
the big ones in flight leave no room for its dataset, smaller ones go ahead of it, and
nothing is held back where each worker has memory of its own."""

import concurrent.futures as cf
import threading

import pytest

from grokbench.engine.config import make_config
from grokbench.engine.memory_split import dataset_bytes, seeds_bytes
from grokbench.infra.store import Store
from grokbench.scaleout import admission
from grokbench.scaleout.admission import WORKING_BYTES, Admission, unit_bytes
from grokbench.scaleout.executors import Backend
from grokbench.scaleout.sweep import SweepPart, run_parts
from grokbench.spec import RunConfig, Trace

pytestmark = pytest.mark.usefixtures("keep_threads")

#: paper-scale sparse-cls members: an 8.2 GB dataset each (only sizes are read; none is drawn)
BIG = [make_config("sparse-cls", "paper", {"seed": s}) for s in (0, 1, 2)]
SMALL = [make_config("sparse-cls", "smoke", {"seed": s}) for s in (0, 1)]
UNKNOWN = make_config("matrix-completion", "ci", {})


def test_a_unit_holds_each_seed_dataset_once_and_its_working_memory() -> None:
    twice = [make_config("sparse-cls", "paper", {"seed": 0, "wd": wd}) for wd in (1e-3, 2e-3)]
    assert seeds_bytes(twice) == dataset_bytes(twice[0]) == (256 + 10_000) * 100_000 * 8
    assert seeds_bytes(BIG[:2]) == 2 * dataset_bytes(BIG[0])
    assert unit_bytes(BIG[:2]) == seeds_bytes(BIG[:2]) + WORKING_BYTES
    assert unit_bytes([UNKNOWN]) == 0


def test_pick_the_first_unit_that_fits() -> None:
    big = unit_bytes([BIG[0]])
    queue = [[BIG[1]], [SMALL[0]], [BIG[2]]]
    gate = Admission(budget=big + big // 2)
    assert gate.pick(queue) == 0  # nothing in flight
    gate.started(queue[0])
    assert gate.pick(queue[1:]) == 0  # a small one fits beside it
    assert gate.pick([[BIG[2]]]) is None  # a second big one does not
    assert gate.pick([[BIG[2]], [UNKNOWN]]) == 1  # sizes unknown: never held back
    gate.finished(queue[0])
    assert gate.held == 0 and gate.pick([[BIG[2]]]) == 0


def test_a_unit_bigger_than_the_budget_runs_alone_and_no_budget_holds_nothing() -> None:
    gate = Admission(budget=1)
    assert gate.pick([[BIG[0]]]) == 0
    gate.started([BIG[0]])
    assert gate.pick([[SMALL[0]]]) is None
    free = Admission(budget=None)
    free.started([BIG[0]])
    assert free.pick([[BIG[1]]]) == 0


def _sweep(tmp_path, shares_memory: bool) -> tuple[int, bool]:
    """Three big units and two small ones on 3 threads, each big one waiting (up to 1 s)
    for another to start: the most big units in flight at once, and whether a small one
    ran before the first big one finished (ahead of the big ones queued before it)."""
    lock, running, most, ahead, done = threading.Lock(), [0], [0], [False], [0]
    another = threading.Event()

    def big(configs: list[RunConfig]) -> list[Trace]:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            if running[0] > 1:
                another.set()
        another.wait(timeout=1)
        with lock:
            running[0] -= 1
            done[0] += 1
        return [Trace(config=c.to_dict(), env={}, status="ok") for c in configs]

    def small(configs: list[RunConfig]) -> list[Trace]:
        with lock:
            ahead[0] = ahead[0] or done[0] == 0
        return [Trace(config=c.to_dict(), env={}, status="ok") for c in configs]

    parts = [SweepPart(BIG, "big", big), SweepPart(SMALL, "small", small)]
    with cf.ThreadPoolExecutor(3) as pool, Store(tmp_path / "s.sqlite") as store:
        gate = Backend(pool, 3, "threads", shares_memory=shares_memory)
        result = run_parts(parts, gate, store, code_version="v", chunk=1)
    assert (result.ok, result.failed) == (5, 0)
    return most[0], ahead[0]


def test_big_units_wait_for_memory_where_workers_share_it(tmp_path, monkeypatch) -> None:
    one_and_a_half = unit_bytes([BIG[0]]) * 3 // 2 + 3 * admission.RESIDENT_BYTES
    monkeypatch.setattr(admission, "available_memory", lambda: one_and_a_half)
    most, ahead = _sweep(tmp_path / "shared", shares_memory=True)
    assert most == 1 and ahead
    most, _ = _sweep(tmp_path / "own", shares_memory=False)  # the counterfactual
    assert most > 1


def test_workers_between_units_hold_memory_too() -> None:
    """Two big units fit a budget with 4 workers' interpreters in it, a third does not; a
    worker computing a unit is counted by the unit's peak, which includes its own."""
    big = unit_bytes([BIG[0]])
    gate = Admission(budget=2 * big + 2 * admission.RESIDENT_BYTES, workers=4)
    assert gate.held == 4 * admission.RESIDENT_BYTES
    for unit in ([BIG[0]], [BIG[1]]):
        assert gate.pick([unit]) == 0
        gate.started(unit)
    assert gate.held == 2 * big + 2 * admission.RESIDENT_BYTES
    assert gate.pick([[SMALL[0]]]) is None
    assert Admission(budget=2 * big, workers=4).pick([[BIG[1]]]) == 0  # nothing running


def test_a_unit_hands_back_the_memory_malloc_kept_when_it_ends(monkeypatch) -> None:
    """What a unit freed is not counted once it ends: malloc must not keep it in the
    worker, whether the unit's runs succeeded or raised."""
    from grokbench.infra import allocator
    from grokbench.scaleout.units import work_unit

    calls = []
    monkeypatch.setattr(allocator, "hand_back_freed_memory", lambda above: calls.append(above))

    def fails(configs: list[RunConfig]) -> list[Trace]:
        raise RuntimeError("bad run")

    def succeeds(configs: list[RunConfig]) -> list[Trace]:
        return [Trace(config=c.to_dict(), env={}, status="ok") for c in configs]

    assert work_unit(SMALL[:1], compute=succeeds)[0].trace is not None
    assert calls == [admission.RESIDENT_BYTES]  # what the budget leaves each worker
    assert "bad run" in work_unit(SMALL[:1], compute=fails)[0].error
    assert calls == [admission.RESIDENT_BYTES] * 2
