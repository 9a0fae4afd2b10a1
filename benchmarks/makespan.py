"""Per-unit times of a finished ``grokbench claims --executor ... --store`` job, read back
from its store, and the wall time the same queue would take on more workers (an estimate
by list scheduling, not a measurement: memory bandwidth shared by more workers is not
modelled).

A job on S workers submits its units in a fixed order (``collect.run_set_names``, then
``units.make_units`` per run set) and starts unit k + S when the k-th unit finishes; so,
unit k's time is its finish (the store's ``created`` of its last run) minus the (k − S)-th
finish, or minus the job's start for k < S.

usage: python benchmarks/makespan.py STORE START_ISO SLOTS ONLY [WORKERS ...]
"""

from __future__ import annotations

import heapq
import sys
from datetime import datetime

from grokbench.claims.applicability import screen
from grokbench.claims.collect import configs_of, run_set_names
from grokbench.claims.evaluate import select
from grokbench.claims.registry import run_sets
from grokbench.infra.store import Store
from grokbench.scaleout.units import make_units, store_key


def submission_order(only: str, slots: int) -> list[list[str]]:
    kept, _ = screen(select(only), "paper", {})
    known = run_sets()
    order = []
    for name in run_set_names(kept, "paper"):
        run_set = known[name]
        if not (run_set.train or run_set.baselines):
            continue
        configs = configs_of(run_set, "paper")
        for unit in make_units(configs, slots):
            order.append([store_key(configs[i], name) for i in unit])
    return order


def makespan(times: list[float], workers: int) -> float:
    free = [0.0] * workers
    for duration in times:  # FIFO: the next unit goes to the first worker free
        heapq.heappush(free, heapq.heappop(free) + duration)
    return max(free)


def main(store: str, start_iso: str, slots: int, only: str, workers: list[int]) -> None:
    start = datetime.fromisoformat(start_iso).timestamp()
    order = submission_order(only, slots)
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
        by_run_set = sum(  # each run set waiting for its slowest unit (before run_parts)
            makespan([t for u, t in zip(order, times, strict=True) if u[0].endswith(":" + n)],
                     count)
            for n in by_set
        )  # fmt: skip
        print(f"{count} workers (estimate): {one_queue:.0f} s in one queue, "
              f"{by_run_set:.0f} s run set by run set")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], [int(a) for a in sys.argv[5:]])
