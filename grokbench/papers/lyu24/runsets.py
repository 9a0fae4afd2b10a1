"""The run sets lyu24's claims read: an experiment with a grid of overrides per scale (seeds,
an α or λ sweep), the baselines its claims compare with (fitted on each member's own data)
and the probes its claims read from the traces. Data only: ``grokbench.claims.collect``
runs them."""

from __future__ import annotations

import math
from collections.abc import Callable

from grokbench.baselines.sample_complexity import plot_sample_complexity, sample_rows
from grokbench.engine import probes as P
from grokbench.engine.config import make_config
from grokbench.engine.late_kkt import late_kkt_probe
from grokbench.papers.lyu24.catalogue import BY_ID
from grokbench.spec import BaselineResult, Overrides, ProbeFactory, RunSet

#: G1's sweep per scale: (n values, d, seeds); k = 3 as in sparse-cls.
SAMPLE_SWEEPS: dict[str, tuple[tuple[int, ...], int, tuple[int, ...]]] = {
    "smoke": ((8, 32, 128), 1000, (0,)),
    "ci": ((8, 16, 32, 64, 128, 256, 512), 10_000, (0, 1, 2)),
    "paper": ((16, 32, 64, 128, 256, 512, 1024, 2048), 100_000, (0, 1, 2)),
}
SAMPLE_TEST_SIZE = 2000


def _seeds(scale: str) -> list[int]:
    """Three seeds (CLAIMS.md: ≥ 3 where cheap enough); one at smoke scale."""
    return [0] if scale == "smoke" else [0, 1, 2]


def _sweep_seeds(scale: str) -> list[int]:
    """Seeds of the α and λ sweeps: one at paper scale, where a sweep of d = 10⁵ runs is
    not cheap (at ci the seed-to-seed spread of what the sweeps measure is below 1%)."""
    return [0] if scale == "paper" else _seeds(scale)


#: Paper-scale sweeps measure times and norms, not accuracies to 10⁻⁴: a 1000-point test
#: set and 400 evaluations (the 10⁴ × 10⁵ test set costs ~0.8 s per evaluation on 2 cores).
#: Their runs share a unit per dataset, and the preset's dopri5-rkc would cost them more:
#: their late phases are short, and the α = 10⁴ member switches while still settling. The
#: sparse α sweep's unit took 334 and 496 s with it (12 851 gradients, RKC compacting the
#: batch) against 307 and 423 s (12 654) with ``auto``, in two pairs of runs one after the
#: other, and the λ sweep never switches (benchmarks/NOTES.md, rounds 8 and 9), so the
#: sweeps keep ``auto`` (Dormand–Prince).
PAPER_SWEEP = {"n_test": 1000, "evals": 400, "integrator": "auto"}


def _sweep_sizes(experiment: str, scale: str, task: Overrides | None) -> Overrides:
    """Overrides of a sweep's sizes: ``task`` below paper scale (a cheaper sweep), the
    paper-scale sweep settings at paper scale."""
    if scale != "paper":
        return dict(task or {})
    keys = make_config(experiment, scale).task
    return {k: v for k, v in PAPER_SWEEP.items() if k in keys or k in ("evals", "integrator")}


def _seed_grid(scale: str) -> list[Overrides]:
    return [{"seed": seed} for seed in _seeds(scale)]


#: α values (the paper's θ̄ convention) of the α sweeps: 4 values over 3 decades.
ALPHAS = (10.0, 100.0, 1000.0, 10000.0)
#: λ values of the weight-decay sweep.
WEIGHT_DECAYS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
#: α values of the matrix-completion sweep: the early phase's stiffness grows like α, so
#: the adaptive integrator's cost does too (α = 1000 takes a minute at ci, 300 about 15 s):
#: 1.5 decades, with two pairs a decade apart for T3.
COMPLETION_ALPHAS = (3.0, 10.0, 30.0, 100.0)
#: λ values of the matrix-completion error sweep (R8).
COMPLETION_WEIGHT_DECAYS = (1e-4, 3e-4, 1e-3)


def _reference_norm(experiment: str, scale: str, d: int | None = None) -> float:
    """‖θ̄‖ of the experiment's model: √(2d) for the diagonal net (u = v = 1) and for the
    factorisation (U = V = I, d² + d² entries of which 2d are ones)."""
    return math.sqrt(2 * (d or make_config(experiment, scale).task["d"]))


