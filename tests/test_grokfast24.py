"""grokfast24: the Grokfast gradient filter (grokbench.engine.grokfast) and its pack."""

from __future__ import annotations

import pytest
import torch

from grokbench.cli import main
from grokbench.engine import runner
from grokbench.engine.config import make_config
from grokbench.engine.dynamics import resolve_optimizer
from grokbench.engine.grokfast import grokfast
from grokbench.spec import ConfigError

torch.set_num_threads(1)


def _steps(cls: type[torch.optim.Optimizer], grads: list[list[float]], **settings) -> list:
    """The filtered gradients an SGD(lr 1) base sees: −Δθ of every step, concatenated."""
    param = torch.nn.Parameter(torch.zeros(len(grads[0]), dtype=torch.float64))
    optimizer = cls([param], lr=1.0, **settings)
    out = []
    for grad in grads:
        before = param.detach().clone()
        param.grad = torch.tensor(grad, dtype=torch.float64)
        optimizer.step()
        out.extend((before - param.detach()).tolist())
    return out


def test_ema_matches_a_hand_computation():
    """μ₁ = g₁; g̃₁ = g₁ + λμ₁ = (3, 6); μ₂ = ½μ₁ + ½g₂ = (2, 0); g̃₂ = (7, −2)."""
    cls, _ = resolve_optimizer("grokfast-ema-sgd")
    assert cls.__name__ == "GrokfastEMASGD"
    seen = _steps(cls, [[1, 2], [3, -2]], grokfast_alpha=0.5, grokfast_lamb=2.0)
    assert seen == pytest.approx([3, 6, 7, -2])


def test_ma_matches_a_hand_computation():
    """w = 2, λ = 1: no filter until two gradients are held (the authors' warm-up), then
    g̃ = g + mean of the last two: (5, −2), (3, 0.5); without warm-up g̃₁ = 2g₁."""
    cls = grokfast(torch.optim.SGD, "ma")
    grads = [[1, 2], [3, -2], [1, 1]]
    seen = _steps(cls, grads, grokfast_window=2, grokfast_lamb=1.0)
    assert seen == pytest.approx([1, 2, 5, -2, 3, 0.5])
    cold = _steps(cls, grads, grokfast_window=2, grokfast_lamb=1.0, grokfast_warmup=False)
    assert cold[:2] == pytest.approx([2, 4])


