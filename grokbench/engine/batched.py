"""L_λ for a batch of runs of one experiment: stacked θ, per-member λ, per-seed data.

Members that share a seed share their dataset, and the data is the costly operand (the
sparse-cls inputs are n×d against a d-vector of weights), so members are grouped by
dataset: the model maps over the groups (each with its own data) and, inside a group, over
its members with the data shared, which turns G·M matrix-vector products into G
matrix-matrix products. The map is a nested ``torch.func.vmap`` of the model's function,
or, for models with a stacked form here (the diagonal net), plain batched tensor
operations with the chain rule written out, which skip vmap's and autograd's per-call
overhead (the model's part only: the loss's gradient comes from autograd on
``grokbench.engine.objective``'s loss), or, for depth-2 MLPs with cross-entropy (modadd), the
whole gradient written out in ``grokbench.engine.mlp_grad``. Groups of unequal size are padded
with a constant row whose loss is left out. Other gradients come from ``autograd.grad`` of
the summed per-member losses (the sum's backward passes exactly 1 to each member, so a
member's gradient is its own loss's); metrics use ``grokbench.engine.objective``'s definitions
row by row, so every number means what a one-by-one run's does.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.func import vmap

from grokbench.engine import fixed_point
from grokbench.engine.lowered import flushing_denormals, lowered_training_inputs, scaled_product
from grokbench.engine.mlp_grad import stacked_mlp2
from grokbench.engine.models import DiagonalNet
from grokbench.engine.objective import accuracy, margins, per_example_loss
from grokbench.engine.objective import test_outputs as outputs_on_test
from grokbench.engine.parameters import FlatModel
from grokbench.spec import ConfigError, TaskData

#: Use ``grokbench.engine.mlp_grad``'s hand-written gradient for depth-2 MLPs (False: autograd
#: through vmap, as for any model; kept selectable for timing and checking).
HAND_WRITTEN_MLP = True
#: What ``BatchedObjective.evaluate`` computes by default.
SPLITS = ("train", "test")
#: Up to this many stacked states the diagonal net's x @ wᵀ takes w as a contiguous d×k
#: matrix, above it as the transposed view. One thread, x of 256 × 10⁵ (a gradient's
#: pass): k = 2 and 4 take 19 ms contiguous against 25 ms as the view (k = 1 alike, 13 ms);
#: x of 2000 × 10⁵ (a test set): k = 64 takes 396 against 515 ms, k = 256 1418 against
#: 1285 ms (benchmarks/NOTES.md, round 5).
FEW_ROWS = 64


class StackedDiagonal:
    """The diagonal net f = x·(u^L − v^L) for θ with leading batch dimensions, without
    vmap: ``forward`` and the chain rule through it (``backward``), the latter exactly as
    autograd's backward of the same forward computes it (bit for bit), minus the graph.
    ``forward_lowered`` and ``backward_lowered`` take the training inputs in a lower
    precision (``RunConfig.train_dtype``), the forward transposed."""

    def __init__(self, degree: int) -> None:
        self.degree = degree

    def weights(self, theta: torch.Tensor) -> torch.Tensor:
        u, v = theta.unflatten(-1, (2, -1)).unbind(-2)  # flat order: u then v
        return DiagonalNet.weights_of(u, v, self.degree)

    def forward(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        if x.dtype == torch.int8:  # ±1 test inputs (``test_dtype``): w in fixed point
            return _per_dataset(self.weights(theta), x)
        weights = self.weights(theta).to(x.dtype).transpose(-1, -2)
        if weights.shape[-1] <= FEW_ROWS:
            weights = weights.contiguous()
        return torch.matmul(x, weights).transpose(-1, -2)

    def backward(
        self, theta: torch.Tensor, x: torch.Tensor, grad_out: torch.Tensor
    ) -> torch.Tensor:
        return self._chain(theta, torch.matmul(grad_out, x))

    def forward_lowered(
        self, theta: torch.Tensor, x: torch.Tensor, x_t: torch.Tensor
    ) -> torch.Tensor:
        """f for the training inputs lowered for the products (``RunConfig.train_dtype``), as
        they are (…, n, d) and transposed (…, d, n): ±1 in int8 in fixed point
        (``grokbench.engine.fixed_point``), or floats times w formed in θ's precision and
        lowered; the outputs in θ's precision."""
        if x.dtype == torch.int8:
            return _per_dataset(self.weights(theta), x)
        with flushing_denormals():
            return torch.matmul(self.weights(theta).to(x_t.dtype), x_t).to(theta.dtype)

    def backward_lowered(
        self, theta: torch.Tensor, x: torch.Tensor, x_t: torch.Tensor, grad_out: torch.Tensor
    ) -> torch.Tensor:
        """The chain rule for the lowered training inputs of ``forward_lowered``."""
        if x.dtype == torch.int8:
            return self._chain(theta, _per_dataset(grad_out, x_t))
        return self._chain(theta, scaled_product(grad_out, x))

    def _chain(self, theta: torch.Tensor, grad_w: torch.Tensor) -> torch.Tensor:
        """(g ⊙ L u^{L−1}, −g ⊙ L v^{L−1}) for g = ∂loss/∂w, each factor formed as autograd
        forms it (negating after the product is exact), written into one output: 3.0 → 1.8
        ms for 4 states of d = 10⁵ where separate products and a stack made more passes."""
        halves = theta.unflatten(-1, (2, -1))  # u and v
        out = torch.empty_like(halves)
        torch.mul(grad_w.unsqueeze(-2), halves.pow(self.degree - 1).mul_(self.degree), out=out)
        out[..., 1, :].neg_()
        return out.flatten(-2)


