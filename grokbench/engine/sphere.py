"""The fixed-norm constraint (omnigrok23): any torch optimizer, projected onto a sphere.

``dynamics=sphere-NAME`` runs the optimizer ``NAME`` (any name or import path that
``dynamics`` accepts: ``sphere-adamw``, ``sphere-sgd``, ``sphere-ortho-adamw``) and after
every step rescales the whole parameter vector back to the radius R:

    θ ← θ · R / ‖θ‖,

the authors' ``rescale(mlp, sqrt(L2_/L2_new))`` (Omnigrok, mnist/landscape): the global
norm over every parameter tensor, biases included. R is ‖θ₀‖, the norm at the start
(``opt.radius=R`` sets it instead, and the first step lands there). λ goes to the base's
``weight_decay`` as for the plain optimizer (on the sphere it only turns the step).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch

from grokbench.engine.wrappers import wrapper_class

SPHERE_PREFIX = "sphere-"


class OnSphere(torch.optim.Optimizer):
    """``base_class`` (set by :func:`on_sphere`) followed by a projection onto ‖θ‖ = R."""

    base_class: type[torch.optim.Optimizer] = torch.optim.SGD

    def __init__(
        self,
        params: Iterable[Any],
        *,
        radius: float | None = None,
        segments: Sequence[int] | None = None,
        **settings: Any,
    ) -> None:
        if radius is not None and not (math.isfinite(radius) and radius > 0):
            raise ValueError(f"radius: must be a finite number > 0, got {radius!r}")
        super().__init__(params, {})
        if segments is not None and "segments" in inspect.signature(self.base_class).parameters:
            settings["segments"] = segments  # a wrapped wrapper (sphere-ortho-…) splits θ
        # the base shares this optimizer's parameter groups (and so their lr)
        self.base = self.base_class(self.param_groups, **settings)
        self.radius = float(radius) if radius is not None else self.norm()

    def _params(self) -> list[torch.Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    @torch.no_grad()
    def norm(self) -> float:
        """‖θ‖ over every parameter tensor."""
        return math.sqrt(sum(float(p.detach().square().sum()) for p in self._params()))

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> Any:  # type: ignore[override]
        result = self.base.step(closure) if closure is not None else self.base.step()
        norm = self.norm()
        if norm > 0:
            for param in self._params():
                param.mul_(self.radius / norm)
        return result


def on_sphere(base: type[torch.optim.Optimizer]) -> type[torch.optim.Optimizer]:
    """The fixed-norm wrapper of ``base`` (settings ``radius``, ``segments``)."""
    return wrapper_class(f"Sphere{base.__name__}", OnSphere, base, {"radius": None})
