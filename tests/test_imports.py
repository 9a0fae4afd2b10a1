"""One rule for import paths (``grokbench.infra.imports``): model factories, optimizer
classes, ``--plugin`` modules and the integrator table, the current directory searched too."""

from __future__ import annotations

import collections
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from grokbench.cli import main
from grokbench.engine.config import make_config
from grokbench.infra.imports import import_module, resolve, split
from grokbench.spec import ConfigError

EMA = '''
import torch


class Ema(torch.optim.SGD):
    """Momentum as an exponential moving average of the gradients (t = Σ lr)."""

    def __init__(self, params, lr, beta=0.9, weight_decay=0.0):
        super().__init__(params, lr=lr, momentum=beta, dampening=beta, weight_decay=weight_decay)


def ema_factory(params, lr, **settings):
    return Ema(params, lr, **settings)


TABLE = {"ema": Ema}
'''


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A current directory holding my_optim.py, not on sys.path; both restored after."""
    (tmp_path / "my_optim.py").write_text(EMA)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    sys.modules.pop("my_optim", None)
    yield tmp_path
    sys.modules.pop("my_optim", None)


@pytest.mark.parametrize(
    "path, found",
    [
        ("torch.optim:Adam", torch.optim.Adam),
        ("torch.optim.Adam", torch.optim.Adam),
        ("collections:OrderedDict.fromkeys", collections.OrderedDict.fromkeys),
    ],
)
def test_colon_and_dot_forms_resolve(path: str, found: object) -> None:
    assert resolve(path, "thing") == found


@pytest.mark.parametrize(
    "path, words",
    [
        ("nocolon", "thing: 'nocolon' is not an import path"),
        ("torch.optim:", "thing: 'torch.optim:' is not an import path"),
        (":Adam", "thing: ':Adam' is not an import path"),
        ("no_such_module_xyz:f", "thing: cannot import 'no_such_module_xyz:f' (No module named"),
        ("torch.optim:Lion", "thing: cannot import 'torch.optim:Lion' ("),
    ],
)
def test_a_bad_path_is_one_config_error_naming_what_and_the_path(path: str, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        resolve(path, "thing")
    assert str(error.value).startswith(words) and "\n" not in str(error.value)


def test_split_is_the_rule_for_both_forms() -> None:
    assert split("a.b:c.d") == ("a.b", "c.d")
    assert split("a.b.c") == ("a.b", "c")
    assert split("adamw") is None


def test_the_current_directory_is_searched(here: Path) -> None:
    assert import_module("my_optim", "--plugin").__file__ == str(here / "my_optim.py")
    assert resolve("my_optim:Ema", "dynamics").__name__ == "Ema"
    assert resolve("my_optim.TABLE", "dynamics")["ema"].__name__ == "Ema"


def test_a_module_nowhere_is_a_config_error_naming_what(here: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--plugin: cannot import 'no_such_plugin_xyz' \("):
        import_module("no_such_plugin_xyz", "--plugin")


def test_dynamics_and_model_from_the_current_directory_validate_alike(here: Path) -> None:
    config = make_config("sparse-cls", "smoke", {"dynamics": "my_optim:Ema"})
    assert config.dynamics == "my_optim:Ema"
    make_config("sparse-cls", "smoke", {"dynamics": "my_optim.ema_factory"})
    with pytest.raises(ConfigError, match=r"^model: cannot import 'my_optim:nothing'"):
        make_config("sparse-cls", "smoke", {"model": "my_optim:nothing"})
    with pytest.raises(ConfigError, match=r"^dynamics: cannot import 'my_optim:nothing'"):
        make_config("sparse-cls", "smoke", {"dynamics": "my_optim:nothing"})


def test_run_with_an_optimizer_from_the_current_directory(here: Path, capsys) -> None:
    out = here / "trace.json"
    args = ["run", "sparse-cls", "--scale", "smoke", "--set", "dynamics=my_optim:Ema"]
    args += ["--set", "lr=0.05", "--set", "horizon=5", "--set", "evals=10", "--out", str(out)]
    code = main(args)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "my_optim:Ema" in captured.out and out.exists()
