"""The run sets prieto25's claims read: modular addition with a bias-free ReLU MLP, no weight
decay, full-batch AdamW, in float32 and float64, with torch's cross-entropy (which can
collapse), grokbench's absorption-free one, StableMax and ⊥Grad.

Every member pins the whole setting (the claims are about this pipeline: a user's ``--set``
of lr, dynamics or loss does not apply; ``device`` does). Time is t = Σ lr, so with a
constant lr the step count is t/lr: ``_steps`` turns the prototype's step counts into
horizons and evaluation counts (the linear part of the evaluation grid has spacing
t_end / (0.75·evals), schedule.py).

- ci: the prototype's proxy (docs/papers/prieto25.md, §2), seed 6 (the limits were tuned on
  seeds 0–5).
- paper: the authors' settings (run_main_experiments.sh): p = 113, MLP 226-200-200-113
  without bias, float32 model; Fig. 2 (softmax in float32 and float64, lr 5e-4, 20 000
  epochs, 40/60/70% train), Fig. 1c (StableMax, computed in float64 as in the authors'
  code, lr 0.01, beta2 0.999, 80 000 epochs), Fig. 1a (⊥AdamW, lr 0.01, 300 epochs, with
  the published base AdamW(0.9, 0.999, eps 1e-8): issue #11). Ready for
  ``--set device=cuda``.
- smoke: the ci setting shrunk to seconds (p = 11, width 64, short horizons); its verdicts
  mean nothing, it exercises the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable

from grokbench.papers.prieto25.probes import collapse_probe
from grokbench.spec import BaselineResult, Overrides, ProbeFactory, RunSet

#: Seeds per scale: ci's is none of the prototype's 0–5.
SEEDS = {"smoke": (6,), "ci": (6,), "paper": (6,)}

_MODEL = {"bias": False, "init": "torch", "alpha": 1.0, "wd": 0.0}
_SIZES = {
    "smoke": {"p": 11, "frac": 0.8, "width": 64, "depth": 2},
    "ci": {"p": 23, "frac": 0.8, "width": 512, "depth": 2},
    "paper": {"p": 113, "frac": 0.4, "width": 200, "depth": 3},
}
_ADAMW = {"opt.betas": (0.9, 0.99), "opt.eps": 1e-30}
#: The paper's settings per run set (script blocks); ci and smoke use ``_CI`` below.
_PAPER_ADAMW = {"opt.betas": (0.9, 0.99), "opt.eps": 1e-25}
#: Steps and evaluations per run set and scale: (steps, evaluation spacing in steps, lr).
_CE = {"smoke": (600, 30, 1e-3), "ci": (7000, 250, 1e-3), "paper": (20_000, 100, 5e-4)}
_FIX = {"smoke": (300, 15, 1e-2), "ci": (3500, 125, 1e-2), "paper": (80_000, 400, 1e-2)}
_ORTHO = {"smoke": (100, 5, 1e-2), "ci": (1000, 10, 1e-2), "paper": (300, 2, 1e-2)}
#: Fig. 2's training fractions (paper scale only).
PAPER_FRACTIONS = (0.4, 0.6, 0.7)


def _steps(steps: int, every: int, lr: float) -> Overrides:
    """lr, the horizon t = steps·lr and enough evaluations for a linear spacing of
    ``every`` steps or less."""
    linear = -(-steps // every) + 1
    return {"lr": lr, "horizon": f"{steps * lr:g}", "evals": -(-4 * linear // 3) + 1}


def _base(scale: str) -> Overrides:
    return {**_SIZES[scale], **_MODEL, "dynamics": "adamw", "dtype": "float32",
            **(_PAPER_ADAMW if scale == "paper" else _ADAMW)}  # fmt: skip


def _members(scale: str, variants: list[Overrides], fractions: bool = False) -> list[Overrides]:
    """Each variant × seed (× Fig. 2's training fractions at paper scale, ``fractions``)."""
    fracs = PAPER_FRACTIONS if fractions and scale == "paper" else (_SIZES[scale]["frac"],)
    return [
        {**_base(scale), **variant, "frac": frac, "seed": seed}
        for variant in variants
        for frac in fracs
        for seed in SEEDS[scale]
    ]


def _dtype_grid(scale: str) -> list[Overrides]:
    """torch's cross-entropy with its softmax in float32 and in float64 (ci: the whole run
    in float64, as the prototype; paper: a float32 model with the loss in float64, as
    the authors' ``--softmax_precision 64``)."""
    timing = _steps(*_CE[scale])
    f64 = {"loss_dtype": "float64"} if scale == "paper" else {"dtype": "float64"}
    return _members(
        scale, [{**timing, "loss": "ce-torch"}, {**timing, "loss": "ce-torch", **f64}], True
    )


def _ctrl_grid(scale: str) -> list[Overrides]:
    """The absorption-free control: grokbench's cross-entropy in float32, as _dtype_grid."""
    return _members(scale, [{**_steps(*_CE[scale]), "loss": "ce-accurate"}], True)


def _paper_fig1(scale: str) -> Overrides:
    """Fig. 1c's AdamW (beta2 0.999) at paper scale; the proxy's otherwise."""
    return {"opt.betas": (0.9, 0.999)} if scale == "paper" else {}


def _stablemax_grid(scale: str) -> list[Overrides]:
    """StableMax (float32 at ci; at paper scale in float64 as in the authors' code)."""
    variant = {**_steps(*_FIX[scale]), **_paper_fig1(scale), "loss": "stablemax"}
    if scale == "paper":
        variant["loss_dtype"] = "float64"
    return _members(scale, [variant])


def _ce_lr_grid(scale: str) -> list[Overrides]:
    """torch's cross-entropy in float32 at StableMax's and ⊥Grad's lr and horizon."""
    return _members(scale, [{**_steps(*_FIX[scale]), **_paper_fig1(scale), "loss": "ce-torch"}])


def _ortho_grid(scale: str) -> list[Overrides]:
    """⊥AdamW with per-tensor projection on torch's float32 cross-entropy; at paper scale
    the published base optimizer, AdamW(0.9, 0.999, eps 1e-8) (issue #11)."""
    published = {"opt.betas": (0.9, 0.999), "opt.eps": 1e-8} if scale == "paper" else {}
    variant = {**_steps(*_ORTHO[scale]), **published, "dynamics": "ortho-adamw",
               "opt.ortho_scope": "tensor", "loss": "ce-torch"}  # fmt: skip
    return _members(scale, [variant])


def _probes(_: dict[str, BaselineResult]) -> list[ProbeFactory]:
    return [collapse_probe]


def _run_set(name: str, grid: Callable[[str], list[Overrides]], title: str) -> RunSet:
    return RunSet(name, "modadd", grid, probes=_probes, title=title)


RUN_SETS: dict[str, RunSet] = {
    s.name: s
    for s in [
        _run_set("prieto25-dtype", _dtype_grid,
                 "prieto25: torch cross-entropy, softmax in float32 vs float64 (Fig. 2)"),
        _run_set("prieto25-ctrl", _ctrl_grid,
                 "prieto25: absorption-free cross-entropy in float32 (control)"),
        _run_set("prieto25-stablemax", _stablemax_grid, "prieto25: StableMax (Fig. 1c)"),
        _run_set("prieto25-ce-lr", _ce_lr_grid,
                 "prieto25: torch cross-entropy at StableMax's lr (comparison)"),
        _run_set("prieto25-ortho", _ortho_grid, "prieto25: ⊥AdamW (Fig. 1a)"),
    ]
}  # fmt: skip
