"""Runs into the trackers researchers already use: TensorBoard and MLflow (optional extras,
``pip install "grokbench[tracking]"``).

A sink receives a finished Trace: its settings as hyper-parameters, and every record's
numbers as scalars at the record's step. The x-axis is the step (what both trackers index
by); continuous time t is logged as a scalar of its own, so a plot against t is one click
away. ``grokbench run --sink tensorboard:DIR --sink mlflow[:EXPERIMENT]``.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterator
from typing import Any

from grokbench.spec import ConfigError, RunConfig, Trace

SINKS = ("tensorboard", "mlflow")


def scalars(trace: Trace) -> Iterator[tuple[int, dict[str, float]]]:
    """(step, {name: value}) per record: the record's numbers and probes, finite ones only."""
    for record in trace.records:
        row = record.to_dict()
        probes = row.pop("probes", {})
        step = int(row.pop("step"))
        values = {**row, **{f"probes/{k}": v for k, v in probes.items()}}
        yield step, {k: float(v) for k, v in values.items() if _finite(v)}


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(float(value))


def run_name(trace: Trace) -> str:
    config = trace.config
    key = RunConfig.from_dict(config).key()  # the store's key: one name per config
    return f"{config['experiment']}-{config['scale']}-seed{config['seed']}-{key[:8]}"


def _require(module: str, extra: str = "tracking") -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"--sink: {module} is not installed (pip install 'grokbench[{extra}]')"
        ) from None


def to_tensorboard(trace: Trace, logdir: str) -> None:
    """One TensorBoard run per trace under ``logdir``: scalars, and the settings as text."""
    writer_module = _require("torch.utils.tensorboard")
    writer = writer_module.SummaryWriter(log_dir=f"{logdir}/{run_name(trace)}")
    try:
        settings = "\n".join(f"    {k} = {v}" for k, v in sorted(trace.config.items()))
        writer.add_text("config", settings, 0)
        for step, values in scalars(trace):
            for name, value in values.items():
                writer.add_scalar(name, value, step)
    finally:
        writer.close()


def to_mlflow(trace: Trace, experiment: str = "grokbench") -> None:
    """One MLflow run per trace (tracking URI from MLflow's own settings): the config as
    parameters, the records as metrics, the summary's numbers as final metrics."""
    mlflow = _require("mlflow")
    mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name=run_name(trace)):
        mlflow.log_params({k: str(v)[:500] for k, v in trace.config.items()})
        for step, values in scalars(trace):
            mlflow.log_metrics(values, step=step)
        summary = {f"summary/{k}": float(v) for k, v in trace.summary.items() if _finite(v)}
        mlflow.log_metrics(summary)


def parse_sink(spec: str) -> Callable[[Trace], None]:
    """``tensorboard:DIR`` or ``mlflow[:EXPERIMENT]`` → a function that logs one trace."""
    kind, _, where = spec.partition(":")
    if kind == "tensorboard":
        if not where:
            raise ConfigError("--sink tensorboard: needs a folder, e.g. tensorboard:runs/")
        return lambda trace: to_tensorboard(trace, where)
    if kind == "mlflow":
        return lambda trace: to_mlflow(trace, where or "grokbench")
    raise ConfigError(f"--sink: unknown sink {kind!r}; choose from {', '.join(SINKS)}")
