"""kumar24: the quad-index task, the quadnet model, their validation, the exact probes, and the
pack's run set at smoke scale."""

from __future__ import annotations

import math

import pytest
import torch

from grokbench.cli import main
from grokbench.engine import runner, tasks
from grokbench.engine.config import make_config
from grokbench.engine.quadnet import QuadNet
from grokbench.papers.kumar24 import probes
from grokbench.spec import ConfigError

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


def test_quad_index_task_is_the_single_index_quadratic():
    data = tasks.quad_index(n=400, d=20, n_test=300, seed=3)
    beta = data.truth["beta"]
    assert data.x_train.shape == (400, 20) and data.x_test.shape == (300, 20)
    assert torch.allclose(data.y_train, (data.x_train @ beta) ** 2 / 2)
    assert data.x_train.dtype == torch.float64
    assert abs(float(data.x_train.pow(2).sum(1).mean()) - 1.0) < 0.1  # x ~ N(0, I/D)
    assert torch.equal(tasks.quad_index(400, 20, 300, 3).y_test, data.y_test)


def test_quadnet_is_centred_and_scaled():
    g = torch.Generator().manual_seed(0)
    net = QuadNet(6, 8, out_scale=3.0, eps=0.5, generator=g)
    x = torch.randn(5, 6, dtype=torch.float64)
    assert torch.allclose(net(x), torch.zeros(5, dtype=torch.float64))  # f(W₀) = 0
    with torch.no_grad():
        net.W.add_(0.1)
    h, h0 = x @ net.W.T, x @ net.W_init.T
    expected = 3.0 * ((h + 0.25 * h * h) - (h0 + 0.25 * h0 * h0)).mean(-1)
    assert torch.allclose(net(x), expected)


@pytest.mark.parametrize("key, raw", [("out_scale", "0"), ("eps", "-1"), ("width", "0")])
def test_bad_quad_settings_are_config_errors(key, raw):
    with pytest.raises(ConfigError, match=key):
        make_config("quad-index", "smoke", {key: raw})


def test_bad_out_scale_exits_2_with_one_line(capsys):
    assert main(["run", "quad-index", "--scale", "smoke", "--set", "out_scale=-1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "out_scale" in err[0]


def test_population_mse_matches_monte_carlo_and_ntk_matches_autograd():
    g = torch.Generator().manual_seed(1)
    d, n, out_scale, eps = 8, 12, 2.0, 0.3
    w0 = torch.randn(n, d, generator=g, dtype=torch.float64)
    w = w0 + 0.3 * torch.randn(n, d, generator=g, dtype=torch.float64)
    beta = torch.randn(d, generator=g, dtype=torch.float64)
    x = torch.randn(200_000, d, generator=g, dtype=torch.float64) / math.sqrt(d)

    def f(weights, xs):
        h, h0 = xs @ weights.T, xs @ w0.T
        return out_scale * ((h + eps / 2 * h * h) - (h0 + eps / 2 * h0 * h0)).mean(-1)

    mc = float(((f(w, x) - (x @ beta) ** 2 / 2) ** 2).mean())
    exact = probes.population_terms(w, w0, beta, out_scale, eps)["pop_test"]
    assert abs(mc / exact - 1) < 0.03
    xs = x[:5]
    jac = torch.autograd.functional.jacobian(lambda v: f(v.view(n, d), xs), w.reshape(-1))
    assert torch.allclose(probes.ntk(w, xs, xs, out_scale, eps), jac @ jac.T, atol=1e-12)


def test_the_alpha_run_set_runs_at_smoke_scale_with_probes():
    from grokbench.papers.kumar24.runsets import RUN_SETS

    grid = RUN_SETS["kumar24-alpha"].grid("smoke")
    assert [m["out_scale"] for m in grid] == [0.05, 0.5, 5.0]
    assert all(m["seed"] >= 4 for m in RUN_SETS["kumar24-alpha"].grid("ci"))
    config = make_config("quad-index", "smoke", grid[1])
    assert config.lr == pytest.approx(2 * 20 / 0.25)
    trace = runner.run(config, probes=[probes.quad_probe])
    assert trace.status == "ok"
    first, last = trace.records[0], trace.records[-1]
    y = runner.prepare(config).data.y_train
    assert first.train_loss == pytest.approx(float((y**2).mean()))  # centred: f(W₀) = 0
    assert last.probes["pop_test"] < first.probes["pop_test"]
    assert last.param_norm > first.param_norm  # λ = 0: the norm grows (NG1's direction)
    assert 0 < first.probes["cka"] < 1


def test_quadnet_gradient_matches_plain_autograd_also_under_vmap():
    from torch.func import grad, vmap

    from grokbench.engine.parameters import FlatModel

    g = torch.Generator().manual_seed(0)
    net = QuadNet(6, 8, out_scale=2.0, eps=0.3, generator=g)
    flat = FlatModel(net)
    x, y = torch.randn(5, 6, dtype=torch.float64), torch.randn(5, dtype=torch.float64)
    theta = flat.reference() + 0.1 * torch.randn(48, dtype=torch.float64, generator=g)

    def loss(t: torch.Tensor) -> torch.Tensor:
        return ((flat.function(t, x) - y) ** 2).mean()

    def plain(w: torch.Tensor) -> torch.Tensor:
        h, h0 = x @ w.view(8, 6).T, x @ net.W_init.T
        return ((2 * ((h + 0.15 * h * h) - (h0 + 0.15 * h0 * h0)).mean(-1) - y) ** 2).mean()

    leaf = theta.clone().requires_grad_(True)
    (ours,) = torch.autograd.grad(loss(leaf), leaf)
    (reference,) = torch.autograd.grad(plain(leaf), leaf)
    assert torch.allclose(ours, reference, atol=1e-14)
    batched = vmap(grad(loss))(torch.stack([theta, 1.1 * theta]))
    assert torch.allclose(batched[0], ours, atol=1e-14)
