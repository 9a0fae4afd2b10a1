"""Adaptive integrators for batches of gradient flows: ``driver`` (the loop they share) and
``methods`` (Dormand–Prince, Runge–Kutta–Chebyshev), ``switching`` (the first until the flow
turns stiff, then the second).

``METHODS`` is the one map from an ``integrator`` name to its method, as import paths so
that the names are read (config validation, ``--help``) without importing torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grokbench.infra.imports import resolve
from grokbench.spec import ConfigError

if TYPE_CHECKING:
    from grokbench.engine.ode.driver import AdaptiveSolver

METHODS: dict[str, str] = {
    "dopri5": "grokbench.engine.ode.methods:DormandPrince",
    "rkc": "grokbench.engine.ode.methods:RungeKuttaChebyshev",
    "dopri5-rkc": "grokbench.engine.ode.switching:DormandPrinceThenChebyshev",
}


def solver_class(name: str) -> type[AdaptiveSolver]:
    """The method class of an integrator name (``dopri5``, ``rkc``)."""
    if name not in METHODS:
        raise ConfigError(f"integrator: unknown {name!r}; use one of {', '.join(METHODS)}")
    solver: type[AdaptiveSolver] = resolve(METHODS[name], "integrator")
    return solver
