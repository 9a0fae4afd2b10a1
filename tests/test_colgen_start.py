"""Column generation from a capped first working set reaches the full LP's solution."""

import numpy as np
import pytest

from grokbench.baselines import linear_margins as lm
from grokbench.engine.config import make_config
from grokbench.engine.runner import prepare


@pytest.mark.parametrize("cap", [4, 256])
def test_capped_start_matches_the_plain_lp(monkeypatch: pytest.MonkeyPatch, cap: int) -> None:
    rng = np.random.default_rng(3)
    x = rng.choice([-1.0, 1.0], size=(60, 400))
    y = np.sign(x @ rng.choice([-1.0, 1.0], size=400) + 0.5)  # dense labels: a wide support
    monkeypatch.setattr(lm, "START_COLUMNS", cap)
    w, report = lm.l1_max_margin_colgen(x, y)
    plain = lm.l1_max_margin_plain(x, y)
    assert np.abs(w).sum() == pytest.approx(np.abs(plain).sum(), rel=1e-9)
    assert np.min(y * (x @ w)) >= 1 - 1e-8
    if cap == 4:  # pricing had to add columns beyond the first working set
        assert report["columns"] > cap and report["rounds"] > 1


#: Rounds the central duals may take on sparse sign data (eng.: 1 here with SciPy 1.15–1.17;
#: vertex duals, which SciPy 1.10–1.14 return whatever the options say, took 21).
CENTRAL_ROUNDS = 5


@pytest.mark.parametrize("crossover", [False, True])
def test_central_duals_price_sign_data_in_a_few_rounds(
    monkeypatch: pytest.MonkeyPatch, crossover: bool
) -> None:
    """Interior point without crossover where its solution is precise (``CENTRAL_OPTIONS``,
    honoured from SciPy 1.15, the floor) finds the support of a k = 3 sparse rule in a few
    rounds; with crossover always (the counterfactual, what older SciPy ran) the vertex
    duals take many more."""
    rng = np.random.default_rng(0)
    x = rng.choice([-1.0, 1.0], size=(96, 1000))
    y = np.sign(x[:, :3].sum(axis=1))
    if crossover:
        options = {k: v for k, v in lm.CENTRAL_OPTIONS.items() if k != "run_crossover"}
        monkeypatch.setattr(lm, "CENTRAL_OPTIONS", options)
    w, report = lm.l1_max_margin_colgen(x, y)
    assert set(np.flatnonzero(np.abs(w) > 1e-8 * np.abs(w).max())) == {0, 1, 2}
    assert (report["rounds"] <= CENTRAL_ROUNDS) != crossover


def test_an_imprecise_interior_point_is_crossed_over() -> None:
    """ci misgrok seed 0's restricted LP, where SciPy 1.15's HiGHS ends its interior point
    imprecise ("Unknown" with ``run_crossover`` off, a RuntimeError here): with "choose" it
    crosses over and the fit is a separating w (this fails on the floor with "off")."""
    data = prepare(make_config("misgrok", "ci", {"seed": 0, "n_test": 10})).data
    x, y = data.x_train.numpy(), data.y_train.numpy()
    w, report = lm.l1_max_margin_colgen(x, y)
    assert np.min(y * (x @ w)) >= 1 - 1e-8 and report["gap"] <= 1e-6
