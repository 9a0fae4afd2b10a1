"""grokfast24: Lee, Kang, Kim & Lee, "Grokfast: Accelerated Grokking by Amplifying Slow
Gradients" (arXiv 2405.20233) as a pack (docs/papers/grokfast24.md: the spec, settings
and measurements)."""

from __future__ import annotations

from grokbench.papers.grokfast24.catalogue import CLAIMS, FAMILIES
from grokbench.papers.grokfast24.checks import CHECKS
from grokbench.papers.grokfast24.power_cases import CASES
from grokbench.papers.grokfast24.runsets import RUN_SETS
from grokbench.spec import Meeting, Pack

NOTES = """## Notes

**The filter** (grokbench.engine.grokfast, any torch optimizer): `dynamics=grokfast-ema-NAME`
adds λ·μ to the gradient, μ ← αμ + (1 − α)g (μ starts at the first g);
`dynamics=grokfast-ma-NAME` adds λ × the mean of the last w gradients (once w are held).
Settings `opt.grokfast_alpha`, `opt.grokfast_lamb`, `opt.grokfast_window`,
`opt.grokfast_warmup`; λ = 0 is the base optimizer (tested step for step).

**The comparison.** Same seed, same Adam (β 0.9, 0.98) with the authors' coupled L2
λ_wd = 0.005 in every arm; only the filter differs. The authors' README compares against a
baseline without weight decay, which mixes two changes; here the filter alone is judged.

**Seeds.** Limits fixed on the prototype's seeds 0–1; ci runs seeds 21–23.

**Finding while tuning (seeds 0–1, before the limits were fixed).** On the MLP proxy the
filter gave no speed-up in any setting tried: Adam + L2 0.005, T95 635 with and without the
EMA filter (seed 1); power-AdamW wd 1, T95 877 → 1071 (EMA) and 1071 (MA); wd 0.3, the EMA
run did not reach 95% in 3000 updates where the baseline did at 1990; GD on the one-hot
`modadd` MLP (lyu24's ci), T95 4822 → 4393 (EMA, ×1.10) and 4447 (MA, ×1.08). Where the
delay is a weight-decay clock the filter, which amplifies the loss gradient but not the
decay, leaves it in place.

**Paper scale** needs a GPU: ~3·10⁵ transformer updates per seed over the three arms.
"""

PACK = Pack(
    key="grokfast24",
    citation="Lee, Kang, Kim & Lee, *Grokfast: Accelerated Grokking by Amplifying Slow "
    "Gradients*, arXiv 2024",
    claims=CLAIMS,
    checks=CHECKS,
    run_sets=RUN_SETS,
    cases=CASES,
    families=FAMILIES,
    arxiv="2405.20233",
    code="https://github.com/ironjr/grokfast (grokfast.py: gradfilter_ema, gradfilter_ma)",
    doc="docs/papers/grokfast24-claims.md",
    notes=NOTES,
    meetings=[
        Meeting(
            "grokfast24/GF1",
            "lyu24/T1",
            "refines",
            "T1 puts the transition at t ≈ ln(α)/λ_wd, a weight-decay clock. The filter "
            "amplifies the loss gradient, not the decay: if the EMA ratio T95(base)/T95(EMA) "
            "at fixed α, λ_wd is ≥ GF1's limit, the filter shortens the delay T1 predicts "
            "(refines: the clock holds for plain optimizers only); a ratio ≈ 1 (the "
            "prototype's 1.0–1.1 on binop and on lyu24's modadd GD) agrees with T1 instead",
            ("ratio", "slope"),
        ),
        Meeting(
            "grokfast24/GF1",
            "power22/PW1",
            "refines",
            "PW1's steps to 99% grow steeply as the training fraction falls; both packs "
            "read the binop MLP with Adam-family optimizers at p = 23: the EMA ratio at "
            "f = 0.8 says how much of PW1's delay a filter removes (decided by GF1's ratio "
            "and PW1's delay T99/T99_train at the same fraction)",
            ("ratio", "delay"),
        ),
    ],
    ci_seconds=41.0,
)
