"""The run sets nanda23's and morwani24's claims read (docs/papers/nanda23.md, §2), with the
online Fourier probe (``grokbench.engine.fourier.modadd_fourier``) on every member.

- ``nanda23-embed``: the embed-MLP proxy of the paper's transformer (``modadd-embed``,
  AdamW as in the authors' Trainer); FS1 and WN1 are judged on it. At paper scale its
  members are the authors' one-layer transformer (``modadd-transformer``).
- ``nanda23-onehot``: grokbench's one-hot modadd MLP (the ``modadd`` preset: α = 10, GD,
  λ = 1e-3), morwani24's one-hidden-layer net; MM1 and MM2 are judged on it.

Seeds 10–12 at ci and paper scale: the limits were fixed on the prototype's seeds 0–5, so
the ci verdicts are out of sample. Paper scale is each experiment's paper preset (for
``modadd-transformer`` the authors' p = 113, 30% train, d_model 128, 4 heads, d_mlp 512,
AdamW lr 1e-3, λ 1, 40k steps), ready for ``--set device=cuda``.
"""

from __future__ import annotations

from grokbench.engine.fourier import modadd_fourier
from grokbench.spec import BaselineResult, Overrides, ProbeFactory, RunSet

#: Seeds of both run sets: none of them tuned a limit (the prototype used 0–5).
SEEDS = (10, 11, 12)


def seed_grid(scale: str) -> list[Overrides]:
    """One seed at smoke scale (seconds), three otherwise."""
    return [{"seed": seed} for seed in (SEEDS[:1] if scale == "smoke" else SEEDS)]


def embed_grid(scale: str) -> list[Overrides]:
    """``seed_grid``; at paper scale on the authors' model, the one-layer transformer
    (``modadd-transformer``), in place of the embed-MLP proxy."""
    paper = {"experiment": "modadd-transformer"} if scale == "paper" else {}
    return [{**paper, **member} for member in seed_grid(scale)]


def fourier_probes(baselines: dict[str, BaselineResult]) -> list[ProbeFactory]:
    """The Fourier probe: logit-energy shares per frequency and the neuron numbers."""
    return [modadd_fourier]


RUN_SETS: dict[str, RunSet] = {
    s.name: s
    for s in [
        RunSet("nanda23-embed", "modadd-embed", embed_grid, (), fourier_probes,
               title="modular addition, embed-MLP, AdamW (nanda23's proxy)"),
        RunSet("nanda23-onehot", "modadd", seed_grid, (), fourier_probes,
               title="modular addition, one-hot ReLU MLP, α = 10 GD (morwani24's net)"),
    ]
}  # fmt: skip
