"""Normalised gradient flow in log time (grokbench.engine.logtime): exact where plain normalised
GD can run, finite where L underflows, and the N1 measure on both sides of its threshold."""

import math

import numpy as np
import pytest
import torch

from grokbench.engine import dynamics, logtime
from grokbench.engine.config import make_config
from grokbench.engine.objective import Objective, data_loss
from grokbench.engine.recorder import Recorder
from grokbench.engine.runner import prepare, run
from grokbench.spec import Record, Trace


def _objective(wd: str):
    prepared = prepare(make_config("sparse-cls", "smoke", {"wd": wd, "horizon": "10"}))
    return prepared, Objective(prepared.flat.function, prepared.data, prepared.config.wd)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_log_loss_is_the_log_of_the_loss_and_stays_finite(kind):
    generator = torch.Generator().manual_seed(0)
    if kind == "binary":
        out = torch.randn(50, generator=generator, dtype=torch.float64)
        y = torch.sign(out) * torch.where(torch.arange(50) < 45, 1.0, -1.0).double()
    else:
        out = torch.randn(50, 7, generator=generator, dtype=torch.float64)
        y = torch.randint(0, 7, (50,), generator=generator)
    expected = math.log(float(data_loss(kind, out, y)))
    assert float(logtime.log_mean_loss(kind, out, y)) == pytest.approx(expected, rel=1e-12)
    # all correct and margins in the thousands: L underflows, ln L ≈ −(smallest margin)
    if kind == "binary":
        huge, y = 1e4 * out.abs() + 1000.0, torch.ones(50, dtype=torch.float64)
        smallest = float(huge.min())
    else:
        y = out.argmax(-1)
        huge = 1e3 * out + 2000.0 * torch.nn.functional.one_hot(y, 7)
        top2 = huge.topk(2, dim=-1).values
        smallest = float((top2[:, 0] - top2[:, 1]).min())
    assert float(data_loss(kind, huge, y)) == 0.0
    leaf = huge.clone().requires_grad_(True)
    value = logtime.log_mean_loss(kind, leaf, y)
    (grad,) = torch.autograd.grad(value, leaf)
    assert -smallest - math.log(50) - 1 < float(value.detach()) <= -smallest
    assert bool(torch.isfinite(grad).all()) and float(grad.abs().sum()) > 0


@pytest.mark.parametrize("wd", ["0", "0.05"])
def test_fixed_steps_are_plain_normalised_gd(wd):
    prepared, objective = _objective(wd)
    times = torch.tensor(sorted(np.random.default_rng(1).uniform(0.01, 10.0, 6)))
    gd = Recorder(objective)
    dynamics.gradient_descent(
        objective, prepared.theta0, 0.01, 10.0, times, gd, normalised=True, check_every=10**9
    )
    mine = Recorder(objective)
    stopped = logtime.normalised_log_flow(
        objective, prepared.theta0, np.log(times.numpy()).tolist(), mine, fixed_step=0.01
    )
    assert stopped == "horizon" and len(mine.records) == len(gd.records) == 6
    for ours, theirs in zip(mine.records, gd.records, strict=True):
        assert ours.step == theirs.step > 0
        assert math.exp(ours.probes["ln_t"]) == pytest.approx(theirs.t, rel=1e-9)
        assert ours.param_norm == pytest.approx(theirs.param_norm, rel=1e-9)
        assert ours.train_loss == pytest.approx(theirs.train_loss, rel=1e-7)
        assert ours.test_acc == theirs.test_acc
        assert ours.t == pytest.approx(0.01 * ours.step, rel=1e-12)  # Record.t is τ = Σ η


def test_adaptive_steps_follow_small_step_normalised_gd():
    prepared, objective = _objective("0")
    fine = Recorder(objective)
    dense = np.linspace(-3.0, 3.5, 400).tolist()
    logtime.normalised_log_flow(objective, prepared.theta0, dense, fine, fixed_step=2e-5)
    adaptive = Recorder(objective)
    before = objective.grad_evals
    targets = [-2.0, 0.0, 2.0, 3.0]
    logtime.normalised_log_flow(objective, prepared.theta0, targets, adaptive, rtol=1e-5)
    assert objective.grad_evals - before < 0.05 * fine.records[-1].step
    fine_ln_t = [r.probes["ln_t"] for r in fine.records]
    for ours in adaptive.records:
        assert ours.probes["ln_t"] == pytest.approx(round(ours.probes["ln_t"]), abs=0.02)
        for name in ("ln_loss", "ln_norm"):
            reference = np.interp(
                ours.probes["ln_t"], fine_ln_t, [r.probes[name] for r in fine.records]
            )
            assert ours.probes[name] == pytest.approx(reference, abs=2e-3)  # Euler's own error


def test_with_weight_decay_it_is_the_gradient_flow_in_log_time():
    log_flow = run(make_config("sparse-cls", "smoke", {"dynamics": "logflow", "rtol": "1e-3"}))
    flow = run(make_config("sparse-cls", "smoke"))
    assert log_flow.status == "ok"
    assert log_flow.summary["log_time_ln_t_50"] == pytest.approx(
        math.log(flow.summary["t_grok"]), abs=0.05
    )
    assert log_flow.summary["log_time_ratio"] < 10  # N1's counterfactual: sharp in ln t


def test_without_weight_decay_the_transition_spans_decades_of_ln_t():
    trace = run(make_config("sparse-cls-nowd", "smoke"))
    assert trace.status == "ok"
    assert trace.summary["ln_t_reached"] >= 1e4
    assert trace.records[-1].train_loss == 0.0  # L underflowed; ln L did not
    assert trace.records[-1].probes["ln_loss"] < -5000
    shape = logtime.log_time_transition(trace)
    assert shape["final"] - shape["plateau"] > 0.2
    assert shape["ratio"] >= 10  # N1 at smoke scale


def _record(t: float, ln_t: float, train: float, test: float) -> Record:
    return Record(t, 0, 0, 0.0, 0.1, 0.1, 1.0, train, test, probes={"ln_t": ln_t})


def test_transition_in_log_time_uses_ln_t_not_tau():
    ln_t = np.geomspace(1.0, 1000.0, 200)
    test = 0.5 + 0.5 / (1 + np.exp(-(np.log(ln_t) - math.log(100.0)) * 4))
    records = [
        _record(float(i), float(s), 1.0, float(v))
        for i, (s, v) in enumerate(zip(ln_t, test, strict=True))
    ]
    shape = logtime.log_time_transition(Trace({}, {}, records))
    assert shape["ln_t_50"] == pytest.approx(100.0, rel=0.02)
    assert shape["ratio"] == pytest.approx(shape["ln_t_90"] / shape["ln_t_10"])
    assert shape["ratio"] > 2.0
    grid = logtime.log_time_grid(-8.0, 1e4, 400)
    assert len(grid) == 400 and grid == sorted(grid) and grid[-1] == pytest.approx(1e4)
