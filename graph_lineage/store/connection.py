"""The connection to Neo4j: one driver, managed transactions, errors translated."""

from __future__ import annotations

import random
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, LiteralString, Protocol, TypeVar

import neo4j
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired
from neo4j.graph import Node, Path, Relationship

from graph_lineage.errors import ConfigurationError, StoreError, StoreUnavailable
from graph_lineage.settings import Settings
from graph_lineage.store.breaker import Breaker

Record = dict[str, Any]


class Reader(Protocol):
    """What runs read queries: a :class:`Store`, or the transaction of
    :meth:`Store.read_together`."""

    def read(self, query: LiteralString, **parameters: Any) -> list[Record]: ...


# Managed transactions back off from FIRST_RETRY_DELAY, doubling up to MAX_RETRY_DELAY.
FIRST_RETRY_DELAY = 0.2
MAX_RETRY_DELAY = 2.0
DRIVER_RETRY_SECONDS = 30.0  # the driver's default budget, kept for stores that set none

Counters = dict[str, int]
COUNTED = ("nodes_created", "relationships_created", "properties_set", "nodes_deleted")
T = TypeVar("T")


def resolve_target(settings: Settings) -> tuple[str, tuple[str, str] | None]:
    """The Bolt URI and credentials graph-lineage should use under these settings."""
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
    if settings.neo4j_uri is not None:
        auth = (settings.neo4j_user, password) if password is not None else None
        return settings.neo4j_uri, auth
    if not settings.local_auth:
        return settings.local_bolt_uri, None
    if password is None:
        password_file = settings.local_password_file
        if not password_file.exists():
            raise ConfigurationError(
                f"no Neo4j password: {password_file} does not exist. Start the local server with"
                " `graph-lineage neo4j start`, or set GRAPH_LINEAGE_NEO4J_URI and"
                " GRAPH_LINEAGE_NEO4J_PASSWORD to use another server."
            )
        password = password_file.read_text().strip()
    return settings.local_bolt_uri, (settings.neo4j_user, password)


def open_driver(settings: Settings, **options: Any) -> neo4j.Driver:
    """A driver for the database these settings name, with their TLS trust; ``options``
    are further driver settings (timeouts, retries)."""
    uri, auth = resolve_target(settings)
    ca_file = settings.bolt_ca_file
    if ca_file is not None:
        if "+s" in uri.split("://", 1)[0]:
            raise ConfigurationError(
                f"{uri} already chooses its TLS trust (the system's CAs, or any certificate"
                " with +ssc); a CA file needs a bolt:// or neo4j:// URI"
            )
        if not ca_file.exists():
            raise ConfigurationError(f"the Bolt CA file {ca_file} does not exist")
        options.update(encrypted=True, trusted_certificates=neo4j.TrustCustomCAs(str(ca_file)))
    # Unknown labels and properties are normal on a young graph; not worth a log line.
    return neo4j.GraphDatabase.driver(
        uri,
        auth=auth,
        notifications_disabled_classifications=[
            neo4j.NotificationDisabledClassification.UNRECOGNIZED
        ],
        **options,
    )


