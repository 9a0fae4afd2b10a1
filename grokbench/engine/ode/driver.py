"""The driver loop shared by grokbench's adaptive integrators, exact per batch member.

A batch of B independent flows (state B×P) advances together, one vectorised step
attempt per loop iteration, but each member keeps its own step size, horizon, evaluation
times, step counter, gradient-evaluation counter and stopping. Everything a method does
per member (stage counts, spectral-radius estimates) is per member too, so member b of a
batch performs the arithmetic a batch of one would: results agree with one-by-one runs to
rounding (the right-hand side's batched kernels may round differently).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

import torch

RHS = Callable[[torch.Tensor], torch.Tensor]
#: The right-hand side of a compacting solve (``solve(compact=True)``): rhs(states, rows),
#: ``rows`` the members whose states these are, in order (None: every member).
RowsRHS = Callable[[torch.Tensor, "list[int] | None"], torch.Tensor]
#: Called as on_eval(member, t, y_member); returning False stops that member.
EvalHook = Callable[[int, float, torch.Tensor], bool]
#: Called after every step attempt with the batch of current times; False stops all.
StepHook = Callable[[torch.Tensor], bool]
#: dense(members, fractions) → those members' states (K×P) at those fractions of the last step.
Dense = Callable[[list[int], list[float]], torch.Tensor]


@dataclass
class EvalBatch:
    """The evaluation points one loop iteration passed, in time order per member.

    ``steps[i]`` and ``rhs_evals[i]`` are member ``members[i]``'s step attempts before the
    current one and its right-hand-side evaluations so far (what a recorder reports).
    """

    members: list[int]
    times: list[float]
    states: torch.Tensor
    steps: list[int]
    rhs_evals: list[int]


#: Receives one EvalBatch, returns one flag per entry; a member stops at its first False.
BatchEvalHook = Callable[[EvalBatch], Sequence[bool]]


@dataclass
class SolveResult:
    """Per-member outcome: where each run stopped, its steps and right-hand-side calls."""

    t: list[float]
    accepted: list[int]
    rejected: list[int]
    stopped: list[str] = field(default_factory=list)
    rhs_evals: list[int] = field(default_factory=list)


def rms(values: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Root mean square of ``values / scale`` per member (the error norm)."""
    return (values / scale).pow(2).mean(-1).sqrt()


def _sequential(on_eval: EvalHook) -> BatchEvalHook:
    """A per-member hook as a batch hook: calls it in order, skipping stopped members."""

    def hook(batch: EvalBatch) -> list[bool]:
        flags, stopped = [], set()
        for i, (member, t_eval) in enumerate(zip(batch.members, batch.times, strict=True)):
            keep = member not in stopped and on_eval(member, t_eval, batch.states[i])
            if not keep:
                stopped.add(member)
            flags.append(keep)
        return flags

    return hook


