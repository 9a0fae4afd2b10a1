"""The grokbench pytest plugin (registered through the ``pytest11`` entry point).

It gives every test suite, ours and downstream projects', two things:

- the option ``--benchmark``: time each claim through pytest-benchmark (pedantic mode,
  one round), with device, torch version and dtype in the saved machine info;
- the fixture ``grokbench_claims``: ``grokbench_claims(["K2", "T1"], scale="ci",
  overrides={"dynamics": "adamw", "lr": 0.01})`` runs those claims for the given settings
  (another optimizer, a plug-in model ``{"model": "package.module:factory"}``, a model's
  own sizes) and returns their Verdicts in catalogue order; run sets are shared between
  calls with the same scale and overrides within a test session. Claims that do not apply
  to a plug-in model (``grokbench.plugins``) come back inconclusive, with the reason;
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
        help="time each grokbench claim through pytest-benchmark (one round)",
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses ``grokbench_claims``, so ``-m "not grokbench"`` skips them."""
    for item in items:
        if "grokbench_claims" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.grokbench)


@pytest.hookimpl(optionalhook=True)  # pytest-benchmark's hook: absent without the plugin
def pytest_benchmark_update_machine_info(
    config: pytest.Config, machine_info: dict[str, Any]
) -> None:
    """Device, torch version and dtype in every saved benchmark JSON."""
    from grokbench.envinfo import environment

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
    """Run claims and return their verdicts; timed through pytest-benchmark with --benchmark."""
    from grokbench.campaign import collect, run_set_names
    from grokbench.claims import judge_all, select
    from grokbench.plugin_claims import merge, screen

    def run_claims(
        ids: Sequence[str], scale: str | None = None, overrides: dict[str, Any] | None = None
    ) -> list[Verdict]:
        scale = scale or request.config.getoption("--grokbench-scale")
        claims = select(list(ids))
        key = (scale, tuple(sorted((overrides or {}).items())))
        members: dict[str, Any] = _grokbench_cache.setdefault(key, {})

        def evaluate() -> list[Verdict]:
            kept, skipped = screen(claims, scale, overrides)  # plug-in models: what applies
            missing = [n for n in run_set_names(kept, scale) if n not in members]
            found, timings = collect(missing, scale, lambda line: None, overrides)
            members.update({name: (found[name], timings[name]) for name in found})
            samples = _samples(scale) if any(c.id == "G1" for c in kept) else {}
            groups = {name: group for name, (group, _) in members.items()}
            seconds = {name: wall for name, (_, wall) in members.items()}
            return merge(claims, judge_all(kept, groups, seconds, samples, scale), skipped)

        if request.config.getoption("--benchmark"):
            benchmark = request.getfixturevalue("benchmark")
            return benchmark.pedantic(evaluate, rounds=1, iterations=1)
        return evaluate()

    return run_claims


def _samples(scale: str) -> dict[str, object]:
    from grokbench.checks_samples import sample_sweep

    return sample_sweep(scale)


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
