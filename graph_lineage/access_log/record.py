"""One access-log record and the hash that chains it to the record before.

Record ``n`` stores ``hash = sha256(hash of record n-1 + canonical JSON of record n)``; the
first record chains to 64 zeros (:data:`~graph_lineage.access_log.store.GENESIS_HASH`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

from graph_lineage.governance.records import utc
from graph_lineage.store.values import native

MAX_LISTED = 1_000  # uids and denied paths kept per record; the counts are exact

# How an operation ended.
ANSWERED = "answered"  # no error
PARTIAL = "partial"  # data and errors (denied fields among them)
FAILED = "failed"  # executed, no data
REFUSED = "refused"  # not executed: unparsable, invalid, over a limit, not allowed

# Fields of refusals at the door (401, 403), added after the first records were chained:
# left out of a record's hashed content when unset, so older records keep their hashes.
ANONYMOUS = "(anonymous)"  # the subject of a request without valid credentials
DOOR_CODES = {401: "UNAUTHENTICATED", 403: "FORBIDDEN"}
MAX_REQUEST_PATH = 1_000
MAX_REASON = 500
DOOR_FIELDS = ("request_method", "request_path", "source_address", "reason", "suppressed_count")
# Fields of exports (operation type "export"), added later still: left out the same way.
EXPORT = "export"  # the operation type of an export's record
EXPORT_FIELDS = (
    "export_format",
    "export_view",
    "export_filters",
    "export_as_of",
    "export_rows",
    "export_bytes",
)
OPTIONAL_FIELDS = DOOR_FIELDS + EXPORT_FIELDS


@dataclass(frozen=True, kw_only=True)
class AccessRecord:
    """One operation as the access log keeps it; ``seq`` and the hashes are given by
    :func:`~graph_lineage.access_log.append`."""

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
    request_method: str | None = None
    request_path: str | None = None
    source_address: str | None = None
    reason: str | None = None
    suppressed_count: int | None = None  # refusals counted in this one, not recorded apart
    export_format: str | None = None
    export_view: str | None = None
    export_filters: str | None = None  # the view's filters as canonical JSON
    export_as_of: datetime | None = None
    export_rows: int | None = None
    export_bytes: int | None = None
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
            document_sha256=sha256(document),
            variables_sha256=None if variables is None else sha256(canonical(variables)),
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
        for name in OPTIONAL_FIELDS:
            if values[name] is None:
                del values[name]
        values["at"] = _iso(self.at)
        if self.export_as_of is not None:
            values["export_as_of"] = _iso(self.export_as_of)
        return {key: list(v) if isinstance(v, tuple) else v for key, v in values.items()}

    def as_json(self) -> dict[str, Any]:
        """Every field (unset door and export fields as null), hashes included."""
        content = self.content()
        values = {f.name: content.get(f.name) for f in fields(self)}
        return {**values, "previous_hash": self.previous_hash, "hash": self.hash}

    def properties(self) -> dict[str, Any]:
        """The record as node properties (``at`` a datetime, so time filters are indexed)."""
        return {**self.as_json(), "at": self.at, "export_as_of": self.export_as_of}

    @classmethod
    def refusal(
        cls,
        *,
        status: int,
        reason: str,
        method: str,
        path: str,
        source_address: str,
        subject: str | None = None,
        roles: Iterable[str] = (),
        auth_method: str | None = None,
        at: datetime | None = None,
        suppressed_count: int | None = None,
    ) -> AccessRecord:
        """A request refused at the door (``401``, ``403``) before any data was read.

        With ``suppressed_count``: that many refusals from one source, counted in a window
        instead of recorded one by one.
        """
        return cls(
            at=utc(at or datetime.now(UTC)),
            subject=subject or ANONYMOUS,
            roles=tuple(sorted(set(roles))),
            auth_method=auth_method,
            operation_name=None,
            operation_type=None,
            document_sha256=sha256(""),
            variables_sha256=None,
            returned_uids=(),
            returned_uid_count=0,
            denied_fields=(),
            denied_field_count=0,
            error_codes=(DOOR_CODES[status],),
            outcome=REFUSED,
            request_method=method,
            request_path=path[:MAX_REQUEST_PATH],
            source_address=source_address,
            reason=reason[:MAX_REASON],
            suppressed_count=suppressed_count,
        )

    @classmethod
    def from_properties(cls, properties: dict[str, Any]) -> AccessRecord:
        values: dict[str, Any] = {f.name: properties.get(f.name) for f in fields(cls)}
        for name in ("roles", "returned_uids", "denied_fields", "error_codes"):
            values[name] = tuple(values[name] or ())
        values["at"] = native(values["at"])
        values["export_as_of"] = native(values["export_as_of"])
        return cls(**values)


def chain_hash(previous_hash: str, record: AccessRecord) -> str:
    return sha256(previous_hash + canonical(record.content()))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _iso(value: Any) -> str:
    """A time as ISO 8601 in UTC to the microsecond, the one form the hash covers."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return str(value)