def _per_dataset(rows: torch.Tensor, signs: torch.Tensor) -> torch.Tensor:
    """rows @ signsᵀ in fixed point (``fixed_point.product``) for rows (…, B, k) and int8
    ±1 ``signs`` (…, m, k) with the same leading (dataset) dimensions."""
    if signs.dim() > 2:
        return torch.stack([_per_dataset(r, s) for r, s in zip(rows, signs, strict=True)])
    return fixed_point.product(rows.reshape(-1, rows.shape[-1]), signs).reshape(
        *rows.shape[:-1], -1
    )


def stacked_model(flat: FlatModel) -> StackedDiagonal | None:
    """A vmap-free batched form of the model, for models that have one (else None)."""
    module = flat.module
    if isinstance(module, DiagonalNet) and flat.names == ["u", "v"]:
        return StackedDiagonal(module.degree)
    return None


def _decay_rows(wd: Sequence[float]) -> list[tuple[float, torch.Tensor | None]]:
    """Each distinct nonzero λ of ``wd`` with the rows that have it (None: every row)."""
    out: list[tuple[float, torch.Tensor | None]] = []
    for value in sorted(set(wd)):
        if value:
            rows = [i for i, w in enumerate(wd) if w == value]
            out.append((value, None if len(rows) == len(wd) else torch.tensor(rows)))
    return out


