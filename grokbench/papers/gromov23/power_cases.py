"""gromov23's falsification cases: synthetic ci-like members shaped like the prototype's runs
(the paper's world) and like each claim's counterfactual, fed to the same checks."""

from __future__ import annotations

import math
from collections.abc import Callable

from grokbench.engine.config import make_config
from grokbench.papers.gromov23.runsets import LAZY_ALPHA, RICH_ALPHA
from grokbench.spec import Case, Member, Record, Trace

SEEDS = (2, 3, 4)


def _sig(t: float, centre: float, width: float = 0.06) -> float:
    return 1.0 / (1.0 + math.exp(-(t - centre) / width))


def _member(seed: int, alpha: float = RICH_ALPHA, t_fit: float = 0.3, t_gen: float = 0.85,
            t_ipr: float = 0.7, ipr_gain: float = 0.16, phase_T: float = 0.13,
            analytic: float = 1.0) -> Member:  # fmt: skip
    """Train accuracy rises at t_fit, test at t_gen (to chance when t_gen = inf), the IPR
    from 0.081 by ipr_gain around t_ipr, the phase residual from 1.6 to phase_T."""
    config = make_config("modadd-quad", "ci", {"seed": seed, "alpha": alpha})
    rows = []
    for step in range(0, 501, 5):
        t = 0.005 * step
        train = 0.04 + 0.96 * _sig(t, t_fit)
        test = 0.04 + 0.96 * (_sig(t, t_gen) if math.isfinite(t_gen) else 0.0)
        probes = {"ipr": 0.081 + ipr_gain * _sig(t, t_ipr, 0.1),
                  "phase_err": phase_T + (1.6 - phase_T) * math.exp(-t / 0.1),
                  "analytic_acc": analytic, "analytic_acc_uncoupled": 0.04}  # fmt: skip
        rows.append(Record(t=t, step=step, grad_evals=step, wall_s=0.0, train_loss=1 - train,
                           test_loss=1 - test, param_norm=10.0, train_acc=train,
                           test_acc=test, probes=probes))  # fmt: skip
    return Member(config, Trace(config=config.to_dict(), env={}, records=rows))


def _world(**options: float) -> Callable[[], list[Member]]:
    def build() -> list[Member]:
        lazy = _member(SEEDS[0], alpha=LAZY_ALPHA, t_gen=math.inf, ipr_gain=0.02)
        return [*(_member(s, **options) for s in SEEDS), lazy]

    return build


CASES = [
    Case("G1", _world(), _world(t_gen=math.inf)),
    Case("IPR1", _world(), _world(t_ipr=0.25)),
    Case("PH1", _world(), _world(phase_T=1.5)),
    Case("A1", _world(), _world(analytic=0.04)),
]
