"""lyu24's falsification cases: for every claim, synthetic evidence from the world the
theory describes and from its counterfactual (CLAIMS.md, "Falsification"), run by
``grokbench.claims.power`` (tests/test_power.py and the report's Power table)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from grokbench.baselines.kernel import RegularisedKernelLogistic
from grokbench.claims.collect import untrained
from grokbench.claims.synthetic import ALPHAS, baseline, constant, grokking_run, step, sweep
from grokbench.engine.config import make_config
from grokbench.spec import Case, Member

# ---- worlds shared by several claims ---------------------------------------------------


def _tiny_kernel() -> tuple[np.ndarray, np.ndarray]:
    """A small sparse-teacher data set's NTK (8⟨x, x'⟩ of the diagonal net) and labels."""
    rng = np.random.default_rng(0)
    x = rng.choice([-1.0, 1.0], size=(24, 40))
    y = np.sign(x[:, 0] + x[:, 1] + x[:, 2])
    return 8 * x @ x.T, y


def _q_qs(alpha: float, wd: float = 0.01) -> float:
    kernel, y = _tiny_kernel()
    return RegularisedKernelLogistic(2 * wd / alpha).fit(kernel, y).margin_


def _margin_sweep(margin_of: Callable[[float], float]) -> list[Member]:
    kernel, y = _tiny_kernel()
    svm = baseline("ntk_svm", 0.55, k_train=kernel, y_train=y)
    return sweep("sparse-cls", "alpha", ALPHAS, baselines={"ntk_svm": svm},
                 margin=lambda a: constant(margin_of(a)))  # fmt: skip


def _printed_margin(alpha: float, wd: float = 0.01) -> float:
    return 0.5 * math.log(alpha) - math.log(wd)


def _cosines(gap_of: Callable[[float], float]) -> list[Member]:
    return sweep("sparse-cls", "alpha", ALPHAS,
                 probes=lambda a: {"cos_w_l2_max_margin": constant(1 - gap_of(a))})  # fmt: skip


def _transition_sets(offset: Callable[[float], float] = lambda a: 0.3, clock: float = 1.0,
                     experiments: tuple[str, ...] = ("sparse-cls",)) -> list[Member]:  # fmt: skip
    alphas = {"matrix-completion": (3.0, 10.0, 30.0, 100.0), "modadd": (1.0, 10.0, 100.0)}
    levels = {"matrix-completion": (0.1, 0.001), "misgrok": (1.0, 0.55), "modadd": (0.1, 1.0)}
    out = []
    for experiment in experiments:
        plateau, final = levels.get(experiment, (0.55, 1.0))
        out += sweep(experiment, "alpha", alphas.get(experiment, ALPHAS), offset=offset,
                     clock=clock, plateau=plateau, final=final)  # fmt: skip
    return out


def _sparse_main(**knobs: Any) -> list[Member]:
    base = {"l2_max_margin": baseline("l2_max_margin", 0.55),
            "ntk_svm": baseline("ntk_svm", 0.55),
            "l1_max_margin": baseline("l1_max_margin", 1.0)}  # fmt: skip
    return [grokking_run("sparse-cls", 10.0, seed=s, baselines=base, **knobs) for s in range(3)]


def _probes_after(name: str, early: float, late: float, at: float = 0.3) -> dict[str, Any]:
    """A probe at ``early`` that moves to ``late`` across the transition of grokking_run's
    default sparse-cls run (t_grok ≈ (ln(200/3) + 0.3)/0.01)."""
    t_grok = (math.log(200 / 3) + at) / 0.01
    return {name: lambda t: early + (late - early) * step(t, t_grok, 100.0)}


def _completion(cut: float = 1.0, dist: float = 0.01, plateau: float = 0.1) -> list[Member]:
    nuclear = baseline("nuclear_norm", 0.001, metric="mse", matrix=np.diag([9.0, 0.0]))
    base = {"ntk_interpolant": baseline("ntk_interpolant", 0.1, metric="mse"),
            "nuclear_norm": nuclear}  # fmt: skip
    probes = {"off_mask": lambda t: 0.005, "sigma_ratio": lambda t: 0.001,
              **_probes_after("dist_nuclear_norm", 0.9, dist, at=0.0)}  # fmt: skip
    return [grokking_run("matrix-completion", 10.0, seed=s, plateau=plateau, final=0.001,
                         cut=cut, probes=probes, baselines=base) for s in range(2)]  # fmt: skip


def _wd_sweep(late: Callable[[float], float], **knobs: Any) -> list[Member]:
    l1 = baseline("l1_max_margin", 1.0, l1_margin=1 / 4.0)  # ‖w₁*‖₁ = 4 at margin 1
    return sweep("sparse-cls", "wd", (1e-4, 1e-3, 1e-2), late=late, alpha=1000.0,
                 baselines={"l1_max_margin": l1}, **knobs)  # fmt: skip


def _modadd(train: float = 1.0, fit_with_test: bool = False) -> list[Member]:
    """Modular addition over α ∈ {1, 10, 100} × 3 seeds; ``fit_with_test``: the training
    set is fit only as the test accuracy rises (no delay)."""

    def train_acc(alpha: float) -> Callable[[float], float]:
        t_grok = (math.log(alpha * 30 / 3) + 0.3) / 0.01
        if fit_with_test:
            return lambda t: 1.0 if t >= 0.95 * t_grok else 0.5
        return lambda t: train

    return sweep("modadd", "alpha", (1.0, 10.0, 100.0), seeds=3, plateau=0.11,
                 train_acc=train_acc)  # fmt: skip


def _controls(dense_final: float) -> list[Member]:
    base = {"l1_max_margin": baseline("l1_max_margin", 0.57),
            "l2_max_margin": baseline("l2_max_margin", 0.56)}  # fmt: skip
    dense = [grokking_run("control-dense", 10.0, seed=s, plateau=0.55, final=dense_final,
                          baselines=base) for s in range(2)]  # fmt: skip
    shuffled = [grokking_run("control-shuffled", 10.0, seed=s, plateau=0.5, final=0.505,
                             baselines=base) for s in range(2)]  # fmt: skip
    return dense + shuffled


def _samples(l1_error: float) -> list[Member]:
    """G1's sweep (d = 1000, k = 3): the L1 test error is ``l1_error`` from n = 64 on (inside
    the k² ln d ≤ n ≤ d/10 window), the L2 error 0.45 throughout; nothing trained."""
    members = []
    for n in (16, 64, 100):
        config = make_config("sparse-cls", "smoke", {"n": n, "d": 1000, "k": 3})
        l1 = l1_error if n >= 62 else 0.45
        fitted = {"l1_max_margin": baseline("l1_max_margin", 1 - l1),
                  "l2_max_margin": baseline("l2_max_margin", 1 - 0.45)}  # fmt: skip
        members.append(Member(config, untrained(config), fitted))
    return members


def _kkt(settle: float, cut: float = 1.0) -> list[Member]:
    """An α sweep whose KKT residual drops at ``settle``·T (T of each run) plus an
    α-independent 2/λ: later in units of T at small α, as at finite α in the real runs."""

    def probes(alpha: float) -> dict[str, Any]:
        period = (math.log(alpha * 20 / 3)) / 0.01  # T of grokking_run's sparse-cls run
        at = settle * period + 2 / 0.01
        return {"kkt_residual": lambda t: 1 - 0.99 * step(t, at, 0.1 * period)}

    return sweep("sparse-cls", "alpha", ALPHAS, probes=probes, cut=cut, extra_lt=12.0)


def _no_weight_decay(ln_t_10: float, ln_t_90: float) -> list[Member]:
    """Runs whose record time stands for ln t (probe ``ln_t``) and whose test accuracy moves
    from 0.57 to 1 between ``ln_t_10`` and ``ln_t_90``, log-uniformly in ln t."""
    centre, width = math.sqrt(ln_t_10 * ln_t_90), math.log(ln_t_90 / ln_t_10)

    def accuracy(s: float) -> float:
        return 0.57 + 0.43 * step(math.log(max(s, 1e-300)), math.log(centre), width)

    return [grokking_run("sparse-cls-nowd", 10.0, 1e-3, seed, extra_lt=12.0, test_curve=accuracy,
                         probes={"ln_t": lambda s: s}) for seed in range(2)]  # fmt: skip


# ---- the table ---------------------------------------------------------------------------
_LOSS = {"test_loss": lambda t: 0.01 + 1.5 * step(t, (math.log(200 / 3) + 0.3) / 0.01, 100.0)}

CASES: list[Case] = [
    Case("K1", lambda: _sparse_main(probes={"cos_ref": lambda t: 0.999}),
         lambda: _sparse_main(clock=10.0, probes={"cos_ref": lambda t: 0.999})),
    Case("K2", lambda: _sparse_main(probes={"agree_ntk_svm": lambda t: 0.99,
                                            "cos_w_l2_max_margin": lambda t: 0.99}),
         lambda: _sparse_main(plateau=0.9, probes={"agree_ntk_svm": lambda t: 0.6,
                                                   "cos_w_l2_max_margin": lambda t: 0.3})),
    Case("K3", lambda: _margin_sweep(_q_qs), lambda: _margin_sweep(_printed_margin)),
    Case("K3-printed", lambda: _margin_sweep(_q_qs),
         lambda: _margin_sweep(lambda a: _printed_margin(a) * (1 + 1 / math.log(a))),
         expected="erratum"),
    Case("K4", lambda: _completion(), lambda: _completion(plateau=0.001)),
    Case("K5", lambda: sweep("sparse-cls", "alpha", ALPHAS),
         lambda: sweep("sparse-cls", "alpha", ALPHAS, fit_time=lambda a: 1 / (0.01 * a))),
    Case("K6", lambda: _cosines(lambda a: 0.5 / math.sqrt(a)), lambda: _cosines(lambda a: 0.03)),
    Case("T1", lambda: _transition_sets(), lambda: _transition_sets(clock=10.0)),
    Case("T2", lambda: _transition_sets(experiments=("sparse-cls", "matrix-completion", "misgrok")),
         lambda: _transition_sets(lambda a: 0.3 + 0.3 * math.log(a),
                                  experiments=("sparse-cls", "matrix-completion", "misgrok"))),
    Case("T3", lambda: _transition_sets(experiments=("sparse-cls", "matrix-completion", "modadd")),
         lambda: _transition_sets(clock=10.0,
                                  experiments=("sparse-cls", "matrix-completion", "modadd"))),
    Case("T4", lambda: _wd_sweep(lambda wd: 3.0),
         lambda: _wd_sweep(lambda wd: 3.0,
                           offset=lambda wd: 50 * math.sqrt(wd) - math.log(1000 * 20 / 3))),
    Case("T5", lambda: _transition_sets(experiments=("matrix-completion",)),
         lambda: _transition_sets(lambda a: 0.3 - math.log(a), experiments=("matrix-completion",))),
    Case("T6", lambda: _transition_sets(experiments=("misgrok",)),
         lambda: _transition_sets(lambda a: 0.3 - math.log(a), experiments=("misgrok",))),
    Case("S1", lambda: sweep("sparse-cls", "alpha", ALPHAS),
         lambda: sweep("sparse-cls", "alpha", ALPHAS, window=lambda a: 0.5 * math.log(a))),
    Case("R1", lambda: _sparse_main(probes={**_probes_after("cos_w_l1_max_margin", 0.4, 0.99),
                                            "support_topk": lambda t: 1.0,
                                            "support_mass": lambda t: 0.9}),
         lambda: _sparse_main(probes={"cos_w_l1_max_margin": lambda t: 0.4,
                                      "support_topk": lambda t: 0.0,
                                      "support_mass": lambda t: 0.1})),
    Case("R2", lambda: _sparse_main(), lambda: _sparse_main(cut=1 / 3)),
    Case("R3", lambda: [grokking_run("misgrok", 10.0, seed=s, plateau=1.0, final=0.56,
                                     test_loss=_LOSS["test_loss"],
                                     baselines={"l1_max_margin": baseline("l1_max_margin", 0.55)})
                        for s in range(2)],
         lambda: [grokking_run("misgrok", 10.0, seed=s, plateau=1.0, final=1.0,
                               baselines={"l1_max_margin": baseline("l1_max_margin", 0.55)})
                  for s in range(2)]),
    Case("R4", lambda: _completion(), lambda: _completion(cut=0.3)),
    Case("R5", lambda: _transition_sets(experiments=("sparse-cls", "modadd")),
         lambda: sweep("sparse-cls", "alpha", ALPHAS, late=lambda a: 3.0 * a**0.1)),
    Case("R6", lambda: _wd_sweep(lambda wd: math.sqrt(4.0 * math.log(1 / wd) + 1)),
         lambda: _wd_sweep(lambda wd: 5.0)),
    Case("R7", lambda: _kkt(1.0), lambda: _kkt(1.0, cut=0.3)),
    Case("R8", lambda: sweep("matrix-completion", "wd", (1e-4, 3e-4, 1e-3), plateau=0.1,
                             final=0.001, probes=lambda wd: {"dist_x_star": constant(wd**0.5)}),
         lambda: sweep("matrix-completion", "wd", (1e-4, 3e-4, 1e-3), plateau=0.1, final=0.001,
                       probes=lambda wd: {"dist_x_star": lambda t: 0.01})),
    Case("M1", lambda: _modadd(), lambda: _modadd(fit_with_test=True)),
    Case("W1", lambda: _modadd(train=0.1)[:1], lambda: _modadd(train=1.0)[:1]),
    Case("N1", lambda: _no_weight_decay(500.0, 8000.0), lambda: _no_weight_decay(5.4, 5.9)),
    Case("X1", lambda: _controls(0.56), lambda: _controls(1.0)),
    Case("G1", lambda: _samples(0.05), lambda: _samples(0.45)),
]  # fmt: skip
