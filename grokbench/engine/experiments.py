"""The experiment catalogue: the paper's settings and the cheaper ``ci`` and ``smoke`` scales.

Paper-scale settings follow CLAIMS.md and the authors' code; ``ci`` and ``smoke`` sizes
were chosen by measurement on 2 CPU cores (README, "Scales"). Each preset holds every
setting of a run, so ``grokbench run NAME --scale S`` needs nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grokbench.engine import binop_presets as binop
from grokbench.engine import decoder_presets as decoder
from grokbench.engine import image_presets as image
from grokbench.engine import linear_presets as linear
from grokbench.engine import quad_presets as quad
from grokbench.engine import transformer_presets as transformer
from grokbench.infra.lazy import LazyModule
from grokbench.spec import ConfigError, Experiment, TaskData

if TYPE_CHECKING:
    import torch

    from grokbench.engine import models, tasks
    from grokbench.engine.models import HomogeneousModel
else:  # the tables below are read without torch (grokbench --help); the builders import it
    models, tasks = LazyModule("grokbench.engine.models"), LazyModule("grokbench.engine.tasks")


def _diagonal(sizes: dict[str, Any], data: TaskData, _: torch.Generator) -> HomogeneousModel:
    return models.DiagonalNet(data.x_train.shape[1], depth=sizes["depth"])


def _factorization(
    sizes: dict[str, Any], _: TaskData, generator: torch.Generator
) -> HomogeneousModel:
    return models.MatrixFactorization(sizes["d"], sigma=sizes["sigma"], generator=generator)


def _mlp(sizes: dict[str, Any], data: TaskData, generator: torch.Generator) -> HomogeneousModel:
    in_dim = data.x_train.shape[1]
    return models.HomogeneousMLP(
        in_dim,
        sizes["width"],
        data.n_outputs,
        sizes["depth"],
        bias=sizes.get("bias", True),
        generator=generator,
        init=sizes.get("init", "he0"),
    )


def _sparse_task(labels: str | None = None) -> Any:
    def build(sizes: dict[str, Any], seed: int) -> TaskData:
        mode = labels or sizes["labels"]
        return tasks.sparse_classification(
            sizes["n"], sizes["d"], sizes["k"], sizes["n_test"], seed, labels=mode
        )

    return build


def _misgrok_task(sizes: dict[str, Any], seed: int) -> TaskData:
    return tasks.misgrok_classification(
        sizes["n"], sizes["d"], sizes["gamma"], sizes["n_test"], seed
    )


def _completion_task(sizes: dict[str, Any], seed: int) -> TaskData:
    test_set = sizes.get("test_set", "outside-omega")
    if test_set not in tasks.COMPLETION_TEST_SETS:
        choices = ", ".join(tasks.COMPLETION_TEST_SETS)
        raise ConfigError(f"test_set: must be one of {choices}, got {test_set!r}")
    return tasks.matrix_completion(sizes["d"], sizes["n"], seed, test_set=test_set)


def _modadd_task(sizes: dict[str, Any], seed: int) -> TaskData:
    return tasks.modular_addition(sizes["p"], sizes["frac"], seed)


def _quad_task(sizes: dict[str, Any], seed: int) -> TaskData:
    return tasks.quad_index(sizes["n"], sizes["d"], sizes["n_test"], seed)


def _quadnet(sizes: dict[str, Any], data: TaskData, generator: torch.Generator) -> Any:
    from grokbench.engine.quadnet import QuadNet  # torch: not at import

    return QuadNet(data.x_train.shape[1], sizes["width"], sizes["out_scale"], sizes["eps"],
                   generator=generator)  # fmt: skip


def _embed_mlp(sizes: dict[str, Any], data: TaskData, generator: torch.Generator) -> Any:
    from grokbench.engine.embed_mlp import EmbedMLP  # torch: not at import

    return EmbedMLP(sizes["p"], sizes["width"], sizes["d"], data.n_outputs,
                    bias=sizes.get("bias", True), generator=generator)  # fmt: skip


# Paper-scale horizons end where the paper's figures end (read off their x axes): Fig. 1a
# 2e6 GD steps of η = 0.01 at λ = 1e-3 (λt = 20), Fig. 1b 2e7 steps (λt = 200), Fig. 3
# 1e7 steps of η = 0.1 at λ = 1e-4 (λt = 100); test sets of 10⁴ points as in the authors'
# train_diag_cls*.py. The linear part of the evaluation grid (schedule.py) has spacing
# λt_end / (0.75·evals); evals keep it under 1% of the figure's transition: λt ≈ 2.9 (Fig. 1a,
# 1000 → 0.027), λt ≈ 3.0 (Fig. 3, 4500 → 0.030). Fig. 1b misgroks between λt ≈ 3 and 12
# and runs to λt = 200, so its evenly spaced part ends at λt = 30 (``linear_until``): 1500
# evals → 0.027, 0.5% of its transition at λt ≈ 5.2, where 6000 over all of [0, 200] gave
# 0.044; past λt = 30 the log-spaced points alone fall (~30, 6% apart), the late drift of
# its test loss (1.04 at λt = 20, 1.14 at 200). Each evaluation reads the 10⁴ × 10⁵ test set.
# The 10⁴ × 10⁵ test sets are kept and multiplied in float32 (RunConfig.test_dtype): 4 GB a
# member rather than 8, each product twice as fast. The diagonal net forms w in float64 and
# lowers only w; training, dynamics and scores stay float64. The paper job gave every
# verdict of float64 test sets and every number to 2·10⁻⁸ (benchmarks/NOTES.md, round 5).
PAPER_TEST_DTYPE = "float32"
# The sparse tasks' ±1 test sets are kept as int8 (1 GB rather than 4) and multiplied in fixed
# point like their training inputs (PAPER_TRAIN_DTYPE): the products exact in integers, w
# within 2⁻³⁰ of its largest entry (benchmarks/NOTES.md, round 15).
PAPER_SIGN_TEST_DTYPE = "int8"
# The sparse tasks' gradients make two passes over the 256 × 10⁵ matrix of ±1 training
# inputs (memory-bound: 33 ms a gradient in float64), so they read it as int8
# (RunConfig.train_dtype): w and ρ are formed in float64 and multiplied in 32-bit fixed
# point, exactly in integers (grokbench.engine.fixed_point; each entry within 2⁻³⁰ of the
# vector's largest). A sparse-main run's flow (seed 0, one process): 67.8 s in float64 (1183
# gradients), 60.2 s in float32 (1262), 44.4 s in int8 (1198): float32's rounding (2.6·10⁻⁷
# of a gradient's largest entry, fixed point's 2.4·10⁻¹⁰) cost the step controller 7–13% more
# gradients than float64, int8 1–3% (benchmarks/NOTES.md, rounds 12 and 15). misgrok's
# Gaussian inputs are not ±1.
PAPER_TRAIN_DTYPE = "int8"
# After the transition a sparse-cls run is at rest, and Dormand–Prince's step is held at its
# stability limit (h ≈ 67 at the paper's λ; at rtol 1e-5 it falls to ~38, the trajectory
# 1e-4 off a tight solve): half the sparse runs' gradients. dopri5-rkc switches each run
# to RKC once Dormand–Prince's own stiffness test fires (grokbench.engine.ode.switching).
# Paper scale, seed 0: 1183 gradients rather than 2517, the final test loss 3.7·10⁻⁷ off a
# solve at rtol 1e-8 (dopri5 alone: 1.15·10⁻⁴), t_10, t_grok and t_90 equal. A control
# takes 833 rather than 825; the α = 10⁴ run alone 4319 rather than 4053, as it switches
# while still settling. misgrok (Fig. 1b) rests from λt ≈ 20 to its horizon at 200: seed 0
# takes 1717 gradients rather than 5601, and its final test loss is 1.3·10⁻⁸ off a solve at
# rtol 1e-8 where dopri5 alone is 6·10⁻⁴ off (t_90 0.1%). The lyu24 sweeps keep auto, whose
# late phases are short (lyu24.runsets.PAPER_SWEEP; benchmarks/NOTES.md, rounds 8 and 9).
LATE_PHASE_INTEGRATOR = "dopri5-rkc"
# fmt: off
SPARSE_KEYS = {"n": int, "d": int, "k": int, "n_test": int, "depth": int, "labels": str}
SPARSE_SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(n=48, d=200, k=3, n_test=400, depth=2, labels="sparse", init_norm=32.0,
                  wd=0.05, lr=0.01, horizon="6/wd", evals=150),
    "ci": dict(n=128, d=2000, k=3, n_test=1000, depth=2, labels="sparse", init_norm=128.0,
               wd=0.01, lr=0.01, horizon="6/wd", evals=400),
    "paper": dict(n=256, d=100_000, k=3, n_test=10_000, depth=2, labels="sparse",
                  init_norm=128.0, wd=1e-3, lr=0.01, horizon="20/wd", evals=1000,
                  test_dtype=PAPER_SIGN_TEST_DTYPE, train_dtype=PAPER_TRAIN_DTYPE,
                  integrator=LATE_PHASE_INTEGRATOR),
}
MISGROK_KEYS = {"n": int, "d": int, "gamma": float, "n_test": int, "depth": int}
# ci keeps the paper's d = 10⁵ (12 s a run): at d = 2·10⁴ the late L1 solution is still 77%
# accurate with test loss 0.47 < ln 2, so the misgrokking of Fig. 1b (down to chance, test
# loss above ln 2: R3) needs the paper's ratio of d to n. The α sweep runs at d = 2·10⁴.
MISGROK_SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(n=16, d=2000, gamma=25.0, n_test=400, depth=2, init_norm=32.0,
                  wd=0.05, lr=0.01, horizon="20/wd", evals=150),
    "ci": dict(n=32, d=100_000, gamma=25.0, n_test=1000, depth=2, init_norm=128.0,
               wd=0.01, lr=0.01, horizon="20/wd", evals=400),
    "paper": dict(n=32, d=100_000, gamma=25.0, n_test=10_000, depth=2, init_norm=128.0,
                  wd=1e-3, lr=0.01, horizon="200/wd", evals=1500, linear_until="30/wd",
                  test_dtype=PAPER_TEST_DTYPE, integrator=LATE_PHASE_INTEGRATOR),
}
# RKC (the default integrator for regression) is second order, and the error is measured
# on the deviation from the decay-only path (grokbench.engine.ode.driver): rtol 1e-3 with
# atol 1e-5 kept t_grok within 0.02% of GD's at the paper's step (ci) with ~50x fewer
# gradients; with the integrating factor (grokbench.engine.ode.driver) it is within 0.035%
# of a dopri5 solve at rtol 1e-10, with 1002 gradients rather than 1266 (NOTES, round 6).
# test_set: "outside-omega" (the authors' train_mc.py / data.py: every ordered entry not
# in Ω) or "outside-omega-sym" (entries outside Ω ∪ Ωᵀ only; an option, never the default).
COMPLETION_KEYS = {"d": int, "n": int, "sigma": float, "test_set": str}
COMPLETION_SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(d=12, n=60, sigma=0.0, test_set="outside-omega", alpha=10.0, wd=0.01,
                  lr=0.05, horizon="8/wd", rtol=1e-3, atol=1e-5, evals=150),
    "ci": dict(d=30, n=150, sigma=0.0, test_set="outside-omega", alpha=10.0, wd=1e-3, lr=0.1,
               horizon="8/wd", rtol=1e-3, atol=1e-5, evals=400),
    "paper": dict(d=97, n=470, sigma=0.0, test_set="outside-omega", alpha=10.0, wd=1e-4,
                  lr=0.1, horizon="100/wd", rtol=1e-3, atol=1e-5, evals=4500),
}
# bias (first layer only) and init ("he0": He with a zero last layer; "torch": nn.Linear's
# default, prieto25's model) are options, left out of the presets so their hashes stay
MODADD_KEYS = {"p": int, "frac": float, "width": int, "depth": int, "bias": bool, "init": str}
MODADD_SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(p=11, frac=0.5, width=64, depth=2, alpha=10.0, wd=0.01, lr=1.0,
                  dynamics="gd", horizon="6/wd", evals=100),
    "ci": dict(p=31, frac=0.8, width=256, depth=2, alpha=10.0, wd=1e-3, lr=1.0,
               dynamics="gd", horizon="12/wd", evals=300),
    "paper": dict(p=97, frac=0.4, width=1024, depth=2, alpha=10.0, wd=1e-4, lr=0.002,
                  dynamics="gd", horizon="12/wd", evals=400),
}
# ReLU kinks make adaptive flow integrators take tiny steps on modadd, so its presets use
# GD (the paper's loop); at ci, lr = 1 gives the same t_grok as lr 0.2–0.5 within test-set
# noise (measured: reports/modadd_search.md).
# Without weight decay (App. B.1) the test accuracy moves over decades of ln t, out of reach
# of any loop in t: ``logflow`` integrates normalised gradient flow in log time
# (grokbench.engine.logtime); a plain-number horizon is ln t (Fig. 4b ends at t = 10^{10^4}).
# Measured at ci (p = 31, 80% train): ln t_fit 6.3, ln t_10 24, ln t_90 100 (ratio 4.2).
MODADD_NOWD_SCALES = {
    scale: {**preset, "wd": 0.0, "dynamics": "logflow", "alpha": 1.0, "horizon": horizon,
            "rtol": 1e-2}
    for (scale, preset), horizon in zip(MODADD_SCALES.items(), ("300", "1e3", "2.5e4"), strict=True)
}
# N1's ci world: sparse-cls without weight decay, same pipeline (measured: ln t_90 / ln t_10
# = 12.8–24 over seeds 0–2 at ci; counterfactual wd = 0.01, horizon 6/wd: 1.07).
SPARSE_NOWD_SCALES = {  # logflow is not batched: no lowered training products, nor int8 tests
    scale: {**{k: v for k, v in preset.items() if k != "train_dtype"},
            **({"test_dtype": PAPER_TEST_DTYPE} if "test_dtype" in preset else {}), "wd": 0.0,
            "dynamics": "logflow", "horizon": horizon, "rtol": 1e-3, "integrator": "auto"}
    for (scale, preset), horizon in zip(SPARSE_SCALES.items(), ("1e4", "3e4", "3e4"), strict=True)
}
# kumar24 (Fig. 1): f = out_scale·mean φ(w_i·x) − f(W₀; x), φ(h) = h + (ε/2)h², full-batch GD
# with lr = c·N/out_scale² (so τ = c·steps = t·out_scale²/N is the paper's clock), λ = 0.
# paper: Fig. 1 (D 100, P 550, N 500, ε 0.02, out_scale 1, c = 1, 1e5 steps: t = 5e7);
# ci: the measured proxy (D 50, P 275, N 100, ε 0.05, c = 4, τ = 64 000); smoke: seconds
# (c = 2: smaller nets are stiffer).
QUAD_KEYS = {"n": int, "d": int, "n_test": int, "width": int, "eps": float, "out_scale": float}
QUAD_SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(n=55, d=10, n_test=200, width=20, eps=0.05, out_scale=0.5, alpha=1.0,
                  wd=0.0, dynamics="gd", lr=160.0, horizon="1.6e5", evals=60),
    "ci": dict(n=275, d=50, n_test=1000, width=100, eps=0.05, out_scale=0.5, alpha=1.0,
               wd=0.0, dynamics="gd", lr=1600.0, horizon="2.56e7", evals=180),
    "paper": dict(n=550, d=100, n_test=1000, width=500, eps=0.02, out_scale=1.0, alpha=1.0,
                  wd=0.0, dynamics="gd", lr=500.0, horizon="5e7", evals=400),
}
# nanda23's proxy (docs/papers/nanda23.md, §2): the modadd MLP behind a shared embedding
# (d) and an unembedding, AdamW(0.9, 0.98) with decoupled λ = 1 as in the authors' Trainer,
# α = 1 (their randn/√d_model init). ci: the prototype's p = 31, 60% train, 3000 steps of lr
# 3e-3 (t = Σ lr = 9); paper: the authors' p = 113, 30% train, d_model 128, d_mlp 512, lr
# 1e-3, 40 000 steps (the 1-layer transformer itself: modadd-transformer).
EMBED_KEYS = {"p": int, "frac": float, "width": int, "d": int, "bias": bool}
_NANDA_ADAMW = {"alpha": 1.0, "dynamics": "adamw", "wd": 1.0, "opt.betas": (0.9, 0.98)}
EMBED_SCALES: dict[str, dict[str, Any]] = {
    "smoke": dict(p=11, frac=0.6, width=64, d=16, bias=True, **_NANDA_ADAMW, lr=3e-3,
                  horizon="1.2", evals=60),
    "ci": dict(p=31, frac=0.6, width=256, d=32, bias=True, **_NANDA_ADAMW, lr=3e-3,
               horizon="9", evals=250),
    "paper": dict(p=113, frac=0.3, width=512, d=128, bias=True, **_NANDA_ADAMW, lr=1e-3,
                  horizon="40", evals=400),
}
EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in [
    Experiment("sparse-cls", "sparse classification with a diagonal net: grokking (Fig. 1a)",
               "binary", SPARSE_KEYS, SPARSE_SCALES, _sparse_task(), _diagonal),
    Experiment("control-dense", "sparse-cls with dense labels (k = d): no grokking expected",
               "binary", SPARSE_KEYS, SPARSE_SCALES, _sparse_task("dense"), _diagonal),
    Experiment("control-shuffled", "sparse-cls with shuffled training labels: no grokking",
               "binary", SPARSE_KEYS, SPARSE_SCALES, _sparse_task("shuffled"), _diagonal),
    Experiment("misgrok", "large-L2-margin data with a diagonal net: misgrokking (Fig. 1b)",
               "binary", MISGROK_KEYS, MISGROK_SCALES, _misgrok_task, _diagonal),
    Experiment("matrix-completion", "rank-1 matrix completion with UUᵀ − VVᵀ (Fig. 3)",
               "regression", COMPLETION_KEYS, COMPLETION_SCALES, _completion_task, _factorization),
    Experiment("modadd", "modular addition with a two-layer ReLU net (Fig. 2b, 2c)",
               "multiclass", MODADD_KEYS, MODADD_SCALES, _modadd_task, _mlp),
    Experiment("modadd-nowd", "modular addition, no weight decay, normalised GD (App. B.1)",
               "multiclass", MODADD_KEYS, MODADD_NOWD_SCALES, _modadd_task, _mlp),
    Experiment("sparse-cls-nowd", "sparse-cls without weight decay, normalised flow in log time",
               "binary", SPARSE_KEYS, SPARSE_NOWD_SCALES, _sparse_task(), _diagonal),
    Experiment("quad-index", "single-index quadratic target, centred lazy/rich net (kumar24)",
               "regression", QUAD_KEYS, QUAD_SCALES, _quad_task, _quadnet),
    Experiment("modadd-embed", "modular addition, shared embedding + ReLU MLP, AdamW (nanda23)",
               "multiclass", EMBED_KEYS, EMBED_SCALES, _modadd_task, _embed_mlp),
    Experiment("binop", "binary-operation tables, embedding MLP, the authors' AdamW (power22)",
               "multiclass", binop.KEYS, binop.SCALES, binop.build_task, binop.build_model),
    Experiment("linear-teacher", "linear teacher–student, GD on MSE, threshold accuracy (levi24)",
               "regression", linear.KEYS, linear.SCALES, linear.build_task, linear.build_model),
    Experiment("modadd-quad", "modular addition, quadratic-activation MLP, MSE, Adam (gromov23)",
               "multiclass", quad.KEYS, quad.SCALES, quad.build_task, quad.build_model),
    Experiment("modadd-transformer", "modular addition, Nanda et al.'s 1-layer transformer, AdamW",
               "multiclass", transformer.KEYS, transformer.SCALES, transformer.build_task,
               transformer.build_model),
    Experiment("binop-transformer", "binary-operation tables, Power et al.'s 2-layer transformer",
               "multiclass", decoder.KEYS, decoder.SCALES, decoder.build_task, decoder.build_model),
    Experiment("image-mlp", "digits/MNIST, MLP at init scale α, MSE, AdamW (omnigrok23)",
               "multiclass", image.KEYS, image.SCALES, image.build_task, image.build_model),
]}
# fmt: on


def get_experiment(name: str) -> Experiment:
    """Look an experiment up by name; a ConfigError lists the known ones."""
    try:
        return EXPERIMENTS[name]
    except KeyError:
        known = ", ".join(EXPERIMENTS)
        raise ConfigError(f"experiment: unknown {name!r}; choose one of {known}") from None
