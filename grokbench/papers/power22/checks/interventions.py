"""Fig. 2 left and §3.3: weight decay is the most data-efficient intervention (PW3); decay
toward the initial weights helps, but less than decay toward 0 (PW3b)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from grokbench.claims.checks import Checks, Inconclusive, at_least, judge
from grokbench.papers.power22.checks.common import (
    INF,
    arm,
    f_star,
    mean_best,
    median_t99,
    select,
    unique,
)
from grokbench.spec import Claim, Member, Outcome

CHECKS = Checks()


def _arms(members: Sequence[Member]) -> tuple[dict[str, list[Member]], list[float]]:
    """The runs of each intervention on the interventions' operation, fractions and seeds
    (the wd arm may come from power22-frac: its runs on those fractions and seeds), and the
    fraction grid of the interventions."""
    runs = unique(members)
    others = [m for m in runs if arm(m.config) != "wd"]
    if not others:
        raise Inconclusive("no intervention runs besides AdamW")
    op = others[0].config.task["op"]
    seeds = {m.config.seed for m in others}
    grid = sorted({m.config.task["frac"] for m in others})
    groups: dict[str, list[Member]] = {}
    for member in select(runs, op=op, seeds=seeds):
        if member.config.task["frac"] in grid:
            groups.setdefault(arm(member.config), []).append(member)
    if "wd" not in groups:
        raise Inconclusive("no AdamW (wd 1) runs on the interventions' fractions and seeds")
    return groups, grid


def _collapse(groups: dict[str, list[Member]], f: float) -> dict[str, float]:
    """Reported, not judged (the meeting with prieto25/SC1): the seed-mean fraction of
    training examples in Softmax Collapse at each arm's last evaluation at fraction ``f``,
    where the run set recorded prieto25's probe."""
    out = {}
    for name, runs in groups.items():
        values = [m.trace.records[-1].probes.get("sc_frac") for m in select(runs, frac=f)]
        known = [v for v in values if v is not None]
        if known:
            out[name] = sum(known) / len(known)
    return out


@CHECKS.register("PW3")
def weight_decay_first(claim: Claim, members: Sequence[Member]) -> Outcome:
    """f* (smallest grid fraction with seed-mean best test accuracy ≥ 0.99) of each
    intervention; wd's lead in best accuracy over every other arm at f*_wd."""
    groups, grid = _arms(members)
    best = {a: {f: mean_best(select(rs, frac=f)) for f in grid} for a, rs in groups.items()}
    stars = {a: f_star(rs, grid) for a, rs in groups.items()}
    t_top = {a: median_t99(select(rs, frac=grid[-1])) for a, rs in groups.items()}
    measured: dict[str, object] = {
        "best_val": best, "f_star": stars,
        "T99_at_max_f": {a: (None if t == INF else t) for a, t in t_top.items()},
    }  # fmt: skip
    measured["sc_frac_end"] = _collapse(groups, grid[-1])
    f_wd = stars["wd"]
    if f_wd >= 1.0:
        return Outcome("fail", measured, -1.0, "weight decay did not reach 99% on the grid")
    others = [a for a in groups if a != "wd"]
    gap = best["wd"][f_wd] - max(best[a][f_wd] for a in others)
    measured["gap"] = gap
    step = min(b - a for a, b in itertools.pairwise(grid)) if len(grid) > 1 else 0.1
    bounds = [at_least("gap in best accuracy at f*_wd", gap, claim.limits["gap_min"])]
    bounds += [at_least(f"f*({a}) − f*(wd)", stars[a] - f_wd, 0.5 * step, scale=step)
               for a in others]  # fmt: skip
    return judge(measured, bounds)


@CHECKS.register("PW3b")
def decay_toward_init(claim: Claim, members: Sequence[Member]) -> Outcome:
    """Seed-mean best test accuracy at f: decay to 0 vs toward θ₀ vs none (Adam)."""
    groups, grid = _arms(members)
    paper = next(iter(groups.values()))[0].config.scale == "paper"
    f = claim.limits["paper_f" if paper else "f"]
    at = [g for g in grid if math.isclose(g, f)]
    if not at or not {"wd", "init", "adam"} <= set(groups):
        raise Inconclusive(f"needs the wd, init and adam arms at f = {f:g}")
    b = {a: mean_best(select(groups[a], frac=at[0])) for a in ("wd", "init", "adam")}
    margin = claim.limits["margin"]
    return judge({"f": f, **{f"best_{a}": v for a, v in b.items()}}, [
        at_least("b_wd − b_init", b["wd"] - b["init"], -margin, scale=1.0),
        at_least("b_init − b_adam", b["init"] - b["adam"], margin, scale=1.0),
    ])  # fmt: skip
