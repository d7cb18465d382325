"""The collector producers call: ``record()`` on the serving path, the rest in a thread.

>>> collector = LineageCollector(
...     make_transport("http", HttpConfig(url="http://lineage:8000")),
...     Sampler(0.05, users={"qa-user"}, score_above=0.99),
... )
>>> collector.record(served_event)  # never blocks, never raises
True
>>> collector.close().sent
1
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from typing import get_args

from graph_lineage.collector.config import CollectorConfig
from graph_lineage.collector.delivery import Delivery
from graph_lineage.collector.lanes import EventQueue
from graph_lineage.collector.sampling import Sampler
from graph_lineage.collector.spool import Spool
from graph_lineage.collector.stats import CollectorStats, Counters
from graph_lineage.collector.transports.base import Transport
from graph_lineage.events import BaseEvent, Event

logger = logging.getLogger("graph_lineage.collector")

# The event classes of the ``Event`` union: an exact type check is cheaper than isinstance
# against BaseEvent, whose metaclass is an ABC.
EVENT_TYPES = frozenset(get_args(get_args(Event)[0]))


class LineageCollector:
    """Samples, queues and ships lineage events in the background; see the package docstring."""

    def __init__(
        self,
        transport: Transport,
        sampler: Sampler | None = None,
        config: CollectorConfig | None = None,
    ) -> None:
        self.config = config = config or CollectorConfig()
        self._counters = Counters()
        self._wake = threading.Event()
        self._queue = EventQueue(
            config.max_queue,
            self._counters,
            sampler or Sampler(),
            batch_size=config.batch_size,
            wake=self._wake.set,
        )
        self._spool = Spool(
            config.spool_dir,
            max_bytes=config.spool_max_bytes,
            segment_bytes=config.spool_segment_bytes,
            fsync=config.spool_fsync,
        )
        self._closing = threading.Event()
        self._close_by = float("inf")
        self._delivery = Delivery(transport, self._spool, self._counters, config, self._closing)
        self._thread = threading.Thread(
            target=self._run, name="graph-lineage-collector", daemon=True
        )
        self._thread.start()
        atexit.register(self.close)

    @property
    def sampler(self) -> Sampler:
        """The sampler given at construction; the queue sorts deferred events with it."""
        return self._queue.sampler

    def record(self, event: Event) -> bool:
        """Queue the event if sampling keeps it and there is room; True when queued.

        Never blocks and never raises: whatever goes wrong is counted in :meth:`stats`.
        """
        try:
            queue = self._queue
            inbox = queue.inbox
            if type(event) in queue.undecided and len(inbox) < queue.room:
                inbox.append(event)  # sampled, counted and laned later, off the serving path
                return len(inbox) < queue.notice_at or queue.noticed(event)
            return self._record_decided(event)
        except Exception:
            self._counters.count_refused("record_error")
            return False

    def _record_decided(self, event: Event) -> bool:
        """The path of events sampled now, of a full or closed queue, and of non-events."""
        if self._closing.is_set():
            self._counters.count_refused("closed")
            return False
        if type(event) not in EVENT_TYPES and not isinstance(event, BaseEvent):
            self._counters.count_refused("not_an_event")
            return False
        return self._queue.offer(event, self.sampler.decide(event))

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything queued so far was sent, spooled or dropped; False on timeout."""
        self._queue.sort()
        target = self._counters.queued
        self._wake.set()
        return self._counters.wait_settled(target, timeout)

    def stats(self) -> CollectorStats:
        self._queue.sort()
        return self._counters.snapshot(len(self._queue), self._spool.pending)

    def close(self, timeout: float = 30.0) -> CollectorStats:
        """Send what is queued and what is spooled, for up to ``timeout`` seconds.

        What cannot be sent by then stays in the spool for the next collector on the same
        ``spool_dir``. Later ``record()`` calls are counted as dropped (``"closed"``).
        """
        atexit.unregister(self.close)
        if not self._closing.is_set():
            self._close_by = time.monotonic() + timeout
            self._closing.set()
            self._queue.close()
            self._wake.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            logger.warning(
                "the collector is still sending after %.1f s; it will spool the rest", timeout
            )
        return self.stats()

    def __enter__(self) -> LineageCollector:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _run(self) -> None:
        try:
            more = False
            while not self._closing.is_set():
                self._wake.wait(0.0 if more else self.config.flush_interval)
                self._wake.clear()
                more = self._guarded_cycle(final=False)
            self._guarded_cycle(final=True)
            self._queue.seal()  # a record() that raced with close() is sent or takes it back
            if len(self._queue):
                self._guarded_cycle(final=True)
        finally:
            self._delivery.transport.close()
            self._spool.close()

    def _guarded_cycle(self, final: bool) -> bool:
        try:
            return self._cycle(final)
        except Exception:  # a bug here must not stop the thread that drains the queue
            logger.exception("the collector's delivery cycle failed; trying again")
            return False

    def _cycle(self, final: bool) -> bool:
        """Replay the spool, then send the queue batch by batch; True when replay has more."""
        config = self.config
        if final:
            send_until = replay_until = self._close_by
        else:
            send_until, replay_until = float("inf"), time.monotonic() + config.flush_interval
        more = self._delivery.replay(replay_until, force=final)
        while batch := self._queue.take(config.batch_size):
            self._delivery.deliver(batch, send_until)
            more = self._delivery.replay(replay_until)
        return more
