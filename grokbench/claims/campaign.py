"""The runs the claims read, grouped in run sets, and the code that runs them.

A run set is an experiment with a grid of overrides (seeds, an α or λ sweep), the
baselines its claims compare with (fitted on each member's own data), and the probes its
claims read from the traces. ``collect`` runs every set the chosen claims need, once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from grokbench.engine import probes as P
from grokbench.engine.batch_run import BATCHED_DYNAMICS, run_batch
from grokbench.engine.config import make_config
from grokbench.infra import progress
from grokbench.papers.lyu24.catalogue import BY_ID
from grokbench.spec import (
    BaselineResult,
    Claim,
    Member,
    Overrides,
    Prepared,
    Probe,
    ProbeFactory,
    RunConfig,
    RunSet,
    Trace,
)


def configs_of(run_set: RunSet, scale: str, base: Overrides | None = None) -> list[RunConfig]:
    """A run set's members' configs: the preset at ``scale``, then ``base`` (the user's
    overrides, e.g. another optimizer), then the member's own grid entry."""
    out = []
    for overrides in run_set.grid(scale):
        merged = {**(base or {}), **overrides}
        experiment = merged.pop("experiment", run_set.experiment)
        out.append(make_config(experiment, scale, merged))
    return out


def _seeds(scale: str) -> list[int]:
    """Three seeds (CLAIMS.md: ≥ 3 where cheap enough); one at smoke scale."""
    return [0] if scale == "smoke" else [0, 1, 2]


def _sweep_seeds(scale: str) -> list[int]:
    """Seeds of the α and λ sweeps: one at paper scale, where a sweep of d = 10⁵ runs is
    not cheap (at ci the seed-to-seed spread of what the sweeps measure is below 1%)."""
    return [0] if scale == "paper" else _seeds(scale)


#: Paper-scale sweeps measure times and norms, not accuracies to 10⁻⁴: a 1000-point test
#: set and 400 evaluations (the 10⁴ × 10⁵ test set costs ~0.8 s per evaluation on 2 cores).
PAPER_SWEEP = {"n_test": 1000, "evals": 400}


def _sweep_sizes(experiment: str, scale: str, task: Overrides | None) -> Overrides:
    """Overrides of a sweep's sizes: ``task`` below paper scale (a cheaper sweep), the
    paper-scale sweep settings at paper scale."""
    if scale != "paper":
        return dict(task or {})
    keys = make_config(experiment, scale).task
    return {k: v for k, v in PAPER_SWEEP.items() if k in keys or k == "evals"}


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
    """cos(w, w₂*) for K6 and the KKT residual for R7."""
    return [P.weight_cosines({"l2_max_margin": baselines["l2_max_margin"].coef}), P.kkt_probe()]


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
    return [
        {"experiment": name, "seed": seed}
        for name in ("control-dense", "control-shuffled")
        for seed in _seeds(scale)
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
    ]
}  # fmt: skip


def run_set_names(claims: Sequence[Claim], scale: str) -> list[str]:
    """The run sets the claims read, in catalogue order (``samples`` is not a run set)."""
    names: list[str] = []
    for claim in claims:
        for name in claim.run_sets:
            if name in RUN_SETS and name not in names:
                if RUN_SETS[name].paper_only and scale != "paper":
                    continue
                names.append(name)
    return names


def fit_baselines(config: RunConfig, names: Sequence[str]) -> dict[str, BaselineResult]:
    """The named baselines on this config's data (cached on disk by grokbench.baselines.compute)."""
    if not names:
        return {}
    from grokbench.baselines.compute import run_baselines

    return {result.name: result for result in run_baselines(config, list(names))}


#: Computes a run set's traces: ``compute_traces`` here, or through the store and an
#: executor (``grokbench.claims.stored_runs``).
Compute = Callable[
    ["RunSet", list[RunConfig], Callable[[str], None], "list[dict[str, BaselineResult]] | None"],
    list[Trace],
]


def compute_traces(
    run_set: RunSet,
    configs: Sequence[RunConfig],
    log: Callable[[str], None],
    baselines: list[dict[str, BaselineResult]] | None = None,
) -> list[Trace]:
    """Every run of a run set in this process: baselines first (the probes compare with
    them, each member with those fitted on its own data; ``baselines`` when the caller has
    them), then the runs through ``sweep.run_batch``, which advances runs that differ only
    in α, λ, seed or lr as one vectorised computation (identical results) and the others
    one by one."""
    if baselines is None:
        baselines = [fit_baselines(c, run_set.baselines) for c in configs]
    fitted = {c.key(): b for c, b in zip(configs, baselines, strict=True)}

    def member_probes(prepared: Prepared) -> Probe:
        probes = [f(prepared) for f in run_set.probes(fitted[prepared.config.key()])]
        return lambda theta: {k: v for probe in probes for k, v in probe(theta).items()}

    start = time.perf_counter()
    traces = run_batch(configs, probes=[member_probes], warn=False)
    if any(trace.status == "interrupted" for trace in traces):
        raise KeyboardInterrupt
    seconds = time.perf_counter() - start
    for config, trace in zip(configs, traces, strict=True):
        log(f"  {run_set.name}: {_describe(config)} -> {trace.status}")
    how = "vectorised" if all(c.dynamics in BATCHED_DYNAMICS for c in configs) else "one by one"
    log(f"  {run_set.name}: {len(configs)} runs, {how}, in {seconds:.1f}s")
    return traces


def run_members(
    run_set: RunSet,
    configs: Sequence[RunConfig],
    log: Callable[[str], None],
    compute: Compute | None = None,
) -> list[Member]:
    """Every member of a run set: the baselines fitted on its data, and its trace
    (``compute``: in this process by default)."""
    fitted = [fit_baselines(config, run_set.baselines) for config in configs]
    traces = (compute or compute_traces)(run_set, list(configs), log, fitted)
    return [Member(c, t, b) for c, t, b in zip(configs, traces, fitted, strict=True)]


def _describe(config: RunConfig) -> str:
    scale = f"alpha={config.alpha:g}" if config.alpha is not None else f"|θ0|={config.init_norm:g}"
    return f"{config.experiment} seed={config.seed} {scale} wd={config.wd:g}"


def collect(
    names: Sequence[str],
    scale: str,
    log: Callable[[str], None] | None = None,
    base: Overrides | None = None,
    compute: Compute | None = None,
) -> tuple[dict[str, list[Member]], dict[str, float]]:
    """Run the named run sets (``compute``: how, in this process by default); returns their
    members and the wall time each took.

    Ctrl-C stops the collection: the run sets that finished are returned, the rest are
    missing from the result (the caller reports them as not done).
    """
    log = log or progress.log  # stderr, unless grokbench -q
    configs = {name: configs_of(RUN_SETS[name], scale, base) for name in names}  # validates first
    results: dict[str, list[Member]] = {}
    timings: dict[str, float] = {}
    for name in names:
        start = time.perf_counter()
        log(f"run set {name} ({scale})")
        try:
            results[name] = run_members(RUN_SETS[name], configs[name], log, compute)
        except KeyboardInterrupt:
            log(f"interrupted during run set {name}; keeping the {len(results)} that finished")
            break
        timings[name] = time.perf_counter() - start
    return results, timings
