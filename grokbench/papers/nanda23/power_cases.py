"""Falsification cases (tests/test_power.py): for each claim, synthetic members from the
world the paper describes (the check must pass) and from its counterfactual (the check must
fail). The probe numbers come from the engine's own measures on synthetic logit tables and
neurons (docs/papers/nanda23.md, E6), so the cases also exercise ``grokbench.engine.fourier``."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import torch

from grokbench.claims.synthetic import step
from grokbench.engine.config import make_config
from grokbench.engine.fourier import frequency_shares, neuron_concentration, sum_directions
from grokbench.spec import Case, Member, Record, Trace

P = 31
HALF = P // 2
#: A grokking run's clock (t = Σ lr, as modadd-embed at ci): fit, 50% crossing, end.
T_FIT, T_GROK, T_END = 0.25, 2.5, 9.0


def member(
    experiment: str, seed: int, probes: dict[str, float], norm: Callable[[float], float]
) -> Member:
    """A grokking run of ``experiment`` at p = 31 whose last record carries ``probes`` (the
    earliest records carry the memoriser's ρ̄ = 0.2) and whose ‖θ(t)‖ follows ``norm``."""
    config = make_config(experiment, "smoke", {"p": P, "seed": seed})
    records = []
    times = [T_END * i / 300 for i in range(301)]
    for i, t in enumerate(times):
        probe = dict(probes) if t >= T_GROK else {**probes, "rho_mean": 0.2}
        records.append(Record(t=t, step=i, grad_evals=i, wall_s=0.0, train_loss=math.exp(-t),
                              test_loss=1.0, param_norm=norm(t),
                              train_acc=1.0 if t >= T_FIT else 0.5,
                              test_acc=step(t, T_GROK, 1.0), probes=probe))  # fmt: skip
    trace = Trace(config=config.to_dict(), env={}, records=records)
    return Member(config, trace, {})


def _runs(
    experiment: str, probes: dict[str, float], norm: Callable[[float], float]
) -> list[Member]:
    return [member(experiment, seed, probes, norm) for seed in (10, 11, 12)]


def _table_shares(kind: str) -> dict[str, float]:
    """Fourier shares of a synthetic logit table: Fourier multiplication on frequencies 3
    and 7 (the paper's algorithm) or a perfect lookup table δ(c = a + b mod p)."""
    a = torch.arange(P, dtype=torch.float64)
    x, y, c = a[:, None, None], a[None, :, None], a[None, None, :]
    if kind == "fourier":
        table = sum(torch.cos(2 * math.pi * k * (x + y - c) / P) for k in (3, 7)) * 5.0
    else:
        table = 10.0 * ((x + y - c) % P == 0).to(torch.float64)
    shares = frequency_shares(torch.as_tensor(table), *sum_directions(P))
    return {f"fourier_share_k{k + 1}": float(s) for k, s in enumerate(shares)} | {
        "ab_share": float(shares.sum())
    }


@cache
def _neurons(frequencies: tuple[int, ...], mix: bool = False) -> dict[str, float]:
    """Neuron numbers of 60 neurons, neuron i on frequency ``frequencies[i % n]`` (with
    ``mix``, every weight an equal sum of that frequency and the next one)."""
    gen = torch.Generator().manual_seed(0)
    a = torch.arange(P, dtype=torch.float64)
    first, second = (
        torch.zeros(60, 2 * P, dtype=torch.float64),
        torch.zeros(P, 60, dtype=torch.float64),
    )

    def wave(k: int) -> torch.Tensor:
        phase = float(torch.rand(1, generator=gen)) * 2 * math.pi
        out = torch.cos(2 * math.pi * k * a / P + phase)
        return out + torch.cos(2 * math.pi * (k % HALF + 1) * a / P + phase) if mix else out

    for i in range(60):
        k = frequencies[i % len(frequencies)]
        first[i, :P], first[i, P:], second[:, i] = wave(k), wave(k), wave(k)
    return neuron_concentration(first, second, P)


def _flat_then_falls(t: float) -> float:
    """nanda23's norm: flat (slightly rising) through formation, falling in cleanup."""
    return 38.0 + 0.1 * min(t, 1.5) - 10.0 * step(t, T_GROK + 1.0, 1.5)


def _kernel_decay(t: float) -> float:
    """lyu24's kernel world: ‖θ‖ decays like e^{−λt} before the transition, then is flat."""
    return 40.0 + 200.0 * math.exp(-2.0 * t)


_ALL = tuple(range(1, HALF + 1))
CASES = [
    Case("FS1", lambda: _runs("modadd-embed", _table_shares("fourier"), _flat_then_falls),
         lambda: _runs("modadd-embed", _table_shares("lookup"), _flat_then_falls)),
    Case("WN1", lambda: _runs("modadd-embed", {}, _flat_then_falls),
         lambda: _runs("modadd-embed", {}, _kernel_decay)),
    Case("MM1", lambda: _runs("modadd", _neurons(_ALL), _kernel_decay),
         lambda: _runs("modadd", _neurons(_ALL, mix=True), _kernel_decay)),
    Case("MM2", lambda: _runs("modadd", _neurons(_ALL), _kernel_decay),
         lambda: _runs("modadd", _neurons((1, 4, 9, 12)), _kernel_decay)),
]  # fmt: skip
