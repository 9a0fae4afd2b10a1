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
    """The commit of the grokbench checkout, with ``+dirty`` for uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit + ("+dirty" if dirty else "")) if commit else "unknown"


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
    }


def _version(distribution: str) -> str:
    """A library's installed version, read from its metadata (no import: importing
    scikit-learn costs a second in every fresh worker process)."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"
