"""Ctrl-C keeps what finished: `grokbench run` writes the partial trace and exits 130."""

import json
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time

READY_TIMEOUT_S = 120


def _read_until(fd: int, marker: bytes, timeout: float) -> bytes:
    """Read a pseudo-terminal until ``marker`` shows up (or the child closes it)."""
    seen, deadline = b"", time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_ctrl_c_during_run_keeps_the_records_so_far(tmp_path):
    out = tmp_path / "trace.json"
    command = [sys.executable, "-m", "grokbench", "run", "sparse-cls", "--scale", "smoke",
               "--set", "dynamics=gd", "--set", "lr=0.001", "--set", "horizon=1e6",
               "--out", str(out)]  # fmt: skip
    # stderr on a pseudo-terminal: the progress bar drawing is the signal that the run is
    # inside its training loop (past the imports and the data), on a slow machine or fast
    controller, terminal = pty.openpty()
    # the child takes Ctrl-C as a user's shell would give it, whatever disposition of SIGINT
    # an earlier test left in this process (ignored signals are inherited through exec)
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=terminal, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    os.close(terminal)
    try:
        before = _read_until(controller, b"elapsed", READY_TIMEOUT_S)
        assert b"elapsed" in before, before.decode(errors="replace")
        # keep draining the terminal: a full pty buffer would block the child's progress
        # and interrupt messages on stderr while we wait on its stdout (a deadlock)
        rest: list[bytes] = []
        drain = threading.Thread(
            target=lambda: rest.append(_read_until(controller, b"\0never", 150))
        )
        drain.start()
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=120)
        drain.join(timeout=10)
        stderr = (before + b"".join(rest)).decode(errors="replace")
    finally:
        process.kill()
        os.close(controller)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    trace = json.loads(out.read_text())
    assert trace["status"] == "interrupted" and "Ctrl-C" in trace["reason"]
    assert len(trace["records"]) >= 1
    assert "interrupted" in stdout