def _tls_failure(error: BaseException) -> ssl.SSLError | None:
    """The TLS error behind a failed connection, if that is what failed."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class Store:
    """Reads and writes against one Neo4j database through managed transactions.

    >>> with Store.connect(Settings()) as store:
    ...     store.read("RETURN 1 AS one")
    [{'one': 1}]
    """

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str,
        read_timeout: float,
        retry_seconds: float | None = None,
        breaker: Breaker | None = None,
    ) -> None:
        self.driver = driver
        self.breaker = breaker  # request paths only: see store/breaker.py
        self.database = database
        self.read_timeout = read_timeout
        self.retry_seconds = retry_seconds  # None: the driver's default, 30 s
        self.round_trips = 0  # queries sent, for tests that guard against N+1
        self._active = 0
        self._closed = False
        self._idle = threading.Condition()

    @classmethod
    def connect(cls, settings: Settings) -> Store:
        """A store for background work: CLI jobs, retention, the collector's transport.

        Retries an unreachable or busy Neo4j for ``job_retry_seconds``.
        """
        return cls(
            open_driver(settings),
            settings.neo4j_database,
            settings.query_timeout,
            settings.job_retry_seconds,
        )

    @classmethod
    def connect_for_requests(cls, settings: Settings) -> Store:
        """A store for the API's request paths, which must fail fast when Neo4j is down.

        Opening or acquiring a connection waits ``request_connect_timeout`` and a managed
        transaction retries for ``request_retry_seconds``, so a producer gets its 503
        within seconds instead of holding a connection for a minute (the driver's
        defaults: 30 s to connect, 60 s to acquire, 30 s of retries).
        """
        connect = settings.request_connect_timeout
        driver = open_driver(
            settings,
            connection_timeout=connect,
            connection_acquisition_timeout=connect + settings.request_retry_seconds,
        )
        return cls(
            driver,
            settings.neo4j_database,
            settings.query_timeout,
            settings.request_retry_seconds,
            Breaker(),
        )

    def without_retries(self) -> Store:
        """A store on the same driver whose transactions are tried once (probes).

        Close only the store it came from; this one owns nothing.
        """
        return Store(self.driver, self.database, self.read_timeout, retry_seconds=0.0)

    def close(self, timeout: float = 10.0) -> None:
        """Close the driver, once queries still running in worker threads have finished.

        A GraphQL request whose sibling field failed can return while another resolver's
        query still runs in a thread; closing under it would break that connection.
        """
        with self._idle:
            self._closed = True
            self._idle.wait_for(lambda: self._active == 0, timeout=timeout)
        self.driver.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def read(self, query: LiteralString, **parameters: Any) -> list[Record]:
        """Run a read query in a managed transaction with the configured timeout."""
        return self._execute(neo4j.READ_ACCESS, query, parameters, self.read_timeout)

    def read_together(self, work: Callable[[Reader], T]) -> T:
        """Run the reads ``work`` makes in one managed read transaction, retried whole.

        For a query made of several statements with Python between them (a traversal's
        levels): one session and one transaction instead of one per statement, which on a
        small answer costs more than the Cypher. ``work`` gets a :class:`Reader` and must
        only read.
        """

        @neo4j.unit_of_work(timeout=self.read_timeout)
        def run(tx: neo4j.ManagedTransaction) -> T:
            return work(_InTransaction(self, tx))

        return self._managed(neo4j.READ_ACCESS, run)

    def write(self, query: LiteralString, **parameters: Any) -> list[Record]:
        """Run a write query in a managed transaction (retried on transient errors)."""
        return self._execute(neo4j.WRITE_ACCESS, query, parameters, None)

    def write_all(self, statements: Sequence[tuple[LiteralString, dict[str, Any]]]) -> Counters:
        """Run several write statements in one managed transaction: all of them or none."""

        def work(tx: neo4j.ManagedTransaction) -> Counters:
            totals: Counters = {}
            for query, parameters in statements:
                counters = tx.run(query, parameters).consume().counters
                for name in COUNTED:
                    totals[name] = totals.get(name, 0) + getattr(counters, name)
            return totals

        return self._managed(neo4j.WRITE_ACCESS, work, "write")

    def write_transaction(
        self, work: Callable[[neo4j.ManagedTransaction], T], retry_seconds: float | None = None
    ) -> T:
        """Run ``work`` as one managed write transaction, retried whole on transient errors.

        For writes whose later statements depend on what earlier ones read, such as taking
        a lock and then reading what it guards. ``retry_seconds`` bounds the retries (the
        driver's default, 30 s, lets an unreachable server hold the caller for a minute).
        """
        return self._managed(neo4j.WRITE_ACCESS, work, "write", retry_seconds)

    def run_schema(self, statement: str, **parameters: Any) -> None:
        """Run one schema command (constraints, indexes) in its own auto-commit transaction.

        Schema commands cannot share a transaction with data writes, hence no retry wrapper;
        migrations make them idempotent with ``IF NOT EXISTS`` instead.
        """
        with self._session(neo4j.WRITE_ACCESS, "schema statement") as session:
            session.run(neo4j.Query(statement), parameters).consume()

    def run_autocommit(self, query: LiteralString, **parameters: Any) -> list[Record]:
        """Run one query in its own auto-commit transaction and return its records.

        ``CALL { ... } IN TRANSACTIONS`` (batched deletes) commits batch by batch and so
        cannot run inside a managed transaction; it is not retried, so it must be safe to
        run again from the start.
        """
        self.round_trips += 1
        with self._session(neo4j.WRITE_ACCESS, "batched write") as session:
            return _rows(session.run(query, parameters))

    def _execute(
        self,
        mode: str,
        query: LiteralString,
        parameters: dict[str, Any],
        timeout: float | None,
    ) -> list[Record]:
        self.round_trips += 1

        @neo4j.unit_of_work(timeout=timeout)
        def work(tx: neo4j.ManagedTransaction) -> list[Record]:
            return _rows(tx.run(query, parameters))

        return self._managed(mode, work)

    def _managed(
        self,
        mode: str,
        work: Callable[[neo4j.ManagedTransaction], T],
        action: str = "query",
        retry_seconds: float | None = None,
    ) -> T:
        """Run ``work`` as a managed transaction, retried whole on transient errors and
        outages until ``retry_seconds`` (else the store's budget) have passed.

        The retries are ours, not the driver's: the driver compares its budget before it
        sleeps its next doubled delay, so a 3 s budget held a caller for up to 8 s. Here no
        delay sleeps past the deadline.
        """
        if self.breaker is None:
            return self._retried(mode, work, action, retry_seconds)
        with self.breaker.guard():
            return self._retried(mode, work, action, retry_seconds)

    def _retried(
        self,
        mode: str,
        work: Callable[[neo4j.ManagedTransaction], T],
        action: str,
        retry_seconds: float | None,
    ) -> T:
        budget = self.retry_seconds if retry_seconds is None else retry_seconds
        deadline = time.monotonic() + (DRIVER_RETRY_SECONDS if budget is None else budget)
        delay = FIRST_RETRY_DELAY
        while True:
            try:
                with self._session(mode, action, retry_seconds=0.0) as session:
                    if mode == neo4j.READ_ACCESS:
                        return session.execute_read(work)
                    return session.execute_write(work)
            except StoreUnavailable:
                pause = min(delay * random.uniform(0.8, 1.2), deadline - time.monotonic())
                if self._closed or pause <= 0:
                    raise
            time.sleep(pause)
            delay = min(delay * 2, MAX_RETRY_DELAY)

    @contextmanager
    def _session(
        self, mode: str, action: str = "query", retry_seconds: float | None = None
    ) -> Iterator[neo4j.Session]:
        """A session counted as in flight, with Neo4j's errors translated.

        Every error the driver calls retryable (unreachable, a leader switch, a database
        still starting, no connection free in time) becomes :class:`StoreUnavailable`, so
        the API answers 503 for any outage; the rest are :class:`StoreError`.
        """
        config: dict[str, Any] = {}
        budget = self.retry_seconds if retry_seconds is None else retry_seconds
        if budget is not None:  # the driver's own retries (0: none, as :meth:`_managed` asks)
            config["max_transaction_retry_time"] = budget
        with self._idle:
            if self._closed:
                raise StoreUnavailable("the store is closed (the service is shutting down)")
            self._active += 1
        try:
            with self.driver.session(
                database=self.database, default_access_mode=mode, **config
            ) as session:
                yield session
        except (ServiceUnavailable, SessionExpired) as error:
            refused = _tls_failure(error)
            if refused is not None:  # retrying will not help: the trust is configured wrong
                raise StoreError(
                    f"the TLS handshake with Neo4j failed: {refused}. Check"
                    " GRAPH_LINEAGE_NEO4J_CA_FILE, or the URI scheme (+s: the system's CAs,"
                    " +ssc: any certificate)"
                ) from error
            raise StoreUnavailable(
                f"Neo4j is unreachable ({error}). Is it running? `graph-lineage neo4j status`"
            ) from error
        except (Neo4jError, DriverError) as error:
            if error.is_retryable():
                raise StoreUnavailable(
                    f"Neo4j is unavailable ({error}); retry later. `graph-lineage neo4j status`"
                ) from error
            raise StoreError(f"{action} failed: {error}") from error
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()


class _InTransaction:
    """A :class:`Reader` inside one transaction of :meth:`Store.read_together`."""

    def __init__(self, store: Store, tx: neo4j.ManagedTransaction) -> None:
        self._store, self._tx = store, tx

    def read(self, query: LiteralString, **parameters: Any) -> list[Record]:
        self._store.round_trips += 1
        return _rows(self._tx.run(query, parameters))


def _rows(result: neo4j.Result) -> list[Record]:
    """The rows of ``result`` as plain dicts, as ``Result.data()`` makes them, faster.

    ``data()`` tests every nested value against the ``typing`` ABCs, which cost more than
    decoding the row: 25 ms for a few hundred nodes' properties. Here lists, maps and
    scalars take a fast path by exact type; graph values (a query returning a node, a
    relationship or a path) are exported as ``data()`` exports them.
    """
    keys = result.keys()
    return [
        {key: _plain(value) for key, value in zip(keys, row.values(), strict=True)}
        for row in result
    ]


_SCALARS = frozenset({str, int, float, bool, type(None), bytes})


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        # Lists of scalars (items, scores, derived_from) are most lists: kept as they are.
        if all(type(item) in _SCALARS for item in value):
            return value
        return [_plain(item) for item in value]
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, Node):
        return _plain(dict(value))
    if isinstance(value, Relationship):
        start, end = value.start_node, value.end_node
        return (
            _plain(dict(start)) if start is not None else None,
            type(value).__name__,
            _plain(dict(end)) if end is not None else None,
        )
    if isinstance(value, Path):
        path = [_plain(value.start_node)]
        for node, relationship in zip(value.nodes[1:], value.relationships, strict=True):
            path += [type(relationship).__name__, _plain(node)]
        return path
    return value  # temporal and spatial values, as the driver made them
