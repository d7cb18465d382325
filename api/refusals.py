"""Refusals at the door (``401``, ``403``) written to the access log, off the request path.

A refused request is answered at once: its record goes through the
:class:`~graph_lineage.access_log.RefusalLimiter` (a few per source and window, the rest
counted in a summary) into a bounded queue, and one background thread appends what is
queued through the access log's group commit, so it shares transactions with the
GraphQL operations' records. Nobody waits for these records: when Neo4j is away they are
logged as lost, and the refusal is still a ``401`` or ``403``, never a ``503``. Summaries
are written when a window has closed (checked every second), and at shutdown.
"""

from __future__ import annotations

import logging
import queue
import threading

from starlette.types import Scope

from graph_lineage import access_log
from graph_lineage.access_log import AccessRecord, RefusalLimiter
from graph_lineage.auth import Caller
from graph_lineage.errors import LineageError
from graph_lineage.settings import Settings
from graph_lineage.store import Store

logger = logging.getLogger("graph_lineage.api")

MAX_QUEUED = 10_000  # records waiting for the writer; more are dropped and logged
STOP_SECONDS = 10.0  # at shutdown, how long the queue may take to be written
_TICK_SECONDS = 1.0
_STOP = None


class RefusalRecorder:
    """Takes refusals from the middleware; writes their records from its own thread."""

    def __init__(self, limiter: RefusalLimiter, max_queued: int = MAX_QUEUED) -> None:
        self.limiter = limiter
        self._queue: queue.Queue[AccessRecord | None] = queue.Queue(maxsize=max_queued)
        self._thread: threading.Thread | None = None
        self.dropped = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> RefusalRecorder:
        limiter = RefusalLimiter(
            per_window=settings.access_log_refusals_per_window,
            window_seconds=settings.access_log_refusal_window_seconds,
            max_sources=settings.access_log_refusal_sources,
        )
        return cls(limiter)

    def start(self, store: Store) -> None:
        self._thread = threading.Thread(
            target=self._write, args=(store,), name="access-log-refusals", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Write the open windows' summaries and everything queued, then end the thread."""
        if self._thread is None:
            return
        self._enqueue(self.limiter.close_all())
        self._queue.put(_STOP)
        self._thread.join(STOP_SECONDS)
        if self._thread.is_alive():
            logger.warning("access log: refusals still queued at shutdown were not recorded")
        self._thread = None

    def refused(self, scope: Scope, status: int, reason: str, caller: Caller | None) -> None:
        """Note one refusal; returns at once (no I/O)."""
        if self._thread is None:  # the app is not started: nowhere to write
            return
        client = scope.get("client")
        record = AccessRecord.refusal(
            status=status,
            reason=reason,
            method=str(scope.get("method", "")),
            path=str(scope.get("path", "")),
            source_address=client[0] if client else "unknown",
            subject=caller.subject if caller else None,
            roles=[role.value for role in caller.roles] if caller else (),
            auth_method=caller.method if caller else None,
        )
        self._enqueue(self.limiter.admit(record))

    def _enqueue(self, records: list[AccessRecord]) -> None:
        for record in records:
            try:
                self._queue.put_nowait(record)
            except queue.Full:
                self.dropped += 1
                logger.warning("access log: a refusal was not recorded (%d queued)", MAX_QUEUED)

    def _write(self, store: Store) -> None:
        while True:
            try:
                record = self._queue.get(timeout=_TICK_SECONDS)
            except queue.Empty:
                self._enqueue(self.limiter.close_expired())
                continue
            if record is _STOP:
                return
            try:
                access_log.append(store, record)
            except LineageError as error:
                logger.warning("access log: a refusal was not recorded: %s", error)
            except Exception:  # the thread must outlive any one record
                logger.exception("access log: a refusal was not recorded")
