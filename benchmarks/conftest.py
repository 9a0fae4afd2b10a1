"""Options of the benchmark suite: the device matrix, torch threads, paper-scale runs."""

from __future__ import annotations

import shlex
from collections.abc import Iterator

import pytest
import torch


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grokbench benchmarks")
    group.addoption(
        "--device",
        action="append",
        default=None,
        choices=("cpu", "cuda"),
        help="device(s) to benchmark on (repeatable); default cpu, plus cuda when present",
    )
    group.addoption(
        "--bench-threads",
        type=int,
        default=1,
        help="torch intra-op threads for the ci-scale runs (default 1: at these sizes threads "
        "cost more than they give, and contend with other jobs on a shared machine)",
    )
    group.addoption(
        "--paper-threads",
        type=int,
        default=0,
        help="torch intra-op threads for the paper-scale runs (default: torch's own choice)",
    )
    group.addoption(
        "--paper",
        action="store_true",
        default=False,
        help="also time the paper-scale runs (minutes each)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "device" in metafunc.fixturenames:
        devices = metafunc.config.getoption("--device") or (
            ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]
        )
        metafunc.parametrize("device", sorted(set(devices)))


@pytest.fixture(autouse=True)
def _needs_device(request: pytest.FixtureRequest) -> None:
    device = (
        request.node.callspec.params.get("device") if hasattr(request.node, "callspec") else None
    )
    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("cuda: not available on this machine (not measured)")


def _threads(request: pytest.FixtureRequest, option: str) -> Iterator[int]:
    count = request.config.getoption(option)
    previous = torch.get_num_threads()
    if count:
        torch.set_num_threads(count)
    yield count
    torch.set_num_threads(previous)


@pytest.fixture
def threads(request: pytest.FixtureRequest) -> Iterator[int]:
    """torch threads of a ci-scale benchmark (also passed to its child processes)."""
    yield from _threads(request, "--bench-threads")


@pytest.fixture
def paper_threads(request: pytest.FixtureRequest) -> Iterator[int]:
    yield from _threads(request, "--paper-threads")


@pytest.fixture
def paper(request: pytest.FixtureRequest) -> None:
    if not request.config.getoption("--paper"):
        pytest.skip("paper-scale run: pass --paper")


@pytest.fixture
def command(request: pytest.FixtureRequest) -> str:
    """The command line that produced the numbers, for the report."""
    return shlex.join(["pytest", *request.config.invocation_params.args])
