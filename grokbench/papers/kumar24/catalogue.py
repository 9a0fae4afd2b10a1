"""kumar24's claims as data (docs/papers/kumar24.md, §3). Ids avoid lyu24's bare ids.

Every limit was fixed on the research prototype's seed 0 (frozen, sha256 in the spec) and
looked at on seeds 1–3 (/tmp/packs/kumar24, standalone torch); the ci run set uses seed 4,
so each ci verdict is out of sample. The ci setting is a proxy for Fig. 1 (D 50, P 275,
N 100, ε 0.05, lr = 4N/α²).
"""

from __future__ import annotations

from grokbench.spec import Claim

LAZY, FEATURES = "laziness sets the delay", "feature learning in the transition"
RUNS = "kumar24-alpha"
PROXY = ("quad-index D 50, P 275, N 100, ε 0.05, c = 4 (lr = 4N/α²), α 0.05–5, for "
         "Fig. 1's D 100, P 550, N 500, ε 0.02, c = 1")  # fmt: skip
_OOS = "; frozen on prototype seed 0, seeds 1–3 looked at, ci runs seed 4"

CLAIMS: list[Claim] = [
    Claim(
        "DL1",
        "without regularisation the grokking delay grows with the output scale α "
        "(laziness) like a power of α, and ρ = t_gen/t_fit grows too",
        LAZY,
        RUNS,
        "t_fit, t_gen: first τ (= t·α²/N, the paper's clock) at which the train / "
        "population test MSE reach 2/15 of the initial test MSE (the paper's 0.1 of "
        "E[y²] = ¾); delay = t_gen − t_fit; least-squares slope of ln delay on ln α over "
        "≥ 3 α spanning ≥ 2 decades; ρ(α)",
        "slope in [slope_lo, slope_hi]; delay strictly increasing in α; ρ non-decreasing "
        "(mono_slack); ρ(α_max)/ρ(α_min) ≥ rho_gain_min",
        {"slope_lo": 0.7, "slope_hi": 1.5, "mono_slack": 0.05, "rho_gain_min": 1.5},
        "abstract; Fig. 3a, 3e",
        basis={
            "slope_lo": "eng.: the escape time τ ≈ (Dα/3ε)·ln(1/αε) we derived gives "
            "0.8–1.1; measured 1.13–1.14" + _OOS,
            "slope_hi": "eng.: as slope_lo; a clock α² off gives ≈ −0.9" + _OOS,
            "mono_slack": "eng.: 5% for the evaluation grid's discretisation" + _OOS,
            "rho_gain_min": "eng.: measured 2.7–4.0 on seeds 0–3" + _OOS,
        },
        counterfactual="the clock α² off (lr not scaled by 1/α²): slope ≈ −0.9; or a "
        "delay independent of α",
        proxy=PROXY,
    ),
    Claim(
        "NG1",
        "without regularisation ‖W‖ grows through the transition (it never decays), "
        "to the norm that fitting E[y] needs",
        FEATURES,
        RUNS,
        "at the Fig-1 member (α = 0.5 at ci, 1 at paper): the largest relative drop of ‖W‖ "
        "before t_gen; ‖W(t_gen)‖/‖W(t_peak)‖; over every α, |‖W_T‖/‖W₀‖ ÷ "
        "√(1 + ‖β‖²/(αε·tr M₀)) − 1| (the mean-fit norm, derived)",
        "drawdown ≤ drawdown_max; growth ≥ growth_min; prediction error ≤ pred_tol",
        {"drawdown_max": 0.01, "growth_min": 1.5, "pred_tol": 0.05},
        "Fig. 1c",
        basis={
            "drawdown_max": "eng.: 1% (measured 0 on seeds 0–3)" + _OOS,
            "growth_min": "eng.: measured 3.7–4.4" + _OOS,
            "pred_tol": "eng.: the mean is fitted to 1e-4 at T; measured 0.005–0.026" + _OOS,
        },
        counterfactual="lyu24/K1's world ‖θ(t)‖ = ‖θ₀‖e^{−λt} (λ = 1/t_gen). Blind spot: "
        "an isotropic dM fitting only the mean has the same norm and passes",
        proxy=PROXY,
    ),
    Claim(
        "AL1",
        "the NTK–target alignment is flat on the lazy plateau and rises through the "
        "transition, together with the test drop",
        FEATURES,
        RUNS,
        "the authors' kalignment y_cᵀK_c y_c/(‖K_c‖_F‖y_c‖²) on 200 test points at the "
        "Fig-1 member: A(t_peak)/A(0); A(t_gen)/A(t_peak); t_A50/t_grok (t_A50: A covers "
        "half of A(0) → A(T); t_grok: test MSE halfway from its peak to its final value)",
        "|flat − 1| ≤ flat_tol; rise ≥ rise_min; lag in [lag_lo, lag_hi]",
        {"flat_tol": 0.05, "rise_min": 1.3, "lag_lo": 0.5, "lag_hi": 4.0},
        "Fig. 1c (grey)",
        basis={
            "flat_tol": "eng.: the kernel is fixed to O(1/α) on the plateau" + _OOS,
            "rise_min": "eng.: measured 1.50–1.96 at ci; the rise scales like ε/α "
            "(1.15 at paper scale, where this limit is not calibrated)" + _OOS,
            "lag_lo": "eng.: measured lag 1.85–2.20" + _OOS,
            "lag_hi": "eng.: as lag_lo" + _OOS,
        },
        counterfactual="the linearised net (fixed kernel: rise = 1); an alignment that "
        "rises 10× before the loss drops (a precursor)",
        proxy=PROXY,
    ),
    Claim(
        "MF1",
        "the loss decomposition splits grokking in two: the variance (mean-fit) "
        "term falls first, the misalignment term (learning β) later",
        FEATURES,
        RUNS,
        "at the Fig-1 member, the exact population terms: t50 (half the initial value) of "
        "E_alignment ÷ t50 of E_variance",
        "ratio ≥ order_min",
        {"order_min": 1.5},
        "Fig. 4",
        basis={"order_min": "eng.: measured 1.86–2.86 on seeds 0–3 (paper scale 2.41)" + _OOS},
        counterfactual="both terms fall together (variance = rescaled misalignment)",
        proxy=PROXY,
    ),
]

FAMILIES = (LAZY, FEATURES)
