"""glibc malloc settings for the processes that compute runs: freed memory below 1 GiB is
kept for reuse instead of being handed back to the kernel and faulted in again.

A paper-scale run allocates and frees temporaries of 10–400 MB many times a second (a batch
of 256 states, its products, a fixed-point product's limbs). glibc maps every allocation
above its mmap threshold (128 KB, rising to at most 32 MB) afresh, and the kernel faults it
in 4 KB at a time, at ~5 µs a page on this project's machines. With these settings a
paper-scale misgrok member took 10⁶ fewer page faults and 11 s less in the kernel (75 against
88 s), a control 27–30 against 31–33 s (benchmarks/NOTES.md, round 17). Datasets (1–8 GB)
are still mapped and handed back whole, so a worker's memory after a member is what it was.

Why by hand: glibc reads these from the environment only when a process starts, and
Python's standard library has no ``mallopt``; ``ctypes`` calls it in a running process.
"""

from __future__ import annotations

import ctypes
import os
import platform

#: Allocations below this come from malloc's heap, and up to this much freed memory stays
#: at its top for the next allocation.
KEEP_BYTES = 1 << 30

#: The settings as glibc reads them from the environment. One arena: a Dask worker computes
#: in a thread, and a thread's own arena is made of 64 MB heaps, so anything larger is
#: mapped afresh whatever the threshold.
ENVIRON: dict[str, str] = {
    "MALLOC_MMAP_THRESHOLD_": str(KEEP_BYTES),
    "MALLOC_TRIM_THRESHOLD_": str(KEEP_BYTES),
    "MALLOC_ARENA_MAX": "1",
}

# mallopt's parameter numbers (glibc's malloc.h)
_MALLOPT = {"MALLOC_TRIM_THRESHOLD_": -1, "MALLOC_MMAP_THRESHOLD_": -3, "MALLOC_ARENA_MAX": -8}


def environ() -> dict[str, str]:
    """``ENVIRON`` for a process about to start (a Dask worker, through its nanny), with the
    user's own values where the environment has them."""
    return {name: os.environ.get(name, value) for name, value in ENVIRON.items()}


def keep_freed_memory() -> bool:
    """Apply ``ENVIRON`` to this process with glibc's ``mallopt``; the calling thread keeps
    the arena it has (the main thread's is the heap). A setting the user made in the
    environment is left as it is. False where the C library is not glibc."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    for name, value in ENVIRON.items():
        if name not in os.environ:
            mallopt(_MALLOPT[name], int(value))
    return True
