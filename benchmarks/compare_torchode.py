"""grokbench's batched integrator against torchode's on the 16-run sweep.

The sweep of ``benchmarks/test_sweep_speed.py``: sparse-cls at ci scale, init_norm ∈ {32,
64, 128, 256} × seeds 0–3, one batch of 16 members. Both integrators advance the batch
with per-member step sizes (torchode's "parallel" solves) through the same batched gradient
(``grokbench.engine.batched.BatchedObjective``), record at the same evaluation times and
build their traces with the same code (``runner.make_trace``), so they differ in the
integrator and in when the records are evaluated. Each side runs in this process, one
thread, alternately, ``--repeat`` times (wall and CPU time are the fastest; they include
preparing the runs and evaluating the records, as ``run_batch``'s do; CPU time is the one
other jobs on a shared machine disturb least).

Rows:

- ``grokbench dopri5``: ``run_batch``, grokbench's default (its error norm is relative to
  each member's deviation from the decay-only path, ``grokbench.engine.ode.driver``);
- ``torchode dopri5 (|y| norm)``: torchode's own norm, atol + rtol·max(|y₀|, |y₁|), at
  the config's rtol and atol, its own first step: what one gets from torchode as it is;
- ``torchode dopri5 (deviation norm)``: torchode with grokbench's norm (the controller
  sees y − y₀e^{−λt}, atol divided by the same sensitivity) and grokbench's first step,
  so the two differ in their controllers and error estimates only (torchode's, like
  torchdiffeq's, is 2/3 of scipy's and Hairer's, which grokbench uses: rtol × 1.5);

each with torchode's integral controller (grokbench's, and torchdiffeq's, kind) and with
its PID controller at its defaults (``--controllers``).

Columns: gradient evaluations by the integrator per member (min–max and total; a member's
count is what it would cost alone) and the rows the batched gradient actually computed
(the batch advances until its slowest member is done, and both libraries evaluate every
row at each stage); wall seconds, and of them the seconds spent evaluating the records
(grokbench evaluates the points each step passed, for its hooks; torchode all of a
member's at the end, in bigger products); t_grok's largest relative difference from
grokbench's over the 16 members; and, against a reference solve at rtol 1e-10 (``--reference``), the
largest relative error of train and test loss over all records and the number of records
whose test accuracy differs from the reference's (t_grok is read off test accuracy, which
moves in steps of 1/n_test, so equal t_grok alone says little about accuracy).

    pip install torchode && python benchmarks/compare_torchode.py [--repeat 2] [--rtol R]
"""

from __future__ import annotations

import argparse
import functools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torchode
from tabulate import tabulate
from torchode.single_step_methods.base import StepResult

from grokbench.engine import runner
from grokbench.engine.batch_run import run_batch
from grokbench.engine.batched import BatchedObjective
from grokbench.engine.config import make_config
from grokbench.engine.measure import transition
from grokbench.engine.objective import Objective
from grokbench.engine.recorder import Recorder
from grokbench.spec import RunConfig, TaskData, Trace

INIT_NORMS = (32, 64, 128, 256)
SEEDS = (0, 1, 2, 3)
#: torchode's default PID coefficients (``torchode.solve_ivp``'s controller)
PID = {"pcoeff": 0.2, "icoeff": 0.5, "dcoeff": 0.0}


def sweep_configs(experiment: str = "sparse-cls", scale: str = "ci", **extra: str) -> list:
    """The 16 runs of the sweep benchmark (init_norm × seed)."""
    return [
        make_config(experiment, scale, {"init_norm": str(norm), "seed": str(seed), **extra})
        for norm in INIT_NORMS
        for seed in SEEDS
    ]


@dataclass
class Outcome:
    """One integrator's sweep: traces in config order, gradients by the integrator per
    member, rows the batched gradient computed, wall seconds (fastest repeat)."""

    name: str
    traces: list[Trace]
    evals: list[int]
    rows: int
    evaluate_s: float
    wall: float = math.inf
    cpu: float = math.inf
    walls: list[float] = field(default_factory=list)


