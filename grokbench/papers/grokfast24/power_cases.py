"""grokfast24's falsification cases: synthetic ci-like members, the paper's world (the
filter crosses 95% test accuracy 5× sooner and ends as accurate) and each claim's
counterfactual, fed to the same checks."""

from __future__ import annotations

import math
from collections.abc import Callable

from grokbench.engine.config import make_config
from grokbench.papers.grokfast24.runsets import ARMS, PINNED, SCALE, SEEDS
from grokbench.spec import Case, Member, Record, Trace


def _member(arm: str, seed: int, t_grok: float, final: float = 1.0) -> Member:
    """Train accuracy rises at update 150, test at ``t_grok`` to ``final``."""
    config = make_config("binop", "ci", {**SCALE["ci"], **PINNED, **ARMS[arm], "seed": seed})
    rows = []
    for step in range(0, 2001, 25):
        train = 0.04 + 0.96 / (1 + math.exp(-(step - 120) / 10))
        test = 0.04 + (final - 0.04) / (1 + math.exp(-(step - t_grok) / 30))
        rows.append(Record(t=step * 3e-3, step=step, grad_evals=step, wall_s=0.0,
                           train_loss=1 - train, test_loss=1 - test, param_norm=10.0,
                           train_acc=train, test_acc=test))  # fmt: skip
    return Member(config, Trace(config=config.to_dict(), env={}, records=rows))


def _world(ema: float = 300.0, ma: float = 320.0, final: float = 1.0) -> Callable[[], list[Member]]:
    """Baselines cross at ≈ 1500–1600 updates; EMA at ``ema``, MA at ``ma``; the filtered
    runs end at ``final``."""

    def build() -> list[Member]:
        out = []
        for i, seed in enumerate(SEEDS["ci"]):
            out += [_member("base", seed, 1500.0 + 50 * i),
                    _member("ema", seed, ema + 10 * i, final),
                    _member("ma", seed, ma + 10 * i, final)]  # fmt: skip
        return out

    return build


CASES = [
    Case("GF1", _world(), _world(ema=1450.0)),
    Case("GF2", _world(), _world(final=0.9)),
    Case("GF3", _world(), _world(ma=1450.0)),
]
