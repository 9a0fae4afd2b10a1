"""omnigrok23's engine additions: the image-mlp experiment (digits / MNIST, init × α) and
the fixed-norm constraint (dynamics=sphere-NAME), and the pack's crossing times."""

import inspect
import math

import numpy as np
import pytest
import torch

from grokbench.engine.config import make_config
from grokbench.engine.dynamics import resolve_optimizer
from grokbench.engine.image_mlp import ImageMLP, digits, mnist
from grokbench.engine.runner import run
from grokbench.papers.omnigrok23.checks import times
from grokbench.spec import ConfigError, Member, Record, Trace


def _steps(name: str, steps: int = 5, **settings):
    cls, defaults = resolve_optimizer(name)
    param = torch.nn.Parameter(
        torch.randn(50, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    )
    norm0 = float(param.detach().norm())
    optimizer = cls([param], lr=0.1, **{**defaults, **settings})
    for _ in range(steps):
        optimizer.zero_grad()
        (param - 3.0).square().sum().backward()  # pulls θ away from its sphere
        optimizer.step()
    return norm0, float(param.detach().norm())


def test_sphere_keeps_the_initial_norm_and_plain_adamw_does_not():
    norm0, norm = _steps("sphere-adamw")
    assert norm == pytest.approx(norm0, rel=1e-12)
    plain0, plain = _steps("adamw")
    assert abs(plain / plain0 - 1) > 1e-3


def test_sphere_radius_option_and_wrapping():
    _, norm = _steps("sphere-sgd", radius=2.5)
    assert norm == pytest.approx(2.5, rel=1e-12)
    _, norm = _steps("sphere-ortho-adamw", radius=4.0)
    assert norm == pytest.approx(4.0, rel=1e-12)
    cls, _ = resolve_optimizer("sphere-adamw")
    assert "weight_decay" in inspect.signature(cls).parameters  # λ reaches AdamW, decoupled
    with pytest.raises(ConfigError, match="sphere-"):
        resolve_optimizer("sphere-gd")
    with pytest.raises(ValueError, match="radius"):
        _steps("sphere-adamw", radius=-1.0)


def test_digits_split_is_seeded_and_scaled():
    a, b, c = digits(300, 1497, 1), digits(300, 1497, 1), digits(300, 1497, 2)
    assert a.x_train.shape == (300, 64) and a.x_test.shape == (1497, 64)
    assert torch.equal(a.y_train, b.y_train) and not torch.equal(a.y_train, c.y_train)
    assert float(a.x_train.max()) == 1.0 and float(a.x_train.min()) == 0.0
    with pytest.raises(ConfigError, match="n:"):
        digits(1797, 10, 0)


def test_mnist_from_a_local_npz(tmp_path):
    with pytest.raises(ConfigError, match="data_path"):
        mnist("", 10, 10)
    with pytest.raises(ConfigError, match="data_path: no such file"):
        mnist(str(tmp_path / "missing.npz"), 10, 10)
    rng = np.random.default_rng(0)
    arrays = {k: rng.integers(0, 256, (20, 28, 28), dtype=np.uint8) for k in ("x_train", "x_test")}
    arrays.update({k: rng.integers(0, 10, 20) for k in ("y_train", "y_test")})
    np.savez(tmp_path / "mnist.npz", **arrays)
    data = mnist(str(tmp_path / "mnist.npz"), 12, 8)
    assert data.x_train.shape == (12, 784) and data.x_test.shape == (8, 784)
    assert float(data.x_train.max()) <= 1.0 and data.n_outputs == 10
    np.savez(tmp_path / "bad.npz", x=np.zeros(3))
    with pytest.raises(ConfigError, match="not an MNIST"):
        mnist(str(tmp_path / "bad.npz"), 12, 8)


def test_image_mlp_scales_every_parameter_by_alpha():
    model = ImageMLP(64, 16, 10, depth=3, generator=torch.Generator().manual_seed(0))
    names = [n for n, _ in model.named_parameters()]
    assert names == [f"layers.{i}.{k}" for i in range(3) for k in ("weight", "bias")]
    ref = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    assert float(ref.abs().max()) <= 1 / math.sqrt(16)
    model.set_alpha(4.0)
    scaled = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    assert torch.allclose(scaled, 4.0 * ref)
    assert model(torch.zeros(5, 64, dtype=torch.float64)).shape == (5, 10)


def test_config_validation_names_the_key():
    with pytest.raises(ConfigError, match=r"^data:"):
        make_config("image-mlp", "ci", {"data": "cifar"})
    config = make_config("image-mlp", "ci", {"dynamics": "sphere-adamw", "opt.radius": 3.0})
    assert config.dynamics == "sphere-adamw" and config.opt == {"radius": 3.0}
    assert make_config("image-mlp", "paper").task["data"] == "mnist"


def test_a_sphere_run_keeps_its_norm_and_times_reads_the_trace():
    config = make_config("image-mlp", "smoke", {"dynamics": "sphere-adamw", "wd": 0.0,
                                               "horizon": "0.06", "evals": 5})  # fmt: skip
    trace = run(config)
    norms = [r.param_norm for r in trace.records]
    assert trace.status == "ok" and len(norms) >= 3
    assert max(norms) == pytest.approx(min(norms), rel=1e-9)
    rows = [Record(t=t, step=0, grad_evals=0, wall_s=0.0, train_loss=0.0, test_loss=0.0,
                   param_norm=10.0 - t, train_acc=tr, test_acc=te)
            for t, tr, te in [(0.0, 0.1, 0.1), (1.0, 0.995, 0.5), (2.0, 1.0, 0.92)]]  # fmt: skip
    got = times(Member(config, Trace(config=config.to_dict(), env={}, records=rows)))
    assert (got.t_fit, got.t_gen, got.norm_gen, got.delay) == (1.0, 2.0, 8.0, 2.0)
