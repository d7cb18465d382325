"""The bounded queue between ``record()`` and the collector's thread: an inbox, then two lanes.

``record()`` appends an event whose sampling can wait (every event when the sampler keeps
them all, lineage events otherwise) to the inbox without a lock: ``deque.append`` is
atomic, allocates nothing, and leaves the serving path in a few hundred nanoseconds. The
next to need the lanes (the collector's thread taking a batch, ``stats()``, ``flush()``,
an arrival at a full queue) sorts the inbox: works out each event's reasons, counts it
and puts it in its lane, in arrival order. An event the sampler decides on the serving
path (``record()`` says whether it was kept) enters the inbox with its reasons.

Events kept only by chance (reason ``"sampled"``) wait in one lane, events kept for a
rule or for lineage in the other; inbox and lanes share one capacity. When the queue is
full a sampled-only event is shed first: an arriving sampled-only event is dropped, and
an arriving kept-for-a-reason event evicts the oldest sampled-only one. Only when the
queue holds nothing but kept-for-a-reason events is one of those dropped. Batches are
taken across both lanes in arrival order.

``record()`` compares the inbox with ``room`` before appending and with ``notice_at``
after: an inbox that reached ``notice_at`` wakes the thread (a batch is ready) or, once
the queue is closed, has the late caller take its event back. Threads racing for the
last free place can overshoot ``room``; sorting sheds the overshoot by the rules above.
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable

from graph_lineage.collector.envelope import Envelope
from graph_lineage.collector.sampling import SAMPLED, Decision, Sampler
from graph_lineage.collector.stats import Counters
from graph_lineage.events import EVENT_TYPES, Event

SHED_SAMPLED = "shed_sampled"
QUEUE_FULL = "queue_full"
CLOSED = "closed"
RECORD_ERROR = "record_error"
_SAMPLED_ONLY = (SAMPLED,)
_FAILED = Decision(False, ())
_NEVER = sys.maxsize
_SORT_CHUNK = 64  # events sorted per hold of the locks, so no caller waits long for them

# Plain tuples in the lanes: building a NamedTuple costs more than the rest of an admission.
_Entry = tuple[int, Event, tuple[str, ...]]
_Decided = tuple[Event, tuple[str, ...]]


class EventQueue:
    def __init__(
        self,
        capacity: int,
        counters: Counters,
        sampler: Sampler | None = None,
        *,
        batch_size: int | None = None,
        wake: Callable[[], object] | None = None,
    ) -> None:
        self.capacity = capacity
        self.sampler = sampler or Sampler()
        self._counters = counters
        self._lock = counters.lock  # guards the lanes and the counters
        self._sorting = threading.Lock()  # one sorter at a time keeps arrival order
        self._batch_size = batch_size or capacity
        self._wake = wake or (lambda: None)
        self._kept: deque[_Entry] = deque()
        self._sampled: deque[_Entry] = deque()
        self._arrivals = itertools.count()
        self._in_sorting = 0  # taken from the inbox, not yet in a lane
        self._wake_pending = False
        self._closed = False
        self._sealed = False  # the thread took its last events: the inbox is not sorted again
        # Read by record() without a lock:
        self.inbox: deque[Event | _Decided] = deque()
        self.undecided = frozenset(t for t in EVENT_TYPES if self.sampler.always_keeps(t))
        self.room = capacity  # places for the inbox: capacity less the lanes and the sorting
        self.notice_at = self._batch_size

    def __len__(self) -> int:
        return len(self._kept) + len(self._sampled) + len(self.inbox) + self._in_sorting

    def offer(self, event: Event, decision: Decision) -> bool:
        """Queue a decided event if the decision keeps it and there is room (made by shedding)."""
        if not decision.keep:
            with self._lock:
                self._counters.recorded += 1
                if self._closed:
                    self._counters.dropped[CLOSED] += 1
                else:
                    self._counters.sampled_out += 1
            return False
        inbox = self.inbox
        if len(inbox) < self.room:
            inbox.append((event, decision.reasons))
            return len(inbox) < self.notice_at or self.noticed(event)
        return self._offer_when_full(event, decision.reasons)

    def noticed(self, event: Event) -> bool:
        """The inbox reached ``notice_at``: wake the thread, or take back a late event."""
        if self._closed:
            with self._sorting, self._lock:
                if not self._remove(event):
                    return True  # sorted before the queue was sealed: it will be sent
                self._counters.recorded += 1
                self._counters.dropped[CLOSED] += 1
                return False
        with self._lock:
            if self._wake_pending or self._closed:
                return True  # appended before close(), so the thread's last sort takes it
            self._wake_pending = True
            self.notice_at = _NEVER
        self._wake()
        return True

    def sort(self, until_sampled: bool = False) -> None:
        """Count and place what the inbox holds now, so counters and lanes include it.

        Later arrivals wait for the next sort, so a busy serving path cannot keep the
        thread sorting instead of sending. ``until_sampled`` stops once a sampled-only
        event is in its lane (one to shed).
        """
        left = len(self.inbox)
        while left > 0:
            with self._sorting:
                if self._sealed or (until_sampled and self._sampled):
                    return
                sorted_now = self._sort_chunk(min(left, _SORT_CHUNK))
            if not sorted_now:
                return
            left -= sorted_now

    def close(self) -> None:
        """Refuse every later offer; what arrived before is still taken by the thread."""
        with self._lock:
            self._closed = True
            self._rearm()

    def seal(self) -> None:
        """Sort the inbox one last time; later arrivals are taken back by their callers."""
        self.sort()
        with self._sorting:
            self._sealed = True

    def take(self, limit: int) -> list[Envelope]:
        """Up to ``limit`` of the oldest events, in arrival order across both lanes."""
        self.sort()
        batch: list[_Entry] = []
        kept, sampled = self._kept, self._sampled
        with self._sorting, self._lock:
            while len(batch) < limit and (kept or sampled):
                if kept and (not sampled or kept[0][0] < sampled[0][0]):
                    batch.append(kept.popleft())
                else:
                    batch.append(sampled.popleft())
            self._wake_pending = False
            self._rearm()
        return [Envelope._make(entry) for entry in batch]

    def _sort_chunk(self, limit: int) -> int:
        """Sort up to ``limit`` events from the inbox; how many. ``_sorting`` held.

        Sampling and numbering run with the counters' lock released, so it is held for a
        few microseconds: a record() that needs it (a full queue) seldom waits.
        """
        inbox = self.inbox
        with self._lock:
            count = min(limit, len(inbox))
            self.room -= count  # before the pops: record() reads the inbox, then room
            entries = [inbox.popleft() for _ in range(count)]
            self._in_sorting = count
        arrivals: list[_Entry] = []
        for entry in entries:
            decided = entry if isinstance(entry, tuple) else self._decide(entry)
            if decided is not None:
                arrivals.append((next(self._arrivals), *decided))
        kept = [arrival for arrival in arrivals if arrival[2] != _SAMPLED_ONLY]
        sampled = [arrival for arrival in arrivals if arrival[2] == _SAMPLED_ONLY]
        tally = Counter(arrival[2] for arrival in kept)
        if sampled:
            tally[_SAMPLED_ONLY] = len(sampled)
        with self._lock:
            if len(self._kept) + len(self._sampled) + len(arrivals) <= self.capacity:
                self._kept.extend(kept)
                self._sampled.extend(sampled)
                self._counters.count_admitted(len(arrivals), tally)
            else:  # more than fit (threads raced for the last places): shed one by one
                for arrival in arrivals:
                    self._admit(arrival)
            self._in_sorting = 0
            self._rearm()
        return count

    def _decide(self, event: Event) -> _Decided | None:
        """An event and its reasons, worked out off the serving path; None when not kept."""
        try:
            decision = self.sampler.decide(event)
        except Exception:  # counted as record() counts it: this is record()'s work, deferred
            decision = _FAILED
        if decision.keep:
            return event, decision.reasons
        with self._lock:
            self._counters.recorded += 1
            if decision is _FAILED:
                self._counters.dropped[RECORD_ERROR] += 1
            else:  # a Sampler subclass whose always_keeps() promised otherwise
                self._counters.sampled_out += 1
        return None

    def _offer_when_full(self, event: Event, reasons: tuple[str, ...]) -> bool:
        """``room`` (kept low while a sort is under way) said full: look again under the lock."""
        with self._lock:
            settled = (
                self._closed or reasons == _SAMPLED_ONLY or bool(self._sampled) or self._has_room()
            )
            queued = settled and self._arrive(event, reasons)
        if not settled:  # kept for a reason, with no sampled-only event in a lane to shed
            self.sort(until_sampled=True)
            with self._lock:
                queued = self._arrive(event, reasons)
        return queued and (len(self.inbox) < self.notice_at or self.noticed(event))

    def _arrive(self, event: Event, reasons: tuple[str, ...]) -> bool:
        """Queue a decided arrival, shedding if full. Lock held.

        Older arrivals may still be in the inbox or in sorting, so the arrival goes to the
        inbox behind them, never straight into a lane. A sampled-only event in a lane is
        older than any of them: the oldest to shed.
        """
        counters = self._counters
        if self._closed:
            counters.recorded += 1
            counters.dropped[CLOSED] += 1
            return False
        if not self._has_room():
            if reasons == _SAMPLED_ONLY or not self._sampled:
                counters.recorded += 1
                counters.kept_for[reasons] += 1
                counters.dropped[SHED_SAMPLED if reasons == _SAMPLED_ONLY else QUEUE_FULL] += 1
                return False
            self._sampled.popleft()
            counters.dropped[SHED_SAMPLED] += 1
            counters.settle_locked(1)
        self.inbox.append((event, reasons))
        return True

    def _admit(self, entry: _Entry) -> bool:
        """Count a sorted event and put it in its lane, shedding if full. Lock held."""
        reasons = entry[2]
        counters = self._counters
        counters.recorded += 1
        counters.kept_for[reasons] += 1
        sampled_only = reasons == _SAMPLED_ONLY
        if len(self._kept) + len(self._sampled) >= self.capacity and not self._shed(sampled_only):
            return False
        (self._sampled if sampled_only else self._kept).append(entry)
        counters.queued += 1
        return True

    def _has_room(self) -> bool:
        """Whether inbox, sorting and lanes hold fewer than ``capacity`` events. Lock held."""
        held = len(self.inbox) + self._in_sorting + len(self._kept) + len(self._sampled)
        return held < self.capacity

    def _rearm(self) -> None:
        """Set what ``record()`` compares the inbox with. Lock held, nothing in sorting."""
        if self._closed:
            self.room = self.notice_at = 0
            return
        lanes = len(self._kept) + len(self._sampled)
        self.room = self.capacity - lanes
        self.notice_at = _NEVER if self._wake_pending else max(1, self._batch_size - lanes)

    def _remove(self, event: Event) -> bool:
        """Take the event out of the inbox if it is still there. ``_sorting`` held.

        Indexes from the left stay valid while other threads append on the right.
        """
        inbox = self.inbox
        for index in range(len(inbox) - 1, -1, -1):
            entry = inbox[index]
            if entry is event or (isinstance(entry, tuple) and entry[0] is event):
                del inbox[index]
                return True
        return False

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
