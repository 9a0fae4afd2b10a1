"""An adaptive Dormand–Prince 5(4) integrator for a batch of independent ODEs.

Written here rather than taken from torchdiffeq or scipy because grokbench needs, in one
place: torch tensors on any device, a batch of runs that each keep their own step size,
horizon and stopping (vectorised sweeps), dense output at each run's own evaluation
times without shortening steps, a gradient-evaluation count, and per-step hooks for
divergence checks and progress. The Butcher tableau, error weights and dense-output
polynomial are scipy's (``scipy.integrate.RK45``), so no coefficient is copied by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from scipy.integrate import RK45

RHS = Callable[[torch.Tensor], torch.Tensor]
#: Called as on_eval(member, t, y_member); returning False stops that member.
EvalHook = Callable[[int, float, torch.Tensor], bool]
#: Called after every accepted step with the batch of current times; False stops all.
StepHook = Callable[[torch.Tensor], bool]

_ORDER = 5  # step-size exponent uses the error estimator's order + 1 = 5


@dataclass
class SolveResult:
    """Per-member outcome: where each run stopped and how many steps it took."""

    t: list[float]
    accepted: list[int]
    rejected: list[int]
    stopped: list[str] = field(default_factory=list)


class DormandPrince:
    """Dormand–Prince 5(4) with per-member error control (mixed rtol/atol, RMS norm)."""

    def __init__(
        self,
        rhs: RHS,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        first_step: float | None = None,
        max_step: float = math.inf,
        safety: float = 0.9,
        min_factor: float = 0.2,
        max_factor: float = 10.0,
    ) -> None:
        self.rhs = rhs
        self.rtol, self.atol = rtol, atol
        self.first_step = first_step
        self.max_step = max_step
        self.safety, self.min_factor, self.max_factor = safety, min_factor, max_factor

    def _tableau(self, like: torch.Tensor) -> tuple[torch.Tensor, ...]:
        def tensor(array: object) -> torch.Tensor:
            return torch.as_tensor(array, dtype=like.dtype, device=like.device)

        return tensor(RK45.A), tensor(RK45.B), tensor(RK45.C), tensor(RK45.E), tensor(RK45.P)

    def _rms(self, values: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        return (values / scale).pow(2).mean(-1).sqrt()

    def _initial_step(self, y: torch.Tensor, f: torch.Tensor, span: torch.Tensor) -> torch.Tensor:
        """Hairer's first guess h = 0.01·‖y‖/‖f‖ (scaled norms), capped by the span."""
        scale = self.atol + self.rtol * y.abs()
        d0, d1 = self._rms(y, scale), self._rms(f, scale)
        guess = torch.where((d0 > 1e-5) & (d1 > 1e-5), 0.01 * d0 / d1, torch.full_like(d0, 1e-6))
        if self.first_step is not None:
            guess = guess.clamp(max=self.first_step)
        return torch.minimum(torch.minimum(guess, span), torch.full_like(guess, self.max_step))

    def solve(
        self,
        y0: torch.Tensor,
        t_end: torch.Tensor,
        eval_times: list[torch.Tensor],
        on_eval: EvalHook,
        on_step: StepHook | None = None,
    ) -> SolveResult:
        """Integrate each row of ``y0`` (shape B×P) from t = 0 to its ``t_end``.

        ``eval_times[b]`` is member b's sorted evaluation times in [0, t_end[b]]; the hook
        receives the dense-output state there. A member stops at its horizon, when its
        hook returns False, or when its state stops being finite.
        """
        A, B, C, E, P = self._tableau(y0)
        batch = y0.shape[0]
        y = y0.clone()
        t = torch.zeros(batch, dtype=y0.dtype, device=y0.device)
        t_end = t_end.to(t)
        active = [True] * batch
        stopped = ["horizon"] * batch
        next_eval = [0] * batch
        accepted, rejected = [0] * batch, [0] * batch
        just_rejected = torch.zeros(batch, dtype=torch.bool, device=y0.device)

        for b in range(batch):
            while next_eval[b] < len(eval_times[b]) and float(eval_times[b][next_eval[b]]) <= 0:
                active[b] = active[b] and on_eval(b, 0.0, y[b])
                next_eval[b] += 1
            if not active[b]:
                stopped[b] = "hook"

        f = self.rhs(y)
        h = self._initial_step(y, f, t_end)
        stages = torch.empty((7, *y.shape), dtype=y.dtype, device=y.device)
        running = torch.tensor(active, device=y.device)
        while bool(running.any()):
            h = torch.where(running, torch.minimum(h, t_end - t), torch.zeros_like(h))
            hb = h[:, None]
            stages[0] = f
            for s in range(1, 6):
                dy = torch.einsum("s,sbp->bp", A[s, :s], stages[:s]) * hb
                stages[s] = self.rhs(y + dy)
            y_new = y + torch.einsum("s,sbp->bp", B, stages[:6]) * hb
            f_new = self.rhs(y_new)
            stages[6] = f_new
            error = torch.einsum("s,sbp->bp", E, stages) * hb
            scale = self.atol + self.rtol * torch.maximum(y.abs(), y_new.abs())
            err = self._rms(error, scale)
            finite = torch.isfinite(y_new).all(-1) & torch.isfinite(err)
            ok = (err <= 1) & finite & running

            with torch.no_grad():
                safe_err = err.clamp(min=1e-10)
                grow = (self.safety * safe_err ** (-1 / _ORDER)).clamp(max=self.max_factor)
                grow = torch.where(just_rejected, grow.clamp(max=1.0), grow)
                shrink = (self.safety * safe_err ** (-1 / _ORDER)).clamp(min=self.min_factor)
                shrink = torch.where(finite, shrink, torch.full_like(shrink, self.min_factor))
                factor = torch.where(ok, grow, shrink)

            t_old, y_old = t.clone(), y
            dense: torch.Tensor | None = None
            t = torch.where(ok, t + h, t)
            y = torch.where(ok[:, None], y_new, y)
            f = torch.where(ok[:, None], f_new, f)

            ok_list, run_list, finite_list = ok.tolist(), running.tolist(), finite.tolist()
            for b in range(batch):
                if not run_list[b]:
                    continue
                if not ok_list[b]:
                    rejected[b] += 1
                    if float(h[b]) <= 1e-13 * max(float(t[b]), 1.0):
                        active[b] = False
                        stopped[b] = "step size underflow" if finite_list[b] else "non-finite state"
                    continue
                accepted[b] += 1
                t_new = float(t[b])
                times = eval_times[b]
                while next_eval[b] < len(times) and float(times[next_eval[b]]) <= t_new:
                    t_eval = float(times[next_eval[b]])
                    if dense is None:  # the interpolant's coefficients, once per step
                        dense = torch.einsum("sbp,sk->bpk", stages, P)
                    theta = (t_eval - float(t_old[b])) / float(h[b])
                    powers = theta ** torch.arange(1, 5, dtype=y.dtype, device=y.device)
                    state = y_old[b] + float(h[b]) * (dense[b] @ powers)
                    next_eval[b] += 1
                    if not on_eval(b, t_eval, state):
                        active[b], stopped[b] = False, "hook"
                        break
                if active[b] and t_new >= float(t_end[b]):
                    active[b] = False
            just_rejected = ~ok
            h = (h * factor).clamp(max=self.max_step)
            running = torch.tensor(active, device=y.device)
            if on_step is not None and not on_step(t):
                stopped = [
                    s if not a else "interrupted" for s, a in zip(stopped, active, strict=True)
                ]
                break
        return SolveResult(t.tolist(), accepted, rejected, stopped)
