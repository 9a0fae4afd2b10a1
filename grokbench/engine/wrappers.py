"""Optimizer wrappers: ⊥Grad (prieto25), around any torch-optimizer dynamics.

``dynamics=ortho-NAME`` runs the optimizer ``NAME`` (any name or import path that
``dynamics`` accepts: ``ortho-adamw``, ``ortho-sgd``, ``ortho-package.module:Class``) on the
gradient with its component along θ removed and rescaled to the original norm:

    g ← g − (⟨θ, g⟩ / (‖θ‖² + 1e-30)) θ,   then   g ← g · ‖g_old‖ / (‖g‖ + 1e-30),

before every step of the base optimizer (the authors' ``orthograd.py``). The base's
settings come from ``opt.<name>`` as for the plain optimizer, and λ goes to the base's
``weight_decay``. ``opt.ortho_scope`` chooses what θ is: ``tensor`` (the default, the
authors') projects each parameter tensor of the model on its own; ``global`` projects the
whole flat θ. grokbench optimises one flat parameter, so the runner hands the wrapper the
model's tensor sizes (``segments``) to split it as the model's tensors.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch

ORTHO_PREFIX = "ortho-"
SCOPES = ("tensor", "global")
_EPS = 1e-30


def project_(weight: torch.Tensor, grad: torch.Tensor) -> None:
    """Replace ``grad`` (in place) by its part orthogonal to ``weight``, at its own norm."""
    w, g = weight.reshape(-1), grad.reshape(-1)
    orthogonal = g - (w @ g) / (w @ w + _EPS) * w
    grad.copy_((orthogonal * (g.norm() / (orthogonal.norm() + _EPS))).view_as(grad))


class OrthoGrad(torch.optim.Optimizer):
    """⊥Grad around ``base_class`` (set by ``orthograd``): projects, then steps the base.

    ``segments``: for a single flat parameter, the sizes of the tensors it stands for
    (``FlatModel.sizes``); each is projected on its own under the ``tensor`` scope.
    """

    base_class: type[torch.optim.Optimizer] = torch.optim.SGD

    def __init__(
        self,
        params: Iterable[Any],
        *,
        ortho_scope: str = "tensor",
        segments: Sequence[int] | None = None,
        **settings: Any,
    ) -> None:
        if ortho_scope not in SCOPES:
            allowed = ", ".join(SCOPES)
            raise ValueError(f"ortho_scope: must be one of {allowed}, got {ortho_scope!r}")
        super().__init__(params, {})
        self.scope = ortho_scope
        self.segments = list(segments) if segments is not None else None
        # the base shares this optimizer's parameter groups (and so their lr)
        self.base = self.base_class(self.param_groups, **settings)

    def _pieces(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """(θ-piece, gradient-piece) pairs, as views, under the ``tensor`` scope."""
        params = [p for g in self.param_groups for p in g["params"] if p.grad is not None]
        if self.segments is None or len(params) != 1:
            return [(p, p.grad) for p in params]
        (param,) = params
        if sum(self.segments) != param.numel():
            raise ValueError(f"segments: sum to {sum(self.segments)}, not {param.numel()}")
        weights = torch.split(param.detach().reshape(-1), self.segments)
        grads = torch.split(param.grad.reshape(-1), self.segments)
        return list(zip(weights, grads, strict=True))

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> Any:  # type: ignore[override]
        if closure is not None:  # a closure would recompute the gradient unprojected
            raise ValueError("OrthoGrad: closures are not supported")
        if self.scope == "tensor":
            for weight, grad in self._pieces():
                project_(weight, grad)
        else:
            params = [p for g in self.param_groups for p in g["params"] if p.grad is not None]
            if params:
                flat_w = torch.cat([p.detach().reshape(-1) for p in params])
                flat_g = torch.cat([p.grad.reshape(-1) for p in params])
                project_(flat_w, flat_g)
                for param, chunk in zip(
                    params, torch.split(flat_g, [p.numel() for p in params]), strict=True
                ):
                    param.grad.copy_(chunk.view_as(param.grad))
        return self.base.step()


def wrapper_class(
    name: str,
    wrapper: type,
    base: type[torch.optim.Optimizer],
    settings: dict[str, Any],
    **attributes: Any,
) -> type[torch.optim.Optimizer]:
    """A subclass of ``wrapper`` around ``base`` whose signature is the base's plus the
    wrapper's keyword-only ``settings`` (name → default) and ``segments``, so that
    ``weight_decay`` and the other base settings are offered exactly when the base takes
    them (the config's ``opt.*`` validation reads this signature)."""
    cls = type(name, (wrapper,), {"base_class": base, **attributes})
    own = {**settings, "segments": None}
    try:
        params = list(inspect.signature(base).parameters.values())
        keyword = [p for p in params if p.kind is inspect.Parameter.VAR_KEYWORD]
        plain = [
            p for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD and p.name not in own
        ]
        extra = [
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=value)
            for key, value in own.items()
        ]
        cls.__signature__ = inspect.Signature([*plain, *extra, *keyword])  # type: ignore[attr-defined]
    except (TypeError, ValueError):  # a base without a readable signature: the wrapper's own
        pass
    return cls  # type: ignore[return-value]


def orthograd(base: type[torch.optim.Optimizer]) -> type[torch.optim.Optimizer]:
    """The ⊥Grad wrapper of ``base`` (settings ``ortho_scope``, ``segments``)."""
    return wrapper_class(f"Ortho{base.__name__}", OrthoGrad, base, {"ortho_scope": "tensor"})
