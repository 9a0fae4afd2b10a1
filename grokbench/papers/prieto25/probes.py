"""prieto25's probes: Softmax Collapse, the collapsed gradient, the NLM direction, margins.

One probe, ``collapse_probe``, records at every evaluation time, on the training set:

- ``sc_frac``: the share of examples whose loss normaliser, relative to its largest term,
  is exactly 1 in the loss's dtype (Σ_j exp(z_j − max z) for the cross-entropies, the
  authors' ``compute_softmax_collapse``; Σ_j s(z_j)/s(max z) for StableMax);
- ``zero_loss_frac``: the share of per-example losses that are exactly 0 (``zero_terms``);
- ``zero_gy_frac``: the share with ∂ℓ_i/∂z_{i,y} exactly 0 (what collapse does to the
  gradient in torch's fused kernel; the wrong-class entries stay nonzero until exp
  underflows), and ``zero_grad_frac``: the share whose whole logit-gradient row is 0;
- ``cos_nlm`` = cos(−∇L(θ), θ) on the whole flat θ: 1 when the loss gradient only scales
  the parameters up (naïve loss minimisation, the direction that inflates the logits);
- ``median_margin`` and ``min_margin``: z_y − max_{j≠y} z_j of the training examples.

The loss and its dtype are the run's (``loss``, ``loss_dtype``); the gradient is computed
here (one forward and one backward pass per evaluation).
"""

from __future__ import annotations

import torch

from grokbench.engine.losses import LOSS_DTYPES, collapse_sum
from grokbench.engine.objective import margins, per_example_loss
from grokbench.spec import Prepared, Probe


def collapse_probe(prepared: Prepared) -> Probe:
    """The probe of the module docstring for one run (multi-class tasks)."""
    config, data = prepared.config, prepared.data
    dtype = LOSS_DTYPES[config.loss_dtype] if config.loss_dtype else prepared.theta0.dtype
    x, y = data.x_train, data.y_train
    column = y.unsqueeze(-1)

    def probe(theta: torch.Tensor) -> dict[str, float]:
        with torch.enable_grad():
            leaf = theta.detach().requires_grad_(True)
            logits = prepared.flat.function(leaf, x)
            z = logits.to(dtype)
            losses = per_example_loss("multiclass", z, y, config.loss)
            grad_z, grad_theta = torch.autograd.grad(losses.sum(), [z, leaf])
        z = z.detach()
        g, th = grad_theta.double(), theta.double()
        denominator = float(g.norm() * th.norm())
        gaps = margins("multiclass", logits.detach(), y).double()
        return {
            "sc_frac": float((collapse_sum(config.loss, z) == 1).double().mean()),
            "zero_loss_frac": float((losses.detach() == 0).double().mean()),
            "zero_gy_frac": float((grad_z.gather(-1, column) == 0).double().mean()),
            "zero_grad_frac": float((grad_z == 0).all(-1).double().mean()),
            "cos_nlm": -float(g @ th) / denominator if denominator > 0 else 0.0,
            "median_margin": float(gaps.median()),
            "min_margin": float(gaps.min()),
        }

    return probe
