"""gromov23: the mse loss, the quadratic MLP, the periodicity measures, the analytic
solution, the modadd-quad experiment's validation, and the pack's run set at smoke scale."""

from __future__ import annotations

import math

import pytest
import torch

from grokbench.cli import main
from grokbench.engine import runner
from grokbench.engine.config import make_config
from grokbench.engine.losses import mse_onehot
from grokbench.engine.objective import per_example_loss
from grokbench.engine.periodic import (
    QuadMLP,
    analytic_accuracy,
    analytic_weights,
    ipr,
    mean_ipr,
    phase_error,
    phase_residuals,
)
from grokbench.papers.gromov23.probes import periodic_probe
from grokbench.spec import ConfigError

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


def test_mse_loss_is_the_mean_squared_error_on_one_hot_targets():
    logits = torch.tensor([[0.5, 0.2, -1.0], [0.0, 1.0, 0.0]], dtype=torch.float64)
    labels = torch.tensor([0, 1])
    expected = torch.tensor([(0.25 + 0.04 + 1.0) / 3, 0.0], dtype=torch.float64)
    assert torch.allclose(mse_onehot(logits, labels), expected)
    assert torch.allclose(per_example_loss("multiclass", logits, labels, "mse"), expected)


def test_quad_mlp_is_quadratic_and_cubic_homogeneous():
    g = torch.Generator().manual_seed(0)
    net = QuadMLP(10, 7, 5, generator=g)
    x = torch.randn(4, 10, dtype=torch.float64)
    expected = (x @ net.W1.T) ** 2 @ net.W2.T / 7
    assert torch.allclose(net(x), expected)
    assert torch.allclose(net(-x), net(x))  # x² activation, no biases
    with torch.no_grad():
        net.W1.mul_(2.0)
        net.W2.mul_(2.0)
    assert torch.allclose(net(x), 8 * expected) and net.degree == 3


def test_ipr_of_a_cosine_is_one_half_and_of_noise_small():
    n = torch.arange(31, dtype=torch.float64)
    cosine = torch.cos(2 * math.pi * 5 * n / 31 + 0.7)[None]
    assert float(ipr(cosine)) == pytest.approx(0.5)
    noise = torch.randn(200, 31, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    assert float(ipr(noise).mean()) < 0.15


def test_phases_of_the_analytic_solution_close_and_random_ones_do_not():
    w1, w2 = analytic_weights(23, 100, seed=0)
    assert float(phase_residuals(w1, w2).abs().max()) < 1e-9
    assert mean_ipr(w1, w2) == pytest.approx(0.5)
    u1, u2 = analytic_weights(23, 100, seed=0, coupled=False)
    assert phase_error(u1, u2) > 1.0  # ≈ π/2 for independent phases


def test_analytic_solution_scores_100_percent_and_the_control_does_not():
    assert analytic_accuracy(23, 200, seed=0) == 1.0
    assert analytic_accuracy(23, 200, seed=0, coupled=False) < 0.2


def test_modadd_quad_validation_and_loss_values():
    with pytest.raises(ConfigError, match="loss"):
        make_config("modadd-quad", "smoke", {"loss": "l2"})
    assert main(["run", "modadd-quad", "--scale", "smoke", "--set", "width=0"]) == 2
    assert make_config("modadd", "smoke", {"loss": "mse"}).loss == "mse"


def test_smoke_run_records_the_periodic_probe():
    config = make_config("modadd-quad", "smoke", {"seed": 0})
    trace = runner.run(config, probes=[periodic_probe])
    assert trace.status == "ok"
    first, last = trace.records[0].probes, trace.records[-1].probes
    assert set(first) == {"ipr", "phase_err", "analytic_acc", "analytic_acc_uncoupled"}
    assert last["ipr"] > first["ipr"]
    assert last["phase_err"] < first["phase_err"]
