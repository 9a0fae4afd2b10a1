"""grokbench.infra.allocator: with glibc's malloc kept from handing freed memory back, a
large temporary allocated again is not faulted in again; a user's own setting wins."""

from __future__ import annotations

import mmap
import os
import platform
import subprocess
import sys

import pytest
import torch

from grokbench.infra import allocator

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# A 200 MB temporary freed, then a 160 MB one: both above glibc's largest dynamic mmap
# threshold (32 MB), so by default the second is mapped afresh (~39 000 pages of 4 KB
# faulted in). Kept, it takes the first one's memory. (A second temporary of the same size
# need not: torch asks for 64-byte alignment, and glibc's memalign then wants a little more
# than the freed block holds.)
_SECOND_ALLOCATION_FAULTS = """
import resource, sys, torch
from grokbench.infra import allocator
if sys.argv[1] == "kept":
    assert allocator.keep_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
first = torch.ones(50_000_000, dtype=torch.float32)
del first
before = faults()
second = torch.ones(40_000_000, dtype=torch.float32)
print(faults() - before)
"""


def _second_allocation_faults(mode: str) -> int:
    clean = {k: v for k, v in os.environ.items() if k not in allocator.ENVIRON}
    done = subprocess.run(
        [sys.executable, "-c", _SECOND_ALLOCATION_FAULTS, mode],
        env=clean, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.split()[-1])


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_freed_memory_is_reused_without_faulting_it_in_again():
    default, kept = _second_allocation_faults("default"), _second_allocation_faults("kept")
    assert default > 30_000  # the premise: the default maps it afresh
    assert kept < default / 10


# A 300 MB temporary from malloc's heap (below the 1 GiB mmap threshold), freed: the heap
# keeps it resident (up to 1 GiB stays at its top) until it is handed back.
_HANDED_BACK = """
import mmap, sys, torch
from grokbench.infra import allocator
assert allocator.keep_freed_memory()
def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * mmap.PAGESIZE
temporary = torch.ones(75_000_000, dtype=torch.float32)
del temporary
before = resident()
if sys.argv[1] == "hand back":
    assert allocator.hand_back_freed_memory(above=before // 2)
if sys.argv[1] == "holds little":  # more than it holds: nothing to hand back
    assert not allocator.hand_back_freed_memory(above=2 * before)
print(before - resident())
"""


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_freed_memory_kept_while_a_unit_runs_is_handed_back_at_its_end():
    clean = {k: v for k, v in os.environ.items() if k not in allocator.ENVIRON}
    dropped = {}
    for mode in ("keep", "hand back", "holds little"):
        done = subprocess.run([sys.executable, "-c", _HANDED_BACK, mode], env=clean,
                              capture_output=True, text=True, check=True)  # fmt: skip
        dropped[mode] = int(done.stdout.split()[-1])
    assert dropped["keep"] < 50e6 and dropped["holds little"] < 50e6  # the heap keeps it
    assert dropped["hand back"] > 250e6


def test_a_users_own_setting_is_kept(monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    assert allocator.environ() == {**allocator.ENVIRON, "MALLOC_TRIM_THRESHOLD_": "65536"}


def test_other_c_libraries_are_left_alone(monkeypatch):
    monkeypatch.setattr(platform, "libc_ver", lambda: ("", ""))
    assert allocator.keep_freed_memory() is False


@pytest.mark.skipif(platform.system() != "Linux", reason="Linux's madvise")
def test_an_array_lowered_in_place_hands_its_tail_back():
    """The whole pages past the float32 result read as zeros once handed back (they held
    the float64 values); the result is untouched."""
    from grokbench.engine.dataset import overwrite_as

    x = torch.randn(512, 4096, dtype=torch.float64) + 10.0  # no zeros
    expected, raw = x.to(torch.float32), x.view(torch.uint8).view(-1)
    lowered = overwrite_as(x, torch.float32)
    assert torch.equal(lowered, expected)
    address, half, page = x.data_ptr(), raw.numel() // 2, mmap.PAGESIZE
    start = -(-(address + half) // page) * page - address  # the whole pages of the tail
    end = (address + raw.numel()) // page * page - address
    assert end - start > half - 2 * page and not raw[start:end].any()
    assert raw[:half].any()