class Counting:
    """While installed: the rows ``BatchedObjective.grad`` computes and the seconds
    ``BatchedObjective.evaluate`` takes (evaluating the records)."""

    def __init__(self) -> None:
        self.rows = 0
        self.evaluate_s = 0.0
        self._grad, self._evaluate = BatchedObjective.grad, BatchedObjective.evaluate

    def __enter__(self) -> Counting:
        counter, grad, evaluate = self, self._grad, self._evaluate

        def counted(objective: BatchedObjective, theta: torch.Tensor, active=None) -> torch.Tensor:
            counter.rows += theta.shape[0]
            return grad(objective, theta, active)

        def timed(objective: BatchedObjective, members, states) -> list[dict[str, float]]:
            start = time.perf_counter()
            try:
                return evaluate(objective, members, states)
            finally:
                counter.evaluate_s += time.perf_counter() - start

        BatchedObjective.grad = counted  # type: ignore[method-assign,assignment]
        BatchedObjective.evaluate = timed  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *_: object) -> None:
        BatchedObjective.grad = self._grad  # type: ignore[method-assign]
        BatchedObjective.evaluate = self._evaluate  # type: ignore[method-assign]


def ours(configs: Sequence[RunConfig]) -> Outcome:
    """The sweep through ``run_batch`` (grokbench's integrator)."""
    with Counting() as counter:
        traces = run_batch(configs)
    # a trace's count includes the two gradients that place its evaluation grid
    evals = [int(t.summary["grad_evals"]) - 2 for t in traces]
    return Outcome("grokbench dopri5", traces, evals, counter.rows, counter.evaluate_s)


class _DeviationNorm:
    """Makes a torchode controller judge the error as grokbench's driver does: on the
    deviation from each member's decay-only path y₀e^{−λt}, atol divided by the member's
    sensitivity max(RMS(y₀), 1)^{L−1} (mixed into torchode's controllers below)."""

    atol: torch.Tensor

    def deviate(self, y0: torch.Tensor, decay: torch.Tensor, degree: int) -> None:
        sensitivity = y0.pow(2).mean(-1).sqrt().clamp(min=1.0) ** (degree - 1)
        self.atol = self.atol / sensitivity[:, None]
        self.y_init, self.decay = y0, decay

    def _reference(self, t: torch.Tensor) -> torch.Tensor:
        return self.y_init * torch.exp(-self.decay * t)[:, None]

    def adapt_step_size(self, t0, dt, y0, step_result, state, stats):
        shifted = StepResult(step_result.y - self._reference(t0 + dt), step_result.error_estimate)
        adapt = super().adapt_step_size  # type: ignore[misc]
        return adapt(t0, dt, y0 - self._reference(t0), shifted, state, stats)


class DeviationIntegral(_DeviationNorm, torchode.IntegralController):
    """torchode's integral controller with grokbench's error norm."""


class DeviationPID(_DeviationNorm, torchode.PIDController):
    """torchode's PID controller with grokbench's error norm."""


def grokbench_first_step(
    y0: torch.Tensor, f0: torch.Tensor, rtol: float, atol: float, cap: torch.Tensor
) -> torch.Tensor:
    """grokbench's first step (``AdaptiveSolver._initial_step``): 0.01·‖y‖/‖f‖ in the
    scaled RMS norm, capped by the run's ``lr`` (``first_step``)."""
    scale = atol + rtol * y0.abs()
    d0 = (y0 / scale).pow(2).mean(-1).sqrt()
    d1 = (f0 / scale).pow(2).mean(-1).sqrt()
    guess = torch.where((d0 > 1e-5) & (d1 > 1e-5), 0.01 * d0 / d1, torch.full_like(d0, 1e-6))
    return torch.minimum(guess, cap)


