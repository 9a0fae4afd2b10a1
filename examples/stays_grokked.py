"""A claim of one's own (the README's worked example): once grokked, sparse-cls stays grokked.

The paper's Fig. 1a shows test accuracy reaching 100% and staying there; the catalogue's
R2 only reads the final value. This claim reads the whole late phase: once the test
accuracy has reached 99%, it never drops below 98% again before the end of the run (a
dip of 1 pp is 10 of the 1000 test points at ci scale).
Run it beside R2:

    grokbench claims --plugin examples.stays_grokked --only R2,E1 --scale ci
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from grokbench.claims import Inconclusive, add_claim, at_least, judge
from grokbench.papers.lyu24.catalogue import LATE
from grokbench.spec import Claim, Member, Outcome

STAYS_GROKKED = Claim(
    id="E1",
    title="once grokked, it stays grokked",
    family=LATE,
    runs="sparse-main",  # the run set R2 reads: no extra runs
    measure="min test accuracy after it first reaches 99%, worst seed",
    expected="never below 98% once at 99%",
    limits={"grokked": 0.99, "acc_min": 0.98},  # when it counts as grokked; the floor after
    section="Fig. 1a",
)


def check_stays_grokked(claim: Claim, members: Sequence[Member]) -> Outcome:
    """The worst test accuracy after first reaching ``grokked``, over the seeds."""
    grokked, acc_min = claim.limits["grokked"], claim.limits["acc_min"]
    lows = []
    for member in members:
        if member.trace.status != "ok":
            raise Inconclusive(f"seed {member.config.seed}: {member.trace.reason}")
        accuracy = np.asarray(member.trace.column("test_acc"))
        reached = np.flatnonzero(accuracy >= grokked)
        if len(reached) == 0:  # R2 fails then; whether it stays is undecided
            raise Inconclusive(f"seed {member.config.seed}: test accuracy never reached {grokked}")
        lows.append(float(accuracy[reached[0] :].min()))
    bound = at_least("min test accuracy once grokked", min(lows), acc_min, 1 - acc_min)
    return judge({"min_test_acc_once_grokked": min(lows)}, [bound])


add_claim(STAYS_GROKKED, check_stays_grokked)
