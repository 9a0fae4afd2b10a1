"""From an experiment name, a scale and ``key=value`` overrides to a validated RunConfig.

Validation happens here, at the edge, so the rest of the library can trust its inputs:
every problem raises a ConfigError whose one-line message names the field and what is
allowed.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from grokbench.engine.binop_presets import CHECKS as BINOP_CHECKS
from grokbench.engine.experiments import get_experiment
from grokbench.engine.image_presets import CHECKS as IMAGE_CHECKS
from grokbench.engine.linear_presets import CHECKS as LINEAR_CHECKS
from grokbench.engine.ode import METHODS
from grokbench.spec import SCALES, ConfigError, Experiment, Horizon, RunConfig

DEVICES = ("cpu", "cuda", "mps", "auto")
DTYPES = ("float64", "float32")
#: ``train_dtype`` and ``test_dtype`` also take int8: ±1 inputs in fixed-point products
#: (grokbench.engine.fixed_point).
INPUT_DTYPES = (*DTYPES, "int8")
#: The ``loss`` setting (multi-class tasks; grokbench.engine.losses): the first is the default.
LOSSES = ("ce-accurate", "ce-torch", "stablemax", "mse")
LOSS_DTYPES = ("float64", "float32", "float16")
INTEGRATORS = ("auto", *METHODS)

#: The settings every experiment has, with their types; task sizes come from the experiment.
COMMON_KEYS: dict[str, type] = {
    "dynamics": str,
    "integrator": str,
    "lr": float,
    "alpha": float,
    "init_norm": float,
    "wd": float,
    "seed": int,
    "horizon": Horizon,
    "device": str,
    "dtype": str,
    "rtol": float,
    "atol": float,
    "evals": int,
    "linear_until": Horizon,
    "model": str,
    "loss": str,
    "loss_dtype": str,
    "test_dtype": str,
    "train_dtype": str,
    "batch": int,
    "warmup": int,
    "stop_at": float,
    "phase2_keep": float,
    "phase2_at": float,
}

Check = tuple[Callable[[Any], bool], str]
_POSITIVE: Check = (lambda v: v > 0, "> 0")
_AT_LEAST_1: Check = (lambda v: v >= 1, "≥ 1")
CHECKS: dict[str, Check] = {
    "lr": _POSITIVE,
    "alpha": _POSITIVE,
    "init_norm": _POSITIVE,
    "wd": (lambda v: v >= 0, "≥ 0"),
    "seed": (lambda v: v >= 0, "≥ 0"),
    "rtol": (lambda v: 0 < v < 1, "in (0, 1)"),
    "atol": _POSITIVE,
    "evals": (lambda v: v >= 2, "≥ 2"),
    "device": (lambda v: v in DEVICES, f"one of {', '.join(DEVICES)}"),
    "dtype": (lambda v: v in DTYPES, f"one of {', '.join(DTYPES)}"),
    "integrator": (lambda v: v in INTEGRATORS, f"one of {', '.join(INTEGRATORS)}"),
    "n": _AT_LEAST_1,
    "d": _AT_LEAST_1,
    "k": _AT_LEAST_1,
    "n_test": _AT_LEAST_1,
    "width": _AT_LEAST_1,
    "depth": (lambda v: v >= 2, "≥ 2"),
    "p": (lambda v: v >= 2, "≥ 2"),
    "frac": (lambda v: 0 < v < 1, "in (0, 1)"),
    "gamma": (lambda v: v >= 0, "≥ 0"),
    "sigma": (lambda v: v >= 0, "≥ 0"),
    "labels": (lambda v: v in ("sparse", "dense", "shuffled"), "one of sparse, dense, shuffled"),
    "loss": (lambda v: v in LOSSES, f"one of {', '.join(LOSSES)}"),
    "loss_dtype": (lambda v: v in LOSS_DTYPES, f"one of {', '.join(LOSS_DTYPES)}"),
    "test_dtype": (lambda v: v in INPUT_DTYPES, f"one of {', '.join(INPUT_DTYPES)}"),
    "train_dtype": (lambda v: v in INPUT_DTYPES, f"one of {', '.join(INPUT_DTYPES)}"),
    "init": (lambda v: v in ("he0", "torch"), "one of he0, torch"),
    "out_scale": _POSITIVE,
    "eps": (lambda v: v >= 0, "≥ 0"),
    "batch": (lambda v: v >= -1, "≥ -1 (0: full batch, -1: min(512, ⌈n/2⌉))"),
    "warmup": (lambda v: v >= 0, "≥ 0"),
    "stop_at": (lambda v: 0 <= v <= 1, "in [0, 1] (0: never)"),
    "phase2_keep": (lambda v: 0 <= v < 1, "in [0, 1) (training kept; 0: one phase)"),
    "phase2_at": (lambda v: 0 < v < 1, "in (0, 1) (a fraction of the horizon)"),
    "d_model": _AT_LEAST_1,
    "heads": _AT_LEAST_1,
    "d_mlp": _AT_LEAST_1,
    "layers": _AT_LEAST_1,
    **BINOP_CHECKS,
    **LINEAR_CHECKS,
    **IMAGE_CHECKS,
}


def convert(key: str, kind: type, raw: Any) -> Any:
    """Convert a raw value (a string from the command line, or a preset) to ``kind``."""
    if kind is Horizon:
        return raw if isinstance(raw, Horizon) else Horizon.parse(raw, key)
    if kind is bool:  # bool("false") is True: read the words
        words = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
        word = str(raw).strip().lower()
        if isinstance(raw, bool) or word in words:
            return bool(raw) if isinstance(raw, bool) else words[word]
        raise ConfigError(f"{key}: expected true or false, got {raw!r}")
    if kind is int and isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    try:
        value = kind(raw)
        if kind is int and isinstance(raw, str) and not raw.strip().lstrip("-").isdigit():
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(f"{key}: expected {kind.__name__}, got {raw!r}") from None
    if kind is float and not math.isfinite(value):
        raise ConfigError(f"{key}: must be finite, got {raw!r}")
    return value


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """``["alpha=10", "wd=1e-3"]`` → ``{"alpha": "10", "wd": "1e-3"}``."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set: expected key=value, got {pair!r}")
        out[key.strip()] = value.strip()
    return out


