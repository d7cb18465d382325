"""Appending to the access log: concurrent appends to one store share a transaction."""

from __future__ import annotations

import threading
import weakref
from dataclasses import replace
from typing import Any

from graph_lineage.access_log import store as cypher
from graph_lineage.access_log.record import AccessRecord, chain_hash
from graph_lineage.store.connection import Store


def append(store: Store, record: AccessRecord) -> AccessRecord:
    """Add ``record`` at the end of the log; returns it with its ``seq`` and hashes.

    Returns once the record is committed. Concurrent appends to one store share a
    transaction (:class:`_GroupCommit`). Raises
    :class:`~graph_lineage.errors.StoreError` when it cannot be written: callers serving
    data must then not serve it.
    """
    with _GROUPS_LOCK:
        group = _GROUPS.get(store)
        if group is None:
            group = _GROUPS[store] = _GroupCommit(store)
    return group.append(record)


def append_all(
    store: Store, records: list[AccessRecord], retry_seconds: float = cypher.APPEND_RETRY_SECONDS
) -> list[AccessRecord]:
    """Add ``records``, in this order, at the end of the log in one transaction, retried
    on transient errors for ``retry_seconds``."""

    def seal(seq: int, previous_hash: str) -> list[dict[str, Any]]:
        sealed = []
        for number, record in enumerate(records, start=seq):
            numbered = replace(record, seq=number, previous_hash=previous_hash)
            previous_hash = chain_hash(previous_hash, numbered)
            sealed.append(replace(numbered, hash=previous_hash).properties())
        return sealed

    return [AccessRecord.from_properties(p) for p in cypher.append(store, seal, retry_seconds)]


class _GroupCommit:
    """Group commit: appends that arrive while a transaction is being written wait for it,
    then go together in the next one.

    Every append still commits before it returns, so the access log stays fail-closed; what
    is shared is the transaction, its commit (a disk flush) and the chain head's lock, which
    every API replica queues on. One caller at a time writes (the leader); when it is done
    it hands the lead to the oldest waiting caller, so no caller writes others' records
    for longer than one transaction. A failed transaction fails every record in it.
    """

    MAX_GROUP = 256

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._waiting: list[_Pending] = []
        self._writing = False

    def append(self, record: AccessRecord) -> AccessRecord:
        entry = _Pending(record)
        with self._lock:
            self._waiting.append(entry)
            entry.lead = not self._writing
            self._writing = True
        if not entry.lead:
            entry.wake.wait()  # written by a leader, or made the leader
        if entry.lead:
            self._write_group()
        return entry.outcome()

    def _write_group(self) -> None:
        with self._lock:
            group = self._waiting[: self.MAX_GROUP]
            del self._waiting[: self.MAX_GROUP]
        try:
            written = append_all(self._store, [entry.record for entry in group])
        except BaseException as error:  # every caller in the group learns it was not written
            for entry in group:
                entry.error = error
        else:
            for entry, record in zip(group, written, strict=True):
                entry.written = record
        with self._lock:
            successor = self._waiting[0] if self._waiting else None
            if successor is None:
                self._writing = False
            else:
                successor.lead = True
        for entry in group:
            entry.wake.set()
        if successor is not None:
            successor.wake.set()


class _Pending:
    def __init__(self, record: AccessRecord) -> None:
        self.record = record
        self.lead = False
        self.wake = threading.Event()
        self.written: AccessRecord | None = None
        self.error: BaseException | None = None

    def outcome(self) -> AccessRecord:
        if self.error is not None:
            raise self.error
        assert self.written is not None
        return self.written


_GROUPS: weakref.WeakKeyDictionary[Store, _GroupCommit] = weakref.WeakKeyDictionary()
_GROUPS_LOCK = threading.Lock()
