"""Claim suite: the transition claims of CLAIMS.md, one test each.

A failed claim fails its test; an inconclusive one is skipped with the reason. Run with
`pytest suites/ [--grokbench-scale ci]`; with pytest-benchmark installed each claim is
also a benchmark of its check (``--benchmark-only``, ``--benchmark-json``, ...).
"""

import pytest

from grokbench.papers.lyu24.catalogue import CLAIMS, TRANSITION
from grokbench.pytest_plugin import assert_verdict

pytestmark = pytest.mark.grokbench(benchmark=True)


@pytest.mark.parametrize("claim_id", [claim.id for claim in CLAIMS if claim.family == TRANSITION])
def test_claim(grokbench_claims, claim_id):
    (verdict,) = grokbench_claims([claim_id])
    assert verdict.id == f"lyu24/{claim_id}"  # namespaced by its pack
    assert_verdict(verdict)
