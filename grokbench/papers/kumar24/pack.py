"""kumar24: Kumar, Bordelon, Gershman, Pehlevan, "Grokking as the transition from lazy to rich
training dynamics" (ICLR 2024) as a pack (docs/papers/kumar24.md: the spec, settings and
measurements)."""

from __future__ import annotations

from grokbench.papers.kumar24.catalogue import CLAIMS, FAMILIES
from grokbench.papers.kumar24.checks import CHECKS
from grokbench.papers.kumar24.power_cases import CASES
from grokbench.papers.kumar24.runsets import RUN_SETS
from grokbench.spec import Meeting, Pack

NOTES = """## Notes

**The setting.** `quad-index` draws x ~ N(0, I/D), β ~ N(0, I_D), y = (β·x)²/2; the model
`quadnet` is f = out_scale·(1/N)Σφ(w_i·x) − f(W₀; x), φ(h) = h + (ε/2)h², W₀ ~ N(0, 1),
no readout (the authors' notebook). `out_scale` is the paper's α (large = lazy);
grokbench's `alpha` (the initial-parameter scale) stays 1. GD runs at lr = c·N/out_scale²,
so τ = t·out_scale²/N is the paper's clock (c = 1 in Fig. 1; the ci proxy uses c = 4). The
probes are exact population quantities (docs/papers/kumar24.md, §2), not test-sample ones.

**Seeds.** Limits fixed on the prototype's seed 0, seeds 1–3 looked at; ci runs seed 4.

**Not built.** The spec's G1 (the plateau is GD on the linearised net, and the net ends far
below the kernel interpolant) needs a linearised-GD twin indexed by the step count, which a
θ → values probe cannot see; the weight-decay contrast run set (kumar24-wd) is not built.
"""

PACK = Pack(
    key="kumar24",
    citation=(
        "Kumar, Bordelon, Gershman, Pehlevan, *Grokking as the transition from lazy to "
        "rich training dynamics*, ICLR 2024"
    ),
    claims=CLAIMS,
    checks=CHECKS,
    run_sets=RUN_SETS,
    cases=CASES,
    families=FAMILIES,
    arxiv="2310.06110",
    code="https://openreview.net/forum?id=vt5mnLVIVo (supplementary notebook)",
    doc="docs/papers/kumar24-claims.md",
    notes=NOTES,
    meetings=[
        Meeting(
            "kumar24/NG1",
            "lyu24/K1",
            "contradicts",
            "the sign of ln(‖θ_late‖/‖θ₀‖): kumar24 (λ = 0, MSE, finite minimiser) grows the "
            "norm to the mean-fit value before and through grokking; lyu24's kernel phase "
            "shrinks it as ‖θ₀‖e^{−λt} (K1's deviation from that path is small on its run "
            "sets, and would be ≫ 1 on kumar24-alpha)",
            ("ln_norm_ratio_T", "max_norm_ratio_deviation"),
        ),
    ],
    ci_seconds=43.0,
)
