"""Evaluation times never pass the horizon (np.logspace's last point can be t_end + 1 ulp);
``linear_until`` ends their evenly spaced part early."""

import numpy as np
import pytest
import torch

from grokbench.engine import runner
from grokbench.engine.config import make_config
from grokbench.engine.schedule import evaluation_times
from grokbench.spec import ConfigError, RunConfig


@pytest.mark.parametrize("t_first", [None, 1e-3])
@pytest.mark.parametrize("t_end", [600.0, 2000.0, 3000.0, 8000.0, 1e4, 2e5])
def test_times_end_at_the_horizon(t_end: float, t_first: float | None) -> None:
    times = evaluation_times(t_end, 400, t_first=t_first)
    assert float(times[-1]) == t_end
    assert bool((times <= t_end).all())
    assert bool((times[1:] > times[:-1]).all())
    assert float(times[0]) == 0.0


def test_an_early_linear_end_moves_the_even_points_into_it() -> None:
    """``linear_until``: the evenly spaced points resolve [0, linear_end], four times finer
    here than spread over the whole horizon, and only the log-spaced ones fall past it."""
    whole = evaluation_times(2e5, 1500, t_first=1e-5).numpy()
    early = evaluation_times(2e5, 1500, t_first=1e-5, linear_end=3e4).numpy()
    assert early[-1] == 2e5 and len(early) == pytest.approx(len(whole), abs=20)

    def spacing(times: np.ndarray, start: float, end: float) -> float:
        inside = times[(times >= start) & (times <= end)]
        return float(np.diff(inside).max())

    assert spacing(early, 3e3, 1.2e4) < 0.3 * spacing(whole, 3e3, 1.2e4)
    assert ((early > 3e4).sum()) < 0.1 * ((whole > 3e4).sum())
    past = early[early > 3e4]
    assert np.allclose(past[1:] / past[:-1], past[1] / past[0], rtol=1e-9)  # log-spaced
    beyond = evaluation_times(600.0, 400, t_first=1e-3, linear_end=1e4)  # past the horizon:
    assert torch.equal(beyond, evaluation_times(600.0, 400, t_first=1e-3))  # the default


def test_linear_until_is_a_horizon_that_keeps_other_hashes() -> None:
    plain = make_config("misgrok", "ci")
    assert "linear_until" not in plain.to_dict()  # stored runs keep their keys
    early = make_config("misgrok", "ci", {"linear_until": "5/wd"})
    assert early.to_dict()["linear_until"] == "5/wd" and early.key() != plain.key()
    assert RunConfig.from_dict(early.to_dict()) == early
    with pytest.raises(ConfigError, match="linear_until"):
        make_config("misgrok", "ci", {"linear_until": "soon"})
    with pytest.raises(ConfigError, match="linear_until"):
        make_config("misgrok", "ci", {"linear_until": "5/wd", "wd": 0.0, "horizon": "100"})


def test_a_run_ends_its_even_points_at_linear_until() -> None:
    config = make_config("sparse-cls", "smoke", {"linear_until": "2/wd", "evals": 60})
    prepared = runner.prepare(config)
    assert prepared.t_linear == pytest.approx(2 / config.wd)
    objective = runner.objective_of(prepared)
    times = runner.run_times(prepared, objective).numpy()
    assert times[-1] == pytest.approx(prepared.t_end)
    assert (times <= prepared.t_linear * (1 + 1e-12)).sum() > 0.75 * len(times)
