"""Dormand–Prince until the flow turns stiff, then Runge–Kutta–Chebyshev for the rest.

A classification run's late phase is at rest: the weight decay balances the data term,
whose curvature along the few large weights (ρ ≈ 0.05 for sparse-cls at the paper's λ)
caps Dormand–Prince's step at its stability limit 3.3/ρ while the state moves on the
1/λ = 1000 time scale. There RKC, whose stability interval grows like 0.65·s² with its
s stages, takes about a fifth of the gradients, and from the start it would cost more
(benchmarks/NOTES.md, round 7). So each member starts with Dormand–Prince, which tests
itself for stiffness after every accepted step (Hairer & Wanner's test for DOPRI5:
h·ρ̂ > 3.25, ρ̂ = ‖k₇ − k₆‖/‖y₇ − y₆‖ from its last two stages, on 15 accepted steps
without 6 in a row below), and the batch moves to RKC, for good, once every running
member has been found stiff. The whole batch takes one method at a time, so the driver
needs no mixed attempts; a member found stiff early steps on with Dormand–Prince.
"""

from __future__ import annotations

import torch

from grokbench.engine.ode.driver import Dense
from grokbench.engine.ode.methods import DormandPrince, RungeKuttaChebyshev

#: Hairer & Wanner's stiffness test for DOPRI5 (Solving ODEs II, §IV.2; dopri5.f's
#: ``hlamb > 3.25``, ``iasti == 15``, ``nonsti == 6``)
STIFF_RATIO = 3.25
STIFF_STEPS = 15
NONSTIFF_RESET = 6


class DormandPrinceThenChebyshev(RungeKuttaChebyshev):
    """``DormandPrince`` until every running member is stiff, then ``RungeKuttaChebyshev``.

    ``stiff`` says which members the test has found stiff; ``switch_evals`` holds each
    member's right-hand-side calls when the batch switched (None: it never did).
    """

    error_order = DormandPrince.error_order
    stiffness_probe = True

    def begin(self, y: torch.Tensor, f: torch.Tensor) -> None:
        batch = y.shape[0]
        self.error_order = DormandPrince.error_order  # solved again: Dormand–Prince first
        self.stiff = torch.zeros(batch, dtype=torch.bool)
        self._stiff_steps = torch.zeros(batch, dtype=torch.long)
        self._calm_steps = torch.zeros(batch, dtype=torch.long)
        self.switch_evals: list[int] | None = None
        self.stiffness = torch.zeros(batch)  # h·ρ̂ of the last attempt (DormandPrince.attempt)

    def attempt(
        self, y: torch.Tensor, f: torch.Tensor, h: torch.Tensor, running: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Dense]:
        if self.switch_evals is not None:
            return super().attempt(y, f, h, running)
        return DormandPrince.attempt(self, y, f, h, running)  # type: ignore[arg-type]

    def after_step(
        self, y: torch.Tensor, f: torch.Tensor, accepted: torch.Tensor, running: torch.Tensor
    ) -> None:
        if self.switch_evals is not None:
            super().after_step(y, f, accepted, running)
            return
        rows = (self._rows if self._rows is not None else torch.arange(len(running))).cpu()
        counted = (accepted & running).cpu()[rows]
        high = (self.stiffness.cpu() > STIFF_RATIO) & counted
        low = ~high & counted
        self._stiff_steps[rows[high]] += 1
        self._calm_steps[rows[high]] = 0
        self._calm_steps[rows[low]] += 1
        calm = rows[low][self._calm_steps[rows[low]] >= NONSTIFF_RESET]
        self._stiff_steps[calm] = 0
        self.stiff |= self._stiff_steps >= STIFF_STEPS
        live = running.cpu()
        if bool(live.any()) and bool(self.stiff[live].all()):
            self._switch(y, f, running)

    def _switch(self, y: torch.Tensor, f: torch.Tensor, running: torch.Tensor) -> None:
        """RKC for the whole batch from the next attempt on, its spectral radius estimated
        now for the running members."""
        self.switch_evals = self.counts.tolist()
        self.error_order = RungeKuttaChebyshev.error_order
        self.start_chebyshev(y, f, running)
