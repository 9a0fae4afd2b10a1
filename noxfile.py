"""Sessions: ``nox -s tests`` (unit tests), ``nox -s claims`` (the claims at ci scale,
writing reports/), ``nox -s bench`` (benchmarks, writing reports/BENCH.md), ``nox -s lint``
(ruff and mypy, pinned), ``nox -s lowest`` (the unit tests on the lowest versions that
pyproject.toml declares).

Set GROKBENCH_TORCH (e.g. ``torch==2.13.0``) to choose the torch build installed first.
"""

from __future__ import annotations

import os

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True


def _install(session: nox.Session) -> None:
    torch_spec = os.environ.get("GROKBENCH_TORCH")
    if torch_spec:
        session.install(torch_spec)
    session.install("-e", ".[dev]")


@nox.session
def tests(session: nox.Session) -> None:
    """The unit tests (what CI runs)."""
    _install(session)
    session.run("pytest", "tests", *session.posargs)


@nox.session
def claims(session: nox.Session) -> None:
    """Every claim at ci scale; writes reports/CLAIMS.md and reports/verdicts.json."""
    _install(session)
    session.run(
        "grokbench",
        "claims",
        "--scale",
        "ci",
        "--report",
        "reports/CLAIMS.md",
        "--json",
        "reports/verdicts.json",
        *session.posargs,
    )


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark suite against a paper-style GD loop; writes reports/bench.json and
    reports/BENCH.md. ``nox -s bench -- --paper`` adds the paper-scale runs; ``--device``
    picks devices (default cpu, plus cuda when present).

    OpenMP threads wait passively so that a machine shared with other jobs does not turn
    torch's spinning worker threads into a many-fold slowdown (set OMP_WAIT_POLICY to
    override).
    """
    _install(session)
    env = {"OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    session.run(
        "pytest", "benchmarks", "--benchmark-json", "reports/bench.json", *session.posargs,
        env=env,
    )  # fmt: skip
    session.run("python", "benchmarks/make_report.py", "reports/bench.json", "--out",
                "reports/BENCH.md")  # fmt: skip


#: Pinned, so that a new release of a linter cannot turn a clean tree red overnight.
LINTERS = ("ruff==0.17.6", "mypy==2.4.1")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (rules and format) on the tree, mypy on grokbench/ with the project installed
    (so torch, numpy and scipy are typed, not Any)."""
    _install(session)
    session.install(*LINTERS)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "grokbench")


#: The floors of pyproject.toml's dependencies (and of the [pytest] extra), installed
#: exactly: ``lowest`` fails when a floor no longer works, so a floor is raised on purpose.
LOWEST = (
    "torch==2.2.0",
    "numpy==1.24.0",
    "scipy==1.15.0",
    "scikit-learn==1.3.0",
    "tabulate==0.9.0",
    "matplotlib==3.7.0",
    "joblib==1.2.0",
    "threadpoolctl==3.1.0",
    "pytest==7.4.0",
    "pytest-benchmark==4.0.0",
    "hypothesis==6.90.0",
)
#: torch's CPU wheels (the default index's Linux torch wheels carry CUDA, gigabytes).
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


@nox.session(python="3.11")
def lowest(session: nox.Session) -> None:
    """The unit tests with every declared floor installed exactly (Python 3.11, the floor
    of requires-python). GROKBENCH_TORCH replaces the torch pin and takes torch from the
    default index, without torch's CPU index (where that cannot be reached: ``torch==2.2.0``
    is then PyPI's CUDA build, which runs on the CPU; benchmarks/NOTES.md, "The declared
    floors")."""
    pins = list(LOWEST)
    index = ["--extra-index-url", TORCH_CPU_INDEX]
    if os.environ.get("GROKBENCH_TORCH"):
        pins[0], index = os.environ["GROKBENCH_TORCH"], []
    session.install(*index, *pins)
    session.install("--no-deps", "-e", ".")
    session.run("pip", "check")
    session.run("pytest", "tests", "-p", "no:cacheprovider", *session.posargs)
