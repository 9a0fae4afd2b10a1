"""What a measurement ran on: device, CPU, core count, library versions, dtype, git commit."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import torch

from grokbench.spec import ConfigError

#: Dtypes a device type cannot compute in (MPS has no float64).
UNSUPPORTED = {"mps": (torch.float64,)}


def resolve_device(name: str, dtype: torch.dtype = torch.float64) -> torch.device:
    """``auto`` picks cuda, then mps, then cpu, skipping a device that cannot compute in
    ``dtype`` (MPS in float64); an absent device, or one asked for a dtype it lacks, is a
    ConfigError."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available() and dtype not in UNSUPPORTED["mps"]:
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device: cuda is not available on this machine; use cpu or auto")
    if name == "mps" and not torch.backends.mps.is_available():
        raise ConfigError("device: mps is not available on this machine; use cpu or auto")
    if dtype in UNSUPPORTED.get(name, ()):
        kind = str(dtype).removeprefix("torch.")
        raise ConfigError(f"device: {name} cannot compute in {kind}; use dtype=float32 or cpu")
    return torch.device(name)


@functools.cache
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@functools.cache
def git_commit() -> str:
    """The commit of grokbench's own checkout, with ``+dirty`` for uncommitted changes to
    the package (``grokbench/``, new files included);
    ``unknown`` when grokbench does not run from its own git checkout (an installed package
    inside someone else's repository must not report that repository's commit)."""
    root = Path(__file__).resolve().parents[2]  # grokbench/infra/environment.py → the checkout

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=5)
        return done.stdout.strip() if done.returncode == 0 else ""

    try:
        top = git("rev-parse", "--show-toplevel")
        if not top or Path(top).resolve() != root or not (root / "pyproject.toml").is_file():
            return "unknown"
        commit = git("rev-parse", "HEAD")
        # the package's own files only: the main job rewrites the tracked reports/, and a
        # run must not change the code version the next one is stored under
        dirty = git("status", "--porcelain", "--", "grokbench")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit + ("+dirty" if dirty else "")) if commit else "unknown"


def code_version() -> str:
    """The version stored runs are keyed by: grokbench's package version, plus the commit
    when grokbench runs from its own checkout (``0.1.0+g1a2b3c4d5e6f`` or ``…+dirty``)."""
    from grokbench import __version__

    commit = git_commit()
    if commit == "unknown":
        return __version__
    head, _, dirty = commit.partition("+")
    return f"{__version__}+g{head[:12]}" + (".dirty" if dirty else "")


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple MPS"
    return cpu_model()


def environment(device: torch.device | str = "cpu", dtype: str = "float64") -> dict[str, Any]:
    """The facts every trace, verdict file and benchmark carries."""
    device = torch.device(device)
    return {
        "device": device.type,
        "device_name": device_name(device),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "dtype": dtype,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "sklearn": _version("scikit-learn"),
        "platform": platform.platform(),
        "git_commit": git_commit(),
        "code_version": code_version(),
    }


def _version(distribution: str) -> str:
    """A library's installed version, read from its metadata (no import: importing
    scikit-learn costs a second in every fresh worker process)."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"
