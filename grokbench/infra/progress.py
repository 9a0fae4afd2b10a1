"""A one-line progress bar on a terminal, and the log lines of long commands on stderr.

``grokbench -q`` sets the verbosity to -1 (no progress or log lines: errors only), ``-v``
to 1 (progress also when stderr is not a terminal, as plain lines every 10%: CI logs).

Hand-written (about 30 lines) to keep the base dependencies to the ones the project
names; it only needs a fraction done and a rate, which tqdm would also give. In a notebook,
``notebook_bar`` is tqdm.auto's widget when tqdm is installed (``grokbench[notebook]``).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: -1 quiet, 0 the default, 1 verbose; set once by the ``grokbench`` command.
VERBOSITY = 0


def set_verbosity(level: int) -> None:
    """Quiet (-1), default (0) or verbose (1) for the progress and log lines that follow."""
    global VERBOSITY
    VERBOSITY = level


def log(line: str) -> None:
    """A log line on stderr (a run set started, finished), unless quiet."""
    if VERBOSITY >= 0:
        print(line, file=sys.stderr, flush=True)


class ProgressBar:
    """Call with the fraction done; draws ``label [####....] 42% elapsed 3s eta 4s`` on a
    terminal; elsewhere nothing, or (verbose) a plain line every 10%."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30):
        self.label, self.width = label, width
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty()
        self.enabled = VERBOSITY >= 0 and (self.live or VERBOSITY > 0)
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._last_tenth = 0

    def __call__(self, fraction: float) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self._last_draw < 0.2:
            return
        done = min(max(fraction, 0.0), 1.0)
        elapsed = now - self.start
        eta = elapsed * (1 - done) / done if done > 0 else float("inf")
        if not self.live:  # a log file: a plain line each time another tenth is done
            if int(done * 10) > self._last_tenth:
                self._last_tenth = int(done * 10)
                self.stream.write(f"{self.label} {done:4.0%} elapsed {elapsed:.0f}s\n")
                self.stream.flush()
            return
        self._last_draw = now
        bar = "#" * int(done * self.width)
        self.stream.write(
            f"\r{self.label} [{bar:<{self.width}}] {done:4.0%} "
            f"elapsed {elapsed:.0f}s eta {eta:.0f}s "
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.live:
            self.stream.write("\r" + " " * (self.width + 70) + "\r")
            self.stream.flush()


class _TqdmBar:
    """A fraction-done callable drawing tqdm.auto's bar (a widget in Jupyter)."""

    def __init__(self, tqdm: type, label: str) -> None:
        self.bar = tqdm(total=1000, desc=label, bar_format="{l_bar}{bar}| {elapsed}<{remaining}")

    def __call__(self, fraction: float) -> None:
        self.bar.update(max(int(min(max(fraction, 0.0), 1.0) * 1000) - self.bar.n, 0))

    def close(self) -> None:
        self.bar.close()


def notebook_bar(label: str) -> ProgressBar | _TqdmBar:
    """A progress callable for ``runner.run(config, progress=...)`` in a notebook: tqdm.auto
    when installed, else the plain bar (which draws only on a terminal)."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return ProgressBar(label)
    return _TqdmBar(tqdm, label)
