"""Multi-class losses beside grokbench's accurate cross-entropy (the ``loss`` setting).

``ce-accurate`` (the default) is ``objective.cross_entropy_small``: log1p of the summed
exponentiated logit gaps, which stays exact when the loss is tiny. It never rounds to 0, so
it cannot show Softmax Collapse (prieto25): Σ_j exp(z_j − max z) rounding to exactly 1.

``ce-torch`` is torch's own ``F.cross_entropy`` (a fused, max-shifted log-softmax), as the
paper's code computes it: once every gap exp(z_j − z_y) is below the unit roundoff, the
loss of that example is exactly 0 and ∂ℓ/∂z_y is exactly 0 (Softmax Collapse).

``stablemax`` is StableMax cross-entropy (prieto25, §5): exp is replaced by
s(x) = x + 1 for x ≥ 0 and 1/(1 − x) for x < 0, so the loss falls only polynomially in the
margin and reaches absorption at margins near 1/u instead of ln(1/u).

Each is computed on the logits cast to ``dtype`` (the ``loss_dtype`` setting; the run's
dtype by default), so a float32 model can have its loss in float64, as the paper's
``--softmax_precision`` does. The gradient flows back into the model's dtype.

``mse`` is the mean squared error against one-hot targets, mean_j (z_j − δ_{j,y})² per
example (gromov23: Gromov trains with MSE on one-hot labels).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

#: The default of the ``loss`` setting (``engine.config.LOSSES`` lists every value).
DEFAULT_LOSS = "ce-accurate"
#: The values of the ``loss_dtype`` setting (``engine.config.LOSS_DTYPES``) as torch dtypes.
LOSS_DTYPES: dict[str, torch.dtype] = {
    "float64": torch.float64,
    "float32": torch.float32,
    "float16": torch.float16,
}


def stablemax_s(x: torch.Tensor) -> torch.Tensor:
    """s(x) = x + 1 for x ≥ 0 and 1/(1 − x) for x < 0 (continuous, with s' = 1 at 0).

    The authors add 1e-30 to 1 − x, which changes nothing there (1 − x ≥ 1); each branch
    sees only its own half-line so that the branch not taken has a finite gradient."""
    negative = 1.0 / (1.0 - x.clamp(max=0.0))
    return torch.where(x < 0, negative, x.clamp(min=0.0) + 1.0)


def log_stablemax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log(s(z_j) / Σ_k s(z_k)), the authors' ``log_stablemax``."""
    s = stablemax_s(logits)
    return torch.log(s / s.sum(dim=dim, keepdim=True))


def ce_torch(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-example cross-entropy by torch's fused kernel (rounds to 0 under collapse)."""
    return F.cross_entropy(logits, labels, reduction="none")


def stablemax_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-example −log(s(z_y) / Σ_k s(z_k))."""
    return -log_stablemax(logits).gather(-1, labels.unsqueeze(-1)).squeeze(-1)


def mse_onehot(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-example mean_j (z_j − δ_{j,y})²: MSE on one-hot targets (gromov23; torch's
    ``MSELoss`` over the batch)."""
    target = F.one_hot(labels.long(), logits.shape[-1]).to(logits.dtype)
    return (logits - target).square().mean(-1)


MULTICLASS = {"ce-torch": ce_torch, "stablemax": stablemax_cross_entropy, "mse": mse_onehot}


def collapse_sum(loss: str, logits: torch.Tensor) -> torch.Tensor:
    """The loss's normaliser relative to its largest term, per example: Σ_j exp(z_j − max z)
    for the cross-entropies (the authors' ``compute_softmax_collapse``) and
    Σ_j s(z_j)/s(max z) for StableMax. Exactly 1 means the example has collapsed."""
    top = logits.amax(-1, keepdim=True)
    if loss == "stablemax":
        s = stablemax_s(logits)
        return (s / stablemax_s(top)).sum(-1)
    return torch.exp(logits - top).sum(-1)