class AdaptiveSolver:
    """Step-size control, evaluation-time bookkeeping and stopping, shared by the methods.

    A method implements ``attempt(y, f, h, running)`` → (y_new, f_new, error, dense),
    adds its right-hand-side calls to ``self.counts`` (per member, running members only)
    and sets ``error_order`` (the step-size update exponent is −1/(error_order + 1)).
    ``first_step`` and ``max_step`` are numbers or per-member tensors. ``attempts``, when
    set to a list, receives (t, h, error norm, accepted) per step attempt, each a tensor
    over the batch (diagnostics: ``benchmarks/compare_torchdiffeq.py --steps``).

    A method calls the right-hand side as ``self.slope(offsets, states)``, each row at its
    stage's time since the step's start: with weight decay and ``integrating_factor`` the
    solver steps z = e^{μ(t − t_n)}·y from each step's start t_n rather than y (``slope``).
    """

    error_order = 4
    #: whether the method can step any subset of the members (reading any per-member state
    #: it keeps at ``self._rows``), so that ``solve`` may step only the running members
    #: (their rows of y and f) once some have finished: a batch then stops paying for its
    #: finished members' rows
    compacts = False

    def __init__(
        self,
        rhs: RHS | RowsRHS,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        first_step: float | torch.Tensor | None = None,
        max_step: float | torch.Tensor = math.inf,
        safety: float = 0.9,
        min_factor: float = 0.2,
        max_factor: float = 10.0,
        integrating_factor: bool = True,
    ) -> None:
        self.rhs = rhs
        self.integrating_factor = integrating_factor
        self.rtol, self.atol = rtol, atol
        self.first_step = first_step
        self.max_step = max_step
        self.safety, self.min_factor, self.max_factor = safety, min_factor, max_factor
        self.counts = torch.zeros(0, dtype=torch.long)
        self.attempts: list[tuple[torch.Tensor, ...]] | None = None
        #: the members whose states ``rhs`` gets as its rows, in order, during the current
        #: step attempt (None: every member): with ``solve(compact=True)``, once some
        #: members have finished, a method that ``compacts`` steps the running ones only,
        #: and ``rhs`` is told which (``RowsRHS``).
        self.live: list[int] | None = None
        self._rows: torch.Tensor | None = None  # self.live as an index
        #: whether ``rhs`` takes any subset of the members as its rows (``solve(compact=)``):
        #: then a method may compute some members' rows alone (RKC's power iteration)
        self.rhs_takes_rows = False
        #: per member, how much the outputs move per unit of θ's deviation, relative to
        #: θ's own scale (set by ``solve``; 1 unless the error is measured on the deviation)
        self.sensitivity = torch.ones(0)
        self._rates: torch.Tensor | None = None  # λ per member, when stepping z, not y
        self._linear: torch.Tensor | None = None  # μ of the attempted rows, during a step

    def slope(self, offsets: torch.Tensor, states: torch.Tensor) -> torch.Tensor:
        """The flow's right-hand side for the rows ``self.live``, each at its own time
        ``offsets`` after the step's start t_n.

        With an integrating factor (Lawson's transformation) a step from t_n integrates
        z = e^{μ(t − t_n)}·y, whose right-hand side is e^{μ(t − t_n)}·rhs(y) + μ·z: the part
        −μ·y of the flow is solved exactly rather than stepped. μ is each member's own
        decay rate at t_n, −⟨rhs(y), y⟩/‖y‖² clipped to [0, λ], held through the step.
        From a large initialisation y follows α·e^{−λt} (μ = λ), and stepped in y the
        error estimate counts the truncation error of that exponential (order α·(λh)⁵)
        against a bound relative to the small deviation from it: the steps are then set
        by the decay, not by the dynamics. A member at rest (late in a run) has μ ≈ 0 and
        is stepped as y, where z = e^{λt}·y would be an exponential to follow.
        """
        if self._linear is None:
            return self.evaluate_rhs(states)
        growth = torch.exp(self._linear * offsets[:, None])
        return growth * self.evaluate_rhs(states / growth) + self._linear * states

    def evaluate_rhs(self, states: torch.Tensor) -> torch.Tensor:
        """``rhs`` at ``states``, the rows ``self.live``; a compacting solve's rhs is told
        which members they are (it holds no reference back to the solver: a cycle that kept
        a batch's datasets alive until the garbage collector ran)."""
        if self.rhs_takes_rows:
            return cast(RowsRHS, self.rhs)(states, self.live)
        return cast(RHS, self.rhs)(states)

    def attempt(
        self, y: torch.Tensor, f: torch.Tensor, h: torch.Tensor, running: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Dense]:
        raise NotImplementedError

    def _count(self, calls: torch.Tensor) -> None:
        """Add the right-hand-side calls of an attempt (per attempted row) to the counts."""
        if self._rows is None:
            self.counts += calls
        else:
            self.counts.index_add_(0, self._rows.cpu(), calls)

    def begin(self, y: torch.Tensor, f: torch.Tensor) -> None:
        """Hook before the first step (RKC estimates the spectral radius here)."""

    def after_step(
        self, y: torch.Tensor, f: torch.Tensor, accepted: torch.Tensor, running: torch.Tensor
    ) -> None:
        """Hook after each step attempt (RKC refreshes ρ here for the members that ran)."""

    def _initial_step(self, y: torch.Tensor, f: torch.Tensor, span: torch.Tensor) -> torch.Tensor:
        """Hairer's first guess h = 0.01·‖y‖/‖f‖ (scaled norms), capped by the span."""
        scale = self.atol + self.rtol * y.abs()
        d0, d1 = rms(y, scale), rms(f, scale)
        guess = torch.where((d0 > 1e-5) & (d1 > 1e-5), 0.01 * d0 / d1, torch.full_like(d0, 1e-6))
        if self.first_step is not None:
            guess = torch.minimum(
                guess, torch.as_tensor(self.first_step, dtype=guess.dtype).to(guess)
            )
        return torch.minimum(torch.minimum(guess, span), self._max_step)

    def solve(
        self,
        y0: torch.Tensor,
        t_end: torch.Tensor,
        eval_times: Sequence[torch.Tensor | Sequence[float]],
        on_eval: EvalHook | None = None,
        on_step: StepHook | None = None,
        on_evals: BatchEvalHook | None = None,
        decay: torch.Tensor | None = None,
        degree: int = 1,
        compact: bool = False,
    ) -> SolveResult:
        """Integrate each row of ``y0`` (shape B×P) from t = 0 to its ``t_end``.

        The error is measured relative to each member's deviation from its decay-only path
        y0·e^{−decay·t} (the weight-decay part of a gradient flow, solved exactly), not to
        |y|: from a large initialisation α the outputs move with the deviation, which is
        O(1/α^{L−1}) of |y|, so a tolerance relative to |y| lets early steps overshoot the
        fast memorisation dynamics by orders of magnitude in output space (decay 0: the
        deviation from y0). With ``decay=None`` the error is relative to |y|, as usual.
        With ``integrating_factor`` (and some decay ≠ 0) each step from t_n steps
        z = e^{μ(t − t_n)}·y (``slope``) and measures its error against the same bound,
        the decay-only path in z; anchored at t_n, z stays within e^{λh} of y.
        For an L-homogeneous model (``degree`` L) the outputs move by s^{L−1} times the
        deviation, s the RMS of y0, so atol is divided by max(s, 1)^{L−1}.

        ``eval_times[b]`` is member b's sorted evaluation times in [0, t_end[b]]; the hook
        (``on_evals`` for a whole iteration at once, or ``on_eval`` per point) receives the
        interpolated states there. A member stops at its horizon, when its hook returns
        False, or when its step size underflows (a non-finite state ends there too).

        ``compact``: ``rhs`` takes the states of any subset of the members as its rows and is
        called as rhs(states, rows) with those members (``RowsRHS``), so that once some
        members have finished a method that ``compacts`` steps only the running ones.
        """
        hook = on_evals if on_evals is not None else _sequential(on_eval)  # type: ignore[arg-type]
        self.rhs_takes_rows = compact
        batch = y0.shape[0]
        sensitivity = y0.pow(2).mean(-1).sqrt().clamp(min=1.0) ** (degree - 1)
        self.sensitivity = sensitivity if decay is not None else torch.ones_like(sensitivity)
        atol = self.atol / sensitivity[:, None] if decay is not None else self.atol
        lawson = decay is not None and self.integrating_factor and bool((decay != 0).any())
        self._rates = decay.to(y0) if lawson else None  # type: ignore[union-attr]

        def reference(times: torch.Tensor) -> torch.Tensor | float:
            if decay is None:
                return 0.0
            rows = self._rows
            start, rate = (y0, decay) if rows is None else (y0[rows], decay[rows])
            return start * torch.exp(-rate.to(y0) * times)[:, None]

        y = y0.clone()
        t = torch.zeros(batch, dtype=y0.dtype, device=y0.device)
        t_end = t_end.to(t)
        ends = t_end.tolist()
        times = [[float(v) for v in member] for member in eval_times]
        self._max_step = torch.as_tensor(self.max_step, dtype=t.dtype).to(t).expand(batch)
        self.counts = torch.zeros(batch, dtype=torch.long)
        active, stopped = [True] * batch, ["horizon"] * batch
        next_eval, accepted, rejected = [0] * batch, [0] * batch, [0] * batch

        def emit(members: list[int], stamps: list[float], states: torch.Tensor, done: int) -> None:
            counts = self.counts.tolist()
            steps = [accepted[b] + rejected[b] - done for b in members]
            flags = hook(EvalBatch(members, stamps, states, steps, [counts[b] for b in members]))
            for member, keep in zip(members, flags, strict=True):
                if not keep and active[member]:
                    active[member], stopped[member] = False, "hook"

        members = [b for b in range(batch) for v in times[b] if v <= 0]
        for b in set(members):
            next_eval[b] = sum(1 for v in times[b] if v <= 0)
        if members:
            emit(members, [0.0] * len(members), y0[members], done=0)

        f = self.evaluate_rhs(y)
        self.counts += 1
        self.begin(y, f)
        h = self._initial_step(y, f, t_end)
        just_rejected = torch.zeros(batch, dtype=torch.bool, device=y0.device)
        while any(active):
            running = torch.tensor(active, device=y.device)
            h = torch.where(running, torch.minimum(h, t_end - t), torch.zeros_like(h))
            some = compact and self.compacts and not all(active)
            self.live = [b for b in range(batch) if active[b]] if some else None
            self._rows = torch.tensor(self.live, device=y.device) if self.live else None
            y_new, f_new, err, finite, dense = self._attempt_rows(
                y, f, h, t, running, reference, atol
            )
            ok = (err <= 1) & finite & running
            if self.attempts is not None:
                self.attempts.append((t, h, err, ok))

            exponent = -1.0 / (self.error_order + 1)  # a method may switch (ode.switching)
            proposal = self.safety * err.clamp(min=1e-10) ** exponent
            grow = proposal.clamp(max=self.max_factor)
            grow = torch.where(just_rejected, grow.clamp(max=1.0), grow)
            shrink = torch.where(finite, proposal.clamp(min=self.min_factor), self.min_factor)
            factor = torch.where(ok, grow, shrink)

            t_old = t
            t = torch.where(ok, t + h, t)
            if self._rows is None:
                y = torch.where(ok[:, None], y_new, y)
                f = torch.where(ok[:, None], f_new, f)
            else:  # only the attempted rows change
                keep = ok[self._rows][:, None]
                y[self._rows] = torch.where(keep, y_new, y[self._rows])
                f[self._rows] = torch.where(keep, f_new, f[self._rows])
            table = torch.stack([ok.to(t), finite.to(t), h, t, t_old]).tolist()
            ok_list, finite_list, h_list, t_now, t_old_list = table
            members, stamps, fractions = [], [], []
            for b in range(batch):
                if not active[b]:
                    continue
                if not ok_list[b]:
                    rejected[b] += 1
                    if h_list[b] <= 1e-13 * max(t_now[b], 1.0):
                        active[b] = False
                        stopped[b] = "step size underflow" if finite_list[b] else "non-finite state"
                    continue
                accepted[b] += 1
                member_times, i = times[b], next_eval[b]
                while i < len(member_times) and member_times[i] <= t_now[b]:
                    members.append(b)
                    stamps.append(member_times[i])
                    fractions.append((member_times[i] - t_old_list[b]) / h_list[b])
                    i += 1
                next_eval[b] = i
            if members:
                emit(members, stamps, dense(members, fractions), done=1)
            for b in range(batch):
                if active[b] and ok_list[b] and t_now[b] >= ends[b]:
                    active[b] = False
            self.after_step(y, f, ok, running)
            just_rejected = ~ok
            h = torch.minimum(h * factor, self._max_step)
            if on_step is not None and not on_step(t):
                stopped = [
                    s if not a else "interrupted" for s, a in zip(stopped, active, strict=True)
                ]
                break
        self.live, self._rows = None, None
        return SolveResult(t.tolist(), accepted, rejected, stopped, self.counts.tolist())

    def _linear_part(self, y: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
        """μ for a step from (y, f), per attempted row: −⟨f, y⟩/‖y‖² clipped to [0, λ]."""
        assert self._rates is not None
        rates = self._rates if self._rows is None else self._rates[self._rows]
        ratio = (-(f * y).sum(-1) / (y * y).sum(-1)).nan_to_num(nan=0.0).clamp(min=0.0)
        return torch.minimum(ratio, rates)[:, None]

    def _back_to_y(
        self, z_new: torch.Tensor, f_new: torch.Tensor, dense: Dense, h: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, Dense]:
        """A step's end and dense output in z = e^{μ(t − t_n)}·y back in y, and the end's
        slope as rhs(y) (from z's: times e^{−μh}, less μ·y)."""
        linear = self._linear
        assert linear is not None
        back = torch.exp(-linear * h[:, None])
        y_new = z_new * back

        def dense_y(members: list[int], fractions: list[float]) -> torch.Tensor:
            sigma = torch.tensor(fractions, dtype=h.dtype, device=h.device) * h[members]
            return dense(members, fractions) * torch.exp(-linear[members] * sigma[:, None])

        return y_new, f_new * back - linear * y_new, dense_y

    def _attempt_rows(
        self,
        y: torch.Tensor,
        f: torch.Tensor,
        h: torch.Tensor,
        t: torch.Tensor,
        running: torch.Tensor,
        reference: Callable[[torch.Tensor], torch.Tensor | float],
        atol: torch.Tensor | float,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, Dense]:
        """One step attempt of the rows ``self._rows`` (None: all): the new states and
        slopes of those rows, and over the whole batch each member's error norm (0 where
        not attempted) and finiteness; ``dense`` takes member indices."""
        index = self._rows
        if index is None:
            y_p, f_p, h_p, t_p, running_p, atol_p = y, f, h, t, running, atol
        else:
            y_p, f_p, h_p, t_p, running_p = y[index], f[index], h[index], t[index], running[index]
            atol_p = atol[index] if isinstance(atol, torch.Tensor) else atol
        start, end = reference(t_p), reference(t_p + h_p)
        if self._rates is not None:  # z = y at the step's start; its slope there
            self._linear = self._linear_part(y_p, f_p)
            f_p = f_p + self._linear * y_p
            end = end * torch.exp(self._linear * h_p[:, None])  # the decay-only path in z
        y_new, f_new, error, dense = self.attempt(y_p, f_p, h_p, running_p)
        deviation = torch.maximum((y_p - start).abs(), (y_new - end).abs())
        err = rms(error, atol_p + self.rtol * deviation)
        if self._linear is not None:
            y_new, f_new, dense = self._back_to_y(y_new, f_new, dense, h_p)
            self._linear = None
        finite = torch.isfinite(y_new).all(-1) & torch.isfinite(err)
        if index is None:
            return y_new, f_new, err, finite, dense
        position = {member: row for row, member in enumerate(index.tolist())}

        def dense_rows(members: list[int], fractions: list[float]) -> torch.Tensor:
            return dense([position[b] for b in members], fractions)

        err_all = torch.zeros_like(t).index_copy_(0, index, err)
        finite_all = torch.ones_like(running).index_copy_(0, index, finite)
        return y_new, f_new, err_all, finite_all, dense_rows
