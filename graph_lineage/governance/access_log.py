"""The access audit: one record per operation, append-only, chained by hash.

A record says who asked (subject, roles, how they authenticated), when, what (operation
name and type, the SHA-256 of the document and of its variables), whose data left (the
uids returned, the first 1,000 and a count), what was refused (denied field paths, error
codes) and how it ended. Documents and variables are kept as hashes only: they may hold
pseudonyms.

Record ``n`` stores ``hash = sha256(hash of record n-1 + canonical JSON of record n)``; the
first record chains to 64 zeros. Altering, removing or inserting a record breaks the chain
from there on, and :func:`verify` names the first broken ``seq``. Whoever may write to
Neo4j could recompute a whole chain, so keep the head hash :func:`verify` reports
somewhere else too: it anchors everything before it. Nothing in graph-lineage updates or
deletes a record; retention and erasure do not touch them.

>>> record = AccessRecord.build(subject="ana", roles=["auditor"], document="{ about { service } }")
>>> append(store, record).seq
1
>>> verify(store).ok
True
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import json
import threading
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from graph_lineage.auth.principal import Role
from graph_lineage.errors import InvalidQuery
from graph_lineage.governance.records import utc
from graph_lineage.store import access_log as cypher
from graph_lineage.store.connection import Store

MAX_LISTED = 1_000  # uids and denied paths kept per record; the counts are exact
MAX_PAGE = 500
_BATCH = 1_000  # records per read when exporting or verifying
_NEWEST = 2**63 - 1

# How an operation ended.
ANSWERED = "answered"  # no error
PARTIAL = "partial"  # data and errors (denied fields among them)
FAILED = "failed"  # executed, no data
REFUSED = "refused"  # not executed: unparsable, invalid, over a limit, not allowed

Format = Literal["jsonl", "csv"]


@dataclass(frozen=True, kw_only=True)
class AccessRecord:
    """One operation as the audit keeps it; ``seq`` and the hashes are given by :func:`append`."""

    seq: int | None = None
    at: datetime
    subject: str
    roles: tuple[str, ...]
    auth_method: str | None
    operation_name: str | None
    operation_type: str | None
    document_sha256: str
    variables_sha256: str | None
    returned_uids: tuple[str, ...]
    returned_uid_count: int
    denied_fields: tuple[str, ...]
    denied_field_count: int
    error_codes: tuple[str, ...]
    outcome: str
    previous_hash: str | None = None
    hash: str | None = None

    @classmethod
    def build(
        cls,
        *,
        subject: str,
        roles: Iterable[str],
        document: str,
        outcome: str = ANSWERED,
        at: datetime | None = None,
        auth_method: str | None = None,
        operation_name: str | None = None,
        operation_type: str | None = None,
        variables: dict[str, Any] | None = None,
        returned_uids: Iterable[str] = (),
        denied_fields: Iterable[str] = (),
        error_codes: Iterable[str] = (),
    ) -> AccessRecord:
        """A record of one operation: hashes the document and variables, caps the lists."""
        uids, denied = list(dict.fromkeys(returned_uids)), list(denied_fields)
        return cls(
            at=utc(at or datetime.now(UTC)),
            subject=subject,
            roles=tuple(sorted(set(roles))),
            auth_method=auth_method,
            operation_name=operation_name,
            operation_type=operation_type,
            document_sha256=_sha256(document),
            variables_sha256=None if variables is None else _sha256(_canonical(variables)),
            returned_uids=tuple(uids[:MAX_LISTED]),
            returned_uid_count=len(uids),
            denied_fields=tuple(denied[:MAX_LISTED]),
            denied_field_count=len(denied),
            error_codes=tuple(sorted(set(error_codes))),
            outcome=outcome,
        )

    def content(self) -> dict[str, Any]:
        """Everything the record's hash covers: all but the two hashes, as JSON values."""
        values = asdict(self)
        del values["previous_hash"], values["hash"]
        values["at"] = _iso(self.at)
        return {key: list(v) if isinstance(v, tuple) else v for key, v in values.items()}

    def as_json(self) -> dict[str, Any]:
        return {**self.content(), "previous_hash": self.previous_hash, "hash": self.hash}

    def properties(self) -> dict[str, Any]:
        """The record as node properties (``at`` a datetime, so time filters are indexed)."""
        return {**self.as_json(), "at": self.at}

    @classmethod
    def from_properties(cls, properties: dict[str, Any]) -> AccessRecord:
        values: dict[str, Any] = {f.name: properties.get(f.name) for f in fields(cls)}
        for name in ("roles", "returned_uids", "denied_fields", "error_codes"):
            values[name] = tuple(values[name] or ())
        values["at"] = _native(values["at"])
        return cls(**values)


