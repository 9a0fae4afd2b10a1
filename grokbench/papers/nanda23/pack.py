"""nanda23 (+ morwani24): Nanda, Chan, Lieberum, Smith, Steinhardt, "Progress measures for
grokking via mechanistic interpretability" (ICLR 2023), with Morwani, Edelman, Oncescu,
Zhao, Kakade, "Feature emergence via margin maximization" (ICLR 2024), as a pack
(docs/papers/nanda23.md)."""

from __future__ import annotations

from grokbench.papers.nanda23.catalogue import CLAIMS, FAMILIES
from grokbench.papers.nanda23.checks import CHECKS
from grokbench.papers.nanda23.power_cases import CASES
from grokbench.papers.nanda23.runsets import RUN_SETS, fourier_probes
from grokbench.spec import Meeting, Pack

NOTES = """## Not built

**RL1** (restricted loss falls before the test loss) and **EX1** (excluded loss rises while
the train loss falls) are specified in docs/papers/nanda23.md, §3, but not built: both are
defined against the *final* key set, which needs θ snapshots and a post-hoc probe (E2).
**The 1-layer transformer** (E5) is not part of this pack: the paper scale runs the
embed-MLP proxy at the paper's p = 113, 30% train.

## The Fourier probe on lyu24's runs

The pack attaches its probe to lyu24's `modadd-alpha` (α ∈ {1, 10, 100}), so a lyu24 run
records the per-frequency logit shares and morwani24's neuron numbers per α (the spec's
WN1 × K1 and MM1 × R5/R7 comparisons across α).
"""

PACK = Pack(
    key="nanda23",
    citation=(
        "Nanda, Chan, Lieberum, Smith, Steinhardt, *Progress measures for grokking via "
        "mechanistic interpretability*, ICLR 2023; Morwani, Edelman, Oncescu, Zhao, Kakade, "
        "*Feature emergence via margin maximization: case studies in algebraic tasks*, "
        "ICLR 2024, arXiv 2311.07568"
    ),
    claims=CLAIMS,
    checks=dict(CHECKS),
    run_sets=RUN_SETS,
    cases=CASES,
    probes={"modadd-alpha": fourier_probes},
    families=FAMILIES,
    arxiv="2301.05217",
    code="https://github.com/neelnanda-io/Grokking",
    doc="docs/papers/nanda23-claims.md",
    notes=NOTES,
    # measured: `grokbench claims --scale ci --paper nanda23 --threads 1`, 2 local workers on
    # the shared 2-core machine (load 3.5): onehot 96.7 s + embed 40.5 s of runs, 143 s wall
    ci_seconds=143.0,
    meetings=[
        Meeting(
            "nanda23/FS1",
            "nanda23/MM2",
            "contradicts",
            "architecture decides: the embed-MLP is Fourier-sparse (FS1 holds, MM2 fails "
            "there), the one-hot MLP uses every frequency (MM2 holds, n90 = never)",
            ("n90_onehot_min", "n_freq_used_embed_max"),
        ),
        Meeting(
            "nanda23/WN1",
            "lyu24/K1",
            "contradicts",
            "the norm falls in cleanup (WN1, AdamW embed) vs in the kernel phase (K1); "
            "q on the one-hot α = 10 GD run is lyu24's world",
            ("q_onehot_min", "max_norm_ratio_deviation"),
        ),
        Meeting(
            "nanda23/MM1",
            "lyu24/R7",
            "refines",
            "morwani24 names the late KKT point: single-frequency neurons",
            ("rho_mean_min", ""),
        ),
    ],
)
