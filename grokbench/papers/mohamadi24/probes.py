"""mohamadi24's probe on ``modadd-quad`` (or depth-2 ``modadd``) runs: the kernel predictors
of the net's own NTK at θ̄ on the run's split (constants, fitted once per run) and the
kernel distance of the first-output NTK on the training set from its value at θ(0)."""

from __future__ import annotations

import math

import numpy as np
import torch

from grokbench.baselines.modadd_ntk import (
    interpolant_predict,
    kernel_distance,
    svm_predict,
    two_layer_ntk,
)
from grokbench.engine.objective import test_outputs as outputs_on_test
from grokbench.spec import READS_TEST_OUTPUTS, Prepared, Probe

#: training points the kernel distance is computed on (the first ones of the random split)
DISTANCE_POINTS = 128
#: above this many training points the one-vs-rest SVM is skipped (NaN): hours at p = 97
SVM_MAX_TRAIN = 3000


def kernel_predictions(prepared: Prepared) -> dict[str, np.ndarray | None]:
    """Held-out labels of the NTK SVM (None above ``SVM_MAX_TRAIN``) and of the ridgeless
    NTK interpolant (trace kernel at θ̄, as the ``ntk_svm`` baseline)."""
    data = prepared.data
    weights = prepared.flat.unflatten(prepared.flat.reference().to(prepared.theta0))
    x_train, x_test = data.x_train, data.x_test.to(data.x_train.dtype)  # test_dtype
    k_train = two_layer_ntk(weights, x_train).cpu().numpy()
    k_test = two_layer_ntk(weights, x_test, x_train).cpu().numpy()
    y_train = data.y_train.cpu().numpy()
    svm = svm_predict(k_train, y_train, k_test) if len(y_train) <= SVM_MAX_TRAIN else None
    return {"svm": svm, "interp": interpolant_predict(k_train, y_train, k_test, data.n_outputs)}


def kernel_constants(
    prepared: Prepared, predictions: dict[str, np.ndarray | None] | None = None
) -> dict[str, float]:
    """train_frac = n/p², chance = 1/p, and the held-out accuracy of the NTK SVM (NaN when
    skipped) and of the ridgeless NTK interpolant."""
    data = prepared.data
    labels = predictions or kernel_predictions(prepared)
    y_test = data.y_test.cpu().numpy()
    n, total = len(data.y_train), len(data.y_train) + len(y_test)

    def accuracy(pred: np.ndarray | None) -> float:
        return math.nan if pred is None else float(np.mean(pred == y_test))

    return {"train_frac": n / total, "chance": 1.0 / data.n_outputs,
            "kernel_svm_acc": accuracy(labels["svm"]),
            "kernel_interp_acc": accuracy(labels["interp"])}  # fmt: skip


def kernel_probe(prepared: Prepared) -> Probe:
    """The constants of ``kernel_constants``; per evaluation ntk_dist = D(K₀(θ(0)), K₀(θ))
    on the first ``DISTANCE_POINTS`` training points (first-output NTK, the paper's
    footnote) and agree_svm / agree_interp, the share of held-out pairs on which the net's
    label is the kernel predictor's (lyu24/K2's agreement)."""
    predictions = kernel_predictions(prepared)
    constants = kernel_constants(prepared, predictions)
    references = {name: None if pred is None else torch.as_tensor(pred)
                  for name, pred in predictions.items()}  # fmt: skip
    x = prepared.data.x_train[:DISTANCE_POINTS]
    flat = prepared.flat
    k_init = two_layer_ntk(flat.unflatten(prepared.theta0), x, outputs="first")

    def probe(theta: torch.Tensor, test_outputs: torch.Tensor | None = None) -> dict[str, float]:
        theta = theta.detach()
        k = two_layer_ntk(flat.unflatten(theta), x, outputs="first")
        if test_outputs is None:
            with torch.no_grad():
                test_outputs = outputs_on_test(
                    flat.function, theta, prepared.data.x_test, flat.mixed_precision_inputs
                )
        labels = test_outputs.argmax(-1).cpu()
        agree = {
            f"agree_{name}": math.nan if ref is None else float((labels == ref).double().mean())
            for name, ref in references.items()
        }
        return {"ntk_dist": kernel_distance(k_init, k), **agree, **constants}

    setattr(probe, READS_TEST_OUTPUTS, True)
    return probe
