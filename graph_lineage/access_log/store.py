"""The Cypher of the access log: an append-only chain of ``(:AccessRecord)`` nodes.

Appending locks the single ``(:AccessLogHead)`` node by writing to it before reading its
``seq`` and ``hash``, so concurrent appenders (also on other API replicas) queue on that
lock and each gets the next sequence number. Records have no relationships: no traversal
reaches them, and retention and erasure, which match their own labels only, never touch
them. Nothing here updates or deletes a record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import neo4j

from graph_lineage.store.connection import Record, Store

HEAD_NAME = "access-log"
GENESIS_HASH = "0" * 64  # what the first record chains to
# A caller waits for its record: when Neo4j is away, tell it soon (it then gets no data).
APPEND_RETRY_SECONDS = 5.0
BATCH = 1_000  # records per read when exporting or verifying

# Writing to the head first takes its write lock; the read after it sees the latest head.
LOCK_HEAD = """
MERGE (head:AccessLogHead {name: $name})
  ON CREATE SET head.seq = 0, head.hash = $genesis
SET head.appending = true
RETURN head.seq AS seq, head.hash AS hash
"""

# $records are consecutive, oldest first; the head moves to the last of them.
APPEND = """
MATCH (head:AccessLogHead {name: $name})
UNWIND $records AS properties
CREATE (record:AccessRecord)
SET record = properties
WITH head, last(collect(properties)) AS newest
SET head.seq = newest.seq, head.hash = newest.hash, head.at = newest.at
REMOVE head.appending
"""

HEAD = """
MATCH (head:AccessLogHead {name: $name})
RETURN head.seq AS seq, head.hash AS hash
"""

_MATCHES = """
($from IS NULL OR r.at >= $from) AND ($to IS NULL OR r.at < $to)
AND ($subject IS NULL OR r.subject = $subject)
AND ($role IS NULL OR $role IN r.roles)
AND ($operationName IS NULL OR r.operation_name = $operationName)
AND ($uid IS NULL OR $uid IN r.returned_uids)
AND (NOT $deniedOnly OR r.denied_field_count > 0)
AND (NOT $exportsOnly OR r.operation_type = $export)
"""

# Index-backed by seq: the scan runs newest first and stops once a page is full.
NEWEST_FIRST = f"""
MATCH (r:AccessRecord)
WHERE r.seq < $before AND {_MATCHES}
RETURN properties(r) AS record
ORDER BY r.seq DESC
LIMIT $limit
"""

OLDEST_FIRST = f"""
MATCH (r:AccessRecord)
WHERE r.seq > $after AND {_MATCHES}
RETURN properties(r) AS record
ORDER BY r.seq
LIMIT $limit
"""

CHAIN = """
MATCH (r:AccessRecord)
WHERE r.seq > $after AND r.seq <= $upTo
RETURN properties(r) AS record
ORDER BY r.seq
LIMIT $limit
"""


def append(
    store: Store,
    seal: Callable[[int, str], list[dict[str, Any]]],
    retry_seconds: float = APPEND_RETRY_SECONDS,
) -> list[dict[str, Any]]:
    """Write records at the head of the chain, in one transaction; returns their properties.

    ``seal(seq, previous_hash)`` makes the records' properties (``seq`` and ``hash`` among
    them, the first numbered ``seq``) once the head is locked; a retried transaction calls
    it again. Transient errors are retried for ``retry_seconds``.
    """

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        head = tx.run(LOCK_HEAD, name=HEAD_NAME, genesis=GENESIS_HASH).single(strict=True)
        records = seal(int(head["seq"]) + 1, str(head["hash"]))
        tx.run(APPEND, name=HEAD_NAME, records=records).consume()
        return records

    return store.write_transaction(work, retry_seconds=retry_seconds)


def head(store: Store) -> Record | None:
    """The chain's head: the last ``seq`` and ``hash``; None before the first record."""
    rows = store.read(HEAD, name=HEAD_NAME)
    return rows[0] if rows else None
