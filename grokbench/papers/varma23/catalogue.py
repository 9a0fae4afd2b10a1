"""varma23's claims as data (docs/papers/varma23.md, §3). Every eng. limit was fixed on the
research prototype's seeds 0–1 (/tmp/packs/varma23/sweep.py, proto2.py: the ci setting);
the run sets use seeds 10–11 at ci, so each ci verdict is out of sample."""

from __future__ import annotations

from grokbench.papers.varma23.runsets import DSWEEP, UNGROK
from grokbench.spec import Claim

DATASET, EFFICIENCY = "critical dataset size", "circuit efficiency"
FAMILIES = (DATASET, EFFICIENCY)
PROXY = ("embedding MLP (modadd-embed) at p = 23, 1200 AdamW steps of lr 0.01, for the "
         "paper's 1-layer transformer at p = 113")  # fmt: skip
_OOS = "; fixed on prototype seeds 0–1, ci runs seeds 10–11"
_GROK = "eng.: a grokked run ends at 0.97–1.0, a memorising one at ≤ 0.06 (prototype)"
_GPU = ("gpu@paper",)

CLAIMS: list[Claim] = [
    Claim(
        "V1",
        "ungrokking: a grokked net continued on D₂ < D_crit examples loses its test accuracy; "
        "continued on D₂ > D_crit it keeps it",
        DATASET,
        f"{DSWEEP}+{UNGROK}",
        "D_crit: per seed the smallest swept D from which every larger D groks (final test "
        "acc ≥ grok_acc) from scratch, mean over seeds; for each continued run (phase 1 "
        "grokked at 80%, test acc ≥ phase1_min) its final test accuracy",
        "every run with D₂ ≤ below·D_crit ends at test acc ≤ ungrok_max; every run with "
        "D₂ ≥ D_crit at ≥ keep_min",
        {"grok_acc": 0.9, "phase1_min": 0.95, "below": 0.5, "ungrok_max": 0.5, "keep_min": 0.9},
        "§4.2 (ungrokking), Fig. 4",
        basis={
            "grok_acc": _GROK,
            "phase1_min": "eng.: phase 1 must have grokked (prototype: 1.0 at t = 4.5)",
            "below": "eng.: D_crit within the budget is an upper bound of the efficiency "
            "crossing (the grokking time diverges there); half of it is safely below" + _OOS,
            "ungrok_max": "paper: 'regresses from perfect to low test accuracy'; eng.: "
            "below half of perfect (prototype 0.009 at D₂ = 8%, 0.24 at 20%)",
            "keep_min": "eng.: above D_crit the generalising circuit stays the efficient "
            "one (prototype 1.0 at D₂ = 60% and 40%)",
        },
        counterfactual="retraining on a subset keeps the test accuracy (no ungrokking: the "
        "grokked circuit fits the subset already); or any continued training ungroks, "
        "whatever D₂",
        requires=_GPU,
        proxy=PROXY,
    ),
    Claim(
        "V2",
        "semi-grokking: near D_crit the net generalises late and only partly (a final test "
        "accuracy strictly between chance and ~100%)",
        DATASET,
        DSWEEP,
        "per from-scratch run: final test acc a_T, a at 0.75·T, rise since the train set "
        "was fitted; the best run's worst normalised slack of: a_T ≥ 1/p + gap, a_T ≤ hi, "
        "|a_T − a_0.75T| ≤ plateau, rise ≥ rise",
        "some swept D semi-groks (best slack ≥ 0)",
        {"gap": 0.1, "hi": 0.9, "plateau": 0.1, "rise": 0.1},
        "§4.3 (semi-grokking), Fig. 5",
        basis={
            "gap": "eng.: 0.1 above chance is ≈ 8 binomial standard errors of the ~290-point "
            "test set",
            "hi": "eng.: below a grokked run's accuracy (≥ 0.97 in the prototype)",
            "plateau": "eng.: a partial level, not a transition caught mid-way (the "
            "prototype's D = 0.45 run moved 0.35 → 0.97 over its last quarter)" + _OOS,
            "rise": "paper: delayed generalisation, after the fit",
        },
        counterfactual="the final accuracy over D is a step: every run ends at chance "
        "(memorised) or ~100% (grokked), no partial plateau",
        requires=_GPU,
        proxy=PROXY,
    ),
    Claim(
        "V3",
        "efficiency: the memorising solution's parameter norm grows with the training set "
        "size D, the generalising solution's does not",
        EFFICIENCY,
        DSWEEP,
        "final ‖θ‖ of each from-scratch run; memorising: train fitted, test ≤ mem_acc; "
        "generalising: test ≥ grok_acc; the least-squares slope of ln‖θ_T‖ in D per class",
        "memorising slope ≥ mem_slope_min; |generalising slope| ≤ gen_slope_max",
        {"mem_acc": 0.2, "grok_acc": 0.9, "mem_slope_min": 0.3, "gen_slope_max": 0.25},
        "§3 (efficiency), §4.1, Fig. 3",
        basis={
            "mem_acc": "eng.: memorising runs end at ≤ 0.06 (chance 0.043)",
            "grok_acc": _GROK,
            "mem_slope_min": "eng.: half the prototype's 0.66 (ln‖θ‖ per unit D, seeds "
            "0–1); a flat memoriser has 0" + _OOS,
            "gen_slope_max": "eng.: the prototype's −0.09 includes runs still settling "
            "just above D_crit; 0.25 is well below the memorising slope",
        },
        counterfactual="memorisation costs the same at every D (its norm flat in D), so "
        "nothing makes generalisation win above some D",
        requires=_GPU,
        proxy=PROXY,
    ),
]