def with_torchode(configs: Sequence[RunConfig], norm: str, controller: str) -> Outcome:
    """The sweep with torchode's dopri5, prepared, evaluated and recorded as
    ``batch_run._run_together`` does for grokbench's integrator."""
    seeds = list(dict.fromkeys(config.seed for config in configs))
    order = sorted(range(len(configs)), key=lambda i: seeds.index(configs[i].seed))
    configs = [configs[i] for i in order]
    prepared: list[runner.Prepared] = []
    datasets: dict[int, TaskData] = {}
    for config in configs:
        prepared.append(runner.prepare(config, datasets.get(config.seed)))
        datasets.setdefault(config.seed, prepared[-1].data)
    groups = [seeds.index(config.seed) for config in configs]
    objectives = [Objective(p.flat.function, p.data, p.config.wd) for p in prepared]
    recorders = [Recorder(o) for o in objectives]
    times = [runner.run_times(p, o) for p, o in zip(prepared, objectives, strict=True)]
    base = [o.grad_evals for o in objectives]
    with Counting() as counter:
        batched = BatchedObjective(
            prepared[0].flat, list(datasets.values()), groups, [c.wd for c in configs]
        )
        theta0 = torch.stack([p.theta0 for p in prepared])
        t_end = theta0.new_tensor([p.t_end for p in prepared])
        decay = theta0.new_tensor([c.wd for c in configs])
        width = max(len(t) for t in times)  # torchode wants B×T: pad with the last time
        t_eval = torch.stack([torch.cat([t, t[-1:].expand(width - len(t))]) for t in times])
        t_stop = torch.maximum(t_end, t_eval[:, -1])

        start = time.perf_counter()
        term = torchode.ODETerm(lambda _t, y: -batched.grad(y))
        config = configs[0]
        options = {"atol": config.atol, "rtol": config.rtol, "dt_max": float(t_end.min()) / 20}
        dt0 = None
        if norm == "deviation":
            if controller == "integral":
                step_control = DeviationIntegral(term=term, **options)
            else:
                step_control = DeviationPID(term=term, **options, **PID)
            step_control.deviate(theta0, decay, prepared[0].model.degree)
            lr = theta0.new_tensor([c.lr for c in configs])
            f0 = -batched.grad(theta0)  # the f(y0) grokbench's driver starts from, too
            counter.rows -= len(configs)  # torchode evaluates it again: count it once
            dt0 = grokbench_first_step(theta0, f0, config.rtol, config.atol, lr)
            dt0 = torch.minimum(dt0, t_end / 20)
        elif controller == "integral":
            step_control = torchode.IntegralController(term=term, **options)
        else:
            step_control = torchode.PIDController(term=term, **options, **PID)
        solver = torchode.AutoDiffAdjoint(torchode.Dopri5(term=term), step_control)
        problem = torchode.InitialValueProblem(theta0, torch.zeros_like(t_end), t_stop, t_eval)
        with torch.no_grad():
            solution = solver.solve(problem, dt0=dt0)
        # per member: f(y0) (+ f(y0 + h0·f0) when torchode picks the first step) + 6 a step
        first = 2 if dt0 is None else 1
        steps = solution.stats["n_steps"].tolist()
        evals = [first + 6 * n for n in steps]
        for b, (recorder, member_times) in enumerate(zip(recorders, times, strict=True)):
            count = len(member_times)
            states = solution.ys[b, :count]
            metrics = batched.evaluate([b] * count, states)
            for t, state, values in zip(member_times.tolist(), states, metrics, strict=True):
                recorder.objective.grad_evals = base[b] + evals[b]
                if not recorder.record(t, state, values):
                    break
        wall = time.perf_counter() - start
        statuses = solution.status.tolist()
    traces = [
        runner.make_trace(p, r, "horizon" if s == 0 else f"torchode status {s}", wall, b + e)
        for p, r, s, b, e in zip(prepared, recorders, statuses, base, evals, strict=True)
    ]
    back = [order.index(i) for i in range(len(order))]
    name = f"torchode dopri5 ({'|y|' if norm == 'state' else 'deviation'} norm, {controller})"
    evals = [evals[i] for i in back]
    return Outcome(name, [traces[i] for i in back], evals, counter.rows, counter.evaluate_s)


