"""``train_dtype``: the diagonal net's two training products (X·w, ρᵀX) on ±1 inputs held in
float32 or int8 (paper scale: a half or an eighth of the memory a gradient reads), while the
data, θ, the losses, the metrics and the integrator keep the run's own precision."""

import dataclasses
import json
import math
from pathlib import Path

import pytest
import torch

from grokbench.cli import main
from grokbench.engine import batch_run, batched, fixed_point, runner
from grokbench.engine.config import make_config
from grokbench.engine.lowered import lowered_training_inputs, scaled_product
from grokbench.spec import ConfigError

SETTINGS = {"seed": 0, "evals": 40}


def _signs(*shape: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 2, shape, generator=generator, dtype=torch.float64) * 2 - 1


@pytest.mark.parametrize("magnitude", [1.0, 1e-30, 1e-40, 1e-300, 1e30])
def test_a_scaled_product_keeps_float32_rounding_at_any_magnitude(magnitude: float) -> None:
    """Late-phase loss gradients reach 10⁻⁴⁰ and below, which float32 cannot hold: lowered as
    they are, the product is zero; scaled by a power of two first, it is the float64 product
    to float32's rounding."""
    x = _signs(6, 500)
    generator = torch.Generator().manual_seed(1)
    rows = magnitude * torch.randn(3, 6, generator=generator, dtype=torch.float64)
    exact = rows @ x
    product = scaled_product(rows, x.to(torch.float32))
    assert product.dtype == torch.float64
    assert ((product - exact).abs() <= 1e-6 * rows.abs().sum(-1, keepdim=True)).all()
    assert (rows.abs().amax(-1) > 0).all() and (product != 0).any()


