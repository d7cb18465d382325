"""Reading the access log: a filter, pages newest first with cursors, every record oldest first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph_lineage.access_log import store as cypher
from graph_lineage.access_log.record import EXPORT, AccessRecord
from graph_lineage.auth.principal import Role
from graph_lineage.errors import InvalidQuery
from graph_lineage.governance.records import utc
from graph_lineage.lineage import cursors
from graph_lineage.store.connection import Store

MAX_PAGE = 500
CURSOR_TAG = "access"  # the first part of every cursor of the access log
_NEWEST = 2**63 - 1


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
    exports_only: bool = False  # records of exports (operation type "export") only

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
            "exportsOnly": self.exports_only,
            "export": EXPORT,
        }


@dataclass
class AccessLogPage:
    records: list[AccessRecord]
    cursors: list[str]
    has_next_page: bool


def encode_cursor(seq: int) -> str:
    """The cursor after the record numbered ``seq`` (newest first)."""
    return cursors.encode_cursor(CURSOR_TAG, seq)


def decode_cursor(cursor: str) -> int:
    """The ``seq`` of an :func:`encode_cursor` cursor."""
    try:
        _, seq = cursors.decode_cursor(cursor, _tag, int)
    except InvalidQuery:
        raise InvalidQuery(f"{cursor!r} is not a cursor of the access log") from None
    return int(seq)


def _tag(text: str) -> str:
    if text != CURSOR_TAG:
        raise ValueError(f"not {CURSOR_TAG!r}")
    return text


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
        rows = store.read(cypher.OLDEST_FIRST, after=after, limit=cypher.BATCH, **parameters)
        for row in rows:
            record = AccessRecord.from_properties(row["record"])
            after = record.seq or after
            yield record
        if len(rows) < cypher.BATCH:
            return