def chain_hash(previous_hash: str, record: AccessRecord) -> str:
    return _sha256(previous_hash + _canonical(record.content()))


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


def append_all(store: Store, records: list[AccessRecord]) -> list[AccessRecord]:
    """Add ``records``, in this order, at the end of the log in one transaction."""

    def seal(seq: int, previous_hash: str) -> list[dict[str, Any]]:
        sealed = []
        for number, record in enumerate(records, start=seq):
            numbered = replace(record, seq=number, previous_hash=previous_hash)
            previous_hash = chain_hash(previous_hash, numbered)
            sealed.append(replace(numbered, hash=previous_hash).properties())
        return sealed

    return [AccessRecord.from_properties(p) for p in cypher.append(store, seal)]


class _GroupCommit:
    """Group commit: appends that arrive while a transaction is being written wait for it,
    then go together in the next one.

    Every append still commits before it returns, so the audit stays fail-closed; what is
    shared is the transaction, its commit (a disk flush) and the chain head's lock, which
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


@dataclass(frozen=True)
class AccessLogFilter:
    """All given conditions must hold; times (UTC when naive) are ``[from_time, to_time)``."""

    from_time: datetime | None = None
    to_time: datetime | None = None
    subject: str | None = None
    role: str | None = None
    operation_name: str | None = None
    uid: str | None = None  # among the uids returned
    denied_only: bool = False

    def parameters(self) -> dict[str, Any]:
        if self.role is not None and self.role not in {role.value for role in Role}:
            known = ", ".join(role.value for role in Role)
            raise InvalidQuery(f"unknown role {self.role!r}; roles are {known}")
        return {
            "from": utc(self.from_time) if self.from_time else None,
            "to": utc(self.to_time) if self.to_time else None,
            "subject": self.subject,
            "role": self.role,
            "operationName": self.operation_name,
            "uid": self.uid,
            "deniedOnly": self.denied_only,
        }


@dataclass
class AccessLogPage:
    records: list[AccessRecord]
    cursors: list[str]
    has_next_page: bool


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"access:{seq}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        prefix, seq = base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)
        if prefix == "access":
            return int(seq)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise InvalidQuery(f"{cursor!r} is not a cursor of the access log")


def query(
    store: Store, where: AccessLogFilter, first: int = 50, after: str | None = None
) -> AccessLogPage:
    """One page of records matching ``where``, newest first."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidQuery(f"first must be between 1 and {MAX_PAGE}, not {first}")
    before = decode_cursor(after) if after else _NEWEST
    rows = store.read(cypher.NEWEST_FIRST, before=before, limit=first + 1, **where.parameters())
    records = [AccessRecord.from_properties(row["record"]) for row in rows]
    page = records[:first]
    cursors = [encode_cursor(record.seq or 0) for record in page]
    return AccessLogPage(page, cursors, len(records) > first)


def records(store: Store, where: AccessLogFilter | None = None) -> Iterator[AccessRecord]:
    """Every record matching ``where``, oldest first, read in batches."""
    parameters = (where or AccessLogFilter()).parameters()
    after = 0
    while True:
        rows = store.read(cypher.OLDEST_FIRST, after=after, limit=_BATCH, **parameters)
        for row in rows:
            record = AccessRecord.from_properties(row["record"])
            after = record.seq or after
            yield record
        if len(rows) < _BATCH:
            return


def export(
    store: Store, out: TextIO, where: AccessLogFilter | None = None, format: Format = "jsonl"
) -> int:
    """Write the records matching ``where`` to ``out``, oldest first; returns how many.

    JSON Lines: one object per record, hashes included, so the chain can be checked from
    the file. CSV: the same columns, lists space-separated.
    """
    written = 0
    table = csv.DictWriter(out, fieldnames=[f.name for f in fields(AccessRecord)])
    if format == "csv":
        table.writeheader()
    for record in records(store, where):
        values = record.as_json()
        if format == "csv":
            table.writerow(
                {k: " ".join(v) if isinstance(v, list) else v for k, v in values.items()}
            )
        else:
            out.write(json.dumps(values) + "\n")
        written += 1
    return written


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
        rows = store.read(cypher.CHAIN, after=after, upTo=up_to, limit=_BATCH)
        for row in rows:
            record = AccessRecord.from_properties(row["record"])
            after = max(after, record.seq or 0)
            yield record
        if len(rows) < _BATCH:
            return


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def _iso(value: Any) -> str:
    """A time as ISO 8601 in UTC to the microsecond, the one form the hash covers."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return str(value)
