"""Adaptive, error-controlled integrators for a batch of independent gradient flows.

Two methods share one driver loop (``grokbench.engine.ode.driver.AdaptiveSolver.solve``):

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
stage count, spectral radius, horizon and stopping (vectorised sweeps, exact per member),
dense output at each run's own evaluation times without shortening steps, and per-step
hooks for divergence checks and progress; and neither library has a Chebyshev method.
"""

from __future__ import annotations

import functools
import math

import torch
from scipy.integrate import RK45

from grokbench.engine.ode.driver import (
    RHS,
    AdaptiveSolver,
    BatchEvalHook,
    Dense,
    EvalBatch,
    EvalHook,
    RowsRHS,
    SolveResult,
    StepHook,
)

__all__ = [
    "RHS",
    "AdaptiveSolver",
    "BatchEvalHook",
    "DormandPrince",
    "EvalBatch",
    "EvalHook",
    "RowsRHS",
    "RungeKuttaChebyshev",
    "SolveResult",
    "StepHook",
]


@functools.cache
def _dopri_tableau(dtype: torch.dtype, device: torch.device) -> tuple[torch.Tensor, ...]:
    """scipy's RK45 A, B, C, E, P as tensors (made once per dtype and device)."""

    def tensor(array: object) -> torch.Tensor:
        return torch.as_tensor(array, dtype=dtype, device=device)

    return tuple(tensor(table) for table in (RK45.A, RK45.B, RK45.C, RK45.E, RK45.P))


class DormandPrince(AdaptiveSolver):
    """Dormand–Prince 5(4) with scipy's coefficients and 4th-order dense output."""

    error_order = 4
    compacts = True  # FSAL's slope is the driver's f: nothing else carries over
    #: set ``stiffness`` at each attempt: h·ρ̂ per attempted row, ρ̂ = ‖k₇ − k₆‖/‖y₇ − y₆‖
    #: from the two stages at t + h (Hairer & Wanner's test; ``ode.switching``)
    stiffness_probe = False

    def attempt(
        self, y: torch.Tensor, f: torch.Tensor, h: torch.Tensor, running: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Dense]:
        A, B, C, E, P = _dopri_tableau(y.dtype, y.device)
        hb = h[:, None]
        stages = torch.empty((7, *y.shape), dtype=y.dtype, device=y.device)
        stages[0] = f
        for s in range(1, 6):
            state = y + torch.einsum("s,sbp->bp", A[s, :s], stages[:s]) * hb
            stages[s] = self.slope(C[s] * h, state)
        y_new = y + torch.einsum("s,sbp->bp", B, stages[:6]) * hb
        stages[6] = f_new = self.slope(h, y_new)
        if self.stiffness_probe:
            apart = (y_new - state).norm(dim=-1)
            ratio = (stages[6] - stages[5]).norm(dim=-1) / apart.clamp(min=1e-300)
            self.stiffness = torch.where(apart > 0, h * ratio, torch.zeros_like(h))
        self._count(6 * running.cpu())
        error = torch.einsum("s,sbp->bp", E, stages) * hb

        def dense(members: list[int], fractions: list[float]) -> torch.Tensor:
            # y + h·W·K per member: W (its rows × 7) weighs the stages K (7 × P) by
            # P·(σ, σ², σ³, σ⁴). A member's product has the same shapes in a batch as alone
            # (its own evaluation points in this step), so its rows agree bit for bit.
            sigma = torch.tensor(fractions, dtype=y.dtype, device=y.device)
            square = sigma * sigma
            powers = (sigma, square, square * sigma, square * square)
            weights = P[:, 0, None] * powers[0]
            for j in range(1, 4):
                weights = weights + P[:, j, None] * powers[j]
            weights = weights.T.contiguous()
            steps = h.tolist()
            out = torch.empty(len(members), y.shape[1], dtype=y.dtype, device=y.device)
            start = 0
            while start < len(members):
                member, stop = members[start], start + 1
                while stop < len(members) and members[stop] == member:
                    stop += 1
                rows = slice(start, stop)
                torch.addmm(
                    y[member], weights[rows], stages[:, member], alpha=steps[member], out=out[rows]
                )
                start = stop
            return out

        return y_new, f_new, error, dense


@functools.cache
def _chebyshev_table(stages: int, damping: float) -> tuple[tuple[float, float, float, float], ...]:
    """(μ, ν, μ̃, γ̃) for stages 1..s (stage 1 uses only μ̃), from Chebyshev recurrences."""
    w0 = 1 + damping / stages**2
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
    return tuple(out)


