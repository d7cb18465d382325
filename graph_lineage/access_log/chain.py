"""Verifying the access log's hash chain from its first record to its head."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graph_lineage.access_log import store as cypher
from graph_lineage.access_log.record import AccessRecord, chain_hash
from graph_lineage.store.connection import Store


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify` found: intact, or the first broken seq and why."""

    records: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(store: Store) -> ChainReport:
    """Walk the whole chain from seq 1 and check every link, then the head."""
    expected, previous = 1, cypher.GENESIS_HASH
    head = cypher.head(store)
    head_seq = int(head["seq"]) if head else 0
    head_hash = str(head["hash"]) if head else cypher.GENESIS_HASH

    def broken(seq: int, problem: str) -> ChainReport:
        return ChainReport(expected - 1, head_seq, head_hash, seq, problem)

    for record in _chain(store, head_seq):  # records appended since are checked next time
        seq = record.seq or 0
        if seq != expected:
            why = f"record {expected} is missing" if seq > expected else f"seq {seq} repeats"
            return broken(min(seq, expected), why)
        if record.previous_hash != previous:
            return broken(seq, f"record {seq} does not chain to record {seq - 1}")
        if record.hash != chain_hash(previous, record):
            return broken(seq, f"record {seq} was altered: its content does not match its hash")
        expected, previous = expected + 1, record.hash
    if head_seq != expected - 1 or head_hash != previous:
        return broken(
            expected if head_seq >= expected else head_seq,
            f"the head names record {head_seq} but the chain ends at record {expected - 1}",
        )
    return ChainReport(expected - 1, head_seq, head_hash)


def _chain(store: Store, up_to: int) -> Iterator[AccessRecord]:
    after = 0
    while True:
        rows = store.read(cypher.CHAIN, after=after, upTo=up_to, limit=cypher.BATCH)
        for row in rows:
            record = AccessRecord.from_properties(row["record"])
            after = max(after, record.seq or 0)
            yield record
        if len(rows) < cypher.BATCH:
            return
