"""The collector's counters: mutable tallies inside, a frozen :class:`CollectorStats` outside."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CollectorStats:
    """A snapshot of what a collector did with the events it was given.

    Every ``record()`` call ends in exactly one of ``sampled_out``, ``queued`` or a drop
    on entry (queue full, closed). Every queued event ends, once flushed, in exactly one
    of: sent (``sent - replayed``), ``spooled``, or a drop after queueing (shed from the
    queue, rejected by the backend). ``replayed`` counts spooled events sent later, by
    this process or, for a spool left by an earlier one, instead of it.
    """

    recorded: int = 0
    sampled_out: int = 0
    queued: int = 0
    pending: int = 0
    sent: int = 0
    replayed: int = 0
    spooled: int = 0
    spool_pending: int = 0
    dropped: int = 0
    retries: int = 0
    dropped_by_reason: Mapping[str, int] = field(default_factory=dict)
    kept_by_reason: Mapping[str, int] = field(default_factory=dict)


class Counters:
    """The live tallies. ``lock`` also guards the queue, so one lock covers ``record()``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.settled_changed = threading.Condition(self.lock)
        self.recorded = 0
        self.sampled_out = 0
        self.queued = 0
        self.settled = 0  # queued events that were sent, spooled or dropped since
        self.sent = 0
        self.replayed = 0
        self.spooled = 0
        self.retries = 0
        self.dropped: Counter[str] = Counter()
        # By reasons tuple: one increment per record(), spread over single reasons on read.
        self.kept_for: Counter[tuple[str, ...]] = Counter()

    def count_sent(self, count: int, replayed: bool) -> None:
        with self.lock:
            self.sent += count
            if replayed:
                self.replayed += count
            else:
                self.settle_locked(count)

    def count_spooled(self, count: int) -> None:
        with self.lock:
            self.spooled += count
            self.settle_locked(count)

    def count_dropped(self, reason: str, count: int, queued: bool) -> None:
        with self.lock:
            self.dropped[reason] += count
            if queued:
                self.settle_locked(count)

    def count_admitted(self, count: int, kept_for: Counter[tuple[str, ...]]) -> None:
        """Queued events the collector's thread counted in bulk; the caller holds ``lock``."""
        self.recorded += count
        self.queued += count
        self.kept_for.update(kept_for)

    def count_refused(self, reason: str) -> None:
        """A ``record()`` call that queued nothing and was not sampled out."""
        with self.lock:
            self.recorded += 1
            self.dropped[reason] += 1

    def count_retry(self) -> None:
        with self.lock:
            self.retries += 1

    def wait_settled(self, target: int, timeout: float) -> bool:
        with self.settled_changed:
            return self.settled_changed.wait_for(lambda: self.settled >= target, timeout)

    def snapshot(self, pending: int, spool_pending: int) -> CollectorStats:
        with self.lock:
            return CollectorStats(
                recorded=self.recorded,
                sampled_out=self.sampled_out,
                queued=self.queued,
                pending=pending,
                sent=self.sent,
                replayed=self.replayed,
                spooled=self.spooled,
                spool_pending=spool_pending,
                dropped=sum(self.dropped.values()),
                retries=self.retries,
                dropped_by_reason=dict(self.dropped),
                kept_by_reason=self._kept_by_reason(),
            )

    def _kept_by_reason(self) -> dict[str, int]:
        kept: Counter[str] = Counter()
        for reasons, count in self.kept_for.items():
            for reason in reasons:
                kept[reason] += count
        return dict(kept)

    def settle_locked(self, count: int) -> None:
        """Count queued events as settled; the caller holds ``lock``."""
        self.settled += count
        self.settled_changed.notify_all()
