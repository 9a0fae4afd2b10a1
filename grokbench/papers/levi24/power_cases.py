"""levi24's falsification cases. The true world is the paper's large-d theory: the losses
are Marchenko–Pastur expectations of the exact flow (Eq. 8 and 15, with ‖D₀‖² = 1, ‖T‖² = ½),
the accuracies erf(√(ε/2L)) (Eq. 10); each counterfactual bends that world as its claim's
counterfactual says."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from grokbench.engine.config import make_config
from grokbench.papers.levi24.runsets import GAMMAS, LAMBDAS, WD_LAMBDA, member
from grokbench.papers.levi24.theory import eq24
from grokbench.spec import Case, Member, Record, Trace

EPS = 1e-3
_THETA = (np.arange(2000) + 0.5) * math.pi / 2000


def mp_losses(lam: float, gamma: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L_tr(t), L_gen(t)): MP(λ) expectations of the exact flow with weight decay γ."""
    lo, hi = (1 - math.sqrt(lam)) ** 2, (1 + math.sqrt(lam)) ** 2
    nu = lo + (hi - lo) * (1 - np.cos(_THETA)) / 2  # dν = (hi − lo)/2·sin θ dθ
    weight = np.sqrt((hi - nu) * (nu - lo)) / (2 * math.pi * lam * nu) * (hi - lo) / 2
    weight = weight * np.sin(_THETA) * (math.pi / len(_THETA))
    weight /= weight.sum()
    k = 2 * nu + gamma
    a, b, c = 0.5 * (gamma / k) ** 2, 2 * gamma * nu / k**2, 0.5 + 0.5 * (2 * nu / k) ** 2
    e = np.exp(-np.outer(t, k))
    per_mode = a + b * e + c * e * e
    return per_mode @ (weight * nu), per_mode @ weight


def _erf(loss: np.ndarray) -> np.ndarray:
    return np.array([math.erf(math.sqrt(EPS / (2 * v))) for v in loss])


Bend = Callable[[np.ndarray, np.ndarray], np.ndarray]


def synthetic(lam: float, gamma: float = 0.0, clock: float = 1.0,
              bend: Bend | None = None) -> Member:  # fmt: skip
    """One ci-like member; ``clock`` multiplies every time, ``bend(t, L_gen)`` replaces the
    test loss (a counterfactual's)."""
    config = make_config("linear-teacher", "smoke", member("ci", lam, gamma))
    end = 1.5 * eq24(lam, 1e-6)[1]
    t = np.unique(np.concatenate([[0.0], end * np.logspace(-4, 0, 100), np.linspace(0, end, 300)]))
    train, gen = mp_losses(lam, gamma, t)
    if bend is not None:
        gen = bend(t, gen)
    acc_tr, acc_gen = _erf(train), _erf(gen)
    rows = [Record(t=float(ti * clock), step=i, grad_evals=i, wall_s=0.0,
                   train_loss=float(train[i]), test_loss=float(gen[i]), param_norm=1.0,
                   train_mse=float(train[i]), test_mse=float(gen[i]),
                   probes={"pop_test": float(gen[i]), "acc_pop": float(acc_gen[i]),
                           "acc_test": float(acc_gen[i]), "acc_train": float(acc_tr[i])})
            for i, ti in enumerate(t)]  # fmt: skip
    return Member(config, Trace(config=config.to_dict(), env={}, records=rows))


def _sharp(t: np.ndarray, gen: np.ndarray) -> np.ndarray:
    """lyu24's world: the test loss stays at its start, then falls 10 decades in t ≈ 1."""
    t_c = 0.5 * t[-1]
    return gen[0] * np.exp(-23.0 * np.clip(t - t_c, 0.0, 1.0)) + 1e-12


def _lambda_sweep(**options: object) -> Callable[[], list[Member]]:
    return lambda: [synthetic(lam, **options) for lam in LAMBDAS["ci"]]  # type: ignore[arg-type]


def _wd_sweep(clock_positive: float = 1.0, equal_floor: bool = False,
              theory: bool = True) -> Callable[[], list[Member]]:  # fmt: skip
    """The γ sweep; ``clock_positive`` scales the times of the γ > 0 runs; ``equal_floor``
    sets L_gen = L_tr at the largest γ; ``theory=False`` replaces the wd runs by the γ = 0
    flow (the paper's WD2 world is then built by ``clock_positive``)."""

    def build() -> list[Member]:
        out = []
        for g in GAMMAS["ci"]:
            bend = None
            if equal_floor and g == max(GAMMAS["ci"]):
                train = mp_losses(WD_LAMBDA, g, np.array([1e9]))[0][0]
                bend = lambda t, gen, f=train: np.maximum(gen * 0 + f, 0) + 0 * t  # noqa: E731
            gamma_run = g if theory or g == 0 else 0.0
            m = synthetic(WD_LAMBDA, gamma_run, clock_positive if g > 0 else 1.0, bend)
            if gamma_run != g:
                m.config = make_config("linear-teacher", "smoke", member("ci", WD_LAMBDA, g))
            out.append(m)
        return out

    return build


CASES = [
    Case("AG1", _lambda_sweep(), _lambda_sweep(bend=_sharp)),
    Case("TG1", _lambda_sweep(), _lambda_sweep(clock=2.0)),
    Case("WD1", _wd_sweep(), _wd_sweep(equal_floor=True)),
    Case("WD2", _wd_sweep(clock_positive=0.8, theory=False), _wd_sweep(clock_positive=1.3)),
    Case("LM1", _lambda_sweep(), _lambda_sweep(bend=_sharp)),
]
