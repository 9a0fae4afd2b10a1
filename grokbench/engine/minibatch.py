"""Minibatches, a linear lr warm-up and the batch-size rule of Power et al. (2022).

Minibatching changes which loss a step descends, not the time loop: ``Batches`` hands the
objective (``Objective.batches``) the training indices of the next step, so GD becomes SGD
and every torch optimizer sees minibatch gradients, while the metrics at evaluation times
stay full-batch. Time keeps its meaning, t = Σ lr; ``Record.step`` counts updates.

The sampler follows the research prototype the power22 limits were tuned on: one seeded
permutation per epoch, consecutive batches of the same size, a new permutation when the
next full batch no longer fits (the remainder of an epoch is skipped; the authors' iterator
keeps a short last batch, a difference of < 1 batch per epoch).
"""

from __future__ import annotations

import math

import torch

#: The authors' cap on the batch size (grok/data.py ``calculate_batchsize``).
MAX_BATCH = 512


def batch_size(batch: int, n: int) -> int:
    """The batch size of the ``batch`` setting for ``n`` training examples: 0 is the full
    batch, -1 the authors' min(512, ⌈n/2⌉), k > 0 is k (at most n)."""
    if batch == 0:
        return n
    if batch == -1:
        return min(MAX_BATCH, math.ceil(n / 2))
    if batch < -1:
        raise ValueError(f"batch must be ≥ -1, got {batch}")
    return min(batch, n)


class Batches:
    """Seeded minibatch indices over ``n`` examples: each call returns the next batch."""

    def __init__(self, n: int, size: int, seed: int, device: torch.device | str = "cpu") -> None:
        if not 1 <= size <= n:
            raise ValueError(f"batch size must be in [1, {n}], got {size}")
        self.n, self.size, self.device = n, size, device
        self.generator = torch.Generator().manual_seed(seed + 7)
        self._order = torch.randperm(n, generator=self.generator)
        self._pos = 0
        self.epochs = 0

    def __call__(self) -> torch.Tensor:
        if self._pos + self.size > self.n:
            self._order = torch.randperm(self.n, generator=self.generator)
            self._pos = 0
            self.epochs += 1
        index = self._order[self._pos : self._pos + self.size]
        self._pos += self.size
        return index.to(self.device)


def warmup_factor(step: int, warmup: int) -> float:
    """The lr multiplier of update ``step`` (counted from 0): min(1, step/warmup), so the
    first update of a warm-up has lr 0, as the authors' LambdaLR; 1 without warm-up."""
    if warmup <= 0:
        return 1.0
    return min(1.0, step / warmup)
