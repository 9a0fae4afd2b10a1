"""Errata are strict expected failures: a confirmed erratum does not fail the run, an
unexpected pass does, and compare counts erratum → fail as a regression."""

from grokbench.claims.checks import Outcome
from grokbench.claims.compare import compare_verdicts
from grokbench.claims.evaluate import as_erratum, failed
from grokbench.spec import Verdict


def _verdict(status: str) -> Verdict:
    return Verdict("K3-printed", "sparse-cls", "ci", status, {"r": 1.5}, "", {}, 0.1, [0], 1.0)


def test_a_failing_printed_claim_confirms_the_erratum():
    confirmed = as_erratum(Outcome("fail", {"r": 1.6}, -0.3, "fails: r moved away"))
    assert confirmed.status == "erratum" and confirmed.margin == 0.3
    assert confirmed.reason.startswith("erratum confirmed")
    assert not failed([_verdict("erratum"), _verdict("pass")])


def test_an_unexpected_pass_is_a_failure():
    surprise = as_erratum(Outcome("pass", {"r": 1.0}, 0.2, ""))
    assert surprise.status == "fail" and surprise.margin == -0.2
    assert "unexpected pass" in surprise.reason
    assert failed([_verdict("fail")])


def test_inconclusive_stays_inconclusive():
    assert as_erratum(Outcome("inconclusive", {}, None, "no runs")).status == "inconclusive"


def test_compare_treats_a_confirmed_erratum_as_holding():
    def side(status):
        return {"K3-printed": {**_verdict(status).to_dict(), "tolerance": {}}}

    assert compare_verdicts(side("erratum"), side("erratum")).exit_code == 0
    assert compare_verdicts(side("erratum"), side("fail")).exit_code == 1
