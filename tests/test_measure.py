"""Transition measures on synthetic traces whose answer is known."""

import math

import numpy as np
import pytest

from grokbench.engine.measure import crossing_time, transition
from grokbench.spec import Record, Trace


def _trace(times, test, train_acc=None, mse=False):
    records = []
    for i, (t, value) in enumerate(zip(times, test, strict=True)):
        fields = dict(
            t=float(t),
            step=i,
            grad_evals=i,
            wall_s=0.0,
            train_loss=0.0,
            test_loss=0.0,
            param_norm=1.0,
        )
        if mse:
            fields.update(train_mse=1.0 if i == 0 else 1e-4, test_mse=float(value))
        else:
            fields.update(
                train_acc=1.0 if train_acc is None else train_acc[i], test_acc=float(value)
            )
        records.append(Record(**fields))
    return Trace(config={}, env={}, records=records)


def _sigmoid(times, centre, width, low, high):
    return low + (high - low) / (1 + np.exp(-(times - centre) / width))


def test_t_grok_of_a_sigmoid_is_its_centre():
    times = np.linspace(0, 100, 1001)
    shape = transition(_trace(times, _sigmoid(times, 40.0, 2.0, 0.5, 1.0)))
    assert shape.plateau == pytest.approx(0.5, abs=1e-6)
    assert shape.final == pytest.approx(1.0, abs=1e-6)
    assert shape.t_grok == pytest.approx(40.0, rel=1e-3)
    # a logistic curve goes from 10% to 90% in 2·ln(9)·width
    assert shape.window == pytest.approx(2 * math.log(9) * 2.0, rel=1e-2)


def test_falling_metric_and_regression_traces():
    times = np.linspace(0, 50, 501)
    shape = transition(_trace(times, _sigmoid(times, 20.0, 1.0, 0.1, 0.0), mse=True))
    assert shape.metric == "test_mse"
    assert shape.t_grok == pytest.approx(20.0, rel=1e-3)
    assert shape.plateau == pytest.approx(0.1, rel=1e-4)


def test_no_fit_means_no_plateau():
    times = np.linspace(0, 10, 11)
    shape = transition(_trace(times, np.full(11, 0.5), train_acc=np.full(11, 0.9)))
    assert shape.t_fit is None and shape.plateau is None and shape.t_grok is None


def test_crossing_time_interpolates_linearly():
    times = np.array([0.0, 1.0, 2.0, 3.0])
    values = np.array([0.0, 0.0, 1.0, 1.0])
    assert crossing_time(times, values, 0.25, 0.0, rising=True) == pytest.approx(1.25)
    assert crossing_time(times, values[::-1], 0.25, 0.0, rising=False) == pytest.approx(1.75)
    assert crossing_time(times, values, 2.0, 0.0, rising=True) is None