class BatchedObjective:
    """Gradients and metrics of B runs at once; row b of every state is member b's θ.

    ``datasets[g]`` is group g's data and ``groups[b]`` member b's group; ``wd[b]`` its λ;
    ``train_dtype`` the precision of the diagonal net's training products (None: the data's).
    """

    def __init__(
        self,
        flat: FlatModel,
        datasets: Sequence[TaskData],
        groups: Sequence[int],
        wd: Sequence[float],
        train_dtype: torch.dtype | None = None,
    ) -> None:
        self.kind = datasets[0].kind
        self.datasets = list(datasets)
        self.groups = list(groups)
        self.size = len(self.groups)
        #: the last ``evaluate``'s test-set outputs, one per (member, state) pair, in its
        #: order: what probes reading outputs get instead of a second forward
        self.test_outputs: list[torch.Tensor | None] = []
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
        self._stacked = stacked_model(flat)
        #: the training inputs in a lower precision for the gradient's products, as they are
        #: and transposed: for 4 stacked w of d = 10⁵ at n = 256 in float32, w·x_t took 8.4
        #: against 13.6 ms for w·xᵀ, g·x 10.5 against 15.6 ms for g·x_tᵀ (one thread,
        #: benchmarks/lowered_products.py); the metrics read ``_x``
        self._x_lowered: tuple[torch.Tensor, torch.Tensor] | None = None
        if train_dtype is not None and train_dtype != self._x.dtype:
            if self._stacked is None:
                raise ConfigError("train_dtype: only the diagonal net's products take it")
            lowered = lowered_training_inputs(self._x, train_dtype)
            if lowered is not None:
                self._x_lowered = (lowered, lowered.transpose(-1, -2).contiguous())
        # Depth-2 MLPs (modadd): the whole gradient, loss included, written out by hand.
        self._mlp = None
        if HAND_WRITTEN_MLP:
            inputs, labels = [d.x_train for d in datasets], [d.y_train for d in datasets]
            self._mlp = stacked_mlp2(flat, inputs, labels, self.groups, self.kind)
        inner = vmap(flat.function, in_dims=(0, None))
        self._rows = self._stacked.forward if self._stacked else inner
        self._forward = inner if len(datasets) == 1 else vmap(inner, in_dims=(0, 0))
        # Slot order of the real members back to member order (stacked backward).
        self._order = torch.argsort(self._slots[self._real])
        self._wd = list(wd)
        self._decay = _decay_rows(self._wd)  # the whole batch's, built once

    def grad(self, theta: torch.Tensor, active: Sequence[int] | None = None) -> torch.Tensor:
        """∇L_λ for every row of ``theta`` (B×P), with the members' own data and λ.
        ``active``: the members still running; the others' rows may be skipped (left at
        λθ, on the hand-written MLP path and on the diagonal net's with one dataset, where
        a row's share of the data passes is its own)."""
        groups, width = self._shape
        slots, real = self._slots.to(theta.device), self._real.to(theta.device)

        def arrange(rows: torch.Tensor) -> torch.Tensor:  # member rows → (groups, width, P)
            if not self._direct:
                rows = torch.cat([rows, rows[:1].detach()])[slots]
            return rows.reshape(width, -1) if groups == 1 else rows.reshape(groups, width, -1)

        def mean_losses(out: torch.Tensor) -> torch.Tensor:
            losses = self._row_losses(out)
            return losses if self._direct else losses[real]

        if self._mlp is not None:
            grad = self._mlp.grad(theta, active)
        elif self._rows_alone and active is not None:  # only the active rows' data passes
            index = torch.tensor(active, device=theta.device)
            grad = torch.zeros_like(theta).index_copy_(0, index, self._data_grad(theta[index]))
        elif self._stacked is not None:
            grad = self._data_grad(arrange(theta)).reshape(-1, theta.shape[-1])
            if not self._direct:
                grad = grad[real][self._order.to(theta.device)]
        else:
            with torch.enable_grad():
                leaf = theta.detach().requires_grad_(True)
                out = self._forward(arrange(leaf), self._x)
                (grad,) = torch.autograd.grad(mean_losses(out).sum(), leaf)
        return self._add_decay(grad, theta)

    def grad_of(self, rows: torch.Tensor, members: Sequence[int] | None = None) -> torch.Tensor:
        """∇L_λ of ``members`` alone (None: every member), their states the rows of
        ``rows`` in that order: what an integrator that drops finished members asks for.
        The diagonal net with one dataset computes those rows only; other models compute
        the whole batch, the other members' rows zero."""
        if members is None:
            return self.grad(rows)
        if self._rows_alone:
            return self._add_decay(self._data_grad(rows), rows, members)
        full = rows.new_zeros((self.size, rows.shape[-1]))
        full[list(members)] = rows
        return self.grad(full, members)[list(members)]

    @property
    def _rows_alone(self) -> bool:
        """Whether a member's gradient can be computed from its own row: the diagonal
        net's stacked form over one dataset (where each row's data passes are its own)."""
        return self._stacked is not None and self._shape[0] == 1 and self._direct

    def _data_grad(self, stacked: torch.Tensor) -> torch.Tensor:
        """The loss's gradient (no λθ) through the stacked diagonal net, rows as given."""
        model, lowered = self._stacked, self._x_lowered
        assert model is not None
        if lowered is None:
            out = model.forward(stacked, self._x)
        else:
            out = model.forward_lowered(stacked, *lowered)
        with torch.enable_grad():
            out = out.detach().requires_grad_(True)
            (grad_out,) = torch.autograd.grad(self._row_losses(out).sum(), out)
        if lowered is None:
            return model.backward(stacked, self._x, grad_out)
        return model.backward_lowered(stacked, *lowered, grad_out)

    def _row_losses(self, out: torch.Tensor) -> torch.Tensor:
        """Each row's mean training loss, flattened over the stacked dims (padding rows
        included)."""
        labels = self._y.expand(out.shape[:-1] if self.kind == "multiclass" else out.shape)
        return per_example_loss(self.kind, out, labels).mean(-1).reshape(-1)

    def _add_decay(
        self, grad: torch.Tensor, theta: torch.Tensor, members: Sequence[int] | None = None
    ) -> torch.Tensor:
        """grad + λθ row by row (row i is member ``members[i]``; None: every member), per
        distinct λ with the same fused op a one-by-one run uses."""
        rows = self._decay if members is None else _decay_rows([self._wd[m] for m in members])
        for value, index in rows:
            if index is None:
                grad = grad.add(theta, alpha=value)
            else:
                index = index.to(theta.device)
                grad[index] = grad[index].add(theta[index], alpha=value)
        return grad

    def metric_names(self, splits: Sequence[str] = SPLITS) -> list[str]:
        """The names ``evaluate`` fills, in its column order."""
        names = ["param_norm"]
        for split in splits:
            names.append(f"{split}_loss")
            if self.kind != "regression":
                names += [f"{split}_acc", *(["train_margin"] if split == "train" else [])]
        return names

    def _scores(self, out: torch.Tensor, y: torch.Tensor, train: bool) -> list[torch.Tensor]:
        """Per row of outputs: the loss and, for classification, the accuracy (and the
        train margin), with ``grokbench.engine.objective``'s definitions."""
        y = y.expand(out.shape[:-1] if self.kind == "multiclass" else out.shape)
        values = [per_example_loss(self.kind, out, y).mean(-1)]
        if self.kind != "regression":
            values.append(accuracy(self.kind, out, y))
            if train:
                values.append(margins(self.kind, out, y).amin(-1))
        return values

    @torch.no_grad()
    def evaluate(
        self, members: Sequence[int], states: torch.Tensor, splits: Sequence[str] = SPLITS
    ) -> list[dict[str, float]]:
        """``grokbench.engine.objective.Objective.evaluate`` for each (member, state) pair: one
        batched forward per dataset and split, one transfer for all (``splits``: train, test
        or both; ``test_outputs`` holds the test outputs when the test split is in)."""
        names = self.metric_names(splits)
        values = torch.empty(len(members), len(names), dtype=torch.float64)
        by_group: dict[int, list[int]] = {}
        for i, member in enumerate(members):
            by_group.setdefault(self.groups[member], []).append(i)
        test_outputs: list[torch.Tensor | None] = [None] * len(members)
        for group, rows in by_group.items():
            data = self.datasets[group]
            chunk = states[torch.tensor(rows, device=states.device)]
            scores = [chunk.norm(dim=-1)]
            if "train" in splits:
                scores += self._scores(self._rows(chunk, data.x_train), data.y_train, True)
            if "test" in splits:
                mixed = self._stacked is not None  # StackedDiagonal lowers only w
                test_out = outputs_on_test(self._rows, chunk, data.x_test, mixed)
                scores += self._scores(test_out, data.y_test, False)
                for position, row in enumerate(rows):
                    test_outputs[row] = test_out[position]
            values[rows] = torch.stack([v.double() for v in scores], dim=-1).cpu()
        self.test_outputs = test_outputs
        out = [dict(zip(names, row, strict=True)) for row in values.tolist()]
        if self.kind == "regression":
            for metrics in out:
                for split in splits:
                    metrics[f"{split}_mse"] = metrics[f"{split}_loss"]
        return out
