"""mohamadi24's falsification cases: synthetic ci-like sweeps shaped like the prototype's
(the paper's world) and like each claim's counterfactual, fed to the same checks."""

from __future__ import annotations

import math
from collections.abc import Callable

from grokbench.engine.config import make_config
from grokbench.papers.mohamadi24.runsets import GRIDS, WEIGHT_DECAY
from grokbench.spec import Case, Member, Record, Trace


def _sig(x: float, width: float) -> float:
    return 1.0 / (1.0 + math.exp(-x / width))


def _net_fraction(p: int) -> float:
    """The prototype's shape: f_N(11) ≈ 0.65 falling like p^{-1/2} (samples ∝ p^{1.5})."""
    return 0.65 * (11 / p) ** 0.5


def _member(p: int, frac: float, seed: int, net_frac: float, kernel: str,
            share: float) -> Member:  # fmt: skip
    """Held-out accuracy of the net rising around ``net_frac``; the kernel's 0 ("zero"),
    equal to the net's ("net") or rising with the fraction ("partial"); the kernel
    distance reaching ``share`` of its final 0.03 by the fit (t ≈ 0.4), the rest at t ≈ 0.9."""
    config = make_config("modadd-quad", "ci", {"p": p, "frac": frac, "seed": seed,
                                               "wd": WEIGHT_DECAY})  # fmt: skip
    final = _sig(frac - net_frac, 0.02)
    held_out = {"zero": 0.0, "net": final, "partial": 0.5 * frac / 0.75}[kernel]
    constants = {"train_frac": frac, "chance": 1.0 / p, "kernel_svm_acc": held_out,
                 "kernel_interp_acc": held_out}  # fmt: skip
    rows = []
    for step in range(0, 501, 5):
        t = 0.005 * step
        train = 0.04 + 0.96 * _sig(t - 0.3, 0.02)
        test = final * _sig(t - 0.9, 0.05)
        dist = 0.03 * (share * _sig(t - 0.2, 0.03) + (1 - share) * _sig(t - 0.9, 0.05))
        rows.append(Record(t=t, step=step, grad_evals=step, wall_s=0.0, train_loss=1 - train,
                           test_loss=1 - test, param_norm=10.0, train_acc=train,
                           test_acc=test, probes={"ntk_dist": dist, **constants}))  # fmt: skip
    return Member(config, Trace(config=config.to_dict(), env={}, records=rows))


def _world(constant_net: bool = False, kernel: str = "zero",
           share: float = 0.3) -> Callable[[], list[Member]]:  # fmt: skip
    def build() -> list[Member]:
        ps, fractions, seeds = GRIDS["ci"]
        return [
            _member(p, f, s, 0.85 if constant_net else _net_fraction(p), kernel, share)
            for p in ps for f in fractions for s in seeds
        ]  # fmt: skip

    return build


CASES = [
    Case("KS1", _world(), _world(kernel="net")),
    Case("KS2", _world(), _world(constant_net=True)),
    Case("KS3", _world(), _world(kernel="partial")),
    Case("KD1", _world(), _world(share=0.9)),
]
