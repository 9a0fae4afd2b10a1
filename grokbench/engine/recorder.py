"""The recorder: what a run keeps at its evaluation times (the objective's numbers, the
probes', divergence), shared by every dynamics (``grokbench.engine.dynamics``, the batched
sweep, the log-time flow)."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import torch

from grokbench.engine.objective import Objective
from grokbench.engine.probes import apply_probe, reads_test_outputs
from grokbench.spec import Probe, Record


class Recorder:
    """Evaluates the objective at evaluation times, keeps the records, spots divergence.

    A run diverges when the training loss or ‖θ‖ stops being finite, or the training loss
    exceeds ``blowup`` times its initial value (plus one).
    """

    def __init__(
        self, objective: Objective, probes: Sequence[Probe] = (), blowup: float = 1e6
    ) -> None:
        self.objective = objective
        self.probes = list(probes)
        self.blowup = blowup
        self.records: list[Record] = []
        self.diverged_at: float | None = None
        self.reason = ""
        self.step = 0
        #: stop once the test accuracy reaches this (0: never); ``reached`` says it did
        self.stop_at = 0.0
        self.reached = False
        self._start = time.perf_counter()
        self._limit = math.inf
        #: evaluate the test split for this many states at once (0: at each record); the
        #: records wait for it (``flush``), so it needs ``stop_at`` off (it reads test_acc)
        self.defer_test = 0
        self._pending: list[int] = []  # the deferred records' indices
        # their states, row by row: one buffer for the run, since a fresh 256 × 2·10⁵
        # stack at each evaluation (410 MB) costs its page faults every time
        self._states: torch.Tensor | None = None

    def __call__(self, t: float, theta: torch.Tensor) -> bool:
        if not self.defer_test:
            metrics = self.objective.evaluate(theta)
            return self.record(t, theta, metrics, self.objective.test_outputs)
        # the train split waits too: one product over the training inputs for all the
        # pending states, where each record read them alone (a paper sparse-cls run's
        # 256 × 10⁵ inputs, 1000 times); its loss is checked for divergence at ``flush``
        keep = self.record(t, theta, {"param_norm": float(theta.norm())}, defer=True)
        if keep:
            if self._states is None:
                self._states = theta.new_empty((self.defer_test, theta.numel()))
            self._states[len(self._pending)].copy_(theta.detach().reshape(-1))
            self._pending.append(len(self.records) - 1)
            if len(self._pending) >= self.defer_test:
                keep = self.flush()
        return keep

    def flush(self) -> bool:
        """Complete the deferred records (``complete``), ``defer_test`` states in one
        evaluation of both splits (``Objective.evaluate_states``); False when one of them
        shows that the run diverged. A no-op when nothing waits."""
        if not self._pending or self._states is None:
            return self.diverged_at is None
        indices, states = self._pending, self._states[: len(self._pending)]
        self._pending = []
        scores, outputs = self.objective.evaluate_states(states, train=True)
        for index, theta, numbers, out in zip(indices, states, scores, outputs, strict=True):
            if not self.complete(index, theta, numbers, out):
                break
        return self.diverged_at is None

    @torch.no_grad()
    def complete(
        self, index: int, theta: torch.Tensor, numbers: dict[str, float], out: torch.Tensor
    ) -> bool:
        """Complete record ``index``, taken with ``defer``: the numbers it lacks (the test
        split's, and the train split's where they waited too) and the probes that read the
        test outputs ``out`` at ``theta``. False when its train loss shows that the run
        diverged, or it had diverged before this record: the records from the first that
        diverged on are dropped. Records kept before a divergence are completed."""
        if index >= len(self.records):
            return False
        record = self.records[index]
        if "train_loss" in numbers:
            problem = self._divergence(record.t, numbers["train_loss"], record.param_norm, index)
            if problem:
                del self.records[index:]
                self.diverged_at, self.reason = record.t, problem
                return False
        for name, value in numbers.items():
            if name != "param_norm":
                setattr(record, name, value)
        for probe in filter(reads_test_outputs, self.probes):
            record.probes.update(apply_probe(probe, theta, out))
        return True

    def _divergence(self, t: float, loss: float | None, norm: float, index: int) -> str:
        """Why the run diverged at record ``index`` (its time t; '' if it did not): the
        first record's train loss sets the blow-up limit; ``loss`` None: not known yet."""
        if index == 0 and loss is not None:
            self._limit = self.blowup * (abs(loss) + 1.0)
        fine = loss is None or (math.isfinite(loss) and loss <= self._limit)
        if fine and math.isfinite(norm):
            return ""
        last = self.records[index - 1].t if index else 0.0
        seen = "not evaluated yet" if loss is None else f"{loss:.3g}"
        return (
            f"diverged at t={t:.4g} (train loss {seen}, |θ| {norm:.3g}); last finite "
            f"record at t={last:.4g}; try a smaller lr or a tighter rtol"
        )

    def record(
        self,
        t: float,
        theta: torch.Tensor,
        metrics: dict[str, float],
        test_outputs: torch.Tensor | None = None,
        defer: bool = False,
    ) -> bool:
        """Keep one record from metrics already evaluated (batched sweeps evaluate many
        states at once); False when the run has diverged. ``test_outputs``: the model's
        outputs on the test set at θ, from that evaluation, for the probes that read them;
        ``defer``: ``metrics`` lack the test split (and may lack the train split), which
        ``complete`` adds later with the probes that read test outputs (the others, which
        may read the state of the dynamics at this time, run now)."""
        # a deferred train loss is checked when it comes (``flush``)
        loss, norm = metrics.get("train_loss"), metrics["param_norm"]
        problem = self._divergence(t, loss, norm, len(self.records))
        if problem:
            self.diverged_at, self.reason = t, problem
            return False
        elapsed = time.perf_counter() - self._start
        if defer:  # the numbers it lacks come with ``complete``
            metrics = {"train_loss": math.nan, "test_loss": math.nan, **metrics}
        extra: dict[str, float] = {}
        with torch.no_grad():
            for probe in self.probes:
                if not (defer and reads_test_outputs(probe)):
                    extra.update(apply_probe(probe, theta, test_outputs))
        self.records.append(
            Record(
                t=t,
                step=self.step,
                grad_evals=self.objective.grad_evals,
                wall_s=elapsed,
                probes=extra,
                **metrics,
            )
        )
        accuracy = metrics.get("test_acc")
        if self.stop_at and accuracy is not None and accuracy >= self.stop_at:
            self.reached = True
        return True


def due(t_eval: float, t: float) -> bool:
    """Whether a step method at time ``t`` has reached the evaluation time ``t_eval``
    (t = Σ η carries rounding, hence the relative slack)."""
    return t_eval <= t + 1e-12 * max(t, 1.0)