def _allowed_keys(experiment: Experiment) -> str:
    return ", ".join([*COMMON_KEYS, *experiment.task_keys, "opt.<name>"])


def make_config(
    experiment_name: str, scale: str = "ci", overrides: Mapping[str, Any] | None = None
) -> RunConfig:
    """The preset of ``experiment_name`` at ``scale`` with ``overrides`` applied, validated."""
    experiment = get_experiment(experiment_name)
    if scale not in SCALES:
        raise ConfigError(f"scale: unknown {scale!r}; choose one of {', '.join(SCALES)}")
    settings: dict[str, Any] = dict(experiment.scales[scale])
    overrides = dict(overrides or {})
    if "alpha" in overrides:
        settings.pop("init_norm", None)
    if "init_norm" in overrides:
        settings.pop("alpha", None)
    settings.update(overrides)

    common: dict[str, Any] = {}
    sizes: dict[str, Any] = {}
    opt: dict[str, Any] = {}
    for key, raw in settings.items():
        if key.startswith("opt.") and len(key) > 4:
            opt[key[4:]] = _literal(raw)
            continue
        kind = COMMON_KEYS.get(key) or experiment.task_keys.get(key)
        if kind is None:
            raise ConfigError(
                f"unknown key {key!r} for {experiment.name}; allowed: {_allowed_keys(experiment)}"
            )
        value = convert(key, kind, raw)
        if key in CHECKS and not CHECKS[key][0](value):
            raise ConfigError(f"{key}: must be {CHECKS[key][1]}, got {raw!r}")
        (common if key in COMMON_KEYS else sizes)[key] = value

    if common.get("alpha") is not None and common.get("init_norm") is not None:
        raise ConfigError("alpha and init_norm: give one of the two, not both")
    if "k" in sizes and "d" in sizes and sizes["k"] > sizes["d"]:
        raise ConfigError(f"k: must be ≤ d ({sizes['d']}), got {sizes['k']}")
    if experiment.name == "matrix-completion" and sizes["n"] > sizes["d"] ** 2:
        raise ConfigError(f"n: must be ≤ d² ({sizes['d'] ** 2}), got {sizes['n']}")
    if "heads" in sizes and sizes["d_model"] % sizes["heads"]:
        raise ConfigError(f"heads: must divide d_model ({sizes['d_model']}), got {sizes['heads']}")
    dynamics = common.get("dynamics", "flow")
    _check_loss(experiment, common, dynamics)
    _check_steps(common, dynamics)
    from grokbench.engine.dynamics import (  # torch: not at import
        BUILTIN_DYNAMICS,
        resolve_optimizer,
    )
    from grokbench.engine.phases import validate as validate_phases

    validate_phases(common, dynamics)
    from grokbench.engine.grokfast import validate as validate_grokfast

    validate_grokfast(dynamics, opt)  # opt.grokfast_*: values, and a grokfast dynamics

    if dynamics not in BUILTIN_DYNAMICS:
        resolve_optimizer(dynamics)  # raises a ConfigError naming the problem
    if "model" in common:
        from grokbench.engine.model_plugins import resolve_model

        resolve_model(common["model"])  # the same: a ConfigError naming the import path
    config = RunConfig(experiment=experiment.name, scale=scale, task=sizes, opt=opt, **common)
    for key, value in (("horizon", config.horizon), ("linear_until", config.linear_until)):
        if value is not None and value.unit != "t" and config.wd <= 0:
            raise ConfigError(f"{key}: {value} is relative to 1/wd, which needs wd > 0")
    return config


def _check_loss(experiment: Experiment, common: dict[str, Any], dynamics: str) -> None:
    """``loss`` other than the default applies to multi-class tasks; ``logflow`` integrates
    its own log-loss, so neither ``loss`` nor ``loss_dtype`` can change it."""
    loss = common.get("loss", LOSSES[0])
    if loss != LOSSES[0] and experiment.kind != "multiclass":
        raise ConfigError(
            f"loss: {loss!r} is for multi-class tasks; {experiment.name} is {experiment.kind}"
        )
    if dynamics == "logflow" and (loss != LOSSES[0] or common.get("loss_dtype")):
        raise ConfigError("loss: logflow integrates its own log-loss; leave loss and loss_dtype")


def _check_steps(common: dict[str, Any], dynamics: str) -> None:
    """``batch``, ``stop_at`` need a step method (gd or an optimizer), ``warmup`` an
    optimizer (grokbench.engine.minibatch)."""
    for key in ("batch", "stop_at", "warmup"):
        if common.get(key) and dynamics in ("flow", "logflow", "ngd"):
            raise ConfigError(f"{key}: needs gd or an optimizer dynamics, got {dynamics!r}")
    if common.get("warmup") and dynamics == "gd":
        raise ConfigError("warmup: needs an optimizer dynamics (adamw, power-adamw, ...)")


def _literal(raw: Any) -> Any:
    """An optimizer setting from the command line: a number, a bool, a tuple, or a string."""
    if not isinstance(raw, str):
        return raw
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw
