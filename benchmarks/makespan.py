"""Per-unit times of a finished ``grokbench claims --executor ... --store`` job, read back
from its store, and the wall time the same queue would take on more workers (an estimate
by list scheduling, not a measurement: memory bandwidth shared by more workers is not
modelled).

A job on S workers submits its units in a fixed order (``collect.run_set_names``, then
``units.make_units`` per run set) and starts unit k + S when the k-th unit finishes; so,
unit k's time is its finish (the store's ``created`` of its last run) minus the (k − S)-th
finish, or minus the job's start for k < S (so the job must not have held units back for
memory: its log's budget at least the two biggest units' peaks, as on 2 workers with 24 GB).
``--memory GB`` replays the queue as the sweep admits units on a machine with that much
available (``scaleout.admission``: the same code, the workers' share taken off).

usage: python benchmarks/makespan.py STORE START_ISO SLOTS ONLY [WORKERS ...] [--memory GB]
"""

from __future__ import annotations

import argparse
import heapq
from collections.abc import Sequence
from datetime import datetime

from grokbench.claims.applicability import screen
from grokbench.claims.collect import configs_of, run_set_names
from grokbench.claims.evaluate import select
from grokbench.claims.registry import run_sets
from grokbench.infra.store import Store
from grokbench.scaleout import admission
from grokbench.scaleout.units import make_units, store_key
from grokbench.spec import RunConfig


def submission_order(only: str, slots: int) -> list[tuple[list[str], list[RunConfig]]]:
    kept, _ = screen(select(only), "paper", {})
    known = run_sets()
    order = []
    for name in run_set_names(kept, "paper"):
        run_set = known[name]
        if not (run_set.train or run_set.baselines):
            continue
        configs = configs_of(run_set, "paper")
        for unit in make_units(configs, slots):
            order.append(([store_key(configs[i], name) for i in unit], [configs[i] for i in unit]))
    return order


def makespan(
    times: list[float],
    workers: int,
    units: Sequence[list[RunConfig]] | None = None,
    available: float | None = None,
) -> float:
    """The queue's wall time on ``workers``: each free worker takes the next unit (without
    ``available``) or the next that the admission lets start within that many bytes."""
    gate = admission.Admission(None if available is None else int(available), workers)
    queue, clock, running = list(range(len(times))), 0.0, []
    while queue or running:
        while queue and len(running) < workers:
            pick = gate.pick([units[i] for i in queue]) if units is not None else 0
            if pick is None:
                break
            index = queue.pop(pick)
            gate.started(units[index] if units is not None else [])
            heapq.heappush(running, (clock + times[index], index))
        clock, index = heapq.heappop(running)
        gate.finished(units[index] if units is not None else [])
    return clock


def main(
    store: str, start_iso: str, slots: int, only: str, workers: list[int], memory: float | None
) -> None:
    start = datetime.fromisoformat(start_iso).timestamp()
    units = submission_order(only, slots)
    order = [keys for keys, _ in units]
    with Store(store) as opened:
        finished = {info.config_hash: datetime.fromisoformat(info.created).timestamp()
                    for info in opened.runs()}  # fmt: skip
    unit_finish = [max(finished[key] for key in unit) for unit in order]
    finishes = sorted(unit_finish)
    times = []
    for k, end in enumerate(unit_finish):
        times.append(end - (start if k < slots else finishes[k - slots]))
    by_set: dict[str, float] = {}
    for unit, seconds in zip(order, times, strict=True):
        name = unit[0].split(":")[1]
        by_set[name] = by_set.get(name, 0.0) + seconds
    print("unit seconds by run set:", {name: round(s, 1) for name, s in by_set.items()})
    last = finishes[-1] - start
    print(f"units {len(times)}, sum {sum(times):.0f} s, longest {max(times):.0f} s; "
          f"on {slots} workers the last finished {last:.0f} s after the start")  # fmt: skip
    for count in workers:
        one_queue = makespan(times, count)
        if memory is not None:
            within = makespan(times, count, [configs for _, configs in units], memory * 1e9)
            print(f"{count} workers (estimate) with {memory:g} GB available: {within:.0f} s")
        by_run_set = sum(  # each run set waiting for its slowest unit (before run_parts)
            makespan([t for u, t in zip(order, times, strict=True) if u[0].endswith(":" + n)],
                     count)
            for n in by_set
        )  # fmt: skip
        print(f"{count} workers (estimate): {one_queue:.0f} s in one queue, "
              f"{by_run_set:.0f} s run set by run set")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("start_iso")
    parser.add_argument("slots", type=int)
    parser.add_argument("only")
    parser.add_argument("workers", type=int, nargs="*")
    parser.add_argument("--memory", type=float, default=None, metavar="GB")
    args = parser.parse_args()
    main(args.store, args.start_iso, args.slots, args.only, args.workers, args.memory)
