"""`grokbench run`: the trace JSON contract, and bad input as one line with exit 2."""

import json
import subprocess
import sys

import pytest

from grokbench.cli import main
from grokbench.spec import TRACE_SCHEMA


def test_run_writes_a_trace_and_prints_a_summary(tmp_path, capsys):
    out = tmp_path / "trace.json"
    code = main(["run", "sparse-cls", "--scale", "smoke", "--set", "evals=30", "--out", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    assert data["schema"] == TRACE_SCHEMA
    assert data["config"]["experiment"] == "sparse-cls" and data["config"]["evals"] == 30
    for key in ("torch", "device_name", "cpu", "dtype", "git_commit"):
        assert key in data["env"]
    assert {"plateau", "final", "t_grok", "wall_s", "grad_evals"} <= set(data["summary"])
    printed = capsys.readouterr().out
    assert "t_grok" in printed and "gradient evaluations" in printed


@pytest.mark.parametrize(
    "args, words",
    [
        (["run", "nope"], "experiment"),
        (["run", "sparse-cls", "--set", "bogus=1"], "bogus"),
        (["run", "sparse-cls", "--set", "alpha=-1"], "alpha"),
        (["run", "sparse-cls", "--set", "wd=-1"], "wd"),
        (["run", "sparse-cls", "--set", "lr=-0.1"], "lr"),
        (["run", "sparse-cls", "--set", "horizon=0"], "horizon"),
        (["run", "sparse-cls", "--set", "dynamics=lion"], "dynamics"),
        (["run", "sparse-cls", "--scale", "huge"], "scale"),
        (["run", "sparse-cls", "--set", "device=cuda"], "cuda"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, words):
    out = tmp_path / "t.json"
    result = subprocess.run(
        [sys.executable, "-m", "grokbench", *args, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if "cuda" in words and "cuda" not in result.stderr:  # a machine with a GPU accepts it
        pytest.skip("cuda is available here")
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() and not list(tmp_path.iterdir())
