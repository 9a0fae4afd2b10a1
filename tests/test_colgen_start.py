"""Column generation from a capped first working set reaches the full LP's solution."""

import numpy as np
import pytest

from grokbench.baselines import linear_margins as lm


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
