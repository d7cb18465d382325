"""GraphQL types of the access log: records, their filter and their connection."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from api.graphql.pagination import Connection, connection
from graph_lineage.access_log import AccessLogFilter, AccessLogPage
from graph_lineage.access_log import AccessRecord as Record


@strawberry.type(
    description="One operation as the access log recorded it, or a request refused at the"
    " door (401, 403: requestPath and reason set), or a count of such refusals"
    " (suppressedCount set), or an export (operationType export; the export fields set)."
)
class AccessRecord:
    seq: int = strawberry.field(description="Position in the chain, from 1, without gaps.")
    at: datetime = strawberry.field(description="When the request arrived.")
    subject: str = strawberry.field(description="Who asked: the token's sub or the key's name.")
    roles: list[str]
    auth_method: str | None = strawberry.field(description="jwt or api_key; cli for operators.")
    operation_name: str | None
    operation_type: str | None = strawberry.field(description="query, or null if not run.")
    document_sha256: str = strawberry.field(description="SHA-256 of the exact document text.")
    variables_sha256: str | None = strawberry.field(
        description="SHA-256 of the variables as canonical JSON; null when none were sent."
    )
    returned_uids: list[strawberry.ID] = strawberry.field(
        description="Nodes whose data was in the answer (the first 1,000)."
    )
    returned_uid_count: int
    denied_fields: list[str] = strawberry.field(
        description="Paths of the fields refused with FORBIDDEN_FIELD (the first 1,000)."
    )
    denied_field_count: int
    error_codes: list[str]
    outcome: str = strawberry.field(description="answered, partial, failed or refused.")
    request_method: str | None = strawberry.field(
        description="Refusals at the door: the HTTP method."
    )
    request_path: str | None = strawberry.field(
        description="Refusals at the door: the path asked for."
    )
    source_address: str | None = strawberry.field(
        description="Refusals at the door: the client's address."
    )
    reason: str | None = strawberry.field(
        description="Refusals at the door: why, as the answer's detail said."
    )
    suppressed_count: int | None = strawberry.field(
        description="A summary: refusals from one source (address and subject) in one window"
        " that were counted here instead of recorded one by one.",
    )
    export_format: str | None = strawberry.field(
        description="Exports: the file's format (csv, json, png, svg, pdf, html)."
    )
    export_view: str | None = strawberry.field(description="Exports: the view exported from.")
    export_filters: JSON | None = strawberry.field(
        description="Exports: the view's filters (a value naming a person as its SHA-256)."
    )
    export_as_of: datetime | None = strawberry.field(
        description="Exports: the time the data showed; null: as exported."
    )
    export_rows: int | None = strawberry.field(description="Exports: rows in the file.")
    export_bytes: int | None = strawberry.field(
        description="Exports: size of the data before the stamp was added."
    )
    previous_hash: str
    hash: str = strawberry.field(description="sha256(previousHash + canonical JSON of it).")


def record_to_graphql(record: Record) -> AccessRecord:
    return AccessRecord(
        seq=record.seq or 0,
        at=record.at,
        subject=record.subject,
        roles=list(record.roles),
        auth_method=record.auth_method,
        operation_name=record.operation_name,
        operation_type=record.operation_type,
        document_sha256=record.document_sha256,
        variables_sha256=record.variables_sha256,
        returned_uids=[strawberry.ID(uid) for uid in record.returned_uids],
        returned_uid_count=record.returned_uid_count,
        denied_fields=list(record.denied_fields),
        denied_field_count=record.denied_field_count,
        error_codes=list(record.error_codes),
        outcome=record.outcome,
        request_method=record.request_method,
        request_path=record.request_path,
        source_address=record.source_address,
        reason=record.reason,
        suppressed_count=record.suppressed_count,
        export_format=record.export_format,
        export_view=record.export_view,
        export_filters=None if record.export_filters is None else json.loads(record.export_filters),
        export_as_of=record.export_as_of,
        export_rows=record.export_rows,
        export_bytes=record.export_bytes,
        previous_hash=record.previous_hash or "",
        hash=record.hash or "",
    )


@strawberry.input(description="All given conditions must hold.")
class AccessLogFilterInput:
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="At or after this time."
    )
    to: datetime | None = strawberry.field(default=None, description="Before this time.")
    subject: str | None = None
    role: str | None = strawberry.field(default=None, description="One of the caller's roles.")
    operation_name: str | None = None
    uid: strawberry.ID | None = strawberry.field(
        default=None, description="Among the uids returned."
    )
    denied_only: bool = strawberry.field(
        default=False, description="Only operations that were refused some field."
    )
    exports_only: bool = strawberry.field(
        default=False, description="Only exports: files made from lineage data."
    )

    def to_filter(self) -> AccessLogFilter:
        return AccessLogFilter(
            from_time=self.from_,
            to_time=self.to,
            subject=self.subject,
            role=self.role,
            operation_name=self.operation_name,
            uid=str(self.uid) if self.uid is not None else None,
            denied_only=self.denied_only,
            exports_only=self.exports_only,
        )


AccessRecordConnection = Connection[AccessRecord]


def access_page_to_graphql(page: AccessLogPage) -> AccessRecordConnection:
    return connection(page.records, page.cursors, page.has_next_page, record_to_graphql)
