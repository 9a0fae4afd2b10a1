"""Runs logged to TensorBoard and MLflow (the [tracking] extra), and tqdm.auto progress."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from grokbench.cli import main
from grokbench.engine.config import make_config
from grokbench.engine.runner import run
from grokbench.infra import progress, sinks
from grokbench.spec import ConfigError


@pytest.fixture(scope="module")
def trace():
    return run(make_config("sparse-cls", "smoke", {"horizon": "1/wd"}))


class FakeMlflow(types.ModuleType):
    """Records what grokbench logs, as mlflow's functions would receive it."""

    def __init__(self) -> None:
        super().__init__("mlflow")
        self.params: dict[str, str] = {}
        self.metrics: list[tuple[dict[str, float], int | None]] = []
        self.experiment = ""

    def set_experiment(self, name: str) -> None:
        self.experiment = name

    def start_run(self, run_name: str) -> Any:
        import contextlib

        self.run_name = run_name
        return contextlib.nullcontext()

    def log_params(self, params: dict[str, str]) -> None:
        self.params.update(params)

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        self.metrics.append((metrics, step))


def test_mlflow_gets_the_config_and_every_record(trace, monkeypatch) -> None:
    fake = FakeMlflow()
    monkeypatch.setitem(sys.modules, "mlflow", fake)
    sinks.parse_sink("mlflow:mine")(trace)
    assert fake.experiment == "mine" and fake.params["experiment"] == "sparse-cls"
    stepped = [(m, s) for m, s in fake.metrics if s is not None]
    assert [s for _, s in stepped] == [r.step for r in trace.records]
    assert stepped[-1][0]["test_acc"] == trace.records[-1].test_acc
    assert "summary/wall_s" in fake.metrics[-1][0]


def test_tensorboard_writes_the_scalars(trace, tmp_path: Path) -> None:
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    sinks.to_tensorboard(trace, str(tmp_path))
    (run_dir,) = tmp_path.iterdir()
    events = EventAccumulator(str(run_dir))
    events.Reload()
    logged = events.Scalars("test_acc")
    assert [e.step for e in logged] == [r.step for r in trace.records]
    assert logged[-1].value == pytest.approx(trace.records[-1].test_acc)


def test_a_bad_sink_is_bad_input(tmp_path: Path, capsys) -> None:
    with pytest.raises(ConfigError, match="unknown sink"):
        sinks.parse_sink("wandb")
    assert main(["run", "sparse-cls", "--scale", "smoke", "--sink", "tensorboard"]) == 2
    assert "needs a folder" in capsys.readouterr().err


def test_notebook_bar_uses_tqdm_auto_when_installed(monkeypatch) -> None:
    drawn: list[int] = []

    class FakeTqdm:
        def __init__(self, total: int, **_: Any) -> None:
            self.n = 0

        def update(self, count: int) -> None:
            self.n += count
            drawn.append(self.n)

        def close(self) -> None:
            drawn.append(-1)

    auto = types.ModuleType("tqdm.auto")
    auto.tqdm = FakeTqdm  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm.auto", auto)
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    bar = progress.notebook_bar("run")
    bar(0.25)
    bar(0.5)
    bar.close()
    assert drawn == [250, 500, -1]
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # not installed: the plain bar
    assert isinstance(progress.notebook_bar("run"), progress.ProgressBar)
