"""Adaptive, error-controlled integrators for a batch of independent gradient flows.

Two methods share one driver loop (``AdaptiveSolver.solve``):

- ``DormandPrince``: the embedded 5(4) Runge–Kutta pair with its 4th-order dense output,
  for non-stiff flows (classification, where the loss curvature vanishes once the
  training set is fit). Tableau, error weights and interpolant are scipy's
  (``scipy.integrate.RK45``), so no coefficient is copied by hand.
- ``RungeKuttaChebyshev``: the damped second-order RKC method (Sommeijer, Shampine &
  Verwer 1998), for stiff flows whose Jacobian −∇²L has a real spectrum, as every gradient
  flow's does. Its stability interval grows like 0.65·s² with s stages, so a regression
  problem whose curvature stays O(1) while its slow dynamics run on a 1/λ time scale
  takes √(hρ) gradient evaluations per step instead of hρ.

Written here rather than taken from torchdiffeq or scipy because grokbench needs, in one
place: torch tensors on any device, a batch of runs that each keep their own step size,
horizon and stopping (vectorised sweeps), dense output at each run's own evaluation times
without shortening steps, and per-step hooks for divergence checks and progress; and
neither library has a Chebyshev method.
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
#: Called after every step with the batch of current times; False stops all.
StepHook = Callable[[torch.Tensor], bool]
#: interpolate(member, fraction of the step) → that member's state inside the last step.
Interpolant = Callable[[int, float], torch.Tensor]


@dataclass
class SolveResult:
    """Per-member outcome: where each run stopped and how many steps it took."""

    t: list[float]
    accepted: list[int]
    rejected: list[int]
    stopped: list[str] = field(default_factory=list)


def _rms(values: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return (values / scale).pow(2).mean(-1).sqrt()


class AdaptiveSolver:
    """Step-size control, evaluation-time bookkeeping and stopping, shared by the methods.

    A method implements ``attempt(y, f, h)`` → (y_new, f_new, error estimate, interpolant)
    and sets ``error_order`` (the exponent of the step-size update is 1/(error_order + 1)).
    """

    error_order = 4

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

    def attempt(
        self, y: torch.Tensor, f: torch.Tensor, h: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Interpolant]:
        raise NotImplementedError

    def begin(self, y: torch.Tensor, f: torch.Tensor) -> None:
        """Hook before the first step (RKC estimates the spectral radius here)."""

    def _initial_step(self, y: torch.Tensor, f: torch.Tensor, span: torch.Tensor) -> torch.Tensor:
        """Hairer's first guess h = 0.01·‖y‖/‖f‖ (scaled norms), capped by the span."""
        scale = self.atol + self.rtol * y.abs()
        d0, d1 = _rms(y, scale), _rms(f, scale)
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
        receives the interpolated state there. A member stops at its horizon, when its
        hook returns False, or when its state stops being finite.
        """
        batch = y0.shape[0]
        y = y0.clone()
        t = torch.zeros(batch, dtype=y0.dtype, device=y0.device)
        t_end = t_end.to(t)
        times = [[float(v) for v in member] for member in eval_times]
        active, stopped = [True] * batch, ["horizon"] * batch
        next_eval, accepted, rejected = [0] * batch, [0] * batch, [0] * batch
        just_rejected = torch.zeros(batch, dtype=torch.bool, device=y0.device)
        exponent = -1.0 / (self.error_order + 1)

        for b in range(batch):
            while next_eval[b] < len(times[b]) and times[b][next_eval[b]] <= 0 and active[b]:
                active[b] = on_eval(b, 0.0, y[b])
                next_eval[b] += 1
            if not active[b]:
                stopped[b] = "hook"

        f = self.rhs(y)
        self.begin(y, f)
        h = self._initial_step(y, f, t_end)
        running = torch.tensor(active, device=y.device)
        while bool(running.any()):
            h = torch.where(running, torch.minimum(h, t_end - t), torch.zeros_like(h))
            y_new, f_new, error, interpolate = self.attempt(y, f, h)
            scale = self.atol + self.rtol * torch.maximum(y.abs(), y_new.abs())
            err = _rms(error, scale)
            finite = torch.isfinite(y_new).all(-1) & torch.isfinite(err)
            ok = (err <= 1) & finite & running

            proposal = self.safety * err.clamp(min=1e-10) ** exponent
            grow = proposal.clamp(max=self.max_factor)
            grow = torch.where(just_rejected, grow.clamp(max=1.0), grow)
            shrink = torch.where(finite, proposal.clamp(min=self.min_factor), self.min_factor)
            factor = torch.where(ok, grow, shrink)

            t_old = t.clone()
            t = torch.where(ok, t + h, t)
            y = torch.where(ok[:, None], y_new, y)
            f = torch.where(ok[:, None], f_new, f)

            ok_list, run_list, finite_list = ok.tolist(), running.tolist(), finite.tolist()
            h_list, t_list, t_old_list = h.tolist(), t.tolist(), t_old.tolist()
            for b in range(batch):
                if not run_list[b]:
                    continue
                if not ok_list[b]:
                    rejected[b] += 1
                    if h_list[b] <= 1e-13 * max(t_list[b], 1.0):
                        active[b] = False
                        stopped[b] = "step size underflow" if finite_list[b] else "non-finite state"
                    continue
                accepted[b] += 1
                while next_eval[b] < len(times[b]) and times[b][next_eval[b]] <= t_list[b]:
                    t_eval = times[b][next_eval[b]]
                    next_eval[b] += 1
                    state = interpolate(b, (t_eval - t_old_list[b]) / h_list[b])
                    if not on_eval(b, t_eval, state):
                        active[b], stopped[b] = False, "hook"
                        break
                if active[b] and t_list[b] >= float(t_end[b]):
                    active[b] = False
            self.after_step(y, f, ok)
            just_rejected = ~ok
            h = (h * factor).clamp(max=self.max_step)
            running = torch.tensor(active, device=y.device)
            if on_step is not None and not on_step(t):
                stopped = [
                    s if not a else "interrupted" for s, a in zip(stopped, active, strict=True)
                ]
                break
        return SolveResult(t.tolist(), accepted, rejected, stopped)

    def after_step(self, y: torch.Tensor, f: torch.Tensor, accepted: torch.Tensor) -> None:
        """Hook after each step attempt with the current states (RKC refreshes ρ here)."""


class DormandPrince(AdaptiveSolver):
    """Dormand–Prince 5(4) with scipy's coefficients and 4th-order dense output."""

    error_order = 4

    def _tableau(self, like: torch.Tensor) -> tuple[torch.Tensor, ...]:
        def tensor(array: object) -> torch.Tensor:
            return torch.as_tensor(array, dtype=like.dtype, device=like.device)

        return tensor(RK45.A), tensor(RK45.B), tensor(RK45.E), tensor(RK45.P)

    def attempt(
        self, y: torch.Tensor, f: torch.Tensor, h: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Interpolant]:
        A, B, E, P = self._tableau(y)
        hb = h[:, None]
        stages = torch.empty((7, *y.shape), dtype=y.dtype, device=y.device)
        stages[0] = f
        for s in range(1, 6):
            stages[s] = self.rhs(y + torch.einsum("s,sbp->bp", A[s, :s], stages[:s]) * hb)
        y_new = y + torch.einsum("s,sbp->bp", B, stages[:6]) * hb
        stages[6] = f_new = self.rhs(y_new)
        error = torch.einsum("s,sbp->bp", E, stages) * hb
        cache: dict[str, torch.Tensor] = {}

        def interpolate(member: int, fraction: float) -> torch.Tensor:
            if "q" not in cache:  # the interpolant's coefficients, once per step
                cache["q"] = torch.einsum("sbp,sk->bpk", stages, P)
            powers = fraction ** torch.arange(1, 5, dtype=y.dtype, device=y.device)
            return y[member] + float(h[member]) * (cache["q"][member] @ powers)

        return y_new, f_new, error, interpolate


