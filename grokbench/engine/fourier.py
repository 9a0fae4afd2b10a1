"""Fourier measures of a modular-addition net (nanda23, morwani24) and their online probe.

The measures read the logit table Z[a, b, c] = f(one-hot(a) ⊕ one-hot(b))_c (p × p × p), so
they apply to any model of a modular-addition task, and the per-neuron ones read an MLP's
effective weights. Definitions follow the authors' code (mechanistic-interpretability-grokking/
progress-measures-paper at 23d2c64: ``make_fourier_basis``, ``calculate_key_freqs``, the
``get_component_{cos,sin}_xpy`` directions of helpers.py); docs/papers/nanda23.md, §3–4.

- Energy is measured on Z̄ = Z − mean_c Z (softmax ignores a per-input shift); the
  input-dependent energy is ‖Z̄‖² less the per-class bias (the (0, 0) Fourier term).
- s_k, the share of frequency k = 1 … K = (p − 1)/2: the energy of Z̄'s components along the
  unit directions ∝ cos(w_k(a + b)) and sin(w_k(a + b)), w_k = 2πk/p, over the input energy.
- n90: how many frequencies, by decreasing s_k, hold 90% of the input energy (K + 1: never,
  the (a + b) components together hold less).
- Per hidden neuron i (morwani24): u_i, v_i (its a- and b-weights), o_i (its output weights);
  ρ_i = the largest single frequency's share of their power (constant term excluded).

p must be odd (no Nyquist term); the probe records nothing for other tasks and models.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from grokbench.engine.embed_mlp import EmbedMLP
from grokbench.engine.models import HomogeneousMLP
from grokbench.spec import Prepared, Probe

#: The share of the input-dependent energy the key frequencies hold (n90).
MASS = 0.9


def fourier_basis(p: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """The orthonormal real basis of R^p, rows: constant, cos 1, sin 1, …, cos K, sin K."""
    x = torch.arange(p, dtype=dtype)
    rows = [torch.ones(p, dtype=dtype) / math.sqrt(p)]
    for k in range(1, p // 2 + 1):
        for wave in (torch.cos, torch.sin):
            row = wave(2 * math.pi * k * x / p)
            rows.append(row / row.norm())
    return torch.stack(rows)


def sum_directions(p: int, dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    """Unit vectors over the p² inputs, C[k−1] ∝ cos(w_k(a+b)) and S[k−1] ∝ sin(w_k(a+b)),
    each (K, p, p): the authors' (cos a cos b − sin a sin b)/√2 and
    (sin a cos b + cos a sin b)/√2."""
    a = torch.arange(p, dtype=dtype)
    ks = torch.arange(1, p // 2 + 1, dtype=dtype)[:, None, None]
    angle = 2 * math.pi * ks * (a[:, None] + a[None, :]) / p
    cos, sin = torch.cos(angle), torch.sin(angle)
    return cos / cos.flatten(1).norm(dim=1)[:, None, None], sin / sin.flatten(1).norm(dim=1)[
        :, None, None
    ]


def frequency_shares(table: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """s_k (k = 1 … K) of a logit table Z (p, p, p): the (a + b) energy of frequency k over
    the input-dependent energy of Z̄ = Z − mean_c Z."""
    p = table.shape[0]
    centred = table - table.mean(dim=2, keepdim=True)
    alpha = torch.einsum("abc,kab->kc", centred, cos)
    beta = torch.einsum("abc,kab->kc", centred, sin)
    bias = centred.mean(dim=(0, 1))
    energy = float(centred.pow(2).sum()) - float(bias.pow(2).sum()) * p * p
    return (alpha.pow(2) + beta.pow(2)).sum(1) / max(energy, 1e-300)


def n_needed(shares: torch.Tensor, mass: float = MASS) -> int:
    """How many frequencies, by decreasing share, reach ``mass`` of the input energy;
    K + 1 when all of them together do not."""
    total = torch.cumsum(torch.sort(shares, descending=True).values, 0)
    reached = torch.nonzero(total >= mass)
    return int(reached[0]) + 1 if len(reached) else len(shares) + 1


def gini(values: torch.Tensor) -> float:
    """The Gini coefficient of non-negative values (the paper's sparsity of Fourier norms)."""
    x = torch.sort(values.flatten().double()).values
    n = x.numel()
    if n == 0 or float(x.sum()) == 0:
        return 0.0
    i = torch.arange(1, n + 1, dtype=torch.float64)
    return float(((2 * i - n - 1) * x).sum() / (n * x.sum()))


def neuron_concentration(first: torch.Tensor, second: torch.Tensor, p: int) -> dict[str, float]:
    """morwani24's single-frequency neurons, from W₁ (width × 2p) and W₂ (p × width).

    Per neuron i, u_i = W₁[i, :p], v_i = W₁[i, p:], o_i = W₂[:, i]; P_k(x) = the power of x
    at frequency k ≥ 1; ρ_i = max_k Σ_x P_k(x) / Σ_k Σ_x P_k(x) over x ∈ {u_i, v_i, o_i}.
    Neurons weigh m_i = ‖o_i‖·‖(u_i, v_i)‖. Returns the weighted mean ρ (``rho_mean``), the
    weight at ρ ≥ 0.9 (``rho90_share``), the weight whose u, v, o peak at one frequency
    (``uvo_agree``), and over frequencies (each neuron's weight to its best one):
    ``n_freq_used`` (frequencies with ≥ 1/(2K) of the weight), ``freq_min_mass`` (the
    smallest weight × K: 1 when all are used equally)."""
    basis = fourier_basis(p, first.dtype).to(first.device)
    half = p // 2

    def power(x: torch.Tensor) -> torch.Tensor:
        coef = x @ basis.T
        return coef[:, 1::2] ** 2 + coef[:, 2::2] ** 2

    u, v, o = first[:, :p], first[:, p : 2 * p], second.T
    pu, pv, po = power(u), power(v), power(o)
    total = pu + pv + po
    rho = total.max(1).values / total.sum(1).clamp_min(1e-300)
    m = o.norm(dim=1) * torch.cat([u, v], 1).norm(dim=1)
    w = m / m.sum().clamp_min(1e-300)
    agree = ((pu.argmax(1) == pv.argmax(1)) & (pv.argmax(1) == po.argmax(1))).to(w.dtype)
    mass = torch.zeros(half, dtype=w.dtype, device=w.device).index_add_(0, total.argmax(1), w)
    return {
        "rho_mean": float((w * rho).sum()),
        "rho90_share": float((w * (rho >= 0.9).to(w.dtype)).sum()),
        "uvo_agree": float((w * agree).sum()),
        "n_freq_used": float((mass >= 1.0 / (2 * half)).sum()),
        "freq_min_mass": float(mass.min()) * half,
    }


def effective_mlp(prepared: Prepared, theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(W₁, W₂) of the one-hidden-layer MLP the model computes on one-hot inputs: a depth-2
    ``HomogeneousMLP``'s layers, an ``EmbedMLP``'s ``effective_mlp``; KeyError otherwise."""
    model = prepared.model
    params = prepared.flat.unflatten(theta)
    if isinstance(model, EmbedMLP):
        first, _, second = EmbedMLP.effective_mlp(params)
        return first, second
    if isinstance(model, HomogeneousMLP) and model.degree == 2:
        return params["layers.0.weight"], params["layers.1.weight"]
    raise KeyError(type(model).__name__)


def modadd_inputs(p: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The p² inputs one-hot(a) ⊕ one-hot(b) in (a, b) order, so f's rows reshape to Z[a, b]."""
    a, b = torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij")
    x = torch.cat([F.one_hot(a.reshape(-1), p), F.one_hot(b.reshape(-1), p)], dim=1)
    return x.to(device=device, dtype=dtype)


def modadd_fourier(prepared: Prepared) -> Probe:
    """Online probe of a modular-addition run: ``ab_share`` (Σ s_k), ``n90``, ``top_share``
    (the ⌊K/3⌋ largest s_k together), ``fourier_share_k1`` … ``_kK``, ``gini_embed`` (of the
    a-weights' Fourier norms) and, for an MLP, the neuron numbers of
    ``neuron_concentration``. Records nothing unless the task is one-hot modular addition
    with odd p."""
    data = prepared.data
    p = int(data.n_outputs)
    if data.kind != "multiclass" or data.x_train.shape[-1] != 2 * p or p % 2 == 0 or p < 3:
        return lambda theta: {}
    dtype, device = prepared.theta0.dtype, prepared.device
    inputs = modadd_inputs(p, dtype, device)
    cos, sin = (t.to(device) for t in sum_directions(p, dtype))
    top = max(1, (p // 2) // 3)
    try:
        effective_mlp(prepared, prepared.theta0)
        has_neurons = True
    except KeyError:
        has_neurons = False

    def probe(theta: torch.Tensor) -> dict[str, float]:
        table = prepared.flat.function(theta, inputs).reshape(p, p, p)
        shares = frequency_shares(table, cos, sin)
        out = {
            "ab_share": float(shares.sum()),
            "n90": float(n_needed(shares)),
            "top_share": float(torch.sort(shares, descending=True).values[:top].sum()),
            **{f"fourier_share_k{k + 1}": float(s) for k, s in enumerate(shares)},
        }
        if has_neurons:
            first, second = effective_mlp(prepared, theta)
            norms = torch.fft.fft(first[:, :p], dim=1).abs().pow(2).sum(0)[1 : p // 2 + 1]
            out["gini_embed"] = gini(norms.sqrt())
            out.update(neuron_concentration(first, second, p))
        return out

    return probe
