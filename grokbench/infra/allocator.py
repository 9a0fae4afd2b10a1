"""Memory handed back to the kernel, or not: glibc malloc settings for the processes that
compute runs (freed memory below 1 GiB is kept for reuse instead of being handed back and
faulted in again), and the unused tail of an array lowered in place handed back at once.

A paper-scale run allocates and frees temporaries of 10–400 MB many times a second (a batch
of 256 states, its products, a fixed-point product's limbs). glibc maps every allocation
above its mmap threshold (128 KB, rising to at most 32 MB) afresh, and the kernel faults it
in 4 KB at a time. With these settings a paper-scale misgrok member, alone, took half the
page faults (2.3 against 4.5 million), 11 rather than 24 s in the kernel and 75–77 rather
than 88 s; a control 27–30 against 31–33 s (benchmarks/NOTES.md, round 17). Datasets
(1–8 GB) are still mapped and handed back whole.

Why by hand: glibc reads these from the environment only when a process starts, and
Python's standard library has no ``mallopt``; ``ctypes`` calls it in a running process.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import mmap
import os
import platform
from typing import Any

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


@functools.cache
def _libc() -> Any:
    """This process's C library, its functions called through ``ctypes`` (loaded once), or
    None where it cannot be loaded."""
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def environ() -> dict[str, str]:
    """``ENVIRON`` for a process about to start (a Dask worker, through its nanny), with the
    user's own values where the environment has them."""
    return {name: os.environ.get(name, value) for name, value in ENVIRON.items()}


def _glibc() -> Any:
    """glibc, loaded, or None where the C library is another."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    return _libc()


def keep_freed_memory() -> bool:
    """Apply ``ENVIRON`` to this process with glibc's ``mallopt``; the calling thread keeps
    the arena it has (the main thread's is the heap). A setting the user made in the
    environment is left as it is. False where the C library is not glibc."""
    libc = _glibc()
    if libc is None:
        return False
    for name, value in ENVIRON.items():
        if name not in os.environ:
            libc.mallopt(_MALLOPT[name], int(value))
    return True


def resident_bytes() -> int | None:
    """This process's resident set (Linux's ``/proc/self/statm``), or None elsewhere."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * mmap.PAGESIZE
    except (OSError, IndexError, ValueError):
        return None


def hand_back_freed_memory(above: int = 0) -> bool:
    """Hand what malloc keeps free back to the kernel (glibc's ``malloc_trim``), unreachable
    Python objects collected first, when this process holds more than ``above`` bytes. At
    the end of a work unit, so that a worker waiting for its next unit holds its
    interpreter and torch (0.5 GB) rather than what its last unit freed (1.7–3.2 GB after a
    paper-scale unit), which the sweep's admission of units within the machine's memory
    does not count (benchmarks/NOTES.md, round 18). Below ``above`` nothing is done: the
    collection alone takes ~0.1 s, and the next unit would fault the pages in again. True
    when memory was handed back; False where the C library is not glibc."""
    resident = resident_bytes()
    if resident is not None and resident <= above:
        return False
    gc.collect()
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


_MADV_DONTNEED = 4  # Linux's: the pages are dropped and read as zeros if touched again


def release_tail(address: int, used: int, size: int) -> int:
    """Hand the whole pages of the block [address, address + size) that lie past its first
    ``used`` bytes back to the kernel (an array lowered in place, ``dataset.overwrite_as``:
    a paper-scale misgrok test set keeps 4 of its 8 GB; its tail, resident until the run
    ends, made two such runs on two workers 8 GB more than they need). Only for memory
    nothing reads again. The bytes released; 0 where this is not Linux."""
    libc = _libc() if platform.system() == "Linux" else None
    if libc is None:
        return 0
    start = -(-(address + used) // mmap.PAGESIZE) * mmap.PAGESIZE
    end = (address + size) // mmap.PAGESIZE * mmap.PAGESIZE
    if end <= start:
        return 0
    madvise = libc.madvise
    madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    if madvise(start, end - start, _MADV_DONTNEED) != 0:
        return 0
    return end - start
