"""The KKT residual (R7) evaluated only where it is read: from the end of the run back.

R7 reads the time after which r(t) stays below a limit, i.e. the records after the last
one with r ≥ limit, and that one. ``late_kkt_probe`` keeps each record's state during the
run and, when the run is done, ``finish`` computes r from the last record backwards,
stopping after the first record with r ≥ ``until``. The records before it keep
``kkt_residual`` NaN (not computed), which R7 counts as above the limit: its settle time
is the same as with r at every record. At paper scale (d = 10⁵, 256 constraints) each r
costs an m × m × d Gram product; the α sweep's runs settle 70–75% of the way through
their records.

``kkt_active`` waits too, ACTIVE_BLOCK states at a time: one forward pass over the
training inputs for them all (a matrix product), whose outputs ``finish`` reuses, where
one pass a record read the 256 × 10⁵ inputs each time (16 ms a record at paper scale,
26 s of the α sweep's unit); ``finish`` fills it in for every record.

Memory: the states of a run's separated records (records × P × 8 bytes; 400 × 1.6 MB at
paper scale) until ``finish``, and up to ACTIVE_BLOCK more.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch.func import vmap

from grokbench.engine.probes import kkt_residual, training_signs
from grokbench.spec import Prepared, ProbeFactory, Record

#: States whose ``kkt_active`` is counted in one forward pass.
ACTIVE_BLOCK = 32


class LateKKT:
    """The probe of one run: ``__call__`` at each record, ``finish`` after the run."""

    def __init__(self, prepared: Prepared, until: float, eps: float, max_bytes: int) -> None:
        self.prepared, self.until, self.eps, self.max_bytes = prepared, until, eps, max_bytes
        self.states: list[torch.Tensor | None] = []
        self.outputs: list[torch.Tensor] = []  # f(θ) on the training inputs, kept states'
        self.active: list[int] = []
        self._waiting: list[torch.Tensor] = []  # states not counted yet

    def __call__(self, theta: torch.Tensor) -> dict[str, float]:
        self._waiting.append(theta.detach().clone())
        if len(self._waiting) >= ACTIVE_BLOCK:
            self._count()
        return {"kkt_residual": math.nan, "kkt_active": math.nan}

    def _count(self) -> None:
        """``kkt_active`` of the waiting states, as ``kkt_residual`` counts it, in one
        forward pass; the states of records not separated yet are dropped (r = 1 with no
        constraints, nothing to keep)."""
        if not self._waiting:
            return
        data, states = self.prepared.data, torch.stack(self._waiting)
        self._waiting = []
        with torch.no_grad():
            out = vmap(self.prepared.flat.function, in_dims=(0, None))(states, data.x_train)
            out = out.reshape(len(states), -1)
            if data.kind == "binary":
                q = data.y_train * out
                q_min = q.amin(dim=1, keepdim=True)
                counts = ((q <= (1 + self.eps) * q_min).sum(dim=1) * (q_min[:, 0] > 0)).tolist()
            else:
                counts = [out.shape[1]] * len(states)
        self.active += counts
        for state, row, count in zip(states, out, counts, strict=True):
            self.states.append(state if count else None)
            if count:
                self.outputs.append(row)

    def finish(self, records: Sequence[Record]) -> None:
        """Fill ``kkt_active`` for every record and ``kkt_residual`` from the last record
        back to the last with r ≥ ``until`` (records and calls correspond one to one: the
        recorder calls probes once per record it keeps)."""
        self._count()
        if len(records) != len(self.states):
            raise RuntimeError(f"late_kkt: {len(self.states)} states for {len(records)} records")
        for record, count in zip(records, self.active, strict=True):
            record.probes["kkt_active"] = float(count)
        outputs, signs = iter(reversed(self.outputs)), training_signs(self.prepared)
        for record, state in zip(reversed(records), reversed(self.states), strict=True):
            residual = 1.0
            if state is not None:
                out = next(outputs)
                residual, _ = kkt_residual(
                    self.prepared, state, self.eps, self.max_bytes, out, signs
                )
            record.probes["kkt_residual"] = residual
            if not residual < self.until:
                break
        self.states.clear()
        self.outputs.clear()
        self.active.clear()


def late_kkt_probe(until: float, eps: float = 0.5, max_bytes: int = 2**28) -> ProbeFactory:
    """``probes.kkt_probe``'s ``kkt_residual`` and ``kkt_active``, the residual computed
    by ``LateKKT.finish`` from the end back to the last record with r ≥ ``until``."""

    def factory(prepared: Prepared) -> LateKKT:
        return LateKKT(prepared, until, eps, max_bytes)

    return factory


def finish_probes(probes: Sequence[object], records: Sequence[Record]) -> None:
    """Call ``finish(records)`` on each probe that defers work to the end of its run."""
    for probe in probes:
        finish = getattr(probe, "finish", None)
        if finish is not None:
            finish(records)
