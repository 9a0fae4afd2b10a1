"""Provenance and packaging: output files respect the umask, ``device=auto`` never picks a
device without the run's dtype, and the version lives in one place."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

import grokbench
from grokbench.engine.config import make_config
from grokbench.engine.runner import prepare
from grokbench.infra.atomic import write_json
from grokbench.infra.environment import resolve_device
from grokbench.spec import ConfigError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def umask() -> Iterator[None]:
    saved = os.umask(0o022)
    yield
    os.umask(saved)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_output_files_respect_the_umask(tmp_path: Path, umask: None, mask: int, mode: int) -> None:
    os.umask(mask)
    path = write_json(tmp_path / "out" / "verdicts.json", {"a": 1})
    assert path.stat().st_mode & 0o777 == mode
    assert os.umask(mask) == mask  # reading the umask left it as it was


@pytest.fixture
def mps_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine (as torch sees it) with MPS and no CUDA."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)


def test_auto_skips_mps_for_float64(mps_only: None) -> None:
    assert resolve_device("auto", torch.float64) == torch.device("cpu")
    assert resolve_device("auto") == torch.device("cpu")  # float64 is the default
    assert resolve_device("auto", torch.float32) == torch.device("mps")


def test_mps_in_float64_is_bad_input(mps_only: None) -> None:
    with pytest.raises(ConfigError, match="mps cannot compute in float64"):
        resolve_device("mps", torch.float64)
    assert resolve_device("mps", torch.float32) == torch.device("mps")


def test_a_float64_run_on_auto_lands_on_the_cpu(mps_only: None) -> None:
    prepared = prepare(make_config("sparse-cls", "smoke", {"device": "auto"}))
    assert prepared.device == torch.device("cpu")
    assert prepared.theta0.device.type == "cpu"


def test_the_version_lives_in_one_place() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert "\nversion:" not in (ROOT / "CITATION.cff").read_text()
    out = subprocess.run(
        [sys.executable, "-m", "grokbench", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"grokbench {grokbench.__version__}"


def test_packaging_files_are_there() -> None:
    assert (ROOT / "grokbench" / "py.typed").is_file()
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    citation = (ROOT / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in citation and "arXiv:2311.18817" in citation
    dependencies = " ".join(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    )
    assert "joblib" in dependencies and "threadpoolctl" in dependencies


def test_code_version_ignores_a_repository_that_is_not_grokbench(tmp_path):
    """grokbench installed inside a user's own git repository (a venv in it) reports its
    package version alone, not the user's commit."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import grokbench

    site = tmp_path / "user" / ".venv" / "site-packages"
    shutil.copytree(Path(grokbench.__file__).parent, site / "grokbench")
    subprocess.run(["git", "init", "-q", str(tmp_path / "user")], check=True)
    code = "from grokbench.infra import environment as e; print(e.code_version(), e.git_commit())"
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=site, capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == [grokbench.__version__, "unknown"]


def test_code_version_in_the_own_checkout_names_the_commit():
    from grokbench import __version__
    from grokbench.infra.environment import code_version, git_commit

    commit = git_commit()
    own_checkout = (ROOT / ".git").exists() and Path(
        grokbench.__file__
    ).parent == ROOT / "grokbench"
    if not own_checkout:  # an installed copy (not a checkout): the version alone
        assert commit == "unknown" and code_version() == __version__
    else:  # found the environment module one folder deeper than it looked (it said unknown)
        assert commit != "unknown"
        assert code_version().startswith(f"{__version__}+g{commit[:12]}")


def test_code_version_is_dirty_for_package_changes_only(tmp_path):
    """A checkout whose reports/ the main job rewrote keeps its code version (stored runs
    stay reusable); a changed or new file in grokbench/ makes it ``+dirty``."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import grokbench

    checkout = tmp_path / "checkout"
    shutil.copytree(Path(grokbench.__file__).parent, checkout / "grokbench",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    (checkout / "pyproject.toml").write_text("[project]\nname = 'grokbench'\n")
    (checkout / ".gitignore").write_text("__pycache__/\n")  # as the repository's
    (checkout / "reports").mkdir()
    (checkout / "reports" / "CLAIMS.md").write_text("old\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(checkout)]
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    code = "from grokbench.infra import environment as e; print(e.git_commit())"
    env = {"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"}

    def commit() -> str:
        out = subprocess.run([sys.executable, "-c", code], cwd=checkout, env=env,
                             capture_output=True, text=True, check=True)  # fmt: skip
        return out.stdout.strip()

    clean = commit()
    assert len(clean) == 40
    (checkout / "reports" / "CLAIMS.md").write_text("new\n")
    assert commit() == clean
    (checkout / "grokbench" / "new_module.py").write_text("x = 1\n")
    assert commit() == clean + "+dirty"
