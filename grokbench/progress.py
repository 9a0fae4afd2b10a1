"""A one-line progress bar on a terminal, nothing elsewhere.

Hand-written (about 30 lines) to keep the base dependencies to the ones the project
names; it only needs a fraction done and a rate, which tqdm would also give.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Call with the fraction done; draws ``label [####....] 42% elapsed 3s eta 4s``."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30):
        self.label, self.width = label, width
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self.start = time.perf_counter()
        self._last_draw = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self._last_draw < 0.2:
            return
        self._last_draw = now
        done = min(max(fraction, 0.0), 1.0)
        elapsed = now - self.start
        eta = elapsed * (1 - done) / done if done > 0 else float("inf")
        bar = "#" * int(done * self.width)
        self.stream.write(
            f"\r{self.label} [{bar:<{self.width}}] {done:4.0%} "
            f"elapsed {elapsed:.0f}s eta {eta:.0f}s "
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (self.width + 70) + "\r")
            self.stream.flush()
