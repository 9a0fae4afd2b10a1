"""levi24: the linear-teacher experiment (task, student, validation, threshold probe), the
closed forms, and the pack's checks on a smoke-scale run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grokbench.engine import runner
from grokbench.engine.config import make_config
from grokbench.engine.linear_teacher import linear_teacher, threshold_accuracy, threshold_probe
from grokbench.papers.levi24 import checks, theory
from grokbench.papers.levi24.catalogue import CLAIMS
from grokbench.papers.levi24.runsets import member
from grokbench.spec import ConfigError, Member

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


def test_task_is_the_linear_teacher():
    data = linear_teacher(d=20, lam=0.5, n_test=30, seed=1)
    teacher = data.truth["teacher"]
    assert data.x_train.shape == (40, 20) and data.x_test.shape == (30, 20)
    assert data.x_train.dtype == torch.float64
    assert torch.allclose(data.y_train, data.x_train @ teacher)
    assert torch.equal(linear_teacher(20, 0.5, 30, 1).y_test, data.y_test)


@pytest.mark.parametrize(("key", "value"), [("lam", "0"), ("threshold", "-1"), ("d", "0")])
def test_bad_values_name_the_key(key, value):
    with pytest.raises(ConfigError, match=key):
        make_config("linear-teacher", "smoke", {key: value})


def test_threshold_accuracy_counts_squared_errors_below_eps():
    residual = torch.tensor([0.0, 0.01, 0.1, -0.02], dtype=torch.float64)
    assert threshold_accuracy(residual, 1e-3) == 0.75


def test_gd_follows_the_exact_solution():
    """GD on the engine's mean (f − y)² is D ← (I − 2ηΣ − ηγ)D − ηγT (the paper's Eq. 14)."""
    lr, steps, gamma = 0.05, 40, 0.01
    over = {"d": 12, "lam": 0.5, "wd": gamma, "lr": lr, "horizon": f"{lr * steps}", "evals": 5}
    config = make_config("linear-teacher", "smoke", over)
    trace = runner.run(config, probes=[threshold_probe])
    prepared = runner.prepare(config)
    data, s = prepared.data, prepared.theta0.clone()
    teacher = data.truth["teacher"]
    sigma = data.x_train.T @ data.x_train / len(data.y_train)
    d = s - teacher
    for _ in range(steps):
        d = d - lr * (2 * sigma @ d + gamma * (d + teacher))
    last = trace.records[-1]
    assert last.step == steps
    assert last.probes["pop_test"] == pytest.approx(float(d @ d), rel=1e-10)
    assert last.train_loss == pytest.approx(float(d @ sigma @ d), rel=1e-10)
    assert last.probes["acc_pop"] == pytest.approx(
        math.erf(math.sqrt(1e-3 / (2 * float(d @ d)))), rel=1e-10
    )


def test_closed_forms():
    assert theory.lambert_w(10.0) * math.exp(theory.lambert_w(10.0)) == pytest.approx(10.0)
    # Eq. 24's Δτ tends to Eq. 12 as ε → 0 (slowly: O(ln ln / ln))
    gaps = [theory.eq24(0.5, eps)[1] - theory.eq24(0.5, eps)[0] for eps in (1e-3, 1e-30)]
    assert abs(gaps[1] / theory.eq12(0.5) - 1) < abs(gaps[0] / theory.eq12(0.5) - 1)
    assert theory.eq16(0.5) < theory.eq12(0.5)


def test_crossings_and_rate_gain():
    t = np.linspace(0, 10, 101)
    loss = np.exp(-t)
    assert checks.cross_down(t, loss, math.exp(-2.5)) == pytest.approx(2.5)
    assert checks.rate_gain(t, loss) == pytest.approx(1.0)
    plateau = np.where(t < 5, 1.0, np.exp(-(t - 5) * 3))
    assert checks.rate_gain(t, plateau) > 10


def test_checks_read_a_smoke_sweep():
    claim = {c.id: c for c in CLAIMS}["TG1"]
    members = []
    for lam in (0.2, 0.35, 0.5):
        config = make_config("linear-teacher", "smoke", member("smoke", lam))
        members.append(Member(config, runner.run(config, probes=[threshold_probe])))
    outcome = checks.CHECKS["TG1"](claim, members)
    assert outcome.status in ("pass", "fail")
    assert outcome.measured["min_step_ratio"] > 1
