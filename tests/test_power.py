"""Every claim's check passes the world the theory describes and fails its counterfactual
(CLAIMS.md, "Falsification"): one row of grokbench.claims.power per claim."""

import pytest

from grokbench.claims.evaluate import check
from grokbench.claims.registry import catalogue

CLAIMS = catalogue().claims
CASES = list(catalogue().cases.values())


def _status(claim_id, evidence):
    return check(catalogue().claim(claim_id), evidence, "ci")


def test_every_claim_has_a_counterfactual_case():
    assert {claim.id for claim in CLAIMS} == set(catalogue().cases)
    assert all(claim.counterfactual for claim in CLAIMS)


@pytest.mark.parametrize("case", CASES, ids=[c.claim_id for c in CASES])
def test_the_check_passes_the_true_world(case):
    outcome = _status(case.claim_id, case.true())
    assert outcome.status == case.expected, (outcome.reason, outcome.measured)


@pytest.mark.parametrize("case", CASES, ids=[c.claim_id for c in CASES])
def test_the_check_fails_its_counterfactual(case):
    outcome = _status(case.claim_id, case.counterfactual())
    assert outcome.status == "fail", (outcome.reason, outcome.measured)
    assert outcome.margin is not None and outcome.margin < 0


def test_every_limit_has_a_basis():
    for claim in CLAIMS:
        assert set(claim.basis) == set(claim.limits), claim.id
        for reason in claim.basis.values():
            assert reason.startswith(("paper:", "eng.:")), (claim.id, reason)
