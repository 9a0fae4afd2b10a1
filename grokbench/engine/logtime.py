"""Normalised gradient flow in log continuous time (App. B.1: training without weight decay).

Without weight decay the training loss L(θ) of a separable classification task falls
like 1/t, so reaching the late-phase (max-margin) solution takes t = e^{hundreds} or more:
no loop that advances t itself can get there. The paper's normalised GD takes steps
η/L(θ); its continuous limit is the gradient flow dθ/dt = −(∇L + λθ) reparametrised by
the normalised time τ = ∫ L dt:

    dθ/dτ = −∇ln L(θ) − λ·θ·e^{−ln L(θ)},        d(ln t)/dτ = e^{−ln L(θ) − ln t}.

The state is (θ, ln t), integrated in τ. Three things keep it computable as ln t reaches
the hundreds or thousands:

- ln L is computed from the per-example log losses by log-sum-exp (``log_mean_loss``),
  never from L: L underflows float64 at ln L ≈ −745 while ln L itself stays moderate;
  ∇ln L is then a softmax-weighted sum of the examples' margin gradients.
- θ itself stays finite: for an L-homogeneous model the margins grow like ‖θ‖^L ≈ ln t,
  so ‖θ‖ ≈ (ln t)^{1/L} (a few hundred at ln t = 10⁴), and ln L ≈ −min margin is
  resolved to ~1e-16 relative precision. Integrating θ̂ and ln‖θ‖ separately would buy
  nothing here.
- t itself is never formed: ln t advances by log-add-exp of the step's ln Δt, with
  Δt = ∫ e^{−ln L} dτ taken with ln L linear across the step (``log_step_time``).

Step control: Heun's method (explicit trapezoid) with the embedded Euler step as its
error estimate, relative to ‖θ‖. The flow stiffens as training goes on (the softmax
weights' covariance of the margin gradients grows like ‖θ‖^{2(L−1)}), which the error
control follows; a step whose ln t would pass the next evaluation time by more than
1e-3·|ln t| is retried shorter, so records fall on the grid. ``fixed_step`` gives
plain Euler steps of size η in τ instead: exactly the normalised GD loop of
``dynamics.gradient_descent(normalised=True)``, which the tests compare against.

Records: ``Record.t`` holds τ (finite, starts at 0: the normalised GD's Σ η), the probe
``ln_t`` holds ln t, ``ln_loss`` ln L (``train_loss`` rounds to 0 once ln L < −745) and
``ln_norm`` ln‖θ‖. ``log_time_transition`` measures the test-accuracy transition in ln t.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from grokbench.engine.measure import transition
from grokbench.engine.objective import Objective
from grokbench.engine.schedule import fastest_time_scale
from grokbench.spec import ConfigError, Prepared, Trace

if TYPE_CHECKING:
    from grokbench.engine.recorder import Recorder

Progress = Callable[[float], None]
#: Below this, ln softplus(a) = a − e^a/2 to double precision (the next term is e^{2a}/24).
_SOFTPLUS_TAIL = -20.0


def log_softplus(a: torch.Tensor) -> torch.Tensor:
    """ln(ln(1 + e^a)), finite for every finite a (the log of an example's loss)."""
    tail = a.clamp(max=_SOFTPLUS_TAIL)
    head = a.clamp(min=_SOFTPLUS_TAIL)  # clamped so that neither branch's gradient is NaN
    return torch.where(
        a < _SOFTPLUS_TAIL,
        tail - 0.5 * torch.exp(tail),
        torch.log(torch.nn.functional.softplus(head)),
    )


def log_example_losses(kind: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """ln ℓ_i per example: logistic ℓ = softplus(−y f), cross-entropy ℓ = softplus(a) with
    a = logsumexp_{j≠y}(z_j − z_y)."""
    if kind == "binary":
        return log_softplus(-y * out)
    if kind == "multiclass":
        gaps = out - out.gather(-1, y.unsqueeze(-1))
        others = gaps.scatter(-1, y.unsqueeze(-1), float("-inf"))
        return log_softplus(torch.logsumexp(others, dim=-1))
    raise ConfigError("dynamics logflow: classification tasks only (binary or multiclass)")


def log_mean_loss(kind: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """ln L = ln((1/n) Σ ℓ_i) by log-sum-exp, finite long after L underflows."""
    log_losses = log_example_losses(kind, out, y)
    return torch.logsumexp(log_losses, dim=-1) - math.log(log_losses.shape[-1])


class LogLoss:
    """ln L of an objective's training set and the normalised flow's right-hand side."""

    def __init__(self, objective: Objective) -> None:
        self.objective = objective

    def value(self, theta: torch.Tensor) -> float:
        data = self.objective.data
        with torch.no_grad():
            out = self.objective.function(theta, data.x_train)
            return float(log_mean_loss(data.kind, out, data.y_train))

    def rhs(self, theta: torch.Tensor) -> tuple[float, torch.Tensor]:
        """(ln L, dθ/dτ = −∇ln L − λθ/L) at θ; counts one gradient evaluation."""
        objective, data = self.objective, self.objective.data
        objective.grad_evals += 1
        with torch.enable_grad():
            leaf = theta.detach().requires_grad_(True)
            out = objective.function(leaf, data.x_train)
            log_loss = log_mean_loss(data.kind, out, data.y_train)
            (grad,) = torch.autograd.grad(log_loss, leaf)
        value = float(log_loss.detach())
        velocity = -grad
        if objective.wd:
            velocity = velocity.add(theta, alpha=-objective.wd * math.exp(-value))
        return value, velocity


def log_time_grid(s_first: float, s_end: float, count: int, knee: float = 1.0) -> list[float]:
    """``count`` evaluation points in s = ln t: a quarter evenly spaced in s (log-spaced in
    t) from ``s_first`` to ``knee``, the rest log-spaced in s from ``knee`` to ``s_end``
    (relative spacing (s_end/knee)^{1/n}: the transition's ln t_10..ln t_90 stays resolved
    wherever it falls)."""
    if s_end <= s_first or count < 2:
        raise ValueError(f"need s_end > s_first and count ≥ 2, got {s_first}, {s_end}, {count}")
    if s_end <= knee or s_first >= knee:
        start = max(s_first, 1e-3) if s_first >= knee else s_first
        if s_first >= knee:
            return np.geomspace(start, s_end, count).tolist()
        return np.linspace(s_first, s_end, count).tolist()
    n_early = max(count // 4, 2)
    early = np.linspace(s_first, knee, n_early, endpoint=False)
    late = np.geomspace(knee, s_end, max(count - n_early, 2))
    return np.concatenate([early, late]).tolist()


def log_step_time(h: float, ln_loss0: float, ln_loss1: float) -> float:
    """ln Δt = ln ∫ e^{−ln L} dτ over a step of size h, with ln L linear in τ across it
    (exact when L decays exponentially in τ, as it does once the data are separated)."""
    drop = ln_loss0 - ln_loss1
    if abs(drop) < 1e-10:
        shape = 0.5 * drop
    elif drop > 0:
        shape = drop + math.log(-math.expm1(-drop)) - math.log(drop)
    else:
        shape = math.log(-math.expm1(drop)) - math.log(-drop)
    return math.log(h) - ln_loss0 + shape


@dataclasses.dataclass
class _State:
    """What the recorder's probe reads besides θ."""

    ln_t: float = -math.inf
    ln_loss: float = 0.0


def normalised_log_flow(
    objective: Objective,
    theta0: torch.Tensor,
    targets: list[float],
    recorder: Recorder,
    rtol: float = 1e-3,
    atol: float = 1e-8,
    first_step: float | None = None,
    fixed_step: float | None = None,
    max_steps: int = 2_000_000,
    progress: Progress | None = None,
) -> str:
    """Integrate (θ, ln t) in normalised time τ until ln t reaches ``targets[-1]``,
    recording at the first state whose ln t reaches each target (sorted, in ln t).

    Adaptive Heun steps (``rtol`` relative to ‖θ‖, plus ``atol``) that end at the targets,
    or Euler steps of size ``fixed_step`` (normalised GD, η = fixed_step). Returns why it
    stopped: ``horizon``, ``diverged`` or ``max_steps``.
    """
    loss = LogLoss(objective)
    state = _State()
    recorder.probes.append(
        lambda theta: {
            "ln_t": state.ln_t,
            "ln_loss": state.ln_loss,
            "ln_norm": math.log(max(float(theta.norm()), 1e-300)),
        }
    )
    theta = theta0.clone()
    state.ln_loss, velocity = loss.rhs(theta)
    tau, steps, next_target = 0.0, 0, 0
    h = fixed_step or first_step or 1e-3 * math.exp(state.ln_loss)
    while True:
        while next_target < len(targets) and state.ln_t >= targets[next_target] - 1e-9 * max(
            1.0, abs(targets[next_target])
        ):
            recorder.step = steps
            if not recorder(tau, theta):
                return "diverged"
            next_target += 1
        if next_target >= len(targets):
            return "horizon"
        if steps >= max_steps:
            return "max_steps"
        if fixed_step is None:  # end the step near the next target: h ≤ (t* − t)·L
            gap = 1.0 + 1e-7 - math.exp(min(state.ln_t - targets[next_target], 0.0))
            h = min(h, math.exp(min(state.ln_loss + targets[next_target], 700.0)) * gap)
        used = h
        trial = theta + h * velocity
        trial_loss, trial_velocity = loss.rhs(trial)
        if fixed_step is not None:  # Euler: normalised GD with η = h
            new_theta, new_loss, new_velocity = trial, trial_loss, trial_velocity
            ln_dt = math.log(h) - state.ln_loss
        else:
            new_theta = theta + 0.5 * h * (velocity + trial_velocity)
            error = 0.5 * h * float((trial_velocity - velocity).norm())
            ratio = error / (atol + rtol * float(theta.norm()))
            if not math.isfinite(ratio):
                return "diverged"
            h_next = h * min(5.0, max(0.2, 0.9 / math.sqrt(max(ratio, 1e-12))))
            if ratio > 1.0:
                h = h_next
                continue
            new_loss, new_velocity = loss.rhs(new_theta)
            ln_dt = log_step_time(h, state.ln_loss, new_loss)
            target = targets[next_target]
            overshoot = float(np.logaddexp(state.ln_t, ln_dt)) - target
            if math.isfinite(new_loss) and overshoot > 1e-3 * max(1.0, abs(target)):
                # L fell faster than the cap assumed: retry with the step scaled to land
                wanted = target + math.log1p(-math.exp(min(state.ln_t - target, -1e-12)))
                h *= 0.99 * math.exp(min(wanted - ln_dt, 0.0))
                continue
            h = h_next
        if not (math.isfinite(new_loss) and bool(torch.isfinite(new_theta).all())):
            recorder.step = steps
            recorder(tau, new_theta)
            return "diverged"
        tau += used
        theta, velocity, state.ln_loss = new_theta, new_velocity, new_loss
        state.ln_t = float(np.logaddexp(state.ln_t, ln_dt))
        steps += 1
        if progress is not None and steps % 100 == 0:
            progress(state.ln_t)


def log_horizon(prepared: Prepared) -> float:
    """The horizon in s = ln t: a plain number is ln t itself (``300`` means t = e^300);
    ``6/wd`` or ``1.5T`` are times t, so s = ln(t)."""
    horizon = prepared.config.horizon
    return horizon.value if horizon.unit == "t" else math.log(prepared.t_end)


def log_flow(
    prepared: Prepared, objective: Objective, recorder: Recorder, progress: Progress | None
) -> str:
    """One run of the ``logflow`` dynamics: evaluation grid in ln t from a hundredth of the
    fastest time scale at θ(0) (as ``runner.run_times``) to the horizon, then integrate."""
    config = prepared.config
    if prepared.data.kind == "regression":
        raise ConfigError("dynamics logflow: classification tasks only (binary or multiclass)")
    s_end = log_horizon(prepared)
    loss = float(objective.train_loss(prepared.theta0))

    def data_grad(theta: torch.Tensor) -> torch.Tensor:
        return objective.grad(theta) - objective.wd * theta

    t_first = 0.01 * fastest_time_scale(data_grad, loss, prepared.theta0)
    s_first = min(math.log(t_first), s_end - 1.0) if math.isfinite(t_first) else s_end - 10.0
    targets = log_time_grid(s_first, s_end, config.evals)
    report = None
    if progress is not None:
        span = s_end - s_first
        report = lambda s: progress(prepared.t_end * max(0.0, s - s_first) / span)  # noqa: E731
    return normalised_log_flow(
        objective,
        prepared.theta0,
        targets,
        recorder,
        rtol=config.rtol,
        atol=config.atol,
        first_step=0.01 * t_first * loss if math.isfinite(t_first) else None,
        progress=report,
    )


def log_time_trace(trace: Trace) -> Trace:
    """The trace with ``t`` replaced by ln t (probe ``ln_t``): records without it dropped."""
    records = [
        dataclasses.replace(r, t=r.probes["ln_t"])
        for r in trace.records
        if math.isfinite(r.probes.get("ln_t", math.nan))
    ]
    return dataclasses.replace(trace, records=records)


def log_time_transition(trace: Trace) -> dict[str, Any]:
    """The test-accuracy transition of a ``logflow`` trace in s = ln t: ``ln_t_fit``,
    ``plateau``, ``final``, ``ln_t_10``, ``ln_t_50``, ``ln_t_90`` (``measure.transition``'s
    definitions, with ln t as the time axis) and ``ratio`` = ln t_90 / ln t_10 (None unless
    both crossings exist and ln t_10 > 0, i.e. t_10 > 1)."""
    shape = transition(log_time_trace(trace))
    low, high = shape.t_10, shape.t_90
    ratio = high / low if low is not None and high is not None and low > 0 else None
    return {
        "ln_t_fit": shape.t_fit,
        "plateau": shape.plateau,
        "final": shape.final,
        "ln_t_10": low,
        "ln_t_50": shape.t_grok,
        "ln_t_90": high,
        "ratio": ratio,
    }


def summary(trace: Trace) -> dict[str, Any]:
    """Extra summary entries of a ``logflow`` run: the transition in ln t and how far it got."""
    reached = trace.records[-1].probes.get("ln_t") if trace.records else None
    extra = {f"log_time_{k}": v for k, v in log_time_transition(trace).items()}
    return {**extra, "ln_t_reached": reached, "time_axis": "t = tau (normalised); probe ln_t"}
