"""Kernel predictors of the early phase: the hard-margin kernel SVM and the ridgeless interpolant.

Both work on precomputed kernels (the empirical NTK, or XXᵀ for the max-L2-margin linear
classifier) and follow scikit-learn's estimator conventions: settings in ``__init__``,
work in ``fit``, learned state in attributes ending in ``_``.

The theory's kernel classifier has no intercept: min ‖h‖² s.t. yᵢ⟨h, φ(xᵢ)⟩ ≥ 1. An SVC
always fits one, so the training set is mirrored: adding (−φᵢ, −yᵢ) for every example turns
the constraints into yᵢ⟨h, φᵢ⟩ ≥ 1 + |b|, whose optimum has b = 0, and the SVC's solution
is then exactly the no-intercept one (its ``intercept_`` is reported as a check). The dual
of the no-intercept problem, max Σa − ½aᵀQa over a ≥ 0 with Q = (yyᵀ)∘K, is also solved
independently as a non-negative least-squares problem (``hard_margin_dual``) for checks.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import nnls
from sklearn.svm import SVC


def _scale(kernel: np.ndarray) -> float:
    """The mean diagonal of a training kernel, used to bring it to unit scale for libsvm."""
    scale = float(np.mean(np.diag(kernel)))
    return scale if scale > 0 else 1.0


def hard_margin_dual(kernel: np.ndarray, y: np.ndarray, rcond: float = 1e-12) -> np.ndarray:
    """The dual solution a ≥ 0 of the no-intercept hard-margin SVM, via NNLS.

    With Q = (yyᵀ)∘K = VΛVᵀ, ½aᵀQa − 1ᵀa = ½‖Λ^{1/2}Vᵀa − Λ^{-1/2}Vᵀ1‖² + const when 1
    lies in the range of Q (always when Q is non-singular), so scipy's active-set NNLS
    solves it exactly. Raises ValueError when 1 is not in the range of Q.
    """
    q = np.outer(y, y) * kernel
    evals, evecs = np.linalg.eigh(q)
    keep = evals > rcond * max(evals.max(), 0.0)
    ones = np.ones(len(y))
    projected = evecs[:, keep] @ (evecs[:, keep].T @ ones)
    if np.linalg.norm(projected - ones) > 1e-8 * np.sqrt(len(y)):
        raise ValueError("hard_margin_dual: Q is singular and 1 is not in its range")
    root = np.sqrt(evals[keep])
    design = root[:, None] * evecs[:, keep].T
    target = (evecs[:, keep].T @ ones) / root
    a, _ = nnls(design, target, maxiter=50 * len(y))
    return a


class KernelMaxMarginClassifier:
    """Hard-margin, no-intercept SVM on a precomputed kernel (binary ±1 or multi-class).

    Multi-class uses one-vs-rest: one binary no-intercept SVM per class, prediction by the
    largest decision value. (The theory's multi-class max-margin problem couples the classes
    (Crammer–Singer); one-vs-rest is the standard scikit-learn reduction and coincides with
    it for two classes.)

    Attributes after ``fit``: ``classes_``, ``coef_`` (C, n) with h_c = Σᵢ coef_[c, i] φ(xᵢ),
    ``margin_`` (C,) geometric margins 1/‖h_c‖ in the kernel's own units,
    ``min_functional_margin_`` (C,) (1 for an exact hard margin), ``duality_gap_`` (C,)
    relative gap between ½‖h‖² and the dual objective, ``intercept_`` (C,) the SVC's
    intercept (0 up to its tolerance), ``n_support_`` (C,).
    """

    def __init__(self, C: float = 1e8, tol: float = 1e-8, solver: str = "svc") -> None:
        self.C = C
        self.tol = tol
        self.solver = solver

    def fit(self, kernel: np.ndarray, y: np.ndarray) -> KernelMaxMarginClassifier:
        kernel = np.asarray(kernel, dtype=np.float64)
        y = np.asarray(y)
        self.scale_ = _scale(kernel)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError("KernelMaxMarginClassifier: needs at least two classes")
        binary = len(self.classes_) == 2 and set(self.classes_.tolist()) <= {-1.0, 1.0}
        targets = (
            [y.astype(np.float64)]
            if binary
            else [np.where(y == c, 1.0, -1.0) for c in self.classes_]
        )
        self.binary_ = binary
        fits = [self._fit_binary(kernel / self.scale_, t) for t in targets]
        self.coef_ = np.stack([f[0] for f in fits]) / self.scale_
        self.intercept_ = np.array([f[1] for f in fits])
        self.n_support_ = np.array([f[2] for f in fits])
        norms_sq = np.einsum("ci,ij,cj->c", self.coef_, kernel, self.coef_)
        self.margin_ = 1.0 / np.sqrt(norms_sq)
        functional = np.stack([t * (kernel @ c) for t, c in zip(targets, self.coef_, strict=True)])
        self.min_functional_margin_ = functional.min(axis=1)
        duals = np.array([np.sum(np.abs(c)) for c in self.coef_ * self.scale_])
        # For the normalised kernel, the dual objective Σa − ½aᵀQa equals ½‖h‖² at optimum.
        dual_objective = duals - 0.5 * norms_sq * self.scale_
        self.duality_gap_ = np.abs(0.5 * norms_sq * self.scale_ - dual_objective) / (
            0.5 * norms_sq * self.scale_
        )
        return self

    def _fit_binary(self, kernel: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, int]:
        """Signed dual coefficients β (h = Σ βᵢφᵢ), the intercept, the support size."""
        n = len(y)
        if self.solver == "nnls":
            a = hard_margin_dual(kernel, y)
            return a * y, 0.0, int(np.count_nonzero(a))
        if self.solver != "svc":
            raise ValueError(f"solver must be 'svc' or 'nnls', got {self.solver!r}")
        mirrored = np.block([[kernel, -kernel], [-kernel, kernel]])
        svc = SVC(C=self.C, kernel="precomputed", tol=self.tol, cache_size=1024)
        svc.fit(mirrored, np.concatenate([y, -y]))
        beta = np.zeros(n)
        index = svc.support_
        signed = svc.dual_coef_[0]
        np.add.at(beta, index[index < n], signed[index < n])
        np.add.at(beta, index[index >= n] - n, -signed[index >= n])
        return beta, float(svc.intercept_[0]), int(np.count_nonzero(beta))

    def decision_function(self, kernel_test: np.ndarray) -> np.ndarray:
        """h(x) for test rows: shape (m,) for binary, (m, C) for multi-class."""
        values = np.asarray(kernel_test, dtype=np.float64) @ self.coef_.T
        return values[:, 0] if self.binary_ else values

    def predict(self, kernel_test: np.ndarray) -> np.ndarray:
        values = self.decision_function(kernel_test)
        if self.binary_:
            return np.sign(values)
        return self.classes_[np.argmax(values, axis=1)]


class MinNormInterpolant:
    """Ridgeless kernel regression: f = K(·, X)K(X, X)⁺y, the minimum-RKHS-norm interpolant.

    The pseudo-inverse drops eigenvalues below ``rcond``·λ_max (duplicate features, such as
    an entry observed as both (i, j) and (j, i), make K singular). Attributes: ``coef_``,
    ``rank_``, ``train_residual_`` (max |f(xᵢ) − yᵢ|), ``norm_`` (the RKHS norm of f).
    """

    def __init__(self, rcond: float = 1e-10) -> None:
        self.rcond = rcond

    def fit(self, kernel: np.ndarray, y: np.ndarray) -> MinNormInterpolant:
        kernel = np.asarray(kernel, dtype=np.float64)
        evals, evecs = np.linalg.eigh(kernel)
        keep = evals > self.rcond * max(evals.max(), 0.0)
        self.rank_ = int(keep.sum())
        self.coef_ = evecs[:, keep] @ ((evecs[:, keep].T @ y) / evals[keep])
        self.train_residual_ = float(np.max(np.abs(kernel @ self.coef_ - y)))
        self.norm_ = float(np.sqrt(max(self.coef_ @ kernel @ self.coef_, 0.0)))
        return self

    def predict(self, kernel_test: np.ndarray) -> np.ndarray:
        return np.asarray(kernel_test, dtype=np.float64) @ self.coef_


class RegularisedKernelLogistic:
    """min_h (1/n) Σ softplus(−yᵢ⟨φᵢ, h⟩) + (ridge/2)‖h‖² on a precomputed kernel.

    K3's quasi-static prediction: in the kernel phase the output is pushed by the NTK and
    shrunk by weight decay, and balances at this h with ridge = Lλ/α^{2c(L−1)}. The kernel is
    factored K = ΨΨᵀ (eigenvectors with positive eigenvalues), so the problem is a strongly
    convex one in rank(K) ≤ n dimensions, solved by scipy's trust-region Newton method.
    Attributes: ``outputs_`` (⟨φᵢ, h⟩ on the training set), ``margin_`` (min yᵢ⟨φᵢ, h⟩),
    ``gradient_norm_`` (the optimality residual).
    """

    def __init__(self, ridge: float, rcond: float = 1e-12) -> None:
        self.ridge = ridge
        self.rcond = rcond

    def fit(self, kernel: np.ndarray, y: np.ndarray) -> RegularisedKernelLogistic:
        from scipy.optimize import minimize
        from scipy.special import expit

        kernel, y = np.asarray(kernel, dtype=np.float64), np.asarray(y, dtype=np.float64)
        evals, evecs = np.linalg.eigh(kernel)
        keep = evals > self.rcond * max(evals.max(), 0.0)
        features = (evecs[:, keep] * np.sqrt(evals[keep])) * y[:, None]  # rows yᵢψᵢ
        n, ridge = len(y), self.ridge

        def value(h: np.ndarray) -> float:
            return float(np.logaddexp(0.0, -features @ h).mean() + 0.5 * ridge * h @ h)

        def gradient(h: np.ndarray) -> np.ndarray:
            return -features.T @ expit(-features @ h) / n + ridge * h

        def hessian(h: np.ndarray) -> np.ndarray:
            z = features @ h
            weights = expit(z) * expit(-z) / n
            return (features.T * weights) @ features + ridge * np.eye(len(h))

        start = np.zeros(features.shape[1])
        result = minimize(value, start, jac=gradient, hess=hessian, method="trust-exact",
                          options={"gtol": 1e-10, "maxiter": 1000})  # fmt: skip
        signed = features @ result.x
        self.outputs_ = signed * y
        self.margin_ = float(signed.min())
        self.gradient_norm_ = float(np.linalg.norm(gradient(result.x)))
        return self
