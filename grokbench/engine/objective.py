"""The training objective L_λ(θ) = (1/n) Σ ℓ(f(θ; x_i), y_i) + (λ/2)‖θ‖² and the metrics.

Losses are written to stay accurate when they are tiny (late-phase losses reach 1e-30 in
float64): the logistic loss through softplus, the cross-entropy through log1p of the
summed exponentiated logit gaps once every example is classified correctly.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch.func import vmap

from grokbench.engine.losses import DEFAULT_LOSS, MULTICLASS
from grokbench.engine.lowered import flushing_denormals
from grokbench.spec import TaskData, TaskKind

ModelFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def cross_entropy_small(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-example cross-entropy, accurate down to the smallest float instead of 1e-16.

    ``F.cross_entropy`` computes logsumexp(z) − z_y, which rounds to 0 once the loss drops
    below machine epsilon; log1p(Σ_{j≠y} exp(z_j − z_y)) does not, when every gap is < 0.
    """
    gaps = logits - logits.gather(-1, labels.unsqueeze(-1))
    others = gaps.scatter(-1, labels.unsqueeze(-1), float("-inf"))
    confident = others.amax(-1) < 0
    small = torch.log1p(torch.exp(others.clamp(max=0)).sum(-1))
    large = torch.logsumexp(gaps, dim=-1)
    return torch.where(confident, small, large)


def test_outputs(
    function: ModelFunction, theta: torch.Tensor, x_test: torch.Tensor, mixed: bool = False
) -> torch.Tensor:
    """f(θ; x_test) in the test inputs' precision when they were lowered for the run
    (``RunConfig.test_dtype``), handed back in θ's for the losses and accuracies. ``mixed``:
    ``function`` takes θ in its own precision and lowers what it multiplies with x itself
    (``FlatModel.mixed_precision_inputs``); otherwise θ is lowered first.

    Lowered, denormal numbers are flushed to zero: late-phase weights below float32's
    smallest normal (1.2e-38) took the CPU's slow path, 30× slower for 256 misgrok states
    at ci (14.6 against 0.45 s) and a paper-scale misgrok run 905 s against 250 in float64;
    values that small change no output a float64 score can see."""
    if not x_test.is_floating_point() or x_test.dtype == theta.dtype:
        return function(theta, x_test)
    with flushing_denormals():
        return function(theta if mixed else theta.to(x_test.dtype), x_test).to(theta.dtype)


