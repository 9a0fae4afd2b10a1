"""Claim suite: the transition claims of CLAIMS.md, one test each.

A failed claim fails its test; an inconclusive one is skipped with the reason. Run with
`pytest suites/ [--grokbench-scale ci] [--benchmark]`.
"""

import pytest

from grokbench.catalogue import CLAIMS, TRANSITION
from grokbench.pytest_plugin import assert_verdict


@pytest.mark.parametrize("claim_id", [claim.id for claim in CLAIMS if claim.family == TRANSITION])
def test_claim(grokbench_claims, claim_id):
    (verdict,) = grokbench_claims([claim_id])
    assert verdict.id == claim_id
    assert_verdict(verdict)
