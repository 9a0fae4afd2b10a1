"""Fig. 2 right and §3.2: operations need different amounts of data (PW4): x²+xy+y² more
than x+y, while x−y and x/y (isomorphic up to renaming) need the same."""

from __future__ import annotations

from collections.abc import Sequence

from grokbench.claims.checks import Checks, Inconclusive, at_least, at_most, judge
from grokbench.papers.power22.checks.common import (
    LEVEL,
    NOT_REACHED,
    f_star,
    fractions,
    mean_best,
    select,
    unique,
)
from grokbench.spec import Claim, Member, Outcome

CHECKS = Checks()


@CHECKS.register("PW4")
def operations_differ(claim: Claim, members: Sequence[Member]) -> Outcome:
    """(a) x+y's lead over x²+xy+y² in seed-mean best test accuracy at f*_add (the smallest
    x²+xy+y² fraction where x+y reaches 0.99) and x²+xy+y²'s best there and above; (b) D,
    the largest gap between x−y's and x/y's seed-mean best test accuracy over their grid."""
    runs = select(unique(members), arm="wd")
    quad, sub, div = (select(runs, op=o) for o in ("quad", "sub", "div"))
    if not (quad and sub and div):
        raise Inconclusive("needs x²+xy+y², x−y and x/y runs")
    seeds = {m.config.seed for m in [*quad, *sub, *div]}
    add = select(runs, op="add", seeds=seeds)
    grid_q, grid_s = fractions(quad), fractions(sub)
    f_add = f_star(add, grid_q)
    best = {name: {f: mean_best(select(rs, frac=f)) for f in fractions(rs)}
            for name, rs in (("add", add), ("quad", quad), ("sub", sub), ("div", div))}  # fmt: skip
    d = max(abs(best["sub"][f] - best["div"].get(f, 0.0)) for f in grid_s)
    measured: dict[str, object] = {"best_val": best, "f_star_add": f_add, "D_sub_div": d}
    if f_add >= NOT_REACHED:
        return Outcome("fail", measured, -1.0, "x+y did not reach 99% on the x²+xy+y² grid")
    gap = best["add"][f_add] - best["quad"][f_add]
    quad_top = max(best["quad"][f] for f in grid_q if f >= f_add)
    measured.update(gap_add_quad=gap, quad_best_from_f_add=quad_top)
    return judge(measured, [
        at_least("b_add − b_quad at f*_add", gap, claim.limits["gap_min"]),
        at_most("b_quad at f ≥ f*_add", quad_top, LEVEL - 1e-9, scale=1.0),
        at_most("D = max_f |b_sub − b_div|", d, claim.limits["d_max"]),
    ])  # fmt: skip
