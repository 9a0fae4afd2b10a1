"""varma23: Varma, Shah, Kenton, Kramár, Kumar, "Explaining grokking through circuit
efficiency" (arXiv 2309.02390) as a pack (docs/papers/varma23.md)."""

from __future__ import annotations

from grokbench.papers.varma23.catalogue import CLAIMS, FAMILIES
from grokbench.papers.varma23.checks import CHECKS
from grokbench.papers.varma23.power_cases import CASES
from grokbench.papers.varma23.runsets import RUN_SETS
from grokbench.spec import Meeting, Pack

NOTES = """## Notes

**The setting.** Full-batch AdamW(β = (0.9, 0.98)) with decoupled λ = 1, α = 1 (the authors'
init), float64, (a + b) mod p. ci: the embedding MLP `modadd-embed` (p = 23, d 32, width 128,
lr 0.01, 1200 steps); paper: the authors' 1-layer transformer (`modadd-transformer`, p = 113,
d_model 128, 4 heads, d_mlp 512, lr 1e-3; `--set device=cuda`).

**Run chaining.** `phase2_keep=q` (grokbench.engine.phases) continues a run from its own θ at
`phase2_at`·T on a seeded, nested q of its training set; the optimizer state carries over
(the loop continues, as a training script that swaps its dataset); the test set is unchanged.
Any experiment, gd or any optimizer dynamics (`grokbench run EXP --set phase2_keep=0.25`).

**D_crit.** Measured as the smallest swept training fraction from which every larger one
groks within the budget (the issue's operational definition). It is an upper bound of the
paper's D_crit (the D where both circuits are equally efficient), since the grokking time
diverges there: in the prototype, D = 0.44 groks by t = 24 but not by t = 12. V3 also reports
the efficiency crossing `d_eff_frac` (where the memorising norm's fit reaches the generalising
norm): 0.27 at ci, against a budget D_crit of 0.50; continued runs ungrok at D₂ = 0.2 (partly)
and keep 1.0 at D₂ = 0.4, so ungrokking follows the crossing.

**Seeds.** Limits fixed on the prototype's seeds 0–1; ci runs seeds 10–11.
"""

PACK = Pack(
    key="varma23",
    citation=(
        "Varma, Shah, Kenton, Kramár, Kumar, *Explaining grokking through circuit "
        "efficiency*, arXiv 2023"
    ),
    claims=CLAIMS,
    checks=CHECKS,
    run_sets=RUN_SETS,
    cases=CASES,
    families=FAMILIES,
    arxiv="2309.02390",
    code="none public (the paper's §4 and appendices describe the runs)",
    doc="docs/papers/varma23-claims.md",
    notes=NOTES,
    meetings=[
        Meeting(
            "varma23/V1",
            "lyu24/G1",
            "refines",
            "both name a critical sample size at which the solution training prefers "
            "switches: varma23's D_crit (d_crit_frac, from training runs on modadd) and "
            "lyu24's n at which the max-L1-margin baseline (the late-phase solution) "
            "generalises while max-L2 does not (l1/l2 error ratio by n, sparse-cls, "
            "baselines only). At ci they read different tasks, so the numbers stand side by "
            "side only; the deciding comparison, D_crit of a trained diagonal net over an n "
            "sweep at lyu24's d = 10⁴ against the L1 switch n, is paper-scale only (not "
            "built: a trained n sweep at d = 10⁴ exceeds the ci budget)",
            ("d_crit_examples", "l1/l2@n=128"),
        ),
    ],
    ci_seconds=92.0,
)
