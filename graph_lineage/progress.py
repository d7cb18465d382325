"""A one-line progress display on standard error, quiet when it is not a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, every_seconds: float = 0.5) -> None:
        self.label = label
        self.every = every_seconds
        self.started = self.shown = time.monotonic()
        self.count = 0
        self.live = sys.stderr.isatty()

    def update(self, count: int) -> None:
        self.count = count
        now = time.monotonic()
        if self.live and now - self.shown >= self.every:
            rate = count / max(now - self.started, 1e-9)
            sys.stderr.write(f"\r{self.label}: {count:,} events ({rate:,.0f}/s)")
            sys.stderr.flush()
            self.shown = now

    def done(self) -> None:
        if self.live:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()
