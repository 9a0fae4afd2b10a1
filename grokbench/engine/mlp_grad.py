"""Hand-written gradient of a depth-2 ``HomogeneousMLP`` with cross-entropy, over runs.

Why hand-written (measured on modadd ci: p = 31, width 256, 769 training pairs, 9 runs,
~12,000–16,600 GD steps): through ``torch.func.vmap`` of ``functional_call`` and
autograd a batched step took ~17 ms on 2 cores: graph and vmap overhead, a dense
product X·W₁ᵀ with one-hot X (62 columns, 60 of them zero per row) forward and back, the
cross-entropy's where/scatter graph, and B·n×width temporaries (14 MB each) that stream
through memory and are page-faulted afresh every step. Here the chain rule is written
out member by member (a member's n×width hidden layer stays in cache) with three small
matrix products each; one-hot rows (modadd's one-hot(a) ⊕ one-hot(b)) make x·W₁ᵀ + b₁ a
sum of table rows (``embedding_bag``) and its transpose two ``index_add_``; other inputs
use the dense products. The same numbers up to rounding: tests/test_mlp_grad.py checks
it against autograd to 1e-12 relative.

Conventions follow autograd's so results match a one-by-one run: ReLU'(0) = 0 (autograd's
own ``threshold_backward``), the loss is ``objective.cross_entropy_small``, whose gradient
is softmax − one-hot with the true class's entry formed as −Σ_{j≠y} s_j (accurate when
the loss is tiny, as autograd's is), averaged over each member's examples.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from grokbench.engine.models import HomogeneousMLP
from grokbench.engine.parameters import FlatModel


def hot_columns(x: torch.Tensor) -> torch.Tensor | None:
    """For x whose rows are each a sum of k distinct unit vectors (one k for all rows),
    the k column indices of each row (n×k); None for any other x."""
    ones = x == 1
    if x.ndim != 2 or len(x) == 0 or not bool((ones | (x == 0)).all()):
        return None
    counts = ones.sum(-1)
    if int(counts[0]) == 0 or not bool((counts == counts[0]).all()):
        return None
    return ones.nonzero()[:, 1].reshape(len(x), int(counts[0]))


class StackedMLP2:
    """∇ of the mean cross-entropy of f = W₂ ReLU(W₁x + b₁) for B flat θ at once.

    ``inputs[g]``, ``labels[g]``: group g's training data; ``groups[b]``: member b's
    group. Flat θ order is the module's: W₁ (width×in), b₁ (width, optional), W₂
    (out×width). Members go one at a time: a member's hidden layer (n×width) stays in
    the core's cache, where all members at once (B·n×width) streamed through memory and
    page-faulted its fresh buffers every step (measured 2× slower at modadd ci).
    """

    def __init__(
        self,
        flat: FlatModel,
        inputs: Sequence[torch.Tensor],
        labels: Sequence[torch.Tensor],
        groups: Sequence[int],
    ) -> None:
        self.width, self.in_dim = flat.shapes[0]
        self.bias = len(flat.shapes) == 3
        self.sizes = flat.sizes
        self.groups = list(groups)
        self.labels = [y.unsqueeze(-1) for y in labels]
        self.inputs = list(inputs)
        # One-hot rows (plus a bias row of the table): x·W₁ᵀ + b₁ is a sum of table rows.
        self.bags: list[torch.Tensor] | None = []
        self.columns: list[list[torch.Tensor]] = []
        for x in inputs:
            columns = hot_columns(x)
            if columns is None:
                self.bags = None
                break
            self.columns.append(list(columns.t().contiguous()))  # x's k columns, each n
            if self.bias:
                columns = torch.cat([columns, torch.full_like(columns[:, :1], self.in_dim)], 1)
            self.bags.append(columns)

    def grad(self, theta: torch.Tensor, active: Sequence[int] | None = None) -> torch.Tensor:
        """∇ of each member's mean training loss (no weight decay), B×P; with ``active``,
        only those rows (the others are 0: members that have stopped)."""
        if active is None:
            rows = zip(theta, self.groups, strict=True)
            return torch.stack([self._member(row, group) for row, group in rows])
        grad = torch.zeros_like(theta)
        for b in active:
            grad[b] = self._member(theta[b], self.groups[b])
        return grad

    def _member(self, theta: torch.Tensor, group: int) -> torch.Tensor:
        chunks = torch.split(theta, self.sizes)
        w1 = chunks[0].view(self.width, self.in_dim)
        w2 = chunks[-1].view(-1, self.width)
        y = self.labels[group].to(theta.device)
        if self.bags is not None:
            bags = self.bags[group].to(theta.device)
            table = torch.cat([w1.t(), chunks[1].unsqueeze(0)]) if self.bias else w1.t()
            hidden = F.embedding_bag(bags, table.contiguous(), mode="sum")
        else:
            x = self.inputs[group].to(theta.device)
            hidden = torch.addmm(chunks[1], x, w1.t()) if self.bias else x @ w1.t()
        active = hidden.relu_()  # (n, width)
        probs = torch.softmax(active @ w2.t(), dim=-1).scatter_(-1, y, 0.0)
        grad_out = probs.scatter_(-1, y, -probs.sum(-1, keepdim=True)).div_(len(y))
        # ReLU'(h) = 1 where ReLU(h) > 0, else 0 (also at h = 0): autograd's own backward.
        grad_hidden = torch.ops.aten.threshold_backward(grad_out @ w2, active, 0)
        if self.bags is not None:
            grad_w1 = theta.new_zeros(self.in_dim, self.width)  # row-major: rows are added
            for column in self.columns[group]:
                grad_w1.index_add_(0, column.to(theta.device), grad_hidden)
            grad_w1 = grad_w1.t()
        else:
            grad_w1 = grad_hidden.t() @ x
        parts = [grad_w1.reshape(-1)]
        if self.bias:
            parts.append(grad_hidden.sum(0))
        parts.append((grad_out.t() @ active).reshape(-1))
        return torch.cat(parts)


def stacked_mlp2(
    flat: FlatModel,
    inputs: Sequence[torch.Tensor],
    labels: Sequence[torch.Tensor],
    groups: Sequence[int],
    kind: str,
) -> StackedMLP2 | None:
    """The hand-written form for a depth-2 ``HomogeneousMLP`` on a multi-class task with
    the module's own parameter layout; None for anything else (autograd handles it)."""
    module = flat.module
    if kind != "multiclass" or type(module) is not HomogeneousMLP or module.degree != 2:
        return None
    names = ["layers.0.weight", "layers.0.bias", "layers.1.weight"]
    if flat.names not in (names, [names[0], names[2]]):
        return None
    return StackedMLP2(flat, inputs, labels, groups)
