"""The hand-written gradient of the depth-2 MLP equals autograd's, and batched modadd runs
(which use it) give the traces one-by-one runs give."""

import pytest
import torch

from grokbench.engine import batch_run as sweep
from grokbench.engine.batch_run import run_batch
from grokbench.engine.batched import BatchedObjective
from grokbench.engine.mlp_grad import StackedMLP2, hot_columns, stacked_mlp2
from grokbench.engine.models import HomogeneousMLP
from grokbench.engine.objective import Objective
from grokbench.engine.parameters import FlatModel
from grokbench.engine.runner import run
from grokbench.engine.tasks import modular_addition
from tests import test_sweep
from tests.test_sweep import assert_same_trace, members

pytestmark = pytest.mark.usefixtures("one_thread")


def _setup(bias: bool = True, hot: bool = True):
    """Three members on two seeds' data, with random (not reference) parameters."""
    datasets = [modular_addition(7, 0.6, seed) for seed in (0, 1)]
    if not hot:  # dense inputs: the bmm path
        gen = torch.Generator().manual_seed(5)
        for data in datasets:
            data.x_train = torch.randn(data.x_train.shape, generator=gen, dtype=torch.float64)
    gen = torch.Generator().manual_seed(0)
    module = HomogeneousMLP(14, 16, 7, depth=2, bias=bias, generator=gen)
    flat = FlatModel(module)
    groups = [0, 1, 0]
    scales = [1.0, 10.0, 100.0]  # different α: outputs from O(1) to O(10⁴)
    theta = torch.stack(
        [s * torch.randn(flat.size, generator=gen, dtype=torch.float64) for s in scales]
    )
    return flat, datasets, groups, theta


def _autograd(flat, datasets, groups, theta, wd):
    return torch.stack(
        [
            Objective(flat.function, datasets[g], w).grad(row)
            for g, w, row in zip(groups, wd, theta, strict=True)
        ]
    )


def _relative(a, b):
    return float((a - b).norm(dim=-1).div(b.norm(dim=-1)).max())


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("hot", [True, False])
def test_hand_written_gradient_equals_autograd(bias, hot):
    flat, datasets, groups, theta = _setup(bias, hot)
    stacked = stacked_mlp2(
        flat,
        [d.x_train for d in datasets],
        [d.y_train for d in datasets],
        groups,
        "multiclass",
    )
    assert isinstance(stacked, StackedMLP2)
    assert (stacked.bags is not None) == hot  # one-hot rows: the gather path
    wd = [1e-3, 0.0, 1e-2]
    expected = _autograd(flat, datasets, groups, theta, wd)
    batched = BatchedObjective(flat, datasets, groups, wd)
    assert batched._mlp is not None  # the hand-written path is the one dispatched to
    assert _relative(batched.grad(theta), expected) < 1e-12
    # stopped members may be skipped: the running ones' rows are unchanged
    assert torch.equal(batched.grad(theta, [0, 2])[[0, 2]], batched.grad(theta)[[0, 2]])
    # and each example's kind of loss: a confident member (tiny loss) as well
    assert _relative(stacked.grad(theta), _autograd(flat, datasets, groups, theta, [0] * 3)) < 1e-12


def test_relu_at_zero_follows_autograd():
    """Pre-activations exactly 0 (zero first layer): ReLU'(0) = 0 as in torch."""
    flat, datasets, groups, theta = _setup()
    first = 16 * 14 + 16  # W₁ and b₁
    theta[:, :first] = 0.0
    theta[1, :5] = 1.0  # some of member 1's units active, the rest at exactly 0
    batched = BatchedObjective(flat, datasets, groups, [0.0] * 3)
    expected = _autograd(flat, datasets, groups, theta, [0.0] * 3)
    got = batched.grad(theta)
    assert torch.equal(got[:, :first] == 0, expected[:, :first] == 0)
    assert bool((got[0] == 0).all()) and not bool((got[1, :first] == 0).all())
    assert _relative(got[1:2], expected[1:2]) < 1e-12


def test_hot_columns():
    data = modular_addition(5, 0.5, 0)
    columns = hot_columns(data.x_train)
    assert columns is not None and columns.shape == (len(data.x_train), 2)
    rebuilt = torch.zeros_like(data.x_train).scatter_(1, columns, 1.0)
    assert torch.equal(rebuilt, data.x_train)
    assert hot_columns(torch.tensor([[1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)) is None
    assert hot_columns(torch.tensor([[0.5, 0.0]], dtype=torch.float64)) is None


def _modadd_accuracy_step(trace, key: str) -> float:
    """One point of a modadd accuracy: 1/n of its split (``frac`` of the p² pairs train)."""
    task = trace.config["task"]
    pairs = task["p"] ** 2
    train = round(task["frac"] * pairs)
    return 1.0 / (pairs - train if key.startswith("test") else train)


def test_modadd_batch_equals_one_by_one(monkeypatch):
    monkeypatch.setattr(test_sweep, "_accuracy_step", _modadd_accuracy_step)
    base = {"horizon": "6/wd"}
    configs = members(
        "modadd",
        [
            {**base, "alpha": "1", "seed": "0"},
            {**base, "alpha": "10", "seed": "1"},
            {**base, "alpha": "100", "seed": "0", "wd": "0.02"},
        ],
    )
    traces = run_batch(configs)
    for config, trace in zip(configs, traces, strict=True):
        assert_same_trace(trace, run(config))


def test_lone_modadd_run_takes_the_hand_written_path(monkeypatch):
    """``run_batch`` sends a lone modadd GD run through the batched path too."""
    config = members("modadd", [{"horizon": "2/wd", "alpha": "30"}])[0]
    alone = run(config)

    def refuse(*args, **kwargs):
        raise AssertionError("runner.run called")

    monkeypatch.setattr(sweep.runner, "run", refuse)
    monkeypatch.setattr(test_sweep, "_accuracy_step", _modadd_accuracy_step)
    assert_same_trace(run_batch([config])[0], alone)
