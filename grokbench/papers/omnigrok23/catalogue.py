"""omnigrok23's claims as data (docs/papers/omnigrok23.md, §3). Ids avoid lyu24's bare ids.

Every limit was fixed on the standalone prototype (/tmp/packs/omnigrok23/proto.py, seed 0)
and on engine seed 0 (the same grid); the ci run set uses seeds 1–2, so each ci verdict is
out of sample. The ci setting is a proxy: scikit-learn's digits for MNIST.
"""

from __future__ import annotations

from grokbench.spec import Claim

GROK, NORM = "grokking on images", "the Goldilocks norm"
RUNS = "omnigrok23-image"
PROXY = ("digits (8×8, 300 training images, 1497 test), MLP 64-128-128-10, α 4, full-batch "
         "AdamW lr 3e-3, λ 0.1–0.4, float64, for the paper's MNIST (1000 images), "
         "784-200-200-10, α 8, batch 200, lr 1e-3, λ 0.01")  # fmt: skip
_OOS = "; fixed on prototype and engine seed 0, ci runs seeds 1–2"
_DEF = ("t_fit = first t (= Σ lr) with train acc ≥ 0.99, t_gen = first t with test acc ≥ "
        "0.91 (digits; 0.85 MNIST)")  # fmt: skip

CLAIMS: list[Claim] = [
    Claim(
        "OG1",
        "a large initialisation (weights ×α) with weight decay makes an MLP grok on images: "
        "it fits the training set early and generalises late, while the α = 1 net "
        "generalises as it fits",
        GROK,
        RUNS,
        f"{_DEF}; delay = t_gen/t_fit at large α and the smallest λ of the sweep (worst "
        "seed); the same for the α = 1 control (worst seed)",
        "delay ≥ delay_min at large α; delay ≤ control_max at α = 1",
        {"delay_min": 3.0, "control_max": 1.5},
        "§3.1, Fig. 3 (MNIST, α = 8)",
        basis={
            "delay_min": "eng.: measured 5.0 (engine) and 5.7 (prototype) at λ 0.1; the "
            "paper's MNIST delay is larger (≈ 10–100×) but its gap in accuracy is modest, "
            "so 3 separates 'late' from 'together' (≈ 1)" + _OOS,
            "control_max": "eng.: measured 0.67 at α = 1 (test reaches 0.91 before train "
            "reaches 0.99)" + _OOS,
        },
        counterfactual="no delay with large init: the α = 4 net generalises as soon as it "
        "fits (t_gen/t_fit ≈ 1), as the α = 1 net does",
        proxy=PROXY,
    ),
    Claim(
        "OG2",
        "generalisation comes when ‖θ‖ reaches the Goldilocks norm: ‖θ‖ at t_gen is the "
        "same whatever the weight decay",
        NORM,
        RUNS,
        f"{_DEF}; ‖θ(t_gen)‖ (all parameters, biases included) per λ of the sweep; max/min "
        "over λ (worst seed). Reported: mean ‖θ(t_gen)‖ of the sweep ÷ the α = 1 net's",
        "max/min ≤ spread_max",
        {"spread_max": 1.3},
        "§2 (LU mechanism), §3.1, Fig. 3",
        basis={
            "spread_max": "eng.: measured 1.11 over λ 0.1–0.4 on the tuning seed (‖θ₀‖ "
            "37.8, ‖θ(t_gen)‖ 28.6–31.6); a norm set by time, not by ‖θ‖, would differ "
            "by e^{λt}-factors ≥ 2 over a 4× range of λ" + _OOS,
        },
        counterfactual="the net generalises at a time, not at a norm: ‖θ(t_gen)‖ varies ×3 with λ",
        proxy=PROXY,
    ),
    Claim(
        "OG3",
        "the time to generalise scales as 1/λ (weight decay shrinks ‖θ‖ as e^{−λt} to the "
        "Goldilocks norm)",
        NORM,
        RUNS,
        f"{_DEF}; least-squares slope of ln t_gen on ln λ over the sweep, per seed. "
        "Reported: the worst |‖θ(t)‖/(‖θ₀‖e^{−λt}) − 1| up to t_gen (lyu24/K1's measure)",
        "slope_lo ≤ slope ≤ slope_hi on every seed",
        {"slope_lo": -1.3, "slope_hi": -0.6},
        "§2.2 (t ∝ 1/γ), §3.1",
        basis={
            "slope_lo": "paper: t ∝ 1/γ (slope −1); 0.3 of slack for three λ values and "
            "an evaluation grid of ~2% in t" + _OOS,
            "slope_hi": "eng.: measured −0.81 (engine) on the tuning seed: fitting takes "
            "a λ-independent time (t_fit ≈ 0.46), which pulls the slope of a 4× range "
            "toward 0; −0.6 still rejects independence (0) and √λ laws (−0.5)" + _OOS,
        },
        counterfactual="t_gen independent of λ (slope 0): generalisation set by the "
        "optimiser's own progress, not by the decay of ‖θ‖",
        proxy=PROXY,
    ),
    Claim(
        "OG4",
        "constraining ‖θ‖ to the Goldilocks norm (projecting θ onto the sphere after "
        "each step) removes the delay: train and test accuracy rise together",
        NORM,
        RUNS,
        f"{_DEF}; the fixed-norm member (dynamics=sphere-adamw, λ = 0, ‖θ‖ = ‖θ₀‖ at α "
        "2.8 ci / 1 paper): t_gen/t_fit, worst seed (never reaching t_gen: unbounded). "
        "Reported: final test accuracy, the largest |‖θ‖/‖θ₀‖ − 1|",
        "t_gen/t_fit ≤ delay_max",
        {"delay_max": 1.5},
        "§3.1, Fig. 3 (reduced landscape, constrained optimisation)",
        basis={
            "delay_max": "eng.: measured 0.75 on the tuning seed (test 0.91 at t 0.17, "
            "train 0.99 at 0.23); the α = 1 control's bound" + _OOS,
        },
        counterfactual="the sphere keeps the delay: at fixed norm the net still fits "
        "first and generalises ≥ 3× later",
        proxy=PROXY,
    ),
]

FAMILIES = (GROK, NORM)
