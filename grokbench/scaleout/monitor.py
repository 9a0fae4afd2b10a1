"""What a running sweep shows: a live one-line status on a terminal (done, running, failed,
time left), or one plain line per finished run when the output is a file or a pipe.

Hand-written like ``grokbench.infra.progress`` so the base dependencies stay as they are.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO

from grokbench.spec import RunConfig


class Monitor(Protocol):
    """What a sweep reports as it goes (``SweepStatus`` draws it on a terminal)."""

    def start(self, total: int, skipped: int, where: str) -> None: ...
    def submitted(self, runs: int) -> None: ...
    def finished(self, config: RunConfig, status: str, detail: str, wall_s: float) -> None: ...
    def tick(self) -> None: ...
    def close(self) -> None: ...


class Silent:
    """A Monitor that shows nothing (the library default)."""

    def start(self, total: int, skipped: int, where: str) -> None: ...
    def submitted(self, runs: int) -> None: ...
    def finished(self, config: RunConfig, status: str, detail: str, wall_s: float) -> None: ...
    def tick(self) -> None: ...
    def close(self) -> None: ...


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class SweepStatus:
    """A ``Monitor`` for the terminal. ``describe`` names a run in a line (e.g.
    the values of the grid keys); ``live`` defaults to whether ``stream`` is a TTY."""

    def __init__(
        self,
        describe: Callable[[RunConfig], str],
        stream: TextIO | None = None,
        live: bool | None = None,
    ) -> None:
        self.describe = describe
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.total = self.skipped = self.done = self.failed = self.running = 0
        self.start_time = time.perf_counter()
        self._last_draw = 0.0
        self._first_done: float | None = None

    # -- the Monitor protocol ------------------------------------------------------------

    def start(self, total: int, skipped: int, where: str) -> None:
        self.total, self.skipped, self.done = total, skipped, skipped
        self.start_time = time.perf_counter()
        self._print(
            f"sweep: {total} runs, {skipped} already in the store, "
            f"{total - skipped} to compute on {where}"
        )

    def submitted(self, runs: int) -> None:
        self.running += runs
        self.tick()

    def finished(self, config: RunConfig, status: str, detail: str, wall_s: float) -> None:
        self.running = max(0, self.running - 1)
        self.done += 1
        if self._first_done is None:
            self._first_done = time.perf_counter()
        self.failed += status != "ok"
        if not self.live:
            note = f": {detail}" if detail and status != "ok" else ""
            width = len(str(self.total))
            self._print(
                f"[{self.done:>{width}}/{self.total}] {status:<8} {wall_s:6.1f}s  "
                f"{self.describe(config)}{note}"
            )
        elif status != "ok":
            self._print(f"{status}: {self.describe(config)}: {detail}")
        self.tick(force=True)

    def tick(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.live or (not force and now - self._last_draw < 0.5):
            return
        self._last_draw = now
        self.stream.write("\r" + self.line() + "\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    # -- drawing -----------------------------------------------------------------------

    def eta(self) -> float | None:
        """Seconds left at the rate runs finish (None before the first). From the second
        one on, the rate counts from the first, so worker start-up does not inflate it."""
        computed = self.done - self.skipped
        if computed <= 0:
            return None
        now = time.perf_counter()
        first = self._first_done if self._first_done is not None else now
        if computed >= 2 and now - first > 1.0:
            return (now - first) / (computed - 1) * (self.total - self.done)
        return (now - self.start_time) / computed * (self.total - self.done)

    def line(self) -> str:
        elapsed = time.perf_counter() - self.start_time
        eta = self.eta()
        left = "?" if eta is None else _clock(eta)
        return (
            f"sweep {self.done}/{self.total} done · {self.running} running · "
            f"{self.failed} failed · {_clock(elapsed)} elapsed · {left} left"
        )

    def _print(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        self.stream.flush()
