"""omnigrok23's falsification cases: synthetic ci members (the run set's own grid) shaped
like the tuning runs (the paper's world) and like each claim's counterfactual."""

from __future__ import annotations

import math
from collections.abc import Callable

from grokbench.engine.config import make_config
from grokbench.papers.omnigrok23.runsets import _grid
from grokbench.spec import Case, Member, Record, Trace

NORM0, GOLDILOCKS = 37.8, 30.0  # ‖θ₀‖ at α 4 and ‖θ(t_gen)‖ on the tuning seed
T_FIT = 0.46


def _trace(t_fit: float, t_gen: float, norm: Callable[[float], float], t_end: float,
           test_T: float = 0.95) -> list[Record]:  # fmt: skip
    """Step-shaped accuracies: train 0.5 → 1 at t_fit, test 0.8 → test_T at t_gen."""
    rows = []
    for i in range(301):
        t = t_end * i / 300
        train = 1.0 if t >= t_fit else 0.5
        test = test_T if t >= t_gen else 0.8
        rows.append(Record(t=t, step=i, grad_evals=i, wall_s=0.0, train_loss=1 - train,
                           test_loss=1 - test, param_norm=norm(t), train_acc=train,
                           test_acc=test))  # fmt: skip
    return rows


def _world(
    t_gen: Callable[[float], float] = lambda lam: math.log(NORM0 / GOLDILOCKS) / lam,
    norm_gen: Callable[[float], float] = lambda lam: GOLDILOCKS,
    sweep_fit: float = T_FIT,
    sphere_gen: float = 0.17,
) -> Callable[[], list[Member]]:
    """The sweep's t_gen(λ) and ‖θ(t_gen)‖(λ) (‖θ‖ decays exponentially to it), its t_fit,
    and the sphere member's t_gen (t_fit 0.23); the α = 1 control fits at 0.17, generalises
    at 0.11."""

    def build() -> list[Member]:
        members = []
        for overrides in _grid("ci"):
            config = make_config("image-mlp", "ci", overrides)
            lam = config.wd
            if config.dynamics.startswith("sphere-"):
                rows = _trace(0.23, sphere_gen, lambda t: 26.5, 2.5)
            elif config.alpha == 1.0:
                rows = _trace(0.17, 0.11, lambda t: 9.5 + t, 2.5)
            else:
                tg, ng = t_gen(lam), norm_gen(lam)
                rate = math.log(NORM0 / ng) / tg

                def norm(t: float, rate: float = rate) -> float:
                    return NORM0 * math.exp(-rate * t)

                rows = _trace(sweep_fit, tg, norm, max(1 / lam, 2.5))
            members.append(Member(config, Trace(config=config.to_dict(), env={}, records=rows)))
        return members

    return build


CASES = [
    Case("OG1", _world(), _world(t_gen=lambda lam: 0.5)),
    Case("OG2", _world(), _world(norm_gen=lambda lam: 10.0 * (lam / 0.1) ** 0.8)),
    Case("OG3", _world(), _world(t_gen=lambda lam: 2.0)),
    Case("OG4", _world(), _world(sphere_gen=1.15)),
]
