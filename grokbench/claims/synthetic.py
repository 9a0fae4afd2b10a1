"""Synthetic runs with a chosen shape, for checking the checks (falsification, Power table).

A synthetic member is what a run set would hand a check: a config, a trace whose records
follow the curves given here, and baselines. ``grokking_run`` draws them from the theory's
picture (θ shrinks like α e^{−λt} to a late norm, the test metric moves at
t_grok = (ln(‖θ(0)‖/‖θ_late‖) + offset)/λ over a window), with knobs for the worlds in which
a claim is false (a clock 10× off, an offset growing with ln α, a run cut short, ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from grokbench.engine.config import make_config
from grokbench.spec import BaselineResult, Member, Record, Trace

Curve = Callable[[float], float]
#: The 10%–90% width of a logistic step is 2·ln 9 times its scale.
LOGISTIC_WIDTH = 2 * math.log(9)


def baseline(name: str, value: float, metric: str = "acc", **extra: Any) -> BaselineResult:
    """A baseline result with a test value and extras (no fitting)."""
    return BaselineResult(name=name, metric=metric, test_value=value, fit_s=0.0, extra=extra)


def constant(value: float) -> Curve:
    """A curve that stays at ``value``."""
    return lambda t: value


def step(t: float, centre: float, width: float) -> float:
    """A logistic step from 0 to 1 at ``centre`` whose 10%–90% width is ``width``."""
    z = (t - centre) * LOGISTIC_WIDTH / max(width, 1e-300)
    return float(0.5 * (1 + math.tanh(z / 2)))


def reference_norm(experiment: str) -> float:
    """‖θ̄‖ of the experiment's model at smoke scale (diagonal net, factorisation: √(2d);
    a stand-in of 30 for an MLP, whose He-init norm is O(√width))."""
    task = make_config(experiment, "smoke").task
    return math.sqrt(2 * task["d"]) if "d" in task else 30.0  # an MLP: O(√width)


def grokking_run(
    experiment: str = "sparse-cls",
    alpha: float = 10.0,
    wd: float = 0.01,
    seed: int = 0,
    *,
    plateau: float = 0.55,
    final: float = 1.0,
    offset: float = 0.3,
    window: float = 1.0,
    late: float = 3.0,
    clock: float = 1.0,
    cut: float = 1.0,
    extra_lt: float = 4.0,
    fit_time: float | None = None,
    margin: Curve | None = None,
    probes: dict[str, Curve] | None = None,
    baselines: dict[str, BaselineResult] | None = None,
    test_loss: Curve | None = None,
    train_acc: Curve | None = None,
    test_curve: Curve | None = None,
) -> Member:
    """A member whose curves follow the theory's picture, with every knob a counterfactual
    needs. ``clock`` speeds all dynamics up; ``cut`` ends the run at that share of its
    horizon; ``window`` is the transition's 10%–90% width in λt units; ``fit_time`` the time
    the training loss reaches 1e-3 (default 1/(λα²): K5's law); ``test_curve`` replaces the
    test metric's curve."""
    norm0 = alpha * reference_norm(experiment)
    t_grok = (math.log(norm0 / late) + offset) / (wd * clock)
    horizon = cut * (math.log(norm0) + extra_lt) / (wd * clock)
    fit = fit_time if fit_time is not None else 1 / (wd * alpha**2 * clock)
    regression = experiment == "matrix-completion"
    times = np.unique(np.concatenate([[0.0], np.geomspace(fit * 1e-3, horizon, 300),
                                      np.linspace(0.0, horizon, 600)]))  # fmt: skip
    times = times[times <= horizon]
    records = []
    for i, t in enumerate(float(t) for t in times):
        level = plateau + (final - plateau) * step(t, t_grok, window / (wd * clock))
        if test_curve is not None:
            level = test_curve(t)
        decayed = norm0 * math.exp(-wd * clock * t)
        loss = math.exp(math.log(1e-3) * t / fit)
        fields: dict[str, Any] = {
            "t": t, "step": i, "grad_evals": i, "wall_s": 0.0, "train_loss": loss,
            "test_loss": test_loss(t) if test_loss else 0.1,
            "param_norm": math.sqrt(decayed**2 + late**2),
            "probes": {name: curve(t) for name, curve in (probes or {}).items()},
        }  # fmt: skip
        fitted = t >= fit / 3
        if regression:
            fields.update(train_mse=loss, test_mse=level)
        else:
            fields.update(
                train_acc=train_acc(t) if train_acc else (1.0 if fitted else 0.5),
                test_acc=level,
                train_margin=margin(t) if margin else 1.0,
            )
        records.append(Record(**fields))
    overrides: dict[str, Any] = {"alpha": alpha, "wd": wd, "seed": seed}
    config = make_config(experiment, "smoke", overrides)
    trace = Trace(config=config.to_dict(), env={}, records=records)
    trace.summary = {"alpha": alpha}
    return Member(config, trace, baselines or {})


def sweep(
    experiment: str, over: str, values: tuple[float, ...], seeds: int = 2, **knobs: Any
) -> list[Member]:
    """``grokking_run`` over ``values`` of ``over`` ("alpha" or "wd") × seeds; a knob given
    as a function is called with the swept value (so a curve knob is value → curve)."""
    out = []
    for value in values:
        chosen = {k: (v(value) if callable(v) else v) for k, v in knobs.items()}
        chosen[over] = value
        out += [grokking_run(experiment, seed=s, **chosen) for s in range(seeds)]
    return out


ALPHAS = (10.0, 100.0, 1000.0, 10000.0)
