"""kumar24's run set: the out_scale (α) sweep of the centred quad-index net at λ = 0.

Every member pins the setting: full-batch GD with lr = c·N/α², so τ = c·steps = t·α²/N is
the paper's clock, and a horizon of τ_end = τ₀·max(1, α/2) (the α = 5 member needs the
longer run: docs/papers/kumar24.md, §2).

- ci: the research proxy (D 50, P 275, N 100, ε 0.05, c = 4, τ₀ = 64 000, 180 evaluations),
  α ∈ {0.05, 0.15, 0.5, 1.5, 5}, seed 4 (the limits were fixed on seed 0 and looked at on
  seeds 1–3).
- paper: Fig. 1's setting (D 100, P 550, N 500, ε 0.02, c = 1 as in the notebook, τ₀ = 1e5
  epochs) at α ∈ {0.05, 0.5, 1, 5}: α = 1 is Fig. 1 itself, the others give A1/DL1 its two
  decades (Fig. 3a sweeps α at ε = 0.25). Ready for ``--set device=cuda``.
- smoke: the ci setting shrunk to seconds (c = 2: c = 4 diverges at α = 0.05 with D 10,
  N 20); its verdicts mean nothing.
"""

from __future__ import annotations

from grokbench.papers.kumar24.probes import quad_probe
from grokbench.spec import BaselineResult, Overrides, ProbeFactory, RunSet

SEEDS = {"smoke": (4,), "ci": (4,), "paper": (4,)}
ALPHAS = {
    "smoke": (0.05, 0.5, 5.0),
    "ci": (0.05, 0.15, 0.5, 1.5, 5.0),
    "paper": (0.05, 0.5, 1.0, 5.0),
}
#: per scale: (c, τ₀, evaluations)
CLOCK = {"smoke": (2.0, 2000.0, 60), "ci": (4.0, 64_000.0, 180), "paper": (1.0, 1e5, 400)}
#: the member whose curves stand for Fig. 1 (G1/N1/C1/D1 of the spec read it)
FIG1_ALPHA = {"smoke": 0.5, "ci": 0.5, "paper": 1.0}


def member_overrides(scale: str, alpha: float, seed: int, width: int) -> Overrides:
    """lr = c·N/α² and the horizon t = τ_end·N/α² of one member."""
    c, tau0, evals = CLOCK[scale]
    tau_end = tau0 * max(1.0, alpha / 2)
    return {"out_scale": alpha, "alpha": 1.0, "wd": 0.0, "dynamics": "gd",
            "lr": c * width / alpha**2, "horizon": f"{tau_end * width / alpha**2:.10g}",
            "evals": evals, "seed": seed}  # fmt: skip


def _alpha_grid(scale: str) -> list[Overrides]:
    from grokbench.engine.experiments import QUAD_SCALES

    width = QUAD_SCALES[scale]["width"]
    return [member_overrides(scale, a, s, width) for a in ALPHAS[scale] for s in SEEDS[scale]]


def _probes(_: dict[str, BaselineResult]) -> list[ProbeFactory]:
    return [quad_probe]


RUN_SETS: dict[str, RunSet] = {
    "kumar24-alpha": RunSet("kumar24-alpha", "quad-index", _alpha_grid, probes=_probes,
                            title="kumar24: output scale α (laziness) sweep at λ = 0 (Fig. 1, 3a)"),
}  # fmt: skip