def test_powers_of_two_are_exact_where_ldexp_raised_2_in_float32(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """torch 2.2's ``ldexp(x, e)`` was x · 2.0**e, in float32 for an integer e: 0 below 2⁻¹⁴⁹,
    so a late-phase row's scale was 0 and its product NaN. With that ldexp in place every
    power of float64's range is still exact: ``powers_of_two`` builds them from float64's
    bits (``ldexp`` of an integer exponent gives 1821 zeros or rounded powers)."""
    monkeypatch.setattr(torch, "ldexp", lambda x, e: x * torch.pow(2.0, e))
    exponents = torch.arange(-1074, 1024, dtype=torch.int32)
    exact = torch.tensor([math.ldexp(1.0, int(e)) for e in exponents], dtype=torch.float64)
    assert torch.equal(fixed_point.powers_of_two(exponents), exact)
    rows = 1e-300 * torch.tensor([[1.0, -3.0]], dtype=torch.float64)
    product = scaled_product(rows, _signs(2, 4).float())
    assert product.isfinite().all() and (product != 0).all()


def test_a_scaled_product_of_a_zero_row_is_zero() -> None:
    rows = torch.zeros(2, 4, dtype=torch.float64)
    assert torch.equal(scaled_product(rows, _signs(4, 3).float()), torch.zeros(2, 3).double())


def test_only_inputs_float32_holds_exactly_are_lowered() -> None:
    signs = _signs(4, 10)
    assert torch.equal(lowered_training_inputs(signs, torch.float32).double(), signs)
    gaussian = torch.randn(4, 10, dtype=torch.float64)
    with pytest.raises(ConfigError, match="train_dtype float32: the training inputs are not"):
        lowered_training_inputs(gaussian, torch.float32)


def _spy_on_products(monkeypatch: pytest.MonkeyPatch, seen: list[torch.dtype]) -> None:
    for name in ("backward", "backward_lowered"):
        original = getattr(batched.StackedDiagonal, name)

        def backward(self, theta, x, *rest, original=original):  # type: ignore[no-untyped-def]
            seen.append(x.dtype)
            return original(self, theta, x, *rest)

        monkeypatch.setattr(batched.StackedDiagonal, name, backward)


#: How far each lowering may move a smoke run's training loss and ‖θ‖ (eng.): float32
#: rounds each product to ~10⁻⁷ of itself, the fixed point to 2⁻³⁰ of the largest entry
#: of w or ρ (~10⁻⁹ of a product); the integrator's step choices may amplify either.
LOWERED = {"float32": (torch.float32, 1e-5), "int8": (torch.int8, 1e-7)}
#: The lowerings this torch runs (torch 2.2 has no CPU int8 products: an int8 run keeps
#: float64's, tested below).
RUNNABLE = sorted(k for k in LOWERED if k != "int8" or fixed_point.available())


@pytest.mark.parametrize("train_dtype", RUNNABLE)
@pytest.mark.parametrize("experiment", ["sparse-cls", "control-dense"])
def test_lowered_training_products_move_a_run_by_rounding_only(
    experiment: str, train_dtype: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same run in float64 and with lowered products: every record's training loss and
    ‖θ‖ within the lowering's tolerance, its test accuracy to a point on the boundary."""
    dtype, tolerance = LOWERED[train_dtype]
    full = runner.run(make_config(experiment, "smoke", SETTINGS))
    n_test = len(runner.prepare(make_config(experiment, "smoke", SETTINGS)).data.y_test)
    seen: list[torch.dtype] = []
    _spy_on_products(monkeypatch, seen)
    config = make_config(experiment, "smoke", {**SETTINGS, "train_dtype": train_dtype})
    low = batch_run.run_batch([config], warn=False)[0]
    assert set(seen) == {dtype}  # every gradient took the lowered products
    assert len(full.records) == len(low.records) > 10
    for a, b in zip(full.records, low.records, strict=True):
        assert a.t == b.t
        assert abs(a.train_loss - b.train_loss) <= tolerance * a.train_loss
        assert abs(a.param_norm - b.param_norm) <= tolerance * a.param_norm
        assert abs(a.test_acc - b.test_acc) <= 2 / n_test  # a point on the boundary may flip


def test_without_int8_products_the_run_keeps_full_precision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A torch without CPU ``_int_mm`` computes an int8 run's products in the data's own
    precision: the float64 run on the batched path, number for number."""
    monkeypatch.setattr(fixed_point, "available", lambda: False)
    config = make_config("sparse-cls", "smoke", {**SETTINGS, "train_dtype": "int8"})
    plain = make_config("sparse-cls", "smoke", SETTINGS)
    fallback = batch_run.run_batch([config], warn=False)[0]
    full = batch_run._run_together([plain], None, ())[0]  # a lone plain run's batched path
    assert [r.train_loss for r in fallback.records] == [r.train_loss for r in full.records]


@pytest.mark.parametrize("train_dtype", sorted(LOWERED))
def test_a_lone_run_and_its_batch_take_the_same_lowered_products(train_dtype: str) -> None:
    config = make_config("sparse-cls", "smoke", {**SETTINGS, "train_dtype": train_dtype})
    alone = batch_run.run_batch([config], warn=False)[0]
    other = dataclasses.replace(config, seed=1)  # two datasets: the stacked (2, n, d) products
    together = batch_run.run_batch([config, other], warn=False)[0]
    assert len(alone.records) == len(together.records)
    for a, b in zip(alone.records, together.records, strict=True):
        assert abs(a.train_loss - b.train_loss) <= 1e-6 * a.train_loss


def test_runs_of_other_training_precisions_do_not_share_a_batch() -> None:
    plain = make_config("sparse-cls", "smoke", SETTINGS)
    low = make_config("sparse-cls", "smoke", {**SETTINGS, "train_dtype": "float32"})
    assert batch_run.plan([plain, low, plain]) == [[0, 2], [1]]


@pytest.mark.parametrize(
    ("experiment", "settings", "message"),
    [
        ("misgrok", {}, "not exact in it"),  # Gaussian inputs
        ("misgrok", {"train_dtype": "int8"}, "not all ±1"),
        ("matrix-completion", {}, "only the diagonal net's products take it"),
        ("sparse-cls", {"dynamics": "ngd"}, "only full-batch flow and gd runs"),
        ("sparse-cls", {"train_dtype": "float16"}, "train_dtype"),
    ],
)
def test_runs_that_cannot_lower_their_products_say_why(
    experiment: str, settings: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        config = make_config(experiment, "smoke", {"train_dtype": "float32", **settings})
        batch_run.run_batch([config], warn=False)


def test_the_one_by_one_runner_refuses_lowered_products_and_the_cli_batches_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config("sparse-cls", "smoke", {**SETTINGS, "train_dtype": "float32"})
    with pytest.raises(ConfigError, match="only full-batch flow and gd runs"):
        runner.run(config)  # its autograd gradient would ignore the setting
    out = tmp_path / "trace.json"
    args = ["run", "sparse-cls", "--scale", "smoke", "--set", "evals=40", "--set", "seed=0"]
    assert main([*args, "--set", "train_dtype=float32", "--out", str(out)]) == 0
    trace = json.loads(out.read_text())
    assert trace["config"]["train_dtype"] == "float32"
    expected = batch_run.run_batch([config], warn=False)[0]
    assert trace["records"][-1]["train_loss"] == expected.records[-1].train_loss
    bad = tmp_path / "bad.json"
    assert main(["run", "misgrok", "--scale", "smoke", "--set", "train_dtype=float32",
                 "--out", str(bad)]) == 2  # fmt: skip
    assert "not exact in it" in capsys.readouterr().err and not bad.exists()


def test_the_setting_leaves_other_hashes_alone_and_the_paper_sparse_runs_take_it() -> None:
    plain = make_config("sparse-cls", "ci")
    assert "train_dtype" not in plain.to_dict()  # stored runs keep their keys
    low = make_config("sparse-cls", "ci", {"train_dtype": "float32"})
    assert low.to_dict()["train_dtype"] == "float32" and low.key() != plain.key()
    assert make_config("sparse-cls", "paper").train_dtype == "int8"
    assert make_config("misgrok", "paper").train_dtype is None
    assert make_config("sparse-cls-nowd", "paper").train_dtype is None  # logflow