def _alpha_sweep(
    experiment: str,
    extra_lt: float,
    alphas: tuple[float, ...] = ALPHAS,
    task: Overrides | None = None,
) -> Callable[[str], list[Overrides]]:
    """An α sweep of ``experiment``: every α of ``alphas`` × the scale's seeds, each run to
    λt = ln‖θ(0)‖ + ``extra_lt``, past its predicted transition ln(‖θ(0)‖/‖θ_late‖)/λ and
    long enough for ‖θ‖ to settle at its late level. ``task`` overrides task sizes below
    paper scale (a cheaper sweep)."""

    def grid(scale: str) -> list[Overrides]:
        sizes = _sweep_sizes(experiment, scale, task)
        norm = _reference_norm(experiment, scale, sizes.get("d"))
        out = []
        for alpha in alphas:
            end = math.log(alpha * norm) + extra_lt
            out += [
                {**sizes, "alpha": alpha, "horizon": f"{end:.4f}/wd", "seed": s}
                for s in _sweep_seeds(scale)
            ]
        return out

    return grid


def _wd_grid(scale: str) -> list[Overrides]:
    sizes = _sweep_sizes("sparse-cls", scale, None)
    if scale == "paper":
        sizes["horizon"] = "6/wd"  # past the transition (λt ≈ 3) and the late norm (R6)
    return [
        {**sizes, "wd": wd, "seed": seed} for wd in WEIGHT_DECAYS for seed in _sweep_seeds(scale)
    ]


def _sparse_probes(baselines: dict[str, BaselineResult]) -> list[ProbeFactory]:
    return [
        P.reference_cosine,
        P.weight_cosines(
            {name: baselines[name].coef for name in ("l2_max_margin", "l1_max_margin")}
        ),
        P.support_match,
        P.baseline_agreement({name: result.predictions for name, result in baselines.items()}),
    ]


def _alpha_sweep_probes(baselines: dict[str, BaselineResult]) -> list[ProbeFactory]:
    """cos(w, w₂*) for K6 and the KKT residual for R7, computed from the end of each run
    back to the last time it is at or above R7's limit (what R7 reads)."""
    until = BY_ID["R7"].limits["residual_max"]
    return [
        P.weight_cosines({"l2_max_margin": baselines["l2_max_margin"].coef}),
        late_kkt_probe(until),
    ]


def _misgrok_probes(baselines: dict[str, BaselineResult]) -> list[ProbeFactory]:
    return [P.baseline_agreement({name: result.predictions for name, result in baselines.items()})]


def _completion_probes(baselines: dict[str, BaselineResult]) -> list[ProbeFactory]:
    return [
        P.matrix_probes({"nuclear_norm": baselines["nuclear_norm"].extra["matrix"]}),
        P.baseline_agreement({"ntk_interpolant": baselines["ntk_interpolant"].predictions}),
    ]


def _completion_error_probes(_: dict[str, BaselineResult]) -> list[ProbeFactory]:
    return [P.matrix_probes({})]


def _completion_grid(scale: str) -> list[Overrides]:
    """Matrix completion converges to the nuclear-norm completion slowly and with an O(λ)
    bias: measured at ci, λ = 1e-3 leaves W 5% away even at λt = 100, λ = 1e-4 and λt = 30
    0.6% away. So the late-phase claims run with λ = 1e-4 (the paper's) to λt = 30."""
    late = {"horizon": "30/wd"} if scale == "smoke" else {"wd": 1e-4, "horizon": "30/wd"}
    return [{**late, "seed": seed} for seed in _seeds(scale)]


def _completion_wd_grid(scale: str) -> list[Overrides]:
    """R8: λ ∈ COMPLETION_WEIGHT_DECAYS, each to λt = 30 as the late-phase claims."""
    sizes = _sweep_sizes("matrix-completion", scale, None)
    return [
        {**sizes, "wd": wd, "horizon": "30/wd", "seed": seed}
        for wd in COMPLETION_WEIGHT_DECAYS
        for seed in _sweep_seeds(scale)
    ]


def _modadd_alpha_grid(scale: str) -> list[Overrides]:
    """α ∈ {1, 10, 100} × the scale's seeds, each to λt = ln α + 12: α = 100 groks near
    λt ≈ 6–7.5, and R5 needs ‖θ‖ settled (at λt = 12 it still moved 0.2% over the last
    tenth of the run at α = 100, measured at ci)."""
    return [
        {"alpha": alpha, "horizon": f"{math.log(alpha) + 12:.4f}/wd", "seed": seed}
        for alpha in (1.0, 10.0, 100.0)
        for seed in _seeds(scale)
    ]


def _modadd_break_grid(scale: str) -> list[Overrides]:
    """W1: the scale's base λ times the catalogue's break factor (30, fixed in advance:
    Fig. 2c's 3e-3 = 30 × 1e-4)."""
    factor = BY_ID["W1"].limits["break_factor"]
    wd = make_config("modadd", scale).wd * factor
    return [{"wd": wd, "horizon": "8/wd"}]


