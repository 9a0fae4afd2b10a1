"""varma23's falsification cases: synthetic ci-like members. The true world is the paper's:
runs below D_crit memorise (train fitted, test at 0) with a norm that grows with D, runs
above it grok to 100% at a norm independent of D, one run near D_crit semi-groks, and a
grokked net continued below D_crit ungroks. Each counterfactual bends that world as its
claim's counterfactual says."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grokbench.engine.config import make_config
from grokbench.papers.varma23.runsets import _dsweep, _ungrok
from grokbench.spec import Case, Member, Record, Trace

D_CRIT = 0.45
T = np.linspace(0.0, 12.0, 121)


def member(overrides: dict[str, object], acc: np.ndarray, norm: float,
           summary: dict[str, float] | None = None) -> Member:  # fmt: skip
    """A member with test accuracy ``acc`` over T, train fitted from t = 0.3, final ‖θ‖."""
    settings = dict(overrides)
    experiment = str(settings.pop("experiment"))
    config = make_config(experiment, "ci", settings)
    rows = [Record(t=float(t), step=i, grad_evals=i, wall_s=0.0, train_loss=0.1,
                   test_loss=1.0, param_norm=norm, train_acc=1.0 if t >= 0.3 else 0.5,
                   test_acc=float(acc[i])) for i, t in enumerate(T)]  # fmt: skip
    trace = Trace(config=config.to_dict(), env={}, records=rows, summary=dict(summary or {}))
    return Member(config, trace)


def _rise(t_grok: float, level: float = 1.0) -> np.ndarray:
    return level / (1.0 + np.exp(-(T - t_grok) * 4.0))


def dsweep(mem_slope: float = 0.7, semi: bool = True) -> list[Member]:
    """The from-scratch sweep; ``mem_slope``: d ln‖θ‖/dD of the memorisers; ``semi``: the
    run just below D_crit ends on a 0.6 plateau instead of at chance."""
    out = []
    for o in _dsweep("ci"):
        f = float(o["frac"])  # type: ignore[arg-type]
        if f >= D_CRIT:
            out.append(member(o, _rise(2.0 + 0.2 / (f - 0.4)), 26.5))
        elif semi and D_CRIT - 0.03 <= f < D_CRIT:
            out.append(member(o, _rise(3.0, 0.6), 27.0))
        else:
            out.append(member(o, np.zeros_like(T), 26.0 * np.exp(mem_slope * (f - 0.25))))
    return out


def ungrok(ungrokked: bool = True, always: bool = False) -> list[Member]:
    """The continued runs: phase 1 grokked; below D_crit/2 the test accuracy falls to 0.05
    (``ungrokked``), above D_crit it stays 1 unless ``always``."""
    out = []
    for o in _ungrok("ci"):
        d2 = float(o["frac"]) * float(o["phase2_keep"])  # type: ignore[arg-type]
        drop = (ungrokked and d2 <= D_CRIT / 2) or always
        acc = np.where(T < 4.0, _rise(1.5), 0.05 if drop else 1.0)
        out.append(member(o, acc, 25.0, {"phase1_test_acc": 1.0, "phase2_t": 4.0}))
    return out


def _world(**options: object) -> Callable[[], list[Member]]:
    ungrok_options = {k: options.pop(k) for k in ("ungrokked", "always") if k in options}
    return lambda: dsweep(**options) + ungrok(**ungrok_options)  # type: ignore[arg-type]


CASES = [
    Case("V1", _world(), _world(ungrokked=False)),
    Case("V2", _world(), _world(semi=False)),
    Case("V3", _world(), _world(mem_slope=0.0)),
]
