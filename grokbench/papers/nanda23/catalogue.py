"""nanda23's and morwani24's claims as data (docs/papers/nanda23.md, §3): what each
measures, its limits with their basis, the counterfactual its check must reject, the run
sets it reads.

The limits were fixed on the research prototype's runs (/tmp/packs/nanda23, standalone
torch): one-hot modadd seeds 0 and 1, embed-MLP seeds 0–5. The ci run sets nanda23-onehot
and nanda23-embed use seeds 10–12, which no limit saw. Every claim reads both sets (each is
judged on one, the other's number is reported: the FS1 × MM2 contrast costs nothing).
RL1 and EX1 (restricted/excluded loss against the final key set) are not built: they need
post-hoc snapshots (E2).
"""

from __future__ import annotations

from grokbench.spec import Claim

NANDA, MORWANI = "Fourier progress measures (nanda23)", "max-margin Fourier features (morwani24)"
ONEHOT = "nanda23-onehot+nanda23-embed"
EMBED = "nanda23-embed+nanda23-onehot"
_GPU = ("gpu@paper",)
_OOS = "; ci runs seeds 10–12, unseen when it was fixed"
_OOS_ONEHOT = "; ci runs nanda23-onehot seeds 10–12, unseen when it was fixed"
EMBED_PROXY = ("embed-MLP (shared embedding d 32, ReLU MLP 64-256-32, unembedding) at p = 31, "
               "60% train, AdamW lr 3e-3, λ 1, 3000 steps, for the paper's 1-layer transformer "
               "at p = 113, 30% train, 40k steps")  # fmt: skip
ONEHOT_PROXY = ("grokbench's one-hot ReLU MLP 62-256-31 (GD, cross-entropy + λ = 1e-3) for the "
                "theorem's quadratic-activation max-margin net of width ≥ 4(p − 1)")  # fmt: skip

CLAIMS: list[Claim] = [
    Claim(
        "MM1",
        "late in training each neuron uses one frequency, the same in its a-, b- and "
        "output weights (morwani24)",
        MORWANI,
        ONEHOT,
        "judged on nanda23-onehot, at the end of every run: ρ̄ = Σ m_i ρ_i / Σ m_i, "
        "ρ_i the largest single "
        "frequency's share of neuron i's Fourier power (u_i, v_i, o_i; constant excluded), "
        "m_i = ‖o_i‖·‖(u_i, v_i)‖; agreement = the weight whose u, v, o peak at one "
        "frequency. ρ̄ at t_fit and on nanda23-embed are reported",
        "ρ̄ ≥ rho_min and agreement ≥ agree_min on every run",
        {"rho_min": 0.9, "agree_min": 0.95},
        "morwani24 §4 (modular addition theorem), Fig. 1",
        basis={
            "rho_min": "eng.: ρ = 1 exactly at the max-margin point; 0.9 allows finite λ "
            "and time (measured 0.933 on prototype seeds 0–1)" + _OOS_ONEHOT,
            "agree_min": "eng.: measured 0.9999–1.000" + _OOS_ONEHOT,
        },
        counterfactual="neurons mixing frequencies: the memorising net at t_fit (ρ̄ ≈ 0.17), "
        "two equal frequencies per neuron (ρ = 0.5), random weights (ρ̄ ≈ 0.15)",
        requires=_GPU,
        proxy=ONEHOT_PROXY,
    ),
    Claim(
        "MM2",
        "the one-hidden-layer max-margin net uses every frequency, about equally (morwani24)",
        MORWANI,
        ONEHOT,
        "judged on nanda23-onehot, at the end of every run: each neuron's weight m_i "
        "goes to its best "
        "frequency; mass_k normalised; min_k mass_k × K (1 when all are used equally; "
        "n_used = #{k: mass_k ≥ 1/(2K)} = K exactly when it is ≥ 0.5); nanda23-embed's "
        "numbers are reported (outside the theorem's scope)",
        "min_k mass_k × K ≥ min_mass_min on every run",
        {"min_mass_min": 0.5},
        "morwani24 §4 (recalled: every frequency used at width ≥ 4(p − 1))",
        basis={
            "min_mass_min": "eng.: half the equal share; measured 0.79–0.82 on prototype "
            "seeds 0–1" + _OOS_ONEHOT,
        },
        counterfactual="a sparse-frequency net: neurons on 4 of 15 frequencies (the "
        "embed-MLP's solution; min mass 0)",
        requires=_GPU,
        proxy=ONEHOT_PROXY,
    ),
    Claim(
        "FS1",
        "the grokked net is Fourier-sparse: a few key frequencies carry ≥ 90% of the "
        "input-dependent logit energy (nanda23)",
        NANDA,
        EMBED,
        "on the final logit table Z[a, b, c] (centred over c, per-class bias removed): the "
        "share s_k of the (a+b) components cos/sin(w_k(a+b)) of each frequency; n90 = how "
        "many, by decreasing s_k, reach `mass` (K + 1 when all together do not); judged on "
        "nanda23-embed, nanda23-onehot's n90 reported",
        "n90 ≤ ⌊share_of_K·K⌋ (5 at p = 31, 18 at p = 113) on every run",
        {"mass": 0.9, "share_of_K": 1 / 3},
        "nanda23 §4 (logits Σ_k cos(w_k(a+b−c))), Fig. 4–5",
        basis={
            "mass": "eng.: 90% of the energy (the paper's fraction-of-variance numbers are "
            "unverified)",
            "share_of_K": "eng.: the paper's 5 of 56 key frequencies is 9%; a dense solution "
            "needs ≥ 0.9K; measured n90 = 2–4 of 15 on prototype seeds 0–5" + _OOS,
        },
        counterfactual="a perfect lookup table δ(c = a+b mod p): it generalises, but every "
        "frequency carries equal energy (n90 = 14 of 15); the one-hot MLP (n90 = never)",
        requires=_GPU,
        proxy=EMBED_PROXY,
    ),
    Claim(
        "WN1",
        "the weight norm falls during cleanup, not during circuit formation (nanda23)",
        NANDA,
        EMBED,
        "judged on nanda23-embed: rate(a, b) = −Δln‖θ‖/Δt over [a, b]; q = rate(t_fit, t_10)"
        " / rate(t_50, T) (≤ 0 when ‖θ‖ grows in formation); drop = ‖θ_T‖ / max ‖θ‖ over "
        "[t_fit, t_50]; converged: ‖θ‖ changes ≤ converged_tol over the last 10% "
        "(else inconclusive). q on nanda23-onehot (lyu24's α = 10 GD world) is reported",
        "q ≤ q_max (cleanup at least 2× faster) and drop ≤ drop_max on every embed run",
        {"q_max": 0.5, "drop_max": 0.85, "converged_tol": 0.02},
        "nanda23 §5.2 (cleanup), Fig. 7 (sum of squared weights)",
        basis={
            "q_max": "eng.: r = 1/q ≥ 2; measured q ≤ 0 (‖θ‖ grows in formation) on "
            "prototype seeds 0–5" + _OOS,
            "drop_max": "eng.: measured 0.72–0.78 on prototype seeds 0–5" + _OOS,
            "converged_tol": "eng.: 2% over the last tenth (prototype: 0.3–1.4% at 2500 "
            "steps; ci runs 3000)" + _OOS,
        },
        counterfactual="lyu24's kernel-decay world: ‖θ‖ = α e^{−λt}‖θ̄‖ until the "
        "transition, then flat (the one-hot modadd α = 10 GD run: q ≈ 40)",
        requires=_GPU,
        proxy=EMBED_PROXY,
    ),
]

FAMILIES = (NANDA, MORWANI)
