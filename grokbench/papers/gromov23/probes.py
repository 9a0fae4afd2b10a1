"""gromov23's probe on ``modadd-quad`` runs: the Fourier IPR of the neurons' weights, the
phase residual φ_a + φ_b − φ_out, and the analytic solution's accuracy (a baseline computed
from the paper's formula at the run's p and width, once per run)."""

from __future__ import annotations

import torch

from grokbench.engine.periodic import analytic_accuracy, mean_ipr, phase_error
from grokbench.spec import Prepared, Probe


def periodic_probe(prepared: Prepared) -> Probe:
    """ipr (mean over neurons and slots), phase_err (weighted mean |residual|, rad), and the
    constants analytic_acc / analytic_acc_uncoupled (formula, output phase independent)."""
    task, seed = prepared.config.task, prepared.config.seed
    p, width = int(task["p"]), int(task["width"])
    constants = {
        "analytic_acc": analytic_accuracy(p, width, seed),
        "analytic_acc_uncoupled": analytic_accuracy(p, width, seed, coupled=False),
    }

    def probe(theta: torch.Tensor) -> dict[str, float]:
        weights = prepared.flat.unflatten(theta)
        if "W1" not in weights or "W2" not in weights:
            return dict(constants)
        w1, w2 = weights["W1"].detach(), weights["W2"].detach()
        return {"ipr": mean_ipr(w1, w2), "phase_err": phase_error(w1, w2), **constants}

    return probe
