"""prieto25's engine features (losses, loss_dtype, ⊥Grad, the MLP options, validation),
its probe and its pack: each test fails when the feature it names breaks."""

import math

import pytest
import torch

from grokbench.claims.checks import Inconclusive
from grokbench.claims.collect import configs_of
from grokbench.claims.registry import catalogue
from grokbench.cli import main
from grokbench.engine import config as config_module
from grokbench.engine import runner
from grokbench.engine.batch_run import batch_key
from grokbench.engine.config import make_config
from grokbench.engine.dynamics import resolve_optimizer
from grokbench.engine.losses import MULTICLASS, collapse_sum, stablemax_s
from grokbench.engine.models import HomogeneousMLP
from grokbench.engine.objective import per_example_loss
from grokbench.engine.wrappers import orthograd
from grokbench.papers.prieto25.checks.common import absorption_band
from grokbench.papers.prieto25.probes import collapse_probe
from grokbench.papers.prieto25.runsets import RUN_SETS, SEEDS
from grokbench.spec import ConfigError

pytestmark = pytest.mark.usefixtures("one_thread")

#: A tiny modadd setting of the prieto25 kind (bias-free MLP, torch init, no weight decay).
TINY = {"p": 7, "frac": 0.8, "width": 16, "depth": 2, "bias": False, "init": "torch",
        "alpha": 1.0, "wd": 0.0, "dynamics": "adamw", "lr": 0.01, "horizon": "0.3",
        "evals": 6, "seed": 0}  # fmt: skip


