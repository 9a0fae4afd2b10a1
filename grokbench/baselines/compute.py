"""Every reference predictor of an experiment, fitted on its data and scored on its test set.

``run_baselines(config)`` builds data and model exactly as a run does (``runner.prepare``),
computes the empirical NTK from the model at θ̄ when a kernel baseline needs it, and fits:
- classification: ``ntk_svm`` (hard-margin, no-intercept kernel SVM on the NTK; one-vs-rest
  for multi-class), and for binary tasks ``l2_max_margin``, ``l1_max_margin`` (exact, LP)
  and the scikit-learn proxies ``l1_linear_svc`` and ``l1_logistic``;
- regression: ``ntk_interpolant`` (ridgeless kernel regression) and, for matrix completion,
  ``nuclear_norm`` (minimum-nuclear-norm symmetric completion);
- context: ``zeros``, ``majority`` (classification) or ``mean`` (regression), ``chance``.

Fits are cached with joblib.Memory under ``.grokbench/cache`` (or ``$GROKBENCH_CACHE``;
``off`` disables it), keyed by a hash of the data, of θ̄ and of the baseline's settings.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import joblib
import numpy as np
import torch

from grokbench.baselines import linear_margins as lm
from grokbench.baselines.fingerprint import data_fingerprint
from grokbench.baselines.kernel import KernelMaxMarginClassifier, MinNormInterpolant
from grokbench.baselines.ntk import closed_form, ntk_blocks, ntk_flops
from grokbench.baselines.nuclear_norm import NuclearNormCompletion
from grokbench.engine.objective import accuracy
from grokbench.engine.runner import prepare
from grokbench.spec import BaselineResult, ConfigError, Prepared, RunConfig, TaskKind

#: Bump when a baseline's definition changes, so old cache entries stop matching.
CACHE_VERSION = 3  # 2: ntk_svm keeps the training kernel and labels (K3); 3: closed-form NTK
DEFAULT_CACHE = ".grokbench/cache"
PROXY_C = 1.0
#: Refuse an empirical NTK whose Jacobian contraction needs more floating-point operations
#: than this (about ten minutes on two CPU cores): modadd at paper scale needs ~2e15.
MAX_NTK_FLOPS = 1e13


@dataclass
class Inputs:
    """An experiment's data as numpy arrays, with the NTK computed on first use."""

    prepared: Prepared
    kind: TaskKind
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    truth: dict[str, np.ndarray]
    _kernels: tuple[np.ndarray, np.ndarray] | None = None
    ntk_s: float = 0.0

    @classmethod
    def from_prepared(cls, prepared: Prepared) -> Inputs:
        data = prepared.data

        def numpy(t: torch.Tensor) -> np.ndarray:
            return t.detach().cpu().numpy()

        truth = {k: numpy(v) for k, v in data.truth.items()}
        return cls(
            prepared,
            data.kind,
            numpy(data.x_train),
            numpy(data.y_train),
            numpy(data.x_test),
            numpy(data.y_test),
            truth,
        )

    def kernels(self) -> tuple[np.ndarray, np.ndarray]:
        """(K(train, train), K(test, train)): the empirical NTK at θ̄, trace over outputs."""
        if self._kernels is None:
            start = time.perf_counter()
            data, model = self.prepared.data, self.prepared.model
            closed = closed_form(model)
            if closed is not None:
                k_train, k_test = (closed(x, data.x_train) for x in (data.x_train, data.x_test))
            else:
                n_train, n_all = len(data.x_train), len(data.x_train) + len(data.x_test)
                flops = ntk_flops(model, data.x_train[:1], n_all, n_train)
                if flops > MAX_NTK_FLOPS:
                    raise ConfigError(
                        f"empirical NTK: ~{flops:.1e} flops at this size (limit "
                        f"{MAX_NTK_FLOPS:.0e}); use a smaller scale or leave the kernel "
                        "baselines out with --only"
                    )
                k_train, k_test = ntk_blocks(model, [data.x_train, data.x_test], data.x_train)
            self._kernels = (k_train.cpu().numpy(), k_test.cpu().numpy())
            self.ntk_s = time.perf_counter() - start
        return self._kernels


def score(kind: TaskKind, outputs: np.ndarray, y: np.ndarray) -> float:
    """Test accuracy (the convention of objective.accuracy: a binary 0 is half right) or MSE."""
    if kind == "regression":
        return float(np.mean((outputs - y) ** 2))
    return float(accuracy(kind, torch.as_tensor(outputs), torch.as_tensor(y)))


