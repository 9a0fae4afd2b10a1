"""power22's engine features (binary-operation tasks, the embedding MLP, power-adamw,
minibatches, warm-up, stop_at, T99 measures) and its pack; every test runs in well under a
second except the two short smoke runs."""

from __future__ import annotations

import math

import pytest
import torch

from grokbench.engine import runner
from grokbench.engine.binop import OPS, binary_operation, table
from grokbench.engine.binop_mlp import BinopMLP
from grokbench.engine.binop_presets import OPS as PRESET_OPS
from grokbench.engine.config import make_config
from grokbench.engine.minibatch import Batches, batch_size, warmup_factor
from grokbench.engine.objective import Objective
from grokbench.engine.power_adamw import PowerAdamW
from grokbench.engine.thresholds import best, first_step_at
from grokbench.papers.power22 import power_cases
from grokbench.papers.power22.catalogue import CLAIMS
from grokbench.papers.power22.checks.common import arm
from grokbench.papers.power22.runsets import RUN_SETS
from grokbench.spec import ConfigError


def test_the_op_names_agree_without_torch() -> None:
    assert set(OPS) == set(PRESET_OPS)


def test_division_follows_the_authors_layout() -> None:
    p = 7
    a, b, c, tokens = table("div", p)
    assert len(c) == p * (p - 1) and tokens == p and bool((b != 0).all())
    assert bool(((b * c) % p == a).all())  # a = y·c, so c = a / y
    a, b, c, _ = table("sub", p)
    assert len(c) == p * p and bool(((a - b) % p == c).all())


def test_s5_is_a_group_table() -> None:
    a, b, c, tokens = table("s5", 0)
    assert tokens == 120 and len(c) == 120 * 120
    identity = 0  # (0, 1, 2, 3, 4) is the first permutation
    assert bool((c[a == identity] == b[a == identity]).all())
    conj = table("s5conj", 0)[2]
    assert bool((conj[a == identity] == b[a == identity]).all())  # e·y·e⁻¹ = y


def test_splits_seeded_and_authors() -> None:
    one = binary_operation("add", 11, 0.5, seed=1)
    two = binary_operation("add", 11, 0.5, seed=2)
    assert not torch.equal(one.x_train, two.x_train)
    small = binary_operation("add", 11, 0.3, seed=1, split="authors")
    large = binary_operation("add", 11, 0.6, seed=2, split="authors")
    assert torch.equal(large.x_train[: len(small.x_train)], small.x_train)  # nested prefix
    assert len(one.y_train) == round(0.5 * 121) and one.n_outputs == 11


def test_interventions_act_only_in_training_steps() -> None:
    model = BinopMLP(11, 8, 16, dropout=0.5, wnoise=0.1, generator=torch.Generator().manual_seed(0))
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    model.train()
    with torch.no_grad():
        assert torch.equal(model(x), model(x))  # evaluation: no dropout, no noise
    assert not torch.equal(model(x), model(x))  # a training step: both
    plain = BinopMLP(11, 8, 16, generator=torch.Generator().manual_seed(0))
    assert torch.equal(plain(x), plain(x))
    bound = 1 / math.sqrt(16)
    weights = plain.W1.detach(), plain.W2.detach()
    assert float(weights[0].abs().max()) <= bound and float(weights[1].abs().max()) <= 1 / 4


