"""A model's parameters as one flat vector θ, so integrators and sweeps see a plain ODE state.

``FlatModel`` wraps any ``nn.Module``: ``function(theta, x)`` evaluates the module at the
flat parameter vector through ``torch.func.functional_call``, which also works under
``torch.func.vmap`` for stacked parameter vectors.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn
from torch.func import functional_call


class FlatModel:
    """The bridge between a module's named parameters and a flat vector."""

    def __init__(self, module: nn.Module) -> None:
        self.module = module
        named = list(module.named_parameters())
        self.names = [name for name, _ in named]
        # Re-tying shared parameters costs a third of a small model's gradient; skip it
        # when the module has none (the arithmetic is the same either way).
        self._tied = len(list(module.named_parameters(remove_duplicate=False))) != len(named)
        self.shapes = [tuple(param.shape) for _, param in named]
        self.sizes = [param.numel() for _, param in named]
        self.size = sum(self.sizes)

    def flatten(self, params: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """Concatenate ``{name: tensor}`` in the module's parameter order."""
        return torch.cat([params[name].reshape(-1) for name in self.names])

    def unflatten(self, theta: torch.Tensor) -> dict[str, torch.Tensor]:
        """Views of a flat vector, shaped like the module's parameters."""
        chunks = torch.split(theta, self.sizes)
        return {
            name: chunk.view(shape)
            for name, chunk, shape in zip(self.names, chunks, self.shapes, strict=True)
        }

    def current(self) -> torch.Tensor:
        """The module's parameters now, as a detached flat vector."""
        return self.flatten(dict(self.module.named_parameters())).detach().clone()

    def reference(self) -> torch.Tensor:
        """θ̄ as a flat vector (the module must provide ``reference_parameters()``)."""
        reference = self.module.reference_parameters()  # type: ignore[operator]
        return self.flatten(reference)

    @property
    def mixed_precision_inputs(self) -> bool:
        """Whether ``function`` takes a θ of higher precision than x (the diagonal net: it
        lowers only its weights for the product; ``objective.test_outputs``)."""
        return bool(getattr(self.module, "mixed_precision_inputs", False))

    def function(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """f(θ; x) for a flat θ."""
        return functional_call(self.module, self.unflatten(theta), (x,), tie_weights=self._tied)
