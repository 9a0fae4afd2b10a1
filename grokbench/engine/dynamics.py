"""Training dynamics in continuous time: gradient flow, fixed-step GD, torch.optim optimizers.

All three advance a flat parameter vector θ from t = 0 to ``t_end`` and hand the state to
a ``Recorder`` at the evaluation times. Time is continuous: gradient flow integrates
dθ/dt = −∇L_λ(θ); GD and optimizers advance t by their step size (t = Σ η), through
one loop (``descend``).
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch

from grokbench.engine.minibatch import warmup_factor
from grokbench.engine.objective import Objective
from grokbench.engine.ode import solver_class
from grokbench.engine.probes import apply_probe, reads_test_outputs
from grokbench.engine.wrappers import ORTHO_PREFIX, orthograd
from grokbench.infra.imports import resolve, split
from grokbench.spec import ConfigError, Probe, Record

Progress = Callable[[float], None]
#: A probe maps the state θ at an evaluation time to extra named numbers for the record.

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


class Recorder:
    """Evaluates the objective at evaluation times, keeps the records, spots divergence.

    A run diverges when the training loss or ‖θ‖ stops being finite, or the training loss
    exceeds ``blowup`` times its initial value (plus one).
    """

    def __init__(
        self, objective: Objective, probes: Sequence[Probe] = (), blowup: float = 1e6
    ) -> None:
        self.objective = objective
        self.probes = list(probes)
        self.blowup = blowup
        self.records: list[Record] = []
        self.diverged_at: float | None = None
        self.reason = ""
        self.step = 0
        #: stop once the test accuracy reaches this (0: never); ``reached`` says it did
        self.stop_at = 0.0
        self.reached = False
        self._start = time.perf_counter()
        self._limit = math.inf
        #: evaluate the test split for this many states at once (0: at each record); the
        #: records wait for it (``flush``), so it needs ``stop_at`` off (it reads test_acc)
        self.defer_test = 0
        self._pending: list[int] = []  # the deferred records' indices
        # their states, row by row: one buffer for the run, since a fresh 256 × 2·10⁵
        # stack at each evaluation (410 MB) costs its page faults every time
        self._states: torch.Tensor | None = None

    def __call__(self, t: float, theta: torch.Tensor) -> bool:
        if not self.defer_test:
            metrics = self.objective.evaluate(theta)
            return self.record(t, theta, metrics, self.objective.test_outputs)
        # the train split waits too: one product over the training inputs for all the
        # pending states, where each record read them alone (a paper sparse-cls run's
        # 256 × 10⁵ inputs, 1000 times); its loss is checked for divergence at ``flush``
        keep = self.record(t, theta, {"param_norm": float(theta.norm())}, defer=True)
        if keep:
            if self._states is None:
                self._states = theta.new_empty((self.defer_test, theta.numel()))
            self._states[len(self._pending)].copy_(theta.detach().reshape(-1))
            self._pending.append(len(self.records) - 1)
            if len(self._pending) >= self.defer_test:
                keep = self.flush()
        return keep

    def flush(self) -> bool:
        """Complete the deferred records (``complete``), ``defer_test`` states in one
        evaluation of both splits (``Objective.evaluate_states``); False when one of them
        shows that the run diverged. A no-op when nothing waits."""
        if not self._pending or self._states is None:
            return self.diverged_at is None
        indices, states = self._pending, self._states[: len(self._pending)]
        self._pending = []
        scores, outputs = self.objective.evaluate_states(states, train=True)
        for index, theta, numbers, out in zip(indices, states, scores, outputs, strict=True):
            if not self.complete(index, theta, numbers, out):
                break
        return self.diverged_at is None

    @torch.no_grad()
    def complete(
        self, index: int, theta: torch.Tensor, numbers: dict[str, float], out: torch.Tensor
    ) -> bool:
        """Complete record ``index``, taken with ``defer``: the numbers it lacks (the test
        split's, and the train split's where they waited too) and the probes that read the
        test outputs ``out`` at ``theta``. False when its train loss shows that the run
        diverged, or it had diverged before this record: the records from the first that
        diverged on are dropped. Records kept before a divergence are completed."""
        if index >= len(self.records):
            return False
        record = self.records[index]
        if "train_loss" in numbers:
            problem = self._divergence(record.t, numbers["train_loss"], record.param_norm, index)
            if problem:
                del self.records[index:]
                self.diverged_at, self.reason = record.t, problem
                return False
        for name, value in numbers.items():
            if name != "param_norm":
                setattr(record, name, value)
        for probe in filter(reads_test_outputs, self.probes):
            record.probes.update(apply_probe(probe, theta, out))
        return True

    def _divergence(self, t: float, loss: float | None, norm: float, index: int) -> str:
        """Why the run diverged at record ``index`` (its time t; '' if it did not): the
        first record's train loss sets the blow-up limit; ``loss`` None: not known yet."""
        if index == 0 and loss is not None:
            self._limit = self.blowup * (abs(loss) + 1.0)
        fine = loss is None or (math.isfinite(loss) and loss <= self._limit)
        if fine and math.isfinite(norm):
            return ""
        last = self.records[index - 1].t if index else 0.0
        seen = "not evaluated yet" if loss is None else f"{loss:.3g}"
        return (
            f"diverged at t={t:.4g} (train loss {seen}, |θ| {norm:.3g}); last finite "
            f"record at t={last:.4g}; try a smaller lr or a tighter rtol"
        )

    def record(
        self,
        t: float,
        theta: torch.Tensor,
        metrics: dict[str, float],
        test_outputs: torch.Tensor | None = None,
        defer: bool = False,
    ) -> bool:
        """Keep one record from metrics already evaluated (batched sweeps evaluate many
        states at once); False when the run has diverged. ``test_outputs``: the model's
        outputs on the test set at θ, from that evaluation, for the probes that read them;
        ``defer``: ``metrics`` lack the test split (and may lack the train split), which
        ``complete`` adds later with the probes that read test outputs (the others, which
        may read the state of the dynamics at this time, run now)."""
        # a deferred train loss is checked when it comes (``flush``)
        loss, norm = metrics.get("train_loss"), metrics["param_norm"]
        problem = self._divergence(t, loss, norm, len(self.records))
        if problem:
            self.diverged_at, self.reason = t, problem
            return False
        elapsed = time.perf_counter() - self._start
        if defer:  # the numbers it lacks come with ``complete``
            metrics = {"train_loss": math.nan, "test_loss": math.nan, **metrics}
        extra: dict[str, float] = {}
        with torch.no_grad():
            for probe in self.probes:
                if not (defer and reads_test_outputs(probe)):
                    extra.update(apply_probe(probe, theta, test_outputs))
        self.records.append(
            Record(
                t=t,
                step=self.step,
                grad_evals=self.objective.grad_evals,
                wall_s=elapsed,
                probes=extra,
                **metrics,
            )
        )
        accuracy = metrics.get("test_acc")
        if self.stop_at and accuracy is not None and accuracy >= self.stop_at:
            self.reached = True
        return True


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


def due(t_eval: float, t: float) -> bool:
    """Whether a step method at time ``t`` has reached the evaluation time ``t_eval``
    (t = Σ η carries rounding, hence the relative slack)."""
    return t_eval <= t + 1e-12 * max(t, 1.0)


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