def per_example_loss(
    kind: TaskKind,
    out: torch.Tensor,
    y: torch.Tensor,
    loss: str = DEFAULT_LOSS,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """ℓ(f_i, y_i) per example; ``loss`` picks the multi-class loss
    (``grokbench.engine.losses``), ``dtype`` the precision it is computed in."""
    if dtype is not None and dtype != out.dtype:
        out = out.to(dtype)
        y = y.to(dtype) if y.is_floating_point() else y
    if kind == "binary":
        return F.softplus(-y * out)
    if kind == "multiclass":
        return cross_entropy_small(out, y) if loss == DEFAULT_LOSS else MULTICLASS[loss](out, y)
    return (out - y) ** 2


def data_loss(
    kind: TaskKind,
    out: torch.Tensor,
    y: torch.Tensor,
    loss: str = DEFAULT_LOSS,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """The mean loss over examples."""
    return per_example_loss(kind, out, y, loss, dtype).mean()


def accuracy(kind: TaskKind, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Fraction correct; a binary output of exactly 0 counts as half right (as at θ̄).
    Averages over the last (example) axis, so rows of outputs give one value per row."""
    if kind == "binary":
        signed = y * out
        return ((signed > 0).double() + 0.5 * (signed == 0).double()).mean(-1)
    return (out.argmax(-1) == y).double().mean(-1)


def margins(kind: TaskKind, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example margins: y·f for binary, z_y − max_{j≠y} z_j for multi-class."""
    if kind == "binary":
        return y * out
    correct = out.gather(-1, y.unsqueeze(-1)).squeeze(-1)
    others = out.scatter(-1, y.unsqueeze(-1), float("-inf")).amax(-1)
    return correct - others


class Objective:
    """L_λ for one task and model function, with a counter of gradient evaluations."""

    def __init__(
        self,
        function: ModelFunction,
        data: TaskData,
        wd: float,
        loss: str = DEFAULT_LOSS,
        loss_dtype: torch.dtype | None = None,
        mixed: bool = False,
    ) -> None:
        self.function = function
        self.mixed = mixed  # function lowers its own product with lowered test inputs
        self.data = data
        self.wd = wd
        self.loss = loss  # the multi-class loss and its precision (grokbench.engine.losses)
        self.loss_dtype = loss_dtype
        self.grad_evals = 0
        #: the test-set outputs of the last ``evaluate``, for probes that read them
        #: (``grokbench.engine.probes.reads_test_outputs``) instead of a second forward
        self.test_outputs: torch.Tensor | None = None
        #: minibatching (grokbench.engine.minibatch): the next batch's training indices;
        #: None trains on the full batch. Only the step loss reads it, never the metrics.
        self.batches: Callable[[], torch.Tensor] | None = None

    def per_example(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """This objective's loss ℓ(f_i, y_i) per example."""
        return per_example_loss(self.data.kind, out, y, self.loss, self.loss_dtype)

    def train_loss(self, theta: torch.Tensor) -> torch.Tensor:
        return self.per_example(self.function(theta, self.data.x_train), self.data.y_train).mean()

    def step_loss(self, theta: torch.Tensor) -> torch.Tensor:
        """The data loss a training step descends: on the next minibatch, or all of it."""
        if self.batches is None:
            return self.train_loss(theta)
        index = self.batches()
        x, y = self.data.x_train[index], self.data.y_train[index]
        return self.per_example(self.function(theta, x), y).mean()

    def value(self, theta: torch.Tensor, include_wd: bool = True) -> torch.Tensor:
        loss = self.step_loss(theta)
        if include_wd and self.wd:
            loss = loss + 0.5 * self.wd * theta.pow(2).sum()
        return loss

    def grad(self, theta: torch.Tensor) -> torch.Tensor:
        """∇L_λ(θ) for a flat θ (counted as one gradient evaluation)."""
        self.grad_evals += 1
        with torch.enable_grad():
            leaf = theta.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.step_loss(leaf), leaf)
        if self.wd:
            grad = grad.add(theta, alpha=self.wd)
        return grad

    @torch.no_grad()
    def evaluate(self, theta: torch.Tensor, test: bool = True) -> dict[str, float]:
        """Train/test loss and metric, the minimum training margin and ‖θ‖ (``test=False``:
        the test split left out, for ``evaluate_states`` to fill in later)."""
        data = self.data
        result: dict[str, float] = {"param_norm": float(theta.norm())}
        result.update(self._scores("train", self.function(theta, data.x_train), data.y_train))
        if test:
            self.test_outputs = test_outputs(self.function, theta, data.x_test, self.mixed)
            result.update(self._scores("test", self.test_outputs, data.y_test))
        return result

    @torch.no_grad()
    def evaluate_states(
        self, thetas: torch.Tensor, train: bool = False
    ) -> tuple[list[dict[str, float]], torch.Tensor]:
        """The test split's numbers of ``evaluate`` for each row of ``thetas`` (B×P), and
        the train split's with ``train``, with the test outputs: one pass over each split's
        inputs for all B states, where B passes of a memory-bound matrix-vector product
        would read a 10⁴×10⁵ test set B times."""
        data = self.data
        batched = vmap(self.function, in_dims=(0, None))
        outputs = test_outputs(batched, thetas, data.x_test, self.mixed)
        scores = [self._scores("test", out, data.y_test) for out in outputs]
        if train:
            for numbers, out in zip(scores, batched(thetas, data.x_train), strict=True):
                numbers.update(self._scores("train", out, data.y_train))
        return scores, outputs

    def _scores(self, split: str, out: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        losses = self.per_example(out, y)
        result = {f"{split}_loss": float(losses.mean())}
        if self.data.kind == "regression":
            result[f"{split}_mse"] = result[f"{split}_loss"]
        else:
            result[f"{split}_acc"] = float(accuracy(self.data.kind, out, y))
            if split == "train":
                result["train_margin"] = float(margins(self.data.kind, out, y).min())
        return result