def record_errors(traces: Sequence[Trace], reference: Sequence[Trace]) -> tuple[float, ...]:
    """Largest relative error of train and test loss over all records of all members, and
    the records whose test accuracy differs, against the reference traces (matched by t)."""
    train = test = 0.0
    flips = 0
    for trace, ref in zip(traces, reference, strict=True):
        theirs = {r.t: r for r in ref.records}
        for record in trace.records:
            other = theirs.get(record.t)
            if other is None:
                continue
            train = max(train, abs(record.train_loss / other.train_loss - 1))
            test = max(test, abs(record.test_loss / other.test_loss - 1))
            flips += record.test_acc != other.test_acc
    return train, test, flips


def t_grok(trace: Trace) -> float:
    value = transition(trace).t_grok
    return math.nan if value is None else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experiment", default="sparse-cls")
    parser.add_argument("--scale", default="ci")
    parser.add_argument("--repeat", type=int, default=2, help="timed repeats of each side")
    parser.add_argument("--controllers", default="integral,pid")
    parser.add_argument("--rtol", type=float, help="instead of the preset's (atol scaled alike)")
    parser.add_argument(
        "--reference", type=float, default=1e-10, help="rtol of the reference (0: none)"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    configs = sweep_configs(args.experiment, args.scale)
    if args.rtol:
        atol = configs[0].atol * args.rtol / configs[0].rtol
        configs = sweep_configs(args.experiment, args.scale, rtol=str(args.rtol), atol=str(atol))
    runs: list[tuple[str, Callable[[], Outcome]]] = [("ours", lambda: ours(configs))]
    for controller in args.controllers.split(","):
        for norm in ("state", "deviation"):
            runs.append(
                (
                    f"{norm}-{controller}",
                    functools.partial(with_torchode, configs, norm, controller),
                )
            )
    run_batch(configs[:2])  # first-call costs out of the timing
    outcomes: dict[str, Outcome] = {}
    for _ in range(args.repeat):  # alternately, so that load on the machine hits all alike
        for key, solve in runs:
            start, cpu = time.perf_counter(), time.process_time()
            outcome = solve()
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            kept = outcomes.setdefault(key, outcome)
            kept.walls.append(elapsed)
            kept.cpu = min(kept.cpu, cpu)
            if elapsed <= kept.wall:
                kept.wall, kept.evaluate_s = elapsed, outcome.evaluate_s
    reference = None
    if args.reference:
        tight = {"rtol": str(args.reference), "atol": str(args.reference * 1e-3)}
        reference = run_batch(sweep_configs(args.experiment, args.scale, **tight))
    mine = [t_grok(t) for t in outcomes["ours"].traces]
    rows = []
    for outcome in outcomes.values():
        grok = [t_grok(t) for t in outcome.traces]
        agree = max(abs(a / b - 1) for a, b in zip(grok, mine, strict=True))
        errors = record_errors(outcome.traces, reference) if reference else ("", "", "")
        rows.append(
            (
                outcome.name,
                f"{min(outcome.evals)}–{max(outcome.evals)}",
                sum(outcome.evals),
                outcome.rows,
                outcome.wall,
                outcome.evaluate_s,
                outcome.cpu,
                agree,
                *errors,
            )
        )
    header = [
        "integrator",
        "gradients per member",
        "total",
        "rows computed",
        "wall s",
        "of which records s",
        "CPU s",
        "t_grok rel. diff.",
        "train loss err",
        "test loss err",
        "test acc flips",
    ]
    print(
        f"{len(configs)}-run {args.experiment} {args.scale} sweep (init_norm {INIT_NORMS} × "
        f"seeds {SEEDS}), rtol={configs[0].rtol:g}, atol={configs[0].atol:g}, one thread, "
        f"fastest of {args.repeat}"
    )
    print(tabulate(rows, header, tablefmt="github", floatfmt=".3g"))
    print("\nper member (init_norm, seed): gradients and t_grok")
    member_rows = [
        (c.init_norm, c.seed, *(o.evals[i] for o in outcomes.values()), mine[i])
        for i, c in enumerate(configs)
    ]
    names = [o.name for o in outcomes.values()]
    print(tabulate(member_rows, ["init_norm", "seed", *names, "t_grok"], tablefmt="github"))


if __name__ == "__main__":
    main()
