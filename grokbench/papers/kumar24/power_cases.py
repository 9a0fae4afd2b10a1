"""kumar24's falsification cases: synthetic α sweeps shaped like the prototype's (the world
the paper describes) and like each claim's counterfactual, fed to the same checks."""

from __future__ import annotations

import math
from collections.abc import Callable

from grokbench.engine.config import make_config
from grokbench.papers.kumar24.runsets import member_overrides
from grokbench.spec import Case, Member, Record, Trace

ALPHAS = (0.05, 0.15, 0.5, 1.5, 5.0)
WIDTH, D, EPS, L0 = 100, 50, 0.05, 0.78
BETA2, TRM0 = 50.0, 50.0


def _times(t_gen: float) -> list[float]:
    """A log + linear grid in τ up to 4·t_gen."""
    end = 4 * t_gen
    log = [end * 10 ** (-4 + 4 * i / 60) for i in range(61)]
    return sorted({0.0, *log, *(end * i / 120 for i in range(121))})


def _member(alpha: float, clock: float = 1.0, decay: bool = False, together: bool = False,
            fixed_kernel: bool = False, precursor: bool = False) -> Member:  # fmt: skip
    """One ci-like member: train reaches 2/15 of L0 at t_fit = 400α, test at ρ·t_fit with
    ρ = 2.5(α/0.05)^0.15; ‖W‖ grows to the mean-fit norm; E_variance halves near t_fit,
    E_alignment at t_gen; the alignment triples around 1.5·t_gen. ``clock`` divides every
    time (the α² clock counterfactual)."""
    t_fit = 400 * alpha
    t_gen = 2.5 * (alpha / 0.05) ** 0.15 * t_fit
    pred = math.sqrt(1 + BETA2 / (alpha * EPS * TRM0))
    sizes = {"n": 275, "d": D, "width": WIDTH, "eps": EPS}
    config = make_config(
        "quad-index", "smoke", {**member_overrides("ci", alpha, 4, WIDTH), **sizes}
    )
    rows = []
    for step, tau in enumerate(_times(t_gen)):
        train = L0 * (2 / 15) ** (tau / t_fit)
        test = L0 * (2 / 15) ** ((tau / t_gen) ** 4)
        wnorm = (
            math.exp(-tau / t_gen) if decay else 1 + (pred - 1) * (1 - math.exp(-2 * tau / t_gen))
        )
        align = 0.1 * 0.5 ** ((tau / t_gen) ** 4)
        var = align if together else 0.3 * 0.5 ** (tau / (0.5 * t_fit))
        shift = 10 if precursor else 1
        cka = (
            0.03
            if fixed_kernel
            else 0.03 * (1 + 2 / (1 + (1.5 * t_gen / max(shift * tau, 1e-9)) ** 2))
        )
        t = tau / clock * WIDTH / alpha**2
        rows.append(Record(t=t, step=step, grad_evals=step, wall_s=0.0, train_loss=train,
                           test_loss=test, param_norm=10.0 * wnorm, train_mse=train, test_mse=test,
                           probes={"pop_test": test, "E_linear": 0.0, "E_variance": var,
                                   "E_alignment": align, "cka": cka, "beta2": BETA2,
                                   "trM0": TRM0}))  # fmt: skip
    trace = Trace(config=config.to_dict(), env={}, records=rows)
    return Member(config, trace)


def _sweep(**options: object) -> Callable[[], list[Member]]:
    def build() -> list[Member]:
        members = []
        for a in ALPHAS:
            opts = dict(options)
            if opts.pop("clock", False):
                opts["clock"] = a**2 / 0.05**2  # every time divided by α² (normalised)
            members.append(_member(a, **opts))  # type: ignore[arg-type]
        return members

    return build


def _constant_delay() -> list[Member]:
    """Laziness irrelevant: every member has the α_min run's curves."""
    base = _member(ALPHAS[0])
    out = []
    for a in ALPHAS:
        config = make_config("quad-index", "smoke", {**base.config.task, "out_scale": a,
                             **{k: v for k, v in member_overrides("ci", a, 4, WIDTH).items()
                                if k not in ("out_scale",)}})  # fmt: skip
        scale = (ALPHAS[0] / a) ** 2  # keep τ = t·α²/N equal to the base run's
        rows = [Record(**{**r.__dict__, "t": r.t * scale}) for r in base.trace.records]
        out.append(Member(config, Trace(config=config.to_dict(), env={}, records=rows)))
    return out


CASES = [
    Case("DL1", _sweep(), _sweep(clock=True)),
    Case("NG1", _sweep(), _sweep(decay=True)),
    Case("AL1", _sweep(), _sweep(fixed_kernel=True)),
    Case("MF1", _sweep(), _sweep(together=True)),
]
