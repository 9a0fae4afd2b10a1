"""The pytest entry point as a downstream project uses it: the ``grokbench_claims`` fixture
asserts that the project's own optimizer keeps K2, T1 and R2 (smoke scale), and a planted
failing expectation turns the suite red. Each suite runs in its own process, as it would
downstream (in-process runs would re-import compiled modules that pytester unloads)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

#: The downstream project's optimizer: heavy-ball momentum as an average of gradients
#: (dampening = momentum), which keeps gradient descent's time scale t = Σ lr.
MY_OPTIM = """
import torch


class EmaMomentum(torch.optim.SGD):
    def __init__(self, params, lr=0.01, momentum=0.9, weight_decay=0.0):
        super().__init__(params, lr=lr, momentum=momentum, dampening=momentum,
                         weight_decay=weight_decay)
"""

#: The downstream test, as the README shows it. Smoke scale with n = 64, d = 500: the
#: smallest sparse-cls where plain gradient flow passes K2, T1 and R2.
MY_TEST = """
from grokbench.pytest_plugin import assert_verdict

SETTINGS = {"dynamics": "my_optim:EmaMomentum", "lr": 0.05, "n": 64, "d": 500}


def test_my_optimizer_keeps_the_dichotomy(grokbench_claims):
    for verdict in grokbench_claims(["K2", "T1", "R2"], scale="smoke", overrides=SETTINGS):
        assert_verdict(verdict)
"""

#: A planted failing expectation: undamped momentum moves 1/(1 − β) = 10 times faster than
#: t = Σ lr counts and leaves the kernel regime early, so "it keeps K2" is false.
PLANTED = """
from grokbench.pytest_plugin import assert_verdict

SETTINGS = {"dynamics": "momentum", "lr": 0.1, "n": 64, "d": 500}


def test_plain_momentum_keeps_the_kernel_regime(grokbench_claims):
    (verdict,) = grokbench_claims(["K2"], scale="smoke", overrides=SETTINGS)
    assert_verdict(verdict)
"""


@pytest.fixture(scope="module")
def baseline_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One fit cache for both suites (they draw the same data), as a project would keep."""
    return str(tmp_path_factory.mktemp("grokbench-cache"))


@pytest.fixture
def downstream(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, baseline_cache: str
) -> pytest.Pytester:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("GROKBENCH_CACHE", baseline_cache)
    pytester.makepyfile(my_optim=MY_OPTIM, test_my_optim=MY_TEST)
    return pytester


def test_a_downstream_suite_asserts_its_optimizer_keeps_claims(downstream: pytest.Pytester):
    result = downstream.runpytest_subprocess("-q", "test_my_optim.py")
    result.assert_outcomes(passed=1)
    assert result.ret == 0


def test_a_planted_failing_expectation_turns_it_red(downstream: pytest.Pytester):
    downstream.makepyfile(test_planted=PLANTED)
    result = downstream.runpytest_subprocess("-q", "test_planted.py")
    result.assert_outcomes(failed=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*K2 failed: fails: agreement*"])
