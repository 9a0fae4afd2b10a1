"""Ctrl-C keeps what finished: `grokbench run` writes the partial trace and exits 130."""

import json
import signal
import subprocess
import sys
import time


def test_ctrl_c_during_run_keeps_the_records_so_far(tmp_path):
    out = tmp_path / "trace.json"
    command = [sys.executable, "-m", "grokbench", "run", "sparse-cls", "--scale", "smoke",
               "--set", "dynamics=gd", "--set", "lr=0.001", "--set", "horizon=1e6",
               "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(15)  # past the imports and the data, inside the GD loop
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    trace = json.loads(out.read_text())
    assert trace["status"] == "interrupted" and "Ctrl-C" in trace["reason"]
    assert len(trace["records"]) >= 1
    assert "interrupted" in stdout
