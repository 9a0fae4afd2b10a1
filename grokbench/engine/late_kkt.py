"""The KKT residual (R7) evaluated only where it is read: from the end of the run back.

R7 reads the time after which r(t) stays below a limit, i.e. the records after the last
one with r ≥ limit, and that one. ``late_kkt_probe`` keeps each record's state during the
run (``kkt_active`` is recorded at once: it costs one forward pass) and, when the run is
done, ``finish`` computes r from the last record backwards, stopping after the first
record with r ≥ ``until``. The records before it keep ``kkt_residual`` NaN (not
computed), which R7 counts as above the limit: its settle time is the same as with r at
every record. At paper scale (d = 10⁵, 256 constraints) each r costs an m × m × d Gram
product; the α sweep's runs settle 70–75% of the way through their records.

Memory: the states of a run's separated records (records × P × 8 bytes; 400 × 1.6 MB at
paper scale) until ``finish``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from grokbench.engine.probes import kkt_residual
from grokbench.spec import Prepared, ProbeFactory, Record


class LateKKT:
    """The probe of one run: ``__call__`` at each record, ``finish`` after the run."""

    def __init__(self, prepared: Prepared, until: float, eps: float, max_bytes: int) -> None:
        self.prepared, self.until, self.eps, self.max_bytes = prepared, until, eps, max_bytes
        self.states: list[torch.Tensor | None] = []

    def __call__(self, theta: torch.Tensor) -> dict[str, float]:
        data = self.prepared.data
        with torch.no_grad():
            out = self.prepared.flat.function(theta, data.x_train).reshape(-1)
            if data.kind == "binary":
                q = data.y_train * out
                q_min = float(q.min())
                active = int((q <= (1 + self.eps) * q_min).sum()) if q_min > 0 else 0
            else:
                active = len(out)
        # not separated: r = 1 with no constraints (kkt_residual), nothing to keep
        self.states.append(theta.detach().clone() if active else None)
        return {"kkt_residual": math.nan, "kkt_active": float(active)}

    def finish(self, records: Sequence[Record]) -> None:
        """Fill ``kkt_residual`` from the last record back to the last with r ≥ ``until``
        (records and calls correspond one to one: the recorder calls probes once per
        record it keeps)."""
        if len(records) != len(self.states):
            raise RuntimeError(f"late_kkt: {len(self.states)} states for {len(records)} records")
        for record, state in zip(reversed(records), reversed(self.states), strict=True):
            residual = 1.0
            if state is not None:
                residual, _ = kkt_residual(self.prepared, state, self.eps, self.max_bytes)
            record.probes["kkt_residual"] = residual
            if not residual < self.until:
                break
        self.states.clear()


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
