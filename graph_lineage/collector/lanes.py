"""The bounded queue between ``record()`` and the collector's thread, in two lanes.

Events kept only by chance (reason ``"sampled"``) wait in one lane, events kept for a
rule or for lineage in the other; both share one capacity. When the queue is full a
sampled-only event is shed first: an arriving sampled-only event is dropped, and an
arriving kept-for-a-reason event evicts the oldest sampled-only one. Only when the
queue holds nothing but kept-for-a-reason events is one of those dropped. Batches are
taken across both lanes in arrival order.
"""

from __future__ import annotations

import itertools
from collections import deque

from graph_lineage.collector.envelope import Envelope
from graph_lineage.collector.sampling import SAMPLED, Decision
from graph_lineage.collector.stats import Counters
from graph_lineage.events import Event

SHED_SAMPLED = "shed_sampled"
QUEUE_FULL = "queue_full"
CLOSED = "closed"
_SAMPLED_ONLY = (SAMPLED,)

# Plain tuples in the lanes: building a NamedTuple costs more than the rest of offer().
_Entry = tuple[int, Event, tuple[str, ...]]


class EventQueue:
    def __init__(self, capacity: int, counters: Counters) -> None:
        self.capacity = capacity
        self._counters = counters
        self._lock = counters.lock
        self._kept: deque[_Entry] = deque()
        self._sampled: deque[_Entry] = deque()
        self._arrivals = itertools.count()
        self._closed = False

    def __len__(self) -> int:
        return len(self._kept) + len(self._sampled)

    def offer(self, event: Event, decision: Decision) -> bool:
        """Queue the event if the decision keeps it and there is room (made by shedding)."""
        counters = self._counters
        with self._lock:
            counters.recorded += 1
            if self._closed:
                counters.dropped[CLOSED] += 1
                return False
            if not decision.keep:
                counters.sampled_out += 1
                return False
            reasons = decision.reasons
            counters.kept_for[reasons] += 1
            sampled_only = reasons == _SAMPLED_ONLY
            if len(self._kept) + len(self._sampled) >= self.capacity and not self._shed(
                sampled_only
            ):
                return False
            lane = self._sampled if sampled_only else self._kept
            lane.append((next(self._arrivals), event, reasons))
            counters.queued += 1
            return True

    def close(self) -> None:
        """Refuse every later offer, so nothing is queued after the last batch is taken."""
        with self._lock:
            self._closed = True

    def take(self, limit: int) -> list[Envelope]:
        """Up to ``limit`` of the oldest events, in arrival order across both lanes."""
        batch: list[_Entry] = []
        kept, sampled = self._kept, self._sampled
        with self._lock:
            while len(batch) < limit and (kept or sampled):
                if kept and (not sampled or kept[0][0] < sampled[0][0]):
                    batch.append(kept.popleft())
                else:
                    batch.append(sampled.popleft())
        return [Envelope._make(entry) for entry in batch]

    def _shed(self, arriving_sampled_only: bool) -> bool:
        """Make room for the arriving event; False when it is the one dropped. Lock held."""
        counters = self._counters
        if arriving_sampled_only:
            counters.dropped[SHED_SAMPLED] += 1
            return False
        if not self._sampled:
            counters.dropped[QUEUE_FULL] += 1
            return False
        self._sampled.popleft()
        counters.dropped[SHED_SAMPLED] += 1
        counters.settle_locked(1)
        return True
