"""The grokbench pytest plugin (registered through the ``pytest11`` entry point).

It gives every test suite, ours and downstream projects', two things:

- timing through pytest-benchmark: tests marked ``grokbench(benchmark=True)`` (the claim
  suites are) request the ``benchmark`` fixture up front whenever pytest-benchmark is
  active, so its own flags work (``--benchmark-only`` runs them, ``--benchmark-skip`` skips
  them, ``--benchmark-json``/``--benchmark-autosave``/``--benchmark-compare`` record them,
  ``--benchmark-disable`` runs them untimed). The benchmark times the claim's check (one
  round); run sets are computed before it, each once per session, and their wall times go
  into ``extra_info`` (``grokbench_run_sets``: name -> seconds, ``grokbench_computed_here``:
  those this test paid for), so no claim is charged for another's run sets. The option
  ``--benchmark`` is an alias that turns timing on for every test that uses the fixture
  (and is a usage error without pytest-benchmark). Device, torch version and dtype go into
  the saved machine info;
- the fixture ``grokbench_claims``: ``grokbench_claims(["K2", "T1"], scale="ci",
  overrides={"dynamics": "adamw", "lr": 0.01})`` runs those claims for the given settings
  (another optimizer, a plug-in model ``{"model": "package.module:factory"}``, a model's
  own sizes) and returns their Verdicts in catalogue order; run sets are shared between
  calls with the same scale and overrides within a test session. Claims that do not apply
  to a plug-in model (``grokbench.engine.model_plugins``) come back inconclusive, with the reason;
- the marker ``grokbench``, put on every test that uses the fixture (``-m grokbench``);
- ``assert_verdict(v)`` for one verdict and ``assert_verdicts(vs)`` for many: every failed
  claim is reported (one failure) before an inconclusive one would skip the test.

pytest-benchmark is optional: without it (or with ``-p no:benchmark``) everything but
``--benchmark`` works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pytest

from grokbench.spec import Verdict

ClaimRunner = Callable[..., list[Verdict]]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grokbench")
    group.addoption(
        "--benchmark",
        action="store_true",
        default=False,
        help="time every test that uses grokbench_claims through pytest-benchmark "
        "(claim suites are timed whenever pytest-benchmark is active)",
    )
    group.addoption("--grokbench-scale", default="ci", choices=("smoke", "ci", "paper"),
                    help="scale of the grokbench claim suites (default ci)")  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``grokbench`` marker (claim tests carry it; ``-m grokbench`` selects them);
    ``--benchmark`` without pytest-benchmark is a usage error, not a missing fixture later."""
    config.addinivalue_line("markers", "grokbench: a test that checks grokbench claims")
    if config.getoption("--benchmark") and not config.pluginmanager.hasplugin("benchmark"):
        raise pytest.UsageError(
            "--benchmark needs pytest-benchmark: pip install 'grokbench[pytest]' "
            "(or drop -p no:benchmark)"
        )


