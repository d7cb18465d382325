"""What the collector's thread does with batches: send, retry with backoff, spool, replay.

Order is kept by one rule: while anything is spooled, new batches are spooled behind it,
and the spool is replayed oldest first. A spooled line is committed (and its segment
eventually deleted) only after the transport accepted it, so an event is counted once
as sent, or stays spooled; never both.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Sequence

from graph_lineage.collector.config import CollectorConfig
from graph_lineage.collector.envelope import Envelope, from_line, to_line
from graph_lineage.collector.spool import Spool
from graph_lineage.collector.stats import Counters
from graph_lineage.collector.transports.base import Transport, is_retryable
from graph_lineage.errors import EventsRejected

logger = logging.getLogger("graph_lineage.collector")


class Delivery:
    def __init__(
        self,
        transport: Transport,
        spool: Spool,
        counters: Counters,
        config: CollectorConfig,
        closing: threading.Event,
    ) -> None:
        self.transport = transport
        self.spool = spool
        self.counters = counters
        self.config = config
        self._closing = closing
        self._random = random.Random()
        self._failures = 0  # consecutive failed sends: the backend is down while > 0
        self._probe_after = 0.0  # monotonic time before which a down backend is left alone

    def deliver(self, batch: list[Envelope], until: float) -> None:
        """Send a fresh batch, retrying until ``until``, or spool it behind older spooled events."""
        if self.spool.pending or time.monotonic() >= until:
            self._to_spool(batch)
            return
        rest = self._send(batch, 1 + self.config.max_retries, replayed=False, until=until)
        if rest:
            self._to_spool(rest)

    def replay(self, until: float, force: bool = False) -> bool:
        """Send spooled events oldest first; True when stopped by ``until`` with more to send."""
        if not self.spool.pending:
            return False
        if not force and time.monotonic() < self._probe_after:
            return False
        while time.monotonic() < until:
            lines = self.spool.peek(self.config.batch_size)
            if not lines or not self._replay_chunk(lines):
                return False
        return True

    def _replay_chunk(self, lines: list[str]) -> bool:
        numbered: list[tuple[int, Envelope]] = []
        corrupt: list[int] = []
        for index, line in enumerate(lines):
            try:
                numbered.append((index, from_line(line)))
            except ValueError:
                corrupt.append(index)
        rest = self._send([envelope for _, envelope in numbered], 1, replayed=True)
        done = numbered[len(numbered) - len(rest)][0] if rest else len(lines)
        self.spool.commit(done)
        damaged = sum(1 for index in corrupt if index < done)
        if damaged:
            logger.error(
                "dropped %d damaged lines of the spool in %s", damaged, self.spool.directory
            )
            self.counters.count_dropped("corrupt_spool", damaged, queued=False)
        return not rest

    def _send(
        self, batch: list[Envelope], attempts: int, replayed: bool, until: float = 0.0
    ) -> list[Envelope]:
        """Deliver the batch; returns the part left unsent because the backend is down."""
        if not batch:
            return []
        failure: BaseException | None = None
        for attempt in range(attempts):
            if attempt:
                if not self._pause(self._backoff(attempt), until):
                    break
                self.counters.count_retry()
            try:
                self.transport.send([envelope.event for envelope in batch])
            except Exception as error:
                if not is_retryable(error):
                    return self._refused(batch, error, replayed)
                failure = error
                continue
            self.counters.count_sent(len(batch), replayed)
            self._backend_up()
            return []
        self._backend_down(failure)
        return batch

    def _refused(self, batch: list[Envelope], error: Exception, replayed: bool) -> list[Envelope]:
        """Bisect a splittable refusal down to the events refused; drop those."""
        if isinstance(error, EventsRejected) and error.splittable and len(batch) > 1:
            half = len(batch) // 2
            rest = self._send(batch[:half], 1, replayed)
            return rest + batch[half:] if rest else self._send(batch[half:], 1, replayed)
        reason = f"rejected:{error.reason}" if isinstance(error, EventsRejected) else "send_error"
        logger.error("dropped %d events the backend refused: %s", len(batch), error)
        self.counters.count_dropped(reason, len(batch), queued=not replayed)
        return []

    def _to_spool(self, batch: Sequence[Envelope]) -> None:
        try:
            stored = self.spool.append([to_line(envelope) for envelope in batch])
        except OSError as error:
            logger.error("dropped %d events: cannot write the spool: %s", len(batch), error)
            self.counters.count_dropped("spool_error", len(batch), queued=True)
            return
        if stored:
            self.counters.count_spooled(len(batch))
        else:
            logger.error("dropped %d events: the spool is full", len(batch))
            self.counters.count_dropped("spool_full", len(batch), queued=True)

    def _pause(self, delay: float, until: float) -> bool:
        """Wait before a retry; False when the wait would pass ``until`` or close interrupts it."""
        if time.monotonic() + delay >= until:
            return False
        if self._closing.is_set():  # the final flush: retries are bounded by ``until`` alone
            time.sleep(delay)
            return True
        return not self._closing.wait(delay)  # closing: spool now, the final flush retries

    def _backoff(self, attempt: int) -> float:
        """Exponential, capped, with jitter so many collectors do not retry in step."""
        growth = 2.0 ** min(attempt, 30)
        ceiling = min(self.config.backoff_max, self.config.backoff_initial * growth)
        return ceiling * self._random.uniform(0.5, 1.0)

    def _backend_down(self, error: BaseException | None) -> None:
        self._failures += 1
        if self._failures == 1:
            logger.warning(
                "lineage backend unavailable, spooling to %s: %s", self.spool.directory, error
            )
        self._probe_after = time.monotonic() + self._backoff(self._failures)

    def _backend_up(self) -> None:
        if self._failures:
            logger.warning(
                "lineage backend is back; replaying %d spooled events", self.spool.pending
            )
        self._failures = 0
        self._probe_after = 0.0
