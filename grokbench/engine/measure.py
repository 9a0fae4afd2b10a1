"""Measures on traces: when the training set is fit, the plateau, the final level, and the
interpolated times at which the test metric covers 10%, 50% and 90% of the way."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import linregress

from grokbench.spec import Trace, Transition

#: Regression counts as fit once the training MSE is this fraction of its initial value.
REGRESSION_FIT_FRACTION = 1e-2


def test_metric_name(trace: Trace) -> str:
    """``test_acc`` for classification traces, ``test_mse`` for regression ones."""
    return "test_mse" if trace.records and trace.records[0].test_mse is not None else "test_acc"


def fit_time(trace: Trace) -> float | None:
    """The first evaluation time at which the training set is fit: 100% training accuracy,
    or training MSE below 1% of its initial value."""
    if not trace.records:
        return None
    if trace.records[0].train_acc is not None:
        for record in trace.records:
            if record.train_acc is not None and record.train_acc >= 1.0:
                return record.t
        return None
    initial = trace.records[0].train_mse or 0.0
    for record in trace.records:
        if record.train_mse is not None and record.train_mse <= REGRESSION_FIT_FRACTION * initial:
            return record.t
    return None


def crossing_time(
    times: np.ndarray, values: np.ndarray, level: float, start: float, rising: bool
) -> float | None:
    """The first time ≥ ``start`` at which ``values`` reaches ``level`` (from below when
    ``rising``, from above otherwise), linearly interpolated between evaluation points."""
    mask = times >= start
    times, values = times[mask], values[mask]
    if len(times) == 0:
        return None
    reached = values >= level if rising else values <= level
    hits = np.flatnonzero(reached)
    if len(hits) == 0:
        return None
    i = int(hits[0])
    if i == 0:
        return float(times[0])
    t0, t1, v0, v1 = times[i - 1], times[i], values[i - 1], values[i]
    return float(t0 + (level - v0) / (v1 - v0) * (t1 - t0))


def transition(trace: Trace, metric: str | None = None) -> Transition:
    """Plateau, final level and the 10/50/90% crossing times of a test metric.

    The plateau is the median of the metric between the fit time and halfway to a first
    estimate of the 50% crossing (which used the value at the fit time as plateau); the
    final level is the metric's last value.
    """
    metric = metric or test_metric_name(trace)
    times = np.asarray(trace.column("t"))
    values = np.asarray(trace.column(metric))
    final = float(values[-1]) if len(values) else math.nan
    t_fit = fit_time(trace)
    if t_fit is None:
        return Transition(metric, None, None, final, None, None, None)
    start_value = float(values[times >= t_fit][0])
    rising = final > start_value
    first_guess = crossing_time(times, values, 0.5 * (start_value + final), t_fit, rising)
    end = t_fit + 0.5 * ((first_guess if first_guess is not None else times[-1]) - t_fit)
    window = values[(times >= t_fit) & (times <= end)]
    plateau = float(np.median(window)) if len(window) else start_value

    def at(share: float) -> float | None:
        if plateau == final:
            return None
        level = plateau + share * (final - plateau)
        return crossing_time(times, values, level, t_fit, final > plateau)

    return Transition(metric, t_fit, plateau, final, at(0.1), at(0.5), at(0.9))


def value_at(trace: Trace, name: str, t: float) -> float:
    """A record field (or probe) at time t, linearly interpolated between records."""
    times = np.asarray(trace.column("t"))
    values = np.asarray(trace.column(name))
    return float(np.interp(t, times, values))


def window_values(trace: Trace, name: str, start: float, end: float) -> np.ndarray:
    """A field's values at the records with start ≤ t ≤ end."""
    times = np.asarray(trace.column("t"))
    values = np.asarray(trace.column(name))
    return values[(times >= start) & (times <= end)]


def loss_crossing_time(trace: Trace, threshold: float, name: str = "train_loss") -> float | None:
    """The first time a decreasing loss drops below ``threshold``, interpolated linearly in
    log t and log loss (losses fall like powers of t early on, so this is exact there)."""
    times = np.asarray(trace.column("t"))
    values = np.asarray(trace.column(name))
    below = np.flatnonzero(values < threshold)
    if len(below) == 0:
        return None
    i = int(below[0])
    if i == 0 or times[i - 1] <= 0:
        return float(times[i])
    log_t = np.log([times[i - 1], times[i]])
    log_v = np.log([values[i - 1], values[i]])
    share = (math.log(threshold) - log_v[0]) / (log_v[1] - log_v[0])
    return float(math.exp(log_t[0] + share * (log_t[1] - log_t[0])))


def late_norm(trace: Trace) -> float:
    """‖θ‖ at the end of the run (the late-phase norm once the run has converged)."""
    return trace.records[-1].param_norm


def linear_fit(
    x: np.ndarray | list[float], y: np.ndarray | list[float]
) -> tuple[float, float, float]:
    """Least-squares line through (x, y): (slope, its standard error, intercept)."""
    fit = linregress(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return float(fit.slope), float(fit.stderr), float(fit.intercept)
