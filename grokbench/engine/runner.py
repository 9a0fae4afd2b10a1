"""One run end to end: config → data and model → dynamics → Trace with summary."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import cast

import torch

from grokbench.engine import dynamics, logtime, minibatch, phases, thresholds
from grokbench.engine import model_plugins as plugins
from grokbench.engine.dataset import draw, lower_test_inputs
from grokbench.engine.experiments import get_experiment
from grokbench.engine.losses import LOSS_DTYPES
from grokbench.engine.measure import transition
from grokbench.engine.models import HomogeneousModel
from grokbench.engine.objective import Objective
from grokbench.engine.parameters import FlatModel
from grokbench.engine.recorder import Recorder
from grokbench.engine.schedule import evaluation_times, fastest_time_scale
from grokbench.infra.environment import environment, resolve_device
from grokbench.spec import (
    ConfigError,
    Prepared,
    ProbeFactory,
    RunConfig,
    TaskData,
    Trace,
)

Progress = dynamics.Progress


def prepare(config: RunConfig, data: TaskData | None = None, training: bool = False) -> Prepared:
    """Draw the data (CPU, seeded), build the model, resolve α and the horizon, move to the
    device. The model's parameters are set to α·θ̄. ``data``, when given, is this config's
    dataset already drawn (a sweep draws each seed's once). ``training``: for a run, whose
    test inputs take ``config.test_dtype`` (baselines keep the data's own precision)."""
    experiment = get_experiment(config.experiment)
    dtype = config.torch_dtype
    device = resolve_device(config.device, dtype)  # auto: one that has dtype
    generator = torch.Generator().manual_seed(config.seed + 1_000_003)
    if data is None:
        data = draw(experiment, config, training)
    elif training:
        data = lower_test_inputs(data, config)
    build = plugins.model_builder(config.model) if config.model else experiment.build_model
    # a plug-in module comes back from plugins.adopt with the HomogeneousModel interface
    model = cast(HomogeneousModel, build(config.task, data, generator))
    flat = FlatModel(model)
    reference = flat.reference()
    if config.alpha is not None:
        alpha = config.alpha
    elif config.init_norm is not None:
        alpha = config.init_norm / float(reference.norm())
    else:
        raise ConfigError("alpha and init_norm: give one of the two")
    model.set_alpha(alpha)
    model.to(device=device, dtype=dtype)
    theta0 = (alpha * reference).to(device=device, dtype=dtype)
    scale = alpha if config.alpha is not None else float(theta0.norm())
    t_end = config.horizon.to_time(scale, config.wd)
    until = config.linear_until
    t_linear = None if until is None else until.to_time(scale, config.wd)
    prepared = Prepared(
        config, data.to(device, dtype), model, flat, alpha, theta0, device, t_end, t_linear
    )
    if config.model:
        prepared.model_check = plugins.check_prepared(prepared)
    return prepared


def lowers_training(config: RunConfig) -> bool:
    """Whether the run's training products take a precision of their own (``train_dtype``)."""
    return bool(config.train_dtype) and config.train_dtype != config.dtype


def batched_only(config: RunConfig) -> bool:
    """Whether only the batched path (``grokbench.engine.batch_run``) computes the run's
    products: lowered training products, or int8 test inputs (fixed point, which the
    one-by-one runner's vmapped evaluation cannot take)."""
    return lowers_training(config) or config.test_dtype == "int8"


def run(
    config: RunConfig,
    progress: Progress | None = None,
    probes: Sequence[ProbeFactory] = (),
) -> Trace:
    """Train one run to its horizon and return its Trace (status ok, diverged or interrupted).

    ``probes`` are factories ``probe(prepared) -> (θ -> {name: value})`` whose values land
    in each record's ``probes``. ``progress`` is called now and then with the fraction of
    the horizon done. Ctrl-C
    stops the run; the records so far are kept and the trace says ``interrupted``.
    """
    if batched_only(config):  # its autograd gradient and vmapped evaluation take neither
        raise ConfigError(
            "train_dtype (or test_dtype int8): only full-batch flow and gd runs of the default "
            "loss take it, on the batched path (grokbench run, claims and sweep; "
            "batch_run.run_batch)"
        )
    prepared = prepare(config, training=True)
    objective = objective_of(prepared)
    if config.model:  # a plug-in model may lack what a probe reads: record without it
        built = plugins.guard_probes(probes, prepared)
    else:
        built = [factory(prepared) for factory in probes]
    recorder = phases.recorder(prepared, objective, built)
    times = run_times(prepared, objective)
    if config.phase2_keep:  # record the phase-1 end (grokbench.engine.phases)
        times = phases.with_switch(times, phases.switch_time(config, prepared.t_end))
    if config.batch:  # after run_times: its time scale is the full-batch gradient's
        n = len(prepared.data.y_train)
        size = minibatch.batch_size(config.batch, n)
        objective.batches = minibatch.Batches(n, size, config.seed, prepared.device)
    recorder.stop_at = config.stop_at
    recorder.defer_test = deferred_test_states(prepared)
    start = time.perf_counter()
    try:
        fraction = None if progress is None else (lambda t: progress(t / prepared.t_end))
        stopped = _dispatch(config, prepared, objective, recorder, times, fraction)
    except KeyboardInterrupt:
        stopped = "interrupted"
    wall = time.perf_counter() - start
    trace = make_trace(prepared, recorder, stopped, wall, objective.grad_evals)
    trace.summary.update(phases.summary(recorder))
    if config.dynamics == "logflow":  # Record.t is τ there; the transition in ln t
        trace.summary.update(logtime.summary(trace))
    return trace


def objective_of(prepared: Prepared) -> Objective:
    """The run's objective: its data, weight decay, loss and the loss's dtype."""
    config = prepared.config
    loss_dtype = LOSS_DTYPES[config.loss_dtype] if config.loss_dtype else None
    flat = prepared.flat
    return Objective(
        flat.function,
        prepared.data,
        config.wd,
        config.loss,
        loss_dtype,
        flat.mixed_precision_inputs,
    )


def run_times(prepared: Prepared, objective: Objective) -> torch.Tensor:
    """A run's evaluation times (costs two gradient evaluations, counted by ``objective``):
    shared with ``grokbench.engine.batch_run`` so batched runs record at the same times."""
    loss = float(objective.train_loss(prepared.theta0).detach())

    def data_grad(theta: torch.Tensor) -> torch.Tensor:  # the weight decay's own scale is 1/λ
        return objective.grad(theta) - objective.wd * theta

    t_first = 0.01 * fastest_time_scale(data_grad, loss, prepared.theta0)
    times = evaluation_times(
        prepared.t_end, prepared.config.evals, t_first=t_first, linear_end=prepared.t_linear
    )
    return times.to(prepared.device, prepared.config.torch_dtype)


#: Test sets of at least this many input numbers are evaluated DEFERRED_STATES states at a
#: time: there one evaluation reads the whole test set for one matrix-vector product
#: (memory-bound: 0.48 s for misgrok's 10⁴ × 10⁵ float64 set at paper scale, 6000 times a
#: run), while a matrix product with many columns approaches BLAS's peak. Per state, one
#: thread (benchmarks/defer_side.py 32 128 256): 56, 32 and 24 ms; 256 states of d = 10⁵
#: hold 0.4 GB until they are evaluated.
DEFERRED_MIN_NUMBERS = 1 << 24
DEFERRED_STATES = 256


def deferred_test_states(prepared: Prepared) -> int:
    """How many states the run's recorder evaluates on the test set at once (0: each at its
    record): DEFERRED_STATES for large test sets, unless a record must know its test
    accuracy when it is taken (``stop_at``; a two-phase run's switch)."""
    config = prepared.config
    if config.stop_at or config.phase2_keep:
        return 0
    return DEFERRED_STATES if prepared.data.x_test.numel() >= DEFERRED_MIN_NUMBERS else 0


def make_trace(
    prepared: Prepared, recorder: Recorder, stopped: str, wall: float, grad_evals: int
) -> Trace:
    """The Trace of a finished run: status from why it stopped, records, summary."""
    recorder.flush()
    config = prepared.config
    status, reason = "ok", ""
    if recorder.diverged_at is not None:
        status, reason = "diverged", recorder.reason
    elif stopped == "interrupted":
        status, reason = "interrupted", "stopped by the user (Ctrl-C)"
    elif stopped not in ("horizon", "target"):  # target: stop_at reached
        status, reason = "diverged", f"the integrator stopped: {stopped}"
    trace = Trace(
        config=config.to_dict(),
        env=environment(prepared.device, config.dtype),
        records=recorder.records,
        status=status,
        reason=reason,
    )
    trace.summary = summarize(trace, prepared, wall, grad_evals)
    return trace


def _dispatch(
    config: RunConfig,
    prepared: Prepared,
    objective: Objective,
    recorder: Recorder,
    times: torch.Tensor,
    progress: Progress | None,
) -> str:
    theta0, t_end = prepared.theta0, prepared.t_end
    if config.dynamics == "flow":
        return dynamics.gradient_flow(
            objective,
            theta0,
            t_end,
            times,
            recorder,
            config.rtol,
            config.atol,
            first_step=config.lr,
            progress=progress,
            method=flow_method(config, prepared.data),
            degree=prepared.model.degree,
        )
    if config.dynamics == "logflow":
        return logtime.log_flow(prepared, objective, recorder, progress)
    if config.dynamics in ("gd", "ngd"):
        return dynamics.gradient_descent(
            objective,
            theta0,
            config.lr,
            t_end,
            times,
            recorder,
            normalised=config.dynamics == "ngd",
            progress=progress,
        )
    return dynamics.optimizer_descent(
        objective,
        theta0,
        config.dynamics,
        config.lr,
        config.opt,
        t_end,
        times,
        recorder,
        progress=progress,
        segments=prepared.flat.sizes,
        warmup=config.warmup,
    )


def flow_method(config: RunConfig, data: TaskData) -> str:
    """``auto`` picks RKC for regression (stiff: the loss curvature stays O(1) while the
    slow dynamics run on a 1/λ scale) and Dormand–Prince for classification."""
    if config.integrator != "auto":
        return config.integrator
    return "rkc" if data.kind == "regression" else "dopri5"


def summarize(
    trace: Trace, prepared: Prepared, wall_s: float, grad_evals: int
) -> dict[str, object]:
    """The numbers the one-screen summary shows and the claims start from."""
    config = prepared.config
    shape = transition(trace) if trace.records else None
    summary: dict[str, object] = {
        "status": trace.status,
        "alpha": prepared.alpha,
        "init_norm": prepared.init_norm,
        "t_end": prepared.t_end,
        "t_reached": trace.records[-1].t if trace.records else 0.0,
        "wall_s": wall_s,
        "grad_evals": grad_evals,
        "steps": trace.records[-1].step if trace.records else 0,
        "predicted_t_grok": _predicted(prepared.alpha, config.wd),
        "predicted_t_grok_init_norm": _predicted(prepared.init_norm, config.wd),
    }
    if config.stop_at or config.batch:  # Power et al.'s measures, in updates
        summary.update(thresholds.summary(trace))
    if shape is not None:
        summary.update(shape.to_dict())
        summary["final_param_norm"] = trace.records[-1].param_norm
    if prepared.model_check is not None:
        summary["model_check"] = prepared.model_check
    return summary


def _predicted(scale: float, wd: float) -> float | None:
    """ln(scale)/λ, the leading-order transition time (None where it is not defined)."""
    if wd <= 0 or scale <= 1:
        return None
    return math.log(scale) / wd