def _nowd_grid(scale: str) -> list[Overrides]:
    """N1: training without weight decay, normalised flow in log time (``logflow``):
    sparse-cls at smoke and ci (the diagonal net shows it on 2 cores in seconds), the
    paper's modular addition at paper scale (App. B.1, Fig. 4; hours on a CPU)."""
    experiment = "modadd-nowd" if scale == "paper" else "sparse-cls-nowd"
    preset = make_config(experiment, scale)
    # the claim is about this pipeline: a user's --set dynamics/wd/horizon does not apply
    pinned = {"experiment": experiment, "dynamics": "logflow", "wd": 0.0,
              "horizon": str(preset.horizon)}  # fmt: skip
    seeds = [0] if scale == "paper" else _seeds(scale)
    return [{**pinned, "seed": seed} for seed in seeds]


def _control_grid(scale: str) -> list[Overrides]:
    """Dense and shuffled labels × the scale's seeds. At paper scale on the sweeps' 1000-point
    test sets: X1 judges accuracies to a few binomial standard errors of such a set (its
    tolerances' basis), and the 10⁴-point sets cost a control about 40% of its time (the
    draw, the fingerprint and the evaluations of an 8 GB set; benchmarks/NOTES.md, round 11)."""
    sizes = {"n_test": PAPER_SWEEP["n_test"]} if scale == "paper" else {}
    return [
        {**sizes, "experiment": name, "seed": seed}
        for name in ("control-dense", "control-shuffled")
        for seed in _seeds(scale)
    ]


def _samples_grid(scale: str) -> list[Overrides]:
    """G1: the exact max-L1- and max-L2-margin classifiers over a sweep of the number of
    training examples n at fixed d and k = 3 (no training: ``train=False``)."""
    ns, d, seeds = SAMPLE_SWEEPS[scale]
    return [
        {"n": n, "d": d, "k": 3, "n_test": SAMPLE_TEST_SIZE, "seed": seed}
        for n in ns
        for seed in seeds
    ]


_SPARSE_LEVELS = ("l2_max_margin", "l1_max_margin")
RUN_SETS: dict[str, RunSet] = {
    s.name: s
    for s in [
        RunSet("sparse-main", "sparse-cls", _seed_grid, ("ntk_svm", *_SPARSE_LEVELS),
               _sparse_probes, title="sparse-cls: grokking (Fig. 1a)", levels=_SPARSE_LEVELS),
        RunSet("sparse-alpha", "sparse-cls", _alpha_sweep("sparse-cls", 12.0),
               ("ntk_svm", "l2_max_margin"), _alpha_sweep_probes,
               title="sparse-cls: α sweep", levels=("l2_max_margin",)),
        RunSet("sparse-wd", "sparse-cls", _wd_grid, ("l1_max_margin",),
               title="sparse-cls: λ sweep", levels=("l1_max_margin",)),
        RunSet("misgrok-main", "misgrok", _seed_grid, _SPARSE_LEVELS, _misgrok_probes,
               title="misgrok: misgrokking (Fig. 1b)", levels=_SPARSE_LEVELS),
        RunSet("misgrok-alpha", "misgrok", _alpha_sweep("misgrok", 6.0, task={"d": 20_000}),
               title="misgrok: α sweep"),
        RunSet("mc-main", "matrix-completion", _completion_grid,
               ("ntk_interpolant", "nuclear_norm"), _completion_probes,
               title="matrix completion (Fig. 3)", levels=("ntk_interpolant", "nuclear_norm")),
        RunSet("mc-alpha", "matrix-completion",
               _alpha_sweep("matrix-completion", 4.0, COMPLETION_ALPHAS),
               title="matrix completion: α sweep"),
        RunSet("mc-wd", "matrix-completion", _completion_wd_grid, (), _completion_error_probes,
               title="matrix completion: λ sweep"),
        RunSet("controls", "sparse-cls", _control_grid, _SPARSE_LEVELS,
               title="controls: dense and shuffled labels", levels=_SPARSE_LEVELS),
        RunSet("modadd-alpha", "modadd", _modadd_alpha_grid,
               title="modular addition: α ∈ {1, 10, 100} (Fig. 2b)"),
        RunSet("modadd-break", "modadd", _modadd_break_grid,
               title="modular addition: 30 × the base λ (Fig. 2c)"),
        RunSet("nowd", "sparse-cls-nowd", _nowd_grid,
               title="no weight decay: normalised flow in log time (App. B.1)"),
        RunSet("samples", "sparse-cls", _samples_grid, ("l1_max_margin", "l2_max_margin"),
               title="sparse-cls: sample complexity (G1), baselines only", train=False,
               summary=sample_rows, figure=plot_sample_complexity),
    ]
}  # fmt: skip