def _adam_pair(kind: str, noise: float = 0.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    start = torch.randn(20, dtype=torch.float64)
    mine = torch.nn.Parameter(start.clone())
    ref = torch.nn.Parameter(start.clone())
    opt = PowerAdamW([mine], lr=0.01, weight_decay=1.0, wd_kind=kind, noise_factor=noise)
    torch_opt = torch.optim.AdamW([ref], lr=0.01, betas=(0.9, 0.98), eps=1e-8, weight_decay=1.0)
    for _ in range(5):
        for param, optimizer in ((mine, opt), (ref, torch_opt)):
            optimizer.zero_grad()
            (param.sin().sum() + (param**2).sum()).backward()
            optimizer.step()
    return start, mine.detach(), ref.detach()


def test_power_adamw_to_zero_is_torch_adamw_and_to_init_differs() -> None:
    _, mine, ref = _adam_pair("to_zero")
    assert torch.allclose(mine, ref, atol=1e-12)
    _, init, ref = _adam_pair("to_init")
    assert not torch.allclose(init, ref)
    _, noisy, ref = _adam_pair("to_zero", noise=0.1)
    assert not torch.allclose(noisy, ref)


def test_power_adamw_decays_toward_the_initial_weights() -> None:
    for kind, expected in (("to_init", 3 - 0.1 * (3 - 1)), ("to_zero", 3 * (1 - 0.1))):
        param = torch.nn.Parameter(torch.ones(3))
        opt = PowerAdamW([param], lr=0.1, weight_decay=1.0, wd_kind=kind)
        param.grad = torch.zeros(3)
        opt.step()  # θ₀ = 1 is kept; a zero gradient moves nothing
        with torch.no_grad():
            param.fill_(3.0)
        opt.step()  # decay only: toward θ₀ = 1, or toward 0
        assert torch.allclose(param.detach(), torch.full((3,), expected)), kind
    with pytest.raises(ValueError, match="wd_kind"):
        PowerAdamW([param], wd_kind="sideways")


def test_batch_sizes_batches_and_warmup() -> None:
    assert batch_size(0, 423) == 423 and batch_size(-1, 423) == 212
    assert batch_size(-1, 5000) == 512 and batch_size(64, 10) == 10
    batches = Batches(10, 4, seed=3)
    seen = torch.cat([batches() for _ in range(2)])
    assert len(set(seen.tolist())) == 8  # one epoch: no repeats
    batches()
    assert batches.epochs == 1
    again = Batches(10, 4, seed=3)
    assert torch.equal(again(), Batches(10, 4, seed=3)())
    assert [warmup_factor(s, 4) for s in (0, 2, 4, 9)] == [0.0, 0.5, 1.0, 1.0]
    assert warmup_factor(0, 0) == 1.0


def test_the_objective_steps_on_minibatches_and_measures_on_all() -> None:
    data = binary_operation("add", 7, 0.8, seed=0)
    model = BinopMLP(7, 4, 8, generator=torch.Generator().manual_seed(0))
    from grokbench.engine.parameters import FlatModel

    flat = FlatModel(model)
    theta = flat.current().double()
    objective = Objective(flat.function, data.to("cpu", torch.float64), wd=0.0)
    full = float(objective.value(theta))
    objective.batches = lambda: torch.tensor([0, 1])
    assert float(objective.value(theta)) != pytest.approx(full)
    assert float(objective.train_loss(theta)) == pytest.approx(full)


@pytest.mark.parametrize(
    ("key", "value"),
    [("batch", "-2"), ("warmup", "-1"), ("stop_at", "1.5"), ("op", "pow"), ("split", "x"),
     ("dropout", "1"), ("wnoise", "-0.1")],
)  # fmt: skip
def test_bad_values_name_their_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{key}:"):
        make_config("binop", "smoke", {key: value})


def test_step_settings_need_a_step_method() -> None:
    with pytest.raises(ConfigError, match=r"^batch:"):
        make_config("modadd", "smoke", {"batch": -1, "dynamics": "flow"})
    with pytest.raises(ConfigError, match=r"^warmup:"):
        make_config("modadd", "smoke", {"warmup": 5})  # gd
    assert "batch" not in make_config("modadd", "smoke").to_dict()  # hashes unchanged


def test_a_run_stops_at_its_target_and_warms_up() -> None:
    config = make_config("binop", "smoke", {"stop_at": 0.0, "horizon": "0.06", "evals": 20})
    trace = runner.run(config)
    late = [r for r in trace.records if r.step >= 10]
    assert late and all(r.t == pytest.approx(config.lr * (r.step - 5.5)) for r in late)
    target = make_config("binop", "smoke", {"stop_at": 0.02})
    stopped = runner.run(target)
    assert stopped.status == "ok" and stopped.records[-1].test_acc >= 0.02
    assert all(r.test_acc < 0.02 for r in stopped.records[:-1])
    assert stopped.summary["t99_val"] == first_step_at(stopped)


def test_thresholds_and_arms_on_synthetic_members() -> None:
    member = power_cases.member({"op": "add", "frac": 0.9, "seed": 11}, 700)
    assert first_step_at(member.trace) == 700 and best(member.trace) == 1.0
    assert first_step_at(member.trace, "train_acc") == 150
    assert arm(member.config) == "wd"
    dropout = power_cases.member({"wd": 0.0, "dropout": 0.1, "frac": 0.9}, None, best=0.3)
    assert arm(dropout.config) == "adam+dropout" and first_step_at(dropout.trace) is None
    init = make_config("binop", "ci", {"opt.wd_kind": "to_init"})
    assert arm(init) == "init"


def test_the_ci_run_sets_avoid_the_tuning_seeds_and_the_limits_are_frozen() -> None:
    for run_set in RUN_SETS.values():
        seeds = {entry["seed"] for entry in run_set.grid("ci")}
        assert seeds.isdisjoint(range(11)), run_set.name
        assert run_set.grid("paper")  # the paper's own grid is declared
    limits = {c.id: c.limits for c in CLAIMS}
    assert limits["PW1"]["slope_max"] == -3.0 and limits["PW3"]["gap_min"] == 0.10
    assert limits["PW4"]["d_max"] == 0.10 and limits["PW2"]["f_lo"] == 0.6
    assert all(c.requires == ("gpu@paper",) and c.counterfactual for c in CLAIMS)


def test_paper_scale_runs_the_authors_decoder_and_smaller_scales_the_mlp() -> None:
    from grokbench.claims.collect import configs_of

    for run_set in RUN_SETS.values():
        paper = configs_of(run_set, "paper")
        assert {c.experiment for c in paper} == {"binop-transformer"}, run_set.name
        assert all(c.task["layers"] == 2 and c.task["p"] == 97 for c in paper)
        assert {c.experiment for c in configs_of(run_set, "ci")} == {"binop"}