def test_ma_running_sum_equals_the_window_mean_over_many_steps():
    cls = grokfast(torch.optim.SGD, "ma")
    grads = torch.randn(23, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    seen = _steps(cls, grads.tolist(), grokfast_window=5, grokfast_lamb=3.0)
    for i in range(4, 23):
        expected = grads[i] + 3.0 * grads[i - 4 : i + 1].mean(0)
        assert seen[4 * i : 4 * i + 4] == pytest.approx(expected.tolist(), abs=1e-12)


def test_lamb_zero_is_the_base_optimizer():
    """λ = 0: the wrapper is the identity, step for step (a whole run with AdamW)."""
    tiny = {"p": 7, "width": 16, "d": 8, "horizon": "0.06", "evals": 4, "seed": 3}
    plain = runner.run(make_config("binop", "smoke", tiny))
    for kind in ("ema", "ma"):
        settings = {**tiny, "dynamics": f"grokfast-{kind}-power-adamw", "opt.grokfast_lamb": 0.0}
        wrapped = runner.run(make_config("binop", "smoke", settings))
        assert [r.train_loss for r in wrapped.records] == [r.train_loss for r in plain.records]
    moved = runner.run(make_config("binop", "smoke", {
        **tiny, "dynamics": "grokfast-ema-power-adamw", "opt.grokfast_lamb": 2.0}))  # fmt: skip
    assert moved.records[-1].train_loss != plain.records[-1].train_loss


@pytest.mark.parametrize(
    "overrides, key",
    [
        ({"dynamics": "grokfast-ema-adamw", "opt.grokfast_alpha": 1.0}, "grokfast_alpha"),
        ({"dynamics": "grokfast-ema-adamw", "opt.grokfast_lamb": -1}, "grokfast_lamb"),
        ({"dynamics": "grokfast-ma-adamw", "opt.grokfast_window": 0}, "grokfast_window"),
        ({"dynamics": "grokfast-ma-adamw", "opt.grokfast_warmup": "maybe"}, "grokfast_warmup"),
        ({"dynamics": "grokfast-ema-adamw", "opt.grokfast_window": 10}, "grokfast_window"),
        ({"dynamics": "adamw", "opt.grokfast_lamb": 2}, "grokfast_lamb"),
        ({"dynamics": "grokfast-ema-gd"}, "dynamics"),
        ({"dynamics": "grokfast-ma-nosuch"}, "dynamics"),
    ],
)
def test_bad_grokfast_settings_name_their_key(overrides, key):
    with pytest.raises(ConfigError, match=key):
        make_config("binop", "smoke", overrides)


def test_a_bad_grokfast_value_exits_2_with_one_line(capsys):
    argv = ["run", "binop", "--scale", "smoke", "--set", "dynamics=grokfast-ema-adamw",
            "--set", "opt.grokfast_alpha=1.5"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "grokfast_alpha" in err[0]


def test_grokfast_wraps_other_wrappers_and_keeps_weight_decay():
    import inspect

    nested = make_config("binop", "smoke", {"dynamics": "sphere-grokfast-ma-adamw",
                                            "opt.grokfast_window": 3})  # fmt: skip
    assert nested.opt["grokfast_window"] == 3

    cls, _ = resolve_optimizer("grokfast-ema-ortho-adamw")
    params = inspect.signature(cls).parameters
    assert {"weight_decay", "grokfast_alpha", "segments", "ortho_scope"} <= set(params)
    param = torch.nn.Parameter(torch.randn(6, dtype=torch.float64))
    param.grad = torch.randn(6, dtype=torch.float64)
    cls([param], lr=0.1, segments=[2, 4]).step()  # segments reach ⊥Grad
    plain = resolve_optimizer("grokfast-ma-sgd")[0]([torch.nn.Parameter(torch.zeros(2))],
                                                   lr=0.1, segments=[2])  # fmt: skip
    assert plain.base.__class__ is torch.optim.SGD


# ---- the pack ----------------------------------------------------------------------------
def test_the_run_set_pairs_arms_by_seed_avoids_tuning_seeds_and_validates_at_every_scale():
    from grokbench.claims.collect import configs_of
    from grokbench.papers.grokfast24.catalogue import CLAIMS
    from grokbench.papers.grokfast24.runsets import RUN_SETS, arm_of

    (run_set,) = RUN_SETS.values()
    for scale in ("smoke", "ci", "paper"):
        configs = configs_of(run_set, scale)
        arms = {(arm_of(c.dynamics), c.seed) for c in configs}
        seeds = {c.seed for c in configs}
        assert arms == {(a, s) for a in ("base", "ema", "ma") for s in seeds}
        assert all(c.wd == 0.005 and not c.stop_at for c in configs)
    assert {c.seed for c in configs_of(run_set, "ci")}.isdisjoint({0, 1})
    paper = configs_of(run_set, "paper")
    assert {c.experiment for c in paper} == {"binop-transformer"}
    assert all(c.task["op"] == "mul" and c.task["p"] == 97 for c in paper)
    assert {c.id: c.limits for c in CLAIMS} == {
        "GF1": {"ratio_min": 2.0}, "GF2": {"tol": 0.02}, "GF3": {"ratio_min": 2.0}}  # fmt: skip


def test_the_checks_read_a_censored_baseline_as_a_lower_bound():
    from grokbench.papers.grokfast24.catalogue import CLAIMS
    from grokbench.papers.grokfast24.checks import CHECKS
    from grokbench.papers.grokfast24.power_cases import _world

    gf1 = next(c for c in CLAIMS if c.id == "GF1")
    outcome = CHECKS["GF1"](gf1, _world(ema=300.0)())
    assert outcome.status == "pass" and outcome.measured["ratio"] == pytest.approx(4.0, rel=0.1)
    never = _world(ema=300.0)()
    for m in never:  # baselines that never reach 95%: the ratio uses their last update
        if m.config.dynamics == "adam":
            for r in m.trace.records:
                r.test_acc = min(r.test_acc or 0.0, 0.5)
    outcome = CHECKS["GF1"](gf1, never)
    assert outcome.measured["ratio"] == pytest.approx(5.0, rel=0.1)  # 2000 / T95(EMA) ≈ 400
