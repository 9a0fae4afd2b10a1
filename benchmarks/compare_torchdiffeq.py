"""grokbench's default integrator against torchdiffeq's ``dopri5`` on one run's gradient flow.

Both integrate dθ/dt = −∇L_λ(θ) of the same run with the same rtol/atol, record at the
same evaluation times and are compared on wall time, gradient evaluations, t_grok (by
``grokbench.engine.measure.transition``) and accuracy. Rows:

- ``grokbench``: ``runner.run`` as it is (Dormand–Prince for classification, RKC for
  regression); its error norm is relative to the deviation from the decay-only path
  θ(0)·e^{−λt}, atol divided by the output sensitivity (``grokbench.engine.ode.driver``);
- ``torchdiffeq dopri5``: torchdiffeq as it is, error relative to atol + rtol·max(|θ₀|,
  |θ₁|), its own first step;
- ``torchdiffeq dopri5, deviation``: torchdiffeq integrating z = θ − θ(0)·e^{−λt}, whose
  |z| norm is grokbench's (with grokbench's atol), so that the two differ in their
  controllers and first steps only;
- ``--rtols``: torchdiffeq as it is at other tolerances, ``--ours-rtols`` grokbench, and
  ``--deviation-rtols`` torchdiffeq on the deviation (work against precision; atol
  scaled with rtol).

Gradient evaluations are the integrator's (f(θ₀), torchdiffeq's probe for its first
step, 6 per attempt); the two that place the evaluation grid (``runner.run_times``,
counted in a trace's ``grad_evals``) are left out on both sides. Accuracy is measured
against a reference solve at rtol 1e-10 (grokbench's Dormand–Prince, ``--reference``): the
largest relative error of train and test loss over the records, and the records whose test
accuracy differs. t_grok is read off test accuracy, which moves in steps of 1/n_test, so an
equal t_grok says little about accuracy. ``--steps`` prints each attempt's t, h and error
norm (in its own integrator's norm) side by side. torchdiffeq is not a dependency:

    pip install torchdiffeq && python benchmarks/compare_torchdiffeq.py [--experiment sparse-cls]
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from tabulate import tabulate
from torchdiffeq import odeint

from grokbench.engine import dynamics
from grokbench.engine.config import make_config
from grokbench.engine.measure import transition
from grokbench.engine.objective import Objective
from grokbench.engine.runner import flow_method, prepare, run, run_times
from grokbench.spec import Record, Trace

#: The gradients ``runner.run_times`` spends on the evaluation grid (in ``grad_evals``).
GRID_EVALS = 2


@dataclass
class Solve:
    """One integration of a run: its trace, wall seconds, gradient evaluations by the
    integrator, and each attempt's (t, h, error norm, accepted)."""

    name: str
    trace: Trace
    wall: float
    evals: int
    attempts: list[tuple[float, float, float, bool]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(1 for *_, accepted in self.attempts if not accepted)


@contextmanager
def logged_solvers() -> Iterator[list[Any]]:
    """The solvers ``dynamics.gradient_flow`` builds meanwhile, logging their attempts."""
    solvers: list[Any] = []
    original = dynamics.solver_class

    def logging_class(name: str) -> Any:
        base = original(name)

        class Logged(base):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self.attempts = []
                solvers.append(self)

        return Logged

    dynamics.solver_class = logging_class  # type: ignore[assignment]
    try:
        yield solvers
    finally:
        dynamics.solver_class = original


def grokbench_solve(experiment: str, scale: str, rtol: float | None = None) -> Solve:
    """``runner.run`` on the preset (after a warm-up run), its attempts logged; ``rtol``
    (atol scaled alike) instead of the preset's."""
    config = make_config(experiment, scale)
    if rtol is not None:
        tolerances = {"rtol": str(rtol), "atol": str(config.atol * rtol / config.rtol)}
        config = make_config(experiment, scale, tolerances)
    else:
        run(config)  # warm-up
    with logged_solvers() as solvers:
        trace = run(config)
    attempts = [(float(t), float(h), float(e), bool(ok)) for t, h, e, ok in solvers[-1].attempts]
    method = flow_method(config, prepare(config).data)
    evals = int(trace.summary["grad_evals"]) - GRID_EVALS
    name = f"grokbench {method}, rtol {config.rtol:g}"
    return Solve(name, trace, float(trace.summary["wall_s"]), evals, attempts)


class Velocity:
    """−∇L_λ for torchdiffeq, optionally of the deviation z = θ − θ(0)·e^{−λt}; logs the
    attempts through torchdiffeq's step callbacks and its ``norm`` option."""

    def __init__(self, objective: Objective, theta0: torch.Tensor, deviation: bool) -> None:
        self.objective, self.theta0, self.deviation = objective, theta0, deviation
        self.attempts: list[tuple[float, float, float, bool]] = []
        self._step = (0.0, 0.0)
        self._norm = math.nan

    def reference(self, t: torch.Tensor) -> torch.Tensor:
        if not self.deviation:
            return torch.zeros_like(self.theta0)
        return self.theta0 * torch.exp(-self.objective.wd * t.to(self.theta0))

    def __call__(self, t: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        if not self.deviation:
            return -self.objective.grad(state)
        decay_path = self.reference(t)
        return -self.objective.grad(decay_path + state) + self.objective.wd * decay_path

    def norm(self, values: torch.Tensor) -> torch.Tensor:
        value = values.pow(2).mean().sqrt()
        self._norm = float(value)
        return value

    def callback_step(self, t0: torch.Tensor, _y0: torch.Tensor, dt: torch.Tensor) -> None:
        self._step = (float(t0), float(dt))

    def callback_accept_step(self, *_: torch.Tensor) -> None:
        self.attempts.append((*self._step, self._norm, True))

    def callback_reject_step(self, *_: torch.Tensor) -> None:
        self.attempts.append((*self._step, self._norm, False))


def torchdiffeq_solve(
    experiment: str, scale: str, rtol: float | None = None, deviation: bool = False
) -> Solve:
    """One run through torchdiffeq's dopri5 at grokbench's evaluation times (the wall
    time includes the evaluations, as grokbench's does)."""
    config = make_config(experiment, scale)
    prepared = prepare(config)
    objective = Objective(prepared.flat.function, prepared.data, config.wd)
    times = run_times(prepared, objective)
    times = torch.cat([times.new_zeros(1), times]) if float(times[0]) > 0 else times
    objective.grad_evals = 0
    theta0 = prepared.theta0
    rtol = rtol or config.rtol
    atol = config.atol * rtol / config.rtol
    name = f"torchdiffeq dopri5, rtol {rtol:g}"
    start_state = theta0
    if deviation:  # grokbench's norm: |z| = |θ − θ(0)e^{−λt}|, atol / sensitivity
        sensitivity = max(float(theta0.pow(2).mean().sqrt()), 1.0) ** (prepared.model.degree - 1)
        atol /= sensitivity
        start_state = torch.zeros_like(theta0)
        name = f"torchdiffeq dopri5 on the deviation, rtol {rtol:g}"
    velocity = Velocity(objective, theta0, deviation)
    start = time.perf_counter()
    states = odeint(
        velocity,
        start_state,
        times,
        method="dopri5",
        rtol=rtol,
        atol=atol,
        options={"norm": velocity.norm},
    )
    records = [
        Record(
            t=float(t),
            step=0,
            grad_evals=0,
            wall_s=0.0,
            **objective.evaluate(velocity.reference(t) + state),
        )
        for t, state in zip(times, states, strict=True)
    ]
    wall = time.perf_counter() - start
    trace = Trace(config=config.to_dict(), env={}, records=records)
    return Solve(name, trace, wall, objective.grad_evals, velocity.attempts)


def record_errors(trace: Trace, reference: Trace) -> tuple[float, float, int]:
    """Largest relative error of train and test loss over the records, and the records
    whose test accuracy (or, for regression, nothing: 0) differs, matched by time."""
    theirs = {r.t: r for r in reference.records}
    train = test = 0.0
    flips = 0
    for record in trace.records:
        other = theirs.get(record.t)
        if other is None:
            continue
        train = max(train, abs(record.train_loss / other.train_loss - 1))
        test = max(test, abs(record.test_loss / other.test_loss - 1))
        flips += record.test_acc is not None and record.test_acc != other.test_acc
    return train, test, flips


def print_steps(solves: Sequence[Solve]) -> None:
    """Each attempt's t, h and error norm (its own integrator's), side by side."""
    print("\nstep attempts: t, h, error norm (> 1: rejected)")
    print(" | ".join(f"{s.name[:38]:38s}" for s in solves))
    for i, row in enumerate(itertools.zip_longest(*(s.attempts for s in solves))):
        cells = [
            f"{t:11.5g} {h:11.5g} {err:9.3g}{' ' if ok else '*'}" if t is not None else " " * 34
            for t, h, err, ok in (a or (None,) * 4 for a in row)
        ]
        print(f"{i:4d} " + " | ".join(f"{c:38s}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experiment", default="sparse-cls")
    parser.add_argument("--scale", default="ci")
    parser.add_argument("--rtols", default="", help="torchdiffeq at these rtols too (a,b,…)")
    parser.add_argument("--ours-rtols", default="", help="grokbench at these rtols too")
    parser.add_argument("--deviation-rtols", default="", help="torchdiffeq on the deviation too")
    parser.add_argument(
        "--reference", type=float, default=1e-10, help="rtol of the reference (0: none)"
    )
    parser.add_argument("--steps", action="store_true", help="print the step attempts")
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = make_config(args.experiment, args.scale)
    solves = [
        grokbench_solve(args.experiment, args.scale),
        torchdiffeq_solve(args.experiment, args.scale),
        torchdiffeq_solve(args.experiment, args.scale, deviation=True),
    ]
    for rtol in filter(None, args.ours_rtols.split(",")):
        solves.append(grokbench_solve(args.experiment, args.scale, rtol=float(rtol)))
    for rtol in filter(None, args.rtols.split(",")):
        solves.append(torchdiffeq_solve(args.experiment, args.scale, rtol=float(rtol)))
    for rtol in filter(None, args.deviation_rtols.split(",")):
        solves.append(torchdiffeq_solve(args.experiment, args.scale, float(rtol), deviation=True))
    reference = None
    if args.reference:
        tight = {"rtol": str(args.reference), "atol": str(args.reference * 1e-3)}
        reference = run(make_config(args.experiment, args.scale, {**tight, "integrator": "dopri5"}))
    rows = []
    for solve in solves:
        errors = record_errors(solve.trace, reference) if reference else ("", "", "")
        attempts = f"{len(solve.attempts)} ({solve.rejected})"
        t_grok = transition(solve.trace).t_grok
        rows.append((solve.name, solve.wall, solve.evals, attempts, t_grok, *errors))
    if reference is not None:
        evals = int(reference.summary["grad_evals"]) - GRID_EVALS
        t_grok = transition(reference).t_grok
        rows.append((f"reference (dopri5, rtol {args.reference:g})", "", evals, "", t_grok))
    header = [
        "integrator",
        "wall s",
        "gradients",
        "attempts (rejected)",
        "t_grok",
        "train loss err",
        "test loss err",
        "test acc flips",
    ]
    print(f"{args.experiment} at {args.scale} scale, rtol={config.rtol:g}, atol={config.atol:g}")
    print(tabulate(rows, header, tablefmt="github", floatfmt=".7g"))
    if args.steps:
        print_steps(solves[:3])


if __name__ == "__main__":
    main()
