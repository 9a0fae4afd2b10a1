"""The run sets power22's claims read: binary-operation tables learned by the embedding MLP
with the authors' optimiser recipe (the ``binop`` experiment, grokbench.engine.binop_presets),
each run stopping at its first test accuracy ≥ 99%.

Every member pins the whole setting (a user's ``--set`` of device applies).
- ci: the research prototype's proxy (docs/papers/power22.md, §2): p = 23, 3000 updates of
  lr 3e-3, evaluations every ≤ 48 updates. Seeds 11–13: the limits were tuned on seeds 0–2
  and frozen before the held-out seeds 3–10 (/tmp/packs/power22/LIMITS_FROZEN.sha256), so
  no ci seed was seen by any limit.
- paper: the paper's setting and model, the 2-layer decoder (``binop-transformer``): p = 97
  and S5 (Fig. 1 center, Fig. 2 left), the 12 operations of Fig. 2 right, 10⁵ updates of
  lr 1e-3, 3 seeds; ready for ``--set device=cuda`` (``requires=("gpu@paper",)``: ≈ 10³ runs).
- smoke: seconds (p = 11, 400 updates, one seed); its verdicts mean nothing.
"""

from __future__ import annotations

from grokbench.engine.binop_presets import steps
from grokbench.papers.prieto25.probes import collapse_probe
from grokbench.spec import BaselineResult, Overrides, ProbeFactory, RunSet

#: Seeds per scale and run set: ci's are none of the prototype's 0–10.
SEEDS = {"smoke": (11,), "ci": (11, 12, 13), "paper": (11, 12, 13)}
ARM_SEEDS = {"smoke": (11,), "ci": (11, 12), "paper": (11, 12, 13)}
#: power22-frac's training fractions (ci: the prototype's grid with the 0.75 its spec
#: recommends, where T99 is steepest) and operation.
FRACS = {"smoke": (0.6, 0.8, 0.9), "ci": (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95),
         "paper": (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)}  # fmt: skip
FRAC_OP = {"smoke": "add", "ci": "add", "paper": "s5"}
#: power22-interv's fractions: the prototype's {0.8, 0.9}; paper: Fig. 2 left's axis.
ARM_FRACS = {
    "smoke": (0.9,),
    "ci": (0.8, 0.9),
    "paper": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
}
#: The model at paper scale: Power et al.'s decoder (smaller scales: the ``binop`` MLP proxy).
PAPER_EXPERIMENT = "binop-transformer"
_PAPER_NOISE = 0.01  # σ of the two noise arms (the paper gives none for the update noise)


def arms(scale: str) -> dict[str, Overrides]:
    """The interventions besides AdamW wd 1 (ci: the prototype's three; paper: the other
    eight of App. A.1.2)."""
    out: dict[str, Overrides] = {
        "init": {"opt.wd_kind": "to_init"},
        "adam": {"wd": 0.0},
        "adam+dropout": {"wd": 0.0, "dropout": 0.1},
    }
    if scale == "paper":
        out.update({
            "adam+full": {"wd": 0.0, "batch": 0},
            "adam+full+noise": {"wd": 0.0, "batch": 0, "opt.noise_factor": _PAPER_NOISE},
            "adam+lr3e-4": {"wd": 0.0, "lr": 3e-4},
            "adam+lr3e-3": {"wd": 0.0, "lr": 3e-3},
            "adam+wnoise": {"wd": 0.0, "wnoise": _PAPER_NOISE},
            "wd": {},
        })  # fmt: skip
    return out


def _base(scale: str) -> Overrides:
    """The binop preset of ``scale`` (smoke: 400 updates); at paper scale the authors' own
    model, the 2-layer decoder (``binop-transformer``), in place of the MLP proxy."""
    if scale == "smoke":
        return {**steps(400, 25, 3e-3)}
    if scale == "paper":
        return {"experiment": PAPER_EXPERIMENT}
    return {}


def frac_grid(scale: str) -> list[Overrides]:
    """AdamW wd 1 over the training fractions, every seed (PW1, PW2; PW3's wd arm)."""
    return [{**_base(scale), "op": FRAC_OP[scale], "frac": f, "seed": s}
            for f in FRACS[scale] for s in SEEDS[scale]]  # fmt: skip


def interv_grid(scale: str) -> list[Overrides]:
    """Each intervention × fraction × seed (PW3, PW3b)."""
    op = FRAC_OP[scale]
    return [{**_base(scale), **arm, "op": op, "frac": f, "seed": s}
            for arm in arms(scale).values() for f in ARM_FRACS[scale]
            for s in ARM_SEEDS[scale]]  # fmt: skip


def ops_grid(scale: str) -> list[Overrides]:
    """x−y and x/y over three fractions, x²+xy+y² over two (ci); paper: all 12 operations
    of Fig. 2 right (x+y included) at 5% steps (PW4)."""
    seeds = ARM_SEEDS[scale]
    if scale == "paper":
        ops = ("add", "sub", "mul", "div", "mix", "sq", "quad", "quadx", "cube1", "cube2",
               "s5", "s5conj", "s5aba")  # fmt: skip
        fracs = tuple(round(0.05 * k, 2) for k in range(1, 20))
        return [{**_base(scale), "op": o, "frac": f, "seed": s}
                for o in ops for f in fracs for s in seeds]  # fmt: skip
    mid = (0.7, 0.8, 0.9) if scale == "ci" else (0.8,)
    high = (0.8, 0.9) if scale == "ci" else (0.9,)
    out = [{**_base(scale), "op": o, "frac": f, "seed": s}
           for s in seeds for f in mid for o in ("sub", "div")]  # fmt: skip
    out += [{**_base(scale), "op": "quad", "frac": f, "seed": s} for s in seeds for f in high]
    return out


def _collapse(_: dict[str, BaselineResult]) -> list[ProbeFactory]:
    """prieto25's Softmax-Collapse probe (sc_frac, median margin) for the meeting with SC1."""
    return [collapse_probe]


RUN_SETS: dict[str, RunSet] = {
    rs.name: rs
    for rs in [
        RunSet("power22-frac", "binop", frac_grid,
               title="steps to 99% test accuracy against the training fraction (AdamW wd 1)"),
        RunSet("power22-interv", "binop", interv_grid, probes=_collapse,
               title="interventions: best test accuracy within the budget per fraction"),
        RunSet("power22-ops", "binop", ops_grid,
               title="operations: best test accuracy within the budget per fraction"),
    ]
}  # fmt: skip
