"""Writes batches straight into Neo4j with :class:`LineageWriter`: one transaction per batch.

Writes are idempotent on ``uid``, so a batch sent again after an unclear failure changes
nothing. The driver's own retries are kept short: the collector retries with backoff and
spools, and a send that hangs for the driver's default 30 s would only fill the queue.

>>> transport = Neo4jTransport(Neo4jConfig(settings=Settings()))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from neo4j.exceptions import DriverError, Neo4jError

from graph_lineage.errors import BackendUnavailable, EventsRejected, StoreError
from graph_lineage.events import Event
from graph_lineage.governance.retention import RetentionPolicy
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store.connection import Store, open_driver
from graph_lineage.store.writer import LineageWriter


@dataclass(frozen=True)
class Neo4jConfig:
    """Which database (from ``settings``, with its keys) and how long to try."""

    settings: Settings
    transaction_retry_seconds: float = 2.0
    connection_timeout: float = 5.0


class Neo4jTransport:
    def __init__(self, config: Neo4jConfig) -> None:
        settings = config.settings
        pseudonymizer = Pseudonymizer.from_settings(settings)
        sealer = Sealer.from_settings(settings)
        driver = open_driver(
            settings,
            max_transaction_retry_time=config.transaction_retry_seconds,
            connection_timeout=config.connection_timeout,
            connection_acquisition_timeout=config.connection_timeout,
        )
        self.store = Store(
            driver, settings.neo4j_database, settings.query_timeout, settings.job_retry_seconds
        )
        self.writer = LineageWriter(
            self.store, pseudonymizer, sealer, RetentionPolicy.from_settings(settings)
        )

    def send(self, events: Sequence[Event]) -> None:
        try:
            self.writer.write(events)
        except StoreError as error:
            if error.retryable or _transient(error.__cause__):
                raise BackendUnavailable(str(error)) from error
            raise EventsRejected(str(error), "store_error", splittable=True) from error

    def close(self) -> None:
        self.store.close()


def _transient(cause: BaseException | None) -> bool:
    """A database still starting, a leader switch, a dropped connection: worth retrying."""
    if isinstance(cause, Neo4jError):
        return cause.is_retryable()
    return isinstance(cause, DriverError)
