"""Linear max-margin classifiers (no intercept): exact max-L1 and max-L2 margin, and the
scikit-learn L1 proxies users reach for.

The late phase of the diagonal net converges to the max-L1-margin classifier
min ‖w‖₁ s.t. yᵢ⟨w, xᵢ⟩ ≥ 1, an LP. Written plainly (w = w⁺ − w⁻) it has 2d columns, which
takes HiGHS minutes at d = 10⁵. Its solution has at most n non-zeros, so column generation
solves it exactly on a working set of coordinates: solve the restricted LP, read its duals
a ≥ 0, price every coordinate with g = Xᵀ(y∘a) (a coordinate can improve the objective iff
|g_j| > 1), add the most violating ones, repeat until none violates. Elastic slacks with a
large cost keep every restricted LP feasible; the answer is optimal for the full LP once
no coordinate violates and the slacks are zero.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import OptimizeWarning, linprog
from scipy.sparse import csc_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from grokbench.baselines.kernel import KernelMaxMarginClassifier
from grokbench.engine.gram import sign_self_products

HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
#: Interior point without crossover: its duals sit in the middle of the (highly degenerate)
#: optimal dual face instead of at a vertex, which prices columns far better (one or two
#: rounds instead of dozens on sign data). SciPy ≥ 1.15 (its HiGHS) honours
#: ``run_crossover``; 1.10–1.14 run crossover anyway: the ci sparse-cls fit took 59 rounds
#: and ~7 s there, 1 round and 0.1–0.3 s from 1.15 (hence pyproject's floor). "choose":
#: crossover only where the interior point's solution is imprecise, which 1.15's HiGHS
#: reports on ci misgrok seed 0 (status Unknown with "off"); SciPy 1.17 gives the same w,
#: bit for bit, with "off" and "choose" (ci and paper sparse-cls, misgrok, control-dense).
CENTRAL_OPTIONS = {"run_crossover": "choose", "ipm_optimality_tolerance": 1e-10}


#: Cap on the first working set of ``l1_max_margin_colgen``.
START_COLUMNS = 256


def support_size(w: np.ndarray, rtol: float = 1e-8) -> int:
    """Number of coordinates with |w_j| > rtol·max|w|."""
    top = float(np.max(np.abs(w))) if w.size else 0.0
    return int(np.count_nonzero(np.abs(w) > rtol * top)) if top > 0 else 0


def _restricted_lp(
    signed: np.ndarray, columns: np.ndarray, penalty: float, central: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """min 1ᵀ(w⁺ + w⁻) + M·1ᵀs s.t. Z_S(w⁺ − w⁻) + s ≥ 1 over the working set S.

    ``signed`` is Z = diag(y)X. ``central`` solves by interior point without crossover
    (central duals, for pricing), else by dual simplex (a vertex: an exactly sparse w).
    Returns (w_S, slacks, duals a ≥ 0).
    """
    n, k = signed.shape[0], len(columns)
    block = signed[:, columns]
    a_ub = -np.hstack([block, -block, np.eye(n)])
    cost = np.concatenate([np.ones(2 * k), np.full(n, penalty)])
    method, options = ("highs-ipm", CENTRAL_OPTIONS) if central else ("highs", HIGHS_OPTIONS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)  # run_crossover goes to HiGHS as is
        res = linprog(cost, A_ub=a_ub, b_ub=-np.ones(n), method=method, options=options)
    if res.status != 0:
        raise RuntimeError(f"l1 max margin: HiGHS failed on the restricted LP ({res.message})")
    return res.x[:k] - res.x[k : 2 * k], res.x[2 * k :], -res.ineqlin.marginals


def l1_max_margin_plain(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The full primal LP over all 2d columns (the reference for checks; slow at large d)."""
    signed = y[:, None] * x
    d = x.shape[1]
    a_ub = -hstack([csc_matrix(signed), csc_matrix(-signed)])
    res = linprog(
        np.ones(2 * d), A_ub=a_ub, b_ub=-np.ones(len(y)), method="highs", options=HIGHS_OPTIONS
    )
    if res.status != 0:
        raise ValueError(f"l1 max margin: the data is not linearly separable ({res.message})")
    return res.x[:d] - res.x[d:]