class RungeKuttaChebyshev(AdaptiveSolver):
    """Damped second-order Runge–Kutta–Chebyshev (RKC) for stiff flows with real spectra.

    The number of stages s follows the step: s = 1 + ⌈√(1 + 1.54·h·ρ)⌉, ρ the spectral
    radius of the Jacobian from a nonlinear power iteration (re-estimated every
    ``radius_every`` steps with a few warm-started iterations, since ρ falls like e^{−2λt}
    in the kernel phase). Error estimate and constants as in Sommeijer et
    al.'s rkc.f; states between steps come from cubic Hermite interpolation.
    """

    error_order = 2
    damping = 2.0 / 13.0

    def __init__(
        self,
        rhs: RHS,
        *args: object,
        radius_every: int = 5,
        max_stages: int = 500,
        **kwargs: object,
    ) -> None:
        super().__init__(rhs, *args, **kwargs)  # type: ignore[arg-type]
        self.radius_every = radius_every
        self.max_stages = max_stages
        self.radius: torch.Tensor | None = None
        self._vector: torch.Tensor | None = None
        self._steps = 0

    def begin(self, y: torch.Tensor, f: torch.Tensor) -> None:
        self._estimate_radius(y, f)

    def _estimate_radius(self, y: torch.Tensor, f: torch.Tensor, iterations: int = 30) -> None:
        """Nonlinear power iteration on F(y + v) − F(y) (rkc.f's rkcrho), per member."""
        y_norm = y.norm(dim=-1, keepdim=True)
        delta = (y_norm * math.sqrt(torch.finfo(y.dtype).eps)).clamp(min=1e-12)
        vector = self._vector if self._vector is not None else f + 1e-3 * torch.randn_like(f)
        vector = vector / vector.norm(dim=-1, keepdim=True).clamp(min=1e-300) * delta
        sigma = torch.zeros(y.shape[0], dtype=y.dtype, device=y.device)
        for _ in range(iterations):
            change = self.rhs(y + vector) - f
            previous, sigma = sigma, change.norm(dim=-1) / delta[:, 0]
            vector = change / change.norm(dim=-1, keepdim=True).clamp(min=1e-300) * delta
            if bool(((sigma - previous).abs() <= 0.01 * sigma).all()):
                break
        self._vector = vector
        self.radius = 1.2 * sigma.clamp(min=1e-12)

    def _coefficients(self, stages: int) -> list[tuple[float, float, float, float]]:
        """(μ, ν, μ̃, γ̃) for stages 1..s (stage 1 uses only μ̃), from Chebyshev recurrences."""
        w0 = 1 + self.damping / stages**2
        T, dT, ddT = [1.0, w0], [0.0, 1.0], [0.0, 0.0]
        for _ in range(2, stages + 1):
            T.append(2 * w0 * T[-1] - T[-2])
            dT.append(2 * T[-2] + 2 * w0 * dT[-1] - dT[-2])
            ddT.append(4 * dT[-2] + 2 * w0 * ddT[-1] - ddT[-2])
        w1 = dT[stages] / ddT[stages]
        b = [ddT[j] / dT[j] ** 2 if j >= 2 else 0.0 for j in range(stages + 1)]
        b[0] = b[1] = b[2]
        a = [1 - b[j] * T[j] for j in range(stages + 1)]
        out = [(0.0, 0.0, b[1] * w1, 0.0)]
        for j in range(2, stages + 1):
            mu = 2 * b[j] * w0 / b[j - 1]
            nu = -b[j] / b[j - 2]
            mu_tilde = 2 * b[j] * w1 / b[j - 1]
            out.append((mu, nu, mu_tilde, -a[j - 1] * mu_tilde))
        return out

    def attempt(
        self, y: torch.Tensor, f: torch.Tensor, h: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Interpolant]:
        assert self.radius is not None
        needed = 1 + torch.ceil(torch.sqrt(1 + 1.54 * h * self.radius))
        stages = int(min(max(2.0, float(needed.max())), self.max_stages))
        hb = h[:, None]
        coefficients = self._coefficients(stages)
        older, old = y, y + coefficients[0][2] * hb * f
        for mu, nu, mu_tilde, gamma_tilde in coefficients[1:]:
            new = (
                (1 - mu - nu) * y
                + mu * old
                + nu * older
                + mu_tilde * hb * self.rhs(old)
                + gamma_tilde * hb * f
            )
            older, old = old, new
        y_new = old
        f_new = self.rhs(y_new)
        error = 0.8 * (y - y_new) + 0.4 * hb * (f + f_new)
        # A step beyond the stability interval (radius under-estimated) shows up as a
        # large error estimate and is rejected; the radius is then refreshed.

        def interpolate(member: int, s: float) -> torch.Tensor:
            h_m = float(h[member])
            h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
            h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
            return (
                h00 * y[member]
                + h10 * h_m * f[member]
                + h01 * y_new[member]
                + h11 * h_m * f_new[member]
            )

        return y_new, f_new, error, interpolate

    def after_step(self, y: torch.Tensor, f: torch.Tensor, accepted: torch.Tensor) -> None:
        self._steps += 1
        if self._steps % self.radius_every == 0 or not bool(accepted.all()):
            self._estimate_radius(y, f, iterations=3)
