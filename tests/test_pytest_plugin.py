"""The pytest plugin without pytest-benchmark, its marker, and ``assert_verdicts``, which
reports every failed claim before it skips for an inconclusive one."""

from __future__ import annotations

import pytest

from grokbench.pytest_plugin import assert_verdicts
from grokbench.spec import Verdict

pytest_plugins = ["pytester"]


def verdict(claim: str, status: str, reason: str = "") -> Verdict:
    return Verdict(claim, "sparse-cls", "smoke", status, 0.5, 1.0, {"max": 0.1}, -0.4, [0], 1.0,
                   reason or f"{claim} is {status}")  # type: ignore[arg-type]  # fmt: skip


PLAIN = """
import pytest


@pytest.mark.grokbench
def test_the_plugin_loads():
    pass


def test_the_fixture_is_there(grokbench_claims):
    assert callable(grokbench_claims)


def test_unmarked():
    pass
"""


def test_pytest_runs_without_pytest_benchmark(pytester: pytest.Pytester) -> None:
    """The optional hook: no PluginValidationError (exit 3) when pytest-benchmark is off;
    the fixture is there and the marker is registered (``--strict-markers``)."""
    pytester.makepyfile(test_plain=PLAIN)
    result = pytester.runpytest_subprocess("-p", "no:benchmark", "--strict-markers", "-q")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=3)


def test_benchmark_without_pytest_benchmark_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain=PLAIN)
    result = pytester.runpytest_subprocess("-p", "no:benchmark", "--benchmark", "-q")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--benchmark needs pytest-benchmark*grokbench[[]pytest[]]*"])


def test_claim_tests_carry_the_marker(pytester: pytest.Pytester) -> None:
    """Tests that use ``grokbench_claims`` are marked without saying so: ``-m`` selects them."""
    pytester.makepyfile(test_plain=PLAIN)
    result = pytester.runpytest_subprocess("-p", "no:benchmark", "-m", "grokbench", "-q")
    result.assert_outcomes(passed=2, deselected=1)


def test_every_failure_is_reported_before_any_skip() -> None:
    verdicts = [
        verdict("K1", "inconclusive", "run too short"),
        verdict("K2", "fail"),
        verdict("T1", "pass"),
        verdict("K3", "erratum"),
        verdict("R2", "fail"),
    ]
    with pytest.raises(pytest.fail.Exception) as raised:
        assert_verdicts(verdicts)
    message = str(raised.value)
    assert message.startswith("2 of 5 claims failed (1 inconclusive: K1: run too short)")
    assert "K2 failed: K2 is fail" in message
    assert "R2 failed: R2 is fail" in message
    assert "T1" not in message and "K3" not in message


def test_inconclusive_claims_skip_only_when_none_failed() -> None:
    verdicts = [verdict("K1", "inconclusive", "run too short"), verdict("T1", "pass")]
    with pytest.raises(pytest.skip.Exception, match=r"1 of 2 claims inconclusive: K1: run too"):
        assert_verdicts(verdicts)


def test_held_claims_pass() -> None:
    assert_verdicts(iter([verdict("T1", "pass"), verdict("K3", "erratum")]))
