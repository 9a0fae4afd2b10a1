"""power22's falsification cases: synthetic ci-shaped runs from the world the paper describes
and from each claim's counterfactual, fed to the same checks (tests/test_power.py; the
report's Power table). Ported from the research prototype's ``claims.py --power``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from grokbench.engine.config import make_config
from grokbench.spec import Case, Member, Record, Trace

#: T99 of a fraction (None: not within the budget).
Curve = Callable[[float], "int | None"]
BUDGET, EVERY = 3000, 50
FRACS = (0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
ARMS: dict[str, dict[str, Any]] = {
    "init": {"opt.wd_kind": "to_init"}, "adam": {"wd": 0.0},
    "adam+dropout": {"wd": 0.0, "dropout": 0.1},
}  # fmt: skip
#: The true world's seed-mean best test accuracy per intervention and fraction.
TRUE_ARMS = {"init": {0.8: 0.7, 0.9: 0.96}, "adam": {0.8: 0.02, 0.9: 0.04},
             "adam+dropout": {0.8: 0.2, 0.9: 0.45}}  # fmt: skip


def member(overrides: dict[str, Any], t99v: int | None, t99t: int = 150,
           best: float | None = None) -> Member:  # fmt: skip
    """A ci binop run whose test accuracy reaches 1 at update ``t99v`` (and the run stops),
    or peaks at ``best``; train accuracy 1 from update ``t99t``."""
    config = make_config("binop", "ci", overrides)
    peak = (1.0 if t99v is not None else 0.05) if best is None else best
    end = t99v if t99v is not None else BUDGET
    records = []
    for step in range(0, end + 1, EVERY):
        last = step + EVERY > end
        test = 1.0 if (t99v is not None and step >= t99v) else (peak if last else 0.01)
        records.append(Record(
            t=step * config.lr, step=step, grad_evals=step, wall_s=0.0, train_loss=0.1,
            test_loss=1.0, param_norm=30.0, train_acc=1.0 if step >= t99t else 0.5,
            test_acc=test,
        ))  # fmt: skip
    return Member(config, Trace(config=config.to_dict(), env={}, records=records))


def steep(f: float) -> int | None:
    """ln T falls by 7 per unit f; the 3000-update budget cuts it below f = 0.75."""
    t = round(1600 * math.exp(-7 * (f - 0.8)) / EVERY) * EVERY
    return None if t > BUDGET else t


def _ops_t(f: float) -> int | None:  # x−y reaches 99% from f = 0.7 on
    return 1000 if f >= 0.7 - 1e-9 else None


def world(
    curve: Curve = steep,
    arms: dict[str, dict[float, float]] | None = None,
    quad_best: float = 0.05,
    div_shift: float = 0.0,
    fit: Callable[[float, int | None], int] = lambda f, t: 150,
) -> list[Member]:
    """Every member of the three ci run sets in a synthetic world."""
    out = []
    for seed in (11, 12, 13):
        for f in FRACS:
            t = curve(f)
            out.append(member({"op": "add", "frac": f, "seed": seed}, t, fit(f, t)))
    for name, by_f in (arms or TRUE_ARMS).items():
        for f, b in by_f.items():
            for seed in (11, 12):
                t = 1000 if b >= 0.99 else None
                out.append(member({**ARMS[name], "op": "add", "frac": f, "seed": seed}, t, best=b))
    for seed in (11, 12):
        for f in (0.7, 0.8, 0.9):
            out.append(member({"op": "sub", "frac": f, "seed": seed}, _ops_t(f)))
            out.append(
                member({"op": "div", "frac": f, "seed": seed}, _ops_t(round(f - div_shift, 2)))
            )
        for f in (0.8, 0.9):
            out.append(member({"op": "quad", "frac": f, "seed": seed}, None, best=quad_best))
    return out


_DROPOUT_AS_WD = {**TRUE_ARMS, "adam+dropout": {0.8: 1.0, 0.9: 1.0}}
_INIT_USELESS = {**TRUE_ARMS, "init": {0.8: 0.02, 0.9: 0.04}}

CASES = [
    Case("PW1", world, lambda: world(lambda f: 900)),
    Case("PW1", world, lambda: world(lambda f: round(1000 / f))),
    Case("PW1", world, lambda: world(fit=lambda f, t: t or 150)),
    Case("PW2", world, lambda: world(lambda f: 900)),
    Case("PW2", world, lambda: world(lambda f: None)),
    Case("PW3", world, lambda: world(arms=_DROPOUT_AS_WD)),
    Case("PW3", world, lambda: world(lambda f: None)),
    Case("PW3b", world, lambda: world(arms=_INIT_USELESS)),
    Case("PW4", world, lambda: world(quad_best=1.0)),
    Case("PW4", world, lambda: world(div_shift=0.2)),
]
