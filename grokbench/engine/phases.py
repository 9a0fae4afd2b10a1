"""Two-phase runs: a run that continues, from its own parameters, on a subset of its
training set (Varma et al. 2023: ungrokking; any experiment, any step dynamics).

``phase2_keep=q`` (in (0, 1)) keeps a seeded ``round(q·n)`` of the n training examples
from ``phase2_at`` (a fraction of the horizon's t_end, default 0.5) on: the run records
the state at t_switch with the phase-1 data, then every later step, and every later
record's train metrics, see the subset only. The test set never changes (the dropped
training examples stay out of it: they were trained on in phase 1). The subset is nested
across q for one seed (the first round(q·n) of one seeded permutation).

What carries over at the switch: θ, and the loop itself, so an optimizer keeps its state
(Adam's moments, its step count; the new gradients replace the moments within
~1/(1−β₂) updates), as a training loop that changes its dataset would; a minibatch
sampler restarts on the subset. Step dynamics only (gd, an optimizer): an adaptive flow
integrator would step across the switch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import torch

from grokbench.engine import minibatch
from grokbench.engine.objective import Objective
from grokbench.engine.recorder import Recorder, due
from grokbench.spec import ConfigError, Prepared, Probe, RunConfig

#: where phase 2 starts when ``phase2_at`` is not given, as a fraction of t_end
DEFAULT_AT = 0.5
#: the RunConfig fields of this feature (config.COMMON_KEYS holds them as floats)
KEYS = ("phase2_keep", "phase2_at")


def validate(common: dict[str, Any], dynamics: str) -> None:
    """The checks of ``make_config`` that relate the phase keys to the others (each key's
    own range, (0, 1), is config.CHECKS'); a ConfigError names the key."""
    if common.get("phase2_at") and not common.get("phase2_keep"):
        raise ConfigError("phase2_at: needs phase2_keep (the fraction of training kept)")
    if not common.get("phase2_keep"):
        return
    if dynamics in ("flow", "logflow", "ngd"):
        raise ConfigError(f"phase2_keep: needs gd or an optimizer dynamics, got {dynamics!r}")
    if common.get("stop_at"):
        raise ConfigError("phase2_keep: a two-phase run runs to its horizon; leave stop_at 0")


def subset(n: int, keep: float, seed: int) -> torch.Tensor:
    """The sorted indices of the ``round(keep·n)`` training examples phase 2 keeps."""
    size = round(keep * n)
    if not 1 <= size < n:
        raise ConfigError(f"phase2_keep: {keep} keeps {size} of {n} training examples")
    generator = torch.Generator().manual_seed(seed + 2_000_003)
    return torch.randperm(n, generator=generator)[:size].sort().values


def switch_time(config: RunConfig, t_end: float) -> float:
    """t at which phase 2 starts."""
    return (config.phase2_at or DEFAULT_AT) * t_end


def with_switch(times: torch.Tensor, t_switch: float) -> torch.Tensor:
    """The evaluation times with t_switch among them (so the phase-1 end is recorded)."""
    extra = torch.tensor([t_switch], dtype=times.dtype, device=times.device)
    return torch.cat([times, extra]).unique(sorted=True)


class PhasedRecorder(Recorder):
    """A Recorder that, once it has recorded at t_switch, puts the objective on the
    phase-2 subset (and restarts the minibatch sampler there)."""

    def __init__(
        self,
        objective: Objective,
        probes: Sequence[Probe],
        prepared: Prepared,
        t_switch: float,
    ) -> None:
        super().__init__(objective, probes)
        config = prepared.config
        self.t_switch = t_switch
        self.index = subset(len(prepared.data.y_train), config.phase2_keep, config.seed)
        self.batch, self.seed, self.device = config.batch, config.seed, prepared.device
        self.switched_at: float | None = None
        self.phase1: dict[str, float] = {}

    def __call__(self, t: float, theta: torch.Tensor) -> bool:
        ok = super().__call__(t, theta)
        if ok and self.switched_at is None and due(self.t_switch, t):
            self._switch(t)
        return ok

    def _switch(self, t: float) -> None:
        data = self.objective.data
        index = self.index.to(data.y_train.device)
        self.objective.data = dataclasses.replace(
            data, x_train=data.x_train[index], y_train=data.y_train[index]
        )
        if self.objective.batches is not None:
            n = len(index)
            size = minibatch.batch_size(self.batch, n)
            self.objective.batches = minibatch.Batches(n, size, self.seed + 1, self.device)
        self.switched_at = t
        last = self.records[-1]
        metric = data.metric
        self.phase1 = {
            f"phase1_train_{metric}": getattr(last, f"train_{metric}"),
            f"phase1_test_{metric}": getattr(last, f"test_{metric}"),
            "phase1_param_norm": last.param_norm,
        }

    def summary(self) -> dict[str, Any]:
        """The phase numbers a trace's summary adds: when it switched, the phase-2
        training-set size, and the phase-1 end state's metrics."""
        return {
            "phase2_t": self.switched_at,
            "phase2_n_train": len(self.index),
            **self.phase1,
        }


def recorder(prepared: Prepared, objective: Objective, probes: Sequence[Probe]) -> Recorder:
    """The run's Recorder: phased when ``phase2_keep`` is set."""
    if not prepared.config.phase2_keep:
        return Recorder(objective, probes)
    t_switch = switch_time(prepared.config, prepared.t_end)
    return PhasedRecorder(objective, probes, prepared, t_switch)


def summary(recorder: Recorder) -> dict[str, Any]:
    """The phase numbers of a run (none for a one-phase run)."""
    return recorder.summary() if isinstance(recorder, PhasedRecorder) else {}