class RungeKuttaChebyshev(AdaptiveSolver):
    """Damped second-order Runge–Kutta–Chebyshev (RKC) for stiff flows with real spectra.

    Each member's stage count follows its own step, s = 1 + ⌈√(1 + 1.54·h·ρ)⌉, with ρ its
    Jacobian's spectral radius from a nonlinear power iteration (re-estimated every
    ``radius_every`` of its steps and after each of its rejections, warm-started, since ρ
    falls like e^{−2λt} in the kernel phase). A member with fewer stages than the batch's
    longest keeps its state through the padding stages; the power iteration stops per
    member. Error estimate and constants as in Sommeijer et al.'s rkc.f; states between
    steps come from cubic Hermite interpolation.
    """

    error_order = 2
    damping = 2.0 / 13.0
    #: its per-member state (ρ, the power vector, the step counter) stays over the whole
    #: batch and is read at the attempted rows
    compacts = True

    def __init__(
        self,
        rhs: RHS | RowsRHS,
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
        self._steps = torch.zeros(0, dtype=torch.long)
        self.last_stages: list[int] = []  # each member's stage count in the last attempt

    def begin(self, y: torch.Tensor, f: torch.Tensor) -> None:
        self.start_chebyshev(y, f, torch.ones(y.shape[0], dtype=torch.bool, device=y.device))

    def start_chebyshev(self, y: torch.Tensor, f: torch.Tensor, members: torch.Tensor) -> None:
        """Fresh per-member state: no steps taken, the spectral radius of ``members`` (a
        mask) estimated at (y, f), the others' left at 0."""
        self._steps = torch.zeros(y.shape[0], dtype=torch.long, device=y.device)
        self.radius, self._vector = torch.zeros_like(y[:, 0]), None
        self._estimate_radius(y, f, members)

    def _start_vector(self, f: torch.Tensor) -> torch.Tensor:
        """The power iteration's first direction: f plus a small fixed perturbation
        (seeded, the same for every member and run)."""
        generator = torch.Generator().manual_seed(0)
        noise = torch.randn(f.shape[-1], generator=generator, dtype=f.dtype).to(f.device)
        return f + 1e-3 * noise

    def _estimate_radius(
        self, y: torch.Tensor, f: torch.Tensor, members: torch.Tensor, iterations: int = 30
    ) -> None:
        """Nonlinear power iteration on F(y + v) − F(y) (rkc.f's rkcrho) for ``members``
        (a mask over the batch; in a compacting solve only their rows are computed); each
        stops when its own estimate settles to 1%."""
        assert self.radius is not None
        if self._vector is None:
            self._vector = self._start_vector(f)
        saved = self.live, self._rows
        if self.rhs_takes_rows:  # the rhs computes these rows only (told by ``live``)
            rows = members.nonzero().flatten()
            self.live, self._rows = rows.tolist(), rows
            y, f, members = y[rows], f[rows], members[rows]
        else:
            rows = torch.arange(len(members), device=members.device)
        try:
            sigma, vector = self._power_iteration(y, f, members, iterations)
        finally:
            self.live, self._rows = saved
        self._vector[rows] = torch.where(members[:, None], vector, self._vector[rows])
        self.radius[rows] = torch.where(members, 1.2 * sigma.clamp(min=1e-12), self.radius[rows])

    def _power_iteration(
        self, y: torch.Tensor, f: torch.Tensor, members: torch.Tensor, iterations: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """σ ≈ ‖∂F‖ and the last direction per row of (y, f), the rows ``self._rows``
        (None: all) of the batch; rows outside ``members`` (a mask) keep σ = 0."""
        # rkc.f's √ε·‖y‖, over the outputs' sensitivity to θ (the driver's): from a large
        # initialisation a perturbation of √ε·‖y‖ moves the margins by O(1) and more, so
        # F(y + v) − F(y) would measure the loss's nonlinearity, not the Jacobian.
        sensitivity = self.sensitivity if self._rows is None else self.sensitivity[self._rows]
        size = y.norm(dim=-1) * math.sqrt(torch.finfo(y.dtype).eps) / sensitivity
        delta = size.clamp(min=1e-12)
        assert self._vector is not None
        start = self._vector if self._rows is None else self._vector[self._rows]
        vector = start / start.norm(dim=-1, keepdim=True).clamp(min=1e-300) * delta[:, None]
        sigma = torch.zeros_like(delta)
        done = ~members
        for _ in range(iterations):
            if bool(done.all()):
                break
            change = self.evaluate_rhs(y + vector) - f
            live = ~done
            self._count(live.cpu().long())
            previous = sigma
            sigma = torch.where(live, change.norm(dim=-1) / delta, sigma)
            unit = change / change.norm(dim=-1, keepdim=True).clamp(min=1e-300)
            vector = torch.where(live[:, None], unit * delta[:, None], vector)
            done = done | (live & ((sigma - previous).abs() <= 0.01 * sigma))
        return sigma, vector

    def _stage_table(self, stages: list[int], like: torch.Tensor) -> torch.Tensor:
        """Per-member coefficients, shape (max s, 4, B); rows past a member's s are zero."""
        longest = max(stages)
        rows = []
        for count in stages:
            table = list(_chebyshev_table(count, self.damping))
            rows.append(table + [(0.0, 0.0, 0.0, 0.0)] * (longest - count))
        return torch.tensor(rows, dtype=like.dtype).to(like.device).permute(1, 2, 0)

    def attempt(
        self, y: torch.Tensor, f: torch.Tensor, h: torch.Tensor, running: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Dense]:
        assert self.radius is not None
        radius = self.radius if self._rows is None else self.radius[self._rows]
        needed = (1 + torch.ceil(torch.sqrt(1 + 1.54 * h * radius))).tolist()
        flags = running.tolist()
        stages = [
            int(min(max(2.0, need), self.max_stages)) if run else 2
            for need, run in zip(needed, flags, strict=True)
        ]
        self.last_stages = stages
        self._count(torch.tensor(stages) * running.cpu())
        table = self._stage_table(stages, y)[..., None]  # (s, 4, B, 1)
        hb = h[:, None]
        # Increment form: stage j is y + D_j with D_j = μ·D_{j−1} + ν·D_{j−2} + (μ̃h)·F(y +
        # D_{j−1}) + (γ̃h)·f, rkc.f's (1 − μ − ν)·y + μ·Y_{j−1} + ν·Y_{j−2} + … less y.
        # From a large initialisation the increments are far below |y|'s last digit, which
        # the full-state form rounds away (the error estimate then sits at rounding level).
        # Stage j's time is t_n + c_j·h, c_j = μ·c_{j−1} + ν·c_{j−2} + μ̃ + γ̃ (rkc.f).
        mu, nu, mu_tilde, gamma_tilde = table.unbind(1)
        columns = (mu, nu, mu_tilde + gamma_tilde, mu_tilde * hb, gamma_tilde * hb)
        factors = zip(*(t.unbind(0) for t in columns), strict=True)
        uniform = len(set(stages)) == 1
        count = torch.tensor(stages, device=y.device)[:, None]
        _, _, c_old, mu_h, _ = next(factors)
        older, old = torch.zeros_like(y), mu_h * f
        c_older = torch.zeros_like(c_old)
        for j, (mu_j, nu_j, shift, mu_h, gamma_h) in enumerate(factors, start=1):
            # In place after the first product: the same roundings, fewer allocations.
            new = mu_j * old
            new += nu_j * older
            new += mu_h * self.slope(c_old[:, 0] * h, y + old)
            new += gamma_h * f
            c_new = mu_j * c_old + nu_j * c_older + shift
            if uniform:
                older, old, c_older, c_old = old, new, c_old, c_new
            else:  # members past their own stage count keep their state
                live = count > j
                older, old = torch.where(live, old, older), torch.where(live, new, old)
                c_older, c_old = torch.where(live, c_old, c_older), torch.where(live, c_new, c_old)
        y_new = y + old
        f_new = self.slope(h, y_new)
        error = 0.4 * hb * (f + f_new) - 0.8 * old
        # A step beyond the stability interval (radius under-estimated) shows up as a
        # large error estimate and is rejected; the radius is then refreshed.

        def dense(members: list[int], fractions: list[float]) -> torch.Tensor:
            # Cubic Hermite weights in Python floats, as a batch of one computes them.
            steps = h.tolist()
            weights = [
                (
                    2 * s**3 - 3 * s**2 + 1,
                    (s**3 - 2 * s**2 + s) * steps[m],
                    -2 * s**3 + 3 * s**2,
                    (s**3 - s**2) * steps[m],
                )
                for m, s in zip(members, fractions, strict=True)
            ]
            w = torch.tensor(weights, dtype=y.dtype, device=y.device).T[:, :, None]
            return (
                w[0] * y[members]
                + w[1] * f[members]
                + w[2] * y_new[members]
                + w[3] * f_new[members]
            )

        return y_new, f_new, error, dense

    def after_step(
        self, y: torch.Tensor, f: torch.Tensor, accepted: torch.Tensor, running: torch.Tensor
    ) -> None:
        self._steps += running
        refresh = running & ((self._steps % self.radius_every == 0) | ~accepted)
        if bool(refresh.any()):
            self._estimate_radius(y, f, refresh, iterations=3)
