"""Threshold measures in updates (Power et al. 2022): the first evaluation at which an
accuracy reaches a level (T99 at 0.99), and the best test accuracy within the run.

A run with ``stop_at`` ends at its first test accuracy ≥ that level, so these measures
are final there: nothing later could change T99 or the best accuracy's crossing.
"""

from __future__ import annotations

from grokbench.spec import Trace

#: The paper's level: "steps until validation accuracy > 99%".
LEVEL = 0.99


def first_step_at(trace: Trace, metric: str = "test_acc", level: float = LEVEL) -> int | None:
    """``Record.step`` (updates) of the first evaluation with ``metric`` ≥ ``level``, or None."""
    for record in trace.records:
        value = getattr(record, metric, None)
        if value is not None and value >= level:
            return record.step
    return None


def best(trace: Trace, metric: str = "test_acc") -> float | None:
    """The largest value of ``metric`` over the run's evaluations (None: never measured)."""
    values = [v for v in (getattr(r, metric, None) for r in trace.records) if v is not None]
    return max(values) if values else None


def summary(trace: Trace) -> dict[str, object]:
    """t99_val, t99_train (updates) and best_val of a classification trace."""
    if not trace.records or trace.records[0].test_acc is None:
        return {}
    return {
        "t99_val": first_step_at(trace, "test_acc"),
        "t99_train": first_step_at(trace, "train_acc"),
        "best_val": best(trace, "test_acc"),
    }