def _result(
    name: str, inputs: Inputs, outputs: np.ndarray, fit_s: float, **kw: Any
) -> BaselineResult:
    """A BaselineResult from test outputs: labels for classification, values for regression."""
    kind = inputs.kind
    if kind == "binary":
        predictions = np.sign(outputs)
    elif kind == "multiclass" and outputs.ndim == 2:
        predictions = np.argmax(outputs, axis=1)
    else:
        predictions = outputs
    metric = "mse" if kind == "regression" else "acc"
    value = score(kind, outputs, inputs.y_test)
    return BaselineResult(name, metric, value, fit_s, predictions=predictions, **kw)


def _timed(fit: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fit()
    return out, time.perf_counter() - start


def _ntk_svm(inputs: Inputs) -> BaselineResult:
    k_train, k_test = inputs.kernels()
    svm, fit_s = _timed(lambda: KernelMaxMarginClassifier().fit(k_train, inputs.y_train))
    outputs = svm.decision_function(k_test)
    train_acc = score(inputs.kind, svm.decision_function(k_train), inputs.y_train)
    extra = {
        "margin": float(svm.margin_.min()),
        "min_functional_margin": float(svm.min_functional_margin_.min()),
        "duality_gap": float(svm.duality_gap_.max()),
        "intercept": float(np.abs(svm.intercept_).max()),
        "train_acc": train_acc,
        "ntk_s": inputs.ntk_s,
        "test_outputs": outputs,
        "k_train": k_train,  # K3's quasi-static prediction solves on these
        "y_train": inputs.y_train,
    }
    return _result("ntk_svm", inputs, outputs, fit_s, extra=extra)


def _linear(name: str, inputs: Inputs, model: Any) -> BaselineResult:
    x, y = inputs.x_train, inputs.y_train
    model, fit_s = _timed(lambda: model.fit(x, y))
    w = np.ravel(model.coef_)
    train_out = x @ w
    l1 = float(np.abs(w).sum())
    extra = {
        "l1_margin": float(np.min(y * train_out) / l1) if l1 > 0 else 0.0,
        "l2_margin": float(np.min(y * train_out) / np.linalg.norm(w)) if l1 > 0 else 0.0,
        "train_acc": score("binary", train_out, y),
    }
    for attr in ("rounds_", "n_columns_", "gap_"):
        if hasattr(model, attr):
            extra[attr.rstrip("_")] = getattr(model, attr)
    if name.startswith("l1_") and not name.endswith("margin"):
        extra["C"] = PROXY_C
    nnz = lm.support_size(w)
    return _result(name, inputs, inputs.x_test @ w, fit_s, nnz=nnz, coef=w, extra=extra)


def _ntk_interpolant(inputs: Inputs) -> BaselineResult:
    k_train, k_test = inputs.kernels()
    fit, fit_s = _timed(lambda: MinNormInterpolant().fit(k_train, inputs.y_train))
    extra = {
        "rank": fit.rank_,
        "train_residual": fit.train_residual_,
        "rkhs_norm": fit.norm_,
        "ntk_s": inputs.ntk_s,
    }
    return _result("ntk_interpolant", inputs, fit.predict(k_test), fit_s, extra=extra)


def _nuclear_norm(inputs: Inputs) -> BaselineResult:
    d = inputs.truth["x_star"].shape[0]
    fit, fit_s = _timed(lambda: NuclearNormCompletion().fit(inputs.x_train, inputs.y_train, d))
    x_star = inputs.truth["x_star"]
    extra = {
        "nuclear_norm": fit.nuclear_norm_,
        "iterations": fit.n_iter_,
        "converged": fit.converged_,
        "relative_error": float(np.linalg.norm(fit.matrix_ - x_star) / np.linalg.norm(x_star)),
        "matrix": fit.matrix_,
    }
    return _result("nuclear_norm", inputs, fit.predict(inputs.x_test), fit_s, extra=extra)


def _n_classes(inputs: Inputs) -> int:
    return inputs.prepared.data.n_outputs if inputs.kind == "multiclass" else 2


def _constant(name: str, inputs: Inputs, value: float | None) -> BaselineResult:
    """A constant predictor: ``value`` for binary/regression, class ``value`` for multi-class
    (``None``: all-zero outputs)."""
    m = len(inputs.y_test)
    outputs: np.ndarray
    if inputs.kind == "multiclass":
        outputs = np.zeros((m, _n_classes(inputs)))
        if value is not None:
            outputs[:, int(value)] = 1.0
    else:
        outputs = np.full(m, 0.0 if value is None else value)
    return _result(name, inputs, outputs, 0.0)


def _majority(inputs: Inputs) -> BaselineResult:
    labels, counts = np.unique(inputs.y_train, return_counts=True)
    result = _constant("majority", inputs, float(labels[np.argmax(counts)]))
    result.extra["label"] = float(labels[np.argmax(counts)])
    return result


def _chance(inputs: Inputs) -> BaselineResult:
    """Expected accuracy of a uniform random guess, 1/C; predictions are one seeded draw."""
    classes = _n_classes(inputs)
    draw = np.random.default_rng(0).integers(0, classes, len(inputs.y_test))
    labels = draw * 2.0 - 1.0 if inputs.kind == "binary" else draw
    empirical = float(np.mean(labels == inputs.y_test))
    return BaselineResult("chance", "acc", 1.0 / classes, 0.0, predictions=labels,
                          extra={"empirical": empirical})  # fmt: skip


CLASSIFIERS: dict[str, Callable[[Inputs], BaselineResult]] = {
    "ntk_svm": _ntk_svm,
    "l2_max_margin": lambda i: _linear("l2_max_margin", i, lm.L2MaxMarginClassifier()),
    "l1_max_margin": lambda i: _linear("l1_max_margin", i, lm.L1MaxMarginClassifier()),
    "l1_linear_svc": lambda i: _linear("l1_linear_svc", i, lm.l1_linear_svc(PROXY_C)),
    "l1_logistic": lambda i: _linear("l1_logistic", i, lm.l1_logistic(PROXY_C)),
}
BASELINES: dict[str, Callable[[Inputs], BaselineResult]] = {
    **CLASSIFIERS,
    "ntk_interpolant": _ntk_interpolant,
    "nuclear_norm": _nuclear_norm,
    "zeros": lambda i: _constant("zeros", i, None),
    "majority": _majority,
    "mean": lambda i: _constant("mean", i, float(np.mean(i.y_train))),
    "chance": _chance,
}


def applicable(inputs: Inputs) -> list[str]:
    """The baselines that apply to this task, in report order."""
    if inputs.kind == "binary":
        return [*CLASSIFIERS, "zeros", "majority", "chance"]
    if inputs.kind == "multiclass":
        return ["ntk_svm", "zeros", "majority", "chance"]
    completion = "x_star" in inputs.truth and inputs.x_train.ndim == 2
    completion = completion and inputs.x_train.shape[1] == 2
    return ["ntk_interpolant", *(["nuclear_norm"] if completion else []), "zeros", "mean"]


def cache() -> joblib.Memory:
    """The fit cache: ``$GROKBENCH_CACHE`` or ``.grokbench/cache``; ``off`` disables it."""
    location = os.environ.get("GROKBENCH_CACHE", DEFAULT_CACHE)
    off = location.strip().lower() in ("", "0", "off", "none", "false")
    return joblib.Memory(None if off else location, verbose=0)


def _compute(name: str, key: dict[str, Any], inputs: Inputs) -> BaselineResult:
    """One baseline; ``key`` (data hash, settings) is what the cache sees, ``inputs`` is not."""
    return BASELINES[name](inputs)


def fingerprint(inputs: Inputs) -> str:
    """A hash of the data and of the model at θ̄ (what every baseline is a function of)."""
    prepared = inputs.prepared
    theta_bar = prepared.flat.reference().detach().cpu().numpy()
    arrays = (inputs.x_train, inputs.y_train, inputs.x_test, inputs.y_test, theta_bar)
    return data_fingerprint((inputs.kind, type(prepared.model).__name__), arrays)


def run_baselines(
    config: RunConfig, names: list[str] | None = None, *, use_cache: bool = True
) -> list[BaselineResult]:
    """Fit and score every applicable baseline (or ``names``) on the experiment's data."""
    inputs = Inputs.from_prepared(prepare(config))
    allowed = applicable(inputs)
    chosen = list(allowed if names is None else names)
    for name in chosen:
        if name not in allowed:
            where = "unknown" if name not in BASELINES else f"not applicable to {config.experiment}"
            raise ConfigError(f"baseline {name!r}: {where}; choose from {', '.join(allowed)}")
    compute = cache().cache(_compute, ignore=["inputs"]) if use_cache else _compute
    data_key = fingerprint(inputs) if use_cache else ""
    settings = {"version": CACHE_VERSION, "proxy_C": PROXY_C, "dtype": config.dtype}
    return [compute(name, {"data": data_key, **settings}, inputs) for name in chosen]
