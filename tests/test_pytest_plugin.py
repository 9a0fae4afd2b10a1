"""The pytest plugin without pytest-benchmark, its marker, and ``assert_verdicts``, which
reports every failed claim before it skips for an inconclusive one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grokbench.pytest_plugin import assert_verdicts
from grokbench.spec import Verdict

pytest_plugins = ["pytester"]


def verdict(claim: str, status: str, reason: str = "") -> Verdict:
    return Verdict(claim, "sparse-cls", "smoke", status, 0.5, 1.0, {"max": 0.1}, -0.4, [0], 1.0,
                   reason or f"{claim} is {status}")  # type: ignore[arg-type]  # fmt: skip


PLAIN = """
import json
from pathlib import Path

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


SUITES = Path(__file__).resolve().parents[1] / "suites"
#: Two claims that read the same run set at smoke scale (seconds): one pays for it, one not.
SMOKE = ("--grokbench-scale", "smoke", "-k", "K1 or R2", "-p", "no:cacheprovider", "-q")


def _claims(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(str(SUITES), *SMOKE, *args)


def _ran(result: pytest.RunResult) -> int:
    outcomes = result.parseoutcomes()
    return sum(outcomes.get(k, 0) for k in ("passed", "failed", "skipped"))


def test_benchmark_only_runs_the_claim_suites(pytester: pytest.Pytester) -> None:
    """The claim suites request ``benchmark`` up front: ``--benchmark-only`` keeps them."""
    result = _claims(pytester, "--benchmark-only", "-rs")
    assert _ran(result) == 2, result.stdout.str()
    assert "--benchmark-only active" not in result.stdout.str()


def test_benchmark_json_has_one_timing_per_claim(pytester: pytest.Pytester) -> None:
    """One benchmark per claim test, naming the run sets it read; the shared run set is
    computed (and paid for) once."""
    out = pytester.path / "out.json"
    _claims(pytester, "--benchmark-json", str(out))
    benchmarks = json.loads(out.read_text())["benchmarks"]
    assert sorted(b["name"] for b in benchmarks) == ["test_claim[K1]", "test_claim[R2]"]
    infos = [b["extra_info"] for b in benchmarks]
    for info in infos:
        assert info["grokbench_scale"] == "smoke"
        assert info["grokbench_run_sets"], info
        assert all(seconds > 0 for seconds in info["grokbench_run_sets"].values())
    shared = set(infos[0]["grokbench_run_sets"]) & set(infos[1]["grokbench_run_sets"])
    assert shared
    for name in shared:
        payers = [i for i in infos if name in i["grokbench_computed_here"]]
        assert len(payers) == 1, infos
        assert infos[0]["grokbench_run_sets"][name] == infos[1]["grokbench_run_sets"][name]


def test_benchmark_skip_skips_the_claim_suites(pytester: pytest.Pytester) -> None:
    """pytest-benchmark's semantics: the claim tests are benchmarks, so they are skipped;
    ``--benchmark-disable`` (or ``-p no:benchmark``) runs them untimed."""
    result = _claims(pytester, "--benchmark-skip")
    result.assert_outcomes(skipped=2)
    untimed = _claims(pytester, "--benchmark-disable")
    assert _ran(untimed) == 2 and untimed.parseoutcomes().get("skipped", 0) == 0


def test_claim_suites_run_without_pytest_benchmark(pytester: pytest.Pytester) -> None:
    """Same pass/fail as with timing, when pytest-benchmark is off."""
    timed = _claims(pytester).parseoutcomes()
    plain = _claims(pytester, "-p", "no:benchmark").parseoutcomes()
    assert plain == timed and _ran(_claims(pytester, "-p", "no:benchmark")) == 2


def test_benchmark_alias_times_downstream_tests(pytester: pytest.Pytester) -> None:
    """``--benchmark`` turns timing on for an unmarked test that uses ``grokbench_claims``:
    it then counts as a benchmark for ``--benchmark-only``."""
    pytester.makepyfile(test_plain=PLAIN)
    plain = pytester.runpytest_subprocess("--benchmark-only", "-q")
    plain.assert_outcomes(passed=0, skipped=3)
    aliased = pytester.runpytest_subprocess("--benchmark", "--benchmark-only", "-q")
    aliased.assert_outcomes(passed=1, skipped=2)


def test_claim_suites_fail_only_on_the_verdict(pytester: pytest.Pytester) -> None:
    """Each suite test passes or fails with its claim's own verdict (namespaced id), never on
    the suite's bookkeeping: the smoke verdicts themselves mean nothing."""
    result = _claims(pytester, "--benchmark-disable", "-rA")
    text = result.stdout.str()
    for claim_id in ("K1", "R2"):
        passed = re.search(rf"PASSED \S*::test_claim\[{claim_id}\]", text) is not None
        judged = f"lyu24/{claim_id} failed" in text or f"lyu24/{claim_id} inconclusive" in text
        assert judged or passed, text
    assert "AssertionError: assert 'lyu24/" not in text, text  # an id mismatch, say
