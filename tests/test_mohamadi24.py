"""mohamadi24: the closed-form two-layer NTKs against the generic Jacobian kernel, the
kernel distance, the sweep's required fraction and slope, and the probe on a smoke run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grokbench.baselines.modadd_ntk import (
    interpolant_predict,
    kernel_distance,
    svm_predict,
    two_layer_ntk,
)
from grokbench.baselines.ntk import empirical_ntk
from grokbench.engine import runner
from grokbench.engine.config import make_config
from grokbench.engine.models import HomogeneousMLP
from grokbench.engine.periodic import QuadMLP
from grokbench.papers.mohamadi24.probes import kernel_constants, kernel_probe
from grokbench.papers.mohamadi24.sweep import loglog_slope, population, required_fraction

pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


def _inputs(p: int, n: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    a, b = torch.randint(0, p, (n,), generator=g), torch.randint(0, p, (n,), generator=g)
    eye = torch.eye(p, dtype=torch.float64)
    return torch.cat([eye[a], eye[b]], dim=1)


@pytest.mark.parametrize("kind", ["quad", "relu", "relu-nobias"])
def test_closed_form_ntk_equals_the_jacobian_kernel(kind: str) -> None:
    g = torch.Generator().manual_seed(3)
    p = 5
    if kind == "quad":
        model: torch.nn.Module = QuadMLP(2 * p, 6, p, generator=g)
    else:
        model = HomogeneousMLP(2 * p, 6, p, bias=kind == "relu", generator=g)
    params = {n: torch.randn(t.shape, generator=g, dtype=torch.float64)
              for n, t in model.named_parameters()}  # fmt: skip
    x1, x2 = _inputs(p, 7, 0), _inputs(p, 4, 1)
    blocks = empirical_ntk(model, x1, x2, params=params, outputs="blocks")
    assert torch.allclose(two_layer_ntk(params, x1, x2), blocks.sum(0))
    assert torch.allclose(two_layer_ntk(params, x1, x2, outputs="first"), blocks[0])


def test_unknown_layouts_are_refused() -> None:
    x = _inputs(3, 2, 0)
    with pytest.raises(ValueError, match="no closed form"):
        two_layer_ntk({"W": torch.zeros(2, 6)}, x)
    with pytest.raises(ValueError, match="outputs"):
        two_layer_ntk({"W1": torch.zeros(2, 6), "W2": torch.zeros(3, 2)}, x, outputs="full")  # type: ignore[arg-type]


def test_kernel_distance_ignores_scale_and_sees_rotation() -> None:
    k = torch.tensor([[2.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    assert kernel_distance(k, 5 * k) == pytest.approx(0.0, abs=1e-12)
    assert kernel_distance(k, torch.eye(2, dtype=torch.float64)) > 0.1


def test_required_fraction_interpolates_and_is_anchored_at_one() -> None:
    assert required_fraction([(0.5, 0.5), (0.7, 0.95)], 0.9) == pytest.approx(0.5 + 0.2 * 4 / 4.5)
    zero = [(f, population(f, 0.0)) for f in (0.25, 0.5, 0.75)]
    assert required_fraction(zero, 0.9) == pytest.approx(0.9)
    assert required_fraction([(0.3, 1.0)], 0.9) == 0.3
    assert loglog_slope([11, 17, 31], [0.9, 0.9, 0.9]) == pytest.approx(2.0)
    assert loglog_slope([11, 31], [0.8, 0.8 * (11 / 31) ** 0.5]) == pytest.approx(1.5)


def test_ntk_predictors_of_modular_addition_do_not_generalise() -> None:
    config = make_config("modadd-quad", "smoke", {"p": 11, "frac": 0.6, "seed": 0})
    constants = kernel_constants(runner.prepare(config))
    assert constants["train_frac"] == pytest.approx(73 / 121)
    assert constants["kernel_svm_acc"] <= constants["chance"]
    assert constants["kernel_interp_acc"] <= constants["chance"]


def test_predictors_fit_a_learnable_kernel() -> None:
    x = torch.eye(6, dtype=torch.float64)
    k = (x @ x.T + 1.0).numpy()  # every point its own class, seen once
    labels = np.array([0, 1, 2, 0, 1, 2])
    assert (interpolant_predict(k, labels, k, 3) == labels).all()
    assert (svm_predict(k, labels, k) == labels).all()


def test_probe_records_the_kernel_distance_on_a_smoke_run() -> None:
    config = make_config("modadd-quad", "smoke", {"p": 11, "frac": 0.7, "seed": 0, "wd": 1.0})
    trace = runner.run(config, probes=[kernel_probe])
    first, last = trace.records[0].probes, trace.records[-1].probes
    assert first["ntk_dist"] == pytest.approx(0.0, abs=1e-12)
    assert 0.0 < last["ntk_dist"] < 1.0
    assert math.isfinite(last["kernel_svm_acc"]) and last["chance"] == pytest.approx(1 / 11)
    assert 0.0 <= last["agree_svm"] <= 1.0 and 0.0 <= last["agree_interp"] <= 1.0
    # the probe's own forward gives what the evaluation's test outputs give
    prepared = runner.prepare(config)
    probe, theta = kernel_probe(prepared), prepared.theta0
    outputs = prepared.flat.function(theta, prepared.data.x_test)
    assert probe(theta) == probe(theta, outputs)  # type: ignore[call-arg]


def test_a_paper_only_run_set_is_not_awaited_below_paper_scale() -> None:
    """KD1 reads the sweep and the paper-only ReLU run set: at ci it is judged on the sweep
    (it was inconclusive, "did not finish", waiting for a run set ci never runs)."""
    from grokbench.claims.evaluate import evidence_of
    from grokbench.claims.registry import catalogue

    kd1 = next(c for c in catalogue().claims if c.id == "mohamadi24/KD1")
    sweep = [object()]  # members are passed through untouched
    assert evidence_of(kd1, {"mohamadi24-sweep": sweep}, "ci") == sweep  # type: ignore[dict-item]
    assert evidence_of(kd1, {"mohamadi24-sweep": sweep}, "paper") == []  # type: ignore[dict-item]
