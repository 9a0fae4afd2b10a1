"""Training dynamics in continuous time: gradient flow, fixed-step GD, torch.optim optimizers.

All three advance a flat parameter vector θ from t = 0 to ``t_end`` and hand the state to
a ``Recorder`` at the evaluation times. Time is continuous: gradient flow integrates
dθ/dt = −∇L_λ(θ); GD and optimizers advance t by their step size (t = Σ η), through
one loop (``descend``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import torch

from grokbench.engine.minibatch import warmup_factor
from grokbench.engine.objective import Objective
from grokbench.engine.ode import solver_class
from grokbench.engine.recorder import Recorder, due
from grokbench.engine.wrappers import ORTHO_PREFIX, orthograd
from grokbench.infra.imports import resolve, split
from grokbench.spec import ConfigError

Progress = Callable[[float], None]

#: Optimizer names and the torch.optim class and default settings they stand for.
OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("torch.optim:SGD", {}),
    "momentum": ("torch.optim:SGD", {"momentum": 0.9}),
    "nesterov": ("torch.optim:SGD", {"momentum": 0.9, "nesterov": True}),
    "adam": ("torch.optim:Adam", {}),
    "adamw": ("torch.optim:AdamW", {}),
    "rmsprop": ("torch.optim:RMSprop", {}),
    "adagrad": ("torch.optim:Adagrad", {}),
    "power-adamw": ("grokbench.engine.power_adamw:PowerAdamW", {}),
}
BUILTIN_DYNAMICS = ("flow", "gd", "ngd", "logflow")  # logflow: grokbench.engine.logtime


def gradient_flow(
    objective: Objective,
    theta0: torch.Tensor,
    t_end: float,
    eval_times: torch.Tensor,
    recorder: Recorder,
    rtol: float,
    atol: float,
    first_step: float | None = None,
    progress: Progress | None = None,
    method: str = "dopri5",
    degree: int = 1,
) -> str:
    """Integrate the gradient flow (``method``: an integrator name of
    ``grokbench.engine.ode.METHODS``) of a model homogeneous of ``degree``; returns why it
    stopped."""

    def rhs(state: torch.Tensor) -> torch.Tensor:
        return -objective.grad(state[0])[None]

    def on_eval(_member: int, t: float, state: torch.Tensor) -> bool:
        return recorder(t, state)

    def on_step(times: torch.Tensor) -> bool:
        recorder.step += 1
        if progress is not None:
            progress(float(times[0]))
        return True

    solver = solver_class(method)(
        rhs, rtol=rtol, atol=atol, first_step=first_step, max_step=t_end / 20
    )
    t_end_tensor = torch.tensor([t_end], dtype=theta0.dtype, device=theta0.device)
    decay = torch.full_like(t_end_tensor, objective.wd)
    result = solver.solve(
        theta0[None], t_end_tensor, [eval_times], on_eval, on_step, decay=decay, degree=degree
    )
    return result.stopped[0]


def descend(
    theta: torch.Tensor,
    advance: Callable[[], float],
    t_end: float,
    eval_times: torch.Tensor,
    recorder: Recorder,
    progress: Progress | None = None,
    check_every: int = 1000,
    guard: bool = True,
) -> str:
    """The loop of every step method: record at the step whose time t = Σ η first reaches
    each evaluation time, stop at the last one or the horizon, else ``advance()`` θ in
    place by one step (it returns the step's η). Every ``check_every`` steps: progress,
    and with ``guard`` a non-finite θ is recorded as diverged there."""
    times = eval_times.tolist()
    next_eval, t, step = 0, 0.0, 0
    while True:
        while next_eval < len(times) and due(times[next_eval], t):
            recorder.step = step
            if not recorder(t, theta):
                return "diverged"
            next_eval += 1
        if recorder.reached:
            return "target"
        if next_eval >= len(times) or t >= t_end:
            return "horizon"
        t += advance()
        step += 1
        if step % check_every == 0:
            if guard and not bool(torch.isfinite(theta).all()):
                recorder.step = step
                recorder(t, theta)
                return "diverged"
            if progress is not None:
                progress(t)


def gradient_descent(
    objective: Objective,
    theta0: torch.Tensor,
    lr: float,
    t_end: float,
    eval_times: torch.Tensor,
    recorder: Recorder,
    normalised: bool = False,
    progress: Progress | None = None,
    check_every: int = 1000,
) -> str:
    """Full-batch GD with coupled weight decay, θ ← θ − η(∇L + λθ): the paper's loop.

    ``normalised`` divides the step by the training loss (η/L(θ), App. B.1). Evaluation
    happens at the step whose time t = Σ η first reaches each evaluation time.
    """
    theta = theta0.clone()

    def advance() -> float:
        grad = objective.grad(theta)
        eta = lr / float(objective.train_loss(theta)) if normalised else lr
        theta.sub_(grad, alpha=eta)
        return eta

    return descend(theta, advance, t_end, eval_times, recorder, progress, check_every)


def resolve_optimizer(name: str) -> tuple[type[torch.optim.Optimizer], dict[str, Any]]:
    """An optimizer class and default settings from a name (``adamw``) or import path
    (``package.module:Name``, the current directory searched too:
    ``grokbench.infra.imports.resolve``); ``ortho-NAME`` wraps NAME in ⊥Grad
    (``grokbench.engine.wrappers``)."""
    if name.startswith(ORTHO_PREFIX):
        if name[len(ORTHO_PREFIX) :] in BUILTIN_DYNAMICS:
            raise ConfigError(f"dynamics: {name!r}: ⊥Grad wraps a torch.optim optimizer")
        base, base_defaults = resolve_optimizer(name[len(ORTHO_PREFIX) :])
        return orthograd(base), base_defaults
    from grokbench.engine.sphere import SPHERE_PREFIX, on_sphere  # fixed norm (omnigrok23)

    if name.startswith(SPHERE_PREFIX):
        if name[len(SPHERE_PREFIX) :] in BUILTIN_DYNAMICS:
            raise ConfigError(f"dynamics: {name!r}: sphere- wraps a torch.optim optimizer")
        base, base_defaults = resolve_optimizer(name[len(SPHERE_PREFIX) :])
        return on_sphere(base), base_defaults
    from grokbench.engine.grokfast import grokfast, split_prefix  # slow-gradient filter

    if (filtered := split_prefix(name)) is not None:
        if filtered[1] in BUILTIN_DYNAMICS:
            raise ConfigError(f"dynamics: {name!r}: grokfast- wraps a torch.optim optimizer")
        base, base_defaults = resolve_optimizer(filtered[1])
        return grokfast(base, filtered[0]), base_defaults
    path, defaults = OPTIMIZERS.get(name, (name, {}))
    if split(path) is None:
        known = ", ".join((*BUILTIN_DYNAMICS, *OPTIMIZERS))
        raise ConfigError(f"dynamics: unknown {name!r}; use one of {known} or package.module:Class")
    cls = resolve(path, "dynamics")
    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)) and not callable(cls):
        raise ConfigError(f"dynamics: {path!r} is not an optimizer class or factory")
    return cls, dict(defaults)


def optimizer_descent(
    objective: Objective,
    theta0: torch.Tensor,
    name: str,
    lr: float,
    options: dict[str, Any],
    t_end: float,
    eval_times: torch.Tensor,
    recorder: Recorder,
    progress: Progress | None = None,
    check_every: int = 1000,
    segments: Sequence[int] | None = None,
    warmup: int = 0,
) -> str:
    """Any torch.optim optimizer on the objective's step loss (full batch, or minibatches:
    ``Objective.batches``), with t = Σ (current lr); ``warmup`` ramps the lr linearly over
    that many updates (``grokbench.engine.minibatch.warmup_factor``).

    λ goes to the optimizer's own ``weight_decay`` when it has one (coupled L2 for SGD and
    Adam, decoupled for AdamW, each optimizer's own semantics); otherwise into the loss.
    """
    cls, settings = resolve_optimizer(name)
    settings.update(options)
    param = torch.nn.Parameter(theta0.clone())
    accepts_wd = "weight_decay" in inspect.signature(cls).parameters
    if accepts_wd:
        settings.setdefault("weight_decay", objective.wd)
    if segments is not None and "segments" in inspect.signature(cls).parameters:
        settings["segments"] = list(segments)  # the model's tensors within θ (wrappers)
    try:
        # the stubs give only the base Optimizer(params, defaults); every subclass takes lr
        optimizer = cls([param], lr=lr, **settings)  # type: ignore[call-arg]
    except (TypeError, ValueError) as error:
        raise ConfigError(f"opt: {name} rejected its settings ({error})") from None

    updates = 0

    def advance() -> float:
        nonlocal updates
        if warmup:
            for group in optimizer.param_groups:
                group["lr"] = lr * warmup_factor(updates, warmup)
        updates += 1
        optimizer.zero_grad(set_to_none=True)
        with torch.enable_grad():
            loss = objective.value(param, include_wd=not accepts_wd)
            loss.backward()
        objective.grad_evals += 1
        eta = float(optimizer.param_groups[0]["lr"])
        optimizer.step()
        return eta

    # the optimizer steps param in place, so its detached view is always the current θ
    theta = param.detach()
    return descend(theta, advance, t_end, eval_times, recorder, progress, check_every, guard=False)