@pytest.hookimpl(tryfirst=True)  # before pytest-benchmark reads fixturenames (-only, -skip)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses ``grokbench_claims``, so ``-m "not grokbench"`` skips them;
    give the timed ones the ``benchmark`` fixture when pytest-benchmark is active."""
    timing = config.pluginmanager.hasplugin("benchmark")
    alias = config.getoption("--benchmark")
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None or "grokbench_claims" not in names:
            continue
        marker = item.get_closest_marker("grokbench")
        if marker is None:
            item.add_marker(pytest.mark.grokbench)
        timed = alias or bool(marker and marker.kwargs.get("benchmark"))
        if timing and timed and "benchmark" not in names:
            names.append("benchmark")  # set up like a requested fixture, seen by -only/-skip


@pytest.hookimpl(optionalhook=True)  # pytest-benchmark's hook: absent without the plugin
def pytest_benchmark_update_machine_info(
    config: pytest.Config, machine_info: dict[str, Any]
) -> None:
    """Device, torch version and dtype in every saved benchmark JSON."""
    from grokbench.infra.environment import environment

    env = environment("cpu")
    machine_info["grokbench"] = {
        k: env[k] for k in ("device_name", "cores", "torch", "cuda", "dtype")
    }


@pytest.fixture(scope="session")
def _grokbench_cache() -> dict[Any, Any]:
    return {}


@pytest.fixture
def grokbench_claims(
    request: pytest.FixtureRequest, _grokbench_cache: dict[Any, Any]
) -> ClaimRunner:
    """Run claims and return their verdicts; the first call in a timed test (see the module
    docstring) is a benchmark of the check, with the run sets' wall times in extra_info."""
    from grokbench.claims.evaluate import evaluate, select

    def run_claims(
        ids: Sequence[str], scale: str | None = None, overrides: dict[str, Any] | None = None
    ) -> list[Verdict]:
        scale = scale or request.config.getoption("--grokbench-scale")
        claims = select(list(ids))
        key = (scale, tuple(sorted((overrides or {}).items())))
        collected: dict[str, Any] = _grokbench_cache.setdefault(key, {})
        before = set(collected)

        def judge() -> list[Verdict]:
            quiet = lambda line: None  # noqa: E731
            return evaluate(claims, scale, overrides, quiet, collected=collected).verdicts

        benchmark = _unused_benchmark(request)
        if benchmark is None:
            return judge()
        judge()  # collects the run sets, so that the benchmark times the checks alone
        benchmark.extra_info.update(
            grokbench_scale=scale,
            grokbench_claims=[c.id for c in claims],
            grokbench_run_sets={n: round(wall, 3) for n, (_, wall) in collected.items()},
            grokbench_computed_here=sorted(set(collected) - before),
        )
        return benchmark.pedantic(judge, rounds=1, iterations=1)

    return run_claims


def _unused_benchmark(request: pytest.FixtureRequest) -> Any:
    """The test's ``benchmark`` fixture when it has one and has not used it yet, else None
    (a second call in the same test runs untimed)."""
    if "benchmark" not in request.fixturenames:
        return None
    benchmark = request.getfixturevalue("benchmark")
    if getattr(benchmark, "_grokbench_used", False):
        return None
    benchmark._grokbench_used = True
    return benchmark


#: Statuses that hold the claim as the catalogue states it (an erratum confirmed included).
HELD = ("pass", "erratum")


def _failure(verdict: Verdict) -> str:
    return (
        f"{verdict.id} failed: {verdict.reason}; measured {verdict.measured}; "
        f"limits {verdict.tolerance}"
    )


def assert_verdict(verdict: Verdict) -> None:
    """Fail the test on a failed claim, skip it on an inconclusive one (with the reason)."""
    if verdict.status == "inconclusive":
        pytest.skip(f"{verdict.id} inconclusive: {verdict.reason}")
    assert verdict.status in HELD, _failure(verdict)


def assert_verdicts(verdicts: Iterable[Verdict]) -> None:
    """Judge a set of verdicts at once: one failure listing every failed claim, else one skip
    listing the inconclusive ones, else pass. Unlike ``assert_verdict`` in a loop, an early
    inconclusive claim cannot hide a later failure."""
    verdicts = list(verdicts)
    failures = [_failure(v) for v in verdicts if v.status not in (*HELD, "inconclusive")]
    unknown = [f"{v.id}: {v.reason}" for v in verdicts if v.status == "inconclusive"]
    if failures:
        more = f" ({len(unknown)} inconclusive: {'; '.join(unknown)})" if unknown else ""
        header = f"{len(failures)} of {len(verdicts)} claims failed{more}"
        pytest.fail("\n".join([header, *failures]), pytrace=False)
    if unknown:
        pytest.skip(f"{len(unknown)} of {len(verdicts)} claims inconclusive: " + "; ".join(unknown))
