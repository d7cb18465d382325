"""Refusals at the door (``401``, ``403``), rate-limited per source on their way to the log.

A source is a client address and the subject it presented (``(anonymous)`` without valid
credentials). In each window (from a source's first refusal, ``window_seconds`` long) the
first ``per_window`` refusals are recorded one by one; the rest are only counted, and when
the window has closed one summary record carries their number (``suppressed_count``). At
most ``max_sources`` sources are tracked: a new one pushes out the oldest, whose summary,
if it has one, is then due at once. So a flood costs at most ``per_window + 1`` records per
source and window, and bounded memory.

>>> limiter = RefusalLimiter(per_window=10, window_seconds=60, max_sources=1_000)
>>> len([r for _ in range(50) for r in limiter.admit(refusal)])
10
>>> [r.suppressed_count for r in limiter.close_all()]
[40]
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

from graph_lineage.access_log.record import AccessRecord

Source = tuple[str, str]  # (client address, subject)


@dataclass
class _Window:
    opened: float  # on the limiter's clock
    recorded: int = 0
    suppressed: int = 0
    last: AccessRecord | None = None  # the latest refusal only counted

    def summary(self, window_seconds: float) -> AccessRecord | None:
        if self.last is None:
            return None
        reason = (
            f"{self.suppressed} more refusals from this source within {window_seconds:g} s"
            f" were counted, not recorded one by one; the last: {self.last.reason}"
        )
        return replace(self.last, suppressed_count=self.suppressed, reason=reason)


class RefusalLimiter:
    """Decides which refusals become records; thread-safe, constant work per refusal."""

    def __init__(
        self,
        *,
        per_window: int,
        window_seconds: float,
        max_sources: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_window < 0 or window_seconds <= 0 or max_sources < 1:
            raise ValueError("per_window >= 0, window_seconds > 0 and max_sources >= 1")
        self.per_window = per_window
        self.window_seconds = window_seconds
        self.max_sources = max_sources
        self._clock = clock
        self._windows: OrderedDict[Source, _Window] = OrderedDict()  # oldest window first
        self._lock = threading.Lock()

    def admit(self, refusal: AccessRecord) -> list[AccessRecord]:
        """The records due now: summaries of closed windows, then ``refusal`` unless its
        source is over the limit (it is counted then)."""
        source = (refusal.source_address or "", refusal.subject)
        with self._lock:
            now = self._clock()
            due = self._close(lambda window: now - window.opened >= self.window_seconds)
            window = self._windows.get(source)
            if window is None:
                if len(self._windows) >= self.max_sources:
                    due += self._close(lambda _: True, limit=1)
                window = self._windows[source] = _Window(opened=now)
            if window.recorded < self.per_window:
                window.recorded += 1
                due.append(refusal)
            else:
                window.suppressed += 1
                window.last = refusal
        return due

    def close_expired(self) -> list[AccessRecord]:
        """Summaries of the windows that have closed by now."""
        with self._lock:
            now = self._clock()
            return self._close(lambda window: now - window.opened >= self.window_seconds)

    def close_all(self) -> list[AccessRecord]:
        """Summaries of every window, open or not (at shutdown); forgets every source."""
        with self._lock:
            return self._close(lambda _: True)

    @property
    def sources(self) -> int:
        return len(self._windows)

    def _close(
        self, closes: Callable[[_Window], bool], limit: int | None = None
    ) -> list[AccessRecord]:
        summaries: list[AccessRecord] = []
        closed = 0
        while self._windows and (limit is None or closed < limit):
            window = next(iter(self._windows.values()))
            if not closes(window):
                break  # windows are in the order they opened: the rest are younger
            self._windows.popitem(last=False)
            closed += 1
            summary = window.summary(self.window_seconds)
            if summary is not None:
                summaries.append(summary)
        return summaries
