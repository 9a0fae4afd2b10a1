"""A run's dataset: drawn from its config's seed, shared between a member's baselines and
its run (``sharing_data``), its test inputs lowered in their own memory for the run."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator

import torch

from grokbench.engine import fixed_point
from grokbench.engine.losses import LOSS_DTYPES
from grokbench.infra import allocator
from grokbench.spec import Experiment, RunConfig, TaskData

#: While ``sharing_data`` is open, the last dataset drawn, by what determines it.
_shared: dict[str, TaskData] | None = None


@contextlib.contextmanager
def sharing_data() -> Iterator[None]:
    """Within this block ``prepare`` draws a dataset once for consecutive configs with the
    same data (a member's baselines, then its run: 7–20 s a draw at paper scale). One
    dataset is kept at a time (a paper-scale one is 8 GB), none after the block."""
    global _shared
    if _shared is not None:  # nested: the outer block's dataset stays shared
        yield
        return
    _shared = {}
    try:
        yield
    finally:
        _shared = None


def draw(experiment: Experiment, config: RunConfig, training: bool = False) -> TaskData:
    """``config``'s dataset, drawn (or, within ``sharing_data``, reused); ``training``: for a
    run, with its test inputs lowered to ``config.test_dtype``."""
    if _shared is None:
        drawn = experiment.build_task(config.task, config.seed)
        return lower_test_inputs(drawn, config, owned=True) if training else drawn
    key = json.dumps([experiment.name, config.task, config.seed], sort_keys=True, default=str)
    if training and config.test_dtype:
        lowered = f"{key} test_dtype={config.test_dtype}"
        if lowered not in _shared:
            # the block's runs come after its baselines (collect.compute_traces): the shared
            # full-precision dataset is lowered in its own memory and stays shared as that
            full = _shared.pop(key, None)
            _shared.clear()  # before drawing: the other dataset is freed first
            if full is None:
                full = experiment.build_task(config.task, config.seed)
            _shared[lowered] = lower_test_inputs(full, config, owned=True)
            full.x_test, full.test_dtype = _shared[lowered].x_test, _shared[lowered].test_dtype
        return _shared[lowered]
    if key not in _shared:
        _shared.clear()  # before drawing: the old dataset is freed first
        _shared[key] = experiment.build_task(config.task, config.seed)
    return _shared[key]


def lower_test_inputs(data: TaskData, config: RunConfig, owned: bool = False) -> TaskData:
    """``data`` with its test inputs in ``config.test_dtype`` (a run's evaluations read them
    there; ``TaskData.to`` keeps them), or ``data`` itself when that is not set. ``owned``:
    nothing else reads ``data.x_test`` again, so it is overwritten rather than copied."""
    if not config.test_dtype or not data.x_test.is_floating_point():
        return data
    x = data.x_test
    if config.test_dtype == "int8":
        signs = int8_test_inputs(x)
        return dataclasses.replace(data, x_test=signs, test_dtype=signs.dtype)
    dtype = LOSS_DTYPES[config.test_dtype]
    lowered = overwrite_as(x, dtype) if owned else x.to(dtype)
    return dataclasses.replace(data, x_test=lowered, test_dtype=dtype)


def int8_test_inputs(x: torch.Tensor) -> torch.Tensor:
    """±1 test inputs as int8 (``test_dtype`` int8: an eighth of float64's memory, and
    fixed-point products, ``grokbench.engine.fixed_point``), checked and converted a chunk
    at a time; float32 where this torch has no CPU int8 products."""
    signs = fixed_point.int8_inputs(x, "test_dtype", "test")
    return signs if fixed_point.available() else signs.to(torch.float32)


#: Rows converted at a time by ``overwrite_as`` (the one temporary it needs).
OVERWRITE_CHUNK_BYTES = 64 << 20


def overwrite_as(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``x.to(dtype)`` written over ``x``'s own memory, front to back, for a narrower dtype:
    a paper-scale test set (8 GB in float64) is never held twice, where ``x.to`` needs 12 GB
    for a moment (two Dask workers lowering at once were stopped by their memory limit).
    Row block k of the result covers bytes that only blocks before k, or block k itself,
    held (each block is read into a temporary first), so no value is overwritten unread.
    ``x`` is spent: its memory now holds the result, and the pages of its unused tail are
    handed back to the kernel (``allocator.release_tail``)."""
    narrower = dtype.itemsize < x.dtype.itemsize
    if x.dim() == 0 or not narrower or not x.is_contiguous() or x.storage_offset():
        return x.to(dtype)
    out = x.new_empty(0, dtype=dtype).set_(x.untyped_storage(), 0, x.shape, x.stride())
    rows = max(1, OVERWRITE_CHUNK_BYTES // max(1, x[0].numel() * x.element_size()))
    for start in range(0, len(x), rows):
        out[start : start + rows] = x[start : start + rows].to(dtype)
    if x.device.type == "cpu":
        nbytes = x.numel() * x.element_size()
        allocator.release_tail(x.data_ptr(), out.numel() * out.element_size(), nbytes)
    return out
