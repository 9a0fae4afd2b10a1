"""Evaluation times never pass the horizon (np.logspace's last point can be t_end + 1 ulp)."""

import pytest

from grokbench.engine.schedule import evaluation_times


@pytest.mark.parametrize("t_first", [None, 1e-3])
@pytest.mark.parametrize("t_end", [600.0, 2000.0, 3000.0, 8000.0, 1e4, 2e5])
def test_times_end_at_the_horizon(t_end: float, t_first: float | None) -> None:
    times = evaluation_times(t_end, 400, t_first=t_first)
    assert float(times[-1]) == t_end
    assert bool((times <= t_end).all())
    assert bool((times[1:] > times[:-1]).all())
    assert float(times[0]) == 0.0
