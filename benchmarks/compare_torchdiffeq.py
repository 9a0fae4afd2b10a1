"""grokbench's default integrator against torchdiffeq's ``dopri5`` on the same gradient flow.

The measurement behind keeping a hand-written integrator (grokbench/integrators.py): both
integrate dθ/dt = −∇L_λ(θ) of one run with the same rtol/atol, record at the same
evaluation times, and are compared on wall time, gradient evaluations and t_grok (by
``grokbench.engine.measure.transition``). torchdiffeq is not a dependency:

    pip install torchdiffeq && python benchmarks/compare_torchdiffeq.py [--experiment sparse-cls]
"""

from __future__ import annotations

import argparse
import time

import torch
from tabulate import tabulate
from torchdiffeq import odeint

from grokbench.engine.config import make_config
from grokbench.engine.measure import transition
from grokbench.engine.objective import Objective
from grokbench.engine.runner import flow_method, prepare, run, run_times
from grokbench.spec import Record, Trace


def torchdiffeq_trace(experiment: str, scale: str) -> tuple[Trace, float, int]:
    """One run through torchdiffeq's dopri5 at grokbench's evaluation times (the wall
    time includes the evaluations, as grokbench's does)."""
    config = make_config(experiment, scale)
    prepared = prepare(config)
    objective = Objective(prepared.flat.function, prepared.data, config.wd)
    times = run_times(prepared, objective)
    times = torch.cat([times.new_zeros(1), times]) if float(times[0]) > 0 else times
    objective.grad_evals = 0

    def velocity(t: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
        return -objective.grad(theta)

    start = time.perf_counter()
    states = odeint(
        velocity, prepared.theta0, times, method="dopri5", rtol=config.rtol, atol=config.atol
    )
    records = [
        Record(t=float(t), step=0, grad_evals=0, wall_s=0.0, **objective.evaluate(state))
        for t, state in zip(times, states, strict=True)
    ]
    wall = time.perf_counter() - start
    return Trace(config=config.to_dict(), env={}, records=records), wall, objective.grad_evals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experiment", default="sparse-cls")
    parser.add_argument("--scale", default="ci")
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = make_config(args.experiment, args.scale)
    run(config)  # warm-up
    ours = run(config)
    theirs, wall, evals = torchdiffeq_trace(args.experiment, args.scale)
    method = flow_method(config, prepare(config).data)
    rows = [
        (f"grokbench {method}", ours.summary["wall_s"], ours.summary["grad_evals"],
         transition(ours).t_grok),
        ("torchdiffeq dopri5", wall, evals, transition(theirs).t_grok),
    ]  # fmt: skip
    header = ["integrator", "wall s", "gradient evaluations", "t_grok"]
    print(f"{args.experiment} at {args.scale} scale, rtol={config.rtol:g}, atol={config.atol:g}")
    print(tabulate(rows, header, tablefmt="github", floatfmt=".7g"))


if __name__ == "__main__":
    main()
