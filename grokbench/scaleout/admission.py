"""Which queued work unit starts next, within the memory that workers on one machine share.

Work units are unequal: a paper-scale sparse-main or misgrok-main member draws an 8.2 GB
float64 dataset, a matrix-completion unit a few megabytes. Dask's LocalCluster gives each
worker an equal share of the machine and restarts a worker above 95% of it, so with 4
workers on 24 GB every big unit died (KilledWorker, benchmarks/NOTES.md round 18); with no
limit, four big units at once would not fit. grokbench's LocalCluster workers may each use
the whole machine instead, and where workers share this machine (it, and local processes)
the client admits units: one starts while the peaks of the units in flight and its own
(``unit_bytes``), with what the other workers hold between units (``RESIDENT_BYTES``; a
unit hands back what malloc kept for it when it ends, ``allocator.hand_back_freed_memory``),
fit in the memory available when the sweep began. A unit that does not fit keeps its place at
the head of the queue while later ones that fit go ahead; one bigger than the whole budget
starts once no unit that holds memory is in flight. Elsewhere (Slurm jobs, a remote
scheduler's workers) each worker has memory of its own, and the slots alone bound what is
in flight.
"""

from __future__ import annotations

from collections.abc import Sequence

from grokbench.engine.memory_split import available_memory, seeds_bytes
from grokbench.spec import RunConfig

#: A unit's memory beyond its float64 datasets: its interpreter and torch, its states and
#: evaluation chunks, the heap that malloc keeps (up to 1 GiB, ``allocator``) and the
#: lowered copy of its test inputs. Eng.: the most measured (peak resident set less the
#: dataset, one member alone, benchmarks/NOTES.md round 18) was 2.0 GB, a control's
#: (3.0 GB for a 1.0 GB dataset); sparse-main 1.5 GB (9.7 for 8.2), misgrok-main 0.5.
WORKING_BYTES = 2 * 10**9

#: The most a worker holds between units: a unit that ends with the worker holding more
#: hands what malloc kept back to the kernel (``units.work_unit``). Eng.: a LocalCluster
#: worker's interpreter, torch and grokbench take 0.48 GB (after a paper-scale control, a
#: sample-complexity member or a misgrok-main member handed back, round 18); ci-scale
#: sparse units leave it at 0.5 GB, misgrok's at 2.4. Counted for every worker, also while
#: it computes a unit whose size is unknown (a matrix completion's: megabytes of data).
RESIDENT_BYTES = 10**9


def unit_bytes(unit: Sequence[RunConfig]) -> int:
    """The most memory ``unit`` holds at once, estimated: its datasets and working memory;
    0 where its task's sizes say nothing (such units are small: never held back)."""
    datasets = seeds_bytes(unit)
    return datasets + WORKING_BYTES if datasets else 0


def memory_budget() -> int:
    """The bytes the workers may hold together: what this machine has available now. Each
    unit's estimate is its peak, which lasts seconds of its run (the draw), so their sum
    bounds what they hold together from above."""
    return available_memory()


class Admission:
    """The memory the workers hold, and which queued unit may start next. Each of the
    ``workers`` holds ``RESIDENT_BYTES`` between units and ``unit_bytes`` (which includes
    it) while it computes a unit. ``budget`` None: no limit (the slots alone bound what is
    in flight)."""

    def __init__(self, budget: int | None, workers: int = 0) -> None:
        self.budget = budget
        self.held = workers * RESIDENT_BYTES
        self.running = 0  # units in flight whose size is known

    def pick(self, queue: Sequence[Sequence[RunConfig]]) -> int | None:
        """Index of the first queued unit that may start now, or None: wait for one in
        flight to finish."""
        for index, unit in enumerate(queue):
            more = _more(unit)
            if self.budget is None or more == 0 or self.running == 0:
                return index
            if self.held + more <= self.budget:
                return index
        return None

    def started(self, unit: Sequence[RunConfig]) -> None:
        more = _more(unit)
        self.held += more
        self.running += more != 0

    def finished(self, unit: Sequence[RunConfig]) -> None:
        more = _more(unit)
        self.held -= more
        self.running -= more != 0


def _more(unit: Sequence[RunConfig]) -> int:
    """What a worker holds more while it computes ``unit`` than between units (0: unknown)."""
    need = unit_bytes(unit)
    return max(need - RESIDENT_BYTES, 1) if need else 0
