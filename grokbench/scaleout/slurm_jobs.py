"""Slurm jobs from an earlier client, found again so that a restarted sweep can use them.

A client killed with SIGKILL cannot cancel its Slurm jobs: they run on and write their
results into the submitit folder, where no client reads them. A client started again in
the same folder finds them here. The jobs that finished, and the jobs Slurm still has queued
or running, are attached again rather than computed a second time (``sweep.run_parts``
matches them to the runs it still needs). A job that died without a result is left alone.
"""

from __future__ import annotations

import getpass
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grokbench.spec import RunConfig


@dataclass(frozen=True)
class EarlierUnit:
    """A work unit an earlier client submitted: its Slurm job, its runs, the run set they
    are stored under and the code version they were submitted for."""

    job_id: str
    configs: list[RunConfig]
    run_set: str | None
    code_version: str | None


def queued_job_ids(user: str | None = None) -> set[str]:
    """The ids of this user's jobs that Slurm has queued or running (``squeue``); none when
    squeue is missing or fails, so that nothing unknown is attached."""
    if shutil.which("squeue") is None:
        return set()
    command = ["squeue", "--noheader", "--format=%i", "--user", user or getpass.getuser()]
    try:
        listed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return set()
    return {line.strip() for line in listed.stdout.splitlines() if line.strip()}


def earlier_units(
    folder: Path,
    unit_function: Callable[..., Any],
    queued: Callable[[], Iterable[str]] = queued_job_ids,
) -> list[EarlierUnit]:
    """The work units submitted into ``folder`` (submitit's ``<folder>/<job id>/``) that ran
    ``unit_function`` and either have a result or are still queued or running."""
    from submitit.core.utils import DelayedSubmission, JobPaths

    root = folder.parent if folder.name == "%j" else folder
    if not root.is_dir():
        return []
    alive = set(queued())
    units = []
    for job_folder in sorted(root.iterdir()):
        job = job_folder.name
        paths = JobPaths(job_folder, job_id=job, task_id=0)
        if not paths.submitted_pickle.is_file():
            continue
        if not (job in alive or paths.result_pickle.is_file()):
            continue  # died without a result (cancelled, out of time or memory)
        try:
            submission = DelayedSubmission.load(paths.submitted_pickle)
        except Exception:  # an unreadable or foreign pickle: not ours to use
            continue
        if submission.function is not unit_function or not submission.args:
            continue
        kwargs = submission.kwargs
        configs = list(submission.args[0])
        units.append(EarlierUnit(job, configs, kwargs.get("run_set"), kwargs.get("code_version")))
    return units
