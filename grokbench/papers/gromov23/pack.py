"""gromov23: Gromov, "Grokking modular arithmetic" (arXiv 2301.02679) as a pack
(docs/papers/gromov23.md: the spec, settings and measurements)."""

from __future__ import annotations

from grokbench.papers.gromov23.catalogue import CLAIMS, FAMILIES
from grokbench.papers.gromov23.checks import CHECKS
from grokbench.papers.gromov23.power_cases import CASES
from grokbench.papers.gromov23.runsets import RUN_SETS
from grokbench.spec import Meeting, Pack

NOTES = """## Notes

**The setting.** `modadd-quad`: one-hot(a) ⊕ one-hot(b) → f = (1/N)·W₂(W₁x)² (x²
activation, no biases, θ̄ = N(0, 1), θ₀ = α θ̄), `loss=mse` (mean squared error against
one-hot targets), Adam (`dynamics=adamw` with λ = 0), float64. The rich members use α = 0.3;
one lazy member (α = 1) memorises without grokking inside the horizon (its final test
accuracy is reported by G1 for the kumar24 meeting).

**Probes** (grokbench.engine.periodic): the Fourier IPR (r = 2) of each neuron's a-, b- and
output weights; the phase residual φ_a + φ_b − φ_out at the neuron's peak frequency; the
analytic solution's accuracy on the whole p × p table at the run's p and N (a baseline).

**Seeds.** Limits fixed on the prototype's seed 100 and engine seeds 0–1; ci runs seeds 2–4.

**Finding while tuning.** The phase relation appears during memorisation (the residual is
≈ 0.1 rad by t_fit, before the IPR rises), and even the lazy member reaches ≈ 0.28 rad: PH1
holds, but it is no signature of grokking. The IPR is.

**Paper settings not verified.** The paper's full text was not retrieved in this session:
its optimiser details, init and step counts in the paper preset are our reading (see the
spec, §2); the paper uses both plain GD and AdamW.
"""

PACK = Pack(
    key="gromov23",
    citation="Gromov, *Grokking modular arithmetic*, arXiv 2023",
    claims=CLAIMS,
    checks=CHECKS,
    run_sets=RUN_SETS,
    cases=CASES,
    families=FAMILIES,
    arxiv="2301.02679",
    code="(none published; the model is reimplemented in grokbench.engine.periodic)",
    doc="docs/papers/gromov23-claims.md",
    notes=NOTES,
    meetings=[
        Meeting(
            "gromov23/G1",
            "lyu24/N1",
            "refines",
            "without weight decay lyu24 (normalised GD in log time) sees a slow transition "
            "(ln t_90/ln t_10 ≥ 10); gromov23's x²-MLP with Adam from a small init groks "
            "without any regularisation in a short window (ln step_90/ln step_10 ≈ 1.1): "
            "regularisation is not needed for grokking, a small init and an adaptive "
            "optimiser make it fast",
            ("ln_t90/ln_t10", ""),
        ),
        Meeting(
            "gromov23/G1",
            "kumar24/DL1",
            "agrees",
            "laziness sets the delay without regularisation: gromov23's lazy member (α = 1) "
            "memorises and does not generalise within the horizon while the α = 0.3 members "
            "grok; kumar24 measures the delay growing with the output scale",
            ("lazy_test_acc_T", "slope"),
        ),
    ],
    ci_seconds=8.0,
)
