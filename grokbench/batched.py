"""L_λ for a batch of runs of one experiment: stacked θ, per-member λ, per-seed data.

Members that share a seed share their dataset, and the data is the costly operand (the
sparse-cls inputs are n×d against a d-vector of weights), so members are grouped by
dataset: the model maps over the groups (each with its own data) and, inside a group, over
its members with the data shared, which turns G·M matrix-vector products into G
matrix-matrix products. The map is a nested ``torch.func.vmap`` of the model's function,
or, for models with a stacked form here (the diagonal net), plain batched tensor
operations, which skip vmap's per-call overhead. Groups of unequal size are padded with a
constant row whose loss is left out. Gradients come from one ``autograd.grad`` of the
summed per-member losses (the sum's backward passes exactly 1 to each member, so a
member's gradient is its own loss's); metrics use ``grokbench.objective``'s definitions
row by row, so every number means what a one-by-one run's does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch.func import vmap

from grokbench.flat import FlatModel
from grokbench.models import DiagonalNet
from grokbench.objective import accuracy, margins, per_example_loss
from grokbench.spec import TaskData

#: forward(θ with leading batch dims (…, P), x with the matching group dims) → outputs.
Stacked = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def stacked_forward(flat: FlatModel) -> Stacked | None:
    """A vmap-free batched forward for models that have one (else None)."""
    module = flat.module
    if isinstance(module, DiagonalNet):
        degree = module.degree

        def diagonal(theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
            u, v = theta.unflatten(-1, (2, -1)).unbind(-2)  # flat order: u then v
            weights = (u**degree - v**degree).transpose(-1, -2)
            return torch.matmul(x, weights).transpose(-1, -2)  # x @ wᵀ: MKL's faster layout

        return diagonal if flat.names == ["u", "v"] else None
    return None


class BatchedObjective:
    """Gradients and metrics of B runs at once; row b of every state is member b's θ.

    ``datasets[g]`` is group g's data and ``groups[b]`` member b's group; ``wd[b]`` its λ.
    """

    def __init__(
        self,
        flat: FlatModel,
        datasets: Sequence[TaskData],
        groups: Sequence[int],
        wd: Sequence[float],
    ) -> None:
        self.kind = datasets[0].kind
        self.datasets = list(datasets)
        self.groups = list(groups)
        self.size = len(self.groups)
        members = [[b for b, g in enumerate(self.groups) if g == k] for k in range(len(datasets))]
        width = max(len(m) for m in members)
        # slots[g, j]: the state row of group g's j-th member, or the padding row (index B).
        slots = [m + [self.size] * (width - len(m)) for m in members]
        self._slots = torch.tensor(slots).reshape(-1)
        self._direct = self._slots.tolist() == list(range(self.size))
        self._real = self._slots < self.size
        self._shape = (len(datasets), width)
        self._x = torch.stack([data.x_train for data in datasets])
        self._y = torch.stack([data.y_train for data in datasets]).unsqueeze(1)
        if len(datasets) == 1:
            self._x, self._y = self._x[0], self._y[0]
        stacked = stacked_forward(flat)
        inner = vmap(flat.function, in_dims=(0, None))
        self._rows = stacked or inner
        self._forward = stacked or (inner if len(datasets) == 1 else vmap(inner, in_dims=(0, 0)))
        # λθ is added per distinct λ with the same fused op a one-by-one run uses.
        self._decay = [
            (value, torch.tensor([b for b, w in enumerate(wd) if w == value]))
            for value in sorted(set(wd))
            if value
        ]

    def grad(self, theta: torch.Tensor) -> torch.Tensor:
        """∇L_λ for every row of ``theta`` (B×P), with the members' own data and λ."""
        groups, width = self._shape
        with torch.enable_grad():
            leaf = theta.detach().requires_grad_(True)
            rows = leaf
            if not self._direct:
                rows = torch.cat([leaf, theta[:1].detach()])[self._slots.to(theta.device)]
            stacked = rows.reshape(width, -1) if groups == 1 else rows.reshape(groups, width, -1)
            out = self._forward(stacked, self._x)
            labels = self._y.expand(out.shape[:-1] if self.kind == "multiclass" else out.shape)
            losses = per_example_loss(self.kind, out, labels).mean(-1).reshape(-1)
            if not self._direct:
                losses = losses[self._real.to(theta.device)]
            (grad,) = torch.autograd.grad(losses.sum(), leaf)
        for value, index in self._decay:
            if len(index) == self.size:
                grad = grad.add(theta, alpha=value)
            else:
                index = index.to(theta.device)
                grad[index] = grad[index].add(theta[index], alpha=value)
        return grad

    @property
    def metric_names(self) -> list[str]:
        if self.kind == "regression":
            return ["param_norm", "train_loss", "test_loss"]
        return ["param_norm", "train_loss", "train_acc", "train_margin", "test_loss", "test_acc"]

    def _scores(self, out: torch.Tensor, y: torch.Tensor, train: bool) -> list[torch.Tensor]:
        """Per row of outputs: the loss and, for classification, the accuracy (and the
        train margin), with ``grokbench.objective``'s definitions."""
        y = y.expand(out.shape[:-1] if self.kind == "multiclass" else out.shape)
        values = [per_example_loss(self.kind, out, y).mean(-1)]
        if self.kind != "regression":
            values.append(accuracy(self.kind, out, y))
            if train:
                values.append(margins(self.kind, out, y).amin(-1))
        return values

    @torch.no_grad()
    def evaluate(self, members: Sequence[int], states: torch.Tensor) -> list[dict[str, float]]:
        """``grokbench.objective.Objective.evaluate`` for each (member, state) pair: one
        batched forward per dataset and split, one transfer for all."""
        columns = len(self.metric_names)
        values = torch.empty(len(members), columns, dtype=torch.float64)
        by_group: dict[int, list[int]] = {}
        for i, member in enumerate(members):
            by_group.setdefault(self.groups[member], []).append(i)
        for group, rows in by_group.items():
            data = self.datasets[group]
            chunk = states[torch.tensor(rows, device=states.device)]
            scores = [
                chunk.norm(dim=-1),
                *self._scores(self._rows(chunk, data.x_train), data.y_train, True),
                *self._scores(self._rows(chunk, data.x_test), data.y_test, False),
            ]
            values[rows] = torch.stack([v.double() for v in scores], dim=-1).cpu()
        names = self.metric_names
        out = [dict(zip(names, row, strict=True)) for row in values.tolist()]
        if self.kind == "regression":
            for metrics in out:
                metrics["train_mse"], metrics["test_mse"] = (
                    metrics["train_loss"],
                    metrics["test_loss"],
                )
        return out
