"""Baselines: exact solvers against references and known answers, run_baselines, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from grokbench.baselines import compute as baselines
from grokbench.baselines.kernel import KernelMaxMarginClassifier, MinNormInterpolant
from grokbench.baselines.linear_margins import L1MaxMarginClassifier, L2MaxMarginClassifier
from grokbench.baselines.nuclear_norm import nuclear_norm_completion
from grokbench.cli import main as cli_main
from grokbench.engine import tasks
from grokbench.engine.config import make_config
from grokbench.spec import BASELINES_SCHEMA, ConfigError


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("GROKBENCH_CACHE", str(cache))
    return cache


def _sparse(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    data = tasks.sparse_classification(n, d, 3, 10, seed)
    return data.x_train.numpy(), data.y_train.numpy()


# ---- max-L1 margin ---------------------------------------------------------------------


def test_l1_column_generation_equals_plain_lp_at_ci_scale() -> None:
    x, y = _sparse(128, 2000)  # the sparse-cls ci preset's sizes
    plain = L1MaxMarginClassifier("plain").fit(x, y)
    colgen = L1MaxMarginClassifier("colgen").fit(x, y)
    assert colgen.norm_ == pytest.approx(plain.norm_, rel=1e-9)
    assert np.abs(colgen.coef_ - plain.coef_).max() < 1e-8
    assert colgen.gap_ < 1e-8
    assert colgen.n_columns_ < x.shape[1]
    assert np.min(y * (x @ colgen.coef_)) >= 1 - 1e-8
    support = np.flatnonzero(np.abs(colgen.coef_) > 1e-8 * np.abs(colgen.coef_).max())
    assert colgen.nnz_ == 3 and set(support) == {0, 1, 2}


def test_l1_column_generation_on_gaussian_data() -> None:
    data = tasks.misgrok_classification(16, 2000, 25.0, 10, 0)
    x, y = data.x_train.numpy(), data.y_train.numpy()
    plain = L1MaxMarginClassifier("plain").fit(x, y)
    colgen = L1MaxMarginClassifier().fit(x, y)
    assert colgen.norm_ == pytest.approx(plain.norm_, rel=1e-9)
    assert np.abs(colgen.coef_ - plain.coef_).max() < 1e-8 * np.abs(plain.coef_).max()


# ---- kernel max margin -----------------------------------------------------------------


def test_svc_margin_equals_the_dual_solution() -> None:
    x, y = _sparse(48, 200)
    kernel = 8.0 * x @ x.T
    svc = KernelMaxMarginClassifier(solver="svc").fit(kernel, y)
    dual = KernelMaxMarginClassifier(solver="nnls").fit(kernel, y)
    assert svc.margin_[0] == pytest.approx(dual.margin_[0], rel=1e-6)
    assert abs(svc.intercept_[0]) < 1e-6
    assert svc.min_functional_margin_[0] == pytest.approx(1.0, abs=1e-6)
    assert svc.duality_gap_[0] < 1e-6
    assert np.abs(svc.coef_ - dual.coef_).max() < 1e-5 * np.abs(dual.coef_).max()


def test_no_intercept_known_answer() -> None:
    # y(x) = +1 at (2, 1), −1 at (1, 1): without intercept h = (2, −3), margin 1/√13
    # (an SVC with intercept would return margin 1/2).
    x = np.array([[2.0, 1.0], [1.0, 1.0]])
    y = np.array([1.0, -1.0])
    svm = KernelMaxMarginClassifier().fit(x @ x.T, y)
    assert svm.margin_[0] == pytest.approx(1 / np.sqrt(13), rel=1e-6)
    assert np.allclose(x.T @ svm.coef_[0], [2.0, -3.0], atol=1e-5)


def test_l2_max_margin_is_the_linear_kernel_svm() -> None:
    x, y = _sparse(48, 200)
    l2 = L2MaxMarginClassifier().fit(x, y)
    dual = KernelMaxMarginClassifier(solver="nnls").fit(x @ x.T, y)
    assert l2.margin_ == pytest.approx(dual.margin_[0], rel=1e-6)
    assert np.min(y * (x @ l2.coef_)) == pytest.approx(1.0, abs=1e-6)


def test_multiclass_one_vs_rest_fits_the_training_set() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((30, 40))
    y = np.arange(30) % 3
    svm = KernelMaxMarginClassifier().fit(x @ x.T, y)
    assert svm.coef_.shape == (3, 30)
    assert np.array_equal(svm.predict(x @ x.T), y)
    assert np.all(svm.min_functional_margin_ > 1 - 1e-5)


def test_min_norm_interpolant_is_the_pseudo_inverse_solution() -> None:
    rng = np.random.default_rng(1)
    x, y, x_test = (
        rng.standard_normal((10, 30)),
        rng.standard_normal(10),
        rng.standard_normal((5, 30)),
    )
    fit = MinNormInterpolant().fit(x @ x.T, y)
    assert fit.train_residual_ < 1e-10
    assert np.allclose(fit.predict(x_test @ x.T), x_test @ (np.linalg.pinv(x) @ y), atol=1e-10)


# ---- nuclear norm ----------------------------------------------------------------------


def test_nuclear_norm_recovers_a_low_rank_symmetric_matrix() -> None:
    rng = np.random.default_rng(0)
    d = 30
    u, v = rng.standard_normal(d), rng.standard_normal(d)
    target = np.outer(u, u) - np.outer(v, v)
    rows, cols = np.nonzero(rng.random((d, d)) < 0.5)
    result = nuclear_norm_completion(d, rows, cols, target[rows, cols], tol=1e-9)
    assert result.converged
    assert np.abs(result.matrix - target).max() < 1e-6 * np.abs(target).max()
    assert result.nuclear_norm == pytest.approx(np.abs(np.linalg.eigvalsh(target)).sum(), rel=1e-7)


def test_nuclear_norm_two_by_two_known_optimum() -> None:
    # Only X_01 = X_10 = 1 observed: ‖X‖_* ≥ |λ₁ − λ₂| ≥ 2|X_01| = 2, attained at a = b = 0.
    result = nuclear_norm_completion(2, np.array([0]), np.array([1]), np.array([1.0]))
    assert result.nuclear_norm == pytest.approx(2.0, rel=1e-6)
    assert result.matrix[0, 1] == result.matrix[1, 0] == 1.0


def test_nuclear_norm_matches_cvxpy_when_available() -> None:
    cp = pytest.importorskip("cvxpy")
    rng = np.random.default_rng(2)
    d = 8
    target = np.outer(*(2 * [rng.standard_normal(d)]))
    rows, cols = np.nonzero(rng.random((d, d)) < 0.4)
    ours = nuclear_norm_completion(d, rows, cols, target[rows, cols], tol=1e-9)
    x = cp.Variable((d, d), symmetric=True)
    problem = cp.Problem(cp.Minimize(cp.normNuc(x)), [x[rows, cols] == target[rows, cols]])
    problem.solve()
    assert ours.nuclear_norm == pytest.approx(problem.value, rel=1e-4)


# ---- run_baselines and trivial predictors ----------------------------------------------


def test_run_baselines_sparse_smoke(_private_cache: Path) -> None:
    results = {r.name: r for r in baselines.run_baselines(make_config("sparse-cls", "smoke"))}
    assert list(results) == [*baselines.CLASSIFIERS, "zeros", "majority", "chance"]
    assert results["l1_max_margin"].test_value == 1.0 and results["l1_max_margin"].nnz == 3
    assert results["l2_max_margin"].test_value < 0.8
    # The NTK of the diagonal net is 8⟨x, x'⟩: its SVM predicts like the L2 max margin (two
    # solvers: a test point on the boundary to solver precision may flip on another CPU).
    ntk_svm, l2 = results["ntk_svm"].predictions, results["l2_max_margin"].predictions
    assert np.count_nonzero(ntk_svm != l2) <= 1
    assert results["zeros"].test_value == 0.5 and results["chance"].test_value == 0.5
    assert results["l1_max_margin"].predictions.shape == (400,)
    assert any(_private_cache.rglob("output.pkl"))
    again = baselines.run_baselines(make_config("sparse-cls", "smoke"), ["l1_max_margin"])
    assert again[0].fit_s == results["l1_max_margin"].fit_s  # served from the cache
    other = baselines.run_baselines(
        make_config("sparse-cls", "smoke", {"seed": "1"}), ["l1_max_margin"]
    )
    assert not np.array_equal(other[0].coef, results["l1_max_margin"].coef)


def test_run_baselines_regression_and_multiclass() -> None:
    mc = {r.name: r for r in baselines.run_baselines(make_config("matrix-completion", "smoke"))}
    assert list(mc) == ["ntk_interpolant", "nuclear_norm", "zeros", "mean"]
    # The authors' test set holds transposes of observed entries, which the kernel fills.
    assert mc["ntk_interpolant"].test_value < mc["zeros"].test_value
    assert mc["nuclear_norm"].test_value < 1e-6 * mc["zeros"].test_value
    sym = make_config("matrix-completion", "smoke", {"test_set": "outside-omega-sym"})
    mc = {r.name: r for r in baselines.run_baselines(sym, ["ntk_interpolant", "zeros"])}
    # Outside Ω ∪ Ωᵀ the kernel interpolant predicts 0, like the zero predictor.
    assert mc["ntk_interpolant"].test_value == pytest.approx(mc["zeros"].test_value, rel=1e-9)
    modadd = {r.name: r for r in baselines.run_baselines(make_config("modadd", "smoke"))}
    assert list(modadd) == ["ntk_svm", "zeros", "majority", "chance"]
    assert modadd["ntk_svm"].extra["train_acc"] == 1.0
    assert modadd["chance"].test_value == pytest.approx(1 / 11)


def test_unknown_or_inapplicable_baseline_is_a_config_error() -> None:
    config = make_config("sparse-cls", "smoke")
    with pytest.raises(ConfigError, match="unknown"):
        baselines.run_baselines(config, ["nope"])
    with pytest.raises(ConfigError, match="not applicable"):
        baselines.run_baselines(config, ["nuclear_norm"])


def test_score_counts_a_zero_output_half_right() -> None:
    assert baselines.score("binary", np.array([0.0, 1.0]), np.array([1.0, 1.0])) == 0.75
    assert baselines.score("regression", np.array([0.0, 2.0]), np.array([1.0, 1.0])) == 1.0


# ---- the command -----------------------------------------------------------------------


def test_cli_writes_the_baselines_schema(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "b.json"
    assert cli_main(["baselines", "misgrok", "--scale", "smoke", "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    assert data["schema"] == BASELINES_SCHEMA
    assert (data["experiment"], data["scale"]) == ("misgrok", "smoke")
    names = [row["name"] for row in data["baselines"]]
    assert {"ntk_svm", "l2_max_margin", "l1_max_margin", "zeros", "majority"} <= set(names)
    for row in data["baselines"]:
        assert set(row) == {"name", "test_acc", "fit_s", "nnz"}
    assert "l1_max_margin" in capsys.readouterr().out


def test_cli_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "b.json"
    assert cli_main(["baselines", "nope", "--scale", "smoke", "--json", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope" in err
    assert not path.exists()
    code = cli_main(["baselines", "sparse-cls", "--scale", "smoke", "--only", "nuclear_norm"])
    assert code == 2