def l1_max_margin_colgen(
    x: np.ndarray,
    y: np.ndarray,
    tol: float = 1e-7,
    batch: int | None = None,
    max_rounds: int = 200,
) -> tuple[np.ndarray, dict[str, float]]:
    """Column generation for the max-L1-margin LP.

    Returns w and a report: ``rounds``, ``columns`` (working-set size) and ``gap``, the
    relative gap between ‖w‖₁ and the dual bound Σa / max(1, ‖Zᵀa‖_∞) that certifies it.
    """
    n, d = x.shape
    signed = y[:, None] * x
    batch = batch or max(n, 32)
    # the first working set: the 2n columns most correlated with y, at most START_COLUMNS
    # (pricing adds any column the optimum needs; at n = 1024, d = 10⁵ the first LP took
    # 12 s over 2048 columns, 2 s over 256, the same w to 1e-13)
    start = min(d, 2 * n, START_COLUMNS)
    columns = np.sort(np.argsort(-np.abs(signed.sum(axis=0)), kind="stable")[:start])
    penalty = 1e4
    for rounds in range(1, max_rounds + 1):
        _, slack, duals = _restricted_lp(signed, columns, penalty, central=True)
        prices = np.abs(signed.T @ duals)
        bound = duals.sum() / max(1.0, prices.max())
        prices[columns] = 0.0
        violating = np.flatnonzero(prices > 1.0 + tol)
        if violating.size:
            best = violating[np.argsort(-prices[violating], kind="stable")[:batch]]
            columns = np.union1d(columns, best)
            continue
        if slack.max() > tol:
            if penalty >= 1e12:
                raise ValueError("l1 max margin: the data is not linearly separable")
            penalty *= 1e3
            continue
        w_set, slack, _ = _restricted_lp(signed, columns, penalty, central=False)
        if slack.max() > tol:
            raise RuntimeError("l1 max margin: the vertex solution needs slack")
        w = np.zeros(d)
        w[columns] = w_set
        norm = float(np.abs(w).sum())
        report = {"rounds": rounds, "columns": len(columns), "gap": (norm - bound) / norm}
        return w, report
    raise RuntimeError(f"l1 max margin: no convergence in {max_rounds} rounds")


class _LinearMaxMargin:
    """What the linear max-margin classifiers share once ``coef_`` is fit: the margin
    1/‖w‖ in their norm, the support size, and w·x as the decision function."""

    coef_: np.ndarray

    def _fitted(self, norm: float) -> None:
        self.norm_ = norm
        self.margin_ = 1.0 / norm
        self.nnz_ = support_size(self.coef_)

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) @ self.coef_

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.sign(self.decision_function(x))


class L1MaxMarginClassifier(_LinearMaxMargin):
    """Exact max-L1-margin linear classifier (no intercept), solved with HiGHS.

    ``method``: ``colgen`` (default, column generation) or ``plain`` (the full LP).
    Attributes: ``coef_`` (d,), ``norm_`` ‖w‖₁, ``margin_`` the L1 margin 1/‖w‖₁,
    ``nnz_``, ``rounds_``, ``n_columns_`` and ``gap_`` (the certified relative optimality
    gap; column generation only, 0 for ``plain``).
    """

    def __init__(self, method: str = "colgen", tol: float = 1e-7) -> None:
        self.method = method
        self.tol = tol

    def fit(self, x: np.ndarray, y: np.ndarray) -> L1MaxMarginClassifier:
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if self.method == "plain":
            self.coef_ = l1_max_margin_plain(x, y)
            self.rounds_, self.n_columns_, self.gap_ = 1, x.shape[1], 0.0
        elif self.method == "colgen":
            self.coef_, report = l1_max_margin_colgen(x, y, self.tol)
            self.rounds_, self.n_columns_ = int(report["rounds"]), int(report["columns"])
            self.gap_ = report["gap"]
        else:
            raise ValueError(f"method must be 'colgen' or 'plain', got {self.method!r}")
        self._fitted(float(np.abs(self.coef_).sum()))
        return self


class L2MaxMarginClassifier(_LinearMaxMargin):
    """Exact max-L2-margin linear classifier (hard margin, no intercept).

    Solved in the dual on the linear kernel XXᵀ (n×n, never d×d; for ±1 inputs from int8
    products, ``gram.sign_self_products``) by the kernel SVM, then
    w = Σᵢ βᵢxᵢ. Attributes: ``coef_``, ``norm_`` ‖w‖₂, ``margin_`` 1/‖w‖₂, ``nnz_``,
    ``svm_`` (the fitted KernelMaxMarginClassifier, with its dual checks).
    """

    def __init__(self, C: float = 1e8, tol: float = 1e-8) -> None:
        self.C = C
        self.tol = tol

    def fit(self, x: np.ndarray, y: np.ndarray) -> L2MaxMarginClassifier:
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        kernel = sign_self_products(x)
        if kernel is None:
            kernel = x @ x.T
        self.svm_ = KernelMaxMarginClassifier(C=self.C, tol=self.tol).fit(kernel, y)
        self.coef_ = x.T @ self.svm_.coef_[0]
        self._fitted(float(np.linalg.norm(self.coef_)))
        return self


def l1_linear_svc(C: float = 1.0) -> LinearSVC:
    """The proxy for the L1 max margin: L1-penalised squared-hinge LinearSVC, no intercept."""
    return LinearSVC(
        penalty="l1", loss="squared_hinge", dual=False, C=C, fit_intercept=False, tol=1e-6,
        max_iter=20_000,
    )  # fmt: skip


def l1_logistic(C: float = 1.0) -> LogisticRegression:
    """The other proxy: L1-penalised logistic regression (liblinear), no intercept."""
    return LogisticRegression(
        l1_ratio=1.0, solver="liblinear", C=C, fit_intercept=False, tol=1e-6, max_iter=20_000
    )
