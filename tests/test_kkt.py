"""The KKT-residual probe (R7): ~0 at an exact KKT point, large away from one."""

import numpy as np
import pytest
import torch

from grokbench.baselines.linear_margins import L1MaxMarginClassifier, L2MaxMarginClassifier
from grokbench.engine import probes
from grokbench.engine.config import make_config
from grokbench.engine.runner import prepare, run


@pytest.fixture(scope="module")
def sparse():
    return prepare(make_config("sparse-cls", "smoke"))


def _diagonal_theta(prepared, w: np.ndarray) -> torch.Tensor:
    """u = √max(w, 0), v = √max(−w, 0), so that u² − v² = w and ‖θ‖² = ‖w‖₁."""
    w = torch.as_tensor(w, dtype=torch.float64)
    u, v = w.clamp(min=0).sqrt(), (-w).clamp(min=0).sqrt()
    return prepared.flat.flatten({"u": u, "v": v})


def _fit(cls, prepared):
    data = prepared.data
    return cls().fit(data.x_train.numpy(), data.y_train.numpy()).coef_


def test_residual_vanishes_at_the_l1_max_margin_kkt_point(sparse):
    theta = _diagonal_theta(sparse, _fit(L1MaxMarginClassifier, sparse))
    residual, active = probes.kkt_residual(sparse, theta)
    assert residual < 1e-4 and active >= 1
    # r is invariant to rescaling θ (the margin scale is arbitrary mid-training)
    scaled, _ = probes.kkt_residual(sparse, 3.7 * theta)
    assert scaled == pytest.approx(residual, abs=1e-6)


def test_residual_is_large_at_the_l2_solution_and_at_the_init_direction(sparse):
    theta = _diagonal_theta(sparse, _fit(L2MaxMarginClassifier, sparse))
    assert probes.kkt_residual(sparse, theta)[0] > 0.3
    # θ̄ separates nothing (f = 0): no admissible multipliers, r = 1
    assert probes.kkt_residual(sparse, sparse.theta0) == (1.0, 0)
    # near θ̄ but separating (a small step toward the L1 solution): still far from KKT
    w1 = torch.as_tensor(_fit(L1MaxMarginClassifier, sparse))
    u, v = (1 + 1e-3 * w1.clamp(min=0)), (1 + 1e-3 * (-w1).clamp(min=0))
    near = sparse.flat.flatten({"u": u, "v": v})
    assert probes.kkt_residual(sparse, near)[0] > 0.9


def test_closed_form_gram_matches_the_jacobian(sparse):
    theta = sparse.theta0 + 0.1 * torch.randn(
        sparse.theta0.shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64
    )
    rows = torch.arange(10)
    closed = probes._diagonal_gram(sparse, theta, rows, block=37)
    generic = probes._jacobian_gram(sparse, theta, rows, max_bytes=2**26)
    torch.testing.assert_close(closed, generic)
    with pytest.raises(ValueError, match="Jacobian"):
        probes._jacobian_gram(sparse, theta, rows, max_bytes=1000)


def test_gram_solver_against_explicit_least_squares():
    rng = np.random.default_rng(0)
    jac = rng.normal(size=(6, 40))
    jac[5] = jac[4]  # a repeated constraint (an entry observed as (i, j) and (j, i))
    mu = np.array([0.5, 0.0, 2.0, 1.0, 0.3, 0.3])
    inside = jac.T @ mu
    gram = jac @ jac.T
    for nonnegative in (True, False):
        r = probes.kkt_residual_from_gram(gram, jac @ inside, inside @ inside, nonnegative)
        assert r < 1e-7
    theta = rng.normal(size=40)
    free = probes.kkt_residual_from_gram(gram, jac @ theta, theta @ theta, nonnegative=False)
    coef = np.linalg.lstsq(jac.T, theta, rcond=None)[0]
    expected = np.linalg.norm(jac.T @ coef - theta) / np.linalg.norm(theta)
    assert free == pytest.approx(expected, rel=1e-8)
    # μ ≥ 0 cannot use −∇g: the signed fit is worse than the free one
    signed = probes.kkt_residual_from_gram(gram, jac @ -inside, inside @ inside, True)
    assert signed > 0.5


def test_factorization_gram_matches_the_jacobian():
    prepared = prepare(make_config("matrix-completion", "smoke", {"sigma": "0.3"}))
    theta = prepared.theta0 + 0.2 * torch.randn(
        prepared.theta0.shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64
    )
    rows = torch.arange(len(prepared.data.x_train))
    closed = probes._factorization_gram(prepared, theta, rows)
    generic = probes._jacobian_gram(prepared, theta, rows, max_bytes=2**26)
    torch.testing.assert_close(closed, generic)


def test_regression_residual_is_one_at_init_and_small_late():
    config = make_config("matrix-completion", "smoke")
    prepared = prepare(config)
    assert probes.kkt_residual(prepared, prepared.theta0)[0] == pytest.approx(1.0, abs=1e-9)
    records = run(config, probes=[probes.kkt_probe()]).records
    residuals = [r.probes["kkt_residual"] for r in records]
    assert residuals[0] == pytest.approx(1.0) and records[-1].probes["kkt_active"] == 60
    assert residuals[-1] < 0.05 < min(residuals[: len(residuals) // 2])
    with pytest.raises(ValueError, match="binary classification and regression"):
        probes.kkt_residual(prepare(make_config("modadd", "smoke")), torch.zeros(1))
