"""prieto25's falsification cases: synthetic runs shaped like the prototype's (the world the
paper describes) and like each claim's counterfactual, fed to the same checks
(tests/test_power.py; the report's Power table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grokbench.engine.config import make_config
from grokbench.spec import Case, Member, Record, Trace

Curve = Callable[[float], float]
#: The ci proxy's evaluation grid, in steps (CE runs: 7000 steps of lr 1e-3, every 250).
CE_STEPS = list(range(0, 7001, 250))
ORTHO_STEPS = list(range(0, 1001, 10))


def _member(overrides: dict[str, Any], steps: list[int], lr: float, **curves: Curve) -> Member:
    """A ci-like modadd run (p = 23) whose records follow ``curves`` of the step count
    (record fields by name, anything else a probe)."""
    settings = {"p": 23, "frac": 0.8, "alpha": 1.0, "wd": 0.0, "dynamics": "adamw",
                "lr": lr, "horizon": f"{steps[-1] * lr:g}", "seed": 6, **overrides}  # fmt: skip
    config = make_config("modadd", "smoke", settings)
    fields = {"train_acc", "test_acc", "train_loss", "train_margin"}
    rows = []
    for step in steps:
        values = {name: curve(step) for name, curve in curves.items()}
        rows.append(
            Record(
                t=step * lr, step=step, grad_evals=step, wall_s=0.0,
                train_loss=values.get("train_loss", 0.1), test_loss=1.0, param_norm=10.0,
                train_acc=values.get("train_acc", 1.0 if step >= 250 else 0.5),
                test_acc=values.get("test_acc", 0.0), train_margin=values.get("train_margin"),
                probes={k: v for k, v in values.items() if k not in fields},
            )
        )  # fmt: skip
    trace = Trace(config=config.to_dict(), env={}, records=rows)
    return Member(config, trace)


def _ce(
    dtype: str, margin_at_sc: float, test: Curve, cos: Curve | None = None, slope: float = 0.006
) -> Member:
    """A torch-CE run whose median margin grows by ``slope`` per step and collapses once it
    reaches ``margin_at_sc``."""
    margin: Curve = lambda s: slope * s  # noqa: E731
    curves: dict[str, Curve] = {
        "median_margin": margin,
        "sc_frac": lambda s: 1.0 if margin(s) >= margin_at_sc else 0.0,
        "test_acc": test,
        "cos_nlm": cos or (lambda s: 0.78),
    }
    return _member({"loss": "ce-torch", "dtype": dtype}, CE_STEPS, 1e-3, **curves)


def _ramp(top: float, start: int = 0, end: int = 7000) -> Curve:
    return lambda s: top * min(1.0, max(0.0, (s - start) / (end - start)))


# ---- the worlds --------------------------------------------------------------------------
# float32 collapses at margin 16.8 (step 2800), float64 at 37.5 (step 6250): the absorption
# thresholds ln(1/u) of each dtype, with one competing class.
def _sc_world() -> list[Member]:
    rise = _ramp(0.5, 500, 6000)
    f32 = _ce("float32", 16.8, lambda s: rise(s) if s < 2800 else 0.12)
    f64 = _ce("float64", 37.5, lambda s: rise(s) if s < 6250 else 0.9)
    return [f32, f64]


def _underflow_world() -> list[Member]:
    """Collapse only where exp underflows (margin ≈ 88, in both dtypes), reached by
    step 5900 with margins growing 2.5× faster."""
    rise = _ramp(0.5, 500, 6000)
    return [_ce(dtype, 88.0, rise, slope=0.015) for dtype in ("float32", "float64")]


def _equal_curves() -> list[Member]:
    same = _ramp(0.9)
    return [_ce("float32", 16.8, same), _ce("float64", 37.5, same)]


def _sc2b(departs: bool = False) -> list[Member]:
    f32, f64 = _sc_world()
    if departs:  # another float32 error: apart from the start
        f32 = _ce("float32", 16.8, lambda s: 0.0)
    ctrl_rise = _ramp(0.5, 500, 6000)
    ctrl = _member({"loss": "ce-accurate", "dtype": "float32"}, CE_STEPS, 1e-3,
                   test_acc=ctrl_rise, sc_frac=lambda s: 0.0)  # fmt: skip
    return [f32, f64, ctrl]


def _nlm(cos: float) -> list[Member]:
    f64 = _ce("float64", 37.5, _ramp(0.5), cos=lambda s: 0.1 if s < 250 else cos)
    return [_ce("float32", 16.8, _ramp(0.5)), f64]


def _stablemax(top: float) -> list[Member]:
    steps = list(range(0, 3501, 125))
    stablemax = _member({"loss": "stablemax", "dtype": "float32"}, steps, 1e-2,
                        test_acc=_ramp(top, 0, 3500), sc_frac=lambda s: 0.0)  # fmt: skip
    collapsed: Curve = lambda s: 1.0 if s > 1750 else 0.0  # noqa: E731
    ce = _member({"loss": "ce-torch", "dtype": "float32"}, steps, 1e-2,
                 test_acc=_ramp(0.15, 0, 3500), sc_frac=collapsed)  # fmt: skip
    return [stablemax, ce]


def _ortho(gen_step: int, final: float = 0.9) -> list[Member]:
    """⊥AdamW fits at step 30 and reaches 50% test accuracy at ``gen_step``."""
    test: Curve = lambda s: final if s >= gen_step else 0.1  # noqa: E731
    ortho = _member({"loss": "ce-torch", "dtype": "float32", "dynamics": "ortho-adamw"},
                    ORTHO_STEPS, 1e-2, test_acc=test,
                    train_acc=lambda s: 1.0 if s >= 30 else 0.5)  # fmt: skip
    return [ortho]


CASES = [
    Case("SC1", _sc_world, _underflow_world),
    Case("SC2", _sc_world, _equal_curves),
    Case("SC2b", _sc2b, lambda: _sc2b(departs=True)),
    Case("NLM1", lambda: _nlm(0.78), lambda: _nlm(0.05)),
    Case("SM1", lambda: _stablemax(0.78), lambda: _stablemax(0.15)),
    Case("OG1c", lambda: _ortho(70), lambda: _ortho(900)),
]