def _logits(margin: float, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    z = torch.tensor([[margin, 0.0, 0.0]], dtype=dtype, requires_grad=True)
    return z, torch.tensor([0])


# ---- losses ------------------------------------------------------------------------------
def test_the_loss_names_of_config_and_engine_agree():
    losses = config_module.LOSSES
    assert losses == ("ce-accurate", *MULTICLASS)


def test_torch_ce_collapses_in_float32_where_the_accurate_loss_does_not():
    z, y = _logits(20.0, torch.float32)  # e^{-20} ≈ 2e-9 < 2^{-24}: absorbed
    torch_loss = per_example_loss("multiclass", z, y, "ce-torch")
    (grad,) = torch.autograd.grad(torch_loss.sum(), z)
    assert float(torch_loss.detach()) == 0.0 and float(grad[0, 0]) == 0.0  # ∂ℓ/∂z_y = 0: collapse
    assert float(grad[0, 1]) > 0  # the wrong-class entries survive (no underflow yet)
    assert float(collapse_sum("ce-torch", z.detach())) == 1.0
    accurate = per_example_loss("multiclass", z, y)
    assert float(accurate.detach()) > 0


def test_loss_dtype_moves_the_collapse():
    z, y = _logits(20.0, torch.float32)
    loss = per_example_loss("multiclass", z, y, "ce-torch", torch.float64)
    assert loss.dtype == torch.float64 and float(loss.detach()) > 0  # 2^{-53} ≪ e^{-20}
    (grad,) = torch.autograd.grad(loss.sum(), z)
    assert grad.dtype == torch.float32 and float(grad[0, 0]) < 0


def test_stablemax_is_the_papers_function_and_does_not_collapse_at_margin_20():
    x = torch.tensor([-3.0, -0.5, 0.0, 1.0, 4.0], dtype=torch.float64, requires_grad=True)
    expected = torch.tensor([1 / 4, 1 / 1.5, 1.0, 2.0, 5.0], dtype=torch.float64)
    torch.testing.assert_close(stablemax_s(x), expected)
    (grad,) = torch.autograd.grad(stablemax_s(x).sum(), x)
    assert bool(torch.isfinite(grad).all())  # x = 1 exactly: the branch not taken is finite
    z, y = _logits(20.0, torch.float32)
    loss = per_example_loss("multiclass", z, y, "stablemax")
    assert float(loss.detach()) == pytest.approx(-math.log(21 / 23), rel=1e-5)
    assert float(collapse_sum("stablemax", z.detach())) > 1.0


def test_absorption_band_is_ln_one_over_u():
    low, high = absorption_band("float32", 23)
    assert low == pytest.approx(24 * math.log(2)) and high == pytest.approx(low + math.log(22))


# ---- configuration -----------------------------------------------------------------------
def test_default_loss_keeps_every_hash_and_other_losses_change_it():
    plain = make_config("modadd", "smoke")
    assert "loss" not in plain.to_dict() and "loss_dtype" not in plain.to_dict()
    assert make_config("modadd", "smoke", {"loss": "ce-accurate"}).key() == plain.key()
    assert make_config("modadd", "smoke", {"loss": "ce-torch"}).key() != plain.key()
    stored = make_config("modadd", "smoke", {"loss": "stablemax", "loss_dtype": "float64"})
    assert type(stored).from_dict(stored.to_dict()) == stored


@pytest.mark.parametrize(
    "experiment, overrides, field",
    [
        ("modadd", {"loss": "hinge"}, "loss"),
        ("modadd", {"loss_dtype": "bfloat16"}, "loss_dtype"),
        ("sparse-cls", {"loss": "ce-torch"}, "loss"),
        ("modadd-nowd", {"loss": "ce-torch"}, "loss"),
        ("modadd", {"bias": "maybe"}, "bias"),
        ("modadd", {"init": "xavier"}, "init"),
        ("modadd", {"dynamics": "ortho-gd"}, "dynamics"),
        ("modadd", {"dynamics": "ortho-lion"}, "dynamics"),
    ],
)
def test_bad_values_name_their_key(experiment, overrides, field):
    with pytest.raises(ConfigError, match=field):
        make_config(experiment, "smoke", overrides)


def test_a_bad_value_exits_2_with_one_line(capsys):
    assert main(["run", "modadd", "--scale", "smoke", "--set", "loss=hinge"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "loss" in err[0]


def test_a_bad_ortho_scope_is_a_config_error_naming_it():
    config = make_config("modadd", "smoke", {**TINY, "dynamics": "ortho-adamw",
                                             "opt.ortho_scope": "layer"})  # fmt: skip
    with pytest.raises(ConfigError, match="ortho_scope"):
        runner.run(config)


def test_bias_and_torch_init_build_the_papers_mlp():
    generator = torch.Generator().manual_seed(0)
    model = HomogeneousMLP(46, 512, 23, bias=False, generator=generator, init="torch")
    reference = model.reference_parameters()
    assert set(reference) == {"layers.0.weight", "layers.1.weight"}
    for weight, fan_in in ((reference["layers.0.weight"], 46), (reference["layers.1.weight"], 512)):
        bound = 1 / math.sqrt(fan_in)
        assert float(weight.abs().max()) <= bound and float(weight.abs().max()) > 0.95 * bound
    assert make_config("modadd", "smoke", {"bias": "false"}).task["bias"] is False


def test_another_loss_is_never_batched():
    assert batch_key(make_config("modadd", "smoke")) is not None
    assert batch_key(make_config("modadd", "smoke", {"loss": "ce-torch"})) is None
    assert batch_key(make_config("modadd", "smoke", {"loss_dtype": "float32"})) is None


# ---- ⊥Grad -------------------------------------------------------------------------------
def test_orthograd_projects_each_segment_and_keeps_the_norm():
    cls, _ = resolve_optimizer("ortho-sgd")
    assert cls.__name__ == "OrthoSGD"
    param = torch.nn.Parameter(torch.randn(10, dtype=torch.float64))
    grad = torch.randn(10, dtype=torch.float64)
    param.grad = grad.clone()
    theta = param.detach().clone()
    optimizer = cls([param], lr=1.0, segments=[4, 6])
    optimizer.step()
    step = theta - param.detach()  # = the projected gradient (SGD, lr 1)
    for piece in (slice(0, 4), slice(4, 10)):
        assert abs(float(step[piece] @ theta[piece])) < 1e-12
        assert float(step[piece].norm()) == pytest.approx(float(grad[piece].norm()))
    assert abs(float(step @ theta)) < 1e-12


def test_orthograd_global_scope_projects_the_whole_vector():
    cls = orthograd(torch.optim.SGD)
    param = torch.nn.Parameter(torch.randn(10, dtype=torch.float64))
    param.grad = torch.randn(10, dtype=torch.float64)
    theta = param.detach().clone()
    cls([param], lr=1.0, segments=[4, 6], ortho_scope="global").step()
    step = theta - param.detach()
    assert abs(float(step @ theta)) < 1e-12
    assert abs(float(step[:4] @ theta[:4])) > 1e-6  # not per segment


def test_orthograd_offers_weight_decay_exactly_when_its_base_does():
    import inspect

    class NoDecay(torch.optim.SGD):
        def __init__(self, params, lr=0.1):
            super().__init__(params, lr=lr)

    assert "weight_decay" in inspect.signature(orthograd(torch.optim.AdamW)).parameters
    assert "weight_decay" not in inspect.signature(orthograd(NoDecay)).parameters
    assert "segments" in inspect.signature(orthograd(NoDecay)).parameters


def test_an_ortho_run_keeps_the_norm_growth_to_second_order():
    """⊥ with SGD: each step is orthogonal to θ, so ‖θ‖ grows only by ‖Δθ‖²/(2‖θ‖)."""
    settings = {**TINY, "dynamics": "ortho-sgd", "loss": "ce-torch", "evals": 3}
    trace = runner.run(make_config("modadd", "smoke", settings))
    plain = runner.run(make_config("modadd", "smoke", {**settings, "dynamics": "sgd"}))
    grow = trace.records[-1].param_norm - trace.records[0].param_norm
    assert trace.status == "ok" and 0 <= grow < 1e-3
    moved = abs(plain.records[-1].param_norm - plain.records[0].param_norm)
    assert moved > 10 * max(grow, 1e-6)  # plain SGD moves ‖θ‖ at first order


def test_the_runner_hands_the_model_tensors_to_orthograd():
    """Per-tensor scope keeps each layer's norm to second order; global scope does not."""

    def layer_norms(prepared):
        return lambda theta: {
            name: float(value.norm()) for name, value in prepared.flat.unflatten(theta).items()
        }

    moved = {}
    for scope in ("tensor", "global"):
        settings = {**TINY, "dynamics": "ortho-sgd", "loss": "ce-torch", "evals": 3,
                    "opt.ortho_scope": scope}  # fmt: skip
        trace = runner.run(make_config("modadd", "smoke", settings), probes=[layer_norms])
        first, last = trace.records[0].probes, trace.records[-1].probes
        moved[scope] = max(abs(last[name] - first[name]) for name in first)
    assert moved["tensor"] < 1e-5 < 1e-4 < moved["global"]


# ---- the probe and the pack --------------------------------------------------------------
def test_the_probe_sees_collapse_when_theta_is_scaled_up():
    config = make_config("modadd", "smoke", {**TINY, "dtype": "float32", "loss": "ce-torch"})
    prepared = runner.prepare(config)
    probe = collapse_probe(prepared)
    start = probe(prepared.theta0)
    assert start["sc_frac"] == 0.0 and start["zero_gy_frac"] == 0.0
    # memorise with plain Adam so every margin is positive, then scale θ (degree 2)
    objective = runner.objective_of(prepared)
    param = torch.nn.Parameter(prepared.theta0.clone())
    optimizer = torch.optim.Adam([param], lr=0.05)
    for _ in range(300):
        optimizer.zero_grad()
        objective.value(param).backward()
        optimizer.step()
    fitted = param.detach()
    assert probe(fitted)["min_margin"] > 0
    big = probe(fitted * math.sqrt(40 / probe(fitted)["min_margin"]))
    assert big["sc_frac"] == 1.0 and big["zero_gy_frac"] == 1.0 and big["zero_loss_frac"] == 1.0
    assert big["zero_grad_frac"] == 0.0  # the wrong classes' entries are still there
    assert -1.0 <= start["cos_nlm"] <= 1.0


def test_ci_seeds_are_disjoint_from_the_prototypes():
    assert not set(SEEDS["ci"]) & set(range(6))
    for run_set in RUN_SETS.values():
        assert {c.seed for c in configs_of(run_set, "ci")} <= set(SEEDS["ci"])


def test_every_paper_scale_member_is_the_authors_model():
    for run_set in RUN_SETS.values():
        for config in configs_of(run_set, "paper"):
            assert config.task["p"] == 113 and config.task["width"] == 200
            assert config.task["depth"] == 3 and config.task["bias"] is False
            assert config.wd == 0.0 and config.dtype == "float32"


def test_the_pack_is_registered_and_runs_at_smoke_scale():
    known = catalogue()
    assert {"prieto25/SC1", "prieto25/OG1c"} <= set(known.by_id)
    claim = known.claim("prieto25/OG1c")
    (config,) = configs_of(RUN_SETS["prieto25-ortho"], "smoke")
    trace = runner.run(config, probes=[collapse_probe])
    assert trace.status == "ok" and "cos_nlm" in trace.records[-1].probes
    from grokbench.spec import Member

    try:  # smoke scale proves the pipeline, not the claim
        outcome = known.checks[claim.id](claim, [Member(config, trace)])
        assert outcome.status in ("pass", "fail")
    except Inconclusive:
        pass
