"""A second pack for the tests: shares lyu24's sparse-main run set, declares a meeting."""

from collections.abc import Sequence

from grokbench.claims.checks import Checks, at_least, judge
from grokbench.claims.synthetic import grokking_run
from grokbench.spec import Case, Claim, Meeting, Member, Outcome, Pack, Prepared, Probe

CHECKS = Checks()


@CHECKS.register("F1")
def final_accuracy(claim: Claim, members: Sequence[Member]) -> Outcome:
    """The worst seed's final test accuracy."""
    final = min(member.trace.records[-1].test_acc for member in members)
    norms = [member.trace.records[-1].probes.get("fake_norm") for member in members]
    measured = {"final_acc": final, "fake_norm": norms[0]}  # recorded by this pack's probe
    return judge(measured, [at_least("final", final, claim.limits["final_min"])])


def _norm_probe(prepared: Prepared) -> Probe:
    return lambda theta: {"fake_norm": float(theta.norm())}


@CHECKS.register("K1")
def same_id_as_lyu24(claim: Claim, members: Sequence[Member]) -> Outcome:
    """A claim whose bare id lyu24 also has (ambiguity tests)."""
    return judge({"runs": float(len(members))}, [at_least("runs", len(members), 1.0)])


def _runs(final: float) -> list[Member]:
    return [grokking_run(final=final, seed=seed) for seed in range(2)]


CLAIMS = [
    Claim("F1", "it ends grokked", "fake", "sparse-main", "final test accuracy", "≥ 0.9",
          {"final_min": 0.9}, "§0", basis={"final_min": "eng.: a test"},
          counterfactual="a run that never generalises", proxy="a smaller test pack"),
    Claim("K1", "there are runs", "fake", "sparse-main", "runs", "≥ 1", {}, "§0",
          counterfactual="no runs"),
]  # fmt: skip

PACK = Pack(
    key="fake",
    citation="A. Tester, *A pack for the tests*, 2026",
    claims=CLAIMS,
    checks=dict(CHECKS),
    run_sets={},
    cases=[Case("F1", lambda: _runs(1.0), lambda: _runs(0.5))],
    probes={"sparse-main": lambda baselines: [_norm_probe]},
    meetings=[
        Meeting(
            "fake/F1",
            "lyu24/K1",
            "agrees",
            "both read sparse-main",
            ("final_acc", "max_norm_ratio_deviation"),
        )
    ],
)
